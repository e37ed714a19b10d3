package dev.baton.cli;

import dev.baton.control.pipeline.Pipelines;
import java.nio.file.Path;
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
    // Ctrl-C / SIGTERM: stop the queries between micro-batches, before Spark's own hooks stop the
    // executor and the SparkContext (higher priority runs first)
    org.apache.spark.util.ShutdownHookManager.addShutdownHook(STOP_QUERIES_PRIORITY, () -> {
      runtime.close();
      return scala.runtime.BoxedUnit.UNIT;
    });
    if (metricsPort >= 0) {
      int port = runtime.metrics().serve(metricsHost, metricsPort);
      System.err.println("Metrics on http://" + metricsHost + ":" + port + "/metrics");
    }
    System.err.println("Controller running for pipelines " + pipelines.all().stream().map(p -> p.name()).toList()
        + "; checkpoint " + config.get("controller.checkpoint-location"));
    runtime.controller().awaitTermination();
    return 0;
  }
}
