package dev.baton.stages.sql;

import dev.baton.stages.spi.Stage;
import dev.baton.stages.spi.StageContext;
import dev.baton.stages.spi.StageOptions;
import dev.baton.stages.spi.StageResult;
import dev.baton.stages.spi.StageResult.TableOutput;
import dev.baton.stages.write.IcebergWriter;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/** The {@code sql} stage: a Spark SQL query over Iceberg tables, written to one Iceberg table in one commit. */
public final class SqlStage implements Stage {
  private final SqlOptions options;

  public SqlStage(SqlOptions options) {
    this.options = options;
  }

  /** Binds and validates YAML options; see {@link StageOptions#bind}. */
  public static SqlStage fromOptions(Map<String, Object> options) {
    return new SqlStage(StageOptions.bind(options, SqlOptions.class));
  }

  @Override
  public StageResult run(StageContext context, SparkSession spark) {
    Dataset<Row> result = spark.sql(options.query());
    TableOutput output =
        IcebergWriter.write(spark, result, options.table(), options.writeMode(), options.partitionBy(), null);
    return new StageResult(List.of(output), Map.of("rowsWritten", (double) output.rows()));
  }
}
