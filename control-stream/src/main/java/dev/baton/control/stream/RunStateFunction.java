package dev.baton.control.stream;

import dev.baton.control.pipeline.PipelineDefinition;
import dev.baton.control.pipeline.Pipelines;
import dev.baton.control.state.Command;
import dev.baton.control.state.Input;
import dev.baton.control.state.RunState;
import dev.baton.control.state.RunTransitions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import org.apache.spark.api.java.function.FlatMapGroupsWithStateFunction;
import org.apache.spark.sql.streaming.GroupState;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The stateful step: for one runId, applies the micro-batch's inputs in Kafka order to the run's
 * state (kept in the state store as JSON) with {@link RunTransitions}, and emits the resulting
 * commands as JSON. Rejected inputs become dead-letter commands. A processing-time timeout per
 * run fires at the run's next deadline (retry back-off, attempt timeout, SLA) as a {@link Input.Tick}.
 *
 * <p>Pipeline edits: a run decides on the pipeline version it keeps in its state (see {@link
 * RunTransitions}), so pipelines edited between controller starts change only new (and resumed)
 * runs. An open run whose pipeline is no longer defined ends FAILED ({@link
 * RunTransitions#pipelineDeleted}) on its next input or timer; its inputs then go to the dead-letter
 * topic.
 *
 * <p>Retention: {@code stateRetentionMs} after a run ended, its state is compacted to a tombstone
 * (identity and final status, a few hundred bytes): duplicates are still ignored, but the run can no
 * longer be resumed (rerun it instead). WAITING runs are kept whole.
 */
final class RunStateFunction implements FlatMapGroupsWithStateFunction<String, ControllerInputRow, byte[], byte[]> {
  private static final long serialVersionUID = 1L;
  private static final Logger LOG = LoggerFactory.getLogger(RunStateFunction.class);
  private final Pipelines pipelines;
  private final long stateRetentionMs;
  private final String objectsTopic;

  /**
   * @param objectsTopic the topic of object events: its inputs are applied first in a micro-batch,
   *     since an object may start the run that the batch's control events (a legacy job's flag file,
   *     say) complete; the rest follow in Kafka order (topic, partition, offset)
   */
  RunStateFunction(Pipelines pipelines, long stateRetentionMs, String objectsTopic) {
    this.pipelines = pipelines;
    this.stateRetentionMs = stateRetentionMs;
    this.objectsTopic = objectsTopic;
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
    List<byte[]> out = new ArrayList<>();
    RunState state = groupState.exists() ? Json.read(groupState.get(), RunState.class) : null;
    long now = groupState.getCurrentProcessingTimeMs(); // the batch's time: a replayed batch decides the same
    Long retainedUntil = state == null ? null : retainedUntil(state);
    if (groupState.hasTimedOut() && inputs.isEmpty() && retainedUntil != null && retainedUntil <= now) {
      // ended longer ago than the retention: keep only a tombstone, so a late duplicate trigger
      // cannot start the run again
      groupState.update(Json.write(state.tombstone()));
      return out.iterator();
    }
    if (state != null && pipelines.get(state.pipeline()).isEmpty()) {
      // the pipeline was deleted while the run was open: end it (an ended run stays as it is)
      RunTransitions.Transition transition = RunTransitions.pipelineDeleted(state, now);
      if (transition.state() != state) {
        LOG.warn("Run {} fails: pipeline '{}' is no longer defined (deleted while the run was {})", runId,
            state.pipeline(), state.status());
      }
      state = transition.state();
      for (Command command : transition.commands()) {
        out.add(Json.write(command));
      }
    }
    if (groupState.hasTimedOut() && state != null) {
      // the run's timer: a retry back-off ended or an attempt may be past its timeout
      Optional<PipelineDefinition> pipeline = pipelines.get(state.pipeline());
      if (pipeline.isPresent()) {
        RunTransitions.Transition transition = RunTransitions.apply(pipeline.get(), state, runId, new Input.Tick(), now);
        state = transition.state();
        for (Command command : transition.commands()) {
          out.add(Json.write(command));
        }
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
      RunTransitions.Transition transition = RunTransitions.apply(pipeline.get(), state, runId, input, now);
      state = transition.state();
      for (Command command : transition.commands()) {
        out.add(Json.write(command));
      }
      if (transition.rejection() != null) {
        out.add(Json.write(deadLetter(transition.rejection(), row)));
      }
      if (transition.ignored() != null) {
        out.add(Json.write(new Command.CountIgnored(transition.ignored())));
      }
    }
    if (state != null) {
      groupState.update(Json.write(state));
      RunState finalState = state;
      Long deadline = pipelines.get(state.pipeline()).map(p -> RunTransitions.nextDeadlineMs(p, finalState)).orElse(null);
      if (deadline == null) {
        deadline = retainedUntil(state);
      }
      if (deadline != null) {
        groupState.setTimeoutDuration(Math.max(1, deadline - now));
      }
    } else if (groupState.exists()) {
      groupState.remove();
    }
    return out.iterator();
  }

  /** When an ended run's state is compacted, epoch ms; null while it runs or waits, or once compacted. */
  private Long retainedUntil(RunState state) {
    if (state.status().isTerminal() && state.completedAtMs() != null && !state.compacted()) {
      return state.completedAtMs() + stateRetentionMs;
    }
    return null;
  }

  private static Command deadLetter(String reason, ControllerInputRow row) {
    return new Command.DeadLetter(reason, row.getTopic(), row.getPartition(), row.getOffset(), row.getKey(), row.getValue());
  }
}
