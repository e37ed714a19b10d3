package dev.baton.stages.cdc;

import dev.baton.stages.spi.BoundOptionsStageFactory;

/**
 * The {@code cdc-merge} stage type: a Debezium change topic's new changes MERGEd into an Iceberg table
 * keyed by the source's primary key (options: {@link CdcMergeOptions}).
 */
public final class CdcMergeStageFactory extends BoundOptionsStageFactory<CdcMergeOptions> {

  public CdcMergeStageFactory() {
    super("cdc-merge", CdcMergeOptions.class, CdcMergeStage::new);
  }
}
