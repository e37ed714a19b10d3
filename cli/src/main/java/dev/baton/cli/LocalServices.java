package dev.baton.cli;

import dev.baton.catalog.CatalogConfig;
import dev.baton.cli.config.Configuration;
import dev.baton.control.ControllerConfig;
import dev.baton.local.BatonTopics;
import dev.baton.local.KafkaClientSecurity;
import dev.baton.local.SecureStackSecrets;
import dev.baton.local.KafkaSecurity;
import dev.baton.local.LocalEndpoints;
import dev.baton.local.LocalStack;
import dev.baton.local.ServiceClasspaths;
import dev.baton.schemas.Topics;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Wires the generic local stack to Baton: which topics and connector it runs, and the Baton
 * configuration (Kafka, catalog, S3A, checkpoint) that points at it.
 */
public final class LocalServices {

  /** Name of the connector that turns landing-bucket objects into ObjectCreated, on the local Connect worker. */
  public static final String LANDING_WATCHER = "baton-landing-watcher";
  /** How the local stack observes the landing bucket: by listing it, or through S3 notifications on SQS. */
  public static final String EVENTS_LISTING = "listing";
  /** See {@link #EVENTS_LISTING}. */
  public static final String EVENTS_SQS = "sqs";
  /** The principals of the secure stack that get a configuration file. */
  public static final List<String> SECURE_PRINCIPALS =
      List.of(SecureStackSecrets.CONTROLLER, SecureStackSecrets.PRODUCER, SecureStackSecrets.VIEWER);
  private static final BatonTopics BATON_TOPICS =
      new BatonTopics(Topics.OBJECTS, Topics.CONTROL, Topics.DLQ, Topics.ALERTS, Topics.LEDGER);
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
   * saying so on {@code stderr}) when it is not running: its configuration file ({@link
   * #configFile()}), as {@code baton --config} would read it.
   */
  public static Configuration runningConfig(PrintStream stderr) {
    LocalServices local = new LocalServices(Workspace.fromEnvironment());
    local.ensureRunning(stderr);
    return Configuration.load(local.configFile());
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
   * it is not running, and makes sure the landing connector exists in the events mode last chosen
   * ({@link #EVENTS_LISTING} by default).
   *
   * @return the endpoints and whether this call started the stack
   */
  public Started ensureRunning(PrintStream stderr) {
    return ensureRunning(stderr, null, null);
  }

  /**
   * As {@link #ensureRunning(PrintStream)}, with the landing connector in {@code events} mode
   * ({@link #EVENTS_LISTING} or {@link #EVENTS_SQS}; null: the mode last chosen). The choice is
   * remembered in {@code <home>/local/events-mode}.
   *
   * @throws IllegalArgumentException if {@code events} is another word
   */
  public Started ensureRunning(PrintStream stderr, String events) {
    return ensureRunning(stderr, events, null);
  }

  /**
   * As {@link #ensureRunning(PrintStream, String)}, with the stack in secure mode or not ({@code
   * secure} null: the mode last chosen, remembered in {@code <home>/local/secure-mode}; plaintext by
   * default). A secure stack runs Kafka with TLS + SASL/SCRAM and ACLs and the catalog as an Iceberg
   * REST service, and gets one configuration file per principal ({@link #principalConfigFile}).
   */
  public Started ensureRunning(PrintStream stderr, String events, Boolean secure) {
    return ensureRunning(stderr, events, secure, null);
  }

  /**
   * As {@link #ensureRunning(PrintStream, String, Boolean)}, with the CDC databases or not ({@code
   * cdc} null: the choice last made, remembered in {@code <home>/local/cdc-mode}; none by default):
   * see {@link LocalStack#up(PrintStream, java.util.Optional, boolean)}.
   */
  public Started ensureRunning(PrintStream stderr, String events, Boolean secure, Boolean cdc) {
    String mode = eventsMode(events);
    boolean secureMode = secureMode(secure);
    boolean cdcMode = booleanMode("cdc-mode", cdc);
    var running = stack.status()
        .filter(endpoints -> endpoints.kafkaSecure() == secureMode && endpoints.cdc().isPresent() == cdcMode);
    boolean started = running.isEmpty();
    PrintStream progress = started ? stderr : new PrintStream(OutputStream.nullOutputStream());
    if (started) {
      stderr.println("The local stack is not running" + (secureMode ? " in secure mode" : "") + "; starting it under "
          + workspace.home() + " ...");
    }
    LocalEndpoints endpoints = stack.up(progress,
        secureMode ? java.util.Optional.of(KafkaSecurity.of(BATON_TOPICS)) : java.util.Optional.empty(), cdcMode);
    stack.putConnector(endpoints, LANDING_WATCHER, landingConnectorConfig(endpoints, mode));
    Map<String, String> stackConfig = config(endpoints); // on a secure stack, the controller's
    writeConfigFile(stackConfig, configFile(), secretsFile());
    if (secureMode) {
      for (String principal : SECURE_PRINCIPALS) {
        writeConfigFile(principal.equals(SecureStackSecrets.CONTROLLER) ? stackConfig : principalConfig(endpoints, principal),
            principalConfigFile(principal), workspace.home().resolve("local/secure/" + principal + "-secrets.properties"));
      }
    }
    return new Started(endpoints, started, mode);
  }

  /**
   * The configuration file of {@code principal} on the secure stack, {@code
   * <home>/local/secure/<principal>.properties}, usable with {@code baton --config}.
   */
  public Path principalConfigFile(String principal) {
    return workspace.home().resolve("local/secure/" + principal + ".properties");
  }

  /** Whether the stack last ran in secure mode (what commands without {@code --secure} get). */
  public boolean secureModeRemembered() {
    return secureMode(null);
  }

  /** Validates, remembers and returns the secure mode ({@code requested} null: the remembered one). */
  private boolean secureMode(Boolean requested) {
    return booleanMode("secure-mode", requested);
  }

  /**
   * Remembers and returns a yes/no choice kept in {@code <home>/local/<fileName>} ({@code requested}
   * null: the remembered one, false if none).
   *
   * @throws IllegalStateException if the file holds something else than true or false
   */
  private boolean booleanMode(String fileName, Boolean requested) {
    Path file = workspace.home().resolve("local").resolve(fileName);
    try {
      if (requested == null) {
        String remembered = Files.exists(file) ? Files.readString(file).strip() : "false";
        if (!remembered.equals("true") && !remembered.equals("false")) {
          throw new IllegalStateException("Invalid " + fileName.replace('-', ' ') + " '" + remembered + "' in " + file
              + " (expected true or false): fix or delete the file");
        }
        return Boolean.parseBoolean(remembered);
      }
      Files.createDirectories(file.getParent());
      Files.writeString(file, requested.toString());
      return requested;
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read or write " + file, e);
    }
  }

  /**
   * Checks an events mode given on the command line (null: none given).
   *
   * @throws IllegalArgumentException if it is neither {@link #EVENTS_LISTING} nor {@link #EVENTS_SQS}
   */
  public static void checkEventsMode(String events) {
    if (events != null && !EVENTS_LISTING.equals(events) && !EVENTS_SQS.equals(events)) {
      throw new IllegalArgumentException("Invalid --events '" + events + "' (expected listing or sqs)");
    }
  }

  /** Validates, remembers and returns the events mode ({@code requested} null: the remembered one). */
  private String eventsMode(String requested) {
    Path file = workspace.home().resolve("local").resolve("events-mode");
    try {
      if (requested == null) {
        String remembered = Files.exists(file) ? Files.readString(file).strip() : EVENTS_LISTING;
        if (!EVENTS_LISTING.equals(remembered) && !EVENTS_SQS.equals(remembered)) {
          throw new IllegalStateException("Invalid events mode '" + remembered + "' in " + file
              + " (expected listing or sqs): fix or delete the file");
        }
        return remembered;
      }
      checkEventsMode(requested);
      Files.createDirectories(file.getParent());
      Files.writeString(file, requested);
      return requested;
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read or write " + file, e);
    }
  }

  /** The landing connector in {@code mode}: {@link #watcherConfig} or {@link #sqsConfig}. */
  static Map<String, String> landingConnectorConfig(LocalEndpoints endpoints, String mode) {
    return EVENTS_SQS.equals(mode) ? sqsConfig(endpoints) : watcherConfig(endpoints);
  }

  /**
   * S3 → SQS → Connect: receives the notifications the local S3 endpoint sends for each object
   * created in {@code landing} (in AWS, S3 itself sends them) from queue {@code baton-s3-events}.
   */
  static Map<String, String> sqsConfig(LocalEndpoints endpoints) {
    Map<String, String> config = new LinkedHashMap<>();
    config.put("connector.class", "dev.baton.connect.s3.S3EventSourceConnector");
    config.put("tasks.max", "1");
    config.put("mode", EVENTS_SQS);
    config.put("topic", Topics.OBJECTS);
    config.put("s3.bucket", "landing");
    config.put("sqs.queue.url", endpoints.s3EventsQueueUrl());
    config.put("sqs.endpoint", endpoints.sqsEndpoint().toString());
    config.put("sqs.region", endpoints.region());
    config.put("sqs.access.key.id", "local");
    config.put("sqs.secret.access.key", "local");
    // short long polls, so a connector reconfiguration or stop does not wait 20 s for a receive
    config.put("sqs.wait.time.seconds", "5");
    config.put("emr.lookup", "false"); // no EMR APIs locally
    config.put("s3.endpoint", endpoints.s3Endpoint().toString());
    config.put("s3.region", endpoints.region());
    config.put("s3.path.style.access", "true");
    config.put("s3.access.key.id", endpoints.s3AccessKey());
    config.put("s3.secret.access.key", endpoints.s3SecretKey());
    return config;
  }

  /**
   * The local stack's endpoints, whether {@link #ensureRunning} started it, and how its landing
   * connector observes objects ({@link #EVENTS_LISTING} or {@link #EVENTS_SQS}).
   */
  public record Started(LocalEndpoints endpoints, boolean startedNow, String eventsMode) {}

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
    config.put("poll.interval.ms", "500");
    return config;
  }

  /**
   * Writes {@code config} (secrets resolved) as a configuration file usable with {@code baton
   * --config}: every secret ({@link Configuration#isSecretKey}) goes to {@code secretsFile} (mode
   * 0600) and the configuration file refers to it with {@code ${file:<secretsFile>:<key>}}, so the
   * file itself holds no secret. Both files are replaced.
   *
   * @throws UncheckedIOException if a file cannot be written
   */
  public static void writeConfigFile(Map<String, String> config, Path file, Path secretsFile) {
    java.util.Properties settings = new SortedProperties();
    java.util.Properties secrets = new SortedProperties();
    Path secretsPath = secretsFile.toAbsolutePath();
    config.forEach((key, value) -> {
      if (Configuration.isSecretKey(key)) {
        secrets.setProperty(key, value);
        settings.setProperty(key, "${file:" + secretsPath + ":" + key + "}");
      } else {
        settings.setProperty(key, value);
      }
    });
    try {
      Files.createDirectories(file.toAbsolutePath().getParent());
      Files.createDirectories(secretsPath.getParent());
      writeAtomically(secretsPath, secrets, "secrets of " + file.getFileName() + "; readable by their owner only",
          "rw-------");
      writeAtomically(file.toAbsolutePath(), settings, "Baton configuration for the local stack (baton --config " + file
          + ")", "rw-r--r--");
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot write " + file + " or " + secretsFile, e);
    }
  }

  /** Properties written in key order, so a configuration file reads like the README's table. */
  private static final class SortedProperties extends java.util.Properties {
    private static final long serialVersionUID = 1L;

    @Override
    public java.util.Set<Map.Entry<Object, Object>> entrySet() {
      java.util.Set<Map.Entry<Object, Object>> sorted =
          new java.util.TreeSet<>(java.util.Comparator.comparing(entry -> entry.getKey().toString()));
      sorted.addAll(super.entrySet());
      return java.util.Collections.unmodifiableSet(sorted);
    }
  }

  /**
   * Replaces {@code file} in one step (a temporary file, then an atomic rename), so a command
   * reading it while another writes never sees half a file; created with {@code permissions}.
   */
  private static void writeAtomically(Path file, java.util.Properties properties, String comment, String permissions)
      throws IOException {
    Path temporary = Files.createTempFile(file.getParent(), file.getFileName().toString(), ".tmp",
        java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
            java.nio.file.attribute.PosixFilePermissions.fromString(permissions)));
    try (var out = Files.newBufferedWriter(temporary)) {
      properties.store(out, comment);
    }
    Files.move(temporary, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
        java.nio.file.StandardCopyOption.ATOMIC_MOVE);
  }

  /** Where {@link #ensureRunning} writes the configuration file of the local stack. */
  public Path configFile() {
    return workspace.home().resolve("local/baton.properties");
  }

  /** Where {@link #ensureRunning} writes the secrets {@link #configFile()} refers to (mode 0600). */
  public Path secretsFile() {
    return workspace.home().resolve("local/secrets.properties");
  }

  /**
   * Baton configuration for the local stack, secrets resolved (in memory only): Kafka, the
   * JDBC/SQLite catalog on local S3, S3A, checkpoint; on a secure stack, the configuration of
   * {@value SecureStackSecrets#CONTROLLER} ({@link #principalConfig}).
   */
  public Map<String, String> config(LocalEndpoints endpoints) {
    if (endpoints.kafkaSecure()) {
      return principalConfig(endpoints, SecureStackSecrets.CONTROLLER);
    }
    try {
      Files.createDirectories(workspace.home().resolve("catalog"));
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot create " + workspace.home().resolve("catalog"), e);
    }
    Map<String, String> config = new LinkedHashMap<>();
    config.put("kafka.bootstrap.servers", endpoints.kafkaBootstrap());
    CatalogConfig catalog = CatalogConfig.localJdbc(
        workspace.home().resolve(LocalStack.CATALOG_FILE).toString(), LocalStack.WAREHOUSE,
        endpoints.s3Endpoint().toString(), endpoints.s3AccessKey(), endpoints.s3SecretKey(), endpoints.region());
    catalog.properties().forEach((key, value) -> config.put(CatalogConfig.PREFIX + key, value));
    config.put(ControllerConfig.CHECKPOINT_LOCATION, workspace.home().resolve("controller/checkpoint").toString());
    config.putAll(storageConfig(endpoints));
    return config;
  }

  /**
   * The configuration of {@code principal} on the secure stack, secrets resolved (in memory only;
   * {@link #ensureRunning} writes them to the principal's own 0600 secrets file): Kafka over
   * SASL_SSL with SCRAM-SHA-512 as that principal, the Iceberg REST catalog with its bearer token,
   * S3 and S3A; for {@value SecureStackSecrets#CONTROLLER} also its checkpoint, {@code
   * <home>/controller-secure/checkpoint} (the secure broker is another cluster: the plaintext one's
   * offsets mean nothing to it).
   *
   * @throws IllegalStateException if the stack is not in secure mode
   */
  public Map<String, String> principalConfig(LocalEndpoints endpoints, String principal) {
    KafkaClientSecurity security = endpoints.kafkaSecurity()
        .orElseThrow(() -> new IllegalStateException("The local stack is not in secure mode"));
    String restCatalog = endpoints.restCatalog()
        .orElseThrow(() -> new IllegalStateException("The local stack runs no REST catalog")).toString();
    Map<String, String> config = new LinkedHashMap<>();
    config.put("kafka.bootstrap.servers", endpoints.kafkaBootstrap());
    security.clientConfig(principal).forEach((key, value) -> {
      if (!key.startsWith("config.providers")) { // Baton resolves ${file:...} itself
        config.put("kafka." + key, value);
      }
    });
    config.put("iceberg.catalog.type", "rest");
    config.put("iceberg.catalog.uri", restCatalog);
    config.put("iceberg.catalog.token", security.reference(security.catalogTokenKey()));
    config.put("iceberg.catalog.io-impl", "org.apache.iceberg.aws.s3.S3FileIO");
    config.put("iceberg.catalog.s3.endpoint", endpoints.s3Endpoint().toString());
    config.put("iceberg.catalog.s3.path-style-access", "true");
    config.put("iceberg.catalog.s3.access-key-id", endpoints.s3AccessKey());
    config.put("iceberg.catalog.s3.secret-access-key", endpoints.s3SecretKey());
    config.put("iceberg.catalog.client.region", endpoints.region());
    if (principal.equals(SecureStackSecrets.CONTROLLER)) {
      config.put(ControllerConfig.CHECKPOINT_LOCATION, workspace.home().resolve("controller-secure/checkpoint").toString());
    }
    config.putAll(storageConfig(endpoints));
    // resolved from the stack's shared secrets file, whose other entries (the super user's password
    // among them) this principal's files must never point at
    return Configuration.resolveReferences(config, "the secure local stack");
  }

  /** Spark's S3A settings and the CLI's S3 settings for the local S3 endpoint. */
  private static Map<String, String> storageConfig(LocalEndpoints endpoints) {
    Map<String, String> config = new LinkedHashMap<>();
    config.put("spark.master", "local[*]");
    config.put("spark.hadoop.fs.s3.impl", "org.apache.hadoop.fs.s3a.S3AFileSystem");
    config.put("spark.hadoop.fs.s3a.endpoint", endpoints.s3Endpoint().toString());
    config.put("spark.hadoop.fs.s3a.endpoint.region", endpoints.region());
    config.put("spark.hadoop.fs.s3a.path.style.access", "true");
    // S3A's default deletes the parent folders' marker objects after every rename and create; the local endpoint
    // stores buckets as folders and cannot delete the marker of a folder holding files (jclouds retries with
    // sleeps, a rename of the export stage hung on it). Keeping markers is Hadoop's recommended mode since 3.3.1.
    config.put("spark.hadoop.fs.s3a.directory.marker.retention", "keep");
    // S3A copies (a rename: the export stage's publish, a FileOutputCommitter's commit) an object above this size in
    // parts (UploadPartCopy), whose conditional part copies the local endpoint answers 412 (the AWS SDK then fails
    // with a NullPointerException); from the default 128 MiB to S3A's cap (2 GiB - 1), so that files up to it are
    // copied whole. Uploads above it still go in parts.
    config.put("spark.hadoop.fs.s3a.multipart.threshold", String.valueOf(Integer.MAX_VALUE));
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
