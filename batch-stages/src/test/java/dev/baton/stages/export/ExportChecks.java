package dev.baton.stages.export;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.baton.stages.export.ExportManifest.FileEntry;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.sql.Date;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.RemoteIterator;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * What the export tests check a folder and its rows with, independently of the stage's code: the completion protocol
 * read back through Hadoop's file system ({@code file://}, {@code hdfs://}), rows from the tests' own generator, and a
 * checksum over sorted rows.
 */
final class ExportChecks {

  /** The tests' tables: what {@link #generate} fills. */
  static final StructType SCHEMA = new StructType()
      .add("id", DataTypes.LongType, false)
      .add("amount", DataTypes.createDecimalType(12, 2), true)
      .add("name", DataTypes.StringType, true)
      .add("day", DataTypes.DateType, true)
      .add("region", DataTypes.StringType, true)
      .add("note", DataTypes.StringType, true);
  private static final ObjectMapper JSON = new ObjectMapper();

  private ExportChecks() {}

  /**
   * Checks the completion protocol of a folder and returns its manifest: {@code _SUCCESS} present and not older than
   * the manifest, the manifest listing exactly the folder's data files (a {@code README.txt} is not one), each with
   * its size and SHA-256 as read here through Hadoop's file system and hashed with the JDK.
   */
  static ExportManifest checkFolder(SparkSession spark, Path folder) throws Exception {
    return checkFolder(spark, new org.apache.hadoop.fs.Path(folder.toUri()));
  }

  /** {@link #checkFolder(SparkSession, Path)} on any Hadoop file system: {@code file://}, {@code hdfs://}. */
  static ExportManifest checkFolder(SparkSession spark, org.apache.hadoop.fs.Path folder) throws Exception {
    FileSystem fs = folder.getFileSystem(spark.sparkContext().hadoopConfiguration());
    org.apache.hadoop.fs.Path success = new org.apache.hadoop.fs.Path(folder, ExportFolder.SUCCESS);
    org.apache.hadoop.fs.Path manifestFile = new org.apache.hadoop.fs.Path(folder, ExportFolder.MANIFEST);
    assertThat(fs.exists(success)).as("%s exists", success).isTrue();
    assertThat(fs.getFileStatus(success).getModificationTime())
        .isGreaterThanOrEqualTo(fs.getFileStatus(manifestFile).getModificationTime());
    ExportManifest manifest;
    try (InputStream in = fs.open(manifestFile)) {
      manifest = JSON.readValue(in, ExportManifest.class);
    }
    List<String> expectedKeys = new ArrayList<>(dataFiles(spark, folder));
    expectedKeys.removeIf(key -> key.equals("README.txt"));
    assertThat(manifest.files()).extracting(FileEntry::key).containsExactlyElementsOf(expectedKeys);
    for (FileEntry file : manifest.files()) {
      byte[] bytes;
      try (InputStream in = fs.open(new org.apache.hadoop.fs.Path(folder, file.key()))) {
        bytes = in.readAllBytes();
      }
      assertThat(file.bytes()).isEqualTo(bytes.length);
      assertThat(file.sha256()).isEqualTo(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes)));
    }
    return manifest;
  }

  /** The folder's data files: keys relative to it, sorted, none in or named {@code _…} or {@code .…}. */
  static List<String> dataFiles(SparkSession spark, Path folder) throws IOException {
    return dataFiles(spark, new org.apache.hadoop.fs.Path(folder.toUri()));
  }

  static List<String> dataFiles(SparkSession spark, org.apache.hadoop.fs.Path folder) throws IOException {
    FileSystem fs = folder.getFileSystem(spark.sparkContext().hadoopConfiguration());
    String base = fs.makeQualified(folder).toUri().getPath();
    String prefix = base.endsWith("/") ? base : base + "/";
    List<String> keys = new ArrayList<>();
    RemoteIterator<LocatedFileStatus> files = fs.listFiles(folder, true);
    while (files.hasNext()) {
      keys.add(files.next().getPath().toUri().getPath().substring(prefix.length()));
    }
    return keys.stream().filter(key -> Stream.of(key.split("/")).noneMatch(s -> s.startsWith("_") || s.startsWith(".")))
        .sorted().toList();
  }
  /** Writes each object under {@code source} at its key, a relative path. */
  static void writeObjects(Path source, Map<String, byte[]> objects) throws IOException {
    for (var object : objects.entrySet()) {
      Files.createDirectories(source.resolve(object.getKey()).getParent());
      Files.write(source.resolve(object.getKey()), object.getValue());
    }
  }
  /** Rows {@code from .. from+count-1}: decimals, unicode, delimiters, quotes and newlines in text, nulls. */
  static List<Row> generate(long from, int count, long seed) {
    Random random = new Random(seed);
    String[] regions = {"EUROPE", "ASIA", "AMERICA"};
    String alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    List<Row> rows = new ArrayList<>(count);
    for (long id = from; id < from + count; id++) {
      StringBuilder name = new StringBuilder();
      for (int i = 0; i < 40; i++) {
        name.append(alphabet.charAt(random.nextInt(alphabet.length())));
      }
      String note = switch ((int) (id % 5)) {
        case 0 -> null;
        case 1 -> "Zürich, \"quoted\"";
        case 2 -> "line one\nline two";
        case 3 -> "東京 | ümlaut";
        default -> "";
      };
      rows.add(RowFactory.create(id, BigDecimal.valueOf(random.nextInt(10_000_000), 2), name.toString(),
          Date.valueOf(LocalDate.of(1995, 1, 1).plusDays(random.nextInt(3000))), regions[(int) (id % 3)], note));
    }
    return rows;
  }
  /** SHA-256 over the rows' canonical texts, sorted: equal for equal multisets of rows. */
  static String checksum(List<Row> rows) throws Exception {
    MessageDigest sha = MessageDigest.getInstance("SHA-256");
    for (String line : lines(rows)) {
      sha.update(line.getBytes(java.nio.charset.StandardCharsets.UTF_8));
      sha.update((byte) 0);
    }
    return HexFormat.of().formatHex(sha.digest());
  }

  /** The rows' canonical texts, sorted. */
  static List<String> lines(List<Row> rows) {
    List<String> lines = new ArrayList<>(rows.size());
    for (Row row : rows) {
      lines.add(row.getLong(0) + "|" + ((BigDecimal) row.get(1)).toPlainString() + "|" + row.getString(2) + "|"
          + row.get(3) + "|" + row.getString(4) + "|" + (row.isNullAt(5) ? "\\N" : row.getString(5)));
    }
    lines.sort(null);
    return lines;
  }

  static String checksum(Dataset<Row> rows) throws Exception {
    return checksum(rows.select("id", "amount", "name", "day", "region", "note").collectAsList());
  }
}
