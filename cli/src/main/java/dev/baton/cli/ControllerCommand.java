package dev.baton.cli;

import dev.baton.control.pipeline.Pipelines;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;

/** {@code baton controller}: the controller in the foreground, until interrupted. */
@Command(name = "controller", mixinStandardHelpOptions = true,
    description = "Run the controller in the foreground (Ctrl-C stops it; the checkpoint keeps its place), against the"
        + " services of --config, or the local stack.")
final class ControllerCommand implements Callable<Integer> {
  /**
   * Above Spark's default hook priority (100), at which each Executor stops its task threads (and
   * the SparkContext's hook, 50): the queries stop while the executor can still finish a micro-batch.
   */
  private static final int STOP_QUERIES_PRIORITY = org.apache.spark.util.ShutdownHookManager.DEFAULT_SHUTDOWN_PRIORITY() + 10;

  @picocli.CommandLine.Option(names = "--metrics-port", defaultValue = "9464",
      description = "Serve Prometheus metrics on http://HOST:PORT/metrics (default ${DEFAULT-VALUE}; 0 = any free port,"
          + " -1 = off).")
  int metricsPort;

  @picocli.CommandLine.Option(names = "--metrics-host", defaultValue = "127.0.0.1",
      description = "Address the metrics endpoint binds (default ${DEFAULT-VALUE}; 0.0.0.0 in a pod, for Prometheus).")
  String metricsHost;

  @Override
  public Integer call() throws Exception {
    Workspace workspace = Workspace.fromEnvironment();
    dev.baton.cli.config.Configuration configuration = BatonCli.configuration(System.err);
    Map<String, String> config = configuration.values();
    Pipelines pipelines = Pipelines.load(workspace.pipelines());
    SparkSession spark = SparkSessions.create("baton-controller", config);
    ControllerRuntime runtime = ControllerRuntime.start(spark, config, pipelines, Path.of(configuration.source()));
    // Ctrl-C / SIGTERM: stop gracefully on the signal's own thread, before the JVM shuts down. Not in a shutdown
    // hook: the JVM runs its hooks concurrently, and Iceberg's worker pool has one of its own that terminates the
    // pool, so the ledger's last commit failed (RejectedExecutionException); and Hadoop's hook manager, which runs
    // Spark's hooks, interrupts them after 30 s, less than the stop may take on a loaded machine.
    GracefulStop stop = new GracefulStop(runtime);
    for (String signal : List.of("TERM", "INT")) {
      sun.misc.Signal.handle(new sun.misc.Signal(signal), stop::onSignal);
    }
    // any other way out (an uncaught error, System.exit): still stop the queries, before Spark's own hooks stop the
    // executor and the SparkContext (higher priority runs first)
    org.apache.spark.util.ShutdownHookManager.addShutdownHook(STOP_QUERIES_PRIORITY, () -> {
      stop.run(0);
      return scala.runtime.BoxedUnit.UNIT;
    });
    if (metricsPort >= 0) {
      int port = runtime.metrics().serve(metricsHost, metricsPort);
      System.err.println("Metrics on http://" + metricsHost + ":" + port + "/metrics");
    }
    System.err.println("Controller running for pipelines " + pipelines.all().stream().map(p -> p.name()).toList()
        + "; checkpoint " + config.get("controller.checkpoint-location"));
    runtime.controller().awaitTermination();
    // a signal stops the control query first; the ledger is flushed after it: exit once the whole stop is done
    return stop.awaitIfStopping();
  }

  /** Stops the controller once, whichever of a signal or a shutdown hook comes first. */
  static final class GracefulStop {
    private final ControllerRuntime runtime;
    private final java.util.concurrent.atomic.AtomicInteger exitCode = new java.util.concurrent.atomic.AtomicInteger(-1);
    private final java.util.concurrent.CountDownLatch done = new java.util.concurrent.CountDownLatch(1);

    GracefulStop(ControllerRuntime runtime) {
      this.runtime = runtime;
    }

    void onSignal(sun.misc.Signal signal) {
      System.err.println("Received SIG" + signal.getName() + ": stopping the controller gracefully");
      run(128 + signal.getNumber());
    }

    /** Closes the runtime unless a stop already began; {@code code} is what the process then exits with. */
    void run(int code) {
      if (exitCode.compareAndSet(-1, code)) {
        try {
          runtime.close();
        } finally {
          done.countDown();
        }
      }
    }

    /**
     * After the control query ended: 0 if nothing asked to stop; else waits for the stop to finish and returns 128 +
     * the signal's number (143 for SIGTERM, 130 for Ctrl-C), as a JVM killed by it would.
     */
    int awaitIfStopping() throws InterruptedException {
      if (exitCode.get() < 0) {
        return 0;
      }
      done.await();
      return exitCode.get();
    }
  }
}
