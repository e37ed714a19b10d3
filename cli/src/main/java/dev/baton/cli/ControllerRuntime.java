package dev.baton.cli;

import dev.baton.control.ControllerConfig;
import dev.baton.control.launch.FileLaunchJournal;
import dev.baton.control.launch.InProcessLauncher;
import dev.baton.control.metrics.ControllerMetrics;
import dev.baton.control.pipeline.Pipelines;
import dev.baton.control.stream.Controller;
import dev.baton.schemas.EventSerde;
import dev.baton.stages.runner.ControlEventPublisher;
import dev.baton.stages.runner.StageRunner;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import org.apache.spark.sql.SparkSession;

/** A running controller with its in-process launcher and event publisher; closing stops all three. */
public final class ControllerRuntime implements AutoCloseable {
  private final ControlEventPublisher publisher;
  private final InProcessLauncher launcher;
  private final Controller controller;
  private final ControllerMetrics metrics;

  private ControllerRuntime(ControlEventPublisher publisher, InProcessLauncher launcher, Controller controller,
      ControllerMetrics metrics) {
    this.publisher = publisher;
    this.launcher = launcher;
    this.controller = controller;
    this.metrics = metrics;
  }

  /** Starts the controller query in {@code spark} for {@code pipelines}, configured by {@code config}. */
  public static ControllerRuntime start(SparkSession spark, Map<String, String> config, Pipelines pipelines) {
    ControllerConfig controllerConfig = ControllerConfig.fromConfig(config);
    ControlEventPublisher publisher = new ControlEventPublisher(controllerConfig.kafkaProducerConfig(), EventSerde.builtIn(),
        controllerConfig.controlTopic());
    InProcessLauncher launcher = new InProcessLauncher(spark, new StageRunner(publisher::publish, Clock.systemUTC()),
        controllerConfig.maxConcurrentStages());
    ControllerMetrics metrics = new ControllerMetrics();
    try {
      Controller controller = Controller.start(spark, controllerConfig, pipelines, launcher,
          new FileLaunchJournal(Path.of(controllerConfig.launchJournalLocation())), publisher, metrics);
      return new ControllerRuntime(publisher, launcher, controller, metrics);
    } catch (RuntimeException e) {
      metrics.close();
      launcher.close();
      publisher.close();
      throw e;
    }
  }

  /** The controller. */
  public Controller controller() {
    return controller;
  }

  /** The controller's metrics; {@link ControllerMetrics#serve} exposes them. */
  public ControllerMetrics metrics() {
    return metrics;
  }

  /** The publisher, for events this process sends itself. */
  public ControlEventPublisher publisher() {
    return publisher;
  }

  @Override
  public void close() {
    try {
      controller.close();
    } finally {
      launcher.close();
      publisher.close();
      metrics.close();
    }
  }
}
