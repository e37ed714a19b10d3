package dev.baton.control.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class ScheduleTriggerTest {
  private static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");

  private static ScheduleTrigger berlin(String cron) {
    return new ScheduleTrigger(cron, "Europe/Berlin", null, null);
  }

  @Test
  void aDailyTickFiresOnceEveryDayAcrossBothClockChanges() {
    ScheduleTrigger daily = berlin("30 2 * * *");
    // 2026-03-29: 02:00 CET becomes 03:00 CEST, 02:30 does not exist: it fires when the gap ends (03:00 CEST = 01:00Z)
    assertThat(daily.ticks(Instant.parse("2026-03-26T23:00:00Z"), Instant.parse("2026-03-31T22:00:00Z")))
        .containsExactly(Instant.parse("2026-03-27T01:30:00Z"), Instant.parse("2026-03-28T01:30:00Z"),
            Instant.parse("2026-03-29T01:00:00Z"), Instant.parse("2026-03-30T00:30:00Z"),
            Instant.parse("2026-03-31T00:30:00Z"));
    // 2026-10-25: 03:00 CEST becomes 02:00 CET, 02:30 happens twice: it fires at the first (CEST, 00:30Z)
    assertThat(daily.ticks(Instant.parse("2026-10-23T22:00:00Z"), Instant.parse("2026-10-27T23:00:00Z")))
        .containsExactly(Instant.parse("2026-10-24T00:30:00Z"), Instant.parse("2026-10-25T00:30:00Z"),
            Instant.parse("2026-10-26T01:30:00Z"), Instant.parse("2026-10-27T01:30:00Z"));
  }

  @Test
  void anHourlyScheduleFiresOncePerLocalHourOnTheShortAndTheLongDay() {
    ScheduleTrigger hourly = berlin("0 * * * *");
    for (LocalDate day : List.of(LocalDate.parse("2026-03-29"), LocalDate.parse("2026-10-25"))) {
      Instant from = day.atStartOfDay(BERLIN).toInstant().minusSeconds(1);
      Instant to = day.plusDays(1).atStartOfDay(BERLIN).toInstant().minusSeconds(1);
      List<Instant> ticks = hourly.ticks(from, to);
      // the local hours of the day, each once: computed from the zone's own rules, independently of the trigger
      List<Integer> expectedHours = new ArrayList<>();
      for (int hour = 0; hour < 24; hour++) {
        if (!BERLIN.getRules().getValidOffsets(day.atTime(hour, 0)).isEmpty()) {
          expectedHours.add(hour);
        }
      }
      assertThat(ticks).doesNotHaveDuplicates()
          .extracting(tick -> tick.atZone(BERLIN).getHour()).containsExactlyElementsOf(expectedHours);
    }
    assertThat(hourly.ticks(Instant.parse("2026-03-28T23:30:00Z"), Instant.parse("2026-03-29T02:00:00Z")))
        .containsExactly(Instant.parse("2026-03-29T00:00:00Z"), Instant.parse("2026-03-29T01:00:00Z"),
            Instant.parse("2026-03-29T02:00:00Z"));
  }

  @Test
  void secondByWindowsGiveTheSameTicksAsOneWindowAcrossClockChanges() {
    // the controller asks one second at a time (ScheduleTicks): no tick may be lost or doubled at a window's edge
    for (String cron : List.of("*/20 * * * *", "30 2 * * *", "0 * * * *", "*/15 * * * * ?", "0 30 2 * * ?")) {
      for (String start : List.of("2026-03-29T00:30:00Z", "2026-10-24T23:30:00Z")) {
        ScheduleTrigger trigger = berlin(cron);
        Instant from = Instant.parse(start);
        Instant to = from.plusSeconds(3 * 3600);
        List<Instant> bySecond = new ArrayList<>();
        for (Instant second = from; second.isBefore(to); second = second.plusSeconds(1)) {
          bySecond.addAll(trigger.ticks(second, second.plusSeconds(1)));
        }
        assertThat(bySecond).as("%s from %s", cron, start).isNotEmpty().doesNotHaveDuplicates()
            .containsExactlyElementsOf(trigger.ticks(from, to));
      }
    }
  }

  @Test
  void aTimeInTheRepeatedHourFiresOnceWhicheverPassTheControllerAsksFrom() {
    ScheduleTrigger daily = berlin("30 2 * * *");
    // 2026-10-25T02:45+02:00 (00:45Z) is after the first 02:30, before the second: the next tick is tomorrow's
    assertThat(daily.next(Instant.parse("2026-10-25T00:45:00Z"))).contains(Instant.parse("2026-10-26T01:30:00Z"));
    assertThat(daily.next(Instant.parse("2026-10-25T01:15:00Z"))).contains(Instant.parse("2026-10-26T01:30:00Z"));
  }

  @Test
  void noTickBeforeTheStartAndQuartzSecondsAreHonoured() {
    ScheduleTrigger every10s = new ScheduleTrigger("*/10 * * * * ?", "UTC", null,
        Instant.parse("2026-12-04T10:00:25Z").toEpochMilli());
    assertThat(every10s.ticks(Instant.parse("2026-12-04T10:00:00Z"), Instant.parse("2026-12-04T10:01:00Z")))
        .containsExactly(Instant.parse("2026-12-04T10:00:30Z"), Instant.parse("2026-12-04T10:00:40Z"),
            Instant.parse("2026-12-04T10:00:50Z"), Instant.parse("2026-12-04T10:01:00Z"));
    assertThat(ScheduleTrigger.parseStart("2026-12-01", BERLIN)).isEqualTo(Instant.parse("2026-11-30T23:00:00Z").toEpochMilli());
    assertThat(ScheduleTrigger.parseStart("2026-12-01T02:00", BERLIN)).isEqualTo(Instant.parse("2026-12-01T01:00:00Z").toEpochMilli());
    assertThat(ScheduleTrigger.parseStart("2026-12-01T02:00:00Z", BERLIN)).isEqualTo(Instant.parse("2026-12-01T02:00:00Z").toEpochMilli());
  }

  @Test
  void aTickIsNamedByItsInstantAndTheDateIsLocal() {
    Instant tick = Instant.parse("2026-12-03T23:30:00Z");
    assertThat(ScheduleTrigger.triggerKey(tick)).isEqualTo("schedule/2026-12-03T23:30:00Z");
    assertThat(ScheduleTrigger.tickOf("schedule/2026-12-03T23:30:00Z")).contains(tick);
    assertThat(ScheduleTrigger.tickOf("schedule/2026-12-03T23:30Z")).isEmpty(); // not the canonical form: another run
    assertThat(ScheduleTrigger.tickOf("landing/in/b1/")).isEmpty();
    assertThat(berlin("30 0 * * *").date(tick)).isEqualTo(LocalDate.parse("2026-12-04"));
  }

  @Test
  void invalidExpressionsAreRefusedNamingTheSyntaxTheyWereReadAs() {
    assertThat(ScheduleTrigger.cronProblem("0 2 * * *")).isEmpty();
    assertThat(ScheduleTrigger.cronProblem("0 0 2 ? * MON-FRI")).isEmpty();
    assertThat(ScheduleTrigger.cronProblem("0 2 * *")).get().asString()
        .startsWith("expected 5 fields (Unix: minute hour day-of-month month day-of-week) or 6-7 (Quartz").endsWith("got 4 in '0 2 * *'");
    assertThat(ScheduleTrigger.cronProblem("61 2 * * *")).get().asString().startsWith("'61 2 * * *' is not a valid Unix cron expression: ");
    assertThat(ScheduleTrigger.cronProblem("0 0 2 * * * 1999 x")).get().asString().contains("got 8");
    assertThat(ScheduleTrigger.cronProblem(" ")).contains("is required");
  }

  @Test
  void everyTickOfAYearIsDistinctAndInOrder() {
    // a whole year of a 15-minute schedule in a zone with two clock changes: counted against the zone's local times
    ScheduleTrigger quarterHourly = berlin("*/15 * * * *");
    Instant from = LocalDate.parse("2026-01-01").atStartOfDay(BERLIN).toInstant().minusSeconds(1);
    Instant to = LocalDate.parse("2027-01-01").atStartOfDay(BERLIN).toInstant().minusSeconds(1);
    List<Instant> ticks = quarterHourly.ticks(from, to);
    assertThat(ticks).isSorted().doesNotHaveDuplicates();
    Map<LocalDate, Long> perDay = new TreeMap<>(ticks.stream()
        .collect(Collectors.groupingBy(tick -> tick.atZone(BERLIN).toLocalDate(), Collectors.counting())));
    assertThat(perDay).hasSize(365);
    assertThat(perDay.get(LocalDate.parse("2026-03-29"))).isEqualTo(23 * 4);
    assertThat(perDay.get(LocalDate.parse("2026-10-25"))).isEqualTo(24 * 4);
    assertThat(perDay.values().stream().filter(n -> n == 96).count()).isEqualTo(364);
  }
}
