package dev.baton.stages.sql;

import dev.baton.stages.spi.BoundOptionsStageFactory;

/** The {@code sql} stage type: a Spark SQL query written to one Iceberg table (options: {@link SqlOptions}). */
public final class SqlStageFactory extends BoundOptionsStageFactory<SqlOptions> {

  public SqlStageFactory() {
    super("sql", SqlOptions.class, SqlStage::new);
  }
}
