package dev.baton.control.stream;

import dev.baton.control.pipeline.PipelineDefinition;
import dev.baton.control.pipeline.Pipelines;
import dev.baton.control.state.Command;
import dev.baton.control.state.Input;
import dev.baton.control.state.AttemptPools;
import dev.baton.control.state.Slots;
import dev.baton.control.state.RunState;
import dev.baton.control.state.RunStatus;
import dev.baton.control.state.RunTransitions;
import dev.baton.control.state.StageState;
import dev.baton.control.state.TablesTriggerState;
import dev.baton.control.state.TablesTriggers;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.spark.api.java.function.FlatMapGroupsWithStateFunction;
import org.apache.spark.sql.streaming.GroupState;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The stateful step: for one runId, applies the micro-batch's inputs in Kafka order to the run's
 * state (kept in the state store as JSON) with {@link RunTransitions}, and emits the resulting
 * commands as JSON. Rejected inputs become dead-letter commands; ignored ones a count-and-log
 * command naming the run, the input and why. A processing-time timeout per run fires at the run's
 * next deadline (retry back-off, attempt timeout, SLA) as a {@link Input.Tick}.
 *
 * <p>Pipeline edits: a run decides on the pipeline version it keeps in its state (see {@link
 * RunTransitions}), so pipelines edited between controller starts change only new (and resumed)
 * runs. An open run whose pipeline is no longer defined ends FAILED ({@link
 * RunTransitions#pipelineDeleted}) on its next input or timer; its inputs then go to the dead-letter
 * topic.
 *
 * <p>Nothing is kept forever; each limit below has its own timer:
 *
 * <ul>
 *   <li>a WAITING run still missing trigger files {@code waitingTimeoutMs} after its first file
 *       arrived expires ({@link Input.WaitingExpired}: it ends FAILED with a WAITING_EXPIRED alert);
 *   <li>{@code stateRetentionMs} after a run ended, its state is compacted to a tombstone (identity
 *       and final status, a few hundred bytes): a trigger arriving again is still ignored (with a
 *       TRIGGER_AFTER_END alert), but the run can no longer be resumed (rerun it instead);
 *   <li>{@code tombstoneRetentionMs} later the tombstone is removed. The trade-off: from then on the
 *       run is unknown, so a trigger file of it delivered or uploaded again starts a new run with the
 *       same runId (and no TRIGGER_AFTER_END alert can fire), and a late completion of it goes to the
 *       dead-letter topic as one for an unknown run. Tombstones written before this timer existed have
 *       none, and are removed only when an event of their run arrives.
 * </ul>
 *
 * A limit that passed is applied before the micro-batch's inputs of the run, whether or not its
 * timer has fired yet, so the outcome does not depend on when Spark runs the timer.
 */
final class RunStateFunction implements FlatMapGroupsWithStateFunction<String, ControllerInputRow, byte[], byte[]> {
  private static final long serialVersionUID = 1L;
  private static final Logger LOG = LoggerFactory.getLogger(RunStateFunction.class);
  private final Pipelines pipelines;
  private final long stateRetentionMs;
  private final long tombstoneRetentionMs;
  private final long waitingTimeoutMs;
  private final String objectsTopic;
  private java.util.HashMap<String, PipelineDefinition> archivedVersions = new java.util.HashMap<>();
  private AttemptPools pools = AttemptPools.none();

  /**
   * @param stateRetentionMs how long an ended run keeps its full state, ms
   * @param tombstoneRetentionMs how long its tombstone is kept after that, ms
   * @param waitingTimeoutMs how long a WAITING run waits for the rest of its trigger files, ms
   * @param objectsTopic the topic of object events: its inputs are applied first in a micro-batch,
   *     since an object may start the run that the batch's control events (a legacy job's flag file,
   *     say) complete; the rest follow in Kafka order (topic, partition, offset)
   */
  RunStateFunction(Pipelines pipelines, long stateRetentionMs, long tombstoneRetentionMs, long waitingTimeoutMs,
      String objectsTopic) {
    this.pipelines = pipelines;
    this.stateRetentionMs = stateRetentionMs;
    this.tombstoneRetentionMs = tombstoneRetentionMs;
    this.waitingTimeoutMs = waitingTimeoutMs;
    this.objectsTopic = objectsTopic;
  }

  /**
   * Uses {@code archived} (pipeline version hash to definition, as kept in the controller's archive
   * of pipeline versions) to store runs compactly: a run whose version is archived is stored with
   * its hash only, and gets its definition back from here when read (a few KB less per run in the
   * state store, serialised on every micro-batch that touches the run). A run whose version is not
   * archived keeps its definition in its own state.
   *
   * @return this
   */
  RunStateFunction withArchivedVersions(Map<String, PipelineDefinition> archived) {
    this.archivedVersions = new java.util.HashMap<>(archived);
    return this;
  }

  /**
   * Queues attempts of stages whose pool has a limit in {@code attemptPools} ({@link RunTransitions#apply(
   * PipelineDefinition, RunState, String, Input, long, AttemptPools)}) and keeps those pools' slots.
   *
   * @return this
   */
  RunStateFunction withAttemptPools(AttemptPools attemptPools) {
    this.pools = attemptPools;
    return this;
  }

  private RunState restore(byte[] stored) {
    RunState state = Json.read(stored, RunState.class);
    if (state.pipelineDefinition() == null && state.pipelineVersion() != null && !state.compacted()) {
      PipelineDefinition definition = archivedVersions.get(state.pipelineVersion());
      if (definition != null) {
        return state.withPipelineDefinition(definition);
      }
      LOG.warn("Run {}: pipeline version {} is not in the archive; the run decides on the current definition",
          state.runId(), state.pipelineVersion());
    }
    return state;
  }

  private byte[] store(RunState state) {
    if (state.pipelineDefinition() != null && archivedVersions.containsKey(state.pipelineVersion())) {
      return Json.write(state.withoutPipelineDefinition());
    }
    return Json.write(state);
  }

  private Comparator<ControllerInputRow> inputOrder() {
    return Comparator.comparing((ControllerInputRow row) -> !row.getTopic().equals(objectsTopic))
        .thenComparing(ControllerInputRow::getTopic)
        .thenComparingInt(ControllerInputRow::getPartition)
        .thenComparingLong(ControllerInputRow::getOffset);
  }

  @Override
  public Iterator<byte[]> call(String runId, Iterator<ControllerInputRow> rows, GroupState<byte[]> groupState) {
    List<ControllerInputRow> inputs = new ArrayList<>();
    rows.forEachRemaining(inputs::add);
    inputs.sort(inputOrder());
    if (runId.startsWith(dev.baton.control.pipeline.TablesTrigger.STATE_KEY_PREFIX)) {
      return tablesTrigger(runId, inputs, groupState);
    }
    if (runId.startsWith(Slots.RUNS_KEY_PREFIX) || runId.startsWith(Slots.ATTEMPTS_KEY_PREFIX)) {
      return slots(runId, inputs, groupState);
    }
    List<byte[]> out = new ArrayList<>();
    RunState state = groupState.exists() ? restore(groupState.get()) : null;
    long now = groupState.getCurrentProcessingTimeMs(); // the batch's time: a replayed batch decides the same
    Long retainedUntil = state == null ? null : retainedUntil(state);
    if (groupState.hasTimedOut() && inputs.isEmpty() && retainedUntil != null && retainedUntil <= now) {
      // ended longer ago than the retention: keep only a tombstone, so a late duplicate trigger
      // cannot start the run again
      RunState tombstone = state.tombstone();
      groupState.update(Json.write(tombstone));
      groupState.setTimeoutDuration(Math.max(1, removedAt(tombstone) - now));
      return out.iterator();
    }
    if (state != null && state.compacted() && removedAt(state) <= now) {
      state = null; // the tombstone's retention passed: the run is forgotten (removed below unless an input restarts it)
    }
    if (state != null && pipelines.get(state.pipeline()).isEmpty()) {
      // the pipeline was deleted while the run was open: end it (an ended run stays as it is)
      RunTransitions.Transition transition = RunTransitions.pipelineDeleted(state, now);
      if (transition.state() != state) {
        LOG.warn("Run {} fails: pipeline '{}' is no longer defined (deleted while the run was {})", runId,
            state.pipeline(), state.status());
      }
      state = transition.state();
      emit(out, transition);
    }
    Optional<PipelineDefinition> statePipeline = state == null ? Optional.empty() : pipelines.get(state.pipeline());
    if (state != null && statePipeline.isPresent() && state.status() == RunStatus.WAITING
        && waitingUntil(state) <= now) {
      RunTransitions.Transition transition = RunTransitions.apply(statePipeline.get(), state, runId,
          new Input.WaitingExpired(waitingTimeoutMs), now, pools);
      state = transition.state();
      emit(out, transition);
    }
    if (groupState.hasTimedOut() && state != null) {
      // the run's timer: a retry back-off ended or an attempt may be past its timeout
      Optional<PipelineDefinition> pipeline = pipelines.get(state.pipeline());
      if (pipeline.isPresent()) {
        RunTransitions.Transition transition = RunTransitions.apply(pipeline.get(), state, runId, new Input.Tick(), now,
            pools);
        state = transition.state();
        emit(out, transition);
      }
    }
    for (ControllerInputRow row : inputs) {
      Input input = Json.read(row.getInput(), Input.class);
      String pipelineName = state != null ? state.pipeline() : row.getPipeline();
      Optional<PipelineDefinition> pipeline = pipelineName == null ? Optional.empty() : pipelines.get(pipelineName);
      if (pipeline.isEmpty()) {
        String reason = input instanceof Input.Rejected rejected ? rejected.reason()
            : state != null ? "pipeline '" + pipelineName + "' is no longer defined (run " + runId + " is " + state.status() + ")"
            : "unknown pipeline '" + pipelineName + "'";
        out.add(Json.write(deadLetter(reason, row)));
        continue;
      }
      RunTransitions.Transition transition = RunTransitions.apply(pipeline.get(), state, runId, input, now, pools);
      state = transition.state();
      emit(out, transition);
      if (transition.rejection() != null) {
        out.add(Json.write(deadLetter(transition.rejection(), row)));
      }
      if (transition.ignored() != null) {
        out.add(Json.write(new Command.CountIgnored(transition.ignored(), runId, input.getClass().getSimpleName(),
            describe(input, transition.state()))));
      }
    }
    if (state != null) {
      groupState.update(store(state));
      RunState finalState = state;
      Long deadline = pipelines.get(state.pipeline()).map(p -> RunTransitions.nextDeadlineMs(p, finalState)).orElse(null);
      if (deadline == null) {
        deadline = retainedUntil(state);
      }
      if (deadline == null && state.compacted()) {
        deadline = removedAt(state);
      }
      if (deadline == null && state.status() == RunStatus.WAITING && pipelines.get(state.pipeline()).isPresent()) {
        deadline = waitingUntil(state);
      }
      if (deadline != null) {
        groupState.setTimeoutDuration(Math.max(1, deadline - now));
      }
    } else if (groupState.exists()) {
      groupState.remove();
    }
    return out.iterator();
  }

  /**
   * A pipeline's tables trigger (state key {@code tables:<pipeline>}): applies the micro-batch's table
   * updates, then starts the run when due ({@link dev.baton.control.state.TablesTriggers}); a timer
   * fires at the end of a debounce.
   */
  private Iterator<byte[]> tablesTrigger(String key, List<ControllerInputRow> inputs, GroupState<byte[]> groupState) {
    List<byte[]> out = new ArrayList<>();
    long now = groupState.getCurrentProcessingTimeMs();
    String name = key.substring(dev.baton.control.pipeline.TablesTrigger.STATE_KEY_PREFIX.length());
    Optional<PipelineDefinition> pipeline = pipelines.get(name).filter(p -> p.tables() != null);
    if (pipeline.isEmpty()) {
      for (ControllerInputRow row : inputs) {
        Input input = Json.read(row.getInput(), Input.class);
        out.add(Json.write(input instanceof Input.TablesUpdated
            ? new Command.CountIgnored("stale", key, "TablesUpdated", "pipeline '" + name + "' has no tables trigger any more")
            : deadLetter("run id '" + key + "' is a tables trigger's state key, not a run's", row)));
      }
      if (groupState.exists()) {
        groupState.remove();
      }
      return out.iterator();
    }
    TablesTriggerState state = groupState.exists()
        ? Json.read(groupState.get(), TablesTriggerState.class).onlyOf(pipeline.get().tables().tables())
        : TablesTriggerState.empty();
    for (ControllerInputRow row : inputs) {
      Input input = Json.read(row.getInput(), Input.class);
      if (!(input instanceof Input.TablesUpdated update)) {
        out.add(Json.write(deadLetter("not a table update: " + input.getClass().getSimpleName(), row)));
        continue;
      }
      TablesTriggers.Result result = TablesTriggers.apply(pipeline.get(), state, update, now);
      state = result.state();
      if (result.ignored() != null) {
        out.add(Json.write(new Command.CountIgnored(result.ignored(), key, "TablesUpdated", update.table() + " snapshot "
            + update.snapshotId() + " from run " + update.sourceRunId() + " of " + update.sourcePipeline() + " (event "
            + update.eventId() + "); " + (result.ignored().equals("duplicate") ? "already seen" : "no longer watched"))));
      }
    }
    TablesTriggers.Result fired = TablesTriggers.fireIfDue(pipeline.get(), state, now);
    state = fired.state();
    fired.commands().forEach(command -> out.add(Json.write(command)));
    groupState.update(Json.write(state));
    Long due = TablesTriggers.dueAtMs(pipeline.get(), state);
    if (due != null) {
      groupState.setTimeoutDuration(Math.max(1, due - now));
    }
    return out.iterator();
  }

  /**
   * Slots ({@link Slots}): a pipeline's run slots (state key {@code slots:<pipeline>}) or an attempt pool's
   * (state key {@code attempts:<pool>}). Applies the micro-batch's queued and ended runs or attempts, then admits
   * queued ones into the free slots: up to the pipeline's {@code maxActiveRuns} or the pool's limit; every queued
   * one when the limit was removed or the pipeline deleted (its runs then fail on their admission). Every run's
   * {@code RunCompleted} reaches its pipeline's run slots and every pool, so a limit removed while runs were queued
   * admits them when a run of the pipeline ends.
   */
  private Iterator<byte[]> slots(String key, List<ControllerInputRow> inputs, GroupState<byte[]> groupState) {
    List<byte[]> out = new ArrayList<>();
    boolean runs = key.startsWith(Slots.RUNS_KEY_PREFIX);
    String name = key.substring((runs ? Slots.RUNS_KEY_PREFIX : Slots.ATTEMPTS_KEY_PREFIX).length());
    Slots slots = groupState.exists() ? Json.read(groupState.get(), Slots.class) : Slots.empty();
    for (ControllerInputRow row : inputs) {
      Input input = Json.read(row.getInput(), Input.class);
      Slots.Result result;
      String what;
      if (runs && input instanceof Input.RunQueued queued) {
        result = slots.queue(queued.eventId(), new Slots.Entry(queued.runId(), queued.runId(), queued.pipeline(), null, 0,
            0, queued.triggeredAtMs(), queued.resumes()));
        what = "run " + queued.runId();
      } else if (!runs && input instanceof Input.AttemptQueued queued) {
        String id = Slots.attemptId(queued.runId(), queued.stage(), queued.attempt());
        // an earlier attempt of the stage ended, even if no completion said so (one declared LOST): its slot is free
        String stagePrefix = queued.runId() + "/" + queued.stage() + "/";
        slots = slots.release(other -> other.startsWith(stagePrefix)
            && Integer.parseInt(other.substring(stagePrefix.length())) < queued.attempt()).slots();
        result = slots.queue(queued.eventId(), new Slots.Entry(id, queued.runId(), queued.pipeline(), queued.stage(),
            queued.attempt(), queued.priority(), queued.readyAtMs(), 0));
        what = "attempt " + id;
      } else if (!runs && input instanceof Input.AttemptEnded ended) {
        String id = Slots.attemptId(ended.runId(), ended.stage(), ended.attempt());
        // only a launched attempt completes: a completion of a queued one is forged, and must not unqueue it
        result = slots.active().contains(id) ? slots.release(id::equals) : new Slots.Result(slots, "stale");
        what = "attempt " + id;
      } else if (input instanceof Input.RunEnded ended) {
        result = runs ? slots.release(ended.runId()::equals) : slots.release(id -> id.startsWith(ended.runId() + "/"));
        if (result.ignored() != null && (!runs || !limited(name))) {
          continue; // sent to every pool and every pipeline's run slots: most runs held no slot there
        }
        what = "run " + ended.runId();
      } else {
        out.add(Json.write(deadLetter("run id '" + key + "' is the state key of " + (runs ? "a pipeline's run slots"
            : "an attempt pool's slots") + ", not a run's", row)));
        continue;
      }
      slots = result.slots();
      if (result.ignored() != null) {
        out.add(Json.write(new Command.CountIgnored(result.ignored(), key, input.getClass().getSimpleName(), what
            + (result.ignored().equals("duplicate") ? " is queued or holds a slot already, or was queued by this event"
            + " before" : " holds no slot: it ended already, was never launched, or started before the limit"
            + " existed"))));
      }
    }
    // no limit (any more), or a pipeline no longer defined: every queued one is admitted (a run of a deleted
    // pipeline then fails on its admission)
    Integer limit = runs ? pipelines.get(name).map(PipelineDefinition::maxActiveRuns).orElse(null) : pools.limit(name);
    Slots.Admission admission = slots.admit(limit == null ? Integer.MAX_VALUE : limit);
    long now = groupState.getCurrentProcessingTimeMs();
    int active = slots.active().size();
    for (Slots.Entry entry : admission.admitted()) {
      active++;
      out.add(Json.write(runs ? new Command.PublishRunAdmitted(entry.runId(), entry.pipeline(), active, entry.resumes(), now)
          : new Command.PublishAttemptAdmitted(entry.runId(), entry.pipeline(), entry.stage(), entry.attempt(), name,
              active, now)));
    }
    groupState.update(Json.write(admission.slots())); // kept while empty too: it remembers the queued events applied
    return out.iterator();
  }

  private boolean limited(String pipeline) {
    return pipelines.get(pipeline).map(p -> p.maxActiveRuns() != null).orElse(false);
  }

  /**
   * Adds a transition's commands to the output, and after a PublishRunCompleted SUCCEEDED the requests
   * of the pipelines that run's success triggers ({@link RunTransitions#downstreamRequests}).
   */
  private void emit(List<byte[]> out, RunTransitions.Transition transition) {
    for (Command command : transition.commands()) {
      out.add(Json.write(command));
      if (command instanceof Command.PublishRunCompleted completed && completed.status().equals(RunStatus.SUCCEEDED.name())
          && transition.state() != null) {
        for (Command request : RunTransitions.downstreamRequests(pipelines, transition.state())) {
          out.add(Json.write(request));
        }
      }
    }
  }

  /** When an ended run's state is compacted, epoch ms; null while it runs or waits, or once compacted. */
  private Long retainedUntil(RunState state) {
    if (state.status().isTerminal() && state.completedAtMs() != null && !state.compacted()) {
      return state.completedAtMs() + stateRetentionMs;
    }
    return null;
  }

  /** When a tombstone is removed, epoch ms. */
  private long removedAt(RunState tombstone) {
    long endedAt = tombstone.completedAtMs() == null ? tombstone.createdAtMs() : tombstone.completedAtMs();
    return saturatedAdd(saturatedAdd(endedAt, stateRetentionMs), tombstoneRetentionMs);
  }

  /** When a WAITING run expires, epoch ms. */
  private long waitingUntil(RunState waiting) {
    return saturatedAdd(waiting.createdAtMs(), waitingTimeoutMs);
  }

  /** {@code a + b}, or Long.MAX_VALUE when it overflows (a retention configured as "forever"). */
  private static long saturatedAdd(long a, long b) {
    long sum = a + b;
    return ((a ^ sum) & (b ^ sum)) < 0 ? Long.MAX_VALUE : sum;
  }

  /** An ignored input and what the run's state made of it, for the INFO log line. */
  private static String describe(Input input, RunState state) {
    String run = state == null ? "the run is unknown"
        : "the run is " + state.status() + (state.compacted() ? " (tombstone)" : "");
    if (input instanceof Input.StageCompleted completed) {
      StageState stage = state == null ? null : state.stages().get(completed.stage());
      String current = stage == null ? run
          : "the stage is " + stage.status() + " at attempt " + stage.attempt() + ", " + run;
      return "attempt " + completed.attempt() + " of stage " + completed.stage() + " " + completed.status()
          + " (event " + completed.eventId() + "); " + current;
    }
    if (input instanceof Input.ObjectArrived object) {
      return "s3://" + object.bucket() + "/" + object.key() + " (event " + object.eventId() + "); " + run;
    }
    if (input instanceof Input.RunRequested request) {
      return "trigger key " + request.triggerKey() + " (event " + request.eventId() + "); " + run;
    }
    if (input instanceof Input.ScheduleTick tick) {
      java.time.Instant scheduled = java.time.Instant.ofEpochMilli(tick.scheduledAtMs());
      return "tick " + scheduled + " of " + tick.pipeline() + "'s schedule; " + (state == null
          ? "decided more than " + dev.baton.control.pipeline.ScheduleTrigger.MISSED_AFTER_MS / 1000
              + " s late (the controller was down or stalled), and the trigger's catchUp skips it (to run it: baton submit "
              + tick.pipeline() + " --trigger-key " + dev.baton.control.pipeline.ScheduleTrigger.triggerKey(scheduled)
              + "); or the pipeline has no schedule any more"
          : run);
    }
    if (input instanceof Input.ResumeRequested resume) {
      return "request " + resume.eventId() + " already applied; " + run;
    }
    if (input instanceof Input.CancelRequested cancel) {
      return "request " + cancel.eventId() + " already applied; " + run;
    }
    return run;
  }

  private static Command deadLetter(String reason, ControllerInputRow row) {
    return new Command.DeadLetter(reason, row.getTopic(), row.getPartition(), row.getOffset(), row.getKey(), row.getValue());
  }
}
