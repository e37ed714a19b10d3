package dev.baton.stages.sql;

import dev.baton.stages.spi.SqlParameters;
import dev.baton.stages.spi.Stage;
import dev.baton.stages.spi.StageContext;
import dev.baton.stages.spi.StageResult;
import dev.baton.stages.spi.StageResult.TableOutput;
import dev.baton.stages.write.IcebergWriter;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * The {@code sql} stage: a Spark SQL query over Iceberg tables, written to one Iceberg table in one
 * commit. Run parameters reach the query only as named parameter markers ({@code :batch}), bound
 * with {@code spark.sql(query, args)} as literals of their declared types.
 */
final class SqlStage implements Stage {
  private final SqlOptions options;
  private final Set<String> parameters;

  SqlStage(SqlOptions options) {
    this.options = options;
    this.parameters = SqlParameters.ofQuery("query", options.query());
  }

  @Override
  public Map<String, String> parameters() {
    return SqlParameters.usedBy("query", parameters);
  }

  @Override
  public StageResult run(StageContext context, SparkSession spark) {
    // without markers, no args: a query that is a command (SET ...) must not be wrapped as a parameterized query
    Dataset<Row> result = parameters.isEmpty() ? spark.sql(options.query())
        : spark.sql(options.query(), context.sqlArgs(parameters));
    TableOutput output =
        IcebergWriter.write(spark, result, options.table(), options.writeMode(), options.partitionBy(), null);
    return new StageResult(List.of(output), Map.of("rowsWritten", (double) output.rows()));
  }
}
