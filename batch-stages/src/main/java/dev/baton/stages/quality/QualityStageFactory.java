package dev.baton.stages.quality;

import dev.baton.stages.spi.BoundOptionsStageFactory;

/** The {@code quality} stage type: rules checked on a table, failing the run when one fails (options: {@link QualityOptions}). */
public final class QualityStageFactory extends BoundOptionsStageFactory<QualityOptions> {

  public QualityStageFactory() {
    super("quality", QualityOptions.class, QualityStage::new);
  }
}
