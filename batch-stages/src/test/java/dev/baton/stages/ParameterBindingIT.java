package dev.baton.stages;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.baton.catalog.CatalogConfig;
import dev.baton.stages.ingest.IngestStageFactory;
import dev.baton.stages.runner.StageParameters;
import dev.baton.stages.spi.ParamType;
import dev.baton.stages.spi.Stage;
import dev.baton.stages.spi.StageContext;
import dev.baton.stages.spi.StageFailedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Run parameters with injection strings reach real Spark SQL over a real Iceberg catalog (JDBC on
 * SQLite, local warehouse) only as bound literals: the rows read, checked and deleted are exactly
 * those of the literal value. Each test also shows what the same value did as spliced text.
 */
class ParameterBindingIT {
  private static final String INJECTED = "b1' OR '1'='1";

  @TempDir
  static Path dir;
  private static SparkSession spark;

  @BeforeAll
  static void startSpark() {
    // as the local stack's catalog (CatalogConfig.localJdbc): SQLite has one writer
    Map<String, String> catalog = Map.of("type", "jdbc", "uri", "jdbc:sqlite:" + dir.resolve("catalog.db"),
        "jdbc.schema-version", "V1", "warehouse", dir.resolve("warehouse").toUri().toString(), "clients", "1",
        "jdbc.busy_timeout", "30000", "jdbc.journal_mode", "WAL");
    SparkSession.Builder builder = SparkSession.builder().master("local[2]").appName("parameter-binding-it")
        .config("spark.ui.enabled", "false").config("spark.sql.shuffle.partitions", "2")
        .config("spark.sql.session.timeZone", "UTC");
    new CatalogConfig(CatalogConfig.DEFAULT_NAME, catalog).sparkConf().forEach(builder::config);
    spark = builder.getOrCreate();
    spark.sql("CREATE NAMESPACE IF NOT EXISTS raw");
    spark.sql("CREATE NAMESPACE IF NOT EXISTS curated");
    spark.sql("CREATE TABLE raw.sales (region string, amount int, batch_id string) USING iceberg");
    spark.sql("INSERT INTO raw.sales VALUES ('EMEA', 10, 'b1'), ('APAC', 20, 'b1'), ('EMEA', 30, 'b2'),"
        + " ('APAC', 40, 'b2'), ('AMER', 50, 'b3'), ('EMEA', 60, 'b1\\' OR \\'1\\'=\\'1')"); // Spark SQL escapes quotes with \\
  }

  @AfterAll
  static void stopSpark() {
    if (spark != null) {
      spark.stop();
    }
  }

  private static StageContext context(Map<String, String> params, Map<String, ParamType> types) {
    return new StageContext("run-1", "p", "s", 1, params, types);
  }

  @Test
  void sqlStageReadsOnlyTheRowsOfTheLiteralBatchAnInjectionStringNames() throws Exception {
    // what the query did before, with the value spliced in as text: every batch
    Map<String, Object> spliced = StageParameters.substitute(
        Map.of("query", "SELECT * FROM raw.sales WHERE batch_id = '${batch}'"), Map.of("batch", INJECTED));
    assertThat(spark.sql((String) spliced.get("query")).count()).isEqualTo(6);

    Stage stage = StageTypes.create("sql", Map.of("query", "SELECT region, amount, batch_id FROM raw.sales WHERE batch_id = :batch",
        "table", "curated.by_batch"));
    assertThat(stage.parameters()).containsExactly(Map.entry("batch", "query"));
    stage.run(context(Map.of("batch", INJECTED), Map.of()), spark);

    List<Row> rows = spark.table("curated.by_batch").collectAsList();
    assertThat(rows).singleElement().satisfies(row -> {
      assertThat(row.getInt(1)).isEqualTo(60);
      assertThat(row.getString(2)).isEqualTo(INJECTED);
    });
  }

  @Test
  void typedParametersAreBoundAsLiteralsOfTheirType() throws Exception {
    Stage stage = StageTypes.create("sql", Map.of(
        "query", "SELECT :asOf AS as_of, :minAmount AS min_amount, count(*) AS n FROM raw.sales WHERE amount >= :minAmount",
        "table", "curated.typed"));
    stage.run(context(Map.of("asOf", "2026-12-03", "minAmount", "30"),
        Map.of("asOf", ParamType.DATE, "minAmount", ParamType.LONG)), spark);

    var table = spark.table("curated.typed");
    assertThat(table.schema().apply("as_of").dataType()).isEqualTo(DataTypes.DateType);
    assertThat(table.schema().apply("min_amount").dataType()).isEqualTo(DataTypes.LongType);
    Row row = table.first();
    assertThat(row.getDate(0).toLocalDate()).isEqualTo(LocalDate.of(2026, 12, 3));
    assertThat(row.getLong(2)).isEqualTo(4);

    // a long that is SQL text is not a long: the stage fails before any SQL runs
    assertThatThrownBy(() -> stage.run(context(Map.of("asOf", "2026-12-03", "minAmount", "0 OR 1=1"),
        Map.of("asOf", ParamType.DATE, "minAmount", ParamType.LONG)), spark))
        .isInstanceOfSatisfying(StageFailedException.class, e -> assertThat(e.type()).isEqualTo("INVALID_PARAMETER"))
        .hasMessageContaining("Cannot bind parameter 'minAmount' of run run-1 as a long");
  }

  @Test
  void qualityFilterChecksOnlyTheLiteralBatch() throws Exception {
    // spliced, the filter selected all six rows, and a gate of "at most 3 rows per batch" failed on other batches' rows
    Map<String, Object> spliced = StageParameters.substitute(Map.of("filter", "batch_id = '${batch}'"),
        Map.of("batch", "nobatch' OR '1'='1"));
    assertThat(spark.table("raw.sales").where((String) spliced.get("filter")).count()).isEqualTo(6);

    Stage gate = StageTypes.create("quality", Map.of("table", "raw.sales", "filter", "batch_id = :batch",
        "rules", List.of(Map.of("type", "row-count", "min", 1, "max", 3)), "resultsTable", "curated.quality_results"));

    assertThatThrownBy(() -> gate.run(context(Map.of("batch", "nobatch' OR '1'='1"), Map.of()), spark))
        .isInstanceOfSatisfying(StageFailedException.class, e -> assertThat(e.type()).isEqualTo("QUALITY_FAILED"))
        .hasMessageContaining("observed 0");
    var passed = gate.run(context(Map.of("batch", "b2"), Map.of()), spark);
    assertThat(passed.metrics()).containsEntry("rowsChecked", 2.0);
  }

  @Test
  void ingestClearsOnlyItsOwnBatchsQuarantinedRows() throws Exception {
    // batch b1 of raw.numbers has a quarantined row (written here directly, in the quarantine table's shape)
    spark.sql("CREATE NAMESPACE IF NOT EXISTS baton_system");
    spark.sql("CREATE TABLE IF NOT EXISTS " + IngestStageFactory.QUARANTINE_TABLE + " (table_name string, batch_id string,"
        + " run_id string, stage string, attempt int, file string, record string, reason string,"
        + " quarantined_at timestamp) USING iceberg PARTITIONED BY (table_name, batch_id)");
    spark.sql("INSERT INTO " + IngestStageFactory.QUARANTINE_TABLE + " VALUES ('raw.numbers', 'b1', 'run-0', 's', 1,"
        + " 'b1.csv', 'x,not a number', 'a field does not parse', current_timestamp())");
    // a clean batch deletes its own quarantined rows; this id, spliced into the DELETE as before
    // (quotes doubled), ended the literal early (\' is an escaped quote in Spark SQL) and deleted every row
    String batch = "b9\\' OR true --";
    String spliced = String.format("SELECT * FROM %s WHERE table_name = '%s' AND batch_id = '%s'",
        IngestStageFactory.QUARANTINE_TABLE, "raw.numbers", batch.replace("'", "''"));
    assertThat(spark.sql(spliced).count()).as("the rows the old DELETE removed").isEqualTo(1);

    Path good = Files.writeString(dir.resolve("b9.csv"), "9,nine\n");
    StageTypes.create("ingest", Map.of("path", good.toUri().toString(), "table", "raw.numbers",
        "schema", List.of(Map.of("name", "id", "type", "int"), Map.of("name", "name", "type", "string"))))
        .run(context(Map.of("batch", batch), Map.of()), spark);

    assertThat(spark.table(IngestStageFactory.QUARANTINE_TABLE).where("batch_id = 'b1'").count()).isEqualTo(1);
    assertThat(spark.table("raw.numbers").where(org.apache.spark.sql.functions.col("batch_id").equalTo(batch)).count())
        .isEqualTo(1);
  }
}
