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

  @Override
  public Integer call() throws Exception {
    Workspace workspace = Workspace.fromEnvironment();
    LocalServices local = new LocalServices(workspace);
    Map<String, String> config = local.config(local.ensureRunning(System.err).endpoints());
    Pipelines pipelines = Pipelines.load(workspace.pipelines());
    SparkSession spark = SparkSessions.create("baton-controller", config);
    ControllerRuntime runtime = ControllerRuntime.start(spark, config, pipelines);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      runtime.close();
      spark.stop();
    }));
    System.err.println("Controller running for pipelines " + pipelines.all().stream().map(p -> p.name()).toList()
        + "; checkpoint " + config.get("controller.checkpoint-location"));
    runtime.controller().awaitTermination();
    return 0;
  }
}
