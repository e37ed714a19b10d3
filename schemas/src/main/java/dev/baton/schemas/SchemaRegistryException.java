package dev.baton.schemas;

/**
 * A schema registry server could not answer a request: the registry refused it (an invalid or
 * incompatible schema, HTTP 409 or 422), or its answer could not be read. Unchecked, and not an
 * {@link EventDecodingException}: the event is not at fault, so it must not be dead-lettered.
 *
 * <p>Subclasses say who is at fault: {@link SchemaRegistryAuthException} (the configured
 * credentials, a user error) and {@link SchemaRegistryUnavailableException} (the registry or the
 * network, retriable). A registry that does not know the schema or id asked for answers with
 * {@link UnknownSchemaException} instead.
 */
public class SchemaRegistryException extends RuntimeException {
  public SchemaRegistryException(String message) {
    super(message);
  }

  public SchemaRegistryException(String message, Throwable cause) {
    super(message, cause);
  }

  /**
   * Whether the same request may succeed later without a change of configuration or schema.
   * {@code false} here; {@code true} for {@link SchemaRegistryUnavailableException}.
   */
  public boolean isRetriable() {
    return false;
  }
}
