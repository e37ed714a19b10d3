package dev.baton.schemas;

/**
 * The schema registry could not be reached or failed on its side (an I/O error, a timeout, HTTP
 * 429 or 5xx). Retriable: the same request may succeed later, so callers back off and retry
 * rather than dead-letter the event.
 */
public final class SchemaRegistryUnavailableException extends SchemaRegistryException {
  public SchemaRegistryUnavailableException(String message) {
    super(message);
  }

  public SchemaRegistryUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }

  /** Always {@code true}. */
  @Override
  public boolean isRetriable() {
    return true;
  }
}
