package dev.baton.cli;

import dev.baton.catalog.CatalogConfig;
import dev.baton.schemas.RunIds;
import dev.baton.schemas.ControlEvents;
import dev.baton.schemas.SchemaRegistries;
import dev.baton.schemas.event.ControlEvent;
import dev.baton.schemas.event.RunCancelRequested;
import dev.baton.schemas.event.RunRequested;
import dev.baton.schemas.event.RunResumeRequested;
import dev.baton.stages.runner.ControlEventPublisher;
import java.util.HashMap;
import java.util.concurrent.TimeoutException;
import dev.baton.control.ledger.LedgerReader;
import dev.baton.control.ledger.LedgerReader.AttemptRecord;
import dev.baton.control.ledger.LedgerReader.RunRecord;
import dev.baton.control.pipeline.PipelineDefinition;
import dev.baton.control.pipeline.Pipelines;
import dev.baton.control.pipeline.StageDefinition;
import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.apache.iceberg.catalog.Catalog;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code baton runs list|show|resume|cancel|rerun}: the ledger, read without Spark, and the
 * operators' requests, published as control events so they reach the controller on the same
 * ordered path as every other event of the run.
 */
@Command(name = "runs", mixinStandardHelpOptions = true, description = "Inspect, resume, cancel and rerun runs.",
    subcommands = {RunsCommand.ListRuns.class, RunsCommand.Show.class, RunsCommand.Resume.class, RunsCommand.Cancel.class,
        RunsCommand.Rerun.class})
final class RunsCommand {

  static LedgerReader ledger() {
    return new LedgerReader(catalog(BatonCli.configuration(System.err).values()));
  }

  private static Catalog catalog(Map<String, String> config) {
    return CatalogConfig.fromConfig(CatalogConfig.DEFAULT_NAME, config).create();
  }

  @Command(name = "list", mixinStandardHelpOptions = true, description = "Runs, newest first.")
  static final class ListRuns implements Callable<Integer> {
    @Option(names = "--pipeline", description = "Only this pipeline.")
    String pipeline;

    @Option(names = "--status", description = "Only this status: WAITING, QUEUED, RUNNING, SUCCEEDED, FAILED or CANCELLED.")
    String status;

    @Option(names = "--limit", defaultValue = "20", description = "At most this many (default ${DEFAULT-VALUE}).")
    int limit;

    @Override
    public Integer call() {
      List<RunRecord> runs = ledger().runs(pipeline, status == null ? null : status.toUpperCase(java.util.Locale.ROOT), limit);
      PrintStream out = System.out;
      out.printf("%-36s  %-14s  %-9s  %-20s  %9s  %s%n", "run", "pipeline", "status", "started (UTC)", "duration", "failed stages");
      for (RunRecord run : runs) {
        out.printf("%-36s  %-14s  %-9s  %-20s  %9s  %s%n", run.runId(), run.pipeline(), run.status(), time(run.startedAt()),
            duration(run.startedAt(), run.completedAt()), String.join(", ", run.failedStages()));
      }
      return 0;
    }
  }

  @Command(name = "show", mixinStandardHelpOptions = true, description = "One run: its DAG with each stage's status, attempts, duration and error.")
  static final class Show implements Callable<Integer> {
    @Parameters(index = "0", description = "Run id, or a unique prefix of it.")
    String run;

    @Override
    public Integer call() {
      LedgerReader ledger = ledger();
      Optional<RunRecord> record = uniqueRun(ledger, run);
      if (record.isEmpty()) {
        return 2;
      }
      Optional<PipelineDefinition> pipeline = loadPipelines().flatMap(p -> p.get(record.get().pipeline()));
      print(System.out, record.get(), ledger.attempts(record.get().runId()), pipeline);
      return 0;
    }

    private static Optional<Pipelines> loadPipelines() {
      try {
        return Optional.of(Pipelines.load(Workspace.fromEnvironment().pipelines()));
      } catch (RuntimeException e) {
        System.err.println("(pipeline definitions unavailable, showing recorded stages only: " + e.getMessage() + ")");
        return Optional.empty();
      }
    }
  }

  /** Options shared by the requests that may follow the run afterwards. */
  static class FollowOptions {
    @Option(names = "--wait", description = "Follow the run until it completes; exit 0 only if it SUCCEEDED.")
    boolean await;

    @Option(names = "--timeout-s", defaultValue = "3600", description = "With --wait: give up after this many seconds.")
    long timeoutSeconds;
  }

  @Command(name = "resume", mixinStandardHelpOptions = true,
      description = "Resume a FAILED or CANCELLED run: stages that SUCCEEDED keep their outputs and do not run again;"
          + " failed, cancelled and never-started stages run (next attempt numbers).")
  static final class Resume implements Callable<Integer> {
    @Parameters(index = "0", description = "Run id, or a unique prefix of it.")
    String run;

    @Option(names = "--reason", description = "Why (recorded with the request).")
    String reason;

    @picocli.CommandLine.Mixin
    FollowOptions follow = new FollowOptions();

    @Override
    public Integer call() throws Exception {
      return request(run, follow, java.util.Set.of("FAILED", "CANCELLED"),
          record -> new RunResumeRequested(System.getProperty("user.name"), reason));
    }
  }

  @Command(name = "cancel", mixinStandardHelpOptions = true,
      description = "Cancel a WAITING, QUEUED or RUNNING run: running attempts are stopped and nothing further launches.")
  static final class Cancel implements Callable<Integer> {
    @Parameters(index = "0", description = "Run id, or a unique prefix of it.")
    String run;

    @Option(names = "--reason", description = "Why (recorded with the request).")
    String reason;

    @Override
    public Integer call() throws Exception {
      return request(run, new FollowOptions(), java.util.Set.of("WAITING", "QUEUED", "RUNNING"),
          record -> new RunCancelRequested(System.getProperty("user.name"), reason));
    }
  }

  @Command(name = "rerun", mixinStandardHelpOptions = true,
      description = "Run a run's pipeline again with the same parameters, as a new run (new runId); prints the new runId.")
  static final class Rerun implements Callable<Integer> {
    @Parameters(index = "0", description = "Run id, or a unique prefix of it.")
    String run;

    @picocli.CommandLine.Mixin
    FollowOptions follow = new FollowOptions();

    @Override
    public Integer call() throws Exception {
      Map<String, String> config = BatonCli.configuration(System.err).values();
      Optional<RunRecord> record = uniqueRun(new LedgerReader(catalog(config)), run);
      if (record.isEmpty()) {
        return 2;
      }
      RunRecord old = record.get();
      if (old.params().isEmpty()) {
        System.err.println("Run " + old.runId() + " was recorded without its parameters (before the ledger kept them);"
            + " use baton submit " + old.pipeline() + " --param k=v instead");
        return 2;
      }
      String triggerKey = "rerun/" + Demo.newBatchId() + "/" + old.triggerKey();
      String newRunId = RunIds.of(old.pipeline(), triggerKey);
      Map<String, String> params = new LinkedHashMap<>(old.params());
      params.remove("triggerKey"); // the new run's own key
      return publish(config, newRunId, ControlEvents.requested(newRunId, old.pipeline(),
          new RunRequested(triggerKey, params, System.getProperty("user.name"), old.runId()), Instant.now()), follow);
    }
  }

  /**
   * Publishes an operator request for the run {@code runPrefix} names, if the ledger shows it in one
   * of {@code statuses} (the controller decides; this only spares a request it would reject).
   */
  private static int request(String runPrefix, FollowOptions follow, java.util.Set<String> statuses,
      java.util.function.Function<RunRecord, Object> request) throws Exception {
    Map<String, String> config = BatonCli.configuration(System.err).values();
    Optional<RunRecord> record = uniqueRun(new LedgerReader(catalog(config)), runPrefix);
    if (record.isEmpty()) {
      return 2;
    }
    if (!statuses.contains(record.get().status())) {
      System.err.println("Run " + record.get().runId() + " is " + record.get().status() + " in the ledger; this applies to "
          + new java.util.TreeSet<>(statuses) + " runs only");
      return 2;
    }
    String runId = record.get().runId();
    return publish(config, runId, ControlEvents.operatorRequest(runId, record.get().pipeline(),
        request.apply(record.get()), Instant.now()), follow);
  }

  /**
   * Publishes {@code event} on the control topic, prints the runId, and with {@code --wait}
   * follows the run until its next {@code RunCompleted}.
   *
   * @return 0, or with {@code --wait} 0 only if the run SUCCEEDED, and 2 if the controller rejected
   *     the request (its reason, e.g. the parameter it refused, on stderr)
   */
  static int publish(Map<String, String> config, String runId, ControlEvent event, FollowOptions follow)
      throws TimeoutException {
    var controllerConfig = dev.baton.control.ControllerConfig.fromConfig(config);
    try (RunWatcher watcher = follow.await ? RunWatcher.forConfig(config) : null;
        ControlEventPublisher publisher = new ControlEventPublisher(new HashMap<>(controllerConfig.kafka()),
            SchemaRegistries.serde(config), controllerConfig.controlTopic())) {
      publisher.publish(event);
      System.out.println(runId);
      if (watcher == null) {
        return 0;
      }
      RunWatcher.RunReport report;
      try {
        report = watcher.follow(runId, System.out, Duration.ofSeconds(follow.timeoutSeconds), () -> true);
      } catch (RunWatcher.RequestRejectedException e) {
        System.err.println(e.getMessage());
        return 2;
      }
      return report.completed().getStatus() == dev.baton.schemas.event.RunStatus.SUCCEEDED ? 0 : 1;
    }
  }

  /** The one run {@code prefix} names, or empty (having said why on stderr). */
  static Optional<RunRecord> uniqueRun(LedgerReader ledger, String prefix) {
    List<RunRecord> matches = ledger.runsByIdPrefix(prefix);
    if (matches.size() != 1) {
      System.err.println(matches.isEmpty() ? "No run matches '" + prefix + "' in the ledger"
          : "'" + prefix + "' matches " + matches.size() + " runs; give more of the id");
      return Optional.empty();
    }
    return Optional.of(matches.get(0));
  }

  /** Prints a run as a table of its stages in pipeline order (stages never launched included). */
  static void print(PrintStream out, RunRecord run, List<AttemptRecord> attempts, Optional<PipelineDefinition> pipeline) {
    out.printf("run       %s%npipeline  %s%nstatus    %s%s%ntrigger   %s%nstarted   %s%ncompleted %s (%s)%n%n",
        run.runId(), run.pipeline() + (run.pipelineVersion() == null ? "" : " (version " + run.pipelineVersion() + ")"),
        run.status(), run.resumes() == 0 ? "" : " (resumed " + run.resumes() + "x)",
        run.triggerKey(), time(run.startedAt()), time(run.completedAt()), duration(run.startedAt(), run.completedAt()));
    Map<String, List<AttemptRecord>> byStage = new LinkedHashMap<>();
    pipeline.ifPresent(p -> p.stages().forEach(stage -> byStage.put(stage.name(), new ArrayList<>())));
    for (AttemptRecord attempt : attempts) {
      byStage.computeIfAbsent(attempt.stage(), k -> new ArrayList<>()).add(attempt);
    }
    out.printf("%-22s %-10s %8s %9s  %s%n", "stage", "status", "attempts", "duration", "depends on");
    for (Map.Entry<String, List<AttemptRecord>> entry : byStage.entrySet()) {
      List<AttemptRecord> stageAttempts = entry.getValue();
      AttemptRecord last = stageAttempts.isEmpty() ? null : stageAttempts.get(stageAttempts.size() - 1);
      List<String> upstream = pipeline.flatMap(p -> p.stage(entry.getKey())).map(StageDefinition::dependsOn).orElse(List.of());
      out.printf("%-22s %-10s %8s %9s  %s%n", entry.getKey(), last == null ? "NOT RUN" : last.status(),
          stageAttempts.isEmpty() ? "-" : String.valueOf(stageAttempts.size()),
          last == null ? "-" : duration(last.launchedAt(), last.completedAt()),
          upstream.isEmpty() ? "-" : upstream.size() > 3 ? upstream.size() + " stages" : String.join(", ", upstream));
      for (AttemptRecord attempt : stageAttempts) {
        if (attempt.errorType() != null) {
          String message = attempt.error() == null ? "" : attempt.error().replaceAll("\\s+", " ");
          out.printf("    attempt %d %s: %s%n", attempt.attempt(), attempt.errorType(),
              message.length() > 160 ? message.substring(0, 160) + "…" : message);
        }
      }
    }
  }

  private static String time(Instant instant) {
    return instant == null ? "-" : instant.truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString();
  }

  private static String duration(Instant start, Instant end) {
    if (start == null || end == null) {
      return "-";
    }
    return String.format("%.1f s", Duration.between(start, end).toMillis() / 1000.0);
  }
}
