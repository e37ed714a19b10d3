package dev.baton.control.stream;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.control.pipeline.PipelineDefinition;
import dev.baton.control.pipeline.PipelineParser;
import dev.baton.control.pipeline.PipelineVersions;
import dev.baton.control.pipeline.Pipelines;
import dev.baton.control.state.Command;
import dev.baton.control.state.Input;
import dev.baton.control.state.RunState;
import dev.baton.control.state.RunStatus;
import dev.baton.control.state.RunTransitions;
import dev.baton.schemas.RunIds;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.apache.spark.api.java.Optional;
import org.apache.spark.sql.streaming.GroupStateTimeout;
import org.apache.spark.sql.streaming.TestGroupState;
import org.junit.jupiter.api.Test;

/**
 * The stateful step after a controller restart with edited pipelines, on Spark's {@link
 * TestGroupState}, the run's state read back from its JSON as the state store holds it.
 */
class RunStateFunctionPipelineEditTest {
  private static final long RETENTION_MS = 60_000;
  private static final PipelineDefinition V1 = PipelineParser.parse("v1", """
      name: chain
      trigger: {type: objects, bucket: landing, prefix: in/, requiredFiles: [b.csv, a.csv]}
      defaults: {timeoutMs: 600000}
      stages:
        - {name: a, type: noop, options: {durationMs: 5, maxDurationMs: 10}}
        - {name: b, type: noop, dependsOn: [a], options: {durationMs: 5}}
      """);
  private static final PipelineDefinition OTHER = PipelineParser.parse("other", """
      name: other
      stages:
        - {name: x, type: noop}
      """);
  private static final String RUN = RunIds.of("chain", "k");

  @Test
  void aRunsStateKeepsItsPipelineVersionThroughTheStateStore() {
    RunState running = running();

    RunState read = Json.read(Json.write(running), RunState.class);

    assertThat(read).isEqualTo(running);
    assertThat(read.pipelineDefinition()).isEqualTo(V1);
    assertThat(PipelineVersions.hash(read.pipelineDefinition())).isEqualTo(read.pipelineVersion());
  }

  @Test
  void withAnArchiveARunIsStoredWithItsVersionHashOnlyAndStillDecidesOnItsVersion() {
    PipelineDefinition v2 = PipelineParser.parse("v2", """
        name: chain
        stages:
          - {name: a, type: noop}
          - {name: b, type: noop, dependsOn: [a], options: {durationMs: 60000}}
          - {name: c, type: noop, dependsOn: [a]}
        """);
    RunState running = running();
    Map<String, PipelineDefinition> archive = Map.of(running.pipelineVersion(), V1,
        PipelineVersions.hash(PipelineVersions.forRun(v2)), PipelineVersions.forRun(v2));
    RunStateFunction restarted = new RunStateFunction(Pipelines.of(List.of(v2, OTHER)), RETENTION_MS,
        30L * 86_400_000, 86_400_000L, "baton.objects").withArchivedVersions(archive);
    long now = System.currentTimeMillis();
    TestGroupState<byte[]> state = TestGroupState.create(Optional.of(Json.write(running.withoutPipelineDefinition())),
        GroupStateTimeout.ProcessingTimeTimeout(), now, Optional.empty(), false);

    List<Command> out = commands(restarted.call(RUN, List.of(row(new Input.StageCompleted("ca", "chain", "a", 1,
        "SUCCEEDED", now - 10, now - 5, null, null))).iterator(), state));

    assertThat(out).filteredOn(Command.LaunchStage.class::isInstance).singleElement()
        .isInstanceOfSatisfying(Command.LaunchStage.class, launch -> assertThat(launch.definition())
            .isEqualTo(V1.stage("b").orElseThrow()));
    RunState stored = Json.read(state.get(), RunState.class);
    assertThat(stored.pipelineDefinition()).as("stored by hash only").isNull();
    assertThat(stored.pipelineVersion()).isEqualTo(running.pipelineVersion());
    assertThat(state.get().length).isLessThan(Json.write(stored.withPipelineDefinition(V1)).length);
  }

  @Test
  void aRunDecidesOnItsOwnVersionWhenThePipelineGainedAStage() {
    PipelineDefinition v2 = PipelineParser.parse("v2", """
        name: chain
        stages:
          - {name: a, type: noop}
          - {name: b, type: noop, dependsOn: [a], options: {durationMs: 60000}}
          - {name: c, type: noop, dependsOn: [a]}
        """);
    RunStateFunction restarted = new RunStateFunction(Pipelines.of(List.of(v2, OTHER)), RETENTION_MS, 30L * 86_400_000, 86_400_000L, "baton.objects");
    long now = System.currentTimeMillis();
    TestGroupState<byte[]> state = TestGroupState.create(Optional.of(Json.write(running())),
        GroupStateTimeout.ProcessingTimeTimeout(), now, Optional.empty(), false);

    // today's code: NullPointerException for stage c, on every replay of the micro-batch
    List<Command> out = commands(restarted.call(RUN, List.of(row(new Input.StageCompleted("ca", "chain", "a", 1,
        "SUCCEEDED", now - 10, now - 5, null, null))).iterator(), state));

    assertThat(out).filteredOn(Command.LaunchStage.class::isInstance).singleElement()
        .isInstanceOfSatisfying(Command.LaunchStage.class, launch -> {
          assertThat(launch.stage()).isEqualTo("b");
          assertThat(launch.definition()).isEqualTo(V1.stage("b").orElseThrow()); // durationMs 5, not 60000
        });
    assertThat(Json.read(state.get(), RunState.class).stages()).containsOnlyKeys("a", "b");
  }

  @Test
  void anOpenRunOfADeletedPipelineFailsOnItsTimer() {
    RunStateFunction restarted = new RunStateFunction(Pipelines.of(List.of(OTHER)), RETENTION_MS, 30L * 86_400_000, 86_400_000L, "baton.objects");
    long now = System.currentTimeMillis();
    TestGroupState<byte[]> state = TestGroupState.create(Optional.of(Json.write(running())),
        GroupStateTimeout.ProcessingTimeTimeout(), now, Optional.empty(), true);

    // today's code: nothing; the run stays RUNNING for ever
    List<Command> out = commands(restarted.call(RUN, List.<ControllerInputRow>of().iterator(), state));

    RunState ended = Json.read(state.get(), RunState.class);
    assertThat(ended.status()).isEqualTo(RunStatus.FAILED);
    assertThat(out).contains(new Command.PublishRunCompleted(RUN, "chain", "FAILED", now, List.of(), 0));
    assertThat(out).filteredOn(Command.PublishAlert.class::isInstance).singleElement()
        .isInstanceOfSatisfying(Command.PublishAlert.class, alert -> assertThat(alert.message())
            .isEqualTo("Run " + RUN + " of chain failed: pipeline 'chain' is no longer defined (deleted while the run was open)"));
    assertThat(out).filteredOn(Command.RecordRun.class::isInstance).singleElement()
        .isInstanceOfSatisfying(Command.RecordRun.class, run -> assertThat(run.status()).isEqualTo("FAILED"));
    // the next timer is the end of its retention, no longer the attempt timeout
    assertThat((Long) state.getTimeoutTimestampMs().get()).isEqualTo(now + RETENTION_MS);
  }

  @Test
  void anEventForARunOfADeletedPipelineFailsTheRunAndGoesToTheDeadLetters() {
    RunStateFunction restarted = new RunStateFunction(Pipelines.of(List.of(OTHER)), RETENTION_MS, 30L * 86_400_000, 86_400_000L, "baton.objects");
    long now = System.currentTimeMillis();
    TestGroupState<byte[]> state = TestGroupState.create(Optional.of(Json.write(running())),
        GroupStateTimeout.ProcessingTimeTimeout(), now, Optional.empty(), false);
    // as InputDecoder keys a control event of an unknown pipeline: to its run
    ControllerInputRow completion = row(new Input.Rejected("unknown pipeline 'chain'"));

    List<Command> out = commands(restarted.call(RUN, List.of(completion).iterator(), state));

    assertThat(Json.read(state.get(), RunState.class).status()).isEqualTo(RunStatus.FAILED);
    assertThat(out).filteredOn(Command.DeadLetter.class::isInstance).extracting(c -> ((Command.DeadLetter) c).reason())
        .containsExactly("unknown pipeline 'chain'");
    assertThat(out).hasAtLeastOneElementOfType(Command.PublishRunCompleted.class);
    // a run that never existed: only the dead letter, no state
    TestGroupState<byte[]> none = TestGroupState.create(Optional.empty(), GroupStateTimeout.ProcessingTimeTimeout(), now,
        Optional.empty(), false);
    assertThat(commands(restarted.call(RUN, List.of(completion).iterator(), none)))
        .singleElement().isInstanceOf(Command.DeadLetter.class);
    assertThat(none.exists()).isFalse();
  }

  /** Run {@code RUN} of V1, a#1 launched a second ago. */
  private static RunState running() {
    long now = System.currentTimeMillis();
    RunState state = RunTransitions.apply(V1, null, RUN, new Input.RunRequested("r", "chain", "k", Map.of()), now - 1_000)
        .state();
    assertThat(state.status()).isEqualTo(RunStatus.RUNNING);
    return state;
  }

  private static ControllerInputRow row(Input input) {
    ControllerInputRow row = new ControllerInputRow();
    row.setRunId(RUN);
    row.setPipeline("chain");
    row.setTopic("baton.control");
    row.setPartition(0);
    row.setOffset(1);
    row.setInput(Json.write(input));
    return row;
  }

  private static List<Command> commands(Iterator<byte[]> iterator) {
    List<Command> out = new ArrayList<>();
    iterator.forEachRemaining(bytes -> out.add(Json.read(bytes, Command.class)));
    return out;
  }
}
