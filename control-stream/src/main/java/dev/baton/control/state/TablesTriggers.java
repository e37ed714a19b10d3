package dev.baton.control.state;

import dev.baton.control.pipeline.PipelineDefinition;
import dev.baton.control.pipeline.TablesTrigger;
import dev.baton.schemas.RunIds;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

/**
 * The tables trigger as a pure function, like {@link RunTransitions}: updates become pending; once the
 * trigger's condition holds ({@link TablesTrigger#satisfiedBy}) and its debounce has passed since the
 * last update, a {@link Command.RequestRun} starts the pipeline's run for the pending snapshots, and
 * they are consumed. A snapshot already seen (the same StageCompleted delivered again) changes nothing
 * and is reported as ignored ({@code duplicate}).
 */
public final class TablesTriggers {

  private TablesTriggers() {}

  /**
   * The outcome of applying inputs.
   *
   * @param state the new state
   * @param commands what to do
   * @param ignored when non-null, the input changed nothing: {@code duplicate} or {@code stale}
   */
  public record Result(TablesTriggerState state, List<Command> commands, String ignored) {
    public Result {
      commands = List.copyOf(commands);
    }
  }

  /** Applies one update; starts nothing (see {@link #fireIfDue}, called once the micro-batch's updates are applied). */
  public static Result apply(PipelineDefinition pipeline, TablesTriggerState state, Input.TablesUpdated update,
      long nowMs) {
    TablesTrigger trigger = pipeline.tables();
    if (trigger == null || !trigger.tables().contains(update.table())) {
      return new Result(state, List.of(), "stale"); // the pipeline no longer watches it
    }
    if (state.seen(update.table(), update.snapshotId())) {
      return new Result(state, List.of(), "duplicate");
    }
    return new Result(state.with(update.table(), update.snapshotId(), nowMs), List.of(), null);
  }

  /** Starts the pipeline's run when the condition holds and the debounce has passed. */
  public static Result fireIfDue(PipelineDefinition pipeline, TablesTriggerState state, long nowMs) {
    Long due = dueAtMs(pipeline, state);
    if (due == null || due > nowMs) {
      return new Result(state, List.of(), null);
    }
    String triggerKey = TablesTrigger.triggerKey(new TreeMap<>(state.pending()));
    List<Command> commands = new ArrayList<>();
    commands.add(new Command.RequestRun(RunIds.of(pipeline.name(), triggerKey), pipeline.name(), triggerKey,
        java.util.Map.of(), "tables trigger: new snapshots " + state.pending()));
    return new Result(state.consumed(), commands, null);
  }

  /** When the pending updates start a run, epoch ms; null when they do not (yet) satisfy the trigger. */
  public static Long dueAtMs(PipelineDefinition pipeline, TablesTriggerState state) {
    TablesTrigger trigger = pipeline.tables();
    if (trigger == null || state.lastUpdateAtMs() == null || !trigger.satisfiedBy(state.pending())) {
      return null;
    }
    return state.lastUpdateAtMs() + trigger.debounceMs();
  }
}
