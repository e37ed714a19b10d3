package dev.baton.schemas;

import dev.baton.schemas.event.AttemptAdmitted;
import dev.baton.schemas.event.AttemptQueued;
import dev.baton.schemas.event.ControlEvent;
import dev.baton.schemas.event.RunAdmitted;
import dev.baton.schemas.event.RunCancelRequested;
import dev.baton.schemas.event.RunQueued;
import dev.baton.schemas.event.RunCompleted;
import dev.baton.schemas.event.RunResumeRequested;
import dev.baton.schemas.event.RunRequested;
import dev.baton.schemas.event.StageCompleted;
import dev.baton.schemas.event.StageLaunched;
import java.time.Instant;
import java.util.UUID;

/**
 * Builds {@link ControlEvent} envelopes with deterministic event ids where the event has a natural
 * identity, so a re-published event deduplicates: {@code <runId>/<stage>/<attempt>/launched},
 * {@code <runId>/<stage>/<attempt>/completed}, {@code <runId>/completed} (after the n-th resume:
 * {@code <runId>/resume-<n>/completed}, since a resumed run completes again), {@code <runId>/queued} and
 * {@code <runId>/admitted} (after the n-th resume: {@code <runId>/resume-<n>/queued}, ...), {@code
 * <runId>/<stage>/<attempt>/queued} and {@code .../admitted}. Requests from
 * people (run, resume, cancel) carry random ids.
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

  /** Envelope for a {@link RunCompleted} of a run never resumed. */
  public static ControlEvent runCompleted(String runId, String pipeline, RunCompleted completed) {
    return runCompleted(runId, pipeline, completed, 0);
  }

  /** Envelope for a {@link RunCompleted} after {@code resumes} resumes of the run. */
  public static ControlEvent runCompleted(String runId, String pipeline, RunCompleted completed, int resumes) {
    return envelope(runId + (resumes == 0 ? "" : "/resume-" + resumes) + "/completed", runId, pipeline,
        completed.getCompletedAt(), completed);
  }

  /** Envelope for a {@link RunQueued} of a run after {@code resumes} resumes; at the trigger's time. */
  public static ControlEvent runQueued(String runId, String pipeline, RunQueued queued, int resumes) {
    return envelope(runId + (resumes == 0 ? "" : "/resume-" + resumes) + "/queued", runId, pipeline,
        queued.getTriggeredAt(), queued);
  }

  /** Envelope for a {@link RunAdmitted} of a run after {@code resumes} resumes. */
  public static ControlEvent runAdmitted(String runId, String pipeline, RunAdmitted admitted, int resumes, Instant time) {
    return envelope(runId + (resumes == 0 ? "" : "/resume-" + resumes) + "/admitted", runId, pipeline, time, admitted);
  }

  /** Envelope for an {@link AttemptQueued}; at the time the attempt became ready. */
  public static ControlEvent attemptQueued(String runId, String pipeline, AttemptQueued queued) {
    return envelope(runId + "/" + queued.getStage() + "/" + queued.getAttempt() + "/queued", runId, pipeline,
        queued.getReadyAt(), queued);
  }

  /** Envelope for an {@link AttemptAdmitted}. */
  public static ControlEvent attemptAdmitted(String runId, String pipeline, AttemptAdmitted admitted, Instant time) {
    return envelope(runId + "/" + admitted.getStage() + "/" + admitted.getAttempt() + "/admitted", runId, pipeline, time,
        admitted);
  }

  /** Envelope for an operator request ({@link RunResumeRequested}, {@link RunCancelRequested}); random event id. */
  public static ControlEvent operatorRequest(String runId, String pipeline, Object request, Instant time) {
    if (!(request instanceof RunResumeRequested) && !(request instanceof RunCancelRequested)) {
      throw new IllegalArgumentException("Invalid operator request: " + (request == null ? "null" : request.getClass().getName()));
    }
    return envelope(UUID.randomUUID().toString(), runId, pipeline, time, request);
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
