package dev.baton.control.pipeline;

import static java.util.Objects.requireNonNull;

import com.cronutils.model.CronType;
import com.cronutils.model.definition.CronDefinitionBuilder;
import com.cronutils.model.time.ExecutionTime;
import com.cronutils.parser.CronParser;
import java.io.Serializable;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.time.zone.ZoneOffsetTransition;
import java.time.zone.ZoneRules;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Starts a run at every tick of a cron expression in a time zone ({@code trigger: {type: schedule,
 * cron: "0 2 * * *", timeZone: Europe/Berlin, catchUp: latest, start: 2026-12-01}}).
 *
 * <p>Expressions are parsed by cron-utils: five fields are Unix syntax (minute hour day-of-month
 * month day-of-week, as crontab(5)), six or seven Quartz syntax (second first, optional year; one of
 * day-of-month and day-of-week must be {@code ?}), as the Quartz {@code CronExpression} reference
 * defines them.
 *
 * <p>Ticks are local times of {@code timeZone}: each local date-time the expression matches fires
 * exactly once, whatever the zone's clock changes do. A matching time inside a spring-forward gap
 * (02:30 on the day Berlin's clocks jump from 02:00 to 03:00) fires at the first instant after the
 * gap (03:00 local); a matching time inside a fall-back overlap (02:30 on the day 02:00–03:00 happens
 * twice) fires once, at its first occurrence. So a daily schedule fires once every day, and an hourly
 * one 23 times on the short day and 24 on the long one (the repeated hour's local times are not
 * repeated). Several gap times collapse to the one instant after the gap.
 *
 * <p>The run of a tick is identified by the tick's instant ({@link #triggerKey}), so a tick starts one
 * run however often it is delivered.
 *
 * @param cron the expression as written
 * @param timeZone an IANA zone id ({@code Europe/Berlin}) or {@code UTC}
 * @param catchUp what happens to ticks the controller decides more than {@value #MISSED_AFTER_MS} ms
 *     late, after it was down (or stalled): see {@link CatchUp}
 * @param startAtMs no tick before this instant fires, epoch ms; null for no bound
 */
public record ScheduleTrigger(String cron, String timeZone, CatchUp catchUp, Long startAtMs) implements Serializable {

  /**
   * A tick decided more than this long after its time, ms, was missed: the controller was down or
   * stalled at the time. Ticks decided sooner always start their run.
   */
  public static final long MISSED_AFTER_MS = 60_000;

  /** Prefix of a schedule run's trigger key: {@code schedule/<tick instant, ISO-8601 UTC>}. */
  public static final String TRIGGER_KEY_PREFIX = "schedule/";

  private static final Map<String, ExecutionTime> EXECUTION_TIMES = new ConcurrentHashMap<>();

  /** What a controller does with ticks it decides more than {@value #MISSED_AFTER_MS} ms late. */
  public enum CatchUp {
    /** Start no run for them. */
    NONE,
    /** Start a run for each, oldest first. */
    ALL,
    /** Start a run for the latest tick only (the one no later tick has followed yet); skip the others. */
    LATEST
  }

  public ScheduleTrigger {
    requireNonNull(cron, "Invalid cron: null");
    timeZone = timeZone == null ? "UTC" : timeZone;
    catchUp = catchUp == null ? CatchUp.LATEST : catchUp;
  }

  /**
   * Why {@code cron} is not a valid expression, if it is not.
   *
   * @return the problem, naming the syntax it was read as; empty when valid
   */
  public static Optional<String> cronProblem(String cron) {
    if (cron == null || cron.isBlank()) {
      return Optional.of("is required");
    }
    Optional<CronType> type = syntax(cron);
    if (type.isEmpty()) {
      return Optional.of("expected 5 fields (Unix: minute hour day-of-month month day-of-week) or 6-7 (Quartz: second"
          + " minute hour day-of-month month day-of-week [year]), got " + fields(cron).length + " in '" + cron + "'");
    }
    try {
      executionTime(cron);
      return Optional.empty();
    } catch (IllegalArgumentException e) {
      return Optional.of("'" + cron + "' is not a valid " + (type.get() == CronType.UNIX ? "Unix" : "Quartz")
          + " cron expression: " + e.getMessage());
    }
  }

  /**
   * The first tick strictly after {@code after} (and not before the start), if the expression ever
   * matches again.
   */
  public Optional<Instant> next(Instant after) {
    Instant from = startAtMs != null && after.toEpochMilli() < startAtMs ? Instant.ofEpochMilli(startAtMs - 1) : after;
    ZoneId zone = zone();
    ZoneRules rules = zone.getRules();
    ZonedDateTime zoned = from.atZone(zone);
    LocalDateTime cursor = zoned.toLocalDateTime().truncatedTo(ChronoUnit.SECONDS);
    ZoneOffsetTransition overlap = rules.getTransition(zoned.toLocalDateTime());
    if (overlap != null && overlap.isOverlap() && zoned.getOffset().equals(overlap.getOffsetAfter())) {
      // the second pass through repeated local times: they fired on the first pass, already before `from`
      cursor = overlap.getDateTimeBefore().minusSeconds(1);
    }
    ExecutionTime execution = executionTime(cron);
    // the expression is evaluated on local date-times (UTC has no clock changes), then mapped to instants
    for (int step = 0; step < 10_000; step++) {
      Optional<ZonedDateTime> match = execution.nextExecution(cursor.atZone(ZoneOffset.UTC));
      if (match.isEmpty()) {
        return Optional.empty();
      }
      LocalDateTime local = match.get().toLocalDateTime();
      Instant instant = instantOf(local, rules);
      if (instant.isAfter(from)) {
        return Optional.of(instant);
      }
      cursor = local;
    }
    throw new IllegalStateException("Schedule '" + cron + "' in " + timeZone + ": no tick after " + from
        + " within 10,000 matches");
  }

  /** The ticks in {@code (afterExclusive, untilInclusive]}, oldest first. */
  public List<Instant> ticks(Instant afterExclusive, Instant untilInclusive) {
    List<Instant> ticks = new ArrayList<>();
    Optional<Instant> next = next(afterExclusive);
    while (next.isPresent() && !next.get().isAfter(untilInclusive)) {
      ticks.add(next.get());
      next = next(next.get());
    }
    return ticks;
  }

  /** The tick's local date in the schedule's zone (the built-in run parameter {@code date}). */
  public LocalDate date(Instant tick) {
    return tick.atZone(zone()).toLocalDate();
  }

  /** The zone ticks are local times of. */
  public ZoneId zone() {
    return ZoneId.of(timeZone);
  }

  /** The trigger key of a tick's run: {@code schedule/2026-12-04T01:00:00Z}. */
  public static String triggerKey(Instant tick) {
    return TRIGGER_KEY_PREFIX + DateTimeFormatter.ISO_INSTANT.format(tick);
  }

  /** The tick a schedule trigger key names; empty when {@code triggerKey} is not one. */
  public static Optional<Instant> tickOf(String triggerKey) {
    if (triggerKey == null || !triggerKey.startsWith(TRIGGER_KEY_PREFIX)) {
      return Optional.empty();
    }
    try {
      Instant tick = Instant.parse(triggerKey.substring(TRIGGER_KEY_PREFIX.length()));
      return triggerKey.equals(triggerKey(tick)) ? Optional.of(tick) : Optional.empty(); // only the canonical form
    } catch (DateTimeParseException e) {
      return Optional.empty();
    }
  }

  /**
   * Parses a start: an instant with offset ({@code 2026-12-01T02:00:00Z}, {@code
   * 2026-12-01T02:00+01:00}), or a local date-time or date in {@code zone} ({@code 2026-12-01T02:00},
   * {@code 2026-12-01}: its first instant), a local time mapped to an instant as ticks are (a time in a
   * gap: the end of the gap).
   *
   * @return epoch ms
   * @throws DateTimeException if it is none of these
   */
  public static long parseStart(String text, ZoneId zone) {
    try {
      return java.time.OffsetDateTime.parse(text).toInstant().toEpochMilli();
    } catch (DateTimeParseException notOffset) {
      try {
        return instantOf(LocalDateTime.parse(text), zone.getRules()).toEpochMilli();
      } catch (DateTimeParseException notLocalDateTime) {
        return LocalDate.parse(text).atStartOfDay(zone).toInstant().toEpochMilli();
      }
    }
  }

  /** A local date-time's instant: its first occurrence in an overlap; the end of the gap for a time in a gap. */
  private static Instant instantOf(LocalDateTime local, ZoneRules rules) {
    List<ZoneOffset> offsets = rules.getValidOffsets(local);
    return offsets.isEmpty() ? rules.getTransition(local).getInstant() : local.atOffset(offsets.get(0)).toInstant();
  }

  private static Optional<CronType> syntax(String cron) {
    return switch (fields(cron).length) {
      case 5 -> Optional.of(CronType.UNIX);
      case 6, 7 -> Optional.of(CronType.QUARTZ);
      default -> Optional.empty();
    };
  }

  private static String[] fields(String cron) {
    return cron.trim().split("\\s+");
  }

  /** @throws IllegalArgumentException if the expression is invalid */
  private static ExecutionTime executionTime(String cron) {
    ExecutionTime cached = EXECUTION_TIMES.get(cron);
    if (cached != null) {
      return cached;
    }
    CronType type = syntax(cron).orElseThrow(() -> new IllegalArgumentException("unsupported number of fields"));
    ExecutionTime execution = ExecutionTime.forCron(
        new CronParser(CronDefinitionBuilder.instanceDefinitionFor(type)).parse(cron.trim()).validate());
    if (EXECUTION_TIMES.size() < 1_000) {
      EXECUTION_TIMES.put(cron, execution);
    }
    return execution;
  }
}
