package dev.baton.cli;

import java.util.List;

/**
 * JSON that does not describe a valid event of the expected Avro schema. A user error, not
 * retriable: {@link #errors()} lists every problem found, each as {@code <field path>: <reason>},
 * e.g. {@code value.payload.stage: missing}; the message joins them with line breaks.
 */
final class InvalidEventJsonException extends IllegalArgumentException {
  private final List<String> errors;

  InvalidEventJsonException(List<String> errors) {
    super(String.join(System.lineSeparator(), errors));
    this.errors = List.copyOf(errors);
  }

  /** Every problem found, in field order, each {@code <field path>: <reason>}. */
  List<String> errors() {
    return errors;
  }
}
