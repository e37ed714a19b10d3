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
  private static final long TOMBSTONE_RETENTION_MS = 120_000;
  private static final long WAITING_TIMEOUT_MS = 30_000;
  private static final PipelineDefinition PIPELINE = PipelineParser.parse("test", """
      name: one
      defaults: {timeoutMs: 600000}
      stages:
        - {name: a, type: noop}
      """);
  private static final String RUN = RunIds.of("one", "k");
  private final RunStateFunction function =
      new RunStateFunction(Pipelines.of(List.of(PIPELINE)), RETENTION_MS, TOMBSTONE_RETENTION_MS,
          WAITING_TIMEOUT_MS, "baton.objects");

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
    // the tombstone's own timer: its removal, the tombstone retention later
    assertThat((Long) state.getTimeoutTimestampMs().get()).isEqualTo(now - 1_000 + TOMBSTONE_RETENTION_MS);
    // a late duplicate trigger does not start it again, and says so
    TestGroupState<byte[]> later = TestGroupState.create(Optional.of(state.get()), GroupStateTimeout.ProcessingTimeTimeout(),
        now, Optional.empty(), false);
    List<Command> again = commands(function.call(RUN,
        List.of(row(new Input.RunRequested("r2", "one", "k", Map.of()))).iterator(), later));
    assertThat(again).hasSize(2);
    assertThat(again.get(0)).isInstanceOfSatisfying(Command.PublishAlert.class,
        alert -> assertThat(alert.kind()).isEqualTo("TRIGGER_AFTER_END"));
    assertThat(again.get(1)).isEqualTo(new Command.CountIgnored("duplicate", RUN, "RunRequested",
        "trigger key k (event r2); the run is SUCCEEDED (tombstone)"));
  }

  @Test
  void aRecentlyEndedRunIsKeptUntilItsRetentionAndCountsDuplicates() {
    long now = System.currentTimeMillis();
    RunState ended = succeededAt(now - 1_000);
    TestGroupState<byte[]> state = TestGroupState.create(Optional.of(Json.write(ended)),
        GroupStateTimeout.ProcessingTimeTimeout(), now, Optional.empty(), false);

    List<byte[]> out = drain(function.call(RUN, List.of(row(new Input.StageCompleted("again", "one", "a", 1, "SUCCEEDED",
        0, now - 1_000, null, null))).iterator(), state));

    // counted, and logged with the run, the input and why
    assertThat(out).extracting(bytes -> Json.read(bytes, Command.class)).containsExactly(new Command.CountIgnored("duplicate",
        RUN, "StageCompleted", "attempt 1 of stage a SUCCEEDED (event again); the stage is SUCCEEDED at attempt 1,"
            + " the run is SUCCEEDED"));
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

  @Test
  void aTombstoneIsRemovedWhenItsRetentionEndsAndTheTriggerThenStartsANewRun() {
    long now = System.currentTimeMillis();
    RunState tombstone = succeededAt(now - RETENTION_MS - TOMBSTONE_RETENTION_MS - 1_000).tombstone();
    TestGroupState<byte[]> state = TestGroupState.create(Optional.of(Json.write(tombstone)),
        GroupStateTimeout.ProcessingTimeTimeout(), now, Optional.empty(), true);

    List<Command> out = commands(function.call(RUN, List.<ControllerInputRow>of().iterator(), state));

    assertThat(out).isEmpty();
    assertThat(state.isRemoved()).isTrue();
    // a trigger arriving with the removal (before its timer fired) already finds no run: a new one starts
    TestGroupState<byte[]> withInput = TestGroupState.create(Optional.of(Json.write(tombstone)),
        GroupStateTimeout.ProcessingTimeTimeout(), now, Optional.empty(), false);
    List<Command> restarted = commands(function.call(RUN,
        List.of(row(new Input.RunRequested("r3", "one", "k", Map.of()))).iterator(), withInput));
    assertThat(restarted).hasAtLeastOneElementOfType(Command.LaunchStage.class);
    assertThat(Json.read(withInput.get(), RunState.class).status()).isEqualTo(RunStatus.RUNNING);
  }

  private static final PipelineDefinition TWO_FILES = PipelineParser.parse("test", """
      name: two-files
      trigger: {type: objects, bucket: landing, prefix: in/, requiredFiles: [a.csv, b.csv]}
      stages:
        - {name: a, type: noop}
      """);

  @Test
  void aWaitingRunHasATimerAndExpiresFailedWithAnAlertWhenItsFilesDoNotAllArrive() {
    RunStateFunction twoFiles = new RunStateFunction(Pipelines.of(List.of(TWO_FILES)), RETENTION_MS,
        TOMBSTONE_RETENTION_MS, WAITING_TIMEOUT_MS, "baton.objects");
    String triggerKey = TWO_FILES.trigger().triggerKey("b1");
    String runId = RunIds.of("two-files", triggerKey);
    long now = System.currentTimeMillis();
    TestGroupState<byte[]> state = TestGroupState.create(Optional.empty(), GroupStateTimeout.ProcessingTimeTimeout(),
        now, Optional.empty(), false);
    twoFiles.call(runId, List.of(objectRow(runId, triggerKey, "a.csv", 0)).iterator(), state);
    assertThat(Json.read(state.get(), RunState.class).status()).isEqualTo(RunStatus.WAITING);
    assertThat((Long) state.getTimeoutTimestampMs().get()).isEqualTo(now + WAITING_TIMEOUT_MS);

    TestGroupState<byte[]> timedOut = TestGroupState.create(Optional.of(state.get()),
        GroupStateTimeout.ProcessingTimeTimeout(), now + WAITING_TIMEOUT_MS, Optional.empty(), true);
    List<Command> out = commands(twoFiles.call(runId, List.<ControllerInputRow>of().iterator(), timedOut));

    assertThat(Json.read(timedOut.get(), RunState.class).status()).isEqualTo(RunStatus.FAILED);
    assertThat(out).hasSize(3);
    assertThat(out.get(0)).isInstanceOfSatisfying(Command.RecordRun.class, run -> {
      assertThat(run.status()).isEqualTo("FAILED");
      assertThat(run.reason()).isEqualTo("waited 30000 ms for its trigger files (limit 30000 ms,"
          + " controller.waiting-timeout-ms); missing [b.csv], arrived [a.csv]");
    });
    assertThat(out.get(1)).isInstanceOfSatisfying(Command.PublishRunCompleted.class,
        completed -> assertThat(completed.status()).isEqualTo("FAILED"));
    assertThat(out.get(2)).isInstanceOfSatisfying(Command.PublishAlert.class,
        alert -> assertThat(alert.kind()).isEqualTo("WAITING_EXPIRED"));
    // the next timer is the end of the ended run's retention
    assertThat((Long) timedOut.getTimeoutTimestampMs().get()).isEqualTo(now + WAITING_TIMEOUT_MS + RETENTION_MS);
  }

  @Test
  void aWaitingRunPastItsLimitExpiresBeforeAFileArrivingInTheSameMicroBatch() {
    RunStateFunction twoFiles = new RunStateFunction(Pipelines.of(List.of(TWO_FILES)), RETENTION_MS,
        TOMBSTONE_RETENTION_MS, WAITING_TIMEOUT_MS, "baton.objects");
    String triggerKey = TWO_FILES.trigger().triggerKey("b1");
    String runId = RunIds.of("two-files", triggerKey);
    long now = System.currentTimeMillis();
    TestGroupState<byte[]> state = TestGroupState.create(Optional.empty(), GroupStateTimeout.ProcessingTimeTimeout(),
        now, Optional.empty(), false);
    twoFiles.call(runId, List.of(objectRow(runId, triggerKey, "a.csv", 0)).iterator(), state);

    // the missing file arrives after the limit, before the run's timer fired
    TestGroupState<byte[]> late = TestGroupState.create(Optional.of(state.get()), GroupStateTimeout.ProcessingTimeTimeout(),
        now + WAITING_TIMEOUT_MS + 5, Optional.empty(), false);
    List<Command> out = commands(twoFiles.call(runId, List.of(objectRow(runId, triggerKey, "b.csv", 1)).iterator(), late));

    assertThat(out).noneMatch(command -> command instanceof Command.LaunchStage);
    assertThat(out).filteredOn(Command.PublishAlert.class::isInstance).extracting(c -> ((Command.PublishAlert) c).kind())
        .containsExactly("WAITING_EXPIRED", "TRIGGER_AFTER_END");
    assertThat(out.get(out.size() - 1)).isEqualTo(new Command.CountIgnored("duplicate", runId, "ObjectArrived",
        "s3://landing/in/b1/b.csv (event s3:landing/in/b1/b.csv@1); the run is FAILED"));
    assertThat(Json.read(late.get(), RunState.class).status()).isEqualTo(RunStatus.FAILED);
  }

  private static ControllerInputRow objectRow(String runId, String triggerKey, String file, long offset) {
    ControllerInputRow row = row(new Input.ObjectArrived("s3:landing/in/b1/" + file + "@" + offset, "two-files", "landing",
        "in/b1/" + file, triggerKey, "b1", file));
    row.setRunId(runId);
    row.setPipeline("two-files");
    row.setTopic("baton.objects");
    row.setOffset(offset);
    return row;
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
        TOMBSTONE_RETENTION_MS, WAITING_TIMEOUT_MS, "baton.objects");
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

  private static List<Command> commands(Iterator<byte[]> iterator) {
    return drain(iterator).stream().map(bytes -> Json.read(bytes, Command.class)).toList();
  }

  private static List<byte[]> drain(Iterator<byte[]> iterator) {
    List<byte[]> out = new ArrayList<>();
    iterator.forEachRemaining(out::add);
    return out;
  }
}
