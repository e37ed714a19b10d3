package dev.baton.schemas;

/** No schema is registered under the id (or for the schema) that was asked for. A user error: not retriable. */
public class UnknownSchemaException extends EventDecodingException {
  public UnknownSchemaException(String message) {
    super(message);
  }
}
