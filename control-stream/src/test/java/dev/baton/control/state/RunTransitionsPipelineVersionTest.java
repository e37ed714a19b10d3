package dev.baton.control.state;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.control.pipeline.PipelineDefinition;
import dev.baton.control.pipeline.PipelineParser;
import dev.baton.control.pipeline.PipelineVersions;
import dev.baton.schemas.RunIds;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A run keeps the pipeline version it was created with: the pipeline's YAML edited while the run is
 * open (the controller restarted with another definition) changes nothing for it.
 */
class RunTransitionsPipelineVersionTest {

  // a -> b -> c; a retries up to 3 attempts and times out after 60 s
  private static final PipelineDefinition V1 = PipelineParser.parse("v1", """
      name: chain
      defaults: {timeoutMs: 60000}
      stages:
        - {name: a, type: noop, retry: {maxAttempts: 3, initialBackoffMs: 100, maxBackoffMs: 100}, options: {durationMs: 5}}
        - {name: b, type: noop, dependsOn: [a], options: {durationMs: 5}}
        - {name: c, type: noop, dependsOn: [b], options: {durationMs: 5}}
      """);
  private static final String RUN = RunIds.of("chain", "k");

  @Test
  void aStageRemovedFromThePipelineStillRunsInARunStartedBefore() {
    PipelineDefinition withoutC = PipelineParser.parse("v2", """
        name: chain
        stages:
          - {name: a, type: noop}
          - {name: b, type: noop, dependsOn: [a]}
        """);
    RunState state = started(V1);

    state = RunTransitions.apply(withoutC, state, RUN, completed("a", 1, "SUCCEEDED"), 2_000).state();
    RunTransitions.Transition afterB = RunTransitions.apply(withoutC, state, RUN, completed("b", 1, "SUCCEEDED"), 3_000);
    assertThat(launched(afterB)).containsExactly("c#1");
    assertThat(afterB.state().status()).isEqualTo(RunStatus.RUNNING);
    RunTransitions.Transition afterC = RunTransitions.apply(withoutC, afterB.state(), RUN, completed("c", 1, "SUCCEEDED"),
        4_000);

    assertThat(afterC.state().status()).isEqualTo(RunStatus.SUCCEEDED);
    assertThat(afterC.state().pipelineVersion()).isEqualTo(PipelineVersions.hash(V1))
        .isNotEqualTo(PipelineVersions.hash(withoutC));
  }

  @Test
  void aStageAddedToThePipelineDoesNotJoinARunStartedBefore() {
    PipelineDefinition withD = PipelineParser.parse("v2", """
        name: chain
        stages:
          - {name: a, type: noop}
          - {name: b, type: noop, dependsOn: [a]}
          - {name: c, type: noop, dependsOn: [b]}
          - {name: d, type: noop, dependsOn: [a]}
        """);
    RunState state = started(V1);

    // today's code looked the new stage d up in the run's state: NullPointerException
    RunTransitions.Transition afterA = RunTransitions.apply(withD, state, RUN, completed("a", 1, "SUCCEEDED"), 2_000);
    assertThat(launched(afterA)).containsExactly("b#1");
    state = RunTransitions.apply(withD, afterA.state(), RUN, completed("b", 1, "SUCCEEDED"), 3_000).state();
    state = RunTransitions.apply(withD, state, RUN, completed("c", 1, "SUCCEEDED"), 4_000).state();

    assertThat(state.status()).isEqualTo(RunStatus.SUCCEEDED);
    assertThat(state.stages()).containsOnlyKeys("a", "b", "c");
  }

  @Test
  void aRunLaunchesRetriesAndTimesOutPerItsOwnVersionOfTheStages() {
    PipelineDefinition changed = PipelineParser.parse("v2", """
        name: chain
        defaults: {timeoutMs: 1000}
        stages:
          - {name: a, type: noop, options: {durationMs: 99999}}
          - {name: b, type: noop, dependsOn: [a], options: {failureRate: 1.0}}
          - {name: c, type: noop, dependsOn: [b]}
        """);
    RunState state = started(V1); // a#1 launched at 1_000

    // v2 would time a#1 out after 1 s; v1 after 60 s
    RunTransitions.Transition tick = RunTransitions.apply(changed, state, RUN, new Input.Tick(), 5_000);
    assertThat(tick.commands()).isEmpty();
    assertThat(RunTransitions.nextDeadlineMs(changed, state)).isEqualTo(61_000L);
    // v2 has no retry for a; v1 retries it
    RunTransitions.Transition failed = RunTransitions.apply(changed, state, RUN,
        new Input.StageCompleted("f", "chain", "a", 1, "FAILED", 1_000, 5_500, "java.io.IOException", "S3 said 503"), 6_000);
    assertThat(failed.state().status()).isEqualTo(RunStatus.RUNNING);
    assertThat(failed.state().stages().get("a").status()).isEqualTo(StageRunStatus.RETRY_WAIT);
    RunTransitions.Transition retry = RunTransitions.apply(changed, failed.state(), RUN, new Input.Tick(),
        failed.state().stages().get("a").retryAtMs());
    // the launch carries v1's definition of the stage: the launcher runs v1's options
    assertThat(retry.commands()).filteredOn(Command.LaunchStage.class::isInstance).singleElement()
        .isInstanceOfSatisfying(Command.LaunchStage.class, launch -> {
          assertThat(launch.stage() + "#" + launch.attempt()).isEqualTo("a#2");
          assertThat(launch.definition()).isEqualTo(V1.stage("a").orElseThrow());
          assertThat(launch.definition().options()).containsEntry("durationMs", 5);
        });
  }

  @Test
  void aNewRunRecordsItsPipelineVersionInTheLedgerWithoutTheWebhook() {
    PipelineDefinition withWebhook = PipelineParser.parse("v1", """
        name: chain
        alerts: {webhook: {url: "https://hooks.example.com/x", headers: {Authorization: "Bearer s3cr3t"}}}
        stages:
          - {name: a, type: noop}
        """);

    RunTransitions.Transition started = RunTransitions.apply(withWebhook, null, RUN,
        new Input.RunRequested("r", "chain", "k", Map.of()), 1_000);

    assertThat(started.state().pipelineDefinition().webhook()).isNull(); // its headers may hold credentials
    assertThat(started.state().pipelineDefinition().stages()).isEqualTo(withWebhook.stages());
    assertThat(started.state().pipelineVersion()).matches("[0-9a-f]{12}").isEqualTo(PipelineVersions.hash(withWebhook));
    assertThat(started.commands()).filteredOn(Command.RecordRun.class::isInstance)
        .extracting(c -> ((Command.RecordRun) c).pipelineVersion()).containsOnly(PipelineVersions.hash(withWebhook));
    assertThat(started.commands()).filteredOn(Command.LaunchStage.class::isInstance)
        .extracting(c -> ((Command.LaunchStage) c).pipelineVersion()).containsOnly(PipelineVersions.hash(withWebhook));
  }

  @Test
  void aResumedRunTakesThePipelinesCurrentVersion() {
    PipelineDefinition fixed = PipelineParser.parse("v2", """
        name: chain
        stages:
          - {name: a, type: noop}
          - {name: b, type: noop, dependsOn: [a], options: {durationMs: 7}}
          - {name: c, type: noop, dependsOn: [b]}
        """);
    RunState state = started(V1);
    state = RunTransitions.apply(V1, state, RUN, completed("a", 1, "SUCCEEDED"), 2_000).state();
    state = RunTransitions.apply(V1, state, RUN,
        new Input.StageCompleted("fb", "chain", "b", 1, "FAILED", 2_000, 2_500, "SQL_ERROR", "bad query"), 3_000).state();
    assertThat(state.status()).isEqualTo(RunStatus.FAILED);

    // the operator fixed b in the YAML, restarted the controller and resumes: the fix applies
    RunTransitions.Transition resumed = RunTransitions.apply(fixed, state, RUN,
        new Input.ResumeRequested("res", "chain", "ops", "b fixed"), 4_000);

    assertThat(resumed.commands()).filteredOn(Command.LaunchStage.class::isInstance).singleElement()
        .isInstanceOfSatisfying(Command.LaunchStage.class,
            launch -> {
              assertThat(launch.definition()).isEqualTo(fixed.stage("b").orElseThrow());
              assertThat(launch.pipelineVersion()).isEqualTo(PipelineVersions.hash(fixed)); // what the stage runner logs
            });
    assertThat(resumed.state().pipelineVersion()).isEqualTo(PipelineVersions.hash(fixed));
    assertThat(resumed.commands()).filteredOn(Command.RecordRun.class::isInstance)
        .extracting(c -> ((Command.RecordRun) c).pipelineVersion()).containsOnly(PipelineVersions.hash(fixed));
  }

  @Test
  void anOpenRunWhosePipelineWasDeletedFailsWithTheReason() {
    RunState state = started(V1); // a#1 running

    RunTransitions.Transition deleted = RunTransitions.pipelineDeleted(state, 9_000);

    String reason = "pipeline 'chain' is no longer defined (deleted while the run was open)";
    assertThat(deleted.state().status()).isEqualTo(RunStatus.FAILED);
    assertThat(deleted.state().completedAtMs()).isEqualTo(9_000L);
    assertThat(deleted.commands()).containsExactly(
        new Command.CancelStage(RUN, "chain", "a", 1),
        new Command.RecordStageAttempt(RUN, "chain", "a", 1, "CANCELLED", 1_000L, 9_000L, "PIPELINE_DELETED", reason),
        new Command.RecordRun(RUN, "chain", "k", "FAILED", 1_000L, 9_000L, List.of(), Map.of("triggerKey", "k"), 0,
            PipelineVersions.hash(V1), null),
        new Command.PublishRunCompleted(RUN, "chain", "FAILED", 9_000L, List.of(), 0),
        new Command.PublishAlert("RUN_FAILED", RUN, "chain", null, null, 9_000L, "Run " + RUN + " of chain failed: " + reason));
    assertThat(RunTransitions.nextDeadlineMs(V1, deleted.state())).isNull();
    // an ended run is left as it is
    assertThat(RunTransitions.pipelineDeleted(deleted.state(), 10_000).commands()).isEmpty();
    // a WAITING run (no stages, no timer) fails the same way
    RunState waiting = RunState.waiting(RUN, V1, "k", Map.of(), java.util.Set.of(), 500);
    assertThat(RunTransitions.pipelineDeleted(waiting, 9_000).state().status()).isEqualTo(RunStatus.FAILED);
  }

  @Test
  void aRunFromBeforeRunsKeptTheirVersionTakesTheCurrentOneOrFailsWhenItsStagesChanged() {
    RunState unversioned = unversioned(started(V1));
    PipelineDefinition optionsChanged = PipelineParser.parse("v2", """
        name: chain
        stages:
          - {name: a, type: noop}
          - {name: b, type: noop, dependsOn: [a], options: {durationMs: 9}}
          - {name: c, type: noop, dependsOn: [b]}
        """);
    PipelineDefinition withoutC = PipelineParser.parse("v3", """
        name: chain
        stages:
          - {name: a, type: noop}
          - {name: b, type: noop, dependsOn: [a]}
        """);

    // same stages: the run adopts the current version and goes on with it
    RunTransitions.Transition adopted = RunTransitions.apply(optionsChanged, unversioned, RUN, completed("a", 1, "SUCCEEDED"),
        2_000);
    assertThat(adopted.state().pipelineVersion()).isEqualTo(PipelineVersions.hash(optionsChanged));
    assertThat(adopted.commands()).filteredOn(Command.LaunchStage.class::isInstance).singleElement()
        .isInstanceOfSatisfying(Command.LaunchStage.class,
            launch -> assertThat(launch.definition()).isEqualTo(optionsChanged.stage("b").orElseThrow()));

    // other stages: the run cannot go on; it fails with the reason instead of hanging (c would never run)
    RunTransitions.Transition failed = RunTransitions.apply(withoutC, unversioned, RUN, completed("a", 1, "SUCCEEDED"), 2_000);
    assertThat(failed.state().status()).isEqualTo(RunStatus.FAILED);
    assertThat(failed.rejection()).isEqualTo("run " + RUN + " failed: pipeline 'chain' changed while the run was open: it now"
        + " has stages [a, b], the run has [a, b, c] (the run started before runs kept their pipeline version; rerun it)");
    assertThat(failed.commands()).filteredOn(Command.RecordStageAttempt.class::isInstance).singleElement()
        .isInstanceOfSatisfying(Command.RecordStageAttempt.class,
            attempt -> assertThat(attempt.errorType()).isEqualTo(RunTransitions.PIPELINE_CHANGED));
    assertThat(RunTransitions.apply(withoutC, unversioned, RUN, new Input.Tick(), 2_000).state().status())
        .isEqualTo(RunStatus.FAILED);
  }

  /** The state as a controller before pipeline versions wrote it. */
  private static RunState unversioned(RunState state) {
    return new RunState(state.runId(), state.pipeline(), state.triggerKey(), state.status(), state.params(),
        state.filesSeen(), state.stages(), state.createdAtMs(), state.startedAtMs(), state.completedAtMs(), state.resumes(),
        state.slaMissed(), state.operatorRequests(), state.compacted(), null, null);
  }

  private static RunState started(PipelineDefinition pipeline) {
    RunTransitions.Transition started = RunTransitions.apply(pipeline, null, RUN,
        new Input.RunRequested("r", "chain", "k", Map.of()), 1_000);
    assertThat(launched(started)).containsExactly("a#1");
    return started.state();
  }

  private static Input completed(String stage, int attempt, String status) {
    return new Input.StageCompleted(stage + attempt + status, "chain", stage, attempt, status, 0, 1_500, null, null);
  }

  private static List<String> launched(RunTransitions.Transition transition) {
    List<String> launched = new ArrayList<>();
    for (Command command : transition.commands()) {
      if (command instanceof Command.LaunchStage launch) {
        launched.add(launch.stage() + "#" + launch.attempt());
      }
    }
    return launched;
  }
}
