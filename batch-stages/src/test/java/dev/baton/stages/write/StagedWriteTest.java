package dev.baton.stages.write;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.baton.catalog.CatalogConfig;
import dev.baton.stages.LocalSpark;
import dev.baton.stages.spi.StageContext;
import dev.baton.stages.spi.StageResult.TableOutput;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.spark.SparkException;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Staged writes against Spark {@code local[2]} and a real Iceberg catalog (JDBC on SQLite); the table is read back
 * through a separate catalog instance.
 */
@Timeout(120)
class StagedWriteTest {

  @TempDir static Path dir;

  private static SparkSession spark;
  private static Catalog catalog;

  @BeforeAll
  static void startSpark() {
    CatalogConfig catalogConfig = LocalSpark.jdbcCatalog(dir);
    spark = LocalSpark.start("StagedWriteTest", catalogConfig, Map.of());
    catalog = catalogConfig.create();
  }

  @AfterAll
  static void stopSpark() throws Exception {
    LocalSpark.stop(spark, catalog);
  }

  @Test
  void stagedRowsAreInvisibleUntilPublishedAndACommitToAnotherBatchInBetweenIsKept() {
    createTable("db.events");
    StagedWrite.write(spark, rows(0, 100, "b1"), "db.events", "batch", "b1", Map.of()).publish(spark);

    StagedWrite b2 = StagedWrite.write(spark, rows(1_000, 1_250, "b2"), "db.events", "batch", "b2", Map.of());
    assertThat(b2.rows()).isEqualTo(250);
    assertThat(counts()).as("staged rows invisible").containsExactly("[b1,100]");
    // another batch's attempt commits to main while b2 is staged
    StagedWrite.write(spark, rows(5_000, 5_010, "b3"), "db.events", "batch", "b3", Map.of()).publish(spark);

    TableOutput output = b2.publish(spark);

    Table table = catalog.loadTable(TableIdentifier.of("db", "events"));
    assertThat(output.snapshotId()).isEqualTo(table.currentSnapshot().snapshotId());
    assertThat(output.rows()).isEqualTo(250);
    assertThat(counts()).containsExactly("[b1,100]", "[b2,250]", "[b3,10]");
    assertThat(table.refs().keySet()).containsExactly("main");
    assertThat(spark.sql("SELECT sum(id) FROM db.events WHERE batch = 'b2'").first().getLong(0))
        .isEqualTo(sum(1_000, 1_250));
  }

  @Test
  void publishingReplacesTheBatchAndABranchLeftByADeadAttemptIsDiscardedByTheNext() {
    createTable("db.retries");
    StagedWrite.write(spark, rows(0, 50, "b1"), "db.retries", "batch", "b1", Map.of()).publish(spark);
    // an attempt stages b1 again and dies before publishing
    StagedWrite dead = StagedWrite.write(spark, rows(100, 130, "b1"), "db.retries", "batch", "b1", Map.of());
    Table table = catalog.loadTable(TableIdentifier.of("db", "retries"));
    assertThat(table.refs()).hasSize(2);

    StagedWrite.write(spark, rows(200, 220, "b1"), "db.retries", "batch", "b1", Map.of()).publish(spark);

    table.refresh();
    assertThat(table.refs().keySet()).containsExactly("main");
    assertThat(counts("db.retries")).containsExactly("[b1,20]");
    assertThat(spark.sql("SELECT min(id), max(id) FROM db.retries").first().toString()).isEqualTo("[200,219]");
    assertThat(dead.rows()).isEqualTo(30);
  }

  @Test
  void snapshotExpiryAfterPublishingKeepsThePublishedFilesAndDeletesADiscardedAttemptsFiles() throws Exception {
    createTable("db.expiry");
    StagedWrite.write(spark, rows(0, 100, "b1"), "db.expiry", "batch", "b1", Map.of()).publish(spark);
    StagedWrite.write(spark, rows(100, 300, "b2"), "db.expiry", "batch", "b2", Map.of()).publish(spark);
    StagedWrite discarded = StagedWrite.write(spark, rows(900, 950, "b3"), "db.expiry", "batch", "b3", Map.of());
    discarded.discard(spark);
    Table table = catalog.loadTable(TableIdentifier.of("db", "expiry"));
    List<String> liveFiles = liveDataFiles(table);
    assertThat(dataFiles("expiry")).hasSize(liveFiles.size() + 1);

    // what the maintenance stage's expiry does: every snapshot but the current one, files cleaned (committed through
    // Spark's catalog: the test's own SQLite connection only reads, two writers of one SQLite file conflict)
    IcebergWriter.load(spark, "db.expiry").expireSnapshots().expireOlderThan(System.currentTimeMillis() + 1)
        .retainLast(1).commit();

    assertThat(dataFiles("expiry")).as("the published files kept, the discarded attempt's deleted")
        .containsExactlyInAnyOrderElementsOf(liveFiles);
    assertThat(counts("db.expiry")).containsExactly("[b1,100]", "[b2,200]");
    assertThat(spark.sql("SELECT sum(id) FROM db.expiry").first().getLong(0)).isEqualTo(sum(0, 300));
  }

  @Test
  void aBranchLeftBeforeItsWriteAndTheBatchColumnInAnotherCaseAreHandled() {
    spark.sql("CREATE TABLE db.cased (id bigint, Batch_Id string) USING iceberg PARTITIONED BY (Batch_Id)"
        + " TBLPROPERTIES ('format-version'='2')");
    StagedWrite.write(spark, rows(0, 10, "b1").withColumnRenamed("batch", "Batch_Id"), "db.cased", "batch_id", "b1",
        Map.of()).publish(spark);
    // an attempt that died after creating its branch, before its write committed: the branch is at main's head
    String dead = StagedWrite.branchPrefix("batch_id", "b1") + "deadbeef";
    IcebergWriter.load(spark, "db.cased").manageSnapshots().createBranch(dead).commit();

    StagedWrite.write(spark, rows(10, 15, "b1").withColumnRenamed("batch", "Batch_Id"), "db.cased", "batch_id", "b1",
        Map.of()).publish(spark);

    Table table = catalog.loadTable(TableIdentifier.of("db", "cased"));
    assertThat(table.refs().keySet()).containsExactly("main");
    assertThat(spark.sql("SELECT count(*), min(id) FROM db.cased").first().toString()).isEqualTo("[5,10]");
  }

  @Test
  void thePublishedSnapshotCarriesTheTagsOfTheRunThatWroteIt() throws Exception {
    createTable("db.tagged");
    TableOutput published = RunTags.during(new StageContext("run-t", "p", "ingest_t", 1, Map.of()),
        () -> StagedWrite.write(spark, rows(0, 10, "b1"), "db.tagged", "batch", "b1", Map.of()).publish(spark));
    StagedWrite.write(spark, rows(0, 5, "b2"), "db.tagged", "batch", "b2", Map.of()).publish(spark);

    Table table = catalog.loadTable(TableIdentifier.of("db", "tagged"));
    assertThat(table.snapshot(published.snapshotId()).summary())
        .containsEntry(RunTags.RUN_ID_PROPERTY, "run-t").containsEntry(RunTags.STAGE_PROPERTY, "ingest_t");
    assertThat(table.currentSnapshot().summary()).as("written outside an attempt")
        .doesNotContainKey(RunTags.RUN_ID_PROPERTY);
    assertThat(RunTags.lastOfRun(table, "run-t").snapshotId()).isEqualTo(published.snapshotId());
    assertThat(RunTags.lastOfRun(table, "run-other")).isNull();
  }

  @Test
  void aFailedSparkJobRemovesItsBranchAndLeavesMainUnchanged() {
    createTable("db.failing");
    StagedWrite.write(spark, rows(0, 10, "b1"), "db.failing", "batch", "b1", Map.of()).publish(spark);
    long before = catalog.loadTable(TableIdentifier.of("db", "failing")).currentSnapshot().snapshotId();
    // fails in a task: Spark throws SparkException, a checked exception
    Dataset<Row> failing = rows(10, 20, "b1").selectExpr("IF(id = 15, raise_error('row 15'), id) AS id", "batch");

    assertThatThrownBy(() -> StagedWrite.write(spark, failing, "db.failing", "batch", "b1", Map.of()))
        .isInstanceOf(SparkException.class)
        .hasStackTraceContaining("row 15");

    Table table = catalog.loadTable(TableIdentifier.of("db", "failing"));
    assertThat(table.refs().keySet()).as("no staging branch left").containsExactly("main");
    assertThat(table.currentSnapshot().snapshotId()).isEqualTo(before);
    assertThat(counts("db.failing")).containsExactly("[b1,10]");
  }

  private static List<String> liveDataFiles(Table table) {
    table.refresh();
    List<String> files = new java.util.ArrayList<>();
    try (var tasks = table.newScan().planFiles()) {
      tasks.forEach(task -> files.add(Path.of(java.net.URI.create(task.file().location())).toString()));
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    return files;
  }

  private static List<String> dataFiles(String table) throws java.io.IOException {
    try (var files = java.nio.file.Files.walk(dir.resolve("warehouse/db/" + table))) {
      return files.filter(file -> file.toString().endsWith(".parquet")).map(Path::toString).toList();
    }
  }

  private static void createTable(String name) {
    spark.sql("CREATE TABLE " + name + " (id bigint, batch string) USING iceberg PARTITIONED BY (batch)"
        + " TBLPROPERTIES ('format-version'='2')");
  }

  private static Dataset<Row> rows(long from, long to, String batch) {
    return spark.range(from, to).selectExpr("id", "'" + batch + "' AS batch");
  }

  private static List<String> counts() {
    return counts("db.events");
  }

  private static List<String> counts(String table) {
    spark.catalog().refreshTable(table);
    return spark.sql("SELECT batch, count(*) FROM " + table + " GROUP BY batch ORDER BY batch").collectAsList()
        .stream().map(Row::toString).toList();
  }

  private static long sum(long from, long to) {
    long total = 0;
    for (long i = from; i < to; i++) {
      total += i;
    }
    return total;
  }
}
