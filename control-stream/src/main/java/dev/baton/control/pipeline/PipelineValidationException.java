package dev.baton.control.pipeline;

import java.util.List;

/**
 * A pipeline definition is invalid. A user error, not retriable. {@link #errors()} lists every
 * problem as {@code <field path>: <reason>}, e.g. {@code stages[3].dependsOn[0]: unknown stage 'orders'}.
 */
public class PipelineValidationException extends RuntimeException {
  private final List<String> errors;

  public PipelineValidationException(String source, List<String> errors) {
    super("Invalid pipeline " + source + ":\n  " + String.join("\n  ", errors));
    this.errors = List.copyOf(errors);
  }

  /** Each problem, {@code <path>: <reason>}. */
  public List<String> errors() {
    return errors;
  }
}
