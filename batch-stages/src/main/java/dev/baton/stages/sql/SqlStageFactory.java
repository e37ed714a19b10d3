package dev.baton.stages.sql;

import dev.baton.stages.spi.Stage;
import dev.baton.stages.spi.StageFactory;
import dev.baton.stages.spi.StageOptions;
import java.util.Map;

/** The {@code sql} stage type: a Spark SQL query written to one Iceberg table (options: {@link SqlOptions}). */
public final class SqlStageFactory implements StageFactory {

  @Override
  public String type() {
    return "sql";
  }

  /** Binds and validates the options; see {@link StageOptions#bind}. */
  @Override
  public Stage create(Map<String, Object> options) {
    return new SqlStage(StageOptions.bind(options, SqlOptions.class));
  }
}
