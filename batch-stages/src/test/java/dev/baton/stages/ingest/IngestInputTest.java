package dev.baton.stages.ingest;

import static dev.baton.stages.ingest.Lineitems.checksum;
import static dev.baton.stages.ingest.Lineitems.delimited;
import static dev.baton.stages.ingest.Lineitems.generate;
import static dev.baton.stages.ingest.Lineitems.jsonLines;
import static dev.baton.stages.ingest.Lineitems.rows;
import static dev.baton.stages.ingest.Lineitems.sparkSchema;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.github.luben.zstd.ZstdOutputStream;
import dev.baton.catalog.CatalogConfig;
import dev.baton.stages.LocalSpark;
import dev.baton.stages.spi.StageContext;
import dev.baton.stages.spi.StageFailedException;
import dev.baton.stages.spi.StageResult;
import java.io.IOException;
import java.io.OutputStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;
import java.util.zip.GZIPOutputStream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.io.compress.BZip2Codec;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerStageCompleted;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The ingest stage's inputs (formats, codecs, splits) against Spark {@code local[2]} and a real Iceberg catalog
 * (JDBC on SQLite). Every input holds rows of the test's own lineitem-like generator; a batch's table rows are
 * compared with the generator's through a SHA-256 over the sorted rows, each printed the same way.
 */
@Timeout(240)
class IngestInputTest {

  @TempDir static Path dir;

  private static SparkSession spark;

  @BeforeAll
  static void startSpark() {
    CatalogConfig catalogConfig = LocalSpark.jdbcCatalog(dir);
    spark = LocalSpark.start("IngestInputTest", catalogConfig, Map.of());
  }

  @AfterAll
  static void stopSpark() {
    if (spark != null) {
      spark.stop();
    }
  }

  @Test
  void aStrictReadsFailureCountsAsABadRowOnlyWhenItIsOne() throws IOException {
    Path malformed = write("strict-malformed.csv", "1,a\nx,b\n");
    Throwable failfast = catchThrowable(() -> spark.read().schema("id INT, name STRING").option("mode", "FAILFAST")
        .csv(malformed.toString()).collectAsList());
    Throwable marked = catchThrowable(() -> spark.range(3)
        .selectExpr("IF(id = 2, raise_error('" + IngestInput.BAD_ROW_MARKER + ": a value'), id)").collectAsList());
    Throwable other = catchThrowable(() -> spark.range(3)
        .selectExpr("IF(id = 2, raise_error('no space left on device'), id)").collectAsList());
    Exception first = new Exception("first");
    first.initCause(new Exception("second", first));

    assertThat(IngestInput.isBadRow(failfast)).as("FAILFAST: %s", failfast).isTrue();
    assertThat(IngestInput.isBadRow(marked)).as("the strict read's own check: %s", marked).isTrue();
    assertThat(IngestInput.isBadRow(other)).as("another task failure: %s", other).isFalse();
    assertThat(IngestInput.isBadRow(new IOException("Connection reset"))).isFalse();
    assertThat(IngestInput.isBadRow(new IllegalStateException("Lost task 0.0: org.apache.spark.SparkException:"
        + " [MALFORMED_RECORD_IN_PARSING.WITHOUT_SUGGESTION] Malformed records are detected"))).as("as text").isTrue();
    assertThat(IngestInput.isBadRow(first)).as("a cycle of causes").isFalse();
  }

  @Test
  void everyFormatAndCodecOfTheSameRowsGivesTheSameTable() throws IOException {
    List<Lineitems.Item> items = generate(3_000, 1);
    String expected = checksum(items);
    Path text = write("items.tbl", delimited(items));
    Path zstd = Files.write(dir.resolve("items.tbl.zst"), zstd(Files.readAllBytes(text)));
    Path json = write("items.json", jsonLines(items));
    String table = "raw.items";

    Map<String, StageResult> results = new LinkedHashMap<>();
    results.put("plain", ingest(options(text, "delimited", table), "plain"));
    results.put("zstd", ingest(options(zstd, "delimited", table), "zstd"));
    results.put("json", ingest(options(json, "json", table), "json"));
    for (String format : List.of("parquet", "avro", "orc")) {
      Path files = dir.resolve("items-" + format);
      spark.createDataFrame(rows(items), sparkSchema()).coalesce(1).write().format(format).save(files.toString());
      results.put(format, ingest(options(files, format, table), format));
    }

    results.forEach((batch, result) -> {
      assertThat(checksum(spark, table, batch)).as(batch).isEqualTo(expected);
      assertThat(result.metrics()).as(batch).containsEntry("rowsRead", 3_000.0).containsEntry("badRows", 0.0);
    });
    assertThat(results.get("zstd").metrics()).containsEntry("unsplittableInputBytes", (double) Files.size(zstd));
    assertThat(results.get("plain").metrics()).containsEntry("unsplittableInputBytes", 0.0);
  }

  @Test
  void valuesThatDoNotCastToTheDeclaredTypeAreQuarantinedWithColumnValueAndTypes() throws IOException {
    List<Lineitems.Item> items = generate(1_000, 2);
    // Parquet with other types than declared: an int key (widened), dates as strings, three of them wrong
    StructType fileSchema = new StructType()
        .add("l_orderkey", DataTypes.IntegerType)
        .add("l_partkey", DataTypes.IntegerType)
        .add("l_quantity", DataTypes.createDecimalType(15, 2))
        .add("l_shipdate", DataTypes.StringType)
        .add("l_returnflag", DataTypes.StringType)
        .add("l_comment", DataTypes.StringType);
    List<Row> rows = new ArrayList<>();
    List<Lineitems.Item> good = new ArrayList<>();
    List<String> expectedQuarantine = new ArrayList<>();
    for (int i = 0; i < items.size(); i++) {
      Lineitems.Item item = items.get(i);
      boolean bad = i % 300 == 7;
      String date = bad ? "bad-" + i : item.shipdate().toString();
      rows.add(RowFactory.create((int) item.orderkey(), item.partkey(), item.quantity(), date, item.returnflag(),
          item.comment()));
      if (bad) {
        expectedQuarantine.add("column l_shipdate: 'bad-" + i + "' (string) does not cast to date | {\"l_orderkey\":"
            + item.orderkey() + ",\"l_partkey\":" + item.partkey() + ",\"l_quantity\":" + item.quantity().toPlainString()
            + ",\"l_shipdate\":\"bad-" + i + "\",\"l_returnflag\":\"" + item.returnflag() + "\",\"l_comment\":\""
            + item.comment() + "\"}");
      } else {
        good.add(item);
      }
    }
    Path files = dir.resolve("cast-parquet");
    spark.createDataFrame(rows, fileSchema).coalesce(1).write().parquet(files.toString());
    Map<String, Object> options = options(files, "parquet", "raw.items_cast");
    options.put("maxBadRowsFraction", 0.01);

    StageResult result = ingest(options, "b1");

    assertThat(result.metrics()).containsEntry("rowsRead", 1_000.0).containsEntry("badRows", 4.0);
    assertThat(checksum(spark, "raw.items_cast", "b1")).isEqualTo(checksum(good));
    assertThat(spark.sql("SELECT reason, record FROM baton_system.quarantine WHERE table_name = 'raw.items_cast'"
            + " AND batch_id = 'b1'").collectAsList())
        .extracting(row -> row.getString(0) + " | " + row.getString(1))
        .containsExactlyInAnyOrderElementsOf(expectedQuarantine);
  }

  @Test
  void jsonLinesThatAreNotObjectsOfTheDeclaredTypesAreQuarantinedWithTheRawLine() throws IOException {
    List<Lineitems.Item> items = generate(500, 6);
    String wrongType = "{\"l_orderkey\":\"x1\",\"l_partkey\":1,\"l_quantity\":1.00,\"l_shipdate\":\"1995-01-01\"}";
    String notJson = "l_orderkey=2";
    Path json = write("bad-items.json", jsonLines(items.subList(0, 250)) + wrongType + "\n" + notJson + "\n"
        + jsonLines(items.subList(250, 500)));
    Map<String, Object> options = options(json, "json", "raw.items_json_bad");
    options.put("maxBadRowsFraction", 0.01);

    StageResult result = ingest(options, "b1");

    assertThat(result.metrics()).containsEntry("rowsRead", 502.0).containsEntry("badRows", 2.0);
    assertThat(checksum(spark, "raw.items_json_bad", "b1")).isEqualTo(checksum(items));
    String reason = "not a JSON object, or a value does not parse as its declared type";
    assertThat(spark.sql("SELECT file, record, reason FROM baton_system.quarantine"
            + " WHERE table_name = 'raw.items_json_bad' AND batch_id = 'b1'").collectAsList())
        .extracting(row -> row.getString(0) + " | " + row.getString(1) + " | " + row.getString(2))
        .containsExactlyInAnyOrder(json.toUri() + " | " + wrongType + " | " + reason,
            json.toUri() + " | " + notJson + " | " + reason);
  }

  @Test
  void aDeclaredColumnMissingFromAParquetInputFailsTheAttemptNamingIt() {
    Path files = dir.resolve("no-comment-parquet");
    spark.createDataFrame(rows(generate(10, 3)), sparkSchema()).drop("l_comment").coalesce(1).write()
        .parquet(files.toString());

    assertThatThrownBy(() -> ingest(options(files, "parquet", "raw.items_missing"), "b1"))
        .isInstanceOf(StageFailedException.class)
        .hasMessage("Cannot ingest " + files + ": its parquet schema has no column l_comment (declared in schema[5]);"
            + " its columns are [l_orderkey bigint, l_partkey int, l_quantity decimal(15,2), l_shipdate date,"
            + " l_returnflag string]")
        .extracting(e -> ((StageFailedException) e).type()).isEqualTo("INPUT_SCHEMA_MISMATCH");
    assertThat(spark.catalog().tableExists("raw.items_missing")).isFalse();
  }

  @Test
  void oneFileIsReadInSplitsOfMaxPartitionBytesUnlessItsCodecCannotBeSplit() throws Exception {
    List<Lineitems.Item> items = generate(30_000, 4);
    String expected = checksum(items);
    byte[] text = delimited(items).getBytes(StandardCharsets.UTF_8);
    Path plain = Files.write(dir.resolve("split.tbl"), text);
    Path bzip2 = Files.write(dir.resolve("split.tbl.bz2"), compress(text, out -> {
      BZip2Codec codec = new BZip2Codec();
      codec.setConf(new Configuration(false));
      try {
        return codec.createOutputStream(out);
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    }));
    Path gzip = Files.write(dir.resolve("split.tbl.gz"), compress(text, out -> {
      try {
        return new GZIPOutputStream(out);
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    }));
    long maxPartitionBytes = 64 * 1024;
    spark.conf().set("spark.sql.files.maxPartitionBytes", maxPartitionBytes);
    try {
      for (Path file : List.of(plain, bzip2, gzip)) {
        boolean splittable = !file.toString().endsWith(".gz");
        long size = Files.size(file);
        long expectedTasks = splittable ? (size + maxPartitionBytes - 1) / maxPartitionBytes : 1;
        StageTasks tasks = new StageTasks();
        spark.sparkContext().addSparkListener(tasks);
        StageResult result;
        try {
          result = ingest(options(file, "delimited", "raw.items_split"), file.getFileName().toString());
          spark.sparkContext().listenerBus().waitUntilEmpty();
        } finally {
          spark.sparkContext().removeSparkListener(tasks);
        }

        assertThat(expectedTasks).as("%s of %d bytes", file, size).isGreaterThan(splittable ? 3 : 0);
        assertThat(result.metrics()).as(file.toString())
            .containsEntry("inputPartitions", (double) expectedTasks)
            .containsEntry("unsplittableInputBytes", splittable ? 0.0 : (double) size);
        assertThat(tasks.numTasks).as("tasks of the first stage (the write's scan)").first().isEqualTo((int) expectedTasks);
        assertThat(tasks.shuffleBytesWritten).as("no shuffle: the batch is the table's only partition field")
            .hasValue(0L);
        assertThat(checksum(spark, "raw.items_split", file.getFileName().toString())).as(file.toString()).isEqualTo(expected);
      }
    } finally {
      spark.conf().unset("spark.sql.files.maxPartitionBytes");
    }
  }

  @Test
  void manySmallFilesAreReadByFarFewerTasks() throws IOException {
    List<Lineitems.Item> items = generate(4_000, 5);
    Path folder = Files.createDirectories(dir.resolve("small-files"));
    int files = 40;
    for (int f = 0; f < files; f++) {
      Files.writeString(folder.resolve("part-" + f + ".tbl"),
          delimited(items.subList(f * items.size() / files, (f + 1) * items.size() / files)));
    }

    StageResult result = ingest(options(folder, "delimited", "raw.items_small"), "b1");

    assertThat(result.metrics().get("inputPartitions")).isBetween(1.0, files / 10.0);
    assertThat(result.metrics()).containsEntry("rowsRead", 4_000.0);
    assertThat(checksum(spark, "raw.items_small", "b1")).isEqualTo(checksum(items));
  }

  /** Tasks of each stage completed while registered, in completion order. */
  private static final class StageTasks extends SparkListener {
    final List<Integer> numTasks = Collections.synchronizedList(new ArrayList<>());
    final java.util.concurrent.atomic.AtomicLong shuffleBytesWritten = new java.util.concurrent.atomic.AtomicLong();

    @Override
    public void onStageCompleted(SparkListenerStageCompleted stageCompleted) {
      numTasks.add(stageCompleted.stageInfo().numTasks());
    }

    @Override
    public void onTaskEnd(org.apache.spark.scheduler.SparkListenerTaskEnd taskEnd) {
      if (taskEnd.taskMetrics() != null) {
        shuffleBytesWritten.addAndGet(taskEnd.taskMetrics().shuffleWriteMetrics().bytesWritten());
      }
    }
  }

  private static StageResult ingest(Map<String, Object> options, String batch) {
    return ((IngestStage) new IngestStageFactory().create(options))
        .run(new StageContext("run-" + batch, "items", "ingest_items", 1, Map.of("batch", batch)), spark);
  }

  private static Map<String, Object> options(Path path, String format, String table) {
    Map<String, Object> options = new LinkedHashMap<>();
    options.put("path", path.toString());
    options.put("table", table);
    options.put("format", format);
    if (format.equals("delimited")) {
      options.put("delimiter", "|");
    }
    options.put("schema", Lineitems.SCHEMA);
    return options;
  }

  private static Path write(String name, String text) throws IOException {
    return Files.writeString(dir.resolve(name), text);
  }

  private static byte[] zstd(byte[] bytes) throws IOException {
    return compress(bytes, out -> {
      try {
        return new ZstdOutputStream(out);
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    });
  }

  private static byte[] compress(byte[] bytes, Function<OutputStream, OutputStream> codec) throws IOException {
    java.io.ByteArrayOutputStream buffer = new java.io.ByteArrayOutputStream();
    try (OutputStream out = codec.apply(buffer)) {
      out.write(bytes);
    }
    return buffer.toByteArray();
  }
}
