package dev.baton.control.state;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import dev.baton.control.pipeline.StageDefinition;
import java.util.List;
import java.util.Map;

/** What the run-state function decided; executed by the controller in {@code foreachBatch}. */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "kind")
@JsonSubTypes({
  @JsonSubTypes.Type(value = Command.LaunchStage.class, name = "launch-stage"),
  @JsonSubTypes.Type(value = Command.CancelStage.class, name = "cancel-stage"),
  @JsonSubTypes.Type(value = Command.CountIgnored.class, name = "count-ignored"),
  @JsonSubTypes.Type(value = Command.RecordRun.class, name = "record-run"),
  @JsonSubTypes.Type(value = Command.RecordStageAttempt.class, name = "record-stage-attempt"),
  @JsonSubTypes.Type(value = Command.PublishRunCompleted.class, name = "publish-run-completed"),
  @JsonSubTypes.Type(value = Command.DeadLetter.class, name = "dead-letter"),
  @JsonSubTypes.Type(value = Command.PublishAlert.class, name = "publish-alert"),
  @JsonSubTypes.Type(value = Command.RequestRun.class, name = "request-run"),
  @JsonSubTypes.Type(value = Command.PublishRunQueued.class, name = "publish-run-queued"),
  @JsonSubTypes.Type(value = Command.PublishRunAdmitted.class, name = "publish-run-admitted"),
  @JsonSubTypes.Type(value = Command.PublishAttemptQueued.class, name = "publish-attempt-queued"),
  @JsonSubTypes.Type(value = Command.PublishAttemptAdmitted.class, name = "publish-attempt-admitted")
})
public sealed interface Command {

  /**
   * Launch attempt {@code attempt} of {@code stage}; idempotent on (runId, stage, attempt).
   *
   * @param launchedAtMs when the decision was made, epoch ms
   * @param readyAtMs when the stage became runnable: its last upstream finished, the run started (for a
   *     schedule's run: its tick), or its retry back-off ended, epoch ms
   * @param definition the stage as the run's pipeline version defines it (type, options), which is
   *     what launches, whatever the pipeline's YAML says now
   * @param pipelineVersion the content hash of that pipeline version, or null when the run's state does not
   *     know it (written before runs kept their version)
   */
  record LaunchStage(String runId, String pipeline, String stage, int attempt, Map<String, String> params,
      long launchedAtMs, long readyAtMs, StageDefinition definition, String pipelineVersion) implements Command {}

  /**
   * Publish a {@code RunRequested} for a run of another pipeline (one whose pipeline trigger names this
   * run's pipeline, after this run SUCCEEDED); that run starts when the controller reads it, through the
   * same checks as any request. Publishing it again (a replayed micro-batch) starts nothing more: the
   * runId derives from {@code triggerKey}.
   *
   * @param requestedBy who asks, for the request's record: {@code pipeline <upstream> run <runId>}
   */
  record RequestRun(String runId, String pipeline, String triggerKey, Map<String, String> params, String requestedBy)
      implements Command {}

  /**
   * Publish {@code RunQueued}: the run waits for one of its pipeline's {@code maxActiveRuns} slots. Its event
   * id is deterministic ({@code <runId>/queued}), and the pipeline's run slots ignore a run already queued.
   *
   * @param triggeredAtMs when its trigger happened, epoch ms
   */
  record PublishRunQueued(String runId, String pipeline, String triggerKey, long triggeredAtMs, int resumes)
      implements Command {}

  /**
   * Publish {@code RunAdmitted}: the QUEUED run got a slot and starts when the controller reads it. Its event
   * id is deterministic ({@code <runId>/admitted}); a run no longer QUEUED ignores it.
   *
   * @param activeRuns the pipeline's runs holding a slot, this one included
   */
  record PublishRunAdmitted(String runId, String pipeline, int activeRuns, int resumes, long atMs) implements Command {}

  /**
   * Publish {@code AttemptQueued}: the attempt waits for a slot of its pool ({@link AttemptPools}); its event id is
   * deterministic ({@code <runId>/<stage>/<attempt>/queued}).
   *
   * @param readyAtMs when it became ready to launch, epoch ms
   */
  record PublishAttemptQueued(String runId, String pipeline, String stage, int attempt, String pool, int priority,
      long readyAtMs) implements Command {}

  /**
   * Publish {@code AttemptAdmitted}: the QUEUED attempt got a slot of its pool and launches when the controller
   * reads it; its event id is deterministic ({@code <runId>/<stage>/<attempt>/admitted}).
   *
   * @param activeAttempts the pool's attempts holding a slot, this one included
   */
  record PublishAttemptAdmitted(String runId, String pipeline, String stage, int attempt, String pool,
      int activeAttempts, long atMs) implements Command {}

  /**
   * Stop attempt {@code attempt} of {@code stage} if it still runs (the run was cancelled, or the
   * attempt was declared LOST and must not finish later next to its retry).
   */
  record CancelStage(String runId, String pipeline, String stage, int attempt) implements Command {}

  /**
   * An input changed nothing; count it and log it at INFO.
   *
   * @param reason {@code duplicate} (delivered again), {@code stale} (an older attempt, a run already ended) or
   *     {@code missed-tick} (a schedule's tick decided late, which its catch-up skips)
   * @param runId the run the input was for
   * @param input the input's kind, e.g. {@code StageCompleted}
   * @param detail what the input was and what the run's state made of it, for the log
   */
  record CountIgnored(String reason, String runId, String input, String detail) implements Command {}

  /**
   * Upsert the run's row in the ledger table {@code baton_system.runs}.
   *
   * @param params the run's parameters (what a rerun repeats)
   * @param resumes how many times the run was resumed
   * @param pipelineVersion the content hash of the pipeline version the run decides on ({@code
   *     PipelineVersions#hash}), or null when not known (state written before runs kept their version)
   * @param reason why the run ended when no failed stage says it (a WAITING run that expired), else null
   */
  record RecordRun(String runId, String pipeline, String triggerKey, String status, Long startedAtMs,
      Long completedAtMs, List<String> failedStages, Map<String, String> params, int resumes, String pipelineVersion,
      String reason)
      implements Command {}

  /**
   * Upsert the attempt's row in the ledger table {@code baton_system.stage_attempts}. {@code launcher},
   * {@code applicationId} and {@code logUri} are null when this decision does not know them; the row
   * keeps what an earlier decision recorded.
   */
  record RecordStageAttempt(String runId, String pipeline, String stage, int attempt, String status,
      Long launchedAtMs, Long completedAtMs, String errorType, String errorMessage, String launcher,
      String applicationId, String logUri) implements Command {

    /** A row that names no launcher, application or log. */
    public RecordStageAttempt(String runId, String pipeline, String stage, int attempt, String status,
        Long launchedAtMs, Long completedAtMs, String errorType, String errorMessage) {
      this(runId, pipeline, stage, attempt, status, launchedAtMs, completedAtMs, errorType, errorMessage, null, null, null);
    }

    /** This row with the launcher profile that runs the attempt. */
    public RecordStageAttempt withLauncher(String launcherName) {
      return new RecordStageAttempt(runId, pipeline, stage, attempt, status, launchedAtMs, completedAtMs, errorType,
          errorMessage, launcherName, applicationId, logUri);
    }

    /** This row with the application that ran the attempt and its log, as its completion names them. */
    public RecordStageAttempt withApplication(String application, String log) {
      return new RecordStageAttempt(runId, pipeline, stage, attempt, status, launchedAtMs, completedAtMs, errorType,
          errorMessage, launcher, application, log);
    }
  }

  /**
   * Publish {@code RunCompleted} on the control topic.
   *
   * @param resumes the run's resume count, part of the event id (a resumed run completes again)
   */
  record PublishRunCompleted(String runId, String pipeline, String status, long completedAtMs,
      List<String> failedStages, int resumes) implements Command {}

  /**
   * Publish an {@code Alert} on the alerts topic.
   *
   * @param kind an {@code AlertKind} name: RUN_FAILED, STAGE_RETRIED, STAGE_LOST, SLA_MISSED,
   *     TRIGGER_AFTER_END, WAITING_EXPIRED
   * @param stage the stage concerned, or null for the run
   * @param attempt the attempt concerned, or null
   */
  record PublishAlert(String kind, String runId, String pipeline, String stage, Integer attempt, long atMs,
      String message) implements Command {}

  /** Write the original record to the dead-letter topic with the reason. */
  record DeadLetter(String reason, String topic, int partition, long offset, byte[] key, byte[] value)
      implements Command {}
}
