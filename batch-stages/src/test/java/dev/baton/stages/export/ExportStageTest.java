package dev.baton.stages.export;

import static dev.baton.stages.export.ExportChecks.SCHEMA;
import static dev.baton.stages.export.ExportChecks.checkFolder;
import static dev.baton.stages.export.ExportChecks.checksum;
import static dev.baton.stages.export.ExportChecks.dataFiles;
import static dev.baton.stages.export.ExportChecks.generate;
import static dev.baton.stages.export.ExportChecks.lines;
import static dev.baton.stages.export.ExportChecks.writeObjects;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.baton.catalog.CatalogConfig;
import dev.baton.stages.LocalSpark;
import dev.baton.stages.StageTypes;
import dev.baton.stages.export.ExportManifest.FileEntry;
import dev.baton.stages.spi.InvalidStageOptionsException;
import dev.baton.stages.spi.StageContext;
import dev.baton.stages.spi.StageFailedException;
import dev.baton.stages.spi.StageResult;
import dev.baton.stages.write.IcebergWriter;
import dev.baton.stages.write.RunTags;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.apache.iceberg.spark.Spark3Util;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The export stage against Spark {@code local[2]}, a real Iceberg catalog (JDBC on SQLite) and local folders as the
 * on-premises target ({@link ExportHdfsIT}: HDFS). What the folder must hold comes from the test's own generator;
 * files are hashed and counted by {@link ExportChecks}, not with the stage's code. A killed attempt is a file system that starts failing midway
 * ({@link FailingFileSystem}), leaving what it wrote on disk.
 */
@Timeout(300)
class ExportStageTest {

  @TempDir static Path dir;

  private static SparkSession spark;

  @BeforeAll
  static void startSpark() {
    CatalogConfig catalogConfig = LocalSpark.jdbcCatalog(dir);
    spark = LocalSpark.start("ExportStageTest", catalogConfig, Map.of("spark.hadoop.fs." + FailingFileSystem.SCHEME + ".impl", FailingFileSystem.class.getName()));
  }

  @AfterAll
  static void stopSpark() {
    if (spark != null) {
      spark.stop();
    }
  }

  @Test
  void exportsTableAsParquetInTargetSizedFilesWithAManifestTheBytesMatch() throws Exception {
    List<Row> rows = generate(0, 120_000, 1);
    createTable("curated.sales", rows);

    StageResult result = export(Map.of("table", "curated.sales", "target", uri("parquet-out"),
        "targetFileSizeBytes", 1024 * 1024, "partitionBy", List.of("region")));

    Path out = dir.resolve("parquet-out");
    ExportManifest manifest = checkFolder(spark, out);
    assertThat(manifest.table()).isEqualTo("curated.sales");
    assertThat(manifest.snapshotId()).isEqualTo(currentSnapshot("curated.sales"));
    assertThat(manifest.rows()).isEqualTo(rows.size());
    assertThat(manifest.files()).allSatisfy(file -> {
      assertThat(file.key()).matches("region=[A-Z]+/part-\\d{5}\\.snappy\\.parquet");
      assertThat(file.rows()).isEqualTo(spark.read().parquet(out.resolve(file.key()).toString()).count());
      assertThat(file.bytes()).isLessThan(2L * 1024 * 1024);
    });
    assertThat(manifest.files()).hasSizeGreaterThan(3); // 3 regions, and more than 1 MiB of data in some
    assertThat(checksum(spark.read().parquet(out.toString()).select("id", "amount", "name", "day", "region", "note")))
        .isEqualTo(checksum(rows));
    assertThat(result.metrics()).containsEntry("rowsExported", (double) rows.size())
        .containsEntry("filesExported", (double) manifest.files().size());
  }

  @Test
  void exportsAQueryAsGzippedCsvWithHeaderThatReadsBackEqual() throws Exception {
    List<Row> rows = generate(0, 5_000, 2);
    createTable("curated.csv_source", rows);

    export(Map.of("query", "SELECT * FROM curated.csv_source WHERE id >= :from", "target", uri("csv-out"),
        "format", "csv", "compression", "gzip", "nullValue", "\\N"), Map.of("from", "100"));

    Path out = dir.resolve("csv-out");
    ExportManifest manifest = checkFolder(spark, out);
    assertThat(manifest.table()).isNull();
    assertThat(manifest.snapshots())
        .isEqualTo(Map.of(icebergName("curated.csv_source"), currentSnapshot("curated.csv_source")));
    List<Row> expected = rows.stream().filter(row -> row.getLong(0) >= 100).toList();
    assertThat(manifest.rows()).isEqualTo(expected.size());
    assertThat(manifest.files()).allSatisfy(file -> assertThat(file.key()).matches("part-\\d{5}\\.csv\\.gz"));
    Dataset<Row> reread = spark.read().schema(SCHEMA).option("header", true).option("multiLine", true)
        .option("escape", "\\").option("nullValue", "\\N").csv(out.toString());
    assertThat(lines(reread.collectAsList())).isEqualTo(lines(expected));
    for (FileEntry file : manifest.files()) {
      assertThat(spark.read().schema(SCHEMA).option("header", true).option("multiLine", true).option("escape", "\\")
          .csv(out.resolve(file.key()).toString()).count()).isEqualTo(file.rows());
    }
  }

  @Test
  void exportsTheSnapshotItsRunProducedNotALaterCommitOfAnotherRun() throws Exception {
    List<Row> first = generate(0, 2_000, 8);
    List<Row> second = generate(2_000, 500, 9);
    spark.sql("CREATE NAMESPACE IF NOT EXISTS curated");
    long produced = RunTags.during(new StageContext("run-a", "export-test", "publish", 1, Map.of()),
        () -> IcebergWriter.write(spark, spark.createDataFrame(first, SCHEMA), "curated.runs",
            IcebergWriter.Mode.APPEND, List.of(), null).snapshotId());
    // another run appends before run-a's export starts
    long later = RunTags.during(new StageContext("run-b", "export-test", "publish", 1, Map.of()),
        () -> IcebergWriter.write(spark, spark.createDataFrame(second, SCHEMA), "curated.runs",
            IcebergWriter.Mode.APPEND, List.of(), null).snapshotId());
    assertThat(currentSnapshot("curated.runs")).isEqualTo(later);

    StageTypes.create("export", Map.of("table", "curated.runs", "target", uri("runs-a")))
        .run(new StageContext("run-a", "export-test", "export", 1, Map.of()), spark);
    ExportManifest manifest = checkFolder(spark, dir.resolve("runs-a"));
    assertThat(manifest.snapshotId()).isEqualTo(produced);
    assertThat(checksum(spark.read().parquet(dir.resolve("runs-a").toString()))).isEqualTo(checksum(first));

    // a run that committed nothing to the table exports its current snapshot
    StageTypes.create("export", Map.of("table", "curated.runs", "target", uri("runs-c")))
        .run(new StageContext("run-c", "export-test", "export", 1, Map.of()), spark);
    assertThat(checkFolder(spark, dir.resolve("runs-c")).snapshotId()).isEqualTo(later);
    assertThat(checkFolder(spark, dir.resolve("runs-c")).rows()).isEqualTo(first.size() + second.size());

    // a query reads each table at its run's snapshot too, through a view, a CTE and a subquery: run-a keeps two
    // regions, run-b adds the third after it
    StructType regionSchema = new StructType().add("region", DataTypes.StringType, true);
    long regionsOfA = RunTags.during(new StageContext("run-a", "export-test", "publish", 1, Map.of()),
        () -> IcebergWriter.write(spark, spark.createDataFrame(List.of(RowFactory.create("EUROPE"),
            RowFactory.create("ASIA")), regionSchema), "curated.regions_ref", IcebergWriter.Mode.APPEND, List.of(),
            null).snapshotId());
    RunTags.during(new StageContext("run-b", "export-test", "publish", 1, Map.of()),
        () -> IcebergWriter.write(spark, spark.createDataFrame(List.of(RowFactory.create("AMERICA")), regionSchema),
            "curated.regions_ref", IcebergWriter.Mode.APPEND, List.of(), null).snapshotId());
    spark.sql("CREATE OR REPLACE TEMPORARY VIEW runs_view AS SELECT * FROM curated.runs");
    StageTypes.create("export", Map.of("query", "WITH a_runs AS (SELECT * FROM runs_view)"
            + " SELECT * FROM a_runs WHERE region IN (SELECT region FROM curated.regions_ref)", "target", uri("runs-query-a")))
        .run(new StageContext("run-a", "export-test", "export", 1, Map.of()), spark);
    ExportManifest query = checkFolder(spark, dir.resolve("runs-query-a"));
    assertThat(query.snapshots()).isEqualTo(Map.of(icebergName("curated.runs"), produced,
        icebergName("curated.regions_ref"), regionsOfA));
    List<Row> firstInTwoRegions = first.stream().filter(row -> !row.getString(4).equals("AMERICA")).toList();
    assertThat(checksum(spark.read().parquet(dir.resolve("runs-query-a").toString())))
        .isEqualTo(checksum(firstInTwoRegions));
    // a table the query reads at a snapshot of its own is read as the query says
    StageTypes.create("export", Map.of("query", "SELECT * FROM curated.runs VERSION AS OF " + later,
            "target", uri("runs-query-versioned")))
        .run(new StageContext("run-a", "export-test", "export", 1, Map.of()), spark);
    ExportManifest versioned = checkFolder(spark, dir.resolve("runs-query-versioned"));
    assertThat(versioned.snapshots()).isNull();
    assertThat(versioned.rows()).isEqualTo(first.size() + second.size());

    // incremental, out of order: run-b's export carries both runs' rows, so run-a's, after it, has nothing to add
    Map<String, Object> incremental = Map.of("table", "curated.runs", "target", uri("runs-incremental"),
        "incremental", true);
    StageTypes.create("export", incremental)
        .run(new StageContext("run-b", "export-test", "export", 1, Map.of()), spark);
    assertThat(checkFolder(spark, dir.resolve("runs-incremental/initial")).snapshotId()).isEqualTo(later);
    StageResult nothing = StageTypes.create("export", incremental)
        .run(new StageContext("run-a", "export-test", "export", 1, Map.of()), spark);
    assertThat(nothing.metrics()).containsEntry("rowsExported", 0.0);
    assertThat(dir.resolve("runs-incremental/after-" + later)).doesNotExist();
  }

  @Test
  void aKilledAttemptLeavesNoManifestAndItsRetryLeavesExactlyOneCopyOfEachFile() throws Exception {
    List<Row> rows = generate(0, 60_000, 3);
    createTable("curated.retried", rows);
    Path out = dir.resolve("retried-out");
    Files.createDirectories(out);
    // a stale file of an earlier, larger attempt, and a file of the user's that is not an export's
    Files.writeString(out.resolve("part-00042.snappy.parquet"), "stale");
    Files.writeString(out.resolve("README.txt"), "not ours");

    FailingFileSystem.failRenamesAfter(2, "part-\\d{5}\\..*");
    Map<String, Object> options = Map.of("table", "curated.retried", "target", uri("retried-out"),
        "targetFileSizeBytes", 1024 * 1024);
    Map<String, Object> killed = new LinkedHashMap<>(options);
    killed.put("target", FailingFileSystem.SCHEME + "://" + out.toUri().getPath());
    assertThatThrownBy(() -> export(killed)).hasStackTraceContaining("Injected failure");
    FailingFileSystem.failRenamesAfter(Integer.MAX_VALUE, ".*");
    assertThat(out.resolve(ExportFolder.MANIFEST)).doesNotExist();
    assertThat(out.resolve(ExportFolder.SUCCESS)).doesNotExist();
    assertThat(dataFiles(spark, out)).contains("part-00000.snappy.parquet", "part-00001.snappy.parquet");

    export(options);
    ExportManifest manifest = checkFolder(spark, out);
    assertThat(out.resolve("part-00042.snappy.parquet")).doesNotExist();
    assertThat(out.resolve("README.txt")).hasContent("not ours");
    assertThat(out.resolve(ExportFolder.STAGING)).doesNotExist();
    assertThat(manifest.rows()).isEqualTo(rows.size());
    assertThat(checksum(spark.read().parquet(manifest.files().stream().map(file -> out.resolve(file.key()).toString())
        .toArray(String[]::new)))).isEqualTo(checksum(rows));
  }

  @Test
  void incrementalExportCarriesOnlyTheRowsAppendedSinceTheLastExport() throws Exception {
    List<Row> first = generate(0, 1_000, 4);
    createTable("curated.events", first);
    Map<String, Object> options = Map.of("table", "curated.events", "target", uri("incremental-out"),
        "incremental", true);
    long firstSnapshot = currentSnapshot("curated.events");

    export(options);
    ExportManifest initial = checkFolder(spark, dir.resolve("incremental-out/initial"));
    assertThat(initial.snapshotId()).isEqualTo(firstSnapshot);
    assertThat(initial.fromSnapshotId()).isNull();
    assertThat(checksum(spark.read().parquet(dir.resolve("incremental-out/initial").toString())))
        .isEqualTo(checksum(first));

    List<Row> second = generate(1_000, 700, 5);
    spark.createDataFrame(second, SCHEMA).writeTo("curated.events").append();
    long secondSnapshot = currentSnapshot("curated.events");
    export(options);
    Path after = dir.resolve("incremental-out/after-" + firstSnapshot);
    ExportManifest delta = checkFolder(spark, after);
    assertThat(delta.fromSnapshotId()).isEqualTo(firstSnapshot);
    assertThat(delta.snapshotId()).isEqualTo(secondSnapshot);
    assertThat(delta.rows()).isEqualTo(second.size());
    assertThat(checksum(spark.read().parquet(after.toString()))).isEqualTo(checksum(second));
    assertThat(spark.sql("SELECT snapshot_id, rows FROM baton_system.exports WHERE table_name = 'curated.events'")
        .collectAsList()).extracting(row -> row.getLong(0), row -> row.getLong(1))
        .containsExactly(org.assertj.core.groups.Tuple.tuple(secondSnapshot, (long) second.size()));

    StageResult nothing = export(options);
    assertThat(nothing.metrics()).containsEntry("rowsExported", 0.0);
    assertThat(dir.resolve("incremental-out/after-" + secondSnapshot)).doesNotExist();

    // a compaction (a replace snapshot: the same rows in other files) between two exports adds nothing to the next
    spark.sql("CALL system.rewrite_data_files(table => 'curated.events', options => map('min-input-files', '1'))");
    assertThat(spark.sql("SELECT operation FROM curated.events.snapshots ORDER BY committed_at DESC LIMIT 1").first()
        .getString(0)).isEqualTo("replace");
    List<Row> third = generate(1_700, 300, 6);
    spark.createDataFrame(third, SCHEMA).writeTo("curated.events").append();
    long thirdSnapshot = currentSnapshot("curated.events");
    export(options);
    Path afterCompaction = dir.resolve("incremental-out/after-" + secondSnapshot);
    assertThat(checkFolder(spark, afterCompaction).snapshotId()).isEqualTo(thirdSnapshot);
    assertThat(checksum(spark.read().parquet(afterCompaction.toString()))).isEqualTo(checksum(third));

    spark.sql("DELETE FROM curated.events WHERE id < 10");
    assertThatThrownBy(() -> export(options)).isInstanceOfSatisfying(StageFailedException.class,
        e -> assertThat(e.type()).isEqualTo("EXPORT_NOT_INCREMENTAL"))
        .hasMessageContaining("after " + thirdSnapshot);
    assertThat(dir.resolve("incremental-out/after-" + thirdSnapshot + "/" + ExportFolder.SUCCESS)).doesNotExist();

    // replaced by an empty table: no current snapshot, nothing to export incrementally from
    spark.sql("CREATE OR REPLACE TABLE curated.events (" + SCHEMA.toDDL() + ") USING iceberg");
    assertThatThrownBy(() -> export(options)).isInstanceOfSatisfying(StageFailedException.class,
        e -> assertThat(e.type()).isEqualTo("EXPORT_NOT_INCREMENTAL"));
  }

  @Test
  void filesModeCopiesObjectsAndAResumedCopySkipsWhatIsAlreadyThere() throws Exception {
    Path source = dir.resolve("raw-files");
    Random random = new Random(6);
    Map<String, byte[]> objects = new TreeMap<>();
    for (int i = 0; i < 12; i++) {
      byte[] bytes = new byte[1000 + random.nextInt(300_000)];
      random.nextBytes(bytes);
      objects.put((i % 3 == 0 ? "sub/" : "") + "object-" + i + ".bin", bytes);
    }
    writeObjects(source, objects);
    Path target = dir.resolve("files-out");
    Map<String, Object> options = Map.of("mode", "files", "source", source.toUri().toString(),
        "target", target.toUri().toString(), "parallelism", 3);

    // killed after 5 objects; one of them half written, as a killed copy leaves it
    FailingFileSystem.failCreatesAfter(5, "object-.*");
    Map<String, Object> killed = new LinkedHashMap<>(options);
    killed.put("target", FailingFileSystem.SCHEME + "://" + target.toUri().getPath());
    killed.put("parallelism", 1);
    assertThatThrownBy(() -> export(killed)).hasStackTraceContaining("Injected failure");
    FailingFileSystem.failCreatesAfter(Integer.MAX_VALUE, ".*");
    List<String> copiedBeforeKill = dataFiles(spark, target);
    assertThat(copiedBeforeKill).hasSize(5);
    assertThat(target.resolve(ExportFolder.MANIFEST)).doesNotExist();
    Path partial = target.resolve(copiedBeforeKill.get(0));
    try (FileChannel channel = FileChannel.open(partial, StandardOpenOption.WRITE)) {
      channel.truncate(channel.size() / 2);
    }

    StageResult result = export(options);
    assertThat(result.metrics()).containsEntry("filesSkipped", 4.0).containsEntry("filesCopied", 8.0);
    ExportManifest manifest = checkFolder(spark, target);
    assertThat(manifest.format()).isEqualTo("files");
    assertThat(manifest.rows()).isNull();
    assertThat(manifest.files()).extracting(FileEntry::key).containsExactlyElementsOf(objects.keySet());
    for (var object : objects.entrySet()) {
      assertThat(Files.readAllBytes(target.resolve(object.getKey()))).isEqualTo(object.getValue());
    }
  }

  @Test
  void aCopyKilledMidFileLeavesNoPartOfThatFileAtTheTarget() throws Exception {
    Path source = dir.resolve("raw-files-killed");
    Random random = new Random(7);
    Map<String, byte[]> objects = new TreeMap<>();
    for (int i = 0; i < 3; i++) {
      byte[] bytes = new byte[200_000];
      random.nextBytes(bytes);
      objects.put("object-" + i + ".bin", bytes);
    }
    writeObjects(source, objects);
    Path target = dir.resolve("files-killed-out");
    // one task copying the three in turn, killed 100,000 bytes into the second
    FailingFileSystem.failWritesAfter(300_000, "object-.*");
    Map<String, Object> killed = Map.of("mode", "files", "source", source.toUri().toString(),
        "target", FailingFileSystem.SCHEME + "://" + target.toUri().getPath(), "parallelism", 1);
    assertThatThrownBy(() -> export(killed)).hasStackTraceContaining("Injected failure: killed while writing");
    FailingFileSystem.failCreatesAfter(Integer.MAX_VALUE, ".*");

    List<String> left = dataFiles(spark, target);
    assertThat(left).as("the first object, whole; nothing of the second").hasSize(1);
    assertThat(Files.readAllBytes(target.resolve(left.get(0)))).isEqualTo(objects.get(left.get(0)));
    assertThat(target.resolve(ExportFolder.MANIFEST)).doesNotExist();
  }

  @Test
  void optionErrorsNameTheField() {
    assertThatThrownBy(() -> StageTypes.create("export", Map.of("target", "file:///x")))
        .isInstanceOfSatisfying(InvalidStageOptionsException.class, e -> assertThat(e.path()).isEqualTo("table"));
    assertThatThrownBy(() -> StageTypes.create("export", Map.of("table", "a.b", "target", "s3a://bucket/../up/")))
        .isInstanceOfSatisfying(InvalidStageOptionsException.class, e -> assertThat(e.path()).isEqualTo("target"));
    assertThatThrownBy(() -> StageTypes.create("export", Map.of("table", "a.b", "target", "/no/scheme")))
        .isInstanceOfSatisfying(InvalidStageOptionsException.class, e -> assertThat(e.path()).isEqualTo("target"));
    assertThatThrownBy(() -> StageTypes.create("export", Map.of("table", "a.b", "target", "file:///x",
        "format", "csv", "compression", "snappy")))
        .isInstanceOfSatisfying(InvalidStageOptionsException.class, e -> assertThat(e.path()).isEqualTo("compression"));
    assertThatThrownBy(() -> StageTypes.create("export", Map.of("query", "SELECT 1", "target", "file:///x",
        "incremental", true)))
        .isInstanceOfSatisfying(InvalidStageOptionsException.class, e -> assertThat(e.path()).isEqualTo("incremental"));
    assertThatThrownBy(() -> StageTypes.create("export", Map.of("mode", "files", "source", "file:///in",
        "target", "file:///x", "table", "a.b")))
        .isInstanceOfSatisfying(InvalidStageOptionsException.class, e -> assertThat(e.path()).isEqualTo("table"));
  }

  // ---- helpers

  private static StageResult export(Map<String, Object> options) throws Exception {
    return export(options, Map.of());
  }

  private static StageResult export(Map<String, Object> options, Map<String, String> params) throws Exception {
    return StageTypes.create("export", options).run(new StageContext("run-1", "export-test", "export", 1, params),
        spark);
  }

  private static String uri(String folder) {
    return dir.resolve(folder).toUri().toString();
  }

  private static void createTable(String table, List<Row> rows) throws Exception {
    spark.sql("CREATE NAMESPACE IF NOT EXISTS " + table.substring(0, table.indexOf('.')));
    spark.createDataFrame(rows, SCHEMA).writeTo(table).using("iceberg").tableProperty("format-version", "2").create();
  }

  /** The table's name as Iceberg gives it ({@code <catalog>.<namespace>.<table>}). */
  private static String icebergName(String table) throws Exception {
    return Spark3Util.loadIcebergTable(spark, table).name();
  }

  private static long currentSnapshot(String table) {
    return spark.sql("SELECT snapshot_id FROM " + table + ".snapshots ORDER BY committed_at DESC LIMIT 1").first()
        .getLong(0);
  }
}
