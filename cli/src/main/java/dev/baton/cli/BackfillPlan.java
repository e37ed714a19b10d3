package dev.baton.cli;

import dev.baton.control.ledger.LedgerReader.RunRecord;
import dev.baton.control.pipeline.ObjectTrigger;
import dev.baton.control.pipeline.PipelineDefinition;
import dev.baton.control.pipeline.RunParameters;
import dev.baton.control.pipeline.ScheduleTrigger;
import dev.baton.schemas.RunIds;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What a backfill covers: the batches of an object trigger under a prefix, or the ticks of a schedule
 * between two instants, each with the trigger key (and so the runId, {@link RunIds#of}) the live
 * trigger gives it, and what the ledger says of that run.
 *
 * <p>Grouping is the live path's: an object belongs to the batch {@link ObjectTrigger#match} gives it,
 * and a batch is complete when every required file is there (a live run starts then, not before); a
 * tick is one of {@link ScheduleTrigger#ticks}. Pure: listing the objects and reading the ledger are the
 * caller's.
 *
 * @param pipeline the pipeline backfilled
 * @param batches the complete batches (or ticks), in the order the live trigger would have started them:
 *     by the time their last required file was written, then by batch id; ticks oldest first
 * @param incomplete batch id → the required files it lacks; no live run starts for them either
 * @param invalidKeys object keys under the prefix in a batch folder whose id is not a valid batch id
 *     ({@link ObjectTrigger#BATCH_ID}), with the reason; the live path sends their events to the DLQ
 */
record BackfillPlan(String pipeline, List<Batch> batches, Map<String, SortedSet<String>> incomplete,
    Map<String, String> invalidKeys) {

  /** At most this many ticks in one backfill: a minute schedule over a year is 525,600 of them. */
  static final int MAX_TICKS = 100_000;

  /**
   * A batch or tick the range covers.
   *
   * @param label the batch id, or the tick as an ISO instant
   * @param triggerKey its live trigger key ({@link ObjectTrigger#triggerKey}, {@link ScheduleTrigger#triggerKey})
   * @param params the request's parameters: the batch, or the tick's {@code scheduledTime} and {@code date}
   */
  record Batch(String label, String triggerKey, Map<String, String> params) {}

  /** An object listed under the prefix: its key and when it was last written. */
  record ListedObject(String key, Instant lastModified) {}

  /**
   * The batches {@code objects} form under {@code pipeline}'s object trigger.
   *
   * @throws IllegalArgumentException if the pipeline has no object trigger
   */
  static BackfillPlan ofObjects(PipelineDefinition pipeline, Iterable<ListedObject> objects) {
    ObjectTrigger trigger = pipeline.trigger();
    if (trigger == null) {
      throw new IllegalArgumentException("Pipeline " + pipeline.name() + " has no object trigger: --prefix applies to"
          + " pipelines started by objects (trigger.bucket)");
    }
    Map<String, Map<String, Instant>> filesByBatch = new TreeMap<>();
    Map<String, String> invalid = new TreeMap<>();
    for (ListedObject object : objects) {
      Optional<ObjectTrigger.BatchFile> match;
      try {
        match = trigger.match(trigger.bucket(), object.key());
      } catch (IllegalArgumentException e) {
        invalid.put(object.key(), e.getMessage());
        continue;
      }
      match.ifPresent(file -> filesByBatch.computeIfAbsent(file.batch(), b -> new TreeMap<>())
          .put(file.file(), object.lastModified()));
    }
    List<Batch> batches = new ArrayList<>();
    Map<String, Instant> completedAt = new LinkedHashMap<>();
    Map<String, SortedSet<String>> incomplete = new TreeMap<>();
    filesByBatch.forEach((batch, files) -> {
      SortedSet<String> missing = new TreeSet<>(trigger.requiredFiles());
      missing.removeAll(files.keySet());
      if (!missing.isEmpty()) {
        if (trigger.requiredFiles().stream().anyMatch(files::containsKey)) {
          incomplete.put(batch, missing); // other files of a batch folder alone never start a run
        }
        return;
      }
      completedAt.put(batch, trigger.requiredFiles().stream().map(files::get).max(Comparator.naturalOrder())
          .orElseThrow());
      batches.add(new Batch(batch, trigger.triggerKey(batch), Map.of(RunParameters.BATCH, batch)));
    });
    batches.sort(Comparator.comparing((Batch b) -> completedAt.get(b.label())).thenComparing(Batch::label));
    return new BackfillPlan(pipeline.name(), batches, incomplete, invalid);
  }

  /**
   * The ticks of {@code pipeline}'s schedule in {@code [from, to]}.
   *
   * @throws IllegalArgumentException if the pipeline has no schedule, {@code to} is before {@code from}, or
   *     the range holds more than {@value #MAX_TICKS} ticks
   */
  static BackfillPlan ofTicks(PipelineDefinition pipeline, Instant from, Instant to) {
    ScheduleTrigger schedule = pipeline.schedule();
    if (schedule == null) {
      throw new IllegalArgumentException("Pipeline " + pipeline.name() + " has no schedule: --from/--to apply to"
          + " pipelines with trigger.type schedule");
    }
    if (to.isBefore(from)) {
      throw new IllegalArgumentException("--to " + to + " is before --from " + from);
    }
    List<Batch> batches = new ArrayList<>();
    Optional<Instant> tick = schedule.next(from.minusNanos(1));
    while (tick.isPresent() && !tick.get().isAfter(to)) {
      if (batches.size() == MAX_TICKS) {
        throw new IllegalArgumentException("--from " + from + " --to " + to + " holds more than " + MAX_TICKS
            + " ticks of '" + schedule.cron() + "'; backfill a shorter range at a time");
      }
      Map<String, String> params = new LinkedHashMap<>();
      params.put(RunParameters.SCHEDULED_TIME, DateTimeFormatter.ISO_INSTANT.format(tick.get()));
      params.put(RunParameters.DATE, schedule.date(tick.get()).toString());
      batches.add(new Batch(DateTimeFormatter.ISO_INSTANT.format(tick.get()), ScheduleTrigger.triggerKey(tick.get()),
          Map.copyOf(params)));
      tick = schedule.next(tick.get());
    }
    return new BackfillPlan(pipeline.name(), batches, Map.of(), Map.of());
  }

  /** What the backfill does with a batch, from the ledger. */
  enum Action {
    /** No run yet (or, with a rerun tag, no rerun yet): submit one. */
    SUBMIT,
    /** Its run SUCCEEDED: skipped. */
    SKIP_SUCCEEDED,
    /** Its run is WAITING, QUEUED or RUNNING: not submitted again; the backfill waits for it. */
    IN_PROGRESS,
    /** Its run ended FAILED or CANCELLED: not submitted again (resume it, or backfill with a rerun tag). */
    SKIP_UNSUCCESSFUL
  }

  /**
   * A batch, the run the backfill stands for, and what it does with it.
   *
   * @param triggerKey the run's trigger key: the live one, or with a rerun tag, for a batch whose live run
   *     ended, {@code rerun/<tag>/<live key>}
   * @param runId {@code RunIds.of(pipeline, triggerKey)}
   */
  record Decision(Batch batch, String triggerKey, String runId, Action action) {}

  /**
   * What to do with each batch, given the ledger's runs of the pipeline.
   *
   * @param runs the ledger's runs by runId (at least those of this pipeline)
   * @param rerunTag null; or a tag under which batches whose live run ended run again, as new runs keyed
   *     {@code rerun/<tag>/<live key>}: the same tag finds the same reruns, so an interrupted rerun resumes
   */
  List<Decision> decide(Map<String, RunRecord> runs, String rerunTag) {
    List<Decision> decisions = new ArrayList<>();
    for (Batch batch : batches) {
      String key = batch.triggerKey();
      RunRecord run = runs.get(RunIds.of(pipeline, key));
      if (rerunTag != null && run != null && isEnded(run)) {
        key = rerunKey(rerunTag, key);
        run = runs.get(RunIds.of(pipeline, key));
      }
      Action action = run == null ? Action.SUBMIT
          : "SUCCEEDED".equals(run.status()) ? Action.SKIP_SUCCEEDED
          : isEnded(run) ? Action.SKIP_UNSUCCESSFUL
          : Action.IN_PROGRESS;
      decisions.add(new Decision(batch, key, RunIds.of(pipeline, key), action));
    }
    return decisions;
  }

  /** The trigger key of a batch's rerun under {@code tag}. */
  static String rerunKey(String tag, String liveKey) {
    return "rerun/" + tag + "/" + liveKey;
  }

  static boolean isEnded(RunRecord run) {
    return switch (run.status()) {
      case "SUCCEEDED", "FAILED", "CANCELLED" -> true;
      default -> false;
    };
  }
}
