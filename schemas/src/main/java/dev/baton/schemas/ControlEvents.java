package dev.baton.schemas;

import dev.baton.schemas.event.ControlEvent;
import dev.baton.schemas.event.RunCompleted;
import dev.baton.schemas.event.RunRequested;
import dev.baton.schemas.event.StageCompleted;
import dev.baton.schemas.event.StageLaunched;
import java.time.Instant;
import java.util.UUID;

/**
 * Builds {@link ControlEvent} envelopes with deterministic event ids where the event has a natural
 * identity, so a re-published event deduplicates: {@code <runId>/<stage>/<attempt>/launched},
 * {@code <runId>/<stage>/<attempt>/completed}, {@code <runId>/completed}.
 */
public final class ControlEvents {
  private ControlEvents() {}

  /** Envelope for a {@link StageLaunched}. */
  public static ControlEvent launched(String runId, String pipeline, StageLaunched launched) {
    return envelope(runId + "/" + launched.getStage() + "/" + launched.getAttempt() + "/launched",
        runId, pipeline, launched.getLaunchedAt(), launched);
  }

  /** Envelope for a {@link StageCompleted}. */
  public static ControlEvent completed(String runId, String pipeline, StageCompleted completed) {
    return envelope(runId + "/" + completed.getStage() + "/" + completed.getAttempt() + "/completed",
        runId, pipeline, completed.getFinishedAt(), completed);
  }

  /** Envelope for a {@link RunCompleted}. */
  public static ControlEvent runCompleted(String runId, String pipeline, RunCompleted completed) {
    return envelope(runId + "/completed", runId, pipeline, completed.getCompletedAt(), completed);
  }

  /** Envelope for a {@link RunRequested}; requests carry a random event id. */
  public static ControlEvent requested(String runId, String pipeline, RunRequested requested, Instant time) {
    return envelope(UUID.randomUUID().toString(), runId, pipeline, time, requested);
  }

  private static ControlEvent envelope(String eventId, String runId, String pipeline, Instant time, Object payload) {
    return ControlEvent.newBuilder()
        .setEventId(eventId)
        .setRunId(runId)
        .setPipeline(pipeline)
        .setTime(time)
        .setPayload(payload)
        .build();
  }
}
