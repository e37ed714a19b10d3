package dev.baton.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code baton bench control}: the controller's latency and throughput benchmark. */
@Command(name = "bench", mixinStandardHelpOptions = true, description = "Benchmarks (print figures; not tests).",
    subcommands = {BenchCommand.Control.class})
final class BenchCommand {

  @Command(name = "control", mixinStandardHelpOptions = true,
      description = "Controller overhead with no-op stages on the local stack: hop latency (StageCompleted -> "
          + "StageLaunched), 12-stage chain overhead, control events/s under load, state size per run."
          + " Uses its own topics and checkpoint; the last line is machine-readable.")
  static final class Control implements Callable<Integer> {
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

    @Option(names = "--set", description = "Extra Baton configuration key=value (repeatable), e.g."
        + " --set spark.sql.shuffle.partitions=4 --set kafka.fetch.min.bytes=1.")
    java.util.Map<String, String> extra = new java.util.LinkedHashMap<>();

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
      BatonCli.requireLocalStack(spec);
      if (new LocalServices(Workspace.fromEnvironment()).secureModeRemembered()) {
        // its own topics have no ACLs on the secure broker
        throw new picocli.CommandLine.ParameterException(spec.commandLine(),
            "baton bench runs on the plaintext local stack: ./baton local up --no-secure first");
      }
      return new ControlBenchmark(runs, concurrency, load, triggerIntervalMs, extra).run(System.out);
    }
  }
}
