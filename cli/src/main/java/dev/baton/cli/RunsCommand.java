package dev.baton.cli;

import dev.baton.catalog.CatalogConfig;
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

/** {@code baton runs list|show}: the ledger, read without Spark. */
@Command(name = "runs", mixinStandardHelpOptions = true, description = "Inspect runs recorded in the ledger.",
    subcommands = {RunsCommand.ListRuns.class, RunsCommand.Show.class})
final class RunsCommand {

  static LedgerReader ledger() {
    Map<String, String> config = LocalServices.runningConfig(System.err);
    Catalog catalog = CatalogConfig.fromConfig(CatalogConfig.DEFAULT_NAME, config).create();
    return new LedgerReader(catalog);
  }

  @Command(name = "list", mixinStandardHelpOptions = true, description = "Runs, newest first.")
  static final class ListRuns implements Callable<Integer> {
    @Option(names = "--pipeline", description = "Only this pipeline.")
    String pipeline;

    @Option(names = "--status", description = "Only this status: RUNNING, SUCCEEDED or FAILED.")
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
      List<RunRecord> matches = ledger.runsByIdPrefix(run);
      if (matches.size() != 1) {
        System.err.println(matches.isEmpty() ? "No run matches '" + run + "'"
            : "'" + run + "' matches " + matches.size() + " runs; give more of the id");
        return 2;
      }
      RunRecord record = matches.get(0);
      Optional<PipelineDefinition> pipeline = loadPipelines().flatMap(p -> p.get(record.pipeline()));
      print(System.out, record, ledger.attempts(record.runId()), pipeline);
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

  /** Prints a run as a table of its stages in pipeline order (stages never launched included). */
  static void print(PrintStream out, RunRecord run, List<AttemptRecord> attempts, Optional<PipelineDefinition> pipeline) {
    out.printf("run       %s%npipeline  %s%nstatus    %s%ntrigger   %s%nstarted   %s%ncompleted %s (%s)%n%n",
        run.runId(), run.pipeline(), run.status(), run.triggerKey(), time(run.startedAt()), time(run.completedAt()),
        duration(run.startedAt(), run.completedAt()));
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
