package dev.baton.stages.spi;

import static java.util.Objects.requireNonNull;

/**
 * A stage's options in the pipeline YAML are wrong. A user error: {@link #path()} names the
 * offending field relative to the stage's {@code options}, e.g. {@code schema[2].type}.
 */
public class InvalidStageOptionsException extends RuntimeException {
  private final String path;
  private final String reason;

  public InvalidStageOptionsException(String path, String reason) {
    super((path.isEmpty() ? "" : path + ": ") + reason);
    this.path = requireNonNull(path, "Invalid path: null");
    this.reason = requireNonNull(reason, "Invalid reason: null");
  }

  /** Path of the offending field below {@code options}; empty for the options as a whole. */
  public String path() {
    return path;
  }

  /** What is wrong with it. */
  public String reason() {
    return reason;
  }
}
