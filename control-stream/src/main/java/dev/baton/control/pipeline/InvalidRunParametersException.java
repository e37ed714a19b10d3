package dev.baton.control.pipeline;

import java.util.List;

/**
 * A run request's parameters do not fit its pipeline's declarations (see {@link RunParameters}). A
 * user error, not retriable: the request goes to the dead-letter topic with this message as the
 * reason, and no run starts. {@link #errors()} lists every problem as {@code <name>: <reason>}, e.g.
 * {@code batch: expected one path segment ... (got '../x')}.
 */
public class InvalidRunParametersException extends RuntimeException {
  private final List<String> errors;

  public InvalidRunParametersException(String pipeline, List<String> errors) {
    super("Cannot accept the parameters of a run of pipeline " + pipeline + ": " + String.join("; ", errors));
    this.errors = List.copyOf(errors);
  }

  /** Each problem, {@code <parameter name>: <reason>}. */
  public List<String> errors() {
    return errors;
  }
}
