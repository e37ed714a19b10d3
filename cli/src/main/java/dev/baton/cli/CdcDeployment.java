package dev.baton.cli;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.baton.local.CdcDatabases;
import dev.baton.local.LocalEndpoints;
import dev.baton.local.LocalStack;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Deploys the CDC pipe of the local stack: Debezium's PostgreSQL source on the CDC source database
 * and Debezium's JDBC sink into the CDC target database, both on the local Connect worker, from the
 * connector configurations in {@code cdc/config/} of the checkout ({@value #SOURCE_CONFIG}, {@value
 * #SINK_CONFIG}).
 *
 * <p>Those files name every credential as {@code ${file:}{@value #CREDENTIALS_REFERENCE}{@code
 * :<key>}} (Kafka Connect's {@code FileConfigProvider}); here that path becomes the local stack's
 * {@link CdcDatabases#credentialsFile()}, so passwords never enter a connector configuration.
 *
 * <p>Change topics are {@code <topic prefix>.<schema>.<table>}, JSON with schemas ({@code
 * JsonConverter}, {@code schemas.enable=true}) for keys and values. The connectors, slot, publication
 * and topic prefix are named by {@link Names}: {@link #DEFAULT_NAMES} for the demo and the tests, others
 * for a benchmark, which must not touch them.
 */
public final class CdcDeployment {
  /** The source connector's name on the local worker. */
  public static final String SOURCE_CONNECTOR = "baton-cdc-source";
  /** The sink connector's name on the local worker. */
  public static final String SINK_CONNECTOR = "baton-cdc-sink";
  /** The PostgreSQL source's connector configuration, in {@code cdc/config/}. */
  public static final String SOURCE_CONFIG = "postgres-source.json";
  /** The JDBC sink's connector configuration, in {@code cdc/config/}. */
  public static final String SINK_CONFIG = "jdbc-sink.json";
  /** The Oracle source's connector configuration, in {@code cdc/config/} (validated locally, never run). */
  public static final String ORACLE_CONFIG = "oracle-source.json";
  /** The credentials file the configurations reference, as on a self-managed worker. */
  public static final String CREDENTIALS_REFERENCE = "/etc/kafka-connect/baton-cdc/credentials.properties";
  /** The topic prefix ({@code topic.prefix}) of the configurations. */
  public static final String TOPIC_PREFIX = "cdc";
  /** The publication the source connector reads ({@code publication.name}), created here by the database owner. */
  public static final String PUBLICATION = "baton_cdc";
  /** A schema-qualified table name, lower case: what may reach SQL unquoted. */
  private static final Pattern TABLE = Pattern.compile("[a-z_][a-z0-9_]{0,62}\\.[a-z_][a-z0-9_]{0,62}");
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration RUNNING_TIMEOUT = Duration.ofSeconds(120);

  /** The names of the demo and the tests: connectors {@value #SOURCE_CONNECTOR} and {@value #SINK_CONNECTOR}. */
  public static final Names DEFAULT_NAMES = new Names(SOURCE_CONNECTOR, SINK_CONNECTOR, PUBLICATION, TOPIC_PREFIX);

  /**
   * What one deployment's parts are called.
   *
   * @param sourceConnector the source connector's name on the worker
   * @param sinkConnector the sink connector's name on the worker
   * @param slot the replication slot and the publication, a lower-case SQL identifier
   * @param topicPrefix the change topics' prefix ({@code topic.prefix})
   */
  public record Names(String sourceConnector, String sinkConnector, String slot, String topicPrefix) {
    public Names {
      if (slot == null || !slot.matches("[a-z_][a-z0-9_]{0,62}")) {
        throw new IllegalArgumentException("Invalid slot '" + slot + "': expected a lower-case SQL identifier");
      }
      if (topicPrefix == null || !topicPrefix.matches("[A-Za-z0-9_-]+")) {
        throw new IllegalArgumentException("Invalid topicPrefix '" + topicPrefix + "'");
      }
    }

    /** The change topic of a schema-qualified table. */
    public String topic(String table) {
      return topicPrefix + "." + table;
    }
  }

  private final LocalStack stack;
  private final LocalEndpoints endpoints;
  private final CdcDatabases databases;
  private final Path configDir;
  private final Names names;

  /**
   * @param stack the running local stack
   * @param endpoints its endpoints; must include the CDC databases ({@code baton local up --cdc})
   * @param configDir the connector configurations folder ({@code cdc/config/} of the checkout)
   * @throws IllegalStateException if the stack runs without the CDC databases
   */
  public CdcDeployment(LocalStack stack, LocalEndpoints endpoints, Path configDir) {
    this(stack, endpoints, configDir, DEFAULT_NAMES);
  }

  /** As {@link #CdcDeployment(LocalStack, LocalEndpoints, Path)}, with its own {@code names}. */
  public CdcDeployment(LocalStack stack, LocalEndpoints endpoints, Path configDir, Names names) {
    this.names = requireNonNull(names, "Invalid names: null");
    this.stack = requireNonNull(stack, "Invalid stack: null");
    this.endpoints = requireNonNull(endpoints, "Invalid endpoints: null");
    this.databases = endpoints.cdc().orElseThrow(() -> new IllegalStateException(
        "The local stack runs without the CDC databases: ./baton local up --cdc"));
    this.configDir = requireNonNull(configDir, "Invalid configDir: null");
  }

  /** What this deployment's parts are called. */
  public Names names() {
    return names;
  }

  /** The CDC databases of the stack. */
  public CdcDatabases databases() {
    return databases;
  }

  /**
   * A connector configuration of {@code cdc/config/} with its credentials reference pointing at the
   * local stack's credentials file.
   *
   * @throws UncheckedIOException if the file cannot be read or is not a JSON object of strings
   */
  public Map<String, String> connectorConfig(String fileName) {
    Path file = configDir.resolve(fileName);
    Map<String, String> config;
    try {
      config = JSON.readValue(file.toFile(), new TypeReference<LinkedHashMap<String, String>>() {});
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read the connector configuration " + file, e);
    }
    String local = databases.credentialsFile().toString();
    Map<String, String> resolved = new LinkedHashMap<>();
    config.forEach((key, value) -> resolved.put(key, value.replace(CREDENTIALS_REFERENCE, local)));
    return resolved;
  }

  /**
   * Publishes {@code tables} (as the source's superuser: {@code CREATE PUBLICATION}, or {@code ALTER
   * PUBLICATION ... SET TABLE} when it exists), then creates or updates the source connector (only
   * those tables) and the sink connector (only their topics), waits until both and their tasks are RUNNING, and then
   * {@link #awaitStreaming until the source streams}.
   *
   * @param tables schema-qualified, lower-case table names, e.g. {@code public.customers}
   * @throws IllegalArgumentException if a table name is not of that form
   * @throws IllegalStateException if a connector or task is not RUNNING within 120 s (its state is named),
   *     or the source does not stream within 120 s more
   * @throws SQLException if the publication cannot be created
   */
  public void deploy(List<String> tables) throws SQLException {
    if (tables.isEmpty()) {
      throw new IllegalArgumentException("Invalid tables: none given");
    }
    for (String table : tables) {
      if (!TABLE.matcher(table).matches()) {
        throw new IllegalArgumentException("Invalid table '" + table + "': expected schema.table in lower case");
      }
    }
    String list = String.join(", ", tables);
    try (Connection admin = sourceAdmin(); Statement statement = admin.createStatement()) {
      boolean exists;
      try (PreparedStatement query = admin.prepareStatement("SELECT 1 FROM pg_publication WHERE pubname = ?")) {
        query.setString(1, names.slot());
        try (ResultSet rows = query.executeQuery()) {
          exists = rows.next();
        }
      }
      statement.execute(exists ? "ALTER PUBLICATION " + names.slot() + " SET TABLE " + list
          : "CREATE PUBLICATION " + names.slot() + " FOR TABLE " + list);
    }
    Map<String, String> source = connectorConfig(SOURCE_CONFIG);
    // a list of regular expressions: the dot is escaped
    source.put("table.include.list", tables.stream().map(table -> table.replace(".", "\\.")).collect(Collectors.joining(",")));
    source.put("slot.name", names.slot());
    source.put("publication.name", names.slot());
    source.put("topic.prefix", names.topicPrefix());
    Map<String, String> sink = connectorConfig(SINK_CONFIG);
    sink.remove("topics.regex");
    sink.put("topics", tables.stream().map(names::topic).collect(Collectors.joining(",")));
    stack.putConnector(endpoints, names.sourceConnector(), source);
    stack.putConnector(endpoints, names.sinkConnector(), sink);
    awaitRunning(names.sourceConnector());
    awaitRunning(names.sinkConnector());
    awaitStreaming();
  }

  /**
   * Waits until the source connector has committed an offset past its initial snapshot, i.e. a
   * restart from now on resumes streaming from the slot. Until then a restart makes Debezium take the
   * snapshot again from scratch, and a row deleted in between is absent from the new snapshot rather
   * than deleted: the sink keeps it. Debezium commits such an offset with its first streamed change
   * or its first heartbeat ({@code heartbeat.interval.ms}, 10 s).
   *
   * @throws IllegalStateException if no such offset is committed within 120 s
   */
  public void awaitStreaming() {
    long deadline = System.nanoTime() + RUNNING_TIMEOUT.toNanos();
    List<Map<String, Object>> offsets = List.of();
    while (System.nanoTime() < deadline) {
      offsets = stack.connectorOffsets(endpoints, names.sourceConnector());
      // a snapshot record's offset carries "snapshot"; a streamed change's or heartbeat's does not
      if (!offsets.isEmpty() && offsets.stream().noneMatch(offset -> offset.containsKey("snapshot"))) {
        return;
      }
      sleep(250, "the source connector's first streaming offset");
    }
    throw new IllegalStateException("Connector " + names.sourceConnector() + " has not committed a streaming offset after "
        + RUNNING_TIMEOUT.toSeconds() + " s; its offsets: " + offsets + " (see " + stack.logFile("connect") + ")");
  }

  private static void sleep(long millis, String awaited) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while waiting for " + awaited, e);
    }
  }

  /**
   * Waits until a connector and all its tasks (at least one) are RUNNING.
   *
   * @throws IllegalStateException as soon as the connector or a task is FAILED, or after 120 s,
   *     naming the states last seen
   */
  public void awaitRunning(String connector) {
    long deadline = System.nanoTime() + RUNNING_TIMEOUT.toNanos();
    Map<String, String> states = Map.of();
    while (System.nanoTime() < deadline) {
      states = stack.connectorStates(endpoints, connector);
      if (states.size() > 1 && states.values().stream().allMatch("RUNNING"::equals)) {
        return;
      }
      if (states.containsValue("FAILED")) {
        throw new IllegalStateException("Connector " + connector + " failed: " + states + " (the stack trace is in "
            + stack.logFile("connect") + ")");
      }
      sleep(250, "connector " + connector);
    }
    throw new IllegalStateException("Connector " + connector + " is not RUNNING after " + RUNNING_TIMEOUT.toSeconds()
        + " s: " + states + " (see " + stack.logFile("connect") + ")");
  }

  /**
   * Removes this deployment: both connectors and their committed offsets, the change topics of {@code
   * tables} (waiting until the broker has deleted them), the replication slot and the publication. The
   * tables themselves stay. Parts that do not exist are skipped.
   *
   * @throws SQLException if the slot or publication cannot be dropped
   * @throws java.util.concurrent.ExecutionException if the topics cannot be listed or deleted
   */
  public void undeploy(List<String> tables) throws Exception {
    stack.deleteConnectorAndOffsets(endpoints, names.sourceConnector());
    stack.deleteConnectorAndOffsets(endpoints, names.sinkConnector());
    try (org.apache.kafka.clients.admin.Admin admin = org.apache.kafka.clients.admin.Admin.create(Map.of(
        org.apache.kafka.clients.admin.AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, endpoints.kafkaBootstrap()))) {
      java.util.Set<String> existing = admin.listTopics().names().get(30, java.util.concurrent.TimeUnit.SECONDS);
      List<String> topics = tables.stream().map(names::topic).filter(existing::contains).toList();
      admin.deleteTopics(topics).all().get(30, java.util.concurrent.TimeUnit.SECONDS);
      long deadline = System.nanoTime() + RUNNING_TIMEOUT.toNanos();
      // deletion completes asynchronously: a new sink must not find the old topics
      while (admin.listTopics().names().get(30, java.util.concurrent.TimeUnit.SECONDS).stream().anyMatch(topics::contains)) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("Topics " + topics + " are still listed " + RUNNING_TIMEOUT.toSeconds()
              + " s after their deletion");
        }
        sleep(200, "the deletion of " + topics);
      }
    }
    try (Connection admin = sourceAdmin(); PreparedStatement drop = admin.prepareStatement(
        "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = ?");
        Statement statement = admin.createStatement()) {
      drop.setString(1, names.slot());
      drop.execute();
      statement.execute("DROP PUBLICATION IF EXISTS " + names.slot());
    }
  }

  /** A connection to the source database as its superuser (the application's role in the local stand-in). */
  public Connection sourceAdmin() throws SQLException {
    return DriverManager.getConnection(databases.sourceJdbcUrl(), CdcDatabases.ADMIN,
        databases.credential("source.admin.password"));
  }

  /** A connection to the target database as the sink's role (the owner of the tables the sink creates). */
  public Connection target() throws SQLException {
    return DriverManager.getConnection(databases.targetJdbcUrl(), CdcDatabases.TARGET_USER,
        databases.credential("target.password"));
  }
}
