package dev.baton.cli;

import dev.baton.catalog.CatalogConfig;
import dev.baton.control.ControllerConfig;
import dev.baton.local.LocalEndpoints;
import dev.baton.local.LocalStack;
import dev.baton.local.ServiceClasspaths;
import dev.baton.schemas.Topics;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Wires the generic local stack to Baton: which topics and connector it runs, and the Baton
 * configuration (Kafka, catalog, S3A, checkpoint) that points at it.
 */
public final class LocalServices {

  /** Name of the bucket-watcher connector on the local Connect worker. */
  public static final String LANDING_WATCHER = "baton-landing-watcher";
  /** Partitions of each topic on the local broker. */
  public static final Map<String, Integer> TOPICS =
      Map.of(Topics.OBJECTS, 1, Topics.CONTROL, 2, Topics.DLQ, 1, Topics.ALERTS, 1, Topics.LEDGER, 2);

  private final Workspace workspace;
  private final LocalStack stack;

  public LocalServices(Workspace workspace) {
    this.workspace = workspace;
    this.stack = new LocalStack(workspace.home(),
        ServiceClasspaths.fromRepository(workspace.repository(), workspace.connectPluginPath()), TOPICS);
  }

  /**
   * Baton configuration for the local stack of the current workspace, starting the stack (and
   * saying so on {@code stderr}) when it is not running.
   */
  public static Map<String, String> runningConfig(PrintStream stderr) {
    LocalServices local = new LocalServices(Workspace.fromEnvironment());
    return local.config(local.ensureRunning(stderr).endpoints());
  }

  /** The {@code kafka.*} settings of Baton configuration, without the prefix, for Kafka clients. */
  public static Map<String, String> kafkaSettings(Map<String, String> config) {
    return ControllerConfig.withoutPrefix(config, "kafka.");
  }

  /** The underlying stack. */
  public LocalStack stack() {
    return stack;
  }

  /**
   * Returns the running stack's endpoints, starting it first (and saying so on {@code stderr}) when
   * it is not running, and makes sure the landing-bucket watcher connector exists.
   *
   * @return the endpoints and whether this call started the stack
   */
  public Started ensureRunning(PrintStream stderr) {
    var running = stack.status();
    LocalEndpoints endpoints;
    boolean started = running.isEmpty();
    if (started) {
      stderr.println("The local stack is not running; starting it under " + workspace.home() + " ...");
      endpoints = stack.up(stderr);
    } else {
      endpoints = stack.up(new PrintStream(OutputStream.nullOutputStream()));
    }
    stack.putConnector(endpoints, LANDING_WATCHER, watcherConfig(endpoints));
    return new Started(endpoints, started);
  }

  /** The local stack's endpoints and whether {@link #ensureRunning} started it. */
  public record Started(LocalEndpoints endpoints, boolean startedNow) {}

  /** The bucket watcher: lists {@code s3://landing/} every 500 ms and emits ObjectCreated. */
  static Map<String, String> watcherConfig(LocalEndpoints endpoints) {
    Map<String, String> config = new LinkedHashMap<>();
    config.put("connector.class", "dev.baton.connect.s3.S3EventSourceConnector");
    config.put("tasks.max", "1");
    config.put("mode", "listing");
    config.put("topic", Topics.OBJECTS);
    config.put("s3.bucket", "landing");
    config.put("s3.endpoint", endpoints.s3Endpoint().toString());
    config.put("s3.region", endpoints.region());
    config.put("s3.path.style.access", "true");
    config.put("s3.access.key.id", endpoints.s3AccessKey());
    config.put("s3.secret.access.key", endpoints.s3SecretKey());
    config.put("listing.poll.interval.ms", "500");
    return config;
  }

  /** Baton configuration for the local stack: Kafka, the JDBC/SQLite catalog on local S3, S3A, checkpoint. */
  public Map<String, String> config(LocalEndpoints endpoints) {
    try {
      Files.createDirectories(workspace.home().resolve("catalog"));
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot create " + workspace.home().resolve("catalog"), e);
    }
    Map<String, String> config = new LinkedHashMap<>();
    config.put("kafka.bootstrap.servers", endpoints.kafkaBootstrap());
    CatalogConfig catalog = CatalogConfig.localJdbc(
        workspace.home().resolve("catalog/iceberg.db").toString(), "s3://warehouse/",
        endpoints.s3Endpoint().toString(), endpoints.s3AccessKey(), endpoints.s3SecretKey(), endpoints.region());
    catalog.properties().forEach((key, value) -> config.put(CatalogConfig.PREFIX + key, value));
    config.put(ControllerConfig.CHECKPOINT_LOCATION, workspace.home().resolve("controller/checkpoint").toString());
    config.put("spark.master", "local[*]");
    config.put("spark.hadoop.fs.s3.impl", "org.apache.hadoop.fs.s3a.S3AFileSystem");
    config.put("spark.hadoop.fs.s3a.endpoint", endpoints.s3Endpoint().toString());
    config.put("spark.hadoop.fs.s3a.endpoint.region", endpoints.region());
    config.put("spark.hadoop.fs.s3a.path.style.access", "true");
    config.put("spark.hadoop.fs.s3a.connection.ssl.enabled", "false");
    config.put("spark.hadoop.fs.s3a.aws.credentials.provider", "org.apache.hadoop.fs.s3a.SimpleAWSCredentialsProvider");
    config.put("spark.hadoop.fs.s3a.access.key", endpoints.s3AccessKey());
    config.put("spark.hadoop.fs.s3a.secret.key", endpoints.s3SecretKey());
    config.put("s3.endpoint", endpoints.s3Endpoint().toString());
    config.put("s3.access-key-id", endpoints.s3AccessKey());
    config.put("s3.secret-access-key", endpoints.s3SecretKey());
    config.put("s3.region", endpoints.region());
    return config;
  }
}
