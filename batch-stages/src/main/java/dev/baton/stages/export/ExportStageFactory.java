package dev.baton.stages.export;

import dev.baton.catalog.TableProperties;
import dev.baton.stages.spi.BoundOptionsStageFactory;

/** The {@code export} stage type: a table, a query's result or raw files copied out of the lake (options: {@link ExportOptions}). */
public final class ExportStageFactory extends BoundOptionsStageFactory<ExportOptions> {

  /** Where incremental exports record the last snapshot exported per (table, target). */
  public static final String EXPORTS_TABLE = TableProperties.SYSTEM_NAMESPACE + ".exports";

  public ExportStageFactory() {
    super("export", ExportOptions.class, ExportStage::new);
  }
}
