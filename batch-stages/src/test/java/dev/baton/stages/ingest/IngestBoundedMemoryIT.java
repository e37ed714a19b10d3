package dev.baton.stages.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.iceberg.SnapshotSummary;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.TableIdentifier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * An ingest of a delimited file several times the heap completes in a JVM of {@value #HEAP} (Spark local mode,
 * driver and executor in one JVM, production defaults otherwise): the shuffle and the sort of the partitioned
 * write spill to disk instead of running out of memory. The file's size is the system property
 * {@value #SIZE_PROPERTY} (bytes; 2 GiB, four times the heap, when unset), the master {@value #MASTER_PROPERTY}
 * (default {@code local[1]}:
 * one task in the heap; two tasks in 512 MiB also passed, see the README). The file is generated here,
 * lineitem-like and deterministic, and the table's row count and key sum, read back through a separate catalog
 * instance, must equal the generator's.
 */
class IngestBoundedMemoryIT {

  static final String SIZE_PROPERTY = "baton.ingest.bounded-memory-bytes";
  static final String MASTER_PROPERTY = "baton.ingest.bounded-memory-master";
  static final String HEAP = "-Xmx512m";

  @TempDir Path dir;

  @Test
  @Timeout(value = 40, unit = TimeUnit.MINUTES)
  void fileSeveralTimesTheHeapIngestsWithoutRunningOutOfMemory() throws Exception {
    long size = Long.getLong(SIZE_PROPERTY, 2L << 30);
    Path input = dir.resolve("lineitem.tbl");
    long started = System.nanoTime();
    long rows = generate(input, size);
    long generatedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
    Path work = Files.createDirectories(dir.resolve("work"));
    Path log = dir.resolve("ingest.log");

    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    // this JVM's flags (the parent pom's spark.jvm.flags, from Surefire's argLine) with the small heap instead
    for (String flag : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
      if (!flag.startsWith("-Xmx") && !flag.startsWith("-javaagent")) {
        command.add(flag);
      }
    }
    command.add(HEAP);
    command.add("-XX:+ExitOnOutOfMemoryError");
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(BoundedMemoryIngest.class.getName());
    command.add(input.toString());
    command.add(work.toString());
    String master = System.getProperty(MASTER_PROPERTY, "local[1]");
    command.add(master);
    started = System.nanoTime();
    Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    boolean exited = process.waitFor(35, TimeUnit.MINUTES);
    if (!exited) {
      process.destroyForcibly().waitFor();
    }
    long ingestMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
    String output = Files.readString(log);
    String tail = output.substring(Math.max(0, output.length() - 6_000));

    assertThat(exited).as("ingest finished within 35 minutes; log tail:%n%s", tail).isTrue();
    assertThat(process.exitValue()).as("exit code; log tail:%n%s", tail).isZero();
    Matcher result = Pattern.compile("rows=(\\d+) orderkeys=(\\d+) peakRssKb=(\\S+)").matcher(output);
    assertThat(result.find()).as("result line; log tail:%n%s", tail).isTrue();
    assertThat(Long.parseLong(result.group(1))).isEqualTo(rows);
    assertThat(Long.parseLong(result.group(2))).isEqualTo(rows * (rows + 1) / 2);
    Catalog catalog = BoundedMemoryIngest.catalog(work).create();
    try {
      Table table = catalog.loadTable(TableIdentifier.of("raw", "lineitem"));
      assertThat(table.currentSnapshot().summary()).containsEntry(SnapshotSummary.TOTAL_RECORDS_PROP, String.valueOf(rows));
    } finally {
      if (catalog instanceof AutoCloseable closeable) {
        closeable.close();
      }
    }
    System.out.printf("Bounded-memory ingest: %d bytes, %d rows, generated in %d ms, ingested with %s %s in %d ms,"
        + " peak RSS %s kB%n", Files.size(input), rows, generatedMs, master, HEAP, ingestMs, result.group(3));
  }

  /**
   * Writes lineitem-like rows of {@link Lineitems#SCHEMA} ({@code |}-separated) until the file reaches {@code size}
   * bytes; row i has l_orderkey i (from 1). Returns the number of rows.
   */
  private static long generate(Path file, long size) throws IOException {
    String[] dates = new String[2_500];
    for (int d = 0; d < dates.length; d++) {
      dates[d] = LocalDate.of(1992, 1, 1).plusDays(d).toString();
    }
    String[] flags = {"R", "A", "N"};
    long rows = 0;
    long written = 0;
    try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file), 1 << 20)) {
      StringBuilder line = new StringBuilder(128);
      while (written < size) {
        long i = ++rows;
        long cents = (i * 31) % 5_000;
        line.setLength(0);
        line.append(i).append('|').append((i * 7_919) % 200_000).append('|')
            .append(cents / 100).append('.').append(cents % 100 < 10 ? "0" : "").append(cents % 100).append('|')
            .append(dates[(int) ((i * 13) % dates.length)]).append('|').append(flags[(int) (i % 3)])
            .append("|carefully final deposits detect slyly ").append(Long.toString(i * 2_654_435_761L, 36))
            .append('\n');
        byte[] bytes = line.toString().getBytes(StandardCharsets.US_ASCII);
        out.write(bytes);
        written += bytes.length;
      }
    }
    return rows;
  }
}
