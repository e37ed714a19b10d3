package dev.baton.control.state;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.control.pipeline.PipelineDefinition;
import dev.baton.control.pipeline.PipelineParser;
import dev.baton.schemas.RunIds;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import dev.baton.control.pipeline.StageDefinition;
import org.junit.jupiter.api.Test;

/**
 * Runs of a pipeline with {@code maxActiveRuns} and attempts of a pool with a limit, through the run-state
 * machine and the slots, the way the controller connects them (queued events to the slots, admissions back to
 * the run, completions to the slots).
 */
class SlotsTest {
  private static final AttemptPools NOOP_POOL = new AttemptPools(Map.of(), Map.of("noop", 1), "in-process");
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

    Slots slots = Slots.empty().queue("q", run(runId, 500)).slots();
    slots = slots.release(runId::equals).slots();
    assertThat(slots.queue()).isEmpty();
    assertThat(slots.admit(2).admitted()).isEmpty();
  }

  @Test
  void aResumedRunQueuesAgainAndKeepsWhatSucceeded() {
    String runId = RunIds.of("limited", "k1");
    RunState state = RunTransitions.apply(LIMITED, null, runId, new Input.RunRequested("e1", "limited", "k1", Map.of(),
        500L), 1_000).state();
    state = RunTransitions.apply(LIMITED, state, runId, new Input.RunAdmitted(runId + "/admitted", "limited", 1), 1_100)
        .state();
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
    // the first queueing's admission delivered late: stale; the resumed queueing's admission starts it
    assertThat(RunTransitions.apply(LIMITED, resumed.state(), runId, new Input.RunAdmitted(runId + "/admitted", "limited",
        1), 5_500).ignored()).isEqualTo("stale");
    RunTransitions.Transition admitted = RunTransitions.apply(LIMITED, resumed.state(), runId,
        new Input.RunAdmitted(runId + "/resume-1/admitted", "limited", 1), 6_000);
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
    List<Slots.Entry> deliveries = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      deliveries.add(run(String.format("run-%02d", i), 10_000 + i * 10L));
    }
    deliveries.addAll(deliveries.subList(0, 10)); // delivered again
    java.util.Collections.shuffle(deliveries, random);

    Slots slots = Slots.empty();
    List<String> admissions = new ArrayList<>();
    int duplicates = 0;
    int delivered = 0;
    while (admissions.size() < 50) {
      // a micro-batch: a few deliveries, then one admission round, then the runs it admitted end in a later batch
      for (int n = 0; n < 7 && delivered < deliveries.size(); n++, delivered++) {
        Slots.Entry entry = deliveries.get(delivered);
        Slots.Result result = slots.queue(entry.id() + "/queued", entry);
        slots = result.slots();
        duplicates += "duplicate".equals(result.ignored()) ? 1 : 0;
      }
      Slots.Admission admitted = slots.admit(2);
      slots = admitted.slots();
      assertThat(slots.active().size()).isLessThanOrEqualTo(2);
      for (Slots.Entry entry : admitted.admitted()) {
        admissions.add(entry.id());
        // the oldest trigger first: nothing still queued was triggered before it
        assertThat(slots.queue()).allSatisfy(waiting -> assertThat(waiting.id()).isGreaterThan(entry.id()));
      }
      String ending = slots.active().isEmpty() ? null
          : delivered == deliveries.size() ? slots.active().get(0)
          : slots.active().size() == 2 && random.nextBoolean() ? slots.active().get(random.nextInt(2)) : null;
      if (ending != null) {
        slots = slots.release(ending::equals).slots();
      }
    }
    assertThat(duplicates).isEqualTo(10);
    assertThat(admissions).doesNotHaveDuplicates().hasSize(50);
    assertThat(admissions.subList(20, 50)).as("admitted after every run was queued: in trigger order").isSorted();
  }

  @Test
  void aHigherPriorityIsAdmittedFirstWhateverItsAgeAndAnEndWithoutASlotIsStale() {
    Slots slots = Slots.empty();
    assertThat(slots.release("r0"::equals).ignored()).isEqualTo("stale");
    slots = slots.queue("a", attempt("low-1", 0, 100)).slots()
        .queue("b", attempt("high-1", 5, 900)).slots()
        .queue("c", attempt("low-2", 0, 50)).slots()
        .queue("d", attempt("high-2", 5, 800)).slots();
    Slots.Admission first = slots.admit(1);
    assertThat(first.admitted()).extracting(Slots.Entry::id).containsExactly("high-2/s/1");
    Slots.Admission rest = first.slots().release("high-2/s/1"::equals).slots().admit(Integer.MAX_VALUE);
    assertThat(rest.admitted()).extracting(Slots.Entry::id).containsExactly("high-1/s/1", "low-2/s/1", "low-1/s/1");
    // a run that ended frees the slots of all its attempts
    assertThat(rest.slots().release(id -> id.startsWith("low-2/")).slots().active())
        .containsExactly("high-1/s/1", "low-1/s/1");
  }

  @Test
  void anAttemptOfALimitedPoolIsQueuedUntilAdmittedAndCancelledWithItsRun() {
    PipelineDefinition pipeline = PipelineParser.parse("test", """
        name: pooled
        priority: 3
        stages:
          - {name: a, type: noop}
          - {name: b, type: sql, dependsOn: [a], options: {query: "select 1", table: t.b}}
        """);
    String runId = RunIds.of("pooled", "k1");
    RunTransitions.Transition started = RunTransitions.apply(pipeline, null, runId,
        new Input.RunRequested("e1", "pooled", "k1", Map.of(), 500L), 1_000, NOOP_POOL);
    assertThat(started.state().status()).isEqualTo(RunStatus.RUNNING);
    assertThat(started.state().stages().get("a").status()).isEqualTo(StageRunStatus.QUEUED);
    assertThat(started.commands()).noneMatch(c -> c instanceof Command.LaunchStage)
        .contains(new Command.PublishAttemptQueued(runId, "pooled", "a", 1, "type:noop", 3, 1_000));
    assertThat(started.commands()).filteredOn(c -> c instanceof Command.RecordStageAttempt).singleElement()
        .satisfies(c -> assertThat(((Command.RecordStageAttempt) c).status()).isEqualTo("QUEUED"));

    RunTransitions.Transition admitted = RunTransitions.apply(pipeline, started.state(), runId,
        new Input.AttemptAdmitted("adm", "pooled", "a", 1), 2_000, NOOP_POOL);
    assertThat(admitted.commands()).filteredOn(c -> c instanceof Command.LaunchStage).singleElement()
        .satisfies(c -> assertThat(((Command.LaunchStage) c).readyAtMs()).isEqualTo(2_000));
    assertThat(RunTransitions.apply(pipeline, admitted.state(), runId, new Input.AttemptAdmitted("adm", "pooled", "a", 1),
        2_100, NOOP_POOL).ignored()).isEqualTo("duplicate");
    // its completion launches b, whose type has no limit, at once
    RunTransitions.Transition next = RunTransitions.apply(pipeline, admitted.state(), runId,
        new Input.StageCompleted("c1", "pooled", "a", 1, "SUCCEEDED", 2_000, 2_500, null, null), 2_600, NOOP_POOL);
    assertThat(next.commands()).filteredOn(c -> c instanceof Command.LaunchStage)
        .extracting(c -> ((Command.LaunchStage) c).stage()).containsExactly("b");

    // cancelled while its attempt is QUEUED: the attempt is recorded CANCELLED, a late admission is stale
    RunTransitions.Transition cancelled = RunTransitions.apply(pipeline, started.state(), runId,
        new Input.CancelRequested("x", "pooled", "ops", null), 1_500, NOOP_POOL);
    assertThat(cancelled.state().stages().get("a").status()).isEqualTo(StageRunStatus.CANCELLED);
    assertThat(cancelled.commands()).filteredOn(c -> c instanceof Command.RecordStageAttempt).singleElement()
        .satisfies(c -> assertThat(((Command.RecordStageAttempt) c).status()).isEqualTo("CANCELLED"));
    assertThat(RunTransitions.apply(pipeline, cancelled.state(), runId, new Input.AttemptAdmitted("adm", "pooled", "a", 1),
        2_000, NOOP_POOL).ignored()).isEqualTo("stale");
  }

  @Test
  void poolsComeFromTheConfigurationLauncherFirst() {
    AttemptPools pools = AttemptPools.fromConfig(Map.of("controller.max-concurrent-attempts.launcher.emr", "4",
        "controller.max-concurrent-attempts.type.ingest", "2", "kafka.bootstrap.servers", "x"), "in-process");
    StageDefinition ingestOnEmr = new StageDefinition("i", "ingest", List.of(), Map.of(), dev.baton.control.pipeline.RetryPolicy.NONE, null, Map.of(), "emr");
    StageDefinition ingestLocal = new StageDefinition("i", "ingest", List.of(), Map.of(), dev.baton.control.pipeline.RetryPolicy.NONE, null, Map.of(), null);
    StageDefinition sqlLocal = new StageDefinition("s", "sql", List.of(), Map.of(), dev.baton.control.pipeline.RetryPolicy.NONE, null, Map.of(), null);
    assertThat(pools.poolOf(ingestOnEmr)).contains("launcher:emr");
    assertThat(pools.poolOf(ingestLocal)).contains("type:ingest");
    assertThat(pools.poolOf(sqlLocal)).isEmpty();
    assertThat(pools.limit("launcher:emr")).isEqualTo(4);
    assertThat(pools.limit("type:sql")).isNull();
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> AttemptPools.fromConfig(
        Map.of("controller.max-concurrent-attempts.type.sql", "0"), "in-process"))
        .hasMessage("controller.max-concurrent-attempts.type.sql: must be an integer of at least 1 (got '0')");
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> AttemptPools.fromConfig(
        Map.of("controller.max-concurrent-attempts.sql", "2"), "in-process"))
        .hasMessageStartingWith("controller.max-concurrent-attempts.sql: expected");
  }

  private static Slots.Entry run(String runId, long atMs) {
    return new Slots.Entry(runId, runId, "limited", null, 0, 0, atMs, 0);
  }

  private static Slots.Entry attempt(String runId, int priority, long atMs) {
    return new Slots.Entry(Slots.attemptId(runId, "s", 1), runId, "p", "s", 1, priority, atMs, 0);
  }
}
