package dev.baton.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code baton bench control}: the controller's latency and throughput benchmark; {@code baton bench ingest} and
 * {@code baton bench export}: the data stages against hand-written Spark; {@code baton bench triggers}: schedule
 * and tables trigger latency.
 */
@Command(name = "bench", mixinStandardHelpOptions = true, description = "Benchmarks (print figures; not tests).",
    subcommands = {BenchCommand.Control.class, BenchCommand.Ingest.class, BenchCommand.Export.class,
        BenchCommand.Tpch.class, BenchCommand.Triggers.class, BenchCommand.Cdc.class})
final class BenchCommand {

  @Command(name = "control", mixinStandardHelpOptions = true,
      description = "Controller overhead with no-op stages on the local stack: hop latency (StageCompleted -> "
          + "StageLaunched), 12-stage chain overhead, control events/s under load, state size per run."
          + " Uses its own Iceberg catalog (so its own ledger), topics and checkpoint; the last line is"
          + " machine-readable.")
  static final class Control extends LocalBench implements Callable<Integer> {
    @Option(names = "--runs", defaultValue = "100",
        description = "Light-load runs of the 12-stage no-op chain (11 hops each; default ${DEFAULT-VALUE}).")
    int runs;

    @Option(names = "--concurrency", defaultValue = "4",
        description = "Light-load runs in flight at once (default ${DEFAULT-VALUE}).")
    int concurrency;

    @Option(names = "--load", split = ",", defaultValue = "1000",
        description = "Then, for each N: N runs submitted at once (sustained events/s and hop p99 under load);"
            + " e.g. --load 1000,10000 (default ${DEFAULT-VALUE}; 0 = skip).")
    int[] load;

    @Option(names = "--trigger-interval-ms", defaultValue = "0",
        description = "Controller micro-batch interval (default ${DEFAULT-VALUE}: as fast as possible).")
    long triggerIntervalMs;

    @Option(names = "--soak-minutes", defaultValue = "0",
        description = "Then, for this many minutes, rounds of 10 x --concurrency runs (--concurrency in flight), with"
            + " each ledger table's snapshots, data files and maintenances printed after the first round to end a"
            + " minute or more after the last line (default ${DEFAULT-VALUE}: no soak).")
    int soakMinutes;

    @Override
    public Integer call() throws Exception {
      requirePlaintextLocalStack();
      if (soakMinutes < 0) {
        throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--soak-minutes must be 0 or more");
      }
      return new ControlBenchmark(runs, concurrency, load, triggerIntervalMs, soakMinutes, extra).run(System.out);
    }
  }

  @Command(name = "triggers", mixinStandardHelpOptions = true,
      description = "Trigger latency on the local stack, on a controller with the production trigger interval: a"
          + " pipeline with one no-op stage ticking every --every-seconds (tick -> launch, tick -> stage start), then"
          + " --updates new snapshots of a table reported by another pipeline's stage, each starting a run of a pipeline"
          + " whose tables trigger watches it (update -> launch, update -> stage start), then --updates requests to"
          + " each of a pipeline without and one with maxActiveRuns, alternating (request -> launch: the cost of"
          + " queueing); p50/p95/p99. Uses its own Iceberg catalog, topics and checkpoint; the last line is"
          + " machine-readable.")
  static final class Triggers extends LocalBench implements Callable<Integer> {
    @Option(names = "--ticks", defaultValue = "60", description = "Ticks measured (default ${DEFAULT-VALUE}).")
    int ticks;

    @Option(names = "--updates", defaultValue = "30",
        description = "Table updates measured, one after the other (default ${DEFAULT-VALUE}).")
    int updates;

    @Option(names = "--every-seconds", defaultValue = "5",
        description = "Seconds between ticks, 1 to 59 (default ${DEFAULT-VALUE}).")
    int everySeconds;

    @Override
    public Integer call() throws Exception {
      requirePlaintextLocalStack();
      if (ticks < 1 || updates < 1 || everySeconds < 1 || everySeconds > 59) {
        throw new picocli.CommandLine.ParameterException(spec.commandLine(),
            "--ticks and --updates must be at least 1 and --every-seconds 1 to 59");
      }
      return new TriggersBenchmark(ticks, everySeconds, updates, extra).run(System.out);
    }
  }

  @Command(name = "cdc", mixinStandardHelpOptions = true,
      description = "CDC on the local stack with its CDC databases (started if needed): lag from a source commit to"
          + " the JDBC sink's target and to Iceberg (cdc-merge back to back), p50/p99, at --rate single-row changes/s"
          + " for --seconds; then --sustained changes as fast as possible (sustained changes/s). Uses its own table,"
          + " connectors, slot, topic and Iceberg namespace, removed at the end; the last line is machine-readable.")
  static final class Cdc extends LocalBench implements Callable<Integer> {
    @Option(names = "--rate", defaultValue = "1000", description = "Changes per second of the lag phase (default ${DEFAULT-VALUE}).")
    int rate;

    @Option(names = "--seconds", defaultValue = "30", description = "Length of the lag phase, s (default ${DEFAULT-VALUE}).")
    int seconds;

    @Option(names = "--sustained", defaultValue = "200000",
        description = "Changes of the sustained phase, in transactions of 100 (default ${DEFAULT-VALUE}).")
    int sustained;

    @Override
    public Integer call() throws Exception {
      requirePlaintextLocalStack();
      if (rate < 1 || seconds < 1 || sustained < 100) {
        throw new picocli.CommandLine.ParameterException(spec.commandLine(),
            "--rate and --seconds must be at least 1, --sustained at least 100");
      }
      return new CdcBenchmark(rate, seconds, sustained, extra).run(System.out);
    }
  }

  /** What every benchmark takes: extra configuration, and the plaintext local stack it runs on. */
  abstract static class LocalBench {
    @Option(names = "--set", description = "Extra Baton configuration key=value (repeatable), e.g."
        + " --set spark.sql.shuffle.partitions=4 --set kafka.fetch.min.bytes=1.")
    java.util.Map<String, String> extra = new java.util.LinkedHashMap<>();

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    /**
     * @throws picocli.CommandLine.ParameterException unless the local stack is the configuration, in plaintext
     *     mode (a benchmark's own topics have no ACLs on the secure broker)
     */
    void requirePlaintextLocalStack() {
      BatonCli.requireLocalStack(spec);
      if (new LocalServices(Workspace.fromEnvironment()).secureModeRemembered()) {
        throw new picocli.CommandLine.ParameterException(spec.commandLine(),
            "baton bench runs on the plaintext local stack: ./baton local up --no-secure first");
      }
    }
  }

  /** Options of the data benchmarks. */
  abstract static class DataOptions extends LocalBench {
    @Option(names = "--scale", defaultValue = "1",
        description = "TPC-H scale factor (SF 1: lineitem about 760 MB of text, the eight tables 1.1 GB; default"
            + " ${DEFAULT-VALUE}).")
    double scale;

    @Option(names = "--runs", defaultValue = "3", description = "Measured runs of each side (default ${DEFAULT-VALUE}).")
    int runs;

    /**
     * @throws picocli.CommandLine.ParameterException unless on the plaintext local stack, with a positive scale and
     *     number of runs
     */
    DataBenchmark.Size size() {
      requirePlaintextLocalStack();
      if (!DataBenchmark.Size.isScaleFactor(scale) || runs < 1) {
        throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--scale and --runs must be positive");
      }
      return new DataBenchmark.Size(scale, runs, extra);
    }
  }

  @Command(name = "ingest", mixinStandardHelpOptions = true,
      description = "TPC-H lineitem (one file, uploaded to the local S3 endpoint unless --local-input) into Iceberg:"
          + " Baton's ingest stage and a"
          + " hand-written Spark job doing the same read and write, one after the other in each run (which goes first"
          + " alternates), in one session, in the benchmark's own namespace, each into a new table dropped once its"
          + " rows are counted. Last line: baton_mb_s=... handwritten_mb_s=... ratio=...")
  static final class Ingest extends DataOptions implements Callable<Integer> {
    @Option(names = "--local-input",
        description = "Read lineitem from the generated local file instead of uploading it to the local S3 endpoint,"
            + " whose file-system store holds a multipart upload twice while completing it (a 50 GB input needs"
            + " 100 GB there); the tables are still written through the endpoint.")
    boolean localInput;

    @Override
    public Integer call() throws Exception {
      return new DataBenchmark(size()).ingest(System.out, localInput);
    }
  }

  @Command(name = "export", mixinStandardHelpOptions = true,
      description = "TPC-H lineitem exported by Baton's export stage to the local S3 endpoint as Parquet and CSV,"
          + " against a plain Spark write of the same table; then a files copy, and another killed once half its"
          + " objects are there (its Spark job cancelled) and resumed. Last line: export_mb_s=... plain_write_mb_s=..."
          + " ratio=... csv_mb_s=... copy_mb_s=... resume_s=...")
  static final class Export extends DataOptions implements Callable<Integer> {
    @Override
    public Integer call() throws Exception {
      return new DataBenchmark(size()).export(System.out);
    }
  }

  @Command(name = "tpch", mixinStandardHelpOptions = true,
      description = "The tpch-12 pipeline run by Baton's controller (started by a RunRequested, stages in-process)"
          + " against a hand-written Spark application doing the same work on the same storage, one after the other"
          + " in each run (which goes first alternates), in the benchmark's own catalog, topics and folders; both"
          + " results checked against Q1 computed in plain Java. Last line: baton_s=... handwritten_s=... ratio=..."
          + " run_only_ratio=...")
  static final class Tpch extends DataOptions implements Callable<Integer> {
    @Option(names = "--warm-up-scale",
        description = "TPC-H scale factor of the unmeasured warm-up run of both sides before the measured runs"
            + " (default: the --scale measured, so that the first measured run does not alone pay the JVM's"
            + " warm-up at that scale).")
    Double warmUpScale;

    @Override
    public Integer call() throws Exception {
      DataBenchmark.Size size = size();
      double warmUp = warmUpScale == null ? size.scaleFactor() : warmUpScale;
      if (!DataBenchmark.Size.isScaleFactor(warmUp)) {
        throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--warm-up-scale must be positive");
      }
      return new TpchBenchmark(size, warmUp).run(System.out);
    }
  }
}
