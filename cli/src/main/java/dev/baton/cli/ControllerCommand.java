package dev.baton.cli;

import dev.baton.control.pipeline.Pipelines;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;

/** {@code baton controller}: the controller in the foreground, until interrupted. */
@Command(name = "controller", mixinStandardHelpOptions = true,
    description = "Run the controller in the foreground against the local stack (Ctrl-C stops it; the checkpoint keeps its place).")
final class ControllerCommand implements Callable<Integer> {
  /** org.apache.spark.util.ShutdownHookManager.SPARK_CONTEXT_SHUTDOWN_PRIORITY. */
  private static final int SPARK_CONTEXT_SHUTDOWN_PRIORITY = 50;

  @picocli.CommandLine.Option(names = "--metrics-port", defaultValue = "9464",
      description = "Serve Prometheus metrics on http://127.0.0.1:PORT/metrics (default ${DEFAULT-VALUE}; 0 = any free port, -1 = off).")
  int metricsPort;

  @Override
  public Integer call() throws Exception {
    Workspace workspace = Workspace.fromEnvironment();
    LocalServices local = new LocalServices(workspace);
    Map<String, String> config = local.config(local.ensureRunning(System.err).endpoints());
    Pipelines pipelines = Pipelines.load(workspace.pipelines());
    SparkSession spark = SparkSessions.create("baton-controller", config);
    ControllerRuntime runtime = ControllerRuntime.start(spark, config, pipelines);
    // Ctrl-C / SIGTERM: stop the query between micro-batches, before Spark's own hook stops the
    // SparkContext (priority 50; higher runs first)
    org.apache.spark.util.ShutdownHookManager.addShutdownHook(SPARK_CONTEXT_SHUTDOWN_PRIORITY + 10, () -> {
      runtime.close();
      return scala.runtime.BoxedUnit.UNIT;
    });
    System.err.println("Controller running for pipelines " + pipelines.all().stream().map(p -> p.name()).toList()
        + "; checkpoint " + config.get("controller.checkpoint-location"));
    runtime.controller().awaitTermination();
    return 0;
  }
}
