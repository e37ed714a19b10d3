package dev.baton.cli;

import dev.baton.catalog.CatalogConfig;
import dev.baton.cli.BackfillPlan.Action;
import dev.baton.cli.BackfillPlan.Decision;
import dev.baton.cli.config.S3Settings;
import dev.baton.control.ControllerConfig;
import dev.baton.control.ledger.LedgerReader;
import dev.baton.control.ledger.LedgerReader.RunRecord;
import dev.baton.control.pipeline.ObjectTrigger;
import dev.baton.control.pipeline.PipelineDefinition;
import dev.baton.control.pipeline.PipelineValidationException;
import dev.baton.control.pipeline.Pipelines;
import dev.baton.control.pipeline.ScheduleTrigger;
import dev.baton.schemas.ControlEvents;
import dev.baton.schemas.RunIds;
import dev.baton.schemas.SchemaRegistries;
import dev.baton.schemas.event.RunRequested;
import dev.baton.stages.runner.ControlEventPublisher;
import java.io.Closeable;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import org.apache.iceberg.catalog.Catalog;
import me.tongfei.progressbar.DelegatingProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * {@code baton backfill}: runs a pipeline over the batches under a prefix (object trigger) or the ticks
 * between two instants (schedule), with the runIds the live trigger gives them ({@link BackfillPlan}),
 * at most {@code --max-active} at a time, and waits for them.
 *
 * <p>Resumable: everything it decides follows from the objects (or ticks) and the ledger, so running
 * the same command again after an interruption skips what SUCCEEDED, waits for what is still running
 * and submits the rest; a batch submitted twice is still one run (same runId: the controller ignores
 * the second request as a duplicate).
 */
@Command(name = "backfill", mixinStandardHelpOptions = true,
    description = {
        "Run a pipeline over past batches: the batch folders under --prefix (a pipeline started by objects) or the"
            + " schedule's ticks from --from to --to (a scheduled pipeline). Each batch gets the runId its live trigger"
            + " gives it, so batches whose run SUCCEEDED are skipped, running ones are waited for, and an interrupted"
            + " backfill resumes by running the same command again.",
        "Exit 0 when every batch's run SUCCEEDED (or was skipped as SUCCEEDED); 1 when a run failed, was cancelled"
            + " or rejected; 2 for an unknown pipeline or an invalid range."})
final class BackfillCommand implements Callable<Integer> {
  /** Exit code of a run that did not succeed. */
  static final int RUN_FAILED = 1;
  /** Exit code of a request that cannot be planned: unknown pipeline, wrong trigger type, invalid range. */
  static final int INVALID = 2;

  /** How often the runs being waited for are looked up in the ledger too (a completion the topic had before we listened). */
  private static final Duration LEDGER_CHECK = Duration.ofSeconds(10);

  @Parameters(index = "0", description = "Pipeline name (its definition in the pipelines folder, BATON_PIPELINES).")
  String pipeline;

  @ArgGroup(exclusive = true, multiplicity = "1")
  Range range;

  static final class Range {
    @Option(names = "--prefix", required = true,
        description = "Object key prefix in the trigger's bucket (orders/2026-11, or s3://landing/orders/2026-11): the batch"
            + " folders of the trigger's prefix that it covers. Must lie under the trigger's prefix, or contain it.")
    String prefix;

    @ArgGroup(exclusive = false)
    TickRange ticks;
  }

  static final class TickRange {
    @Option(names = "--from", required = true, description = "First tick covered (inclusive): an instant"
        + " (2026-11-01T00:00:00Z), or a local date-time or date in the schedule's time zone (2026-11-01: its first instant).")
    String from;

    @Option(names = "--to", required = true, description = "Last tick covered (inclusive), written as --from.")
    String to;
  }

  @Option(names = "--max-active", defaultValue = "4",
      description = "At most this many of the backfill's runs unfinished (WAITING, QUEUED or RUNNING) at once (default ${DEFAULT-VALUE}).")
  int maxActive;

  @Option(names = "--dry-run", description = "Print what would be done (the summary table) and submit nothing.")
  boolean dryRun;

  @Option(names = "--rerun", arity = "0..1", paramLabel = "TAG", fallbackValue = "",
      description = "Also run batches whose run already ended (SUCCEEDED, FAILED or CANCELLED), as new runs keyed"
          + " rerun/TAG/<trigger key>; TAG defaults to today's UTC date (yyyyMMdd). Running the same command with the same"
          + " TAG resumes an interrupted rerun.")
  String rerunTag;

  @Override
  public Integer call() throws Exception {
    if (maxActive < 1) {
      System.err.println("--max-active must be at least 1 (got " + maxActive + ")");
      return INVALID;
    }
    Path folder = Workspace.fromEnvironment().pipelines();
    Optional<PipelineDefinition> definition;
    try {
      definition = Pipelines.load(folder).get(pipeline);
    } catch (PipelineValidationException e) {
      System.err.println(e.getMessage());
      return INVALID;
    }
    if (definition.isEmpty()) {
      System.err.println("No pipeline " + pipeline + " in " + folder + " (BATON_PIPELINES): backfill plans from its trigger");
      return INVALID;
    }
    Map<String, String> config = BatonCli.configuration(System.err).values();
    String tag = rerunTag == null ? null
        : rerunTag.isEmpty() ? LocalDate.now(ZoneOffset.UTC).toString().replace("-", "") : rerunTag;
    if (tag != null && !ObjectTrigger.BATCH_ID.matcher(tag).matches()) {
      System.err.println("--rerun tag '" + tag + "' is not one path segment of " + ObjectTrigger.BATCH_ID);
      return INVALID;
    }
    BackfillPlan plan;
    try {
      plan = plan(definition.get(), config);
    } catch (IllegalArgumentException e) {
      System.err.println(e.getMessage());
      return INVALID;
    }
    ControllerConfig controllerConfig = ControllerConfig.fromConfig(config);
    // listening before the ledger is read: a run that ends in between is seen on the topic
    try (RunWatcher watcher = dryRun ? null : RunWatcher.forConfig(config)) {
      List<Decision> decisions = plan.decide(ledgerRuns(config), tag);
      printPlan(System.out, plan, decisions, tag);
      if (dryRun || decisions.stream().allMatch(d -> d.action() == Action.SKIP_SUCCEEDED
          || d.action() == Action.SKIP_UNSUCCESSFUL)) {
        return decisions.stream().anyMatch(d -> d.action() == Action.SKIP_UNSUCCESSFUL) ? RUN_FAILED : 0;
      }
      try (ControlEventPublisher publisher = new ControlEventPublisher(new HashMap<>(controllerConfig.kafka()),
          SchemaRegistries.serde(config), controllerConfig.controlTopic())) {
        Map<String, String> outcomes = execute(decisions, watcher, publisher, config);
        return printOutcomes(System.out, decisions, outcomes);
      }
    }
  }

  private BackfillPlan plan(PipelineDefinition definition, Map<String, String> config) {
    if (range.prefix != null) {
      ObjectTrigger trigger = definition.trigger();
      if (trigger == null) {
        return BackfillPlan.ofObjects(definition, List.of()); // refuses, naming the trigger it needs
      }
      String prefix = listingPrefix(trigger, range.prefix);
      List<BackfillPlan.ListedObject> objects = new ArrayList<>();
      try (S3Client s3 = S3Settings.client(config)) {
        s3.listObjectsV2Paginator(r -> r.bucket(trigger.bucket()).prefix(prefix)).contents()
            .forEach(o -> objects.add(new BackfillPlan.ListedObject(o.key(), o.lastModified())));
      }
      System.out.printf("Listed %,d objects under s3://%s/%s%n", objects.size(), trigger.bucket(), prefix);
      return BackfillPlan.ofObjects(definition, objects);
    }
    ScheduleTrigger schedule = definition.schedule();
    if (schedule == null) {
      return BackfillPlan.ofTicks(definition, Instant.EPOCH, Instant.EPOCH); // refuses, naming the trigger it needs
    }
    Instant from = instant("--from", range.ticks.from, schedule);
    Instant to = instant("--to", range.ticks.to, schedule);
    if (to.isAfter(Instant.now())) {
      throw new IllegalArgumentException("--to " + to + " is in the future: ticks after now are the live schedule's"
          + " (a backfilled tick's run would start now, and the live tick would find it done)");
    }
    return BackfillPlan.ofTicks(definition, from, to);
  }

  /**
   * The prefix to list: {@code prefix} when it lies under the trigger's prefix, the trigger's prefix when
   * {@code prefix} contains it; an {@code s3://bucket/} form must name the trigger's bucket.
   *
   * @throws IllegalArgumentException if neither is a prefix of the other, or the bucket differs
   */
  static String listingPrefix(ObjectTrigger trigger, String prefix) {
    String key = prefix;
    if (key.startsWith("s3://")) {
      String bucketAndKey = key.substring("s3://".length());
      int slash = bucketAndKey.indexOf('/');
      String bucket = slash < 0 ? bucketAndKey : bucketAndKey.substring(0, slash);
      if (!bucket.equals(trigger.bucket())) {
        throw new IllegalArgumentException("--prefix " + prefix + " is in bucket " + bucket + "; the trigger watches "
            + trigger.bucket());
      }
      key = slash < 0 ? "" : bucketAndKey.substring(slash + 1);
    }
    if (key.startsWith(trigger.prefix())) {
      return key;
    }
    if (trigger.prefix().startsWith(key)) {
      return trigger.prefix();
    }
    throw new IllegalArgumentException("--prefix " + prefix + " is outside the trigger's prefix s3://" + trigger.bucket()
        + "/" + trigger.prefix());
  }

  private static Instant instant(String option, String text, ScheduleTrigger schedule) {
    try {
      return Instant.ofEpochMilli(ScheduleTrigger.parseStart(text, schedule.zone()));
    } catch (java.time.DateTimeException e) {
      throw new IllegalArgumentException(option + " '" + text + "' is not an instant, local date-time or date: "
          + e.getMessage(), e);
    }
  }

  /**
   * The pipeline's runs in the ledger, by runId, read through a catalog of its own (one instance may keep
   * serving the table version it loaded first, and would not see the ledger's next MERGE).
   */
  private Map<String, RunRecord> ledgerRuns(Map<String, String> config) throws IOException {
    Catalog catalog = CatalogConfig.fromConfig(CatalogConfig.DEFAULT_NAME, config).create();
    try {
      Map<String, RunRecord> runs = new HashMap<>();
      for (RunRecord run : new LedgerReader(catalog).runs(pipeline, null, Integer.MAX_VALUE)) {
        runs.put(run.runId(), run);
      }
      return runs;
    } finally {
      if (catalog instanceof Closeable closeable) {
        closeable.close();
      }
    }
  }

  /**
   * Submits the SUBMIT decisions in order, never more than {@code --max-active} of the backfill's runs
   * (those found in progress included) unfinished, until all have ended.
   *
   * @return runId → how it ended (SUCCEEDED, FAILED, CANCELLED, or REJECTED with the reason)
   */
  private Map<String, String> execute(List<Decision> decisions, RunWatcher watcher, ControlEventPublisher publisher,
      Map<String, String> config) throws IOException {
    Deque<Decision> toSubmit = new ArrayDeque<>();
    Map<String, Decision> active = new LinkedHashMap<>();
    for (Decision decision : decisions) {
      if (decision.action() == Action.SUBMIT) {
        toSubmit.add(decision);
      } else if (decision.action() == Action.IN_PROGRESS) {
        active.put(decision.runId(), decision);
      }
    }
    Map<String, String> outcomes = new LinkedHashMap<>();
    String requestedBy = "backfill by " + System.getProperty("user.name");
    long nextLedgerCheck = System.nanoTime() + LEDGER_CHECK.toNanos();
    try (ProgressBar progress = progressBar(toSubmit.size() + active.size())) {
      while (!toSubmit.isEmpty() || !active.isEmpty()) {
        while (!toSubmit.isEmpty() && active.size() < maxActive) {
          Decision next = toSubmit.poll();
          String rerunOf = next.triggerKey().equals(next.batch().triggerKey()) ? null
              : RunIds.of(pipeline, next.batch().triggerKey());
          publisher.publish(ControlEvents.requested(next.runId(), pipeline,
              new RunRequested(next.triggerKey(), next.batch().params(), requestedBy, rerunOf), Instant.now()));
          active.put(next.runId(), next);
        }
        List<RunWatcher.Ended> ended = new ArrayList<>(watcher.pollEnded(Duration.ofMillis(500)));
        if (System.nanoTime() > nextLedgerCheck) {
          nextLedgerCheck = System.nanoTime() + LEDGER_CHECK.toNanos();
          for (RunRecord run : ledgerRuns(config).values()) {
            if (active.containsKey(run.runId()) && BackfillPlan.isEnded(run)) {
              ended.add(new RunWatcher.Ended(run.runId(), run.status(), null));
            }
          }
        }
        for (RunWatcher.Ended run : ended) {
          if (active.remove(run.runId()) == null) {
            continue; // another run's, or one already counted
          }
          outcomes.put(run.runId(), run.reason() == null ? run.status() : run.status() + ": " + run.reason());
          progress.step();
        }
        progress.setExtraMessage(String.format("%d active, %d waiting, %d SUCCEEDED, %d not", active.size(),
            toSubmit.size(), outcomes.values().stream().filter("SUCCEEDED"::equals).count(),
            outcomes.values().stream().filter(o -> !o.equals("SUCCEEDED")).count()));
      }
    }
    return outcomes;
  }

  private static ProgressBar progressBar(int runs) {
    ProgressBarBuilder builder = new ProgressBarBuilder().setTaskName("backfill").setInitialMax(runs).setUnit(" runs", 1)
        .setStyle(ProgressBarStyle.ASCII).setUpdateIntervalMillis(1000);
    if (System.console() == null) { // a log, not a terminal: one line per change instead of a redrawn one
      builder.setConsumer(new DelegatingProgressBarConsumer(System.err::println, 120));
    }
    return builder.build();
  }

  private static void printPlan(PrintStream out, BackfillPlan plan, List<Decision> decisions, String tag) {
    Map<Action, Integer> counts = new EnumMap<>(Action.class);
    decisions.forEach(d -> counts.merge(d.action(), 1, Integer::sum));
    out.println();
    row(out, "batches found", decisions.size());
    if (!plan.incomplete().isEmpty()) {
      row(out, "incomplete (files missing, not started)", plan.incomplete().size());
    }
    if (!plan.invalidKeys().isEmpty()) {
      row(out, "objects with an invalid batch id", plan.invalidKeys().size());
    }
    row(out, tag == null ? "already SUCCEEDED, skipped" : "already rerun as " + tag + " and SUCCEEDED, skipped",
        counts.getOrDefault(Action.SKIP_SUCCEEDED, 0));
    row(out, "ended FAILED or CANCELLED, skipped", counts.getOrDefault(Action.SKIP_UNSUCCESSFUL, 0));
    row(out, "in progress, waited for", counts.getOrDefault(Action.IN_PROGRESS, 0));
    row(out, "to submit", counts.getOrDefault(Action.SUBMIT, 0));
    out.println();
    plan.incomplete().forEach((batch, missing) -> out.printf("  incomplete batch %s: missing %s%n", batch, missing));
    plan.invalidKeys().forEach((key, reason) -> out.printf("  invalid: %s%n", reason));
    decisions.stream().filter(d -> d.action() == Action.SKIP_UNSUCCESSFUL).forEach(d -> out.printf(
        "  %s: run %s ended unsuccessfully (baton runs resume %s, or --rerun)%n", d.batch().label(), d.runId(), d.runId()));
  }

  private static int printOutcomes(PrintStream out, List<Decision> decisions, Map<String, String> outcomes) {
    Map<String, Integer> byStatus = new TreeMap<>();
    outcomes.values().forEach(o -> byStatus.merge(o.split(":", 2)[0], 1, Integer::sum));
    out.println();
    row(out, "submitted or waited for, ended", outcomes.size());
    byStatus.forEach((status, count) -> row(out, "  " + status, count));
    for (Decision decision : decisions) {
      String outcome = outcomes.get(decision.runId());
      if (outcome != null && !outcome.equals("SUCCEEDED")) {
        out.printf("  %s: run %s %s%n", decision.batch().label(), decision.runId(), outcome);
      }
    }
    boolean allSucceeded = outcomes.values().stream().allMatch("SUCCEEDED"::equals)
        && decisions.stream().noneMatch(d -> d.action() == Action.SKIP_UNSUCCESSFUL);
    return allSucceeded ? 0 : RUN_FAILED;
  }

  private static void row(PrintStream out, String label, int count) {
    out.printf("%-44s %8d%n", label, count);
  }
}
