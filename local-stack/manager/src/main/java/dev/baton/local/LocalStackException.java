package dev.baton.local;

/**
 * The local stack could not be started, probed or stopped. The message names the service and,
 * where there is one, its log file.
 */
public class LocalStackException extends RuntimeException {
  public LocalStackException(String message) {
    super(message);
  }

  public LocalStackException(String message, Throwable cause) {
    super(message, cause);
  }
}
