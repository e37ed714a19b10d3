package dev.baton.schemas;

/**
 * The schema registry rejected the configured credentials (HTTP 401: authentication failed) or
 * does not allow them the request (HTTP 403: authorization failed). A user error, not retriable:
 * fix the registry user and password or bearer token, or the registry's ACLs. The message never
 * contains the password or token.
 */
public final class SchemaRegistryAuthException extends SchemaRegistryException {
  public SchemaRegistryAuthException(String message) {
    super(message);
  }
}
