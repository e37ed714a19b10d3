package dev.baton.stages.ingest;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.current_timestamp;
import static org.apache.spark.sql.functions.format_string;
import static org.apache.spark.sql.functions.input_file_name;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.size;
import static org.apache.spark.sql.functions.split;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

import dev.baton.catalog.TableProperties;
import dev.baton.stages.spi.Stage;
import dev.baton.stages.spi.StageContext;
import dev.baton.stages.spi.StageFailedException;
import dev.baton.stages.spi.StageOptions;
import dev.baton.stages.spi.StageResult;
import dev.baton.stages.spi.StageResult.TableOutput;
import dev.baton.stages.write.IcebergWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Observation;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * The {@code ingest} stage: delimited text with a declared schema into an Iceberg table
 * partitioned by batch. Each attempt replaces exactly its batch's partition, so a retry never
 * duplicates rows. Rows that do not match the schema go to {@value #QUARANTINE_TABLE} with the
 * file and the reason; when their share exceeds {@code maxBadRowsFraction} the stage fails.
 *
 * <p>Reads any Hadoop-compatible path ({@code s3://} through S3A locally, EMRFS on EMR) with
 * Spark's CSV reader, so a file of any size is split across executors.
 */
public final class IngestStage implements Stage {

  /** Where malformed rows of every ingest go, partitioned by target table and batch. */
  public static final String QUARANTINE_TABLE = TableProperties.SYSTEM_NAMESPACE + ".quarantine";

  private static final String CORRUPT = "_corrupt_record";
  private static final String TRAILING = "_trailing_field";
  private static final String SOURCE_FILE = "_source_file";

  private final IngestOptions options;

  public IngestStage(IngestOptions options) {
    this.options = options;
  }

  /** Binds and validates YAML options; see {@link StageOptions#bind}. */
  public static IngestStage fromOptions(Map<String, Object> options) {
    return new IngestStage(StageOptions.bind(options, IngestOptions.class));
  }

  /** The run's {@code batch}: its rows are written to (and replace) that batch's partition. */
  @Override
  public Map<String, String> parameters() {
    return Map.of("batch", "batchColumn");
  }

  @Override
  public StageResult run(StageContext context, SparkSession spark) {
    String batch = context.param("batch");
    StructType declared = declaredSchema();
    StructType readSchema = declared;
    if (options.trailingDelimiter()) {
      readSchema = readSchema.add(TRAILING, DataTypes.StringType, true);
    }
    readSchema = readSchema.add(CORRUPT, DataTypes.StringType, true);

    Dataset<Row> parsed =
        spark.read()
            .schema(readSchema)
            .option("sep", options.delimiter())
            .option("header", options.header())
            .option("mode", "PERMISSIVE")
            .option("columnNameOfCorruptRecord", CORRUPT)
            .option("dateFormat", "yyyy-MM-dd")
            .csv(options.path())
            .withColumn(SOURCE_FILE, input_file_name());
    Column bad = col(CORRUPT).isNotNull();
    if (options.trailingDelimiter()) {
      bad = bad.or(col(TRAILING).isNotNull());
    }
    Observation scan = new Observation("ingest-" + context.stage());
    Dataset<Row> observed =
        parsed.observe(scan, count(lit(1)).as("total"), sum(when(bad, 1).otherwise(0)).as("bad"));

    List<Column> goodColumns = new ArrayList<>();
    for (StructField field : declared.fields()) {
      goodColumns.add(col(field.name()));
    }
    goodColumns.add(lit(batch).as(options.batchColumn()));
    Dataset<Row> good = observed.filter(bad.unary_$bang()).select(goodColumns.toArray(Column[]::new));

    String table = options.table();
    createTableIfMissing(spark, table, declared);
    TableOutput output =
        IcebergWriter.write(spark, good, table, IcebergWriter.Mode.OVERWRITE_PARTITIONS, List.of(options.batchColumn()),
            col(options.batchColumn()).equalTo(lit(batch)));

    Map<String, Object> counts = IcebergWriter.metrics(scan);
    long total = ((Number) counts.get("total")).longValue();
    Number badCount = (Number) counts.get("bad");
    long badRows = badCount == null ? 0 : badCount.longValue();
    quarantine(spark, context, batch, parsed, bad, badRows);

    double badFraction = total == 0 ? 0 : (double) badRows / total;
    if (badFraction > options.maxBadRowsFraction()) {
      throw new StageFailedException("TOO_MANY_BAD_ROWS", String.format(
          "%d of %d rows of %s do not match the declared schema (%.4f%% > maxBadRowsFraction %s); see %s",
          badRows, total, options.path(), badFraction * 100, options.maxBadRowsFraction(), QUARANTINE_TABLE));
    }
    return new StageResult(List.of(output), Map.of("rowsRead", (double) total, "badRows", (double) badRows));
  }

  private StructType declaredSchema() {
    StructType schema = new StructType();
    for (IngestOptions.Column column : options.schema()) {
      DataType type = DataType.fromDDL(column.type());
      schema = schema.add(column.name(), type, true);
    }
    return schema;
  }

  private void createTableIfMissing(SparkSession spark, String table, StructType declared) {
    if (spark.catalog().tableExists(table)) {
      return;
    }
    IcebergWriter.ensureNamespace(spark, table);
    StructType withBatch = declared.add(options.batchColumn(), DataTypes.StringType, false);
    spark.sql(String.format(
        "CREATE TABLE IF NOT EXISTS %s (%s) USING iceberg PARTITIONED BY (%s) TBLPROPERTIES (%s)",
        table, withBatch.toDDL(), options.batchColumn(), TableProperties.tblPropertiesSql()));
  }

  /** Replaces the batch's quarantined rows of this table with this attempt's bad rows (none clears them). */
  private void quarantine(SparkSession spark, StageContext context, String batch, Dataset<Row> parsed, Column bad, long badRows) {
    boolean exists = spark.catalog().tableExists(QUARANTINE_TABLE);
    if (badRows == 0) {
      if (exists) {
        spark.sql("DELETE FROM " + QUARANTINE_TABLE + " WHERE table_name = :table AND batch_id = :batch",
            Map.<String, Object>of("table", options.table(), "batch", batch));
      }
      return;
    }
    if (!exists) {
      IcebergWriter.ensureNamespace(spark, QUARANTINE_TABLE);
      spark.sql("CREATE TABLE IF NOT EXISTS " + QUARANTINE_TABLE + " (table_name string, batch_id string,"
          + " run_id string, stage string, attempt int, file string, record string, reason string,"
          + " quarantined_at timestamp) USING iceberg PARTITIONED BY (table_name, batch_id)"
          + " TBLPROPERTIES (" + TableProperties.tblPropertiesSql() + ")");
    }
    int declaredFields = options.schema().size();
    String raw = CORRUPT;
    Column fieldsFound = size(split(col(raw), Pattern.quote(options.delimiter()), -1));
    if (options.trailingDelimiter()) {
      fieldsFound = fieldsFound.minus(1);
    }
    Column reason =
        when(col(CORRUPT).isNull(), lit("unexpected value after the trailing delimiter"))
            .when(fieldsFound.notEqual(declaredFields),
                format_string("expected " + declaredFields + " fields, found %d", fieldsFound))
            .otherwise(lit("a field does not parse as its declared type"));
    Dataset<Row> rows =
        parsed.filter(bad).select(
            lit(options.table()).as("table_name"),
            lit(batch).as("batch_id"),
            lit(context.runId()).as("run_id"),
            lit(context.stage()).as("stage"),
            lit(context.attempt()).as("attempt"),
            col(SOURCE_FILE).as("file"),
            col(CORRUPT).as("record"),
            reason.as("reason"),
            current_timestamp().as("quarantined_at"));
    IcebergWriter.write(spark, rows, QUARANTINE_TABLE, IcebergWriter.Mode.OVERWRITE_PARTITIONS, List.of(),
        col("table_name").equalTo(lit(options.table())).and(col("batch_id").equalTo(lit(batch))));
  }
}
