package dev.baton.stages.maintenance;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.catalog.CatalogConfig;
import dev.baton.stages.LocalSpark;
import dev.baton.stages.StageTypes;
import dev.baton.stages.spi.StageContext;
import dev.baton.stages.spi.StageResult;
import dev.baton.stages.spi.StageResult.TableOutput;
import dev.baton.stages.write.RunTags;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.apache.iceberg.DataOperations;
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.HasTableOperations;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.io.CloseableIterable;
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
 * The maintenance stage against Spark {@code local[2]} and a real Iceberg catalog (JDBC on SQLite,
 * warehouse on local disk). Expected rows come from the rows the test wrote, never from Spark; files
 * and snapshots are counted through a separate catalog instance.
 */
@Timeout(180)
class MaintenanceStageTest {

  @TempDir static Path dir;

  private static final StructType SCHEMA = new StructType()
      .add("id", DataTypes.LongType, false)
      .add("name", DataTypes.StringType, false)
      .add("part", DataTypes.StringType, false);
  private static final StageContext CONTEXT = new StageContext("run-1", "upkeep", "maintain", 1, Map.of());

  private static SparkSession spark;
  private static Catalog catalog;

  @BeforeAll
  static void startSpark() {
    CatalogConfig catalogConfig = LocalSpark.jdbcCatalog(dir);
    spark = LocalSpark.start("MaintenanceStageTest", catalogConfig, Map.of());
    catalog = catalogConfig.create();
  }

  @AfterAll
  static void stopSpark() throws Exception {
    LocalSpark.stop(spark, catalog);
  }

  @Test
  void compactionKeepsEveryRowInFewerFilesAndLeavesNoDeleteFileInAFormatV2Table() throws Exception {
    // merge-on-read, so the DELETE below writes position delete files the compaction has to deal with
    createTable("curated.events", "'write.delete.mode'='merge-on-read'");
    List<Row> written = new ArrayList<>();
    for (int append = 0; append < 8; append++) {
      written.addAll(append("curated.events", append * 100, 100));
    }
    spark.sql("DELETE FROM curated.events WHERE id % 7 = 0");
    written.removeIf(row -> row.getLong(0) % 7 == 0);
    Table before = catalog.loadTable(TableIdentifier.of("curated", "events"));
    int dataFilesBefore = dataFiles(before).size();
    long deleteFilesBefore = deleteFiles(before);
    assertThat(deleteFilesBefore).as("delete files written by the DELETE").isPositive();

    // as the stage runner runs an attempt: its commits carry the run's tags
    StageResult result = RunTags.during(CONTEXT, () -> StageTypes.create("maintenance", Map.of(
        "tables", List.of("curated.events"), "rewriteDataFiles", Map.of(), "rewriteManifests", Map.of()))
        .run(CONTEXT, spark));

    Table after = catalog.loadTable(TableIdentifier.of("curated", "events"));
    List<Snapshot> rewrites = new ArrayList<>();
    after.snapshots().forEach(snapshot -> {
      if (DataOperations.REPLACE.equals(snapshot.operation())) {
        rewrites.add(snapshot);
      }
    });
    assertThat(rewrites).as("the rewrites of data files, position deletes and manifests").hasSizeGreaterThanOrEqualTo(2)
        .allSatisfy(snapshot -> assertThat(snapshot.summary())
            .containsEntry(RunTags.RUN_ID_PROPERTY, CONTEXT.runId())
            .containsEntry(RunTags.STAGE_PROPERTY, CONTEXT.stage()));
    assertThat(checksum(spark.sql("SELECT id, name, part FROM curated.events").collectAsList()))
        .as("rows after compaction").isEqualTo(checksum(written));
    assertThat(dataFilesBefore).as("8 appends into 2 partitions").isGreaterThanOrEqualTo(16);
    assertThat(dataFiles(after)).as("one file per partition").hasSize(2)
        .allSatisfy(path -> assertThat(path).endsWith(".parquet"));
    assertThat(deleteFiles(after)).as("delete files a scan applies").isZero();
    assertThat(spark.sql("SELECT count(*) FROM curated.events.delete_files").first().getLong(0))
        .as("delete files in the table's metadata").isZero();
    assertThat(((HasTableOperations) after).operations().current().formatVersion()).isEqualTo(2);
    assertThat(result.outputs()).containsExactly(new TableOutput("curated.events", after.currentSnapshot().snapshotId(), 0L));
    assertThat(result.metrics()).containsEntry("rewrittenDataFiles", (double) dataFilesBefore)
        .containsEntry("addedDataFiles", 2.0)
        .containsEntry("removedDeleteFiles", (double) deleteFilesBefore)
        .containsEntry("expiredSnapshots", 0.0)
        .containsEntry("deletedOrphanFiles", 0.0);
    assertThat(result.metrics().get("rewrittenBytes")).isPositive();
  }

  @Test
  void expiryRemovesSnapshotsOlderThanThePolicyExceptTheLastOnesItRetains() throws Exception {
    createTable("curated.history", null);
    List<Row> written = new ArrayList<>();
    List<Long> snapshots = new ArrayList<>();
    for (int append = 0; append < 8; append++) {
      written.addAll(append("curated.history", append * 10, 10));
      snapshots.add(catalog.loadTable(TableIdentifier.of("curated", "history")).currentSnapshot().snapshotId());
    }
    // "now" is one hour after the fifth snapshot: with olderThan PT1H, snapshots 1-5 are older than the policy
    Table table = catalog.loadTable(TableIdentifier.of("curated", "history"));
    long fifthMs = table.snapshot(snapshots.get(4)).timestampMillis();
    assertThat(table.snapshot(snapshots.get(5)).timestampMillis()).isGreaterThan(fifthMs);
    Clock clock = Clock.fixed(Instant.ofEpochMilli(fifthMs + 1).plus(Duration.ofHours(1)), ZoneOffset.UTC);

    StageResult keepFive = maintain(clock, Map.of("tables", List.of("curated.history"),
        "expireSnapshots", Map.of("olderThan", "PT1H", "retainLast", 5)));
    assertThat(snapshotIds("curated", "history")).as("the last 5 retained, though 4 and 5 are old")
        .containsExactlyInAnyOrderElementsOf(snapshots.subList(3, 8));
    assertThat(keepFive.metrics()).containsEntry("expiredSnapshots", 3.0);
    assertThat(keepFive.outputs()).containsExactly(new TableOutput("curated.history", null, 0L));

    StageResult keepTwo = maintain(clock, Map.of("tables", List.of("curated.history"),
        "expireSnapshots", Map.of("olderThan", "PT1H", "retainLast", 2)));
    assertThat(snapshotIds("curated", "history")).as("6 is younger than the policy, 7 and 8 the last 2")
        .containsExactlyInAnyOrderElementsOf(snapshots.subList(5, 8));
    assertThat(keepTwo.metrics()).containsEntry("expiredSnapshots", 2.0);
    assertThat(checksum(spark.sql("SELECT id, name, part FROM curated.history").collectAsList()))
        .isEqualTo(checksum(written));
  }

  @Test
  void orphanRemovalDeletesUnreferencedFilesOlderThanTheSafetyAgeOnlyAfterTheManifestRewrite() throws Exception {
    createTable("curated.orphans", null);
    List<Row> written = new ArrayList<>(append("curated.orphans", 0, 50));
    written.addAll(append("curated.orphans", 50, 50));
    Table table = catalog.loadTable(TableIdentifier.of("curated", "orphans"));
    Path data = Path.of(java.net.URI.create(table.location())).resolve("data");
    Instant now = Instant.now();
    Path old = orphan(data.resolve("part=a/old-orphan.parquet"), now.minus(Duration.ofDays(4)));
    Path young = orphan(data.resolve("young-orphan.parquet"), now.minus(Duration.ofHours(2)));
    List<String> live = dataFiles(table);

    assertThat(table.currentSnapshot().dataManifests(table.io())).as("one manifest per append").hasSize(2);

    // the default safety age, Iceberg's 3 days
    StageResult result = StageTypes.create("maintenance", Map.of("tables", List.of("curated.orphans"),
        "rewriteManifests", Map.of(), "deleteOrphanFiles", Map.of())).run(CONTEXT, spark);

    assertThat(old).as("unreferenced for 4 days").doesNotExist();
    assertThat(young).as("unreferenced for 2 hours: maybe a write in flight").exists();
    assertThat(live).allSatisfy(path -> assertThat(Path.of(java.net.URI.create(path))).exists());
    assertThat(result.metrics()).containsEntry("deletedOrphanFiles", 1.0)
        .containsEntry("rewrittenManifests", 2.0)
        .containsEntry("addedManifests", 1.0);
    table.refresh();
    assertThat(table.currentSnapshot().dataManifests(table.io())).hasSize(1);
    assertThat(result.outputs()).containsExactly(
        new TableOutput("curated.orphans", table.currentSnapshot().snapshotId(), 0L));
    assertThat(checksum(spark.sql("SELECT id, name, part FROM curated.orphans").collectAsList()))
        .isEqualTo(checksum(written));
  }

  private static StageResult maintain(Clock clock, Map<String, Object> options) {
    MaintenanceOptions bound = dev.baton.stages.spi.StageOptions.bind(options, MaintenanceOptions.class);
    return new MaintenanceStage(bound, clock).run(CONTEXT, spark);
  }

  private static void createTable(String table, String extraProperty) {
    spark.sql("CREATE NAMESPACE IF NOT EXISTS curated");
    spark.sql("CREATE TABLE " + table + " (" + SCHEMA.toDDL() + ") USING iceberg PARTITIONED BY (part)"
        + " TBLPROPERTIES (" + dev.baton.catalog.TableProperties.tblPropertiesSql()
        + (extraProperty == null ? "" : ", " + extraProperty) + ")");
  }

  /** Appends {@code count} rows with ids from {@code firstId}, half in partition a and half in b: one commit. */
  private static List<Row> append(String table, int firstId, int count) throws Exception {
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      long id = firstId + i;
      rows.add(RowFactory.create(id, "name-" + id, id % 2 == 0 ? "a" : "b"));
    }
    spark.createDataFrame(rows, SCHEMA).writeTo(table).append();
    return rows;
  }

  private static Path orphan(Path file, Instant modified) throws IOException {
    Files.createDirectories(file.getParent());
    Files.writeString(file, "not a data file of any snapshot");
    Files.setLastModifiedTime(file, FileTime.from(modified));
    return file;
  }

  private static List<String> dataFiles(Table table) throws IOException {
    List<String> paths = new ArrayList<>();
    try (CloseableIterable<FileScanTask> tasks = table.newScan().planFiles()) {
      tasks.forEach(task -> paths.add(task.file().location()));
    }
    return paths;
  }

  private static long deleteFiles(Table table) throws IOException {
    try (CloseableIterable<FileScanTask> tasks = table.newScan().planFiles()) {
      java.util.Set<String> deletes = new java.util.HashSet<>();
      tasks.forEach(task -> task.deletes().forEach(delete -> deletes.add(delete.location())));
      return deletes.size();
    }
  }

  private static List<Long> snapshotIds(String namespace, String name) {
    List<Long> ids = new ArrayList<>();
    for (Snapshot snapshot : catalog.loadTable(TableIdentifier.of(namespace, name)).snapshots()) {
      ids.add(snapshot.snapshotId());
    }
    return ids;
  }

  /** SHA-256 over the rows as {@code id|name|part} lines, sorted. */
  private static String checksum(List<Row> rows) throws NoSuchAlgorithmException {
    List<String> lines = new ArrayList<>();
    for (Row row : rows) {
      lines.add(row.getLong(0) + "|" + row.getString(1) + "|" + row.getString(2));
    }
    lines.sort(null);
    MessageDigest digest = MessageDigest.getInstance("SHA-256");
    for (String line : lines) {
      digest.update((line + "\n").getBytes(StandardCharsets.UTF_8));
    }
    return lines.size() + " rows, " + HexFormat.of().formatHex(digest.digest());
  }
}
