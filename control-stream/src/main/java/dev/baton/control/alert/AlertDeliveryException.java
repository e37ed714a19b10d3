package dev.baton.control.alert;

import java.util.OptionalInt;

/**
 * An alert that {@link AlertWebhook} could not deliver: the endpoint answered with a status that is
 * not 2xx, or could not be reached, and retrying did not help (or was pointless, for a 4xx other
 * than 429). The message names the endpoint, the number of attempts and the last status or cause;
 * {@link #getCause()} is the last attempt's failure.
 */
public class AlertDeliveryException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final int statusCode;
  private final int attempts;

  AlertDeliveryException(String message, int statusCode, int attempts, Throwable cause) {
    super(message, cause);
    this.statusCode = statusCode;
    this.attempts = attempts;
  }

  /** The HTTP status of the last attempt, or empty when the last attempt got no response. */
  public OptionalInt statusCode() {
    return statusCode < 0 ? OptionalInt.empty() : OptionalInt.of(statusCode);
  }

  /** How many POSTs were sent (or started) before giving up, at least 1 (0 if closed before the first). */
  public int attempts() {
    return attempts;
  }
}
