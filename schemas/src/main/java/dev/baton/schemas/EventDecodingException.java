package dev.baton.schemas;

/**
 * Bytes that cannot be decoded into an event: wrong magic byte, unknown schema id, truncated or
 * corrupt Avro. The message is the reason recorded in the dead-letter topic. Not retriable: the
 * same bytes will fail the same way.
 */
public class EventDecodingException extends RuntimeException {
  public EventDecodingException(String message) {
    super(message);
  }

  public EventDecodingException(String message, Throwable cause) {
    super(message, cause);
  }
}
