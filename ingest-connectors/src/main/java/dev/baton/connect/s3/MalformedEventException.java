package dev.baton.connect.s3;

/** A queue message that is not an event Baton understands; the message names the offending field. */
final class MalformedEventException extends RuntimeException {
  MalformedEventException(String message) {
    super(message);
  }
}
