package dev.baton.control.stream;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.schemas.RunIds;
import dev.baton.control.pipeline.PipelineDefinition;
import dev.baton.control.pipeline.PipelineParser;
import dev.baton.control.pipeline.Pipelines;
import dev.baton.control.state.Command;
import dev.baton.control.state.Input;
import dev.baton.control.state.RunState;
import dev.baton.control.state.RunStatus;
import dev.baton.control.state.RunTransitions;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.apache.spark.api.java.Optional;
import org.apache.spark.sql.streaming.GroupStateTimeout;
import org.apache.spark.sql.streaming.TestGroupState;
import org.junit.jupiter.api.Test;

/** The stateful step on Spark's {@link TestGroupState}: timers, retention, counting ignored inputs. */
class RunStateFunctionTest {
  private static final long RETENTION_MS = 60_000;
  private static final PipelineDefinition PIPELINE = PipelineParser.parse("test", """
      name: one
      defaults: {timeoutMs: 600000}
      stages:
        - {name: a, type: noop}
      """);
  private static final String RUN = RunIds.of("one", "k");
  private final RunStateFunction function =
      new RunStateFunction(Pipelines.of(List.of(PIPELINE)), RETENTION_MS, "baton.objects");

  @Test
  void aRunThatEndedLongerAgoThanTheRetentionIsCompactedToATombstone() {
    long now = System.currentTimeMillis();
    RunState ended = succeededAt(now - RETENTION_MS - 1_000);
    TestGroupState<byte[]> state = TestGroupState.create(Optional.of(Json.write(ended)),
        GroupStateTimeout.ProcessingTimeTimeout(), now, Optional.empty(), true);

    List<byte[]> out = drain(function.call(RUN, List.<ControllerInputRow>of().iterator(), state));

    assertThat(out).isEmpty();
    RunState tombstone = Json.read(state.get(), RunState.class);
    assertThat(tombstone.compacted()).isTrue();
    assertThat(tombstone.status()).isEqualTo(RunStatus.SUCCEEDED);
    assertThat(tombstone.stages()).isEmpty();
    assertThat(state.getTimeoutTimestampMs().isPresent()).isFalse(); // no more timers
    // a late duplicate trigger does not start it again
    TestGroupState<byte[]> later = TestGroupState.create(Optional.of(state.get()), GroupStateTimeout.ProcessingTimeTimeout(),
        now, Optional.empty(), false);
    List<byte[]> again = drain(function.call(RUN, List.of(row(new Input.RunRequested("r2", "one", "k", Map.of()))).iterator(),
        later));
    assertThat(again).extracting(bytes -> Json.read(bytes, Command.class)).containsExactly(new Command.CountIgnored("duplicate"));
  }

  @Test
  void aRecentlyEndedRunIsKeptUntilItsRetentionAndCountsDuplicates() {
    long now = System.currentTimeMillis();
    RunState ended = succeededAt(now - 1_000);
    TestGroupState<byte[]> state = TestGroupState.create(Optional.of(Json.write(ended)),
        GroupStateTimeout.ProcessingTimeTimeout(), now, Optional.empty(), false);

    List<byte[]> out = drain(function.call(RUN, List.of(row(new Input.StageCompleted("again", "one", "a", 1, "SUCCEEDED",
        0, now - 1_000, null, null))).iterator(), state));

    assertThat(out).extracting(bytes -> Json.read(bytes, Command.class)).containsExactly(new Command.CountIgnored("duplicate"));
    assertThat(state.isRemoved()).isFalse();
    // the next timer is the end of the retention
    assertThat((Long) state.getTimeoutTimestampMs().get()).isBetween(now - 1_000 + RETENTION_MS - 50, now - 1_000 + RETENTION_MS + 50);
  }

  @Test
  void aRunningRunsTimerIsItsAttemptTimeout() {
    long now = System.currentTimeMillis();
    TestGroupState<byte[]> state = TestGroupState.create(Optional.empty(), GroupStateTimeout.ProcessingTimeTimeout(), now,
        Optional.empty(), false);

    List<byte[]> out = drain(function.call(RUN, List.of(row(new Input.RunRequested("r", "one", "k", Map.of()))).iterator(), state));

    assertThat(out).extracting(bytes -> Json.read(bytes, Command.class)).hasAtLeastOneElementOfType(Command.LaunchStage.class);
    assertThat(Json.read(state.get(), RunState.class).status()).isEqualTo(RunStatus.RUNNING);
    assertThat((Long) state.getTimeoutTimestampMs().get()).isBetween(now + 600_000 - 5_000, now + 600_000 + 5_000);
  }

  private static RunState succeededAt(long completedAtMs) {
    RunState running = RunTransitions.apply(PIPELINE, null, RUN, new Input.RunRequested("r", "one", "k", Map.of()),
        completedAtMs - 10).state();
    RunState done = RunTransitions.apply(PIPELINE, running, RUN, new Input.StageCompleted("c", "one", "a", 1, "SUCCEEDED",
        completedAtMs - 5, completedAtMs, null, null), completedAtMs).state();
    assertThat(done.status()).isEqualTo(RunStatus.SUCCEEDED);
    return done;
  }

  @Test
  void aTriggerFromTheObjectsTopicIsAppliedBeforeACompletionOfItsRunInTheSameMicroBatch() {
    PipelineDefinition legacy = PipelineParser.parse("test", """
        name: legacy
        trigger: {type: objects, bucket: landing, prefix: p/, requiredFiles: [a.csv]}
        stages:
          - {name: extract, type: external}
        """);
    RunStateFunction twoPipelines = new RunStateFunction(Pipelines.of(List.of(PIPELINE, legacy)), RETENTION_MS,
        "baton.objects");
    String triggerKey = legacy.trigger().triggerKey("b1");
    String runId = RunIds.of("legacy", triggerKey);
    long now = System.currentTimeMillis();
    // a legacy job's flag file (control topic) read in the same micro-batch as the object that starts the run;
    // by topic name, baton.control sorts before baton.objects
    ControllerInputRow completion = row(new Input.StageCompleted("flag-1", "legacy", "extract", 1, "SUCCEEDED", now, now,
        null, null));
    completion.setRunId(runId);
    completion.setPipeline("legacy");
    ControllerInputRow object = row(new Input.ObjectArrived("s3:landing/p/b1/a.csv@1", "legacy", "landing", "p/b1/a.csv",
        triggerKey, "b1", "a.csv"));
    object.setRunId(runId);
    object.setPipeline("legacy");
    object.setTopic("baton.objects");
    object.setOffset(0);
    TestGroupState<byte[]> state = TestGroupState.create(Optional.empty(), GroupStateTimeout.ProcessingTimeTimeout(),
        now, Optional.empty(), false);

    List<Command> out = drain(twoPipelines.call(runId, List.of(completion, object).iterator(), state)).stream()
        .map(bytes -> Json.read(bytes, Command.class)).toList();

    assertThat(out).noneMatch(command -> command instanceof Command.DeadLetter);
    assertThat(Json.read(state.get(), RunState.class).status()).isEqualTo(RunStatus.SUCCEEDED);
  }

  private static ControllerInputRow row(Input input) {
    ControllerInputRow row = new ControllerInputRow();
    row.setRunId(RUN);
    row.setPipeline("one");
    row.setTopic("baton.control");
    row.setPartition(0);
    row.setOffset(1);
    row.setInput(Json.write(input));
    return row;
  }

  private static List<byte[]> drain(Iterator<byte[]> iterator) {
    List<byte[]> out = new ArrayList<>();
    iterator.forEachRemaining(out::add);
    return out;
  }
}
