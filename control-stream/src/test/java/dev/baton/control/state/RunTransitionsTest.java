package dev.baton.control.state;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.schemas.RunIds;
import dev.baton.control.pipeline.PipelineDefinition;
import dev.baton.control.pipeline.PipelineParser;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RunTransitionsTest {

  // a -> c, b -> c, c -> d : a diamond tail
  private static final PipelineDefinition PIPELINE = PipelineParser.parse("test", """
      name: diamond
      trigger: {type: objects, bucket: landing, prefix: in/, requiredFiles: [a.csv, b.csv]}
      params: [{name: extra, type: string, default: none}]
      stages:
        - {name: a, type: sql, options: {query: "select 1", table: t.a}}
        - {name: b, type: sql, options: {query: "select 1", table: t.b}}
        - {name: c, type: sql, dependsOn: [a, b], options: {query: "select 1", table: t.c}}
        - {name: d, type: sql, dependsOn: [c], options: {query: "select 1", table: t.d}}
      """);
  private static final String TRIGGER_KEY = "landing/in/b1/";
  private static final String RUN = RunIds.of("diamond", TRIGGER_KEY);

  @Test
  void runIdsAreDeterministicFromPipelineAndTriggerKey() {
    assertThat(RunIds.of("diamond", TRIGGER_KEY)).isEqualTo(RUN).hasSize(36);
    assertThat(RunIds.of("diamond", "landing/in/b2/")).isNotEqualTo(RUN);
    assertThat(RunIds.of("other", TRIGGER_KEY)).isNotEqualTo(RUN);
  }

  @Test
  void runWaitsForEveryTriggerFileThenLaunchesTheRoots() {
    RunTransitions.Transition first = RunTransitions.apply(PIPELINE, null, RUN, object("e1", "a.csv"), 1_000);
    assertThat(first.state().status()).isEqualTo(RunStatus.WAITING);
    // recorded once, WAITING, so operators can see (and cancel) a batch still missing files
    assertThat(first.commands()).singleElement().isInstanceOfSatisfying(Command.RecordRun.class,
        run -> assertThat(run.status()).isEqualTo("WAITING"));

    RunTransitions.Transition repeated = RunTransitions.apply(PIPELINE, first.state(), RUN, object("e1", "a.csv"), 1_100);
    assertThat(repeated.commands()).isEmpty();

    RunTransitions.Transition second = RunTransitions.apply(PIPELINE, repeated.state(), RUN, object("e2", "b.csv"), 2_000);
    assertThat(second.state().status()).isEqualTo(RunStatus.RUNNING);
    assertThat(launched(second)).containsExactly("a#1", "b#1");
    assertThat(second.state().params()).containsEntry("batch", "b1").containsEntry("batchPrefix", "in/b1/")
        .containsEntry("bucket", "landing");
    assertThat(second.commands().get(0)).isInstanceOfSatisfying(Command.RecordRun.class,
        run -> assertThat(run.status()).isEqualTo("RUNNING"));
  }

  @Test
  void launchesDownstreamOnlyAfterAllUpstreamSucceeded() {
    RunState state = started();

    RunTransitions.Transition afterA = RunTransitions.apply(PIPELINE, state, RUN, completed("a", 1, "SUCCEEDED"), 3_000);
    assertThat(launched(afterA)).isEmpty();

    RunTransitions.Transition afterB = RunTransitions.apply(PIPELINE, afterA.state(), RUN, completed("b", 1, "SUCCEEDED"), 4_000);
    assertThat(launched(afterB)).containsExactly("c#1");
    assertThat(afterB.state().stages().get("c").launchedAtMs()).isEqualTo(4_000L);

    RunTransitions.Transition afterC = RunTransitions.apply(PIPELINE, afterB.state(), RUN, completed("c", 1, "SUCCEEDED"), 5_000);
    RunTransitions.Transition afterD = RunTransitions.apply(PIPELINE, afterC.state(), RUN, completed("d", 1, "SUCCEEDED"), 6_000);
    assertThat(afterD.state().status()).isEqualTo(RunStatus.SUCCEEDED);
    assertThat(afterD.state().completedAtMs()).isEqualTo(6_000L);
    assertThat(afterD.commands()).anySatisfy(c -> assertThat(c).isInstanceOfSatisfying(Command.PublishRunCompleted.class,
        rc -> assertThat(rc.status()).isEqualTo("SUCCEEDED")));
  }

  @Test
  void failedStageStopsDownstreamAndFailsTheRun() {
    RunState state = started();

    RunTransitions.Transition failed = RunTransitions.apply(PIPELINE, state, RUN,
        new Input.StageCompleted("x", "diamond", "a", 1, "FAILED", 2_000, 2_500, "QUALITY_FAILED", "boom"), 3_000);
    assertThat(failed.state().status()).isEqualTo(RunStatus.FAILED);
    assertThat(failed.state().failedStages()).containsExactly("a");
    assertThat(failed.commands()).anySatisfy(c -> assertThat(c).isInstanceOfSatisfying(Command.PublishRunCompleted.class,
        rc -> assertThat(rc.failedStages()).containsExactly("a")));
    assertThat(failed.state().stages().get("a").errorMessage()).isEqualTo("boom");
    assertThat(failed.commands()).anySatisfy(c -> assertThat(c).isInstanceOfSatisfying(Command.PublishAlert.class,
        alert -> assertThat(alert.kind()).isEqualTo("RUN_FAILED")));

    // b still finishes, successfully: recorded, but nothing downstream launches
    RunTransitions.Transition afterB = RunTransitions.apply(PIPELINE, failed.state(), RUN, completed("b", 1, "SUCCEEDED"), 4_000);
    assertThat(launched(afterB)).isEmpty();
    assertThat(afterB.state().status()).isEqualTo(RunStatus.FAILED);
    assertThat(afterB.state().stages().get("c").status()).isEqualTo(StageRunStatus.PENDING);
  }

  @Test
  void duplicateAndStaleCompletionsAreIgnored() {
    RunState state = started();
    RunTransitions.Transition once = RunTransitions.apply(PIPELINE, state, RUN, completed("a", 1, "SUCCEEDED"), 3_000);

    RunTransitions.Transition twice = RunTransitions.apply(PIPELINE, once.state(), RUN, completed("a", 1, "SUCCEEDED"), 3_100);
    // a report of attempt 1 of a that is not the one applied (another finish time): no longer current
    RunTransitions.Transition stale = RunTransitions.apply(PIPELINE, once.state(), RUN,
        new Input.StageCompleted("late", "diamond", "a", 1, "FAILED", 0, 2_600, "X", "late"), 3_200);

    assertThat(twice.commands()).isEmpty();
    assertThat(twice.state()).isEqualTo(once.state());
    assertThat(twice.ignored()).isEqualTo("duplicate");
    assertThat(stale.commands()).isEmpty();
    assertThat(stale.rejection()).isNull();
    assertThat(stale.ignored()).isEqualTo("stale");
    assertThat(once.ignored()).isNull();
  }

  @Test
  void completionOfAnAttemptNeverLaunchedGoesToTheDeadLetterTopicWithTheStagesStatus() {
    RunState state = started(); // a#1 and b#1 running, c and d pending

    RunTransitions.Transition ahead = RunTransitions.apply(PIPELINE, state, RUN, completed("a", 2, "SUCCEEDED"), 3_000);
    RunTransitions.Transition pending = RunTransitions.apply(PIPELINE, state, RUN, completed("c", 1, "SUCCEEDED"), 3_000);
    RunTransitions.Transition zero = RunTransitions.apply(PIPELINE, state, RUN, completed("a", 0, "SUCCEEDED"), 3_000);

    assertThat(ahead.rejection()).isEqualTo("StageCompleted for attempt 2 of stage 'a' of run " + RUN
        + ", which was never launched (the stage is RUNNING at attempt 1)");
    assertThat(pending.rejection()).isEqualTo("StageCompleted for attempt 1 of stage 'c' of run " + RUN
        + ", which was never launched (the stage is PENDING, never launched)");
    assertThat(zero.rejection()).startsWith("StageCompleted for attempt 0 of stage 'a'");
    for (RunTransitions.Transition rejected : List.of(ahead, pending, zero)) {
      assertThat(rejected.ignored()).isNull();
      assertThat(rejected.commands()).isEmpty();
      assertThat(rejected.state()).isEqualTo(state);
    }
    // a retried stage waiting for its back-off has not launched its next attempt either
    RunState retrying = requested(RETRYING, RETRY_RUN);
    retrying = RunTransitions.apply(RETRYING, retrying, RETRY_RUN,
        new Input.StageCompleted("f1", "retrying", "a", 1, "FAILED", 0, 900, "java.io.IOException", "503"), 1_000).state();
    assertThat(RunTransitions.apply(RETRYING, retrying, RETRY_RUN,
        new Input.StageCompleted("f2", "retrying", "a", 2, "SUCCEEDED", 0, 1_100, null, null), 1_100).rejection())
        .endsWith("which was never launched (the stage is RETRY_WAIT at attempt 1)");
  }

  @Test
  void aTriggerOfAnEndedRunStartsNothingAndRaisesAnAlert() {
    RunState cancelled = RunTransitions.apply(PIPELINE, started(), RUN, new Input.CancelRequested("c", "diamond", null, null),
        3_000).state();

    RunTransitions.Transition reuploaded = RunTransitions.apply(PIPELINE, cancelled, RUN, object("e9", "a.csv"), 9_000);
    RunTransitions.Transition requested = RunTransitions.apply(PIPELINE, cancelled, RUN,
        new Input.RunRequested("q9", "diamond", TRIGGER_KEY, Map.of()), 9_000);

    assertThat(reuploaded.ignored()).isEqualTo("duplicate"); // counted too
    assertThat(reuploaded.state()).isEqualTo(cancelled);
    assertThat(reuploaded.commands()).singleElement().isInstanceOfSatisfying(Command.PublishAlert.class, alert -> {
      assertThat(alert.kind()).isEqualTo("TRIGGER_AFTER_END");
      assertThat(alert.runId()).isEqualTo(RUN);
      assertThat(alert.atMs()).isEqualTo(9_000L);
      assertThat(alert.message()).isEqualTo("Trigger file s3://landing/in/b1/a.csv arrived for run " + RUN
          + " of diamond, which ended CANCELLED at 1970-01-01T00:00:03Z: it does not start the run again; to process"
          + " the batch again, resume or rerun it");
    });
    assertThat(requested.ignored()).isEqualTo("duplicate");
    assertThat(requested.commands()).singleElement().isInstanceOfSatisfying(Command.PublishAlert.class,
        alert -> assertThat(alert.message()).startsWith("RunRequested q9 arrived for run " + RUN));
    // a file delivered again while the run still runs is only a duplicate: no alert
    RunTransitions.Transition running = RunTransitions.apply(PIPELINE, started(), RUN, object("e1", "a.csv"), 2_500);
    assertThat(running.ignored()).isEqualTo("duplicate");
    assertThat(running.commands()).isEmpty();
  }

  @Test
  void aWaitingRunThatExpiresEndsFailedWithItsReasonAndResumesByStarting() {
    RunState waiting = RunTransitions.apply(PIPELINE, null, RUN, object("e1", "a.csv"), 1_000).state();

    RunTransitions.Transition expired = RunTransitions.apply(PIPELINE, waiting, RUN, new Input.WaitingExpired(5_000), 6_000);

    assertThat(expired.state().status()).isEqualTo(RunStatus.FAILED);
    assertThat(expired.state().completedAtMs()).isEqualTo(6_000L);
    assertThat(expired.state().failedStages()).isEmpty();
    String reason = "waited 5000 ms for its trigger files (limit 5000 ms, controller.waiting-timeout-ms);"
        + " missing [b.csv], arrived [a.csv]";
    assertThat(expired.commands()).hasSize(3);
    assertThat(expired.commands().get(0)).isInstanceOfSatisfying(Command.RecordRun.class, run -> {
      assertThat(run.status()).isEqualTo("FAILED");
      assertThat(run.reason()).isEqualTo(reason);
    });
    assertThat(expired.commands().get(1)).isEqualTo(new Command.PublishRunCompleted(RUN, "diamond", "FAILED", 6_000,
        List.of(), 0));
    assertThat(expired.commands().get(2)).isInstanceOfSatisfying(Command.PublishAlert.class, alert -> {
      assertThat(alert.kind()).isEqualTo("WAITING_EXPIRED");
      assertThat(alert.message()).isEqualTo("Run " + RUN + " of diamond (" + TRIGGER_KEY + ") ended FAILED: it " + reason
          + ". Upload the missing files, then resume it; or resume it to start with the files it has");
    });
    // only a WAITING run expires
    assertThat(RunTransitions.apply(PIPELINE, expired.state(), RUN, new Input.WaitingExpired(5_000), 7_000).commands())
        .isEmpty();
    assertThat(RunTransitions.apply(PIPELINE, started(), RUN, new Input.WaitingExpired(5_000), 7_000).commands()).isEmpty();
    // an operator may start it anyway
    RunTransitions.Transition resumed = RunTransitions.apply(PIPELINE, expired.state(), RUN,
        new Input.ResumeRequested("r", "diamond", "ops", null), 8_000);
    assertThat(launched(resumed)).containsExactly("a#1", "b#1");
    assertThat(resumed.commands().get(0)).isInstanceOfSatisfying(Command.RecordRun.class,
        run -> assertThat(run.reason()).isNull());
  }

  @Test
  void cancelStopsRunningAttemptsAndEndsTheRunCancelled() {
    RunState state = started(); // a#1 and b#1 running
    Input.CancelRequested cancel = new Input.CancelRequested("c1", "diamond", "alice", "wrong input");

    RunTransitions.Transition cancelled = RunTransitions.apply(PIPELINE, state, RUN, cancel, 3_000);

    assertThat(cancelled.state().status()).isEqualTo(RunStatus.CANCELLED);
    assertThat(cancelled.state().completedAtMs()).isEqualTo(3_000L);
    assertThat(cancelled.commands()).filteredOn(Command.CancelStage.class::isInstance)
        .containsExactly(new Command.CancelStage(RUN, "diamond", "a", 1), new Command.CancelStage(RUN, "diamond", "b", 1));
    assertThat(cancelled.commands()).filteredOn(Command.RecordStageAttempt.class::isInstance)
        .extracting(c -> ((Command.RecordStageAttempt) c).stage() + "#" + ((Command.RecordStageAttempt) c).status())
        .containsExactly("a#CANCELLED", "b#CANCELLED");
    assertThat(cancelled.commands()).anySatisfy(c -> assertThat(c).isInstanceOfSatisfying(Command.PublishRunCompleted.class,
        rc -> assertThat(rc.status()).isEqualTo("CANCELLED")));
    assertThat(cancelled.state().stages().get("a").errorMessage()).isEqualTo("cancelled by alice: wrong input");

    // the cancelled attempt fails later (interrupted): stale; it succeeds anyway (committed before the
    // cancel reached it): recorded, so a resume does not run it again; the same request again: duplicate
    assertThat(RunTransitions.apply(PIPELINE, cancelled.state(), RUN, completed("a", 1, "FAILED"), 3_100).ignored())
        .isEqualTo("stale");
    RunTransitions.Transition lateSuccess = RunTransitions.apply(PIPELINE, cancelled.state(), RUN,
        completed("a", 1, "SUCCEEDED"), 3_150);
    assertThat(lateSuccess.state().stages().get("a").status()).isEqualTo(StageRunStatus.SUCCEEDED);
    assertThat(lateSuccess.state().status()).isEqualTo(RunStatus.CANCELLED);
    assertThat(launched(RunTransitions.apply(PIPELINE, lateSuccess.state(), RUN,
        new Input.ResumeRequested("r9", "diamond", null, null), 3_160))).containsExactly("b#2");
    assertThat(RunTransitions.apply(PIPELINE, cancelled.state(), RUN, cancel, 3_200).ignored()).isEqualTo("duplicate");
    // a new cancel of an ended run is an invalid transition
    assertThat(RunTransitions.apply(PIPELINE, cancelled.state(), RUN,
        new Input.CancelRequested("c2", "diamond", null, null), 3_300).rejection())
        .isEqualTo("cannot cancel run " + RUN + ": it is already CANCELLED");
  }

  @Test
  void resumeRelaunchesOnlyUnfinishedStagesWithTheNextAttemptNumbers() {
    RunState state = started();
    state = RunTransitions.apply(PIPELINE, state, RUN, completed("a", 1, "SUCCEEDED"), 3_000).state();
    state = RunTransitions.apply(PIPELINE, state, RUN,
        new Input.StageCompleted("b1x", "diamond", "b", 1, "FAILED", 0, 3_500, "QUALITY_FAILED", "bad"), 4_000).state();
    assertThat(state.status()).isEqualTo(RunStatus.FAILED);
    assertThat(RunTransitions.apply(PIPELINE, started(), RUN, new Input.ResumeRequested("r0", "diamond", null, null), 4_100)
        .rejection()).isEqualTo("cannot resume run " + RUN + ": it is RUNNING (only FAILED or CANCELLED runs resume)");

    Input.ResumeRequested resume = new Input.ResumeRequested("r1", "diamond", "bob", "input fixed");
    RunTransitions.Transition resumed = RunTransitions.apply(PIPELINE, state, RUN, resume, 5_000);

    assertThat(resumed.state().status()).isEqualTo(RunStatus.RUNNING);
    assertThat(resumed.state().resumes()).isEqualTo(1);
    assertThat(launched(resumed)).containsExactly("b#2"); // a SUCCEEDED: kept, not relaunched
    assertThat(resumed.state().stages().get("a").attempt()).isEqualTo(1);
    assertThat(RunTransitions.apply(PIPELINE, resumed.state(), RUN, resume, 5_100).ignored()).isEqualTo("duplicate");

    RunState next = RunTransitions.apply(PIPELINE, resumed.state(), RUN, completed("b", 2, "SUCCEEDED"), 6_000).state();
    RunTransitions.Transition afterC = RunTransitions.apply(PIPELINE, next, RUN, completed("c", 1, "SUCCEEDED"), 7_000);
    RunTransitions.Transition done = RunTransitions.apply(PIPELINE, afterC.state(), RUN, completed("d", 1, "SUCCEEDED"), 8_000);
    assertThat(done.state().status()).isEqualTo(RunStatus.SUCCEEDED);
    assertThat(done.commands()).anySatisfy(c -> assertThat(c).isInstanceOfSatisfying(Command.PublishRunCompleted.class,
        rc -> assertThat(rc.resumes()).isEqualTo(1)));
    assertThat(RunTransitions.apply(PIPELINE, done.state(), RUN, new Input.ResumeRequested("r2", "diamond", null, null), 9_000)
        .rejection()).contains("it is SUCCEEDED");
  }

  @Test
  void aTombstoneIgnoresDuplicatesAndRefusesResume() {
    RunState ended = RunTransitions.apply(PIPELINE, started(), RUN, new Input.CancelRequested("c", "diamond", null, null), 3_000)
        .state().tombstone();
    assertThat(ended.stages()).isEmpty();

    RunTransitions.Transition reuploaded = RunTransitions.apply(PIPELINE, ended, RUN, object("e1", "a.csv"), 9_000);
    assertThat(reuploaded.ignored()).isEqualTo("duplicate");
    assertThat(reuploaded.commands()).singleElement().isInstanceOfSatisfying(Command.PublishAlert.class,
        alert -> assertThat(alert.message()).endsWith("rerun it (it ended longer ago than the state retention and can"
            + " no longer be resumed)"));
    assertThat(RunTransitions.apply(PIPELINE, ended, RUN, new Input.RunRequested("x", "diamond", TRIGGER_KEY, Map.of()), 9_000)
        .ignored()).isEqualTo("duplicate");
    assertThat(RunTransitions.apply(PIPELINE, ended, RUN, completed("a", 1, "SUCCEEDED"), 9_000).ignored()).isEqualTo("stale");
    assertThat(RunTransitions.apply(PIPELINE, ended, RUN, new Input.ResumeRequested("r", "diamond", null, null), 9_000)
        .rejection()).contains("can no longer be resumed or cancelled; rerun it");
  }

  @Test
  void aCancelledWaitingRunResumesByStarting() {
    RunState waiting = RunTransitions.apply(PIPELINE, null, RUN, object("e1", "a.csv"), 1_000).state();
    RunState cancelled = RunTransitions.apply(PIPELINE, waiting, RUN, new Input.CancelRequested("c", "diamond", null, null), 1_500).state();
    assertThat(cancelled.status()).isEqualTo(RunStatus.CANCELLED);

    RunTransitions.Transition resumed = RunTransitions.apply(PIPELINE, cancelled, RUN,
        new Input.ResumeRequested("r", "diamond", null, null), 2_000);

    assertThat(launched(resumed)).containsExactly("a#1", "b#1");
  }

  @Test
  void completionForAnUnknownRunOrStageIsRejected() {
    assertThat(RunTransitions.apply(PIPELINE, null, RUN, completed("a", 1, "SUCCEEDED"), 1).rejection())
        .isEqualTo("StageCompleted for unknown run (stage a)");
    assertThat(RunTransitions.apply(PIPELINE, started(), RUN, completed("zz", 1, "SUCCEEDED"), 1).rejection())
        .isEqualTo("StageCompleted for unknown stage 'zz' of pipeline diamond");
  }

  @Test
  void runRequestedForAWaitingRunKeepsTheBatchParametersOfItsFiles() {
    RunState waiting = RunTransitions.apply(PIPELINE, null, RUN, object("e1", "a.csv"), 1_000).state();

    RunTransitions.Transition started = RunTransitions.apply(PIPELINE, waiting, RUN,
        new Input.RunRequested("r1", "diamond", TRIGGER_KEY, Map.of("extra", "x")), 2_000);

    assertThat(started.state().status()).isEqualTo(RunStatus.RUNNING);
    assertThat(started.state().params()).containsEntry("batch", "b1").containsEntry("bucket", "landing")
        .containsEntry("extra", "x");
  }

  @Test
  void aRequestedBatchThatLeavesItsFolderIsRejectedAndStartsNoRun() {
    for (String batch : List.of("../../other-prefix", "..", "b1/../../x", ".hidden", "b1\u0000")) {
      RunTransitions.Transition rejected = RunTransitions.apply(PIPELINE, null, RUN,
          new Input.RunRequested("r1", "diamond", "manual-1", Map.of("batch", batch)), 10);

      assertThat(rejected.rejection()).as(batch).startsWith("Cannot accept the parameters of a run of pipeline diamond: batch: ");
      assertThat(rejected.commands()).as(batch).isEmpty();
      assertThat(rejected.state()).as(batch).isNull();
    }
  }

  @Test
  void aRequestCannotMoveTheBucketOrBatchPrefixOfATriggeredPipeline() {
    RunTransitions.Transition rejected = RunTransitions.apply(PIPELINE, null, RUN, new Input.RunRequested("r1", "diamond",
        "manual-1", Map.of("batch", "b1", "bucket", "secrets", "batchPrefix", "other-prefix/b1/")), 10);

    assertThat(rejected.rejection()).isEqualTo("Cannot accept the parameters of a run of pipeline diamond:"
        + " bucket: is the trigger's bucket 'landing' (got 'secrets');"
        + " batchPrefix: is the trigger's prefix and the batch, 'in/b1/' (got 'other-prefix/b1/')");
    assertThat(rejected.commands()).isEmpty();
    // repeating the values the trigger gives is fine (baton runs rerun sends them back)
    RunTransitions.Transition started = RunTransitions.apply(PIPELINE, null, RUN, new Input.RunRequested("r1", "diamond",
        "manual-1", Map.of("batch", "b1", "bucket", "landing", "batchPrefix", "in/b1/", "triggerKey", "manual-1")), 10);
    assertThat(started.rejection()).isNull();
    assertThat(started.state().params()).containsEntry("batchPrefix", "in/b1/").containsEntry("extra", "none");
  }

  @Test
  void unknownParametersAndAnotherTriggerKeyAreRejectedNamingThem() {
    RunTransitions.Transition rejected = RunTransitions.apply(PIPELINE, null, RUN, new Input.RunRequested("r1", "diamond",
        "manual-1", Map.of("x'; DROP TABLE raw.orders; --", "1")), 10);
    RunTransitions.Transition otherKey = RunTransitions.apply(PIPELINE, null, RUN, new Input.RunRequested("r1", "diamond",
        "manual-1", Map.of("triggerKey", "landing/in/b2/")), 10);

    assertThat(rejected.rejection()).isEqualTo("Cannot accept the parameters of a run of pipeline diamond:"
        + " x'; DROP TABLE raw.orders; --: unknown parameter (declared: extra; built-in: batch, bucket, batchPrefix, triggerKey)");
    assertThat(otherKey.rejection()).endsWith(
        "triggerKey: is the run's trigger key 'manual-1' and cannot be set to 'landing/in/b2/'");
  }

  // no trigger; declared parameters bound in SQL, a built-in substituted into a path
  private static final PipelineDefinition TYPED = PipelineParser.parse("test", """
      name: typed
      params:
        - {name: region, pattern: "[A-Z]{2,8}", required: true}
        - {name: asOf, type: date, default: 2026-12-01}
        - {name: minAmount, type: long}
      stages:
        - name: load
          type: ingest
          options: {path: "s3://${bucket}/${batchPrefix}sales.csv", table: raw.sales, schema: [{name: id, type: bigint}]}
        - name: report
          type: sql
          dependsOn: [load]
          options: {table: curated.report, query: "SELECT * FROM raw.sales WHERE region = :region AND day <= :asOf AND amount >= :minAmount"}
      """);

  private static RunTransitions.Transition requestTyped(Map<String, String> params) {
    return RunTransitions.apply(TYPED, null, "run-typed", new Input.RunRequested("r", "typed", "manual/1", params), 10);
  }

  @Test
  void declaredParametersAreCheckedForPresenceTypeAndPatternBeforeARunStarts() {
    Map<String, String> good = Map.of("region", "EMEA", "minAmount", "100", "batch", "b1", "bucket", "landing",
        "batchPrefix", "sales/b1/");

    RunTransitions.Transition started = requestTyped(good);
    assertThat(started.rejection()).isNull();
    assertThat(launched(started)).containsExactly("load#1");
    assertThat(started.state().params()).containsEntry("asOf", "2026-12-01").containsEntry("triggerKey", "manual/1");

    Map<String, String> injected = new java.util.HashMap<>(good);
    injected.remove("region");
    injected.put("minAmount", "1 OR 1=1");
    injected.put("asOf", "2026-12-01' OR '1'='1");
    assertThat(requestTyped(injected).rejection()).isEqualTo("Cannot accept the parameters of a run of pipeline typed:"
        + " asOf: expected a date (yyyy-MM-dd), got '2026-12-01' OR '1'='1';"
        + " minAmount: expected a long (a decimal 64-bit integer), got '1 OR 1=1';"
        + " region: is required");
    Map<String, String> pattern = new java.util.HashMap<>(good);
    pattern.put("region", "EMEA' OR '1'='1");
    assertThat(requestTyped(pattern).rejection()).endsWith("region: 'EMEA' OR '1'='1' does not match the pattern [A-Z]{2,8}");
  }

  @Test
  void everyParameterAStageRefersToMustHaveASafeValue() {
    RunTransitions.Transition missing = requestTyped(Map.of("region", "EMEA"));
    RunTransitions.Transition traversal = requestTyped(Map.of("region", "EMEA", "minAmount", "1", "batch", "b1",
        "bucket", "landing", "batchPrefix", "sales/../../other-prefix/"));

    assertThat(missing.rejection()).isEqualTo("Cannot accept the parameters of a run of pipeline typed:"
        + " bucket: is required (stage load refers to it); batchPrefix: is required (stage load refers to it);"
        + " batch: is required (stage load refers to it); minAmount: is required (stage report refers to it)");
    assertThat(traversal.rejection()).endsWith("batchPrefix: expected a relative folder ending with '/'"
        + " (got 'sales/../../other-prefix/', which has a '..' path segment)");
    assertThat(traversal.commands()).isEmpty();
  }

  @Test
  void runRequestedStartsOnceWithItsParams() {
    Input.RunRequested request = new Input.RunRequested("r1", "diamond", "manual-1", Map.of("batch", "m1"));
    RunTransitions.Transition started = RunTransitions.apply(PIPELINE, null, RUN, request, 10);
    RunTransitions.Transition again = RunTransitions.apply(PIPELINE, started.state(), RUN, request, 20);

    assertThat(launched(started)).containsExactly("a#1", "b#1");
    assertThat(started.state().params()).containsEntry("batch", "m1").containsEntry("triggerKey", "manual-1");
    assertThat(again.commands()).isEmpty();
  }

  // a -> b, with retries: a retries everything but deterministic errors up to 3 attempts, times out after 10 s
  private static final PipelineDefinition RETRYING = PipelineParser.parse("test", """
      name: retrying
      defaults: {retry: {maxAttempts: 3, initialBackoffMs: 1000, maxBackoffMs: 1500}, timeoutMs: 10000}
      stages:
        - {name: a, type: sql, options: {query: "select 1", table: t.a}}
        - {name: b, type: sql, dependsOn: [a], retry: {maxAttempts: 1}, options: {query: "select 1", table: t.b}}
      """);
  private static final String RETRY_RUN = RunIds.of("retrying", "manual-1");

  @Test
  void retryableFailureWaitsForItsBackoffThenLaunchesTheNextAttempt() {
    RunState state = requested(RETRYING, RETRY_RUN);

    RunTransitions.Transition failed = RunTransitions.apply(RETRYING, state, RETRY_RUN,
        new Input.StageCompleted("f1", "retrying", "a", 1, "FAILED", 0, 900, "java.io.IOException", "S3 said 503"), 1_000);
    StageState a = failed.state().stages().get("a");
    assertThat(a.status()).isEqualTo(StageRunStatus.RETRY_WAIT);
    assertThat(a.retryAtMs()).isBetween(1_000L, 1_000L + 1_000L);
    assertThat(failed.state().status()).isEqualTo(RunStatus.RUNNING);
    assertThat(failed.commands()).hasSize(2);
    assertThat(failed.commands().get(0)).isInstanceOfSatisfying(Command.RecordStageAttempt.class, r -> {
      assertThat(r.attempt()).isEqualTo(1);
      assertThat(r.status()).isEqualTo("FAILED");
      assertThat(r.errorMessage()).isEqualTo("S3 said 503");
    });
    assertThat(failed.commands().get(1)).isInstanceOfSatisfying(Command.PublishAlert.class, alert -> {
      assertThat(alert.kind()).isEqualTo("STAGE_RETRIED");
      assertThat(alert.message()).isEqualTo("Attempt 1 of a failed (java.io.IOException); attempt 2 (2 of 3) in "
          + (a.retryAtMs() - 1_000) + " ms");
    });
    assertThat(RunTransitions.nextDeadlineMs(RETRYING, failed.state())).isEqualTo(a.retryAtMs());

    RunTransitions.Transition early = RunTransitions.apply(RETRYING, failed.state(), RETRY_RUN, new Input.Tick(), a.retryAtMs() - 1);
    assertThat(early.commands()).isEmpty();

    RunTransitions.Transition due = RunTransitions.apply(RETRYING, failed.state(), RETRY_RUN, new Input.Tick(), a.retryAtMs());
    assertThat(launched(due)).containsExactly("a#2");
    assertThat(due.state().stages().get("a").status()).isEqualTo(StageRunStatus.RUNNING);

    // the late completion of attempt 1 changes nothing now
    assertThat(RunTransitions.apply(RETRYING, due.state(), RETRY_RUN,
        new Input.StageCompleted("late", "retrying", "a", 1, "SUCCEEDED", 0, 1, null, null), a.retryAtMs() + 5).commands()).isEmpty();
  }

  @Test
  void deterministicFailuresAndExhaustedAttemptsFailTheRun() {
    RunState state = requested(RETRYING, RETRY_RUN);
    RunTransitions.Transition quality = RunTransitions.apply(RETRYING, state, RETRY_RUN,
        new Input.StageCompleted("q", "retrying", "a", 1, "FAILED", 0, 1, "QUALITY_FAILED", "rule failed"), 10);
    assertThat(quality.state().status()).isEqualTo(RunStatus.FAILED);

    RunState current = failEveryAttemptOfA(state);
    assertThat(current.status()).isEqualTo(RunStatus.FAILED);
    assertThat(current.stages().get("a").attempt()).isEqualTo(3);
    assertThat(current.stages().get("b").status()).isEqualTo(StageRunStatus.PENDING);
  }

  @Test
  void aResumedStageGetsItsFullRetryBudgetAgain() {
    RunState current = failEveryAttemptOfA(requested(RETRYING, RETRY_RUN));
    assertThat(current.status()).isEqualTo(RunStatus.FAILED);
    long now = current.completedAtMs();

    RunTransitions.Transition resumed = RunTransitions.apply(RETRYING, current, RETRY_RUN,
        new Input.ResumeRequested("r", "retrying", null, null), now + 1);
    assertThat(launched(resumed)).containsExactly("a#4");
    RunTransitions.Transition failedAgain = RunTransitions.apply(RETRYING, resumed.state(), RETRY_RUN,
        new Input.StageCompleted("e4", "retrying", "a", 4, "FAILED", 0, now + 2, "java.io.IOException", "x"), now + 2);
    // attempt 4 is the first since the resume: retried (2 of 3), not a failed run
    assertThat(failedAgain.state().stages().get("a").status()).isEqualTo(StageRunStatus.RETRY_WAIT);
    assertThat(failedAgain.state().status()).isEqualTo(RunStatus.RUNNING);
  }

  @Test
  void aRunPastItsSlaRaisesOneAlert() {
    PipelineDefinition withSla = PipelineParser.parse("test", """
        name: sla
        alerts: {slaMs: 5000, webhook: {url: "http://127.0.0.1:9/hook"}}
        defaults: {timeoutMs: 60000}
        stages:
          - {name: a, type: sql, options: {query: "select 1", table: t.a}}
        """);
    assertThat(withSla.webhook().url()).isEqualTo("http://127.0.0.1:9/hook");
    assertThat(withSla.webhook().maxAttempts()).isEqualTo(5);
    RunState state = requested(withSla, "sla-run");
    assertThat(RunTransitions.nextDeadlineMs(withSla, state)).isEqualTo(5_000L);
    assertThat(RunTransitions.apply(withSla, state, "sla-run", new Input.Tick(), 4_999).commands()).isEmpty();

    RunTransitions.Transition missed = RunTransitions.apply(withSla, state, "sla-run", new Input.Tick(), 5_000);

    assertThat(missed.commands()).singleElement().isInstanceOfSatisfying(Command.PublishAlert.class, alert -> {
      assertThat(alert.kind()).isEqualTo("SLA_MISSED");
      assertThat(alert.message()).contains("SLA 5000 ms").contains("a#1");
    });
    assertThat(RunTransitions.nextDeadlineMs(withSla, missed.state())).isEqualTo(60_000L); // the attempt timeout
    assertThat(RunTransitions.apply(withSla, missed.state(), "sla-run", new Input.Tick(), 6_000).commands()).isEmpty();
  }

  @Test
  void attemptWithoutCompletionPastItsTimeoutIsLostAndRetried() {
    RunState state = requested(RETRYING, RETRY_RUN); // a launched at 0, timeout 10 s
    assertThat(RunTransitions.nextDeadlineMs(RETRYING, state)).isEqualTo(10_000L);
    assertThat(RunTransitions.apply(RETRYING, state, RETRY_RUN, new Input.Tick(), 9_999).commands()).isEmpty();

    RunTransitions.Transition lost = RunTransitions.apply(RETRYING, state, RETRY_RUN, new Input.Tick(), 10_000);

    assertThat(lost.commands()).hasSize(4);
    assertThat(lost.commands().get(0)).isInstanceOfSatisfying(Command.RecordStageAttempt.class, r -> {
      assertThat(r.status()).isEqualTo("LOST");
      assertThat(r.errorType()).isEqualTo("LOST");
    });
    // the lost attempt is stopped wherever it may still run, so it cannot finish next to its retry
    assertThat(lost.commands().get(1)).isEqualTo(new Command.CancelStage(RETRY_RUN, "retrying", "a", 1));
    assertThat(lost.commands().subList(2, 4)).extracting(c -> ((Command.PublishAlert) c).kind())
        .containsExactly("STAGE_LOST", "STAGE_RETRIED");
    assertThat(lost.state().stages().get("a").status()).isEqualTo(StageRunStatus.RETRY_WAIT);
  }

  @Test
  void backoffIsFullJitterUnderAnExponentialCapAndRepeatable() {
    var policy = new dev.baton.control.pipeline.RetryPolicy(10, 1_000, 8_000, List.of("*"));
    java.util.Set<Long> distinct = new java.util.HashSet<>();
    for (int failed = 1; failed <= 6; failed++) {
      long cap = Math.min(8_000, 1_000L << (failed - 1));
      int[] quarters = new int[4];
      for (int run = 0; run < 400; run++) {
        long delay = policy.backoffMs("run-" + run, "s", failed);
        assertThat(delay).isBetween(0L, cap - 1);
        assertThat(policy.backoffMs("run-" + run, "s", failed)).isEqualTo(delay);
        distinct.add(delay);
        quarters[(int) (delay * 4 / cap)]++;
      }
      // uniform over [0, cap): each quarter holds about 100 of 400 draws (binomial sd 8.7)
      for (int quarter : quarters) {
        assertThat(quarter).isBetween(55, 145);
      }
    }
    assertThat(distinct.size()).isGreaterThan(1_000); // spread, not a constant
    assertThat(policy.retries("QUALITY_FAILED", 1)).isFalse();
    assertThat(policy.retries("java.io.IOException", 1)).isTrue();
    assertThat(policy.retries("java.io.IOException", 10)).isFalse();
    assertThat(new dev.baton.control.pipeline.RetryPolicy(3, 0, 0, List.of("QUALITY_FAILED")).retries("QUALITY_FAILED", 1)).isTrue();
  }

  @Test
  void retryPoliciesReadTheErrorCodeOfEachType() {
    var everything = new dev.baton.control.pipeline.RetryPolicy(3, 0, 0, List.of("*"));
    assertThat(everything.retries("INVALID_PARAMETER", 1)).as("a USER error fails the same way again").isFalse();
    assertThat(everything.retries("INVALID_OPTIONS", 1)).isFalse();
    assertThat(everything.retries("EMR_STEP_FAILED", 1)).as("EXTERNAL").isTrue();
    assertThat(everything.retries("java.lang.OutOfMemoryError", 1)).as("INTERNAL").isTrue();
    assertThat(everything.retries(null, 1)).isTrue();
    var externalOnly = new dev.baton.control.pipeline.RetryPolicy(3, 0, 0, List.of("EXTERNAL_JOB_FAILED", "LOST"));
    assertThat(externalOnly.retries("EMR_SERVERLESS_FAILED", 1)).as("named by its code").isTrue();
    assertThat(externalOnly.retries("FLAG_FILE_FAILED", 1)).isTrue();
    assertThat(externalOnly.retries("LOST", 1)).isTrue();
    assertThat(externalOnly.retries("java.io.IOException", 1)).isFalse();
  }

  /** Fails attempts 1..3 of stage a of the RETRYING run with a retryable error, each retry on its timer. */
  private static RunState failEveryAttemptOfA(RunState state) {
    RunState current = state;
    long now = 0;
    for (int attempt = 1; attempt <= 3; attempt++) {
      current = RunTransitions.apply(RETRYING, current, RETRY_RUN,
          new Input.StageCompleted("e" + attempt, "retrying", "a", attempt, "FAILED", 0, now, "java.io.IOException", "x"), now).state();
      if (attempt < 3) {
        now = current.stages().get("a").retryAtMs();
        current = RunTransitions.apply(RETRYING, current, RETRY_RUN, new Input.Tick(), now).state();
      }
    }
    return current;
  }

  private static RunState requested(PipelineDefinition pipeline, String runId) {
    return RunTransitions.apply(pipeline, null, runId, new Input.RunRequested("r", pipeline.name(), "manual-1", Map.of()), 0).state();
  }

  private static RunState started() {
    RunState state = RunTransitions.apply(PIPELINE, null, RUN, object("e1", "a.csv"), 1_000).state();
    return RunTransitions.apply(PIPELINE, state, RUN, object("e2", "b.csv"), 2_000).state();
  }

  private static Input object(String eventId, String file) {
    return new Input.ObjectArrived(eventId, "diamond", "landing", "in/b1/" + file, TRIGGER_KEY, "b1", file);
  }

  private static Input completed(String stage, int attempt, String status) {
    return new Input.StageCompleted(stage + attempt, "diamond", stage, attempt, status, 0, 2_500, null, null);
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
