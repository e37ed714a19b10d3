package dev.baton.control.state;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import java.util.Map;

/** An event as the run-state function sees it, decoded from {@code baton.objects} or {@code baton.control}. */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "kind")
@JsonSubTypes({
  @JsonSubTypes.Type(value = Input.ObjectArrived.class, name = "object-arrived"),
  @JsonSubTypes.Type(value = Input.RunRequested.class, name = "run-requested"),
  @JsonSubTypes.Type(value = Input.StageCompleted.class, name = "stage-completed"),
  @JsonSubTypes.Type(value = Input.ResumeRequested.class, name = "resume-requested"),
  @JsonSubTypes.Type(value = Input.CancelRequested.class, name = "cancel-requested"),
  @JsonSubTypes.Type(value = Input.Rejected.class, name = "rejected"),
  @JsonSubTypes.Type(value = Input.Tick.class, name = "tick"),
  @JsonSubTypes.Type(value = Input.ScheduleTick.class, name = "schedule-tick"),
  @JsonSubTypes.Type(value = Input.TablesUpdated.class, name = "tables-updated"),
  @JsonSubTypes.Type(value = Input.WaitingExpired.class, name = "waiting-expired"),
  @JsonSubTypes.Type(value = Input.RunQueued.class, name = "run-queued"),
  @JsonSubTypes.Type(value = Input.RunEnded.class, name = "run-ended"),
  @JsonSubTypes.Type(value = Input.RunAdmitted.class, name = "run-admitted"),
  @JsonSubTypes.Type(value = Input.AttemptQueued.class, name = "attempt-queued"),
  @JsonSubTypes.Type(value = Input.AttemptEnded.class, name = "attempt-ended"),
  @JsonSubTypes.Type(value = Input.AttemptAdmitted.class, name = "attempt-admitted")
})
public sealed interface Input {

  /**
   * An object of a pipeline's trigger folder arrived.
   *
   * @param eventTimeMs when it was written (the event's time), epoch ms; null when not known
   */
  record ObjectArrived(String eventId, String pipeline, String bucket, String key, String triggerKey, String batch,
      String file, Long eventTimeMs) implements Input {

    /** An arrival whose time is not known. */
    public ObjectArrived(String eventId, String pipeline, String bucket, String key, String triggerKey, String batch,
        String file) {
      this(eventId, pipeline, bucket, key, triggerKey, batch, file, null);
    }
  }

  /**
   * An explicit request to start a run.
   *
   * @param eventTimeMs when it was requested (the event's time), epoch ms; null when not known
   */
  record RunRequested(String eventId, String pipeline, String triggerKey, Map<String, String> params, Long eventTimeMs)
      implements Input {

    /** A request whose time is not known. */
    public RunRequested(String eventId, String pipeline, String triggerKey, Map<String, String> params) {
      this(eventId, pipeline, triggerKey, params, null);
    }
  }

  /**
   * A run of a pipeline with {@code maxActiveRuns} was queued: to the pipeline's run slots (state key {@code
   * slots:<pipeline>}), from the controller's own {@code RunQueued}.
   *
   * @param eventId the RunQueued event's id
   * @param triggeredAtMs when its trigger happened, epoch ms: queued runs are admitted oldest first
   * @param resumes the run's resume count (its RunAdmitted's event id names it)
   */
  record RunQueued(String eventId, String pipeline, String runId, long triggeredAtMs, int resumes) implements Input {}

  /**
   * A run ended (its {@code RunCompleted}): to the run slots of its pipeline if it has {@code maxActiveRuns},
   * freeing its slot or leaving the queue, and to every attempt pool, freeing its attempts' slots.
   */
  record RunEnded(String eventId, String pipeline, String runId, String status) implements Input {}

  /** The pipeline's run slots admitted this QUEUED run (its {@code RunAdmitted}): it starts. */
  record RunAdmitted(String eventId, String pipeline, int activeRuns) implements Input {}

  /**
   * An attempt whose pool has a limit was queued: to the pool's slots (state key {@code attempts:<pool>}), from
   * the controller's own {@code AttemptQueued}.
   *
   * @param priority the pipeline's priority
   * @param readyAtMs when the attempt became ready to launch, epoch ms
   */
  record AttemptQueued(String eventId, String pipeline, String runId, String stage, int attempt, String pool,
      int priority, long readyAtMs) implements Input {}

  /** An attempt whose pool has a limit completed (its {@code StageCompleted}): to the pool's slots, freeing its slot. */
  record AttemptEnded(String eventId, String pipeline, String runId, String stage, int attempt) implements Input {}

  /** The pool's slots admitted this QUEUED attempt (its {@code AttemptAdmitted}): it launches. */
  record AttemptAdmitted(String eventId, String pipeline, String stage, int attempt) implements Input {}

  /** A stage attempt finished. {@code status} is a {@code StageStatus} name. */
  record StageCompleted(String eventId, String pipeline, String stage, int attempt, String status, long startedAtMs,
      long finishedAtMs, String errorType, String errorMessage, String applicationId, String logUri) implements Input {

    /** A completion that names no application and no log. */
    public StageCompleted(String eventId, String pipeline, String stage, int attempt, String status, long startedAtMs,
        long finishedAtMs, String errorType, String errorMessage) {
      this(eventId, pipeline, stage, attempt, status, startedAtMs, finishedAtMs, errorType, errorMessage, null, null);
    }
  }

  /** An operator asks to resume a FAILED or CANCELLED run from its unfinished stages. */
  record ResumeRequested(String eventId, String pipeline, String requestedBy, String reason) implements Input {}

  /** An operator asks to cancel a WAITING, QUEUED or RUNNING run. */
  record CancelRequested(String eventId, String pipeline, String requestedBy, String reason) implements Input {}

  /**
   * A tick of a pipeline's schedule trigger came due: the run it names ({@code schedule/<tick>}) starts,
   * unless the tick was missed and the trigger's catch-up skips it. Made by the controller's clock from
   * the pipelines' schedules, never read from a topic.
   *
   * @param scheduledAtMs the tick, epoch ms
   */
  record ScheduleTick(String pipeline, long scheduledAtMs) implements Input {}

  /**
   * A table watched by {@code pipeline}'s tables trigger got a new snapshot: an output of a SUCCEEDED
   * attempt of another pipeline's run, from its {@code StageCompleted} event.
   *
   * @param eventId the StageCompleted event's id
   */
  record TablesUpdated(String eventId, String pipeline, String table, long snapshotId, String sourcePipeline,
      String sourceRunId) implements Input {}

  /** The run's timer fired: a retry back-off ended or an attempt may have timed out. */
  record Tick() implements Input {}

  /**
   * A WAITING run has waited {@code limitMs} since its first trigger file arrived without getting
   * the rest: it ends FAILED with a WAITING_EXPIRED alert. Made by the controller's timer, never read from a topic.
   *
   * @param limitMs the limit that passed, ms ({@code controller.waiting-timeout-ms})
   */
  record WaitingExpired(long limitMs) implements Input {}

  /** Bytes that could not be turned into an input; goes to the dead-letter topic. */
  record Rejected(String reason) implements Input {}
}
