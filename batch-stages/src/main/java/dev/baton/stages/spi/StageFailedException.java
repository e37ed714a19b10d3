package dev.baton.stages.spi;

import static java.util.Objects.requireNonNull;

/**
 * An expected, explained stage failure: a quality rule failed, too many bad rows, a missing run
 * parameter. The {@link #type()} becomes {@code StageCompleted.error.type}; the message says what
 * failed and by how much. Retrying the same input fails the same way.
 */
public class StageFailedException extends RuntimeException {
  private final String type;

  /**
   * @param type short upper-case category, e.g. {@code QUALITY_FAILED}
   * @param message what failed, with the observed and the allowed values
   */
  public StageFailedException(String type, String message) {
    super(message);
    this.type = requireNonNull(type, "Invalid type: null");
  }

  /** The failure category, e.g. {@code QUALITY_FAILED}. */
  public String type() {
    return type;
  }
}
