package dev.baton.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.baton.cli.BackfillPlan.Action;
import dev.baton.cli.BackfillPlan.Batch;
import dev.baton.cli.BackfillPlan.Decision;
import dev.baton.cli.BackfillPlan.ListedObject;
import dev.baton.control.ledger.LedgerReader.RunRecord;
import dev.baton.control.pipeline.ObjectTrigger;
import dev.baton.control.pipeline.PipelineDefinition;
import dev.baton.control.pipeline.PipelineParser;
import dev.baton.schemas.RunIds;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class BackfillPlanTest {
  private static final PipelineDefinition LANDED = PipelineParser.parse("landed.yaml", """
      name: landed
      trigger: {type: objects, bucket: archive, prefix: orders/, requiredFiles: [data.csv, _SUCCESS]}
      stages:
        - {name: s1, type: noop}
      """);
  private static final PipelineDefinition NIGHTLY = PipelineParser.parse("nightly.yaml", """
      name: nightly
      trigger: {type: schedule, cron: "0 2 * * *", timeZone: Europe/Berlin}
      stages:
        - {name: s1, type: noop}
      """);
  private static final Instant T0 = Instant.parse("2026-11-01T00:00:00Z");

  @Test
  void objectsFormTheLiveTriggersBatchesInTheOrderTheirLastRequiredFileArrived() {
    List<ListedObject> objects = List.of(
        object("orders/b1/data.csv", 1), object("orders/b1/_SUCCESS", 30),
        object("orders/b2/data.csv", 5), object("orders/b2/_SUCCESS", 10), object("orders/b2/extra.txt", 99),
        object("orders/b3/data.csv", 2), // no _SUCCESS: no live run either
        object("orders/b4/notes.txt", 3), // no required file: not a batch at all
        object("orders/readme.txt", 4), // not in a batch folder
        object("orders/bad id/data.csv", 6));
    BackfillPlan plan = BackfillPlan.ofObjects(LANDED, objects);

    assertThat(plan.batches()).extracting(Batch::label).containsExactly("b2", "b1");
    ObjectTrigger trigger = LANDED.trigger();
    assertThat(plan.batches()).allSatisfy(batch -> {
      assertThat(batch.triggerKey()).isEqualTo("archive/orders/" + batch.label() + "/")
          .isEqualTo(trigger.triggerKey(batch.label()));
      assertThat(batch.params()).isEqualTo(Map.of("batch", batch.label()));
    });
    assertThat(plan.incomplete()).containsOnlyKeys("b3");
    assertThat(plan.incomplete().get("b3")).containsExactly("_SUCCESS");
    assertThat(plan.invalidKeys()).containsOnlyKeys("orders/bad id/data.csv");
  }

  @Test
  void ticksAreTheSchedulesLocalTimesAcrossASpringForwardNight() {
    ZoneId berlin = ZoneId.of("Europe/Berlin");
    BackfillPlan plan = BackfillPlan.ofTicks(NIGHTLY, ZonedDateTime.of(2026, 3, 27, 2, 0, 0, 0, berlin).toInstant(),
        ZonedDateTime.of(2026, 3, 31, 2, 0, 0, 0, berlin).toInstant());

    // independent: java.time puts 02:00 of 2026-03-29 (in the gap) at 03:00 CEST, as the live schedule fires it
    List<String> expected = new ArrayList<>();
    for (LocalDate day = LocalDate.of(2026, 3, 27); !day.isAfter(LocalDate.of(2026, 3, 31)); day = day.plusDays(1)) {
      expected.add(ZonedDateTime.of(day, LocalTime.of(2, 0), berlin).toInstant().toString());
    }
    assertThat(expected).contains("2026-03-29T01:00:00Z");
    assertThat(plan.batches()).extracting(Batch::label).containsExactlyElementsOf(expected);
    Batch gapNight = plan.batches().get(2);
    assertThat(gapNight.triggerKey()).isEqualTo("schedule/2026-03-29T01:00:00Z");
    assertThat(gapNight.params()).isEqualTo(Map.of("scheduledTime", "2026-03-29T01:00:00Z", "date", "2026-03-29"));
  }

  @Test
  void aRangeOutsideTheScheduleOrWithTooManyTicksIsRefused() {
    assertThat(BackfillPlan.ofTicks(NIGHTLY, Instant.parse("2026-11-01T02:00:00Z"), Instant.parse("2026-11-01T23:00:00Z"))
        .batches()).as("no 02:00 Berlin between 03:00 and 00:00 Berlin").isEmpty();
    assertThatThrownBy(() -> BackfillPlan.ofTicks(NIGHTLY, T0.plusSeconds(10), T0))
        .hasMessageContaining("is before --from");
    PipelineDefinition everyMinute = PipelineParser.parse("m.yaml", """
        name: m
        trigger: {type: schedule, cron: "* * * * *"}
        stages:
          - {name: s1, type: noop}
        """);
    assertThatThrownBy(() -> BackfillPlan.ofTicks(everyMinute, T0, T0.plusSeconds(366L * 24 * 3600)))
        .hasMessageContaining("more than 100000 ticks");
    assertThatThrownBy(() -> BackfillPlan.ofTicks(LANDED, T0, T0)).hasMessageContaining("has no schedule");
    assertThatThrownBy(() -> BackfillPlan.ofObjects(NIGHTLY, List.of())).hasMessageContaining("has no object trigger");
  }

  @Test
  void theLedgerDecidesWhatIsSubmittedSkippedOrWaitedFor() {
    BackfillPlan plan = BackfillPlan.ofObjects(LANDED, List.of(
        object("orders/a/data.csv", 1), object("orders/a/_SUCCESS", 1),
        object("orders/b/data.csv", 2), object("orders/b/_SUCCESS", 2),
        object("orders/c/data.csv", 3), object("orders/c/_SUCCESS", 3),
        object("orders/d/data.csv", 4), object("orders/d/_SUCCESS", 4)));
    Map<String, RunRecord> ledger = Map.of(
        liveRun("a"), run(liveRun("a"), "SUCCEEDED"),
        liveRun("b"), run(liveRun("b"), "RUNNING"),
        liveRun("c"), run(liveRun("c"), "FAILED"));

    assertThat(plan.decide(ledger, null)).extracting(Decision::action)
        .containsExactly(Action.SKIP_SUCCEEDED, Action.IN_PROGRESS, Action.SKIP_UNSUCCESSFUL, Action.SUBMIT);
    assertThat(plan.decide(ledger, null)).allSatisfy(d -> assertThat(d.runId())
        .isEqualTo(RunIds.of("landed", d.batch().triggerKey())));

    // a rerun: the ended ones as new runs under the tag; a rerun that SUCCEEDED already is not repeated
    String rerunOfA = RunIds.of("landed", "rerun/t1/archive/orders/a/");
    List<Decision> rerun = plan.decide(Map.of(liveRun("a"), run(liveRun("a"), "SUCCEEDED"),
        liveRun("b"), run(liveRun("b"), "RUNNING"), liveRun("c"), run(liveRun("c"), "FAILED"),
        rerunOfA, run(rerunOfA, "SUCCEEDED")), "t1");
    assertThat(rerun).extracting(Decision::triggerKey).containsExactly("rerun/t1/archive/orders/a/",
        "archive/orders/b/", "rerun/t1/archive/orders/c/", "archive/orders/d/");
    assertThat(rerun).extracting(Decision::action)
        .containsExactly(Action.SKIP_SUCCEEDED, Action.IN_PROGRESS, Action.SUBMIT, Action.SUBMIT);
  }

  @Test
  void theListedPrefixLiesUnderTheTriggersPrefix() {
    ObjectTrigger trigger = new ObjectTrigger("archive", "orders/", Set.of("data.csv"));
    assertThat(BackfillCommand.listingPrefix(trigger, "orders/2026-11")).isEqualTo("orders/2026-11");
    assertThat(BackfillCommand.listingPrefix(trigger, "ord")).isEqualTo("orders/");
    assertThat(BackfillCommand.listingPrefix(trigger, "s3://archive/orders/b")).isEqualTo("orders/b");
    assertThat(BackfillCommand.listingPrefix(trigger, "s3://archive")).isEqualTo("orders/");
    assertThatThrownBy(() -> BackfillCommand.listingPrefix(trigger, "s3://landing/orders/"))
        .hasMessageContaining("the trigger watches archive");
    assertThatThrownBy(() -> BackfillCommand.listingPrefix(trigger, "sales/"))
        .hasMessageContaining("outside the trigger's prefix s3://archive/orders/");
  }

  private static ListedObject object(String key, int second) {
    return new ListedObject(key, T0.plusSeconds(second));
  }

  private static String liveRun(String batch) {
    return RunIds.of("landed", "archive/orders/" + batch + "/");
  }

  private static RunRecord run(String runId, String status) {
    return new RunRecord(runId, "landed", "key", status, T0, null, List.of(), Map.of(), 0, null);
  }
}
