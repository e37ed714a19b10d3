package dev.baton.stages.quality;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

import dev.baton.stages.spi.SqlParameters;
import dev.baton.stages.spi.Stage;
import dev.baton.stages.spi.StageContext;
import dev.baton.stages.spi.StageFailedException;
import dev.baton.stages.spi.StageResult;
import dev.baton.stages.spi.StageResult.TableOutput;
import dev.baton.stages.write.IcebergWriter;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * The {@code quality} stage: evaluates rules on a table (optionally filtered to the run's batch),
 * appends one result row per rule to the results table, and fails with {@code QUALITY_FAILED}
 * naming every failing rule when any rule fails.
 */
final class QualityStage implements Stage {

  private static final StructType RESULT_SCHEMA =
      new StructType()
          .add("run_id", DataTypes.StringType, false)
          .add("pipeline", DataTypes.StringType, false)
          .add("stage", DataTypes.StringType, false)
          .add("attempt", DataTypes.IntegerType, false)
          .add("table_name", DataTypes.StringType, false)
          .add("rule", DataTypes.StringType, false)
          .add("passed", DataTypes.BooleanType, false)
          .add("observed", DataTypes.LongType, false)
          .add("expected", DataTypes.StringType, false)
          .add("checked_at", DataTypes.TimestampType, false);

  private final QualityOptions options;
  private final Set<String> parameters;

  QualityStage(QualityOptions options) {
    this.options = options;
    this.parameters = hasFilter() ? SqlParameters.ofExpression("filter", options.filter()) : Set.of();
  }

  @Override
  public Map<String, String> parameters() {
    return SqlParameters.usedBy("filter", parameters);
  }

  private boolean hasFilter() {
    return options.filter() != null && !options.filter().isBlank();
  }

  @Override
  public StageResult run(StageContext context, SparkSession spark) {
    Dataset<Row> rows = spark.table(options.table());
    if (hasFilter()) {
      // the filter is one expression (checked by QualityOptions) over a checked table name; run
      // parameters are bound to its markers, never spliced into the text
      rows = spark.sql("SELECT * FROM " + options.table() + " WHERE " + options.filter(), context.sqlArgs(parameters));
    }
    List<QualityOptions.Rule> rules = options.rules();
    List<Column> aggregates = new ArrayList<>();
    aggregates.add(count(lit(1)).as("rows"));
    for (int i = 0; i < rules.size(); i++) {
      QualityOptions.Rule rule = rules.get(i);
      switch (rule.type()) {
        case "not-null" -> aggregates.add(sum(when(col(rule.column()).isNull(), 1).otherwise(0)).as("r" + i));
        case "value-range" -> aggregates.add(sum(when(outOfRange(col(rule.column()), rule), 1).otherwise(0)).as("r" + i));
        default -> { }
      }
    }
    Row totals = rows.agg(aggregates.get(0), aggregates.subList(1, aggregates.size()).toArray(Column[]::new)).first();
    long rowCount = totals.getLong(0);

    Timestamp checkedAt = Timestamp.from(Instant.now());
    List<Row> results = new ArrayList<>();
    List<String> failures = new ArrayList<>();
    for (int i = 0; i < rules.size(); i++) {
      QualityOptions.Rule rule = rules.get(i);
      long observed;
      boolean passed;
      String expected;
      switch (rule.type()) {
        case "row-count" -> {
          observed = rowCount;
          passed = (rule.min() == null || observed >= ((Number) rule.min()).doubleValue())
              && (rule.max() == null || observed <= ((Number) rule.max()).doubleValue());
          expected = "rows in [" + bound(rule.min()) + ", " + bound(rule.max()) + "]";
        }
        case "unique" -> {
          Row duplicates = rows.groupBy(rule.columns().stream().map(c -> col(c)).toArray(Column[]::new))
              .count().where(col("count").gt(1)).agg(sum(col("count").minus(1))).first();
          observed = duplicates.isNullAt(0) ? 0 : duplicates.getLong(0);
          passed = observed == 0;
          expected = "0 duplicate rows";
        }
        default -> {
          observed = totals.isNullAt(totals.fieldIndex("r" + i)) ? 0 : totals.getLong(totals.fieldIndex("r" + i));
          passed = observed == 0;
          expected = rule.type().equals("not-null") ? "0 null rows" : "0 rows out of range";
        }
      }
      results.add(RowFactory.create(context.runId(), context.pipeline(), context.stage(), context.attempt(),
          options.table(), rule.describe(), passed, observed, expected, checkedAt));
      if (!passed) {
        failures.add(rule.describe() + ": observed " + observed + ", expected " + expected);
      }
    }
    TableOutput output = IcebergWriter.write(spark, spark.createDataFrame(results, RESULT_SCHEMA),
        options.resultsTable(), IcebergWriter.Mode.APPEND, List.of(), null);
    if (!failures.isEmpty()) {
      throw new StageFailedException("QUALITY_FAILED", String.format("%d of %d rules failed on %s: %s",
          failures.size(), rules.size(), options.table(), failures.stream().collect(Collectors.joining("; "))));
    }
    return new StageResult(List.of(output), Map.of("rowsChecked", (double) rowCount, "rulesPassed", (double) rules.size()));
  }

  private static Column outOfRange(Column column, QualityOptions.Rule rule) {
    Column below = rule.min() == null ? lit(false) : column.lt(lit(rule.min()));
    Column above = rule.max() == null ? lit(false) : column.gt(lit(rule.max()));
    return column.isNotNull().and(below.or(above));
  }

  private static String bound(Object value) {
    return value == null ? "-" : String.valueOf(value);
  }
}
