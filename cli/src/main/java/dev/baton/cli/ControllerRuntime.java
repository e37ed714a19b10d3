package dev.baton.cli;

import dev.baton.cli.config.S3Settings;
import dev.baton.control.ControllerConfig;
import dev.baton.control.launch.InProcessLauncher;
import dev.baton.control.launch.LaunchJournal;
import dev.baton.control.metrics.ControllerMetrics;
import dev.baton.control.pipeline.Pipelines;
import dev.baton.control.stream.Controller;
import dev.baton.schemas.SchemaRegistries;
import dev.baton.stages.runner.ControlEventPublisher;
import dev.baton.stages.runner.StageRunner;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import org.apache.spark.sql.SparkSession;
import software.amazon.awssdk.services.s3.S3Client;

/** A running controller with its in-process launcher and event publisher; closing stops all three. */
public final class ControllerRuntime implements AutoCloseable {
  private final ControlEventPublisher publisher;
  private final InProcessLauncher launcher;
  private final Controller controller;
  private final ControllerMetrics metrics;
  private final S3Client journalClient;

  private ControllerRuntime(ControlEventPublisher publisher, InProcessLauncher launcher, Controller controller,
      ControllerMetrics metrics, S3Client journalClient) {
    this.journalClient = journalClient;
    this.publisher = publisher;
    this.launcher = launcher;
    this.controller = controller;
    this.metrics = metrics;
  }

  /**
   * The layout of the controller's checkpoint this build writes: its sources and state. A
   * Structured Streaming checkpoint cannot be continued by a query with other sources, so a local
   * checkpoint is marked with it and an older one is refused with instructions instead of Spark's
   * assertion. 3 = control query over Kafka + a rate source, run state with resume/cancel fields.
   */
  static final String CHECKPOINT_LAYOUT = "3";
  private static final String LAYOUT_MARKER = "_baton_layout";

  /**
   * Starts the controller query in {@code spark} for {@code pipelines}, configured by {@code config}.
   *
   * @throws IllegalStateException if a local checkpoint was written by an older layout (the message says what to do)
   */
  public static ControllerRuntime start(SparkSession spark, Map<String, String> config, Pipelines pipelines) {
    ControllerConfig controllerConfig = ControllerConfig.fromConfig(config);
    checkLayout(controllerConfig.checkpointLocation());
    ControlEventPublisher publisher = new ControlEventPublisher(controllerConfig.kafkaProducerConfig(),
        SchemaRegistries.serde(controllerConfig.schemaRegistry()),
        controllerConfig.controlTopic());
    InProcessLauncher launcher = new InProcessLauncher(spark, new StageRunner(publisher::publish, Clock.systemUTC()),
        controllerConfig.maxConcurrentStages(), controllerConfig.maxQueuedStages());
    ControllerMetrics metrics = new ControllerMetrics();
    String journalLocation = controllerConfig.launchJournalLocation();
    S3Client journalClient = LaunchJournal.isS3(journalLocation) ? S3Settings.client(config) : null;
    try {
      LaunchJournal journal = journalClient != null ? LaunchJournal.s3(journalClient, journalLocation)
          : LaunchJournal.local(localPath(journalLocation));
      Controller controller = Controller.start(spark, controllerConfig, pipelines, launcher, journal, publisher, metrics);
      return new ControllerRuntime(publisher, launcher, controller, metrics, journalClient);
    } catch (RuntimeException e) {
      if (journalClient != null) {
        journalClient.close();
      }
      metrics.close();
      launcher.close();
      publisher.close();
      throw e;
    }
  }

  /** Refuses a local checkpoint of another layout; marks a new or matching one. Remote checkpoints are not checked. */
  static void checkLayout(String checkpointLocation) {
    if (!LaunchJournal.isLocal(checkpointLocation)) {
      return;
    }
    Path dir = localPath(checkpointLocation);
    Path marker = dir.resolve(LAYOUT_MARKER);
    try {
      boolean used = Files.isDirectory(dir.resolve("offsets"));
      String layout = Files.exists(marker) ? Files.readString(marker).trim() : used ? "1 or 2" : CHECKPOINT_LAYOUT;
      if (!layout.equals(CHECKPOINT_LAYOUT)) {
        throw new IllegalStateException("Cannot continue the controller checkpoint " + dir + ": it was written by an"
            + " older Baton (checkpoint layout " + layout + ", this build needs " + CHECKPOINT_LAYOUT + "). On the local"
            + " stack, start fresh: ./baton local down, then delete the whole BATON_HOME folder (the one holding "
            + dir.getParent() + "): its topics still hold the old events, which a new checkpoint would replay.");
      }
      Files.createDirectories(dir);
      Files.writeString(marker, CHECKPOINT_LAYOUT + "\n");
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot check the checkpoint layout in " + dir, e);
    }
  }

  /** The path of a local location: a path, or a {@code file:} URI. */
  private static Path localPath(String location) {
    return Path.of(location.replaceFirst("^file:(//)?", ""));
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
      if (journalClient != null) {
        journalClient.close();
      }
    }
  }
}
