package dev.baton.control.stream;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.control.pipeline.PipelineParser;
import dev.baton.control.pipeline.PipelineTrigger;
import dev.baton.control.pipeline.Pipelines;
import dev.baton.control.state.Command;
import dev.baton.control.state.Input;
import dev.baton.schemas.RunIds;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.apache.spark.api.java.Optional;
import org.apache.spark.sql.streaming.GroupStateTimeout;
import org.apache.spark.sql.streaming.TestGroupState;
import org.junit.jupiter.api.Test;

/** Pipeline triggers through the stateful step: an upstream run's success requests the downstream run, once. */
class RunStateFunctionTriggersTest {
  private static final Pipelines PIPELINES = Pipelines.of(List.of(
      PipelineParser.parse("test", """
          name: orders
          params: [{name: region, default: EMEA}]
          stages:
            - {name: a, type: noop}
          """),
      PipelineParser.parse("test", """
          name: report
          trigger: {type: pipeline, pipeline: orders, params: {area: region}}
          params: [{name: area, default: WORLD}]
          stages:
            - {name: r, type: noop}
          """),
      PipelineParser.parse("test", """
          name: audit
          trigger: {type: pipeline, pipeline: orders}
          stages:
            - {name: x, type: noop}
          """),
      PipelineParser.parse("test", """
          name: limited
          maxActiveRuns: 1
          stages:
            - {name: l, type: noop}
          """),
      PipelineParser.parse("test", """
          name: watch
          trigger: {type: tables, tables: [curated.orders], debounceMs: 5000}
          stages:
            - {name: w, type: noop}
          """)));
  private static final String ORDERS_RUN = RunIds.of("orders", "k1");
  private final RunStateFunction function = new RunStateFunction(PIPELINES, 60_000, 120_000, 30_000, "baton.objects");

  @Test
  void aPipelinesRunSlotsAdmitTheOldestQueuedRunWhenTheSlotFreesAndOnlyOnce() {
    long now = System.currentTimeMillis();
    String slotsKey = "slots:limited";
    TestGroupState<byte[]> empty = TestGroupState.create(Optional.empty(), GroupStateTimeout.ProcessingTimeTimeout(),
        now, Optional.empty(), false);
    // two runs queued in one micro-batch, the younger one first in Kafka order
    List<Command> first = commands(function.call(slotsKey, List.of(
        row(slotsKey, "limited", new Input.RunQueued("r2/queued", "limited", "r2", 2_000, 0), 1),
        row(slotsKey, "limited", new Input.RunQueued("r1/queued", "limited", "r1", 1_000, 0), 2)).iterator(), empty));
    assertThat(first).containsExactly(new Command.PublishRunAdmitted("r1", "limited", 1, 0, now));

    // r1's RunQueued again (a replayed micro-batch re-published it) after r1 ended: ignored, r2 admitted once
    TestGroupState<byte[]> next = state(empty.get(), now + 10);
    List<Command> second = commands(function.call(slotsKey, List.of(
        row(slotsKey, "limited", new Input.RunEnded("r1/completed", "limited", "r1", "SUCCEEDED"), 3),
        row(slotsKey, "limited", new Input.RunQueued("r1/queued", "limited", "r1", 1_000, 0), 4)).iterator(), next));
    assertThat(second).filteredOn(c -> c instanceof Command.PublishRunAdmitted)
        .containsExactly(new Command.PublishRunAdmitted("r2", "limited", 1, 0, now + 10));
    assertThat(second).filteredOn(c -> c instanceof Command.CountIgnored)
        .singleElement().satisfies(c -> assertThat(((Command.CountIgnored) c).reason()).isEqualTo("duplicate"));

    // another kind of input forged for the slots' key: to the dead-letter topic
    TestGroupState<byte[]> last = state(next.get(), now + 20);
    assertThat(commands(function.call(slotsKey, List.of(row(slotsKey, "limited",
        new Input.RunRequested("x", "limited", "k", Map.of()), 5)).iterator(), last)))
        .singleElement().isInstanceOf(Command.DeadLetter.class);
  }

  @Test
  void anAttemptPoolAdmitsTheHigherPriorityFirstAndFreesASlotOnTheAttemptsCompletion() {
    long now = System.currentTimeMillis();
    RunStateFunction pooled = new RunStateFunction(PIPELINES, 60_000, 120_000, 30_000, "baton.objects")
        .withAttemptPools(new dev.baton.control.state.AttemptPools(Map.of(), Map.of("noop", 1), "in-process"));
    String poolKey = "attempts:type:noop";
    TestGroupState<byte[]> empty = TestGroupState.create(Optional.empty(), GroupStateTimeout.ProcessingTimeTimeout(),
        now, Optional.empty(), false);
    // an older attempt of priority 0 and a younger one of priority 7, queued in one micro-batch
    List<Command> first = commands(pooled.call(poolKey, List.of(
        row(poolKey, "orders", new Input.AttemptQueued("o/a/1/queued", "orders", "o", "a", 1, "type:noop", 0, 1_000), 1),
        row(poolKey, "report", new Input.AttemptQueued("r/r/1/queued", "report", "r", "r", 1, "type:noop", 7, 2_000), 2))
        .iterator(), empty));
    assertThat(first).containsExactly(new Command.PublishAttemptAdmitted("r", "report", "r", 1, "type:noop", 1, now));

    // the admitted attempt completes: the other one gets the slot
    TestGroupState<byte[]> next = state(empty.get(), now + 10);
    assertThat(commands(pooled.call(poolKey, List.of(row(poolKey, "report",
        new Input.AttemptEnded("r/r/1/completed", "report", "r", "r", 1), 3)).iterator(), next)))
        .containsExactly(new Command.PublishAttemptAdmitted("o", "orders", "a", 1, "type:noop", 1, now + 10));

    // that attempt is declared LOST, with no completion, and its retry queued: the retry takes its slot
    TestGroupState<byte[]> retry = state(next.get(), now + 20);
    assertThat(commands(pooled.call(poolKey, List.of(row(poolKey, "orders",
        new Input.AttemptQueued("o/a/2/queued", "orders", "o", "a", 2, "type:noop", 0, now + 15), 4)).iterator(), retry)))
        .containsExactly(new Command.PublishAttemptAdmitted("o", "orders", "a", 2, "type:noop", 1, now + 20));
  }

  @Test
  void anUpstreamSuccessRequestsEachTriggeredPipelineOnceWithItsParametersMapped() {
    long now = System.currentTimeMillis();
    TestGroupState<byte[]> state = TestGroupState.create(Optional.empty(), GroupStateTimeout.ProcessingTimeTimeout(),
        now, Optional.empty(), false);
    function.call(ORDERS_RUN, List.of(row(ORDERS_RUN, "orders",
        new Input.RunRequested("e1", "orders", "k1", Map.of("region", "APAC")), 1)).iterator(), state);
    Input.StageCompleted succeeded = new Input.StageCompleted("e2", "orders", "a", 1, "SUCCEEDED", now, now + 5, null, null);
    TestGroupState<byte[]> running = state(state.get(), now + 10);
    List<Command> done = commands(function.call(ORDERS_RUN, List.of(row(ORDERS_RUN, "orders", succeeded, 2)).iterator(),
        running));
    byte[] succeededState = running.get();

    String triggerKey = "pipeline/orders/" + ORDERS_RUN;
    assertThat(triggerKey).isEqualTo(PipelineTrigger.triggerKey("orders", ORDERS_RUN));
    assertThat(done).filteredOn(c -> c instanceof Command.RequestRun).containsExactly(
        new Command.RequestRun(RunIds.of("report", triggerKey), "report", triggerKey, Map.of("area", "APAC"),
            "pipeline orders run " + ORDERS_RUN),
        new Command.RequestRun(RunIds.of("audit", triggerKey), "audit", triggerKey, Map.of(),
            "pipeline orders run " + ORDERS_RUN));
    // the same completion again (a duplicate of the event): ignored, nothing requested again
    TestGroupState<byte[]> after = state(succeededState, now + 20);
    List<Command> duplicate = commands(function.call(ORDERS_RUN, List.of(row(ORDERS_RUN, "orders",
        new Input.StageCompleted("e3", "orders", "a", 1, "SUCCEEDED", now, now + 5, null, null), 3)).iterator(), after));
    assertThat(duplicate).noneMatch(c -> c instanceof Command.RequestRun || c instanceof Command.PublishRunCompleted)
        .anyMatch(c -> c instanceof Command.CountIgnored ignored && ignored.reason().equals("duplicate"));

    // the request, delivered twice, starts the downstream run once
    String reportRun = RunIds.of("report", triggerKey);
    TestGroupState<byte[]> report = TestGroupState.create(Optional.empty(), GroupStateTimeout.ProcessingTimeTimeout(),
        now + 30, Optional.empty(), false);
    Input.RunRequested request = new Input.RunRequested("e4", "report", triggerKey, Map.of("area", "APAC"));
    List<Command> started = commands(function.call(reportRun, List.of(row(reportRun, "report", request, 4),
        row(reportRun, "report", new Input.RunRequested("e5", "report", triggerKey, Map.of("area", "APAC")), 5)).iterator(),
        report));
    assertThat(started).filteredOn(c -> c instanceof Command.LaunchStage)
        .singleElement().satisfies(c -> assertThat(((Command.LaunchStage) c).params()).containsEntry("area", "APAC"));
    assertThat(started).filteredOn(c -> c instanceof Command.CountIgnored).hasSize(1);
  }

  @Test
  void aFailedUpstreamRunRequestsNothing() {
    long now = System.currentTimeMillis();
    TestGroupState<byte[]> state = TestGroupState.create(Optional.empty(), GroupStateTimeout.ProcessingTimeTimeout(),
        now, Optional.empty(), false);
    function.call(ORDERS_RUN, List.of(row(ORDERS_RUN, "orders",
        new Input.RunRequested("e1", "orders", "k1", Map.of()), 1)).iterator(), state);
    List<Command> failed = commands(function.call(ORDERS_RUN, List.of(row(ORDERS_RUN, "orders",
        new Input.StageCompleted("e2", "orders", "a", 1, "FAILED", now, now + 5, "BOOM", "boom"), 2)).iterator(),
        state(state.get(), now + 10)));
    assertThat(failed).anyMatch(c -> c instanceof Command.PublishRunCompleted).noneMatch(c -> c instanceof Command.RequestRun);
  }

  private static TestGroupState<byte[]> state(byte[] stored, long now) {
    return TestGroupState.create(Optional.of(stored), GroupStateTimeout.ProcessingTimeTimeout(), now, Optional.empty(),
        false);
  }

  private static ControllerInputRow row(String runId, String pipeline, Input input, long offset) {
    ControllerInputRow row = new ControllerInputRow();
    row.setRunId(runId);
    row.setPipeline(pipeline);
    row.setTopic("baton.control");
    row.setPartition(0);
    row.setOffset(offset);
    row.setInput(Json.write(input));
    return row;
  }

  private static List<Command> commands(Iterator<byte[]> iterator) {
    List<Command> commands = new ArrayList<>();
    iterator.forEachRemaining(bytes -> commands.add(Json.read(bytes, Command.class)));
    return commands;
  }

  @Test
  void aTablesTriggerWaitsForItsDebounceOnItsOwnTimerAndRefusesOtherInputs() {
    long now = System.currentTimeMillis();
    String key = "tables:watch";
    TestGroupState<byte[]> state = TestGroupState.create(Optional.empty(), GroupStateTimeout.ProcessingTimeTimeout(),
        now, Optional.empty(), false);
    List<Command> updated = commands(function.call(key, List.of(row(key, "watch",
        new Input.TablesUpdated("e1", "watch", "curated.orders", 101, "orders", ORDERS_RUN), 1)).iterator(), state));
    assertThat(updated).isEmpty();
    assertThat((Long) state.getTimeoutTimestampMs().get()).isEqualTo(now + 5_000);

    TestGroupState<byte[]> timedOut = TestGroupState.create(Optional.of(state.get()),
        GroupStateTimeout.ProcessingTimeTimeout(), now + 5_000, Optional.empty(), true);
    List<Command> fired = commands(function.call(key, List.<ControllerInputRow>of().iterator(), timedOut));
    assertThat(fired).singleElement().isInstanceOfSatisfying(Command.RequestRun.class,
        request -> assertThat(request.pipeline()).isEqualTo("watch"));

    // a control event forged with the state key as its runId: to the dead-letter topic, the state unchanged
    TestGroupState<byte[]> forged = TestGroupState.create(Optional.of(timedOut.get()),
        GroupStateTimeout.ProcessingTimeTimeout(), now + 6_000, Optional.empty(), false);
    List<Command> refused = commands(function.call(key, List.of(row(key, "watch",
        new Input.RunRequested("e2", "watch", "k", Map.of()), 2)).iterator(), forged));
    assertThat(refused).singleElement().isInstanceOf(Command.DeadLetter.class);
  }
}
