package dev.baton.control.state;

import dev.baton.control.pipeline.InvalidRunParametersException;
import dev.baton.control.pipeline.ObjectTrigger;
import dev.baton.control.pipeline.PipelineDefinition;
import dev.baton.control.pipeline.PipelineTrigger;
import dev.baton.control.pipeline.Pipelines;
import dev.baton.control.pipeline.RetryPolicy;
import dev.baton.control.pipeline.RunParameters;
import dev.baton.control.pipeline.ScheduleTrigger;
import dev.baton.control.pipeline.StageDefinition;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The run-state machine as a pure function: (pipeline, state, input, now) → (new state, commands,
 * or a rejection). No Spark, no I/O, no clock of its own, so every rule is unit-testable:
 *
 * <ul>
 *   <li>a run of a schedule starts at its tick ({@link Input.ScheduleTick}); a tick decided more than
 *       {@link ScheduleTrigger#MISSED_AFTER_MS} after its time (the controller was down) was missed, and
 *       starts its run per the trigger's {@link ScheduleTrigger.CatchUp}: always ({@code all}), only when
 *       no later tick is due yet ({@code latest}), or never ({@code none}); a skipped tick is reported
 *       as ignored ({@code missed-tick}) and leaves no state;
 *   <li>a run starts when all its trigger files have arrived, or on {@code RunRequested}, with the
 *       parameters {@link RunParameters#resolve} accepts; a request whose parameters it refuses
 *       (unknown, missing, of the wrong type or pattern, an unsafe batch id) is rejected, naming
 *       each parameter, and no run starts;
 *   <li>a stage launches only when every upstream stage of the same run SUCCEEDED;
 *   <li>a failed attempt is retried per the stage's {@link RetryPolicy} after a back-off; an attempt
 *       with no completion within the stage's timeout is LOST and retried the same way;
 *   <li>a stage that fails for good ends the run FAILED, and no further stage launches;
 *   <li>duplicate or stale completions (another attempt, a stage not running) change nothing, and
 *       are reported as ignored so they can be counted; a completion of an attempt that was never
 *       launched (a number above the stage's current attempt) is rejected, so it reaches the
 *       dead-letter topic with the stage's status instead of being lost among stale ones;
 *   <li>a trigger (trigger file or {@code RunRequested}) of a run that has ended starts nothing and
 *       raises a TRIGGER_AFTER_END alert (a re-uploaded file is not processed again: rerun the run);
 *   <li>a WAITING run whose files do not all arrive within the controller's waiting timeout ({@link
 *       Input.WaitingExpired}) ends FAILED, without failed stages, with the reason in its ledger row and
 *       a WAITING_EXPIRED alert; resuming it starts it with the files it has;
 *   <li>an operator may cancel a WAITING, QUEUED or RUNNING run (running attempts are cancelled) and resume
 *       a FAILED or CANCELLED one: stages that SUCCEEDED keep their outputs, the others run again
 *       with the next attempt numbers; any other request is an invalid transition (rejected);
 *   <li>a run still unfinished {@code slaMs} after it started raises one SLA_MISSED alert;
 *   <li>on a pipeline with {@code maxActiveRuns}, a triggered (or resumed) run is QUEUED instead of started,
 *       with a {@code RunQueued} for the pipeline's run slots ({@link Slots}); their {@link Input.RunAdmitted}
 *       starts it;
 *   <li>a run keeps the pipeline version it was created with ({@link RunState#pipelineDefinition}):
 *       every decision on it uses that version, whatever the pipeline's YAML says now; a resume
 *       starts it again on the current version. A run whose pipeline is deleted while it is open
 *       ends FAILED ({@link #pipelineDeleted}).
 * </ul>
 *
 * <p>Timers: after each transition, {@link #nextDeadlineMs} says when the run needs a {@link
 * Input.Tick} (a back-off ends, an attempt times out or the SLA passes). The controller's own limits
 * (waiting timeout, state and tombstone retention) are timed by the caller, which applies {@link
 * Input.WaitingExpired} when a WAITING run's limit passes.
 */
public final class RunTransitions {

  /** Error type of the attempts stopped because their run's pipeline was deleted while the run was open. */
  public static final String PIPELINE_DELETED = "PIPELINE_DELETED";
  /** Why a schedule's tick started no run: it was missed, and the trigger's catch-up skips it. */
  public static final String MISSED_TICK = "missed-tick";
  /** Error type of the attempts stopped because an unversioned run's pipeline lost or gained stages. */
  public static final String PIPELINE_CHANGED = "PIPELINE_CHANGED";

  private RunTransitions() {}

  /**
   * Ends an open (WAITING, QUEUED or RUNNING) run whose pipeline is no longer defined: the run FAILS,
   * running attempts are cancelled and recorded CANCELLED with error type {@value #PIPELINE_DELETED},
   * stages waiting to retry are cancelled, and a RUN_FAILED alert says why. An ended run is
   * returned unchanged.
   *
   * @param state the run's state (not null)
   * @param nowMs the controller's processing time, epoch ms
   */
  public static Transition pipelineDeleted(RunState state, long nowMs) {
    Objects.requireNonNull(state, "Invalid state: null");
    if (state.compacted() || state.status().isTerminal()) {
      return Transition.unchanged(state);
    }
    return failRun(state, PIPELINE_DELETED,
        "pipeline '" + state.pipeline() + "' is no longer defined (deleted while the run was open)", nowMs);
  }

  /** Fails an open run for a reason outside its stages: running attempts are cancelled, nothing further launches. */
  private static Transition failRun(RunState state, String errorType, String reason, long nowMs) {
    List<Command> commands = new ArrayList<>();
    Map<String, StageState> stages = new LinkedHashMap<>(state.stages());
    for (Map.Entry<String, StageState> entry : state.stages().entrySet()) {
      StageState stage = entry.getValue();
      if (stage.status() == StageRunStatus.RUNNING) {
        commands.add(new Command.CancelStage(state.runId(), state.pipeline(), entry.getKey(), stage.attempt()));
        commands.add(new Command.RecordStageAttempt(state.runId(), state.pipeline(), entry.getKey(), stage.attempt(),
            "CANCELLED", stage.launchedAtMs(), nowMs, errorType, reason));
      }
      if (stage.status() == StageRunStatus.QUEUED) { // never launched: its ledger row says QUEUED until now
        commands.add(new Command.RecordStageAttempt(state.runId(), state.pipeline(), entry.getKey(), stage.attempt(),
            "CANCELLED", null, nowMs, errorType, reason));
      }
      if (stage.status() == StageRunStatus.RUNNING || stage.status() == StageRunStatus.RETRY_WAIT
          || stage.status() == StageRunStatus.QUEUED) {
        stages.put(entry.getKey(), new StageState(StageRunStatus.CANCELLED, stage.attempt(), stage.launchedAtMs(), nowMs,
            errorType, reason, null, stage.retryBase()));
      }
    }
    RunState failed = state.withStages(RunStatus.FAILED, stages).withStatus(RunStatus.FAILED, state.startedAtMs(), nowMs);
    commands.add(recordRun(failed));
    commands.add(new Command.PublishRunCompleted(failed.runId(), failed.pipeline(), RunStatus.FAILED.name(), nowMs,
        failed.failedStages(), failed.resumes()));
    commands.add(new Command.PublishAlert("RUN_FAILED", failed.runId(), failed.pipeline(), null, null, nowMs,
        "Run " + failed.runId() + " of " + failed.pipeline() + " failed: " + reason));
    return new Transition(failed, commands);
  }

  /**
   * The outcome of applying one input.
   *
   * @param state the new state, or null when there is (still) no state for the run
   * @param commands what to do, in order
   * @param rejection when non-null, the input cannot be applied and goes to the dead-letter topic with this reason
   * @param ignored when non-null, the input changed nothing: {@code duplicate} or {@code stale}
   */
  public record Transition(RunState state, List<Command> commands, String rejection, String ignored) {
    public Transition {
      commands = List.copyOf(commands);
    }

    Transition(RunState state, List<Command> commands) {
      this(state, commands, null, null);
    }

    static Transition unchanged(RunState state) {
      return new Transition(state, List.of());
    }

    static Transition ignored(RunState state, String reason) {
      return new Transition(state, List.of(), null, reason);
    }

    static Transition rejected(RunState state, String reason) {
      return new Transition(state, List.of(), reason, null);
    }
  }

  /**
   * Applies {@code input} to the run {@code runId}.
   *
   * <p>The run decides on the pipeline version it keeps, not on {@code current}: {@code current}
   * becomes the version of a new run and of a resumed one, and of an open run whose state was
   * written before runs kept their version — unless that run's stages are no longer {@code
   * current}'s, in which case the run ends FAILED (error type {@value #PIPELINE_CHANGED}) and a
   * non-timer input is rejected.
   *
   * @param current the run's pipeline as currently defined
   * @param state current state, null for a run never seen
   * @param nowMs the controller's processing time, epoch ms
   */
  public static Transition apply(PipelineDefinition current, RunState state, String runId, Input input, long nowMs) {
    return apply(current, state, runId, input, nowMs, AttemptPools.none());
  }

  /**
   * {@link #apply(PipelineDefinition, RunState, String, Input, long)} where attempts of stages in a pool with a
   * limit ({@code pools}) are QUEUED with an {@code AttemptQueued} instead of launched, and launch on their
   * {@link Input.AttemptAdmitted}.
   */
  public static Transition apply(PipelineDefinition current, RunState state, String runId, Input input, long nowMs,
      AttemptPools pools) {
    Objects.requireNonNull(current, "Invalid pipeline: null");
    if (state != null && state.compacted()) {
      return onTombstone(state, input, nowMs);
    }
    if (input instanceof Input.ResumeRequested resume) {
      return onResume(current, state, resume, nowMs, pools); // a resume starts the run again, on the current version
    }
    if (state != null && state.pipelineDefinition() == null && !state.status().isTerminal()) {
      // state written before runs kept their version: the run takes the current one, if its stages still fit
      if (!state.stages().isEmpty() && !state.stages().keySet().equals(current.stagesByName().keySet())) {
        String reason = "pipeline '" + state.pipeline() + "' changed while the run was open: it now has stages "
            + current.stagesByName().keySet() + ", the run has " + state.stages().keySet()
            + " (the run started before runs kept their pipeline version; rerun it)";
        Transition failed = failRun(state, PIPELINE_CHANGED, reason, nowMs);
        return input instanceof Input.Tick ? failed
            : new Transition(failed.state(), failed.commands(), "run " + state.runId() + " failed: " + reason, null);
      }
      state = state.withPipelineVersion(current);
    }
    PipelineDefinition pipeline = state != null && state.pipelineDefinition() != null ? state.pipelineDefinition() : current;
    if (input instanceof Input.ObjectArrived object) {
      return onObject(pipeline, state, runId, object, nowMs, pools);
    }
    if (input instanceof Input.RunRequested request) {
      return onRunRequested(pipeline, state, runId, request, nowMs, pools);
    }
    if (input instanceof Input.ScheduleTick tick) {
      return onScheduleTick(pipeline, state, runId, tick, nowMs, pools);
    }
    if (input instanceof Input.StageCompleted completed) {
      return onStageCompleted(pipeline, state, completed, nowMs, pools);
    }
    if (input instanceof Input.Tick) {
      return onTick(pipeline, state, nowMs, pools);
    }
    if (input instanceof Input.CancelRequested cancel) {
      return onCancel(state, cancel, nowMs);
    }
    if (input instanceof Input.WaitingExpired expired) {
      return onWaitingExpired(pipeline, state, expired, nowMs);
    }
    if (input instanceof Input.RunAdmitted admitted) {
      return onRunAdmitted(pipeline, state, admitted, nowMs, pools);
    }
    if (input instanceof Input.AttemptAdmitted admitted) {
      return onAttemptAdmitted(pipeline, state, admitted, nowMs);
    }
    if (input instanceof Input.RunQueued || input instanceof Input.RunEnded || input instanceof Input.AttemptQueued
        || input instanceof Input.AttemptEnded) {
      return Transition.rejected(state, input.getClass().getSimpleName() + " is an input of a pipeline's run slots, not"
          + " of a run");
    }
    return Transition.rejected(state, ((Input.Rejected) input).reason());
  }

  /** An ended run past the state retention: only its identity and final status are left. */
  private static Transition onTombstone(RunState state, Input input, long nowMs) {
    if (input instanceof Input.ResumeRequested || input instanceof Input.CancelRequested) {
      return Transition.rejected(state, "run " + state.runId() + " ended " + state.status()
          + " longer ago than the controller's state retention and can no longer be resumed or cancelled; rerun it");
    }
    if (input instanceof Input.Rejected rejected) {
      return Transition.rejected(state, rejected.reason());
    }
    if (input instanceof Input.Tick || input instanceof Input.WaitingExpired) {
      return Transition.unchanged(state);
    }
    if (input instanceof Input.ScheduleTick) {
      return Transition.ignored(state, "duplicate");
    }
    if (input instanceof Input.ObjectArrived || input instanceof Input.RunRequested) {
      return triggerAfterEnd(state, input, nowMs);
    }
    return Transition.ignored(state, input instanceof Input.StageCompleted ? "stale" : "duplicate");
  }

  /**
   * A trigger of a run that has ended: it starts nothing (the runId is the same), so someone who
   * re-uploaded a file expecting it to be processed must be told.
   */
  private static Transition triggerAfterEnd(RunState state, Input trigger, long nowMs) {
    String what = trigger instanceof Input.ObjectArrived object
        ? "Trigger file s3://" + object.bucket() + "/" + object.key()
        : "RunRequested " + ((Input.RunRequested) trigger).eventId();
    String ended = state.completedAtMs() == null ? "" : " at " + java.time.Instant.ofEpochMilli(state.completedAtMs());
    String todo = state.compacted()
        ? "rerun it (it ended longer ago than the state retention and can no longer be resumed)"
        : state.status() == RunStatus.SUCCEEDED ? "rerun it" : "resume or rerun it";
    Command alert = new Command.PublishAlert("TRIGGER_AFTER_END", state.runId(), state.pipeline(), null, null, nowMs,
        what + " arrived for run " + state.runId() + " of " + state.pipeline() + ", which ended " + state.status() + ended
            + ": it does not start the run again; to process the batch again, " + todo);
    return new Transition(state, List.of(alert), null, "duplicate");
  }

  private static Transition onObject(PipelineDefinition pipeline, RunState state, String runId,
      Input.ObjectArrived object, long nowMs, AttemptPools pools) {
    ObjectTrigger trigger = pipeline.trigger();
    if (trigger == null || !trigger.requiredFiles().contains(object.file())) {
      return Transition.unchanged(state); // another file in the batch folder: not ours to act on
    }
    if (state != null && state.status().isTerminal()) {
      return triggerAfterEnd(state, object, nowMs);
    }
    boolean isNew = state == null;
    if (state == null) {
      // bucket, batchPrefix and the declared parameters' defaults follow from the batch
      Map<String, String> params;
      try {
        params = RunParameters.resolve(pipeline, Map.of(RunParameters.BATCH, object.batch()), object.triggerKey());
      } catch (InvalidRunParametersException e) {
        return Transition.rejected(null, e.getMessage());
      }
      state = RunState.waiting(runId, pipeline, object.triggerKey(), params, java.util.Set.of(), nowMs);
    }
    if (state.status() != RunStatus.WAITING || state.filesSeen().contains(object.file())) {
      return Transition.ignored(state, "duplicate"); // late or repeated file of a run already started
    }
    state = state.withFile(object.file());
    if (!state.filesSeen().containsAll(trigger.requiredFiles())) {
      // a new run waiting for the rest of its files: in the ledger, so operators see (and can cancel) it
      return isNew ? new Transition(state, List.of(recordRun(state))) : Transition.unchanged(state);
    }
    return start(pipeline, state, nowMs, null, object.eventTimeMs() == null ? nowMs : object.eventTimeMs(), pools);
  }

  private static Transition onRunRequested(PipelineDefinition pipeline, RunState state, String runId,
      Input.RunRequested request, long nowMs, AttemptPools pools) {
    if (state != null && state.status().isTerminal()) {
      return triggerAfterEnd(state, request, nowMs);
    }
    if (state != null && state.status() != RunStatus.WAITING) {
      return Transition.ignored(state, "duplicate"); // duplicate request of a run already started
    }
    // the batch already known from trigger files, overridden by the request's own parameters; the
    // built-ins that follow from the batch and the declared defaults are derived again
    Map<String, String> given = new LinkedHashMap<>();
    if (state != null && state.params().containsKey(RunParameters.BATCH)) {
      given.put(RunParameters.BATCH, state.params().get(RunParameters.BATCH));
    }
    given.putAll(request.params());
    String triggerKey = state == null ? request.triggerKey() : state.triggerKey();
    Map<String, String> params;
    try {
      params = RunParameters.resolve(pipeline, given, triggerKey);
    } catch (InvalidRunParametersException e) {
      return Transition.rejected(state, e.getMessage());
    }
    state = state == null
        ? RunState.waiting(runId, pipeline, request.triggerKey(), params, java.util.Set.of(), nowMs)
        : state.withParams(params);
    return start(pipeline, state, nowMs, null, request.eventTimeMs() == null ? nowMs : request.eventTimeMs(), pools);
  }

  /**
   * A schedule's tick: starts its run, unless the run exists already (the tick delivered again) or the
   * tick was missed and the trigger's catch-up skips it.
   */
  private static Transition onScheduleTick(PipelineDefinition pipeline, RunState state, String runId,
      Input.ScheduleTick tick, long nowMs, AttemptPools pools) {
    if (state != null) {
      return Transition.ignored(state, "duplicate");
    }
    ScheduleTrigger schedule = pipeline.schedule();
    if (schedule == null) {
      return Transition.ignored(null, "stale"); // the pipeline lost its schedule since the tick was made
    }
    java.time.Instant scheduled = java.time.Instant.ofEpochMilli(tick.scheduledAtMs());
    if (nowMs - tick.scheduledAtMs() > ScheduleTrigger.MISSED_AFTER_MS) {
      boolean skipped = switch (schedule.catchUp()) {
        case ALL -> false;
        case NONE -> true;
        case LATEST -> schedule.next(scheduled).filter(next -> next.toEpochMilli() <= nowMs).isPresent();
      };
      if (skipped) {
        return Transition.ignored(null, MISSED_TICK);
      }
    }
    String triggerKey = ScheduleTrigger.triggerKey(scheduled);
    Map<String, String> params;
    try {
      params = RunParameters.resolve(pipeline, Map.of(), triggerKey);
    } catch (InvalidRunParametersException e) {
      return Transition.rejected(null, e.getMessage());
    }
    // the first stages were ready at the tick, not when the controller got to it: launch latency counts from there
    return start(pipeline, RunState.waiting(runId, pipeline, triggerKey, params, java.util.Set.of(), nowMs), nowMs,
        tick.scheduledAtMs(), tick.scheduledAtMs(), pools);
  }

  /**
   * Starts a triggered run; on a pipeline with {@code maxActiveRuns}, queues it instead: QUEUED in the ledger, and a
   * {@code RunQueued} to the pipeline's run slots ({@link Slots}), which admit it when a slot is free.
   *
   * @param rootsReadyAtMs when the stages without upstream became runnable, epoch ms; null: when the run starts
   * @param triggeredAtMs when the trigger happened, epoch ms: the queue's order
   */
  private static Transition start(PipelineDefinition pipeline, RunState state, long nowMs, Long rootsReadyAtMs,
      long triggeredAtMs, AttemptPools pools) {
    if (pipeline.maxActiveRuns() == null) {
      return run(pipeline, state, nowMs, rootsReadyAtMs, pools);
    }
    return queued(state.withStatus(RunStatus.QUEUED, null, null), triggeredAtMs);
  }

  /** A run now QUEUED: its ledger row, and its {@code RunQueued} for the pipeline's run slots. */
  private static Transition queued(RunState queued, long triggeredAtMs) {
    return new Transition(queued, List.of(recordRun(queued), new Command.PublishRunQueued(queued.runId(),
        queued.pipeline(), queued.triggerKey(), triggeredAtMs, queued.resumes())));
  }

  /** A QUEUED run got a slot: it starts. Admitted again (or after it was cancelled), it is ignored. */
  private static Transition onRunAdmitted(PipelineDefinition pipeline, RunState state, Input.RunAdmitted admitted,
      long nowMs, AttemptPools pools) {
    if (state == null) {
      return Transition.rejected(null, "RunAdmitted for an unknown run");
    }
    String current = state.runId() + (state.resumes() == 0 ? "" : "/resume-" + state.resumes()) + "/admitted";
    if (!current.equals(admitted.eventId())) {
      return Transition.ignored(state, "stale"); // the admission of an earlier queueing (before a resume)
    }
    if (state.status() != RunStatus.QUEUED) {
      return Transition.ignored(state, state.status() == RunStatus.RUNNING ? "duplicate" : "stale");
    }
    // a resumed run keeps its stages (the SUCCEEDED ones are not run again); a new one has none yet
    return state.stages().isEmpty() ? run(pipeline, state, nowMs, null, pools)
        : continueResumed(pipeline, state.withStages(RunStatus.RUNNING, state.stages()), nowMs, pools);
  }

  /** @param rootsReadyAtMs when the stages without upstream became runnable, epoch ms; null: when the run starts */
  private static Transition run(PipelineDefinition pipeline, RunState state, long nowMs, Long rootsReadyAtMs,
      AttemptPools pools) {
    Map<String, StageState> stages = new LinkedHashMap<>();
    for (StageDefinition stage : pipeline.stages()) {
      stages.put(stage.name(), StageState.pending());
    }
    RunState running = state.withStages(RunStatus.RUNNING, stages).withStatus(RunStatus.RUNNING, nowMs, null);
    List<Command> commands = new ArrayList<>();
    commands.add(recordRun(running));
    running = launchRunnable(pipeline, running, nowMs, rootsReadyAtMs, commands, pools);
    return new Transition(running, commands);
  }

  /** Cancels a WAITING, QUEUED or RUNNING run: running attempts are stopped, nothing further launches. */
  private static Transition onCancel(RunState state, Input.CancelRequested cancel, long nowMs) {
    if (state == null) {
      return Transition.rejected(null, "cancel requested for an unknown run");
    }
    if (state.operatorRequests().contains(cancel.eventId())) {
      return Transition.ignored(state, "duplicate");
    }
    if (state.status().isTerminal()) {
      return Transition.rejected(state, "cannot cancel run " + state.runId() + ": it is already " + state.status());
    }
    String why = "cancelled by " + (cancel.requestedBy() == null ? "an operator" : cancel.requestedBy())
        + (cancel.reason() == null ? "" : ": " + cancel.reason());
    List<Command> commands = new ArrayList<>();
    Map<String, StageState> stages = new LinkedHashMap<>(state.stages());
    for (Map.Entry<String, StageState> entry : state.stages().entrySet()) {
      StageState stage = entry.getValue();
      if (stage.status() == StageRunStatus.RUNNING) {
        commands.add(new Command.CancelStage(state.runId(), state.pipeline(), entry.getKey(), stage.attempt()));
        commands.add(new Command.RecordStageAttempt(state.runId(), state.pipeline(), entry.getKey(), stage.attempt(),
            "CANCELLED", stage.launchedAtMs(), nowMs, "CANCELLED", why));
      }
      if (stage.status() == StageRunStatus.QUEUED) { // never launched: its ledger row says QUEUED until now
        commands.add(new Command.RecordStageAttempt(state.runId(), state.pipeline(), entry.getKey(), stage.attempt(),
            "CANCELLED", null, nowMs, "CANCELLED", why));
      }
      if (stage.status() == StageRunStatus.RUNNING || stage.status() == StageRunStatus.RETRY_WAIT
          || stage.status() == StageRunStatus.QUEUED) {
        stages.put(entry.getKey(), new StageState(StageRunStatus.CANCELLED, stage.attempt(), stage.launchedAtMs(), nowMs,
            "CANCELLED", why, null, stage.retryBase()));
      }
    }
    RunState cancelled = state.withStages(RunStatus.CANCELLED, stages)
        .withStatus(RunStatus.CANCELLED, state.startedAtMs(), nowMs)
        .withOperatorRequest(cancel.eventId(), state.resumes());
    commands.add(recordRun(cancelled));
    commands.add(new Command.PublishRunCompleted(cancelled.runId(), cancelled.pipeline(), RunStatus.CANCELLED.name(),
        nowMs, List.of(), cancelled.resumes()));
    return new Transition(cancelled, commands);
  }

  /**
   * Resumes a FAILED or CANCELLED run on {@code pipeline}'s current version (an operator who fixed
   * the pipeline's YAML resumes with the fix): SUCCEEDED stages keep their outputs and are not
   * launched again; FAILED, CANCELLED and never-started stages launch (when their upstream
   * SUCCEEDED) with the next attempt number and a fresh retry budget; stages the current version
   * no longer has are dropped.
   */
  private static Transition onResume(PipelineDefinition pipeline, RunState state, Input.ResumeRequested resume,
      long nowMs, AttemptPools pools) {
    if (state == null) {
      return Transition.rejected(null, "resume requested for an unknown run");
    }
    if (state.operatorRequests().contains(resume.eventId())) {
      return Transition.ignored(state, "duplicate");
    }
    if (state.status() != RunStatus.FAILED && state.status() != RunStatus.CANCELLED) {
      return Transition.rejected(state, "cannot resume run " + state.runId() + ": it is " + state.status()
          + " (only FAILED or CANCELLED runs resume)");
    }
    RunState resumed = state.withOperatorRequest(resume.eventId(), state.resumes() + 1).withPipelineVersion(pipeline);
    if (state.stages().isEmpty()) {
      return start(pipeline, resumed, nowMs, null, nowMs, pools); // cancelled while WAITING or QUEUED: start it now
    }
    Map<String, StageState> stages = new LinkedHashMap<>();
    for (StageDefinition definition : pipeline.stages()) {
      StageState stage = state.stages().getOrDefault(definition.name(), StageState.pending());
      switch (stage.status()) {
        case FAILED, CANCELLED, RETRY_WAIT, QUEUED -> stages.put(definition.name(),
            new StageState(StageRunStatus.PENDING, stage.attempt(), null, null, null, null, null, stage.attempt()));
        default -> stages.put(definition.name(), stage);
      }
    }
    if (pipeline.maxActiveRuns() != null) { // it waits for a slot like a new run, keeping what it has done
      return queued(resumed.withStages(RunStatus.QUEUED, stages).withStatus(RunStatus.QUEUED, state.startedAtMs(), null),
          nowMs);
    }
    return continueResumed(pipeline, resumed.withStages(RunStatus.RUNNING, stages), nowMs, pools);
  }

  /** A resumed run (its stages set for the resume) runs: its runnable stages launch. */
  private static Transition continueResumed(PipelineDefinition pipeline, RunState resumed, long nowMs,
      AttemptPools pools) {
    resumed = resumed.withStatus(RunStatus.RUNNING, resumed.startedAtMs() == null ? nowMs : resumed.startedAtMs(), null);
    List<Command> commands = new ArrayList<>();
    commands.add(recordRun(resumed));
    resumed = launchRunnable(pipeline, resumed, nowMs, commands, pools);
    return new Transition(completeIfDone(resumed, nowMs, commands), commands);
  }

  private static Transition onStageCompleted(PipelineDefinition pipeline, RunState state,
      Input.StageCompleted completed, long nowMs, AttemptPools pools) {
    if (state == null || state.status() == RunStatus.WAITING) {
      return Transition.rejected(state, "StageCompleted for unknown run (stage " + completed.stage() + ")");
    }
    StageState stage = state.stages().get(completed.stage());
    if (stage == null) {
      return Transition.rejected(state, "StageCompleted for unknown stage '" + completed.stage() + "' of pipeline "
          + pipeline.name());
    }
    if (stage.status() == StageRunStatus.CANCELLED && stage.attempt() == completed.attempt()
        && "SUCCEEDED".equals(completed.status())) {
      // cancelled too late: the attempt committed its output anyway; record that, so a resume skips it
      StageState done = new StageState(StageRunStatus.SUCCEEDED, stage.attempt(), stage.launchedAtMs(),
          completed.finishedAtMs(), null, null, null, stage.retryBase());
      RunState next = state.withStage(completed.stage(), done);
      return withApplication(new Transition(next, List.of(recordAttempt(next, completed.stage()))), completed);
    }
    if (completed.attempt() < 1 || completed.attempt() > stage.attempt()) {
      // not a late report of an attempt made here: a producer's error, or a job started outside Baton
      return Transition.rejected(state, "StageCompleted for attempt " + completed.attempt() + " of stage '"
          + completed.stage() + "' of run " + state.runId() + ", which was never launched (the stage is "
          + stage.status() + (stage.attempt() == 0 ? ", never launched" : " at attempt " + stage.attempt()) + ")");
    }
    if (stage.status() != StageRunStatus.RUNNING || stage.attempt() != completed.attempt()) {
      // the same attempt again after it was applied, or an attempt no longer current (LOST, cancelled, retried)
      boolean sameAttemptDone = stage.attempt() == completed.attempt()
          && (stage.status() == StageRunStatus.SUCCEEDED || stage.status() == StageRunStatus.FAILED
              || stage.status() == StageRunStatus.RETRY_WAIT) && stage.completedAtMs() != null
          && stage.completedAtMs() == completed.finishedAtMs();
      return Transition.ignored(state, sameAttemptDone ? "duplicate" : "stale");
    }
    List<Command> commands = new ArrayList<>();
    if (!"SUCCEEDED".equals(completed.status())) {
      String errorType = completed.errorType() != null ? completed.errorType() : completed.status();
      RunState next = failAttempt(pipeline, state, completed.stage(), completed.status(), completed.finishedAtMs(),
          errorType, completed.errorMessage(), nowMs, commands);
      return withApplication(new Transition(next, commands), completed);
    }
    StageState done = new StageState(StageRunStatus.SUCCEEDED, stage.attempt(), stage.launchedAtMs(),
        completed.finishedAtMs(), null, null, null, stage.retryBase());
    RunState next = state.withStage(completed.stage(), done);
    commands.add(recordAttempt(next, completed.stage()));
    if (next.status() != RunStatus.RUNNING) {
      return withApplication(new Transition(next, commands), completed); // a sibling finishing after the run failed
    }
    next = launchRunnable(pipeline, next, nowMs, commands, pools);
    return withApplication(new Transition(completeIfDone(next, nowMs, commands), commands), completed);
  }

  /** {@code transition} with the completed attempt's ledger row naming its application and log. */
  private static Transition withApplication(Transition transition, Input.StageCompleted completed) {
    if (completed.applicationId() == null && completed.logUri() == null) {
      return transition;
    }
    List<Command> commands = new ArrayList<>(transition.commands().size());
    for (Command command : transition.commands()) {
      commands.add(command instanceof Command.RecordStageAttempt row && row.stage().equals(completed.stage())
          && row.attempt() == completed.attempt() ? row.withApplication(completed.applicationId(), completed.logUri())
          : command);
    }
    return new Transition(transition.state(), commands);
  }

  /**
   * A WAITING run that did not get all its trigger files in time ends FAILED: no stage failed, so
   * the reason goes into its ledger row and a WAITING_EXPIRED alert. FAILED, not CANCELLED: nobody
   * asked for it, and the batch was not processed. A resume starts it with the files it has.
   */
  private static Transition onWaitingExpired(PipelineDefinition pipeline, RunState state, Input.WaitingExpired expired,
      long nowMs) {
    if (state == null || state.status() != RunStatus.WAITING) {
      return Transition.unchanged(state);
    }
    List<String> missing = pipeline.trigger() == null ? List.of() : pipeline.trigger().requiredFiles().stream()
        .filter(file -> !state.filesSeen().contains(file)).sorted().toList();
    String reason = "waited " + (nowMs - state.createdAtMs()) + " ms for its trigger files (limit " + expired.limitMs()
        + " ms, controller.waiting-timeout-ms); missing " + missing + ", arrived " + state.filesSeen();
    RunState failed = state.withStatus(RunStatus.FAILED, null, nowMs);
    List<Command> commands = new ArrayList<>();
    commands.add(recordRun(failed, reason));
    commands.add(new Command.PublishRunCompleted(failed.runId(), failed.pipeline(), RunStatus.FAILED.name(), nowMs,
        List.of(), failed.resumes()));
    commands.add(new Command.PublishAlert("WAITING_EXPIRED", failed.runId(), failed.pipeline(), null, null, nowMs,
        "Run " + failed.runId() + " of " + failed.pipeline() + " (" + failed.triggerKey() + ") ended FAILED: it " + reason
            + ". Upload the missing files, then resume it; or resume it to start with the files it has"));
    return new Transition(failed, commands);
  }

  /** Timers: launch retries whose back-off ended; declare attempts past their timeout LOST; the SLA. */
  private static Transition onTick(PipelineDefinition pipeline, RunState state, long nowMs, AttemptPools pools) {
    if (state == null || state.status() != RunStatus.RUNNING) {
      return Transition.unchanged(state);
    }
    List<Command> commands = new ArrayList<>();
    RunState next = state;
    Long slaDeadline = slaDeadlineMs(pipeline, state);
    if (slaDeadline != null && slaDeadline <= nowMs) {
      next = next.withSlaMissed();
      commands.add(new Command.PublishAlert("SLA_MISSED", state.runId(), state.pipeline(), null, null, nowMs,
          "Run " + state.runId() + " of " + state.pipeline() + " is still running " + (nowMs - state.startedAtMs())
              + " ms after it started (SLA " + pipeline.slaMs() + " ms); running: " + running(state)));
    }
    for (StageDefinition definition : pipeline.stages()) {
      StageState stage = next.stages().get(definition.name());
      if (next.status() != RunStatus.RUNNING) {
        break;
      }
      if (stage.status() == StageRunStatus.RUNNING && definition.timeoutMs() != null
          && stage.launchedAtMs() + definition.timeoutMs() <= nowMs) {
        next = failAttempt(pipeline, next, definition.name(), "LOST", nowMs, "LOST",
            "no completion within " + definition.timeoutMs() + " ms of the launch", nowMs, commands);
      } else if (stage.status() == StageRunStatus.RETRY_WAIT && stage.retryAtMs() <= nowMs) {
        next = launch(pipeline, next, definition.name(), stage.attempt() + 1, nowMs, stage.retryAtMs(), commands,
            pools);
      }
    }
    return new Transition(next, commands);
  }

  /** When the run's SLA passes, epoch ms; null when it has none, has not started, or was already alerted. */
  private static Long slaDeadlineMs(PipelineDefinition pipeline, RunState state) {
    if (pipeline.slaMs() == null || state.slaMissed() || state.startedAtMs() == null) {
      return null;
    }
    return state.startedAtMs() + pipeline.slaMs();
  }

  private static List<String> running(RunState state) {
    return state.stages().entrySet().stream().filter(e -> e.getValue().status() == StageRunStatus.RUNNING)
        .map(e -> e.getKey() + "#" + e.getValue().attempt()).toList();
  }

  /**
   * An attempt ended without success ({@code attemptStatus}: FAILED, CANCELLED or LOST): record it,
   * then wait to retry it, or fail the stage and the run.
   */
  private static RunState failAttempt(PipelineDefinition pipeline, RunState state, String stageName,
      String attemptStatus, long completedAtMs, String errorType, String errorMessage, long nowMs, List<Command> commands) {
    StageState stage = state.stages().get(stageName);
    commands.add(new Command.RecordStageAttempt(state.runId(), state.pipeline(), stageName, stage.attempt(),
        "LOST".equals(attemptStatus) || "CANCELLED".equals(attemptStatus) ? attemptStatus : "FAILED",
        stage.launchedAtMs(), completedAtMs, errorType, errorMessage));
    if ("LOST".equals(attemptStatus)) {
      // it may still be running somewhere (queued, hung): stop it so it cannot finish next to its retry
      commands.add(new Command.CancelStage(state.runId(), state.pipeline(), stageName, stage.attempt()));
      commands.add(new Command.PublishAlert("STAGE_LOST", state.runId(), state.pipeline(), stageName, stage.attempt(),
          nowMs, "Attempt " + stage.attempt() + " of " + stageName + " is lost: " + errorMessage));
    }
    // no definition: an unversioned run that already ended, whose pipeline lost the stage since
    RetryPolicy retry = pipeline.stage(stageName).map(StageDefinition::retry).orElse(RetryPolicy.NONE);
    boolean retried = state.status() == RunStatus.RUNNING && !"CANCELLED".equals(attemptStatus)
        && retry.retries(errorType, stage.attemptsSinceResume());
    if (retried) {
      long backoff = retry.backoffMs(state.runId(), stageName, stage.attempt());
      long retryAt = nowMs + backoff;
      commands.add(new Command.PublishAlert("STAGE_RETRIED", state.runId(), state.pipeline(), stageName,
          stage.attempt(), nowMs, "Attempt " + stage.attempt() + " of " + stageName + " failed (" + errorType
              + "); attempt " + (stage.attempt() + 1) + " (" + (stage.attemptsSinceResume() + 1) + " of "
          + retry.maxAttempts() + ") in " + backoff + " ms"));
      return state.withStage(stageName, new StageState(StageRunStatus.RETRY_WAIT, stage.attempt(), stage.launchedAtMs(),
          completedAtMs, errorType, errorMessage, retryAt, stage.retryBase()));
    }
    RunState next = state.withStage(stageName, new StageState(StageRunStatus.FAILED, stage.attempt(),
        stage.launchedAtMs(), completedAtMs, errorType, errorMessage, null, stage.retryBase()));
    if (next.status() != RunStatus.RUNNING) {
      return next; // a sibling failing after the run failed
    }
    for (Map.Entry<String, StageState> sibling : next.stages().entrySet()) {
      StageState queued = sibling.getValue();
      if (queued.status() == StageRunStatus.QUEUED) { // waiting for a slot: it will not launch
        commands.add(new Command.RecordStageAttempt(next.runId(), next.pipeline(), sibling.getKey(), queued.attempt(),
            "CANCELLED", null, nowMs, "RUN_FAILED", "stage " + stageName + " failed"));
        next = next.withStage(sibling.getKey(), new StageState(StageRunStatus.CANCELLED, queued.attempt(), null, nowMs,
            "RUN_FAILED", "stage " + stageName + " failed", null, queued.retryBase()));
      }
    }
    next = next.withStatus(RunStatus.FAILED, next.startedAtMs(), nowMs);
    commands.add(recordRun(next));
    commands.add(new Command.PublishRunCompleted(next.runId(), next.pipeline(), RunStatus.FAILED.name(), nowMs,
        next.failedStages(), next.resumes()));
    commands.add(new Command.PublishAlert("RUN_FAILED", next.runId(), next.pipeline(), stageName, stage.attempt(), nowMs,
        "Run " + next.runId() + " of " + next.pipeline() + " failed at stage " + stageName + " (attempt "
            + stage.attempt() + ", " + errorType + "): " + errorMessage));
    return next;
  }

  private static RunState completeIfDone(RunState state, long nowMs, List<Command> commands) {
    boolean allSucceeded = state.stages().values().stream().allMatch(s -> s.status() == StageRunStatus.SUCCEEDED);
    if (!allSucceeded) {
      return state;
    }
    RunState done = state.withStatus(RunStatus.SUCCEEDED, state.startedAtMs(), nowMs);
    commands.add(recordRun(done));
    commands.add(new Command.PublishRunCompleted(done.runId(), done.pipeline(), RunStatus.SUCCEEDED.name(), nowMs,
        List.of(), done.resumes()));
    return done;
  }

  /**
   * The requests a run's success makes: one {@link Command.RequestRun} per pipeline whose pipeline
   * trigger names the run's pipeline, with the trigger key {@link PipelineTrigger#triggerKey} (so the
   * downstream run is the same however often the success is reported) and the parameters the trigger
   * maps from the run's.
   *
   * @param succeeded the run, SUCCEEDED
   */
  public static List<Command> downstreamRequests(Pipelines pipelines, RunState succeeded) {
    List<Command> requests = new ArrayList<>();
    for (PipelineDefinition downstream : pipelines.triggeredBy(succeeded.pipeline())) {
      String triggerKey = PipelineTrigger.triggerKey(succeeded.pipeline(), succeeded.runId());
      requests.add(new Command.RequestRun(dev.baton.schemas.RunIds.of(downstream.name(), triggerKey), downstream.name(),
          triggerKey, downstream.upstream().paramsFrom(succeeded.params()),
          "pipeline " + succeeded.pipeline() + " run " + succeeded.runId()));
    }
    return requests;
  }

  /**
   * When the run next needs a {@link Input.Tick}: the earliest retry time or attempt deadline,
   * epoch ms; null when nothing is pending (or the run has ended). Per the run's own pipeline
   * version; {@code current} only for state written before runs kept one.
   */
  public static Long nextDeadlineMs(PipelineDefinition current, RunState state) {
    if (state == null || state.status() != RunStatus.RUNNING) {
      return null;
    }
    PipelineDefinition pipeline = state.pipelineDefinition() != null ? state.pipelineDefinition() : current;
    Long earliest = slaDeadlineMs(pipeline, state);
    for (StageDefinition definition : pipeline.stages()) {
      StageState stage = state.stages().get(definition.name());
      Long deadline = null;
      if (stage == null) {
        continue; // an unversioned run whose pipeline changed: it fails on its next input
      } else if (stage.status() == StageRunStatus.RETRY_WAIT) {
        deadline = stage.retryAtMs();
      } else if (stage.status() == StageRunStatus.RUNNING && definition.timeoutMs() != null) {
        deadline = stage.launchedAtMs() + definition.timeoutMs();
      }
      if (deadline != null && (earliest == null || deadline < earliest)) {
        earliest = deadline;
      }
    }
    return earliest;
  }

  /** Launches every PENDING stage whose upstream stages all SUCCEEDED, in pipeline order. */
  private static RunState launchRunnable(PipelineDefinition pipeline, RunState state, long nowMs, List<Command> commands,
      AttemptPools pools) {
    return launchRunnable(pipeline, state, nowMs, null, commands, pools);
  }

  /**
   * @param rootsReadyAtMs when the stages without upstream became runnable, epoch ms (a schedule's tick); null: when
   *     the run started
   */
  private static RunState launchRunnable(PipelineDefinition pipeline, RunState state, long nowMs, Long rootsReadyAtMs,
      List<Command> commands, AttemptPools pools) {
    for (StageDefinition stage : pipeline.stages()) {
      StageState current = state.stages().get(stage.name());
      if (current.status() != StageRunStatus.PENDING) {
        continue;
      }
      Map<String, StageState> stages = state.stages();
      boolean ready = stage.dependsOn().stream()
          .allMatch(upstream -> stages.get(upstream).status() == StageRunStatus.SUCCEEDED);
      if (!ready) {
        continue;
      }
      long readyAt = stage.dependsOn().stream().mapToLong(upstream -> stages.get(upstream).completedAtMs())
          .max().orElse(rootsReadyAtMs != null ? rootsReadyAtMs : state.startedAtMs() == null ? nowMs : state.startedAtMs());
      state = launch(pipeline, state, stage.name(), current.attempt() + 1, nowMs, readyAt, commands, pools);
    }
    return state;
  }

  /**
   * Launches attempt {@code attempt} of {@code stage}; when its pool has a limit ({@code pools}), queues it instead:
   * QUEUED in the ledger and an {@code AttemptQueued} for the pool's slots, which admit it ({@link
   * #onAttemptAdmitted}).
   */
  private static RunState launch(PipelineDefinition pipeline, RunState state, String stage, int attempt, long nowMs,
      long readyAtMs, List<Command> commands, AttemptPools pools) {
    StageDefinition definition = pipeline.stage(stage).orElseThrow();
    java.util.Optional<String> pool = pools.poolOf(definition);
    if (pool.isPresent()) {
      RunState next = state.withStage(stage, new StageState(StageRunStatus.QUEUED, attempt, null, null, null, null,
          null, state.stages().get(stage).retryBase()));
      commands.add(new Command.PublishAttemptQueued(next.runId(), next.pipeline(), stage, attempt, pool.get(),
          pipeline.priorityOrDefault(), readyAtMs));
      commands.add(recordAttempt(next, stage));
      return next;
    }
    return launchNow(pipeline, state, stage, attempt, nowMs, readyAtMs, commands);
  }

  private static RunState launchNow(PipelineDefinition pipeline, RunState state, String stage, int attempt, long nowMs,
      long readyAtMs, List<Command> commands) {
    RunState next = state.withStage(stage, new StageState(StageRunStatus.RUNNING, attempt, nowMs, null, null, null, null,
        state.stages().get(stage).retryBase()));
    commands.add(new Command.LaunchStage(next.runId(), next.pipeline(), stage, attempt, next.params(), nowMs, readyAtMs,
        pipeline.stage(stage).orElseThrow(), next.pipelineVersion()));
    commands.add(recordAttempt(next, stage));
    return next;
  }

  /**
   * A QUEUED attempt got a slot of its pool: it launches, ready since its admission (the launch latency does not
   * count the wait for a slot). Admitted again, or after it stopped being QUEUED (its run was cancelled or failed),
   * it is ignored.
   */
  private static Transition onAttemptAdmitted(PipelineDefinition pipeline, RunState state,
      Input.AttemptAdmitted admitted, long nowMs) {
    if (state == null) {
      return Transition.rejected(null, "AttemptAdmitted for an unknown run (stage " + admitted.stage() + ")");
    }
    StageState stage = state.stages().get(admitted.stage());
    if (stage == null || stage.attempt() != admitted.attempt() || stage.status() != StageRunStatus.QUEUED
        || state.status() != RunStatus.RUNNING) {
      boolean launched = stage != null && stage.attempt() == admitted.attempt() && stage.status() != StageRunStatus.QUEUED;
      return Transition.ignored(state, launched && stage.status() == StageRunStatus.RUNNING ? "duplicate" : "stale");
    }
    List<Command> commands = new ArrayList<>();
    RunState next = launchNow(pipeline, state, admitted.stage(), admitted.attempt(), nowMs, nowMs, commands);
    return new Transition(next, commands);
  }

  private static Command.RecordRun recordRun(RunState state) {
    return recordRun(state, null);
  }

  private static Command.RecordRun recordRun(RunState state, String reason) {
    return new Command.RecordRun(state.runId(), state.pipeline(), state.triggerKey(), state.status().name(),
        state.startedAtMs(), state.completedAtMs(), state.failedStages(), state.params(), state.resumes(),
        state.pipelineVersion(), reason);
  }

  private static Command.RecordStageAttempt recordAttempt(RunState state, String stage) {
    StageState s = state.stages().get(stage);
    return new Command.RecordStageAttempt(state.runId(), state.pipeline(), stage, s.attempt(), s.status().name(),
        s.launchedAtMs(), s.completedAtMs(), s.errorType(), s.errorMessage());
  }
}
