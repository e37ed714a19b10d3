package dev.baton.control.stream;

import dev.baton.control.pipeline.PipelineDefinition;
import dev.baton.control.pipeline.Pipelines;
import dev.baton.control.pipeline.ScheduleTrigger;
import dev.baton.control.state.Input;
import dev.baton.schemas.RunIds;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.sql.Row;

/**
 * The controller's clock for schedule triggers: turns each row of the {@link ClockSource} (one per
 * elapsed second) into the schedule ticks of its interval {@code (second, second + 1 s]}, keyed by the
 * runId of each tick's run.
 *
 * <p>The clock's rows tile time without gap or overlap and each is in exactly one committed
 * micro-batch, so a tick reaches the run-state function once, and never before its time — also across
 * restarts: a controller down for an hour gets that hour's rows, and with them its ticks, in its first
 * micro-batch (the catch-up decides what they start, {@code RunTransitions}). A micro-batch replayed
 * after a crash holds the same rows and has the same batch time, so it decides the same.
 */
final class ScheduleTicks implements FlatMapFunction<Row, ControllerInputRow> {
  private static final long serialVersionUID = 1L;
  /** The topic name the ticks' rows carry (they come from no topic); it orders them after object events. */
  static final String SOURCE = "(schedule)";
  private static final long SECOND_MS = 1_000;

  private final Pipelines pipelines;

  ScheduleTicks(Pipelines pipelines) {
    this.pipelines = pipelines;
  }

  @Override
  public Iterator<ControllerInputRow> call(Row wakeUp) {
    List<PipelineDefinition> scheduled = pipelines.all().stream().filter(p -> p.schedule() != null).toList();
    if (scheduled.isEmpty()) {
      return java.util.Collections.emptyIterator();
    }
    long second = wakeUp.getLong(0); // the clock source's one column, "second"
    Instant secondStart = Instant.ofEpochSecond(second);
    List<ControllerInputRow> ticks = new ArrayList<>();
    for (PipelineDefinition pipeline : scheduled) {
      for (Instant tick : pipeline.schedule().ticks(secondStart, secondStart.plusMillis(SECOND_MS))) {
        String triggerKey = ScheduleTrigger.triggerKey(tick);
        ControllerInputRow row = new ControllerInputRow();
        row.setRunId(RunIds.of(pipeline.name(), triggerKey));
        row.setPipeline(pipeline.name());
        row.setTopic(SOURCE);
        row.setPartition(0);
        row.setOffset(second);
        row.setKey(triggerKey.getBytes(StandardCharsets.UTF_8));
        byte[] input = Json.write(new Input.ScheduleTick(pipeline.name(), tick.toEpochMilli()));
        row.setValue(input);
        row.setInput(input);
        ticks.add(row);
      }
    }
    return ticks.iterator();
  }
}
