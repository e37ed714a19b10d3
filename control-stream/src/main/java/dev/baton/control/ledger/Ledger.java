package dev.baton.control.ledger;

import static java.util.Objects.requireNonNull;

import dev.baton.catalog.TableProperties;
import dev.baton.control.state.Command;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * The ledger: Iceberg tables recording every run and stage attempt, queryable with SQL. One row
 * per run in {@value #RUNS} and per (run, stage, attempt) in {@value #STAGE_ATTEMPTS}, upserted
 * with MERGE so writing the same decisions again (a replayed micro-batch) changes nothing.
 * Timestamps are UTC instants (Iceberg {@code timestamptz}).
 */
public final class Ledger {
  /**
   * Runs: run_id, pipeline, trigger_key, status, started_at, completed_at, failed_stages, updated_at, params, resumes,
   * pipeline_version (the content hash of the pipeline version the run decides on; null for runs recorded before
   * runs kept their version), reason (why the run ended when no failed stage says it, e.g. a WAITING
   * run that expired; else null).
   */
  public static final String RUNS = TableProperties.SYSTEM_NAMESPACE + ".runs";
  /**
   * Stage attempts: run_id, pipeline, stage, attempt, status, launched_at, completed_at, error_type, error,
   * updated_at, launcher (the launcher profile that ran it, e.g. spark-submit), application_id (the Spark
   * application, driver pod or job run, as its completion names it), log_uri (where its log is).
   */
  public static final String STAGE_ATTEMPTS = TableProperties.SYSTEM_NAMESPACE + ".stage_attempts";

  private static final StructType RUN_SCHEMA =
      new StructType()
          .add("run_id", DataTypes.StringType, false)
          .add("pipeline", DataTypes.StringType, false)
          .add("trigger_key", DataTypes.StringType, false)
          .add("status", DataTypes.StringType, false)
          .add("started_at", DataTypes.TimestampType, true)
          .add("completed_at", DataTypes.TimestampType, true)
          .add("failed_stages", DataTypes.createArrayType(DataTypes.StringType, false), false)
          .add("updated_at", DataTypes.TimestampType, false)
          .add("params", DataTypes.createMapType(DataTypes.StringType, DataTypes.StringType, true), true)
          .add("resumes", DataTypes.IntegerType, true)
          .add("pipeline_version", DataTypes.StringType, true)
          .add("reason", DataTypes.StringType, true);
  /** Columns added to {@value #RUNS} after its first version, with their DDL type; added to older tables on start. */
  private static final Map<String, String> RUN_COLUMNS_ADDED =
      Map.of("params", "map<string, string>", "resumes", "int", "pipeline_version", "string", "reason", "string");
  private static final StructType ATTEMPT_SCHEMA =
      new StructType()
          .add("run_id", DataTypes.StringType, false)
          .add("pipeline", DataTypes.StringType, false)
          .add("stage", DataTypes.StringType, false)
          .add("attempt", DataTypes.IntegerType, false)
          .add("status", DataTypes.StringType, false)
          .add("launched_at", DataTypes.TimestampType, true)
          .add("completed_at", DataTypes.TimestampType, true)
          .add("error_type", DataTypes.StringType, true)
          .add("error", DataTypes.StringType, true)
          .add("updated_at", DataTypes.TimestampType, false)
          .add("launcher", DataTypes.StringType, true)
          .add("application_id", DataTypes.StringType, true)
          .add("log_uri", DataTypes.StringType, true);
  /** Columns added to {@value #STAGE_ATTEMPTS} after its first version; a row keeps their last known value. */
  private static final Map<String, String> ATTEMPT_COLUMNS_ADDED =
      Map.of("launcher", "string", "application_id", "string", "log_uri", "string");

  private final SparkSession spark;

  public Ledger(SparkSession spark) {
    this.spark = requireNonNull(spark, "Invalid spark: null");
  }

  /** Creates the namespace and both tables when missing. */
  public void createTablesIfMissing() {
    spark.sql("CREATE NAMESPACE IF NOT EXISTS " + TableProperties.SYSTEM_NAMESPACE);
    spark.sql("CREATE TABLE IF NOT EXISTS " + RUNS + " (" + RUN_SCHEMA.toDDL() + ") USING iceberg TBLPROPERTIES ("
        + TableProperties.tblPropertiesSql() + ")");
    spark.sql("CREATE TABLE IF NOT EXISTS " + STAGE_ATTEMPTS + " (" + ATTEMPT_SCHEMA.toDDL()
        + ") USING iceberg TBLPROPERTIES (" + TableProperties.tblPropertiesSql() + ")");
    // a ledger created by an older version: add the newer columns (Iceberg schema evolution, metadata only)
    addMissingColumns(RUNS, RUN_COLUMNS_ADDED);
    addMissingColumns(STAGE_ATTEMPTS, ATTEMPT_COLUMNS_ADDED);
    setMissingProperties(RUNS);
    setMissingProperties(STAGE_ATTEMPTS);
  }

  /**
   * Table properties of both ledger tables beyond the Athena-compatible ones: each commit deletes the
   * metadata files older than the last {@code write.metadata.previous-versions-max} (Iceberg's
   * default, 100), so a table committed every ledger interval keeps a bounded metadata folder.
   */
  static final Map<String, String> PROPERTIES = Map.of("write.metadata.delete-after-commit.enabled", "true");

  private void setMissingProperties(String table) {
    Map<String, String> current;
    try {
      current = org.apache.iceberg.spark.Spark3Util.loadIcebergTable(spark, table).properties();
    } catch (org.apache.spark.sql.catalyst.parser.ParseException
        | org.apache.spark.sql.catalyst.analysis.NoSuchTableException e) {
      throw new IllegalStateException("Cannot load ledger table " + table + ": " + e.getMessage(), e);
    }
    new java.util.TreeMap<>(PROPERTIES).forEach((key, value) -> {
      if (!value.equals(current.get(key))) {
        spark.sql("ALTER TABLE " + table + " SET TBLPROPERTIES ('" + key + "'='" + value + "')");
      }
    });
  }

  private void addMissingColumns(String table, Map<String, String> added) {
    java.util.Set<String> existing = java.util.Set.of(spark.table(table).schema().fieldNames());
    new java.util.TreeMap<>(added).forEach((column, type) -> {
      if (!existing.contains(column)) {
        spark.sql("ALTER TABLE " + table + " ADD COLUMN " + column + " " + type);
      }
    });
  }

  /**
   * Upserts the given decisions; for several decisions on the same row, the last one wins.
   *
   * @param runs run rows, in decision order
   * @param attempts stage attempt rows, in decision order
   */
  public void record(List<Command.RecordRun> runs, List<Command.RecordStageAttempt> attempts) {
    Timestamp now = Timestamp.from(Instant.now());
    // attempts first: whoever sees a run's final status in the ledger also finds all its attempts
    if (!attempts.isEmpty()) {
      Map<String, Command.RecordStageAttempt> latest = new LinkedHashMap<>();
      for (Command.RecordStageAttempt attempt : attempts) {
        latest.merge(attempt.runId() + "/" + attempt.stage() + "/" + attempt.attempt(), attempt, (earlier, later) ->
            later.withLauncher(later.launcher() != null ? later.launcher() : earlier.launcher())
                .withApplication(later.applicationId() != null ? later.applicationId() : earlier.applicationId(),
                    later.logUri() != null ? later.logUri() : earlier.logUri()));
      }
      List<Row> rows = new ArrayList<>();
      for (Command.RecordStageAttempt attempt : latest.values()) {
        rows.add(RowFactory.create(attempt.runId(), attempt.pipeline(), attempt.stage(), attempt.attempt(),
            attempt.status(), timestamp(attempt.launchedAtMs()), timestamp(attempt.completedAtMs()), attempt.errorType(),
            attempt.errorMessage(), now, attempt.launcher(), attempt.applicationId(), attempt.logUri()));
      }
      // launcher, application and log come from different decisions (launch, completion): keep the known ones
      merge(STAGE_ATTEMPTS, ATTEMPT_SCHEMA, rows, "t.run_id = s.run_id AND t.stage = s.stage AND t.attempt = s.attempt",
          ATTEMPT_COLUMNS_ADDED.keySet());
    }
    if (!runs.isEmpty()) {
      Map<String, Row> latest = new LinkedHashMap<>();
      for (Command.RecordRun run : runs) {
        latest.put(run.runId(), RowFactory.create(run.runId(), run.pipeline(), run.triggerKey(), run.status(),
            timestamp(run.startedAtMs()), timestamp(run.completedAtMs()), run.failedStages(), now,
            run.params(), run.resumes(), run.pipelineVersion(), run.reason()));
      }
      merge(RUNS, RUN_SCHEMA, new ArrayList<>(latest.values()), "t.run_id = s.run_id", java.util.Set.of());
    }
  }

  /** Upserts {@code rows}; a matched row takes every column of its update, but a null in {@code keptColumns}. */
  private void merge(String table, StructType schema, List<Row> rows, String on, java.util.Set<String> keptColumns) {
    Dataset<Row> source = spark.createDataFrame(rows, schema);
    String view = "ledger_" + UUID.randomUUID().toString().replace("-", "");
    source.createOrReplaceTempView(view);
    String update = keptColumns.isEmpty() ? "*" : String.join(", ", java.util.Arrays.stream(schema.fieldNames())
        .map(column -> keptColumns.contains(column) ? "t." + column + " = coalesce(s." + column + ", t." + column + ")"
            : "t." + column + " = s." + column).toList());
    try {
      spark.sql("MERGE INTO " + table + " t USING " + view + " s ON " + on
          + " WHEN MATCHED THEN UPDATE SET " + update + " WHEN NOT MATCHED THEN INSERT *");
    } finally {
      spark.catalog().dropTempView(view);
    }
  }

  private static Timestamp timestamp(Long epochMs) {
    return epochMs == null ? null : new Timestamp(epochMs);
  }
}
