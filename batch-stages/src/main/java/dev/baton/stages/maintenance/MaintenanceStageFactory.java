package dev.baton.stages.maintenance;

import dev.baton.stages.spi.BoundOptionsStageFactory;

/**
 * The {@code maintenance} stage type: compaction, manifest rewrite, snapshot expiry and orphan file
 * removal on Iceberg tables (options: {@link MaintenanceOptions}).
 */
public final class MaintenanceStageFactory extends BoundOptionsStageFactory<MaintenanceOptions> {

  public MaintenanceStageFactory() {
    super("maintenance", MaintenanceOptions.class, MaintenanceStage::new);
  }
}
