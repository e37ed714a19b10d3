package dev.baton.stages.runner;

import dev.baton.catalog.CatalogConfig;
import dev.baton.schemas.AttemptName;
import dev.baton.schemas.SchemaRegistries;
import dev.baton.schemas.Topics;
import dev.baton.schemas.event.StageCompleted;
import dev.baton.stages.config.ConfigReferences;
import dev.baton.stages.spi.StageContext;
import java.nio.file.Path;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The main class of a stage attempt that runs as its own Spark application (the {@code
 * spark-submit} launcher's, and any launcher that starts Baton's built-in stage types somewhere
 * else): runs one attempt with {@link StageRunner} in its own SparkSession and publishes its {@code
 * StageCompleted}, exactly as the in-process launcher does inside the controller.
 *
 * <pre>{@code
 * spark-submit --class dev.baton.stages.runner.StageMain baton-batch-stages.jar \
 *   --config /etc/baton/baton.properties --attempt baton:tpch-12:<runId>:q1:1 \
 *   --pipeline-version 3f2a9c81d0e4 --stage '{"type":"sql","options":{...},"paramTypes":{},"params":{...}}'
 * }</pre>
 *
 * <p>The configuration file is Baton's ({@code kafka.*}, {@code schema.registry.*}, {@code
 * topics.*}, {@code iceberg.catalog.*}, {@code spark.*}), its secret references resolved here ({@link
 * ConfigReferences}). The session gets the catalog's settings and the file's {@code spark.*} keys,
 * except where spark-submit already set a key (the launcher profile wins) and except the keys that
 * only spark-submit can apply ({@link #LAUNCHER_OWNED}: master, deploy mode, driver and executor
 * resources, Kubernetes and YARN settings).
 *
 * <p>Exit status: 0 when the completion was published, whatever the stage's outcome (a FAILED stage
 * is reported in the event); non-zero when it could not be (bad arguments, unreadable configuration,
 * Kafka unreachable after the runner's retries), so the launcher reports the attempt itself.
 */
@Command(name = "baton-stage", mixinStandardHelpOptions = true,
    description = "Run one attempt of a built-in Baton stage and publish its StageCompleted event.")
public final class StageMain implements Callable<Integer> {
  private static final Logger LOG = LoggerFactory.getLogger(StageMain.class);

  /** {@code spark.*} key prefixes a running application cannot apply: spark-submit's alone. */
  public static final List<String> LAUNCHER_OWNED = List.of("spark.master", "spark.submit.", "spark.app.",
      "spark.driver.", "spark.executor.", "spark.kubernetes.", "spark.yarn.", "spark.jars", "spark.files",
      "spark.archives", "spark.ui.", "spark.scheduler.mode");

  @Option(names = "--config", required = true, paramLabel = "FILE",
      description = "Baton configuration file (Kafka, schema registry, topics, catalog); secrets by reference.")
  Path config;

  @Option(names = "--attempt", required = true, paramLabel = "NAME",
      description = "The attempt: baton:<pipeline>:<runId>:<stage>:<attempt>.")
  String attempt;

  @Option(names = "--pipeline-version", paramLabel = "HASH",
      description = "The pipeline version the run keeps (logged with the attempt).")
  String pipelineVersion;

  @Option(names = "--stage", required = true, paramLabel = "JSON",
      description = "The stage's type, options, parameter types and the run's parameters, as JSON.")
  String stage;

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Option(names = "--log-uri", paramLabel = "URI", description = "Where the launcher keeps this attempt's log.")
  String logUri;

  /**
   * The command line of one attempt, the form this class parses: what a launcher passes as the
   * application's arguments.
   *
   * @param configFile the Baton configuration file, as the driver sees it
   * @param pipelineVersion the content hash of the pipeline version the run keeps, or null when not known
   * @param logUri where the launcher keeps the attempt's log, or null
   */
  public static List<String> arguments(String configFile, AttemptName attempt, String pipelineVersion,
      StageInvocation stage, String logUri) {
    List<String> arguments = new java.util.ArrayList<>(List.of("--config", configFile, "--attempt", attempt.toString(),
        "--stage", stage.toJson()));
    if (pipelineVersion != null) {
      arguments.addAll(List.of("--pipeline-version", pipelineVersion));
    }
    if (logUri != null) {
      arguments.addAll(List.of("--log-uri", logUri));
    }
    return arguments;
  }

  public static void main(String[] args) {
    System.exit(new CommandLine(new StageMain()).execute(args));
  }

  @Override
  public Integer call() {
    AttemptName name = AttemptName.parse(attempt).orElseThrow(() -> new CommandLine.ParameterException(
        spec.commandLine(), "Invalid --attempt: expected baton:<pipeline>:<runId>:<stage>:<attempt> (got '" + attempt + "')"));
    StageInvocation invocation = StageInvocation.fromJson(stage);
    Map<String, String> settings = ConfigReferences.readFile(config);
    LOG.info("Running attempt {} (pipeline version {}, stage type {})", name.toString(), pipelineVersion, invocation.type());
    try (ControlEventPublisher publisher = new ControlEventPublisher(kafkaSettings(settings),
        SchemaRegistries.serde(settings), settings.getOrDefault("topics.control", Topics.CONTROL))) {
      SparkSession spark = session(name, settings);
      try {
        StageCompleted completed = new StageRunner(publisher::publish, Clock.systemUTC(), logUri).run(
            new StageContext(name.runId(), name.pipeline(), name.stage(), name.attempt(), invocation.params(),
                invocation.paramTypes()),
            invocation.type(), invocation.options(), spark);
        LOG.info("Attempt {} {} and reported", name.toString(), completed.getStatus());
      } finally {
        spark.stop();
      }
    }
    return 0;
  }

  /** The {@code kafka.*} settings without their prefix: the producer's. */
  static Map<String, Object> kafkaSettings(Map<String, String> settings) {
    Map<String, Object> kafka = new LinkedHashMap<>();
    settings.forEach((key, value) -> {
      if (key.startsWith("kafka.")) {
        kafka.put(key.substring("kafka.".length()), value);
      }
    });
    return kafka;
  }

  /**
   * The session's settings beyond what spark-submit set: the catalog's, then the file's {@code spark.*}
   * keys (those win), minus {@link #LAUNCHER_OWNED} keys and minus any key {@code submitted} already has.
   */
  static Map<String, String> sessionSettings(Map<String, String> settings, SparkConf submitted) {
    Map<String, String> conf = new LinkedHashMap<>();
    if (settings.containsKey(CatalogConfig.PREFIX + "type")) {
      conf.putAll(CatalogConfig.fromConfig(CatalogConfig.DEFAULT_NAME, settings).sparkConf());
    }
    conf.putAll(dev.baton.stages.cdc.StageKafkaConf.sparkSettings(settings)); // for stages reading Kafka (cdc-merge)
    settings.forEach((key, value) -> {
      if (key.startsWith("spark.")) {
        conf.put(key, value);
      }
    });
    conf.keySet().removeIf(key -> submitted.contains(key) || LAUNCHER_OWNED.stream().anyMatch(key::startsWith));
    return conf;
  }

  private static SparkSession session(AttemptName name, Map<String, String> settings) {
    SparkSession.Builder builder = SparkSession.builder().appName(name.toString());
    sessionSettings(settings, new SparkConf()).forEach(builder::config);
    return builder.getOrCreate();
  }
}
