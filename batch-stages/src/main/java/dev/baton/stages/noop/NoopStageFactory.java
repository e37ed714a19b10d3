package dev.baton.stages.noop;

import dev.baton.schemas.StageErrorCode;
import dev.baton.stages.spi.BoundOptionsStageFactory;

/** The {@code noop} stage type: no Spark job, a set duration and failure rate (options: {@link NoopOptions}). */
public final class NoopStageFactory extends BoundOptionsStageFactory<NoopOptions> {

  /** Error type of an injected failure (an INTERNAL, retryable {@link StageErrorCode}). */
  public static final String INJECTED_FAILURE = StageErrorCode.INJECTED_FAILURE.name();

  public NoopStageFactory() {
    super("noop", NoopOptions.class, NoopStage::new);
  }
}
