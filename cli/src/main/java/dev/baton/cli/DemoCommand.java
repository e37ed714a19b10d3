package dev.baton.cli;

import dev.baton.cli.config.Configuration;
import dev.baton.cli.config.S3Settings;
import dev.baton.control.launch.LauncherProfile;
import dev.baton.control.pipeline.PipelineDefinition;
import dev.baton.examples.tpch.PricingSummaryReference;
import dev.baton.local.SecureStackSecrets;
import dev.baton.control.pipeline.Pipelines;
import dev.baton.schemas.event.RunStatus;
import dev.baton.schemas.event.StageCompleted;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code baton demo}: the whole main job on the embedded local stack. */
@Command(name = "demo", mixinStandardHelpOptions = true,
    description = "Run the tpch-12 pipeline (or another, --pipeline) end to end on the local stack; tpch-12 prints TPC-H Q1"
        + " and checks it against Q1 computed in plain Java from the generator's rows.")
final class DemoCommand implements Callable<Integer> {

  @Option(names = "--scale", defaultValue = "0.01", description = "TPC-H scale factor (default ${DEFAULT-VALUE}; 1 = ~1 GB).")
  double scaleFactor;

  @Option(names = "--keep", description = "Leave the local stack running afterwards.")
  boolean keep;

  @Option(names = "--timeout-s", defaultValue = "3600", description = "Give up waiting for the run after this many seconds.")
  long timeoutSeconds;

  @picocli.CommandLine.Mixin
  EventsModeOption events;

  @Option(names = "--progress", description = "Also print where the controller's micro-batches spent their time.")
  boolean progress;

  @Option(names = "--secure", negatable = true,
      description = "Run on the secure local stack (Kafka TLS + SASL/SCRAM with ACLs, REST catalog), as principal"
          + " baton-controller through its configuration file. --no-secure: plaintext. Default: the last choice of demo"
          + " or local up, else plaintext.")
  Boolean secure;

  @Option(names = "--pipeline", defaultValue = Demo.PIPELINE, paramLabel = "NAME",
      description = "Pipeline to run (default ${DEFAULT-VALUE}: TPC-H files uploaded to its trigger folder); a pipeline"
          + " without an object trigger, e.g. qx-chain, is started by a run request.")
  String pipelineName;

  @Option(names = "--launcher", paramLabel = "PROFILE",
      description = "Launcher profile of the stages: in-process (default: in the controller's SparkSession) or"
          + " spark-submit (each attempt its own Spark application, master local[2]; runs on the secure stack, whose"
          + " REST catalog takes commits from many processes).")
  String launcher;

  @Option(names = "--cdc",
      description = "Run the change data capture demo instead: a PostgreSQL source's random inserts, updates and deletes"
          + " carried by Debezium to a target PostgreSQL (JDBC sink) and, by the cdc-lake pipeline's cdc-merge stages, to"
          + " Iceberg; exits 0 only when source, target and Iceberg are equal row for row. Runs on the plaintext stack"
          + " with its CDC databases (local up --cdc).")
  boolean cdc;

  @Option(names = "--changes", defaultValue = "2000", paramLabel = "N",
      description = "With --cdc: the random changes to apply (default ${DEFAULT-VALUE}).")
  int changes;

  @picocli.CommandLine.Spec
  picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    BatonCli.requireLocalStack(spec);
    PrintStream out = System.out;
    long start = System.nanoTime();
    Workspace workspace = Workspace.fromEnvironment();
    LocalServices local = new LocalServices(workspace);
    if (cdc) {
      if (Boolean.TRUE.equals(secure) || launcher != null) {
        throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--cdc runs on the plaintext stack with the"
            + " in-process launcher: drop --secure and --launcher");
      }
      if (changes < 2) {
        throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--changes must be at least 2, got " + changes);
      }
      LocalServices.Started stack = local.ensureRunning(System.err, events.mode(), false, true);
      try {
        return CdcDemo.run(workspace, local, stack.endpoints(),
            new java.util.LinkedHashMap<>(Configuration.load(local.configFile()).values()), changes,
            Duration.ofSeconds(timeoutSeconds), out);
      } finally {
        if (!keep && stack.startedNow()) {
          System.err.println("Stopping the local stack (use --keep to leave it running): " + local.stack().down());
        }
      }
    }
    if (launcher != null && !launcher.equals(LauncherProfile.IN_PROCESS)) {
      // stages in their own JVMs commit through the secure stack's REST catalog; SQLite admits one writing process
      if (Boolean.FALSE.equals(secure)) {
        throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--launcher " + launcher + " runs each"
            + " stage in its own JVM, whose commits need the secure stack's REST catalog (the plaintext stack's SQLite"
            + " catalog admits one writing process): drop --no-secure");
      }
      secure = true;
    }
    LocalServices.Started stack = local.ensureRunning(System.err, events.mode(), secure);
    out.println("Object events: " + stack.eventsMode());
    try {
      // the configuration file, as `baton --config FILE` reads it: nothing local-stack specific from here on
      Path configFile = stack.endpoints().kafkaSecure() ? local.principalConfigFile(SecureStackSecrets.CONTROLLER)
          : local.configFile();
      out.println("Configuration: " + configFile);
      Map<String, String> config = new java.util.LinkedHashMap<>(Configuration.load(configFile).values());
      if (launcher != null) {
        config.put(dev.baton.control.ControllerConfig.DEFAULT_LAUNCHER, launcher);
        out.println("Launcher: " + launcher);
      }
      Pipelines pipelines = Pipelines.load(workspace.pipelines());
      PipelineDefinition pipeline = pipelines.get(pipelineName).orElseThrow(() -> new picocli.CommandLine.ParameterException(
          spec.commandLine(), "No pipeline " + pipelineName + " in " + workspace.pipelines()));
      boolean tpch = pipeline.name().equals(Demo.PIPELINE);
      if (!tpch && pipeline.trigger() != null) {
        throw new picocli.CommandLine.ParameterException(spec.commandLine(), "The demo runs " + Demo.PIPELINE
            + " or a pipeline without an object trigger; " + pipeline.name() + " waits for its files in s3://"
            + pipeline.trigger().bucket() + "/" + pipeline.trigger().prefix());
      }
      var data = tpch ? Demo.generate(workspace.home(), scaleFactor, out) : null;
      SparkSession spark = SparkSessions.create("baton-demo", config);
      try (ControllerRuntime runtime = ControllerRuntime.start(spark, config, pipelines, configFile)) {
        out.printf("Controller started (%.1f s since launch)%n", (System.nanoTime() - start) / 1e9);
        String batch = Demo.newBatchId();
        RunWatcher.RunReport report = tpch
            ? Demo.run(config, pipeline, data, batch, out, Duration.ofSeconds(timeoutSeconds),
                () -> runtime.controller().query().isActive())
            : Demo.request(config, runtime.publisher(), pipeline, batch, out,
                Duration.ofSeconds(timeoutSeconds), () -> runtime.controller().query().isActive());
        printSummary(out, pipeline, report);
        if (progress) {
          out.println();
          ControlBenchmark.printProgress(out, runtime.controller().query().recentProgress());
        }
        if (report.completed().getStatus() == RunStatus.SUCCEEDED && tpch) {
          out.println();
          out.println("TPC-H Q1 (pricing summary report) from curated.pricing_summary:");
          var q1 = spark.sql("SELECT * FROM curated.pricing_summary ORDER BY l_returnflag, l_linestatus");
          q1.show(false);
          List<String> differences = Demo.q1Differences(q1.collectAsList(), PricingSummaryReference.compute(scaleFactor));
          if (!differences.isEmpty()) {
            out.println("Q1 differs from the independent reference (TPC-H Q1 in plain Java over the generator's rows):");
            differences.forEach(difference -> out.println("  " + difference));
            return 1;
          }
          out.println("Q1 equals the independent reference (TPC-H Q1 in plain Java over the generator's rows), to the cent.");
          if (pipeline.stage("export_pricing_summary").isPresent()) {
            Demo.ExportCheck export;
            try (var s3 = S3Settings.client(config)) {
              export = Demo.checkExport(s3, batch);
            }
            String folder = "s3://" + Demo.EXPORT_BUCKET + "/" + Demo.exportPrefix(batch);
            if (!export.problems().isEmpty()) {
              out.println("The export in " + folder + " is not complete or does not match its manifest:");
              export.problems().forEach(problem -> out.println("  " + problem));
              return 1;
            }
            List<String> exported = Demo.q1Differences(spark.read().parquet(folder)
                .orderBy("l_returnflag", "l_linestatus").collectAsList(), PricingSummaryReference.compute(scaleFactor));
            if (!exported.isEmpty()) {
              out.println("The Q1 rows exported to " + folder + " differ from the reference:");
              exported.forEach(difference -> out.println("  " + difference));
              return 1;
            }
            out.printf("Exported to %s (snapshot %d): %d rows in %d files, _SUCCESS and a manifest whose sizes and"
                + " SHA-256 match the objects; the exported rows equal the reference too.%n", folder,
                export.manifest().snapshotId(), export.manifest().rows(), export.manifest().files().size());
          }
        }
        out.printf("Demo finished in %.1f s%n", (System.nanoTime() - start) / 1e9);
        return report.completed().getStatus() == RunStatus.SUCCEEDED ? 0 : 1;
      } finally {
        spark.stop();
      }
    } finally {
      if (stack.startedNow() && !keep) {
        System.err.println("Stopping the local stack (use --keep to leave it running): " + local.stack().down());
      }
    }
  }

  private static void printSummary(PrintStream out, PipelineDefinition pipeline, RunWatcher.RunReport report) {
    out.println();
    // start delay: StageLaunched -> the stage's start (in its own application: JVM and SparkSession start-up)
    Map<String, Long> launchedAtMs = new java.util.HashMap<>();
    report.launches().forEach(launched -> launchedAtMs.put(launched.getStage() + "#" + launched.getAttempt(),
        launched.getLaunchedAt().toEpochMilli()));
    out.printf("%-22s %-10s %8s %14s%n", "stage", "status", "seconds", "start delay s");
    List<Long> delays = new java.util.ArrayList<>();
    for (StageCompleted completed : report.completions()) {
      Long launched = launchedAtMs.get(completed.getStage() + "#" + completed.getAttempt());
      long delayMs = launched == null ? -1 : completed.getStartedAt().toEpochMilli() - launched;
      if (launched != null) {
        delays.add(delayMs);
      }
      out.printf("%-22s %-10s %8.1f %14s%n", completed.getStage(), completed.getStatus(),
          (completed.getFinishedAt().toEpochMilli() - completed.getStartedAt().toEpochMilli()) / 1000.0,
          launched == null ? "-" : String.format(java.util.Locale.ROOT, "%.1f", delayMs / 1000.0));
    }
    if (!delays.isEmpty()) {
      List<Long> sorted = delays.stream().sorted().toList();
      out.printf("Start delay (StageLaunched -> stage start) over %d stages: median %.1f s, max %.1f s%n", sorted.size(),
          sorted.get(sorted.size() / 2) / 1000.0, sorted.get(sorted.size() - 1) / 1000.0);
    }
    List<Long> hops = Demo.hopLatenciesMs(pipeline, report).stream().sorted().toList();
    if (!hops.isEmpty()) {
      out.printf("StageCompleted -> StageLaunched latency over %d hops: median %d ms, max %d ms%n",
          hops.size(), hops.get(hops.size() / 2), hops.get(hops.size() - 1));
    }
  }
}
