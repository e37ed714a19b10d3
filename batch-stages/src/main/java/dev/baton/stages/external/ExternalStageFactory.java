package dev.baton.stages.external;

import dev.baton.stages.spi.InvalidStageOptionsException;
import dev.baton.stages.spi.Stage;
import dev.baton.stages.spi.StageFactory;
import java.util.Map;

/**
 * The {@code external} stage type: a job started and reported elsewhere, which Baton's launchers never
 * run (see {@link ExternalStage}). Options: {@code description} (optional, free text).
 */
public final class ExternalStageFactory implements StageFactory {

  /** The stage type name. */
  public static final String TYPE = "external";

  @Override
  public String type() {
    return TYPE;
  }

  /** False: the completion comes from outside. */
  @Override
  public boolean runByBaton() {
    return false;
  }

  /** @throws InvalidStageOptionsException if an option other than {@code description} is given */
  @Override
  public Stage create(Map<String, Object> options) {
    for (String key : options.keySet()) {
      if (!"description".equals(key)) {
        throw new InvalidStageOptionsException(key, "unknown option of an external stage (allowed: description)");
      }
    }
    return new ExternalStage();
  }
}
