package dev.baton.stages.noop;

import dev.baton.schemas.StageErrorCode;
import dev.baton.stages.spi.Stage;
import dev.baton.stages.spi.StageFactory;
import dev.baton.stages.spi.StageOptions;
import java.util.Map;

/** The {@code noop} stage type: no Spark job, a set duration and failure rate (options: {@link NoopOptions}). */
public final class NoopStageFactory implements StageFactory {

  /** Error type of an injected failure (retryable: not in the deterministic set). */
  public static final String INJECTED_FAILURE = StageErrorCode.INJECTED_FAILURE.name();

  @Override
  public String type() {
    return "noop";
  }

  /** Binds and validates the options; see {@link StageOptions#bind}. */
  @Override
  public Stage create(Map<String, Object> options) {
    return new NoopStage(StageOptions.bind(options, NoopOptions.class));
  }
}
