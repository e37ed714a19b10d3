package dev.baton.control.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.catalog.CatalogConfig;
import dev.baton.control.state.Command;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
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

  @BeforeAll
  static void startSpark() {
    CatalogConfig catalog = new CatalogConfig(CatalogConfig.DEFAULT_NAME, Map.of(
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
    catalog.sparkConf().forEach(builder::config);
    spark = builder.getOrCreate();
  }

  @AfterAll
  static void stopSpark() {
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
}
