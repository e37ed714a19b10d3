package dev.baton.connect.s3;

import dev.baton.schemas.event.ControlEvent;
import dev.baton.schemas.event.ObjectCreated;

/** What one event of a queue message means to Baton (see {@link QueueMessageParser}). */
sealed interface ParsedEvent {

  /** An object was created: becomes an {@code ObjectCreated} (or a flag file's StageCompleted). */
  record ObjectEvent(ObjectCreated event) implements ParsedEvent {}

  /** A job carrying Baton's identity ended: becomes a {@code StageCompleted} on the control topic. */
  record StageEvent(ControlEvent event) implements ParsedEvent {}

  /** Nothing to do (an S3 test event, a non-terminal job state, an object removal); the reason is logged. */
  record Skipped(String reason) implements ParsedEvent {}

  /** Understood but not routable (a job without Baton's identity): goes to the DLQ with the reason. */
  record Unroutable(String reason) implements ParsedEvent {}
}
