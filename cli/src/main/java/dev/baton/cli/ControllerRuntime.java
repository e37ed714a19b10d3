package dev.baton.cli;

import dev.baton.cli.config.S3Settings;
import dev.baton.control.ControllerConfig;
import dev.baton.control.launch.InProcessLauncher;
import dev.baton.control.launch.Launcher;
import dev.baton.control.launch.EmrJobLauncher;
import dev.baton.control.launch.EmrLauncherSettings;
import dev.baton.control.launch.LauncherProfile;
import dev.baton.control.launch.Launchers;
import dev.baton.control.launch.SparkOperatorLauncher;
import dev.baton.control.launch.SparkOperatorSettings;
import dev.baton.control.launch.SparkSubmitLauncher;
import dev.baton.control.launch.SparkSubmitSettings;
import dev.baton.control.launch.LaunchJournal;
import dev.baton.control.metrics.ControllerMetrics;
import dev.baton.control.pipeline.Pipelines;
import dev.baton.control.stream.Controller;
import dev.baton.schemas.SchemaRegistries;
import dev.baton.stages.runner.ControlEventPublisher;
import dev.baton.stages.StageTypes;
import dev.baton.stages.runner.StageRunner;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.kafka.common.config.ConfigException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.apache.spark.sql.SparkSession;
import software.amazon.awssdk.services.s3.S3Client;

/** A running controller with its launchers and event publisher; closing stops all three. */
public final class ControllerRuntime implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ControllerRuntime.class);
  private final ControlEventPublisher publisher;
  private final Launchers launcher;
  private final Controller controller;
  private final ControllerMetrics metrics;
  private final S3Client journalClient;

  private ControllerRuntime(ControlEventPublisher publisher, Launchers launcher, Controller controller,
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
   * assertion. 3 = control query over Kafka + a wake-up source (Spark's rate source, then the clock source,
   * which takes a rate source's offset over: {@code ClockSource}), run state with resume/cancel fields.
   */
  static final String CHECKPOINT_LAYOUT = "3";
  private static final String LAYOUT_MARKER = "_baton_layout";

  /**
   * Starts the controller query in {@code spark} for {@code pipelines}, configured by {@code config},
   * without a configuration file (a {@code spark-submit} launcher profile then needs its {@code stage-config}).
   *
   * @throws IllegalStateException if a local checkpoint was written by an older layout (the message says what to do)
   */
  public static ControllerRuntime start(SparkSession spark, Map<String, String> config, Pipelines pipelines) {
    return start(spark, config, pipelines, null);
  }

  /**
   * Starts the controller query in {@code spark} for {@code pipelines}, configured by {@code config},
   * with a launcher for each launcher profile ({@link LauncherProfile}) of the configuration.
   *
   * @param configFile the file {@code config} was read from, or null: what stage applications read by default
   * @throws IllegalStateException if a local checkpoint was written by an older layout (the message says what to do)
   * @throws org.apache.kafka.common.config.ConfigException naming the key, if a launcher profile that the default
   *     or a pipeline uses is invalid
   */
  public static ControllerRuntime start(SparkSession spark, Map<String, String> config, Pipelines pipelines,
      Path configFile) {
    ControllerConfig controllerConfig = ControllerConfig.fromConfig(config);
    checkLayout(controllerConfig.checkpointLocation());
    ControlEventPublisher publisher = new ControlEventPublisher(controllerConfig.kafkaProducerConfig(),
        SchemaRegistries.serde(controllerConfig.schemaRegistry()),
        controllerConfig.controlTopic());
    Launchers launchers;
    try {
      launchers = launchers(spark, config, controllerConfig, pipelines, configFile, publisher);
    } catch (RuntimeException e) {
      publisher.close();
      throw e;
    }
    ControllerMetrics metrics = new ControllerMetrics();
    String journalLocation = controllerConfig.launchJournalLocation();
    S3Client journalClient = LaunchJournal.isS3(journalLocation) ? S3Settings.client(config) : null;
    try {
      LaunchJournal journal = journalClient != null ? LaunchJournal.s3(journalClient, journalLocation)
          : LaunchJournal.local(localPath(journalLocation));
      Controller controller = Controller.start(spark, controllerConfig, pipelines, launchers, journal, publisher, metrics);
      return new ControllerRuntime(publisher, launchers, controller, metrics, journalClient);
    } catch (RuntimeException e) {
      if (journalClient != null) {
        journalClient.close();
      }
      metrics.close();
      launchers.close();
      publisher.close();
      throw e;
    }
  }

  /**
   * A launcher for each profile of the configuration ({@link LauncherProfile#fromConfig}). A profile that
   * the default or a pipeline's stage uses must be valid; one nobody uses and that cannot be set up here
   * (the built-in {@code spark-submit} without a configuration file for its applications) is left out
   * with a warning.
   */
  static Launchers launchers(SparkSession spark, Map<String, String> config, ControllerConfig controllerConfig,
      Pipelines pipelines, Path configFile, ControlEventPublisher publisher) {
    Set<String> used = new TreeSet<>();
    Set<String> runBuiltInStages = new TreeSet<>(); // profiles that run Baton's own stage types
    used.add(controllerConfig.defaultLauncher());
    pipelines.all().forEach(pipeline -> pipeline.stages().forEach(stage -> {
      String profile = stage.launcher() == null ? controllerConfig.defaultLauncher() : stage.launcher();
      used.add(profile);
      if (StageTypes.names().contains(stage.type()) && StageTypes.runByBaton(stage.type())
          && !StageTypes.runsAsApplication(stage.type())) {
        runBuiltInStages.add(profile);
      }
    }));
    Map<String, LauncherProfile> profiles = LauncherProfile.fromConfig(config);
    if (!profiles.containsKey(controllerConfig.defaultLauncher())) {
      throw new ConfigException(ControllerConfig.DEFAULT_LAUNCHER, controllerConfig.defaultLauncher(),
          "no such launcher profile (configured: " + profiles.keySet() + ")");
    }
    String checkpoint = controllerConfig.checkpointLocation();
    Path logDir = LaunchJournal.isLocal(checkpoint) ? Path.of(localPath(checkpoint) + "-stage-logs")
        : Path.of(System.getProperty("java.io.tmpdir"), "baton-stage-logs");
    Path builtSparkHome = System.getProperty("baton.repo.dir") == null ? null
        : Path.of(System.getProperty("baton.repo.dir"), "batch-stages/target/spark-home");
    StageRunner runner = new StageRunner(publisher::publish, Clock.systemUTC());
    List<Launcher> launchers = new ArrayList<>();
    try {
      for (LauncherProfile profile : profiles.values()) {
        try {
          launchers.add(switch (profile.type()) {
            case LauncherProfile.IN_PROCESS -> {
              profile.requireOnly(Set.of());
              yield new InProcessLauncher(profile.name(), spark, runner, controllerConfig.maxConcurrentStages(),
                  controllerConfig.maxQueuedStages());
            }
            case LauncherProfile.SPARK_SUBMIT -> {
              boolean builtIn = runBuiltInStages.contains(profile.name());
              if (builtIn) {
                refuseSingleWriterCatalog(profile, config);
              }
              yield new SparkSubmitLauncher(SparkSubmitSettings.from(profile, builtSparkHome, configFile, logDir,
                  System.getenv(), builtIn), publisher::publish, Clock.systemUTC());
            }
            case LauncherProfile.SPARK_OPERATOR -> {
              SparkOperatorSettings settings = SparkOperatorSettings.from(profile, runBuiltInStages.contains(profile.name()));
              io.fabric8.kubernetes.client.ConfigBuilder clientConfig = new io.fabric8.kubernetes.client.ConfigBuilder();
              if (settings.masterUrl() != null) {
                clientConfig.withMasterUrl(settings.masterUrl());
              }
              yield new SparkOperatorLauncher(settings, new io.fabric8.kubernetes.client.KubernetesClientBuilder()
                  .withConfig(clientConfig.build()).build(), true, publisher::publish, Clock.systemUTC());
            }
            case LauncherProfile.EMR_SERVERLESS, LauncherProfile.EMR_CONTAINERS, LauncherProfile.EMR_STEPS ->
                EmrJobLauncher.create(EmrLauncherSettings.from(profile, runBuiltInStages.contains(profile.name())),
                    publisher::publish);
            default -> throw new IllegalStateException("Unknown launcher type " + profile.type());
          });
        } catch (ConfigException e) {
          if (used.contains(profile.name())) {
            throw e;
          }
          LOG.warn("Launcher profile {} is not used by any pipeline and cannot be set up here: {}", profile.name(),
              e.getMessage());
        }
      }
      return new Launchers(launchers, controllerConfig.defaultLauncher());
    } catch (RuntimeException e) {
      launchers.forEach(Launcher::close);
      throw e;
    }
  }

  /**
   * Refuses a launcher whose stages run in their own processes over an SQLite catalog: SQLite admits
   * one writing process (a second one's commit fails with SQLITE_BUSY_SNAPSHOT), so its stages and the
   * controller's ledger would fail each other's commits.
   *
   * @throws ConfigException naming {@code iceberg.catalog.uri}
   */
  static void refuseSingleWriterCatalog(LauncherProfile profile, Map<String, String> config) {
    String uri = config.getOrDefault("iceberg.catalog.uri", "");
    if ("jdbc".equals(config.get("iceberg.catalog.type")) && uri.startsWith("jdbc:sqlite:")) {
      throw new ConfigException("iceberg.catalog.uri", uri, "an SQLite catalog admits one writing process, and the"
          + " stages of launcher profile " + profile.name() + " (" + profile.type() + ") each run in their own: use a"
          + " catalog that serialises commits across processes (REST, e.g. the secure local stack's: baton local up"
          + " --secure; Glue; or a JDBC catalog on PostgreSQL)");
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
