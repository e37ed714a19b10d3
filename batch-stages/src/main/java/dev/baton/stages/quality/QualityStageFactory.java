package dev.baton.stages.quality;

import dev.baton.stages.spi.Stage;
import dev.baton.stages.spi.StageFactory;
import dev.baton.stages.spi.StageOptions;
import java.util.Map;

/** The {@code quality} stage type: rules checked on a table, failing the run when one fails (options: {@link QualityOptions}). */
public final class QualityStageFactory implements StageFactory {

  @Override
  public String type() {
    return "quality";
  }

  /** Binds and validates the options; see {@link StageOptions#bind}. */
  @Override
  public Stage create(Map<String, Object> options) {
    return new QualityStage(StageOptions.bind(options, QualityOptions.class));
  }
}
