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
    description = "Run the controller in the foreground, against the services of --config, or the local stack. Ctrl-C"
        + " or SIGTERM stops it gracefully (the control query after its micro-batch, waiting up to 30 s; then the ledger"
        + " flushed) within 50 s, then"
        + " it exits 130 / 143; a second signal exits at once; the checkpoint keeps its place.")
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
    // any other way out (the query failed, an uncaught error): still stop the queries, before Spark's own hooks stop
    // the executor and the SparkContext (higher priority runs first)
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
    try {
      runtime.controller().awaitTermination();
    } catch (org.apache.spark.sql.streaming.StreamingQueryException e) {
      // the stop interrupted a micro-batch: the query ends with that error, while the stop goes on with the ledger
      if (!stop.began()) {
        throw e;
      }
    }
    // a signal stops the control query first and flushes the ledger after it: exit only once the whole stop is done
    return stop.awaitIfStopping();
  }

  /**
   * Stops the controller once, whichever of a signal or a shutdown hook comes first. A signalled stop has {@value
   * #DEADLINE_MS} ms (below the controller pod's 60 s grace period after SIGTERM, {@code
   * termination_grace_period_seconds} of the Terraform controller module; Kubernetes' own default is 30 s); past it, or at a second signal, the
   * process exits without waiting: what the ledger query had not written, the next controller writes from its
   * checkpoint.
   */
  static final class GracefulStop {
    /** Longest a signalled stop may take before the process exits anyway, ms. */
    static final long DEADLINE_MS = 50_000;

    private final ControllerRuntime runtime;
    private final java.util.concurrent.atomic.AtomicInteger exitCode = new java.util.concurrent.atomic.AtomicInteger(-1);
    private final java.util.concurrent.CountDownLatch done = new java.util.concurrent.CountDownLatch(1);

    GracefulStop(ControllerRuntime runtime) {
      this.runtime = runtime;
    }

    void onSignal(sun.misc.Signal signal) {
      int code = 128 + signal.getNumber();
      if (began()) {
        System.err.println("Received SIG" + signal.getName() + " again: exiting without waiting for the stop");
        Runtime.getRuntime().halt(code);
      }
      System.err.println("Received SIG" + signal.getName() + ": stopping the controller gracefully (at most "
          + DEADLINE_MS / 1000 + " s; a second signal exits at once)");
      Thread deadline = new Thread(() -> {
        try {
          if (!done.await(DEADLINE_MS, java.util.concurrent.TimeUnit.MILLISECONDS)) {
            System.err.println("The controller did not stop within " + DEADLINE_MS / 1000 + " s: exiting; the next"
                + " controller writes what the ledger has not");
            Runtime.getRuntime().halt(1);
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }, "baton-stop-deadline");
      deadline.setDaemon(true);
      deadline.start();
      run(code);
    }

    /** Whether a stop began. */
    boolean began() {
      return exitCode.get() >= 0;
    }

    /**
     * Closes the runtime unless a stop already began; {@code code} is what the process then exits with, 1 if the
     * close failed (its error printed).
     */
    void run(int code) {
      if (exitCode.compareAndSet(-1, code)) {
        try {
          runtime.close();
        } catch (RuntimeException | Error e) {
          exitCode.set(1);
          System.err.println("The controller did not stop cleanly:");
          e.printStackTrace();
        } finally {
          done.countDown();
        }
      }
    }

    /**
     * After the control query ended: 0 if nothing asked to stop; else waits for the stop to finish and returns 128 +
     * the signal's number (143 for SIGTERM, 130 for Ctrl-C), as a JVM killed by it would, or 1 if the stop failed.
     */
    int awaitIfStopping() throws InterruptedException {
      if (!began()) {
        return 0;
      }
      done.await();
      return exitCode.get();
    }
  }
}
