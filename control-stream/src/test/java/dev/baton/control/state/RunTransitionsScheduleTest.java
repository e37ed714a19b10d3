package dev.baton.control.state;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.control.pipeline.PipelineDefinition;
import dev.baton.control.pipeline.PipelineParser;
import dev.baton.control.pipeline.ScheduleTrigger;
import dev.baton.schemas.RunIds;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Schedule ticks through the run-state machine, the controller's clock injected as {@code nowMs}. */
class RunTransitionsScheduleTest {
  private static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");
  /** Three nightly ticks, 02:00 in Berlin (01:00Z in winter). */
  private static final List<Instant> THREE_TICKS = List.of(Instant.parse("2026-12-01T01:00:00Z"),
      Instant.parse("2026-12-02T01:00:00Z"), Instant.parse("2026-12-03T01:00:00Z"));

  private static PipelineDefinition nightly(String catchUp) {
    return PipelineParser.parse("test", """
        name: nightly
        trigger: {type: schedule, cron: "0 2 * * *", timeZone: Europe/Berlin, catchUp: %s}
        stages:
          - {name: load, type: sql, options: {query: "select * from raw.t where d = :date", table: curated.t}}
        """.formatted(catchUp));
  }

  private static RunTransitions.Transition tick(PipelineDefinition pipeline, Instant tick, long nowMs) {
    String runId = RunIds.of(pipeline.name(), ScheduleTrigger.triggerKey(tick));
    return RunTransitions.apply(pipeline, null, runId, new Input.ScheduleTick(pipeline.name(), tick.toEpochMilli()), nowMs);
  }

  private static List<String> launched(RunTransitions.Transition transition) {
    return transition.commands().stream().filter(c -> c instanceof Command.LaunchStage)
        .map(c -> ((Command.LaunchStage) c).stage() + "#" + ((Command.LaunchStage) c).attempt()).toList();
  }

  @Test
  void aTickStartsItsRunWithTheTicksTimeAndLocalDate() {
    Instant tick = Instant.parse("2026-12-03T23:00:00Z"); // 00:00 on 2026-12-04 in Berlin
    PipelineDefinition pipeline = PipelineParser.parse("test", """
        name: midnight
        trigger: {type: schedule, cron: "0 0 * * *", timeZone: Europe/Berlin}
        stages:
          - {name: load, type: sql, options: {query: "select * from raw.t where d = :date", table: curated.t}}
        """);
    RunTransitions.Transition started = tick(pipeline, tick, tick.toEpochMilli() + 700);
    assertThat(started.state().status()).isEqualTo(RunStatus.RUNNING);
    assertThat(started.state().runId()).isEqualTo(RunIds.of("midnight", "schedule/2026-12-03T23:00:00Z"));
    assertThat(launched(started)).containsExactly("load#1");
    assertThat(started.commands()).filteredOn(c -> c instanceof Command.LaunchStage).singleElement()
        .satisfies(launch -> assertThat(((Command.LaunchStage) launch).readyAtMs()).isEqualTo(tick.toEpochMilli()));
    assertThat(started.state().params()).containsEntry("scheduledTime", "2026-12-03T23:00:00Z")
        .containsEntry("date", "2026-12-04").containsEntry("triggerKey", "schedule/2026-12-03T23:00:00Z");

    // the same tick again (a replayed micro-batch, a backfill of it): the run exists, nothing starts
    RunTransitions.Transition again = RunTransitions.apply(pipeline, started.state(), started.state().runId(),
        new Input.ScheduleTick("midnight", tick.toEpochMilli()), tick.toEpochMilli() + 900);
    assertThat(again.ignored()).isEqualTo("duplicate");
    assertThat(again.commands()).isEmpty();
  }

  @Test
  void aControllerDownAcrossThreeTicksCatchesUpAsConfigured() {
    long backAt = THREE_TICKS.get(2).plusSeconds(5 * 3600).toEpochMilli(); // back five hours after the third tick
    Map<String, Integer> expectedRuns = Map.of("all", 3, "latest", 1, "none", 0);
    for (Map.Entry<String, Integer> mode : expectedRuns.entrySet()) {
      PipelineDefinition pipeline = nightly(mode.getKey());
      List<Instant> started = new ArrayList<>();
      for (Instant tick : THREE_TICKS) {
        RunTransitions.Transition transition = tick(pipeline, tick, backAt);
        if (transition.state() != null) {
          started.add(tick);
          assertThat(launched(transition)).containsExactly("load#1");
        } else {
          assertThat(transition.ignored()).isEqualTo(RunTransitions.MISSED_TICK);
          assertThat(transition.commands()).isEmpty();
        }
      }
      assertThat(started).as("catchUp: %s", mode.getKey()).hasSize(mode.getValue());
      if (mode.getKey().equals("latest")) {
        assertThat(started).containsExactly(THREE_TICKS.get(2));
      }
    }
  }

  @Test
  void aTickIsMissedOnlyWhenDecidedMoreThanAMinuteLate() {
    PipelineDefinition none = nightly("none");
    Instant tick = THREE_TICKS.get(0);
    assertThat(tick(none, tick, tick.toEpochMilli() + ScheduleTrigger.MISSED_AFTER_MS).state()).isNotNull();
    assertThat(tick(none, tick, tick.toEpochMilli() + ScheduleTrigger.MISSED_AFTER_MS + 1).ignored())
        .isEqualTo(RunTransitions.MISSED_TICK);
    // latest: a late tick still starts while no later tick is due
    PipelineDefinition latest = nightly("latest");
    assertThat(tick(latest, tick, tick.toEpochMilli() + 3_600_000).state()).isNotNull();
  }

  @Test
  void aDstChangeNeitherSkipsNorDoublesANightlyRun() {
    // 02:30 every night in Berlin over both 2026 clock changes, each tick decided when the controller's clock says
    PipelineDefinition pipeline = PipelineParser.parse("test", """
        name: dst
        trigger: {type: schedule, cron: "30 2 * * *", timeZone: Europe/Berlin, catchUp: none}
        stages:
          - {name: load, type: noop}
        """);
    for (LocalDate first : List.of(LocalDate.parse("2026-03-26"), LocalDate.parse("2026-10-22"))) {
      Instant from = first.atStartOfDay(BERLIN).toInstant();
      Instant to = first.plusDays(7).atStartOfDay(BERLIN).toInstant();
      List<String> dates = new ArrayList<>();
      List<String> runIds = new ArrayList<>();
      for (Instant tick : pipeline.schedule().ticks(from, to)) {
        RunTransitions.Transition started = tick(pipeline, tick, tick.toEpochMilli() + 800);
        assertThat(started.state().status()).isEqualTo(RunStatus.RUNNING);
        dates.add(started.state().params().get("date"));
        runIds.add(started.state().runId());
      }
      List<String> everyNight = first.datesUntil(first.plusDays(7)).map(LocalDate::toString).toList();
      assertThat(dates).as("from %s", first).containsExactlyElementsOf(everyNight);
      assertThat(runIds).doesNotHaveDuplicates();
    }
  }

  @Test
  void aRequestForATickGetsTheTicksParametersAndCannotChangeThem() {
    PipelineDefinition pipeline = nightly("latest");
    String triggerKey = ScheduleTrigger.triggerKey(THREE_TICKS.get(1));
    String runId = RunIds.of("nightly", triggerKey);
    RunTransitions.Transition requested = RunTransitions.apply(pipeline, null, runId,
        new Input.RunRequested("e1", "nightly", triggerKey, Map.of()), 5_000);
    assertThat(requested.state().params()).containsEntry("scheduledTime", "2026-12-02T01:00:00Z")
        .containsEntry("date", "2026-12-02");
    RunTransitions.Transition moved = RunTransitions.apply(pipeline, null, runId,
        new Input.RunRequested("e2", "nightly", triggerKey, Map.of("date", "2026-12-24")), 5_000);
    assertThat(moved.state()).isNull();
    assertThat(moved.rejection()).contains("date: is the scheduled tick's, '2026-12-02' (got '2026-12-24')");
    RunTransitions.Transition notADate = RunTransitions.apply(pipeline, null, RunIds.of("nightly", "manual-1"),
        new Input.RunRequested("e3", "nightly", "manual-1", Map.of("date", "yesterday")), 5_000);
    assertThat(notADate.rejection()).contains("date: expected a date");
  }
}
