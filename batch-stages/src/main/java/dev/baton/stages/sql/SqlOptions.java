package dev.baton.stages.sql;

import static dev.baton.stages.spi.StageOptions.required;
import static dev.baton.stages.spi.StageOptions.tableName;

import dev.baton.stages.spi.InvalidStageOptionsException;
import dev.baton.stages.spi.SqlParameters;
import dev.baton.stages.write.IcebergWriter;
import java.util.List;
import java.util.Locale;

/**
 * Options of a {@code sql} stage.
 *
 * @param query Spark SQL SELECT; run parameters are named parameter markers ({@code WHERE batch_id =
 *     :batch}), bound as typed literals when it runs; {@code ${name}} text substitution is refused
 * @param table target table {@code <namespace>.<table>}
 * @param mode {@code overwrite} (replace the table; the default), {@code append}, or {@code
 *     overwrite-partitions} (replace the partitions the result falls in)
 * @param partitionBy identity partition columns used when the table is created
 */
public record SqlOptions(String query, String table, String mode, List<String> partitionBy) {
  public SqlOptions {
    required("query", query);
    SqlParameters.ofQuery("query", query);
    tableName("table", table);
    mode = mode == null ? "overwrite" : mode;
    if (!List.of("overwrite", "append", "overwrite-partitions").contains(mode)) {
      throw new InvalidStageOptionsException(
          "mode", "unknown mode '" + mode + "' (expected overwrite, append or overwrite-partitions)");
    }
    partitionBy = partitionBy == null ? List.of() : List.copyOf(partitionBy);
    if (mode.equals("overwrite-partitions") && partitionBy.isEmpty()) {
      throw new InvalidStageOptionsException("partitionBy", "is required with mode overwrite-partitions");
    }
  }

  /** The write mode. */
  public IcebergWriter.Mode writeMode() {
    return IcebergWriter.Mode.valueOf(mode.toUpperCase(Locale.ROOT).replace('-', '_'));
  }
}
