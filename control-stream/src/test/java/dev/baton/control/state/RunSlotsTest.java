package dev.baton.control.state;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.control.pipeline.PipelineDefinition;
import dev.baton.control.pipeline.PipelineParser;
import dev.baton.schemas.RunIds;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Runs of a pipeline with {@code maxActiveRuns}, through the run-state machine and the pipeline's run slots
 * together, the way the controller connects them (RunQueued to the slots, RunAdmitted back to the run,
 * RunCompleted to the slots).
 */
class RunSlotsTest {
  private static final PipelineDefinition LIMITED = PipelineParser.parse("test", """
      name: limited
      maxActiveRuns: 2
      stages:
        - {name: a, type: noop}
        - {name: b, type: noop, dependsOn: [a]}
      """);

  @Test
  void aRequestedRunIsQueuedUntilItsSlotsAdmitIt() {
    String runId = RunIds.of("limited", "k1");
    RunTransitions.Transition queued = RunTransitions.apply(LIMITED, null, runId,
        new Input.RunRequested("e1", "limited", "k1", Map.of(), 500L), 1_000);
    assertThat(queued.state().status()).isEqualTo(RunStatus.QUEUED);
    assertThat(queued.commands()).noneMatch(c -> c instanceof Command.LaunchStage);
    assertThat(queued.commands()).filteredOn(c -> c instanceof Command.RecordRun).singleElement()
        .satisfies(c -> assertThat(((Command.RecordRun) c).status()).isEqualTo("QUEUED"));
    assertThat(queued.commands()).filteredOn(c -> c instanceof Command.PublishRunQueued).singleElement()
        .isEqualTo(new Command.PublishRunQueued(runId, "limited", "k1", 500L, 0));

    // the same request again: a duplicate
    assertThat(RunTransitions.apply(LIMITED, queued.state(), runId,
        new Input.RunRequested("e2", "limited", "k1", Map.of(), 600L), 1_100).ignored()).isEqualTo("duplicate");

    RunTransitions.Transition admitted = RunTransitions.apply(LIMITED, queued.state(), runId,
        new Input.RunAdmitted(runId + "/admitted", "limited", 1), 2_000);
    assertThat(admitted.state().status()).isEqualTo(RunStatus.RUNNING);
    assertThat(admitted.state().startedAtMs()).isEqualTo(2_000L);
    assertThat(admitted.commands()).filteredOn(c -> c instanceof Command.LaunchStage)
        .extracting(c -> ((Command.LaunchStage) c).stage()).containsExactly("a");
    assertThat(RunTransitions.apply(LIMITED, admitted.state(), runId,
        new Input.RunAdmitted(runId + "/admitted", "limited", 1), 2_100).ignored()).isEqualTo("duplicate");
  }

  @Test
  void aRunCancelledWhileQueuedLeavesTheQueueAndIgnoresALateAdmission() {
    String runId = RunIds.of("limited", "k1");
    RunState queued = RunTransitions.apply(LIMITED, null, runId,
        new Input.RunRequested("e1", "limited", "k1", Map.of(), 500L), 1_000).state();
    RunTransitions.Transition cancelled = RunTransitions.apply(LIMITED, queued, runId,
        new Input.CancelRequested("c1", "limited", "ops", null), 1_500);
    assertThat(cancelled.state().status()).isEqualTo(RunStatus.CANCELLED);
    assertThat(cancelled.commands()).anyMatch(c -> c instanceof Command.PublishRunCompleted);
    assertThat(RunTransitions.apply(LIMITED, cancelled.state(), runId,
        new Input.RunAdmitted(runId + "/admitted", "limited", 1), 2_000).ignored()).isEqualTo("stale");

    RunSlots slots = RunSlots.empty().apply(new Input.RunQueued("q", "limited", runId, 500, 0)).slots();
    slots = slots.apply(new Input.RunEnded("x", "limited", runId, "CANCELLED")).slots();
    assertThat(slots.queue()).isEmpty();
    assertThat(slots.admit(LIMITED, 2_000).commands()).isEmpty();
  }

  @Test
  void aResumedRunQueuesAgainAndKeepsWhatSucceeded() {
    String runId = RunIds.of("limited", "k1");
    RunState state = RunTransitions.apply(LIMITED, null, runId, new Input.RunRequested("e1", "limited", "k1", Map.of(),
        500L), 1_000).state();
    state = RunTransitions.apply(LIMITED, state, runId, new Input.RunAdmitted("adm", "limited", 1), 1_100).state();
    state = RunTransitions.apply(LIMITED, state, runId, new Input.StageCompleted("a1", "limited", "a", 1, "SUCCEEDED",
        1_100, 1_200, null, null), 1_200).state();
    state = RunTransitions.apply(LIMITED, state, runId, new Input.StageCompleted("b1", "limited", "b", 1, "FAILED",
        1_200, 1_300, "Boom", "boom"), 1_300).state();
    assertThat(state.status()).isEqualTo(RunStatus.FAILED);

    RunTransitions.Transition resumed = RunTransitions.apply(LIMITED, state, runId,
        new Input.ResumeRequested("r1", "limited", "ops", null), 5_000);
    assertThat(resumed.state().status()).isEqualTo(RunStatus.QUEUED);
    assertThat(resumed.commands()).filteredOn(c -> c instanceof Command.PublishRunQueued).singleElement()
        .satisfies(c -> assertThat(((Command.PublishRunQueued) c).resumes()).isEqualTo(1));
    RunTransitions.Transition admitted = RunTransitions.apply(LIMITED, resumed.state(), runId,
        new Input.RunAdmitted("adm-1", "limited", 1), 6_000);
    assertThat(admitted.state().status()).isEqualTo(RunStatus.RUNNING);
    assertThat(admitted.state().startedAtMs()).as("the run's first start").isEqualTo(1_100L);
    assertThat(admitted.commands()).filteredOn(c -> c instanceof Command.LaunchStage)
        .extracting(c -> ((Command.LaunchStage) c).stage() + "#" + ((Command.LaunchStage) c).attempt())
        .containsExactly("b#2");
  }

  @Test
  void runsAreAdmittedOldestTriggerFirstNeverMoreThanTheLimitAndEachOnce() {
    // 50 runs queued in a shuffled delivery order, some queued twice; completions free slots
    Random random = new Random(7);
    List<Input.RunQueued> deliveries = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      deliveries.add(new Input.RunQueued("q" + i, "limited", String.format("run-%02d", i), 10_000 + i * 10L, 0));
    }
    deliveries.addAll(deliveries.subList(0, 10)); // delivered again
    java.util.Collections.shuffle(deliveries, random);

    RunSlots slots = RunSlots.empty();
    List<String> admissions = new ArrayList<>();
    int duplicates = 0;
    int delivered = 0;
    long now = 20_000;
    while (admissions.size() < 50) {
      // a micro-batch: a few deliveries, then one admission round, then the runs it admitted end in a later batch
      for (int n = 0; n < 7 && delivered < deliveries.size(); n++, delivered++) {
        RunSlots.Result result = slots.apply(deliveries.get(delivered));
        slots = result.slots();
        duplicates += "duplicate".equals(result.ignored()) ? 1 : 0;
      }
      RunSlots.Result admitted = slots.admit(LIMITED, now++);
      slots = admitted.slots();
      assertThat(slots.active().size()).isLessThanOrEqualTo(2);
      for (Command command : admitted.commands()) {
        String runId = ((Command.PublishRunAdmitted) command).runId();
        admissions.add(runId);
        // the oldest trigger first: nothing still queued was triggered before it
        assertThat(slots.queue()).allSatisfy(waiting -> assertThat(waiting.runId()).isGreaterThan(runId));
      }
      if (delivered == deliveries.size() && !slots.active().isEmpty()) {
        slots = slots.apply(new Input.RunEnded("end", "limited", slots.active().get(0), "SUCCEEDED")).slots();
      } else if (slots.active().size() == 2 && random.nextBoolean()) {
        slots = slots.apply(new Input.RunEnded("end", "limited", slots.active().get(random.nextInt(2)), "SUCCEEDED"))
            .slots();
      }
    }
    assertThat(duplicates).isEqualTo(10);
    assertThat(admissions).doesNotHaveDuplicates().hasSize(50);
    assertThat(admissions.subList(20, 50)).as("admitted after every run was queued: in trigger order").isSorted();
  }

  @Test
  void anEndedRunThatHeldNoSlotIsStaleAndALimitRemovedAdmitsTheWholeQueue() {
    RunSlots slots = RunSlots.empty();
    assertThat(slots.apply(new Input.RunEnded("e", "limited", "r0", "SUCCEEDED")).ignored()).isEqualTo("stale");
    for (int i = 1; i <= 4; i++) {
      slots = slots.apply(new Input.RunQueued("q" + i, "limited", "r" + i, i, 0)).slots();
    }
    RunSlots.Result limited = slots.admit(LIMITED, 1);
    assertThat(limited.commands()).extracting(c -> ((Command.PublishRunAdmitted) c).runId()).containsExactly("r1", "r2");
    PipelineDefinition unlimited = PipelineParser.parse("test", """
        name: limited
        stages:
          - {name: a, type: noop}
        """);
    assertThat(limited.slots().admit(unlimited, 2).commands()).extracting(c -> ((Command.PublishRunAdmitted) c).runId())
        .containsExactly("r3", "r4");
  }
}
