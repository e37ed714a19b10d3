package dev.baton.control.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.catalog.CatalogConfig;
import dev.baton.control.metrics.ControllerMetrics;
import dev.baton.control.state.Command;
import dev.baton.catalog.TableProperties;
import dev.baton.stages.export.ExportStageFactory;
import dev.baton.stages.ingest.IngestStageFactory;
import dev.baton.stages.maintenance.TableMaintenance;
import dev.baton.stages.quality.QualityOptions;
import java.time.Clock;
import java.time.Duration;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The ledger on Spark {@code local[2]} and a real Iceberg catalog (JDBC on SQLite). */
class LedgerTest {
  @TempDir
  static Path dir;
  private static SparkSession spark;
  private static Catalog catalog;

  @BeforeAll
  static void startSpark() {
    CatalogConfig catalogConfig = new CatalogConfig(CatalogConfig.DEFAULT_NAME, Map.of(
        "type", "jdbc",
        "uri", "jdbc:sqlite:" + dir.resolve("catalog.db"),
        "jdbc.schema-version", "V1",
        "clients", "1",
        "jdbc.busy_timeout", "30000",
        "jdbc.journal_mode", "WAL",
        "warehouse", dir.resolve("warehouse").toUri().toString()));
    SparkSession.Builder builder = SparkSession.builder()
        .appName("LedgerTest")
        .master("local[2]")
        .config("spark.ui.enabled", "false")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.sql.shuffle.partitions", "2");
    catalogConfig.sparkConf().forEach(builder::config);
    spark = builder.getOrCreate();
    catalog = catalogConfig.create(); // a second instance: reads what the session's committed
  }

  @AfterAll
  static void stopSpark() throws Exception {
    if (catalog instanceof AutoCloseable closeable) {
      closeable.close();
    }
    if (spark != null) {
      spark.stop();
    }
  }

  private static Command.RecordStageAttempt attempt(String runId, String stage, String status) {
    return new Command.RecordStageAttempt(runId, "sales", stage, 1, status, 1_000L, "RUNNING".equals(status) ? null : 2_000L,
        null, null);
  }

  private static Command.RecordRun run(String runId, String status) {
    return new Command.RecordRun(runId, "sales", "landing/" + runId, status, 1_000L,
        "SUCCEEDED".equals(status) ? 3_000L : null, List.of(), Map.of("batch", runId), 0, "0123456789ab", null);
  }

  @Test
  void decisionsAreUpsertedTheLastOneWinning() {
    Ledger ledger = new Ledger(spark);
    ledger.createTablesIfMissing();
    ledger.createTablesIfMissing(); // idempotent

    ledger.record(List.of(run("r1", "RUNNING"), run("r2", "RUNNING")),
        List.of(attempt("r1", "ingest", "RUNNING"), attempt("r2", "ingest", "RUNNING")));
    ledger.record(List.of(run("r1", "SUCCEEDED")), List.of(attempt("r1", "ingest", "SUCCEEDED"),
        attempt("r1", "report", "RUNNING"), attempt("r1", "report", "SUCCEEDED")));

    List<Row> attempts = spark.sql("SELECT run_id, stage, status FROM " + Ledger.STAGE_ATTEMPTS
        + " WHERE run_id IN ('r1', 'r2') ORDER BY run_id, stage").collectAsList();
    assertThat(attempts).extracting(Row::toString)
        .containsExactly("[r1,ingest,SUCCEEDED]", "[r1,report,SUCCEEDED]", "[r2,ingest,RUNNING]");
    assertThat(spark.sql("SELECT run_id, status FROM " + Ledger.RUNS + " WHERE run_id IN ('r1', 'r2') ORDER BY run_id")
        .collectAsList())
        .extracting(Row::toString).containsExactly("[r1,SUCCEEDED]", "[r2,RUNNING]");
  }

  @Test
  void theLauncherAndTheApplicationOfAnAttemptAreKeptFromTheDecisionsThatKnowThem() {
    Ledger ledger = new Ledger(spark);
    ledger.createTablesIfMissing();

    // launched in one micro-batch, completed in a later one
    ledger.record(List.of(), List.of(attempt("r3", "ingest", "RUNNING").withLauncher("spark-submit")));
    ledger.record(List.of(), List.of(attempt("r3", "ingest", "SUCCEEDED").withApplication("local-1", "file:///logs/1")));
    // launched and completed in the same micro-batch
    ledger.record(List.of(), List.of(attempt("r4", "ingest", "RUNNING").withLauncher("k8s"),
        attempt("r4", "ingest", "FAILED").withApplication("spark-2", null)));

    assertThat(spark.sql("SELECT run_id, status, launcher, application_id, log_uri FROM " + Ledger.STAGE_ATTEMPTS
        + " WHERE run_id IN ('r3', 'r4') ORDER BY run_id").collectAsList()).extracting(Row::toString)
        .containsExactly("[r3,SUCCEEDED,spark-submit,local-1,file:///logs/1]", "[r4,FAILED,k8s,spark-2,null]");
  }

  @Test
  void maintenanceLeavesEachLedgerAndStageTableFewSnapshotsAndFewDataFilesWithTheSameRows() throws Exception {
    Ledger ledger = new Ledger(spark);
    ledger.createTablesIfMissing();
    for (int i = 0; i < 8; i++) {
      ledger.record(List.of(run("m" + i, "RUNNING")), List.of(attempt("m" + i, "ingest", "RUNNING")));
    }
    for (int i = 0; i < 4; i++) {
      ledger.record(List.of(run("m" + i, "SUCCEEDED")), List.of(attempt("m" + i, "ingest", "SUCCEEDED")));
    }
    List<String> runsBefore = rows(Ledger.RUNS);
    List<String> attemptsBefore = rows(Ledger.STAGE_ATTEMPTS);
    for (String table : LedgerMaintenance.TABLES) {
      assertThat(snapshots(table)).as("snapshots of %s", table).isGreaterThanOrEqualTo(12);
      assertThat(dataFiles(table)).as("data files of %s", table).isGreaterThanOrEqualTo(5); // Iceberg's min-input-files
    }
    // the stage tables, committed to as stages do: quality results appended, a batch's quarantined rows appended
    // and another's deleted (whole partitions), export state MERGEd per (table, target)
    String quality = QualityOptions.DEFAULT_RESULTS_TABLE;
    String quarantine = IngestStageFactory.QUARANTINE_TABLE;
    String exports = ExportStageFactory.EXPORTS_TABLE;
    String properties = " TBLPROPERTIES (" + TableProperties.tblPropertiesSql() + ")";
    spark.sql("CREATE TABLE " + quality + " (run_id string, rule string, passed boolean) USING iceberg" + properties);
    spark.sql("CREATE TABLE " + quarantine + " (table_name string, batch_id string, record string) USING iceberg"
        + " PARTITIONED BY (table_name, batch_id)" + properties);
    spark.sql("CREATE TABLE " + exports + " (table_name string, target string, snapshot_id bigint) USING iceberg"
        + properties);
    for (int i = 0; i < 6; i++) {
      spark.sql("INSERT INTO " + quality + " VALUES ('m" + i + "', 'row-count', true)");
      spark.sql("INSERT INTO " + quarantine + " VALUES ('curated.t', 'b1', 'bad row " + i + "')");
      spark.sql("MERGE INTO " + exports + " t USING (SELECT 'curated.t' AS table_name, 'file:///export/" + i
          + "/' AS target, " + i + "L AS snapshot_id) s ON t.table_name = s.table_name AND t.target = s.target"
          + " WHEN MATCHED THEN UPDATE SET * WHEN NOT MATCHED THEN INSERT *");
    }
    spark.sql("MERGE INTO " + exports + " t USING (SELECT 'curated.t' AS table_name, 'file:///export/0/' AS target,"
        + " 6L AS snapshot_id) s ON t.table_name = s.table_name AND t.target = s.target"
        + " WHEN MATCHED THEN UPDATE SET * WHEN NOT MATCHED THEN INSERT *"); // copy-on-write: its file rewritten
    spark.sql("INSERT INTO " + quarantine + " VALUES ('curated.t', 'b0', 'bad row')");
    spark.sql("DELETE FROM " + quarantine + " WHERE table_name = 'curated.t' AND batch_id = 'b0'");
    Map<String, List<String>> stageRowsBefore = new HashMap<>();
    for (String table : LedgerMaintenance.STAGE_TABLES) {
      stageRowsBefore.put(table, rows(table));
      assertThat(snapshots(table)).as("snapshots of %s", table).isGreaterThanOrEqualTo(6);
      assertThat(dataFiles(table)).as("data files of %s", table).isEqualTo(6);
    }
    // two hours on: every snapshot is older than the hour the settings keep
    Clock clock = Clock.offset(Clock.systemUTC(), Duration.ofHours(2));
    LedgerMaintenance.Settings settings = new LedgerMaintenance.Settings(true, 3_600_000L, 3_600_000L, 5, 259_200_000L);

    try (ControllerMetrics metrics = new ControllerMetrics()) {
      LedgerMaintenance maintenance = new LedgerMaintenance(spark, settings, metrics, clock);
      List<TableMaintenance.Report> reports = maintenance.maintainIfDue();

      assertThat(reports).extracting(TableMaintenance.Report::table)
          .containsExactly(Ledger.RUNS, Ledger.STAGE_ATTEMPTS, quality, quarantine, exports);
      for (String table : LedgerMaintenance.TABLES) {
        assertThat(snapshots(table)).as("snapshots of %s", table).isEqualTo(5);
        assertThat(dataFiles(table)).as("data files of %s", table).isEqualTo(1);
      }
      for (String table : LedgerMaintenance.STAGE_TABLES) {
        assertThat(snapshots(table)).as("snapshots of %s", table).isEqualTo(5);
        assertThat(rows(table)).as("rows of %s", table).isEqualTo(stageRowsBefore.get(table));
      }
      assertThat(dataFiles(quality)).as("quality results compacted").isEqualTo(1);
      assertThat(dataFiles(quarantine)).as("quarantine compacted").isEqualTo(1);
      assertThat(dataFiles(exports)).as("export state not compacted (a compaction could fail an export's MERGE)")
          .isEqualTo(6);
      assertThat(rows(Ledger.RUNS)).isEqualTo(runsBefore);
      assertThat(rows(Ledger.STAGE_ATTEMPTS)).isEqualTo(attemptsBefore);
      assertThat(spark.sql("SELECT status, count(*) FROM " + Ledger.RUNS + " WHERE run_id LIKE 'm%' GROUP BY status"
          + " ORDER BY status").collectAsList()).extracting(Row::toString)
          .containsExactly("[RUNNING,4]", "[SUCCEEDED,4]");
      assertThat(metrics.scrape()).contains("baton_controller_ledger_snapshots{table=\"baton_system.runs\"} 5.0")
          .contains("baton_controller_ledger_maintenance_seconds_count{outcome=\"succeeded\",table=\"baton_system"
              + ".stage_attempts\"} 1");
      assertThat(maintenance.maintainIfDue()).as("not due again within the interval").isEmpty();
      // a stage table not there (yet) is skipped, not a failure
      spark.sql("DROP TABLE " + quarantine + " PURGE");
      assertThat(new LedgerMaintenance(spark, settings, metrics, Clock.offset(clock, Duration.ofHours(2)))
          .maintainIfDue()).extracting(TableMaintenance.Report::table)
          .containsExactly(Ledger.RUNS, Ledger.STAGE_ATTEMPTS, quality, exports);
      assertThat(metrics.ledgerMaintenances(quarantine, "failed")).isZero();
      assertThat(new LedgerMaintenance(spark, settings, metrics, Clock.systemUTC()).maintainIfDue())
          .as("a restarted controller, within the interval of the maintenance it finds in the table").isEmpty();
    }
  }

  @Test
  void maintenanceIsDueFirstAfterStartThenOnceAnIntervalHasPassed() {
    assertThat(LedgerMaintenance.isDue(null, 1_000L, 3_600_000L)).isTrue();
    assertThat(LedgerMaintenance.isDue(1_000L, 3_600_999L, 3_600_000L)).isFalse();
    assertThat(LedgerMaintenance.isDue(1_000L, 3_601_000L, 3_600_000L)).isTrue();
  }

  @Test
  void theLedgerTablesDeleteOldMetadataFilesOnCommit() {
    new Ledger(spark).createTablesIfMissing();

    for (String table : LedgerMaintenance.TABLES) {
      assertThat(catalog.loadTable(identifier(table)).properties())
          .containsEntry("write.metadata.delete-after-commit.enabled", "true");
    }
  }

  private static List<String> rows(String table) {
    return spark.table(table).collectAsList().stream().map(Row::toString).sorted().toList();
  }

  private static TableIdentifier identifier(String table) {
    return TableIdentifier.parse(table);
  }

  private static int snapshots(String table) {
    int count = 0;
    for (Object ignored : catalog.loadTable(identifier(table)).snapshots()) {
      count++;
    }
    return count;
  }

  private static int dataFiles(String table) throws java.io.IOException {
    int count = 0;
    try (CloseableIterable<FileScanTask> tasks = catalog.loadTable(identifier(table)).newScan().planFiles()) {
      for (FileScanTask ignored : tasks) {
        count++;
      }
    }
    return count;
  }
}
