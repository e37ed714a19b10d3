package dev.baton.control;

import dev.baton.control.launch.LaunchJournal;
import dev.baton.control.ledger.LedgerMaintenance;
import dev.baton.schemas.SchemaRegistries;
import dev.baton.schemas.Topics;
import dev.baton.stages.maintenance.MaintenanceOptions;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeSet;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.NonEmptyStringWithoutControlChars;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigException;

/**
 * Settings of the controller and of every client that talks to its topics, read from Baton
 * configuration (flat properties, Iceberg-style dotted keys with unit suffixes; see {@link
 * #CONFIG_DEF} for every key with its type, default and documentation).
 *
 * <p>{@code kafka.*} keys are Kafka client settings, passed with the prefix removed to every Kafka
 * client Baton makes: the controller's Spark Kafka source and producers, the stage publisher and
 * the CLI (e.g. {@code kafka.bootstrap.servers}, {@code kafka.security.protocol}, {@code
 * kafka.sasl.jaas.config}). {@code kafka.bootstrap.servers} is required.
 *
 * <p>Errors: {@link ConfigException} naming the key, for a missing required key, a value of the
 * wrong type or out of range, or an unknown {@code topics.*} role.
 */
public final class ControllerConfig extends AbstractConfig {

  /** Prefix of the Kafka client settings. */
  public static final String KAFKA_PREFIX = "kafka.";
  /** Prefix of the topic names by role. */
  public static final String TOPICS_PREFIX = "topics.";

  public static final String KAFKA_BOOTSTRAP_SERVERS = KAFKA_PREFIX + "bootstrap.servers";
  private static final String KAFKA_BOOTSTRAP_SERVERS_DOC = "Kafka brokers, host:port[,host:port...]. Every other"
      + " kafka.* key is passed to Kafka clients too, with the prefix removed.";

  public static final String CHECKPOINT_LOCATION = "controller.checkpoint-location";
  private static final String CHECKPOINT_LOCATION_DOC = "Where the controller's Structured Streaming queries keep"
      + " offsets and run state: a local path or an object-store URI: s3a://bucket/prefix (S3A), or s3:// on EMR"
      + " (EMRFS). Required by the controller only; other commands ignore it.";

  public static final String TRIGGER_INTERVAL_MS = "controller.trigger-interval-ms";
  public static final long TRIGGER_INTERVAL_MS_DEFAULT = 100;
  private static final String TRIGGER_INTERVAL_MS_DOC = "Micro-batch interval of the control query, ms.";

  public static final String MAX_CONCURRENT_STAGES = "controller.max-concurrent-stages";
  public static final int MAX_CONCURRENT_STAGES_DEFAULT = 8;
  private static final String MAX_CONCURRENT_STAGES_DOC = "Stage attempts the in-process launcher runs at once.";

  public static final String MAX_QUEUED_STAGES = "controller.max-queued-stages";
  public static final int MAX_QUEUED_STAGES_DEFAULT = 10_000;
  private static final String MAX_QUEUED_STAGES_DOC = "Stage attempts the in-process launcher keeps waiting for a"
      + " thread beyond the running ones. A launch past it is refused: the attempt completes FAILED with error type"
      + " NO_CAPACITY and its stage's retry policy decides whether it runs again.";

  public static final String LAUNCH_JOURNAL_LOCATION = "controller.launch-journal-location";
  private static final String LAUNCH_JOURNAL_LOCATION_DOC = "Where the launch journal is (the launches already"
      + " made, so a replayed micro-batch never launches twice and a restarted controller knows what was running):"
      + " a local folder or an s3:// (s3a://) prefix, written with S3 conditional writes. Default: the checkpoint"
      + " location with '-launches' appended. Must not be local when the checkpoint is not: it would be lost with"
      + " the machine while the checkpoint survives.";

  public static final String DEFAULT_LAUNCHER = "controller.default-launcher";
  private static final String DEFAULT_LAUNCHER_DOC = "The launcher profile of stages whose pipeline names none"
      + " (defaults.launcher, stages[i].launcher): in-process (stages run in the controller's SparkSession),"
      + " spark-submit (each attempt its own Spark application, master local[2]) or a profile defined with"
      + " launchers.<name>.type.";

  public static final String MAX_OFFSETS_PER_TRIGGER = "controller.max-offsets-per-trigger";
  public static final long MAX_OFFSETS_PER_TRIGGER_DEFAULT = 10_000;
  private static final String MAX_OFFSETS_PER_TRIGGER_DOC = "Most Kafka records one micro-batch of each controller"
      + " query reads (Spark's maxOffsetsPerTrigger), so a backlog is worked off in bounded batches instead of being"
      + " collected on the driver at once.";

  public static final String LEDGER_INTERVAL_MS = "controller.ledger-interval-ms";
  public static final long LEDGER_INTERVAL_MS_DEFAULT = 5_000;
  private static final String LEDGER_INTERVAL_MS_DOC = "Micro-batch interval of the ledger query, which writes"
      + " the ledger changelog to the Iceberg ledger tables, ms.";

  public static final String LEDGER_MAINTENANCE_ENABLED = "controller.ledger-maintenance.enabled";
  public static final boolean LEDGER_MAINTENANCE_ENABLED_DEFAULT = true;
  private static final String LEDGER_MAINTENANCE_ENABLED_DOC = "Whether the ledger query keeps the ledger tables"
      + " (baton_system.runs, baton_system.stage_attempts) bounded: every controller.ledger-maintenance.interval-ms,"
      + " right after a MERGE, it compacts their data files, rewrites their manifests, expires old snapshots and"
      + " deletes orphan files (Iceberg's Spark actions, as the maintenance stage).";

  public static final String LEDGER_MAINTENANCE_INTERVAL_MS = "controller.ledger-maintenance.interval-ms";
  public static final long LEDGER_MAINTENANCE_INTERVAL_MS_DEFAULT = 60L * 60 * 1000;
  private static final String LEDGER_MAINTENANCE_INTERVAL_MS_DOC = "Least time between two maintenances of the"
      + " ledger tables, ms. A restarted controller counts it from the last maintenance committed to"
      + " baton_system.runs; with none, from the ledger's first snapshot (a new ledger is first maintained an"
      + " interval after it began).";

  public static final String LEDGER_MAINTENANCE_MAX_SNAPSHOT_AGE_MS = "controller.ledger-maintenance.max-snapshot-age-ms";
  public static final long LEDGER_MAINTENANCE_MAX_SNAPSHOT_AGE_MS_DEFAULT = 60L * 60 * 1000;
  private static final String LEDGER_MAINTENANCE_MAX_SNAPSHOT_AGE_MS_DOC = "Age past which a snapshot of a ledger"
      + " table expires at its next maintenance, ms (the ledger commits one every ledger interval: 720 an hour"
      + " at 5 s).";

  public static final String LEDGER_MAINTENANCE_MIN_SNAPSHOTS_TO_KEEP =
      "controller.ledger-maintenance.min-snapshots-to-keep";
  public static final int LEDGER_MAINTENANCE_MIN_SNAPSHOTS_TO_KEEP_DEFAULT = 10;
  private static final String LEDGER_MAINTENANCE_MIN_SNAPSHOTS_TO_KEEP_DOC = "Snapshots of a ledger table kept"
      + " whatever their age (the latest ones).";

  public static final String LEDGER_MAINTENANCE_ORPHAN_MIN_AGE_MS = "controller.ledger-maintenance.orphan-min-age-ms";
  public static final long LEDGER_MAINTENANCE_ORPHAN_MIN_AGE_MS_DEFAULT = 3L * 24 * 60 * 60 * 1000;
  private static final String LEDGER_MAINTENANCE_ORPHAN_MIN_AGE_MS_DOC = "How long a file in a ledger table's"
      + " location that no snapshot references must be unmodified before maintenance deletes it, ms; at least"
      + " 1 h (a younger one may belong to a commit in flight). Iceberg's default, 3 days.";

  public static final String STATE_RETENTION_MS = "controller.state-retention-ms";
  public static final long STATE_RETENTION_MS_DEFAULT = 7L * 24 * 60 * 60 * 1000;
  private static final String STATE_RETENTION_MS_DOC = "How long a run that ended keeps its full state (it can"
      + " be resumed), ms; afterwards only a tombstone remains, which still ignores duplicates of its events.";

  public static final String TOMBSTONE_RETENTION_MS = "controller.tombstone-retention-ms";
  public static final long TOMBSTONE_RETENTION_MS_DEFAULT = 30L * 24 * 60 * 60 * 1000;
  private static final String TOMBSTONE_RETENTION_MS_DOC = "How long the tombstone of an ended run is kept after"
      + " its state retention, ms; then it is removed. While it is kept, a trigger of the run arriving again is"
      + " ignored and raises a TRIGGER_AFTER_END alert; once removed, the same trigger starts a new run.";

  public static final String WAITING_TIMEOUT_MS = "controller.waiting-timeout-ms";
  public static final long WAITING_TIMEOUT_MS_DEFAULT = 24L * 60 * 60 * 1000;
  private static final String WAITING_TIMEOUT_MS_DOC = "How long a run may wait for the rest of its trigger files"
      + " after the first arrived, ms; then it ends FAILED with a WAITING_EXPIRED alert (resume it to start with the"
      + " files it has).";

  /** Topic roles and their default names; a key {@code topics.<role>} overrides one. */
  public static final Map<String, String> DEFAULT_TOPICS = Map.of("objects", Topics.OBJECTS, "control", Topics.CONTROL,
      "dlq", Topics.DLQ, "alerts", Topics.ALERTS, "ledger", Topics.LEDGER);
  private static final Map<String, String> TOPIC_DOCS = Map.of(
      "objects", "ObjectCreated events (input).",
      "control", "Control events: requests, launches, completions (input and output).",
      "dlq", "Dead letters: what could not be decoded or applied, with the reason.",
      "alerts", "Alerts: stage retried or lost, run failed, SLA missed.",
      "ledger", "The controller's ledger changelog (internal).");

  private static final String KAFKA_GROUP = "Kafka";
  private static final String CONTROLLER_GROUP = "Controller";
  private static final String TOPICS_GROUP = "Topics";
  private static final String LEDGER_MAINTENANCE_GROUP = "Ledger maintenance";

  /** Every key of this configuration (the {@code kafka.*} pass-through keys beyond bootstrap.servers aside). */
  public static final ConfigDef CONFIG_DEF = configDef();

  private static ConfigDef configDef() {
    ConfigDef def = new ConfigDef()
        .define(KAFKA_BOOTSTRAP_SERVERS, Type.STRING, ConfigDef.NO_DEFAULT_VALUE, new NonEmptyStringWithoutControlChars(),
            Importance.HIGH, KAFKA_BOOTSTRAP_SERVERS_DOC, KAFKA_GROUP, 1, ConfigDef.Width.LONG, "Bootstrap servers")
        .define(CHECKPOINT_LOCATION, Type.STRING, null, Importance.HIGH, CHECKPOINT_LOCATION_DOC,
            CONTROLLER_GROUP, 1, ConfigDef.Width.LONG, "Checkpoint location")
        .define(TRIGGER_INTERVAL_MS, Type.LONG, TRIGGER_INTERVAL_MS_DEFAULT, Range.atLeast(0), Importance.MEDIUM,
            TRIGGER_INTERVAL_MS_DOC, CONTROLLER_GROUP, 2, ConfigDef.Width.SHORT, "Trigger interval (ms)")
        .define(MAX_CONCURRENT_STAGES, Type.INT, MAX_CONCURRENT_STAGES_DEFAULT, Range.atLeast(1), Importance.MEDIUM,
            MAX_CONCURRENT_STAGES_DOC, CONTROLLER_GROUP, 3, ConfigDef.Width.SHORT, "Concurrent stages")
        .define(LAUNCH_JOURNAL_LOCATION, Type.STRING, null, Importance.LOW, LAUNCH_JOURNAL_LOCATION_DOC,
            CONTROLLER_GROUP, 4, ConfigDef.Width.LONG, "Launch journal location")
        .define(MAX_OFFSETS_PER_TRIGGER, Type.LONG, MAX_OFFSETS_PER_TRIGGER_DEFAULT, Range.atLeast(1), Importance.MEDIUM,
            MAX_OFFSETS_PER_TRIGGER_DOC, CONTROLLER_GROUP, 7, ConfigDef.Width.SHORT, "Max offsets per trigger")
        .define(LEDGER_INTERVAL_MS, Type.LONG, LEDGER_INTERVAL_MS_DEFAULT, Range.atLeast(0), Importance.LOW,
            LEDGER_INTERVAL_MS_DOC, CONTROLLER_GROUP, 5, ConfigDef.Width.SHORT, "Ledger interval (ms)")
        .define(STATE_RETENTION_MS, Type.LONG, STATE_RETENTION_MS_DEFAULT, Range.atLeast(1), Importance.LOW,
            STATE_RETENTION_MS_DOC, CONTROLLER_GROUP, 6, ConfigDef.Width.SHORT, "State retention (ms)")
        .define(MAX_QUEUED_STAGES, Type.INT, MAX_QUEUED_STAGES_DEFAULT, Range.atLeast(0), Importance.LOW,
            MAX_QUEUED_STAGES_DOC, CONTROLLER_GROUP, 8, ConfigDef.Width.SHORT, "Queued stages")
        .define(TOMBSTONE_RETENTION_MS, Type.LONG, TOMBSTONE_RETENTION_MS_DEFAULT, Range.atLeast(1), Importance.LOW,
            TOMBSTONE_RETENTION_MS_DOC, CONTROLLER_GROUP, 9, ConfigDef.Width.SHORT, "Tombstone retention (ms)")
        .define(DEFAULT_LAUNCHER, Type.STRING, "in-process", new NonEmptyStringWithoutControlChars(), Importance.MEDIUM,
            DEFAULT_LAUNCHER_DOC, CONTROLLER_GROUP, 11, ConfigDef.Width.SHORT, "Default launcher")
        .define(WAITING_TIMEOUT_MS, Type.LONG, WAITING_TIMEOUT_MS_DEFAULT, Range.atLeast(1), Importance.MEDIUM,
            WAITING_TIMEOUT_MS_DOC, CONTROLLER_GROUP, 10, ConfigDef.Width.SHORT, "Waiting timeout (ms)")
        .define(LEDGER_MAINTENANCE_ENABLED, Type.BOOLEAN, LEDGER_MAINTENANCE_ENABLED_DEFAULT, Importance.LOW,
            LEDGER_MAINTENANCE_ENABLED_DOC, LEDGER_MAINTENANCE_GROUP, 1, ConfigDef.Width.SHORT, "Ledger maintenance")
        .define(LEDGER_MAINTENANCE_INTERVAL_MS, Type.LONG, LEDGER_MAINTENANCE_INTERVAL_MS_DEFAULT, Range.atLeast(1),
            Importance.LOW, LEDGER_MAINTENANCE_INTERVAL_MS_DOC, LEDGER_MAINTENANCE_GROUP, 2, ConfigDef.Width.SHORT,
            "Ledger maintenance interval (ms)")
        .define(LEDGER_MAINTENANCE_MAX_SNAPSHOT_AGE_MS, Type.LONG, LEDGER_MAINTENANCE_MAX_SNAPSHOT_AGE_MS_DEFAULT,
            Range.atLeast(1), Importance.LOW, LEDGER_MAINTENANCE_MAX_SNAPSHOT_AGE_MS_DOC, LEDGER_MAINTENANCE_GROUP, 3,
            ConfigDef.Width.SHORT, "Ledger snapshot max age (ms)")
        .define(LEDGER_MAINTENANCE_MIN_SNAPSHOTS_TO_KEEP, Type.INT, LEDGER_MAINTENANCE_MIN_SNAPSHOTS_TO_KEEP_DEFAULT,
            Range.atLeast(1), Importance.LOW, LEDGER_MAINTENANCE_MIN_SNAPSHOTS_TO_KEEP_DOC, LEDGER_MAINTENANCE_GROUP, 4,
            ConfigDef.Width.SHORT, "Ledger snapshots kept")
        .define(LEDGER_MAINTENANCE_ORPHAN_MIN_AGE_MS, Type.LONG, LEDGER_MAINTENANCE_ORPHAN_MIN_AGE_MS_DEFAULT,
            Range.atLeast(MaintenanceOptions.DeleteOrphanFiles.MIN_ORPHAN_AGE.toMillis()), Importance.LOW,
            LEDGER_MAINTENANCE_ORPHAN_MIN_AGE_MS_DOC, LEDGER_MAINTENANCE_GROUP, 5, ConfigDef.Width.SHORT,
            "Ledger orphan min age (ms)");
    int order = 1;
    for (String role : new TreeSet<>(DEFAULT_TOPICS.keySet())) {
      def.define(TOPICS_PREFIX + role, Type.STRING, DEFAULT_TOPICS.get(role), new NonEmptyStringWithoutControlChars(),
          Importance.LOW, "Topic name: " + TOPIC_DOCS.get(role), TOPICS_GROUP, order++, ConfigDef.Width.MEDIUM,
          "Topic " + role);
    }
    return def;
  }

  private final Map<String, String> kafka;
  private final Map<String, String> topics;
  private final Map<String, String> schemaRegistry;
  private final dev.baton.control.state.AttemptPools attemptPools;

  private ControllerConfig(Map<String, String> config) {
    super(CONFIG_DEF, config, false);
    this.kafka = Map.copyOf(withoutPrefix(config, KAFKA_PREFIX));
    Map<String, String> names = new LinkedHashMap<>();
    for (String role : DEFAULT_TOPICS.keySet()) {
      names.put(role, getString(TOPICS_PREFIX + role).trim());
    }
    this.topics = Map.copyOf(names);
    this.schemaRegistry = Map.copyOf(SchemaRegistries.settings(config));
    try {
      this.attemptPools = dev.baton.control.state.AttemptPools.fromConfig(config, getString(DEFAULT_LAUNCHER));
    } catch (IllegalArgumentException e) {
      throw new ConfigException(e.getMessage());
    }
  }

  /**
   * The limits on attempts running at once per launcher profile or stage type ({@code
   * controller.max-concurrent-attempts.launcher.<profile>} and {@code ...type.<type>}); none by default.
   */
  public dev.baton.control.state.AttemptPools attemptPools() {
    return attemptPools;
  }

  /**
   * Reads the settings from Baton configuration.
   *
   * @throws ConfigException naming the key, if {@value #KAFKA_BOOTSTRAP_SERVERS} is missing, a value
   *     has the wrong type or is out of range, or a {@code topics.*} key names an unknown role
   */
  public static ControllerConfig fromConfig(Map<String, String> config) {
    withoutPrefix(config, TOPICS_PREFIX).keySet().forEach(role -> {
      if (!DEFAULT_TOPICS.containsKey(role)) {
        throw new ConfigException(TOPICS_PREFIX + role, config.get(TOPICS_PREFIX + role),
            "unknown topic role (known: " + new TreeSet<>(DEFAULT_TOPICS.keySet()) + ")");
      }
    });
    return new ControllerConfig(config);
  }

  /**
   * The entries of {@code config} whose key starts with {@code prefix}, with the prefix removed,
   * e.g. the Kafka client settings from {@code kafka.*} keys.
   */
  public static Map<String, String> withoutPrefix(Map<String, String> config, String prefix) {
    Map<String, String> selected = new LinkedHashMap<>();
    config.forEach((key, value) -> {
      if (key.startsWith(prefix)) {
        selected.put(key.substring(prefix.length()), value);
      }
    });
    return selected;
  }

  /** Kafka client settings without the {@code kafka.} prefix; {@code bootstrap.servers} always present. */
  public Map<String, String> kafka() {
    return kafka;
  }

  /**
   * Where Structured Streaming keeps offsets and the state store.
   *
   * @throws ConfigException if {@value #CHECKPOINT_LOCATION} is not set
   */
  public String checkpointLocation() {
    String location = getString(CHECKPOINT_LOCATION);
    if (location == null || location.isBlank()) {
      throw new ConfigException("Missing required configuration \"" + CHECKPOINT_LOCATION
          + "\" which has no default value (the controller needs it).");
    }
    return location;
  }

  /** Micro-batch interval of the control query, ms. */
  public long triggerIntervalMs() {
    return getLong(TRIGGER_INTERVAL_MS);
  }

  /** Stage attempts the in-process launcher runs at once. */
  public int maxConcurrentStages() {
    return getInt(MAX_CONCURRENT_STAGES);
  }

  /**
   * Where the launch journal is: a local folder or an {@code s3://}/{@code s3a://} prefix; default the
   * checkpoint location with {@code -launches} appended.
   *
   * @throws ConfigException if the journal would be local while the checkpoint is remote, or is on a
   *     store other than a local folder or S3
   */
  public String launchJournalLocation() {
    String checkpoint = checkpointLocation();
    String location = getString(LAUNCH_JOURNAL_LOCATION);
    if (location == null) {
      location = checkpoint.replaceAll("/+$", "") + "-launches";
    }
    if (LaunchJournal.isLocal(location) && !LaunchJournal.isLocal(checkpoint)) {
      throw new ConfigException(LAUNCH_JOURNAL_LOCATION, location, "a local launch journal with the remote checkpoint "
          + checkpoint + " would be lost with the machine while the checkpoint survives: put it on the same store");
    }
    if (!LaunchJournal.isLocal(location) && !LaunchJournal.isS3(location)) {
      throw new ConfigException(LAUNCH_JOURNAL_LOCATION, location, "the launch journal must be a local folder or"
          + " an s3:// (s3a://) prefix (with the checkpoint on another store, set this key to an S3 prefix)");
    }
    return location;
  }

  /** Most Kafka records one micro-batch of each controller query reads. */
  public long maxOffsetsPerTrigger() {
    return getLong(MAX_OFFSETS_PER_TRIGGER);
  }

  /** Micro-batch interval of the ledger query, ms. */
  public long ledgerIntervalMs() {
    return getLong(LEDGER_INTERVAL_MS);
  }

  /** When and how the controller maintains the ledger tables ({@code controller.ledger-maintenance.*}). */
  public LedgerMaintenance.Settings ledgerMaintenance() {
    return new LedgerMaintenance.Settings(getBoolean(LEDGER_MAINTENANCE_ENABLED), getLong(LEDGER_MAINTENANCE_INTERVAL_MS),
        getLong(LEDGER_MAINTENANCE_MAX_SNAPSHOT_AGE_MS), getInt(LEDGER_MAINTENANCE_MIN_SNAPSHOTS_TO_KEEP),
        getLong(LEDGER_MAINTENANCE_ORPHAN_MIN_AGE_MS));
  }

  /** How long a run that ended keeps its full state, ms. */
  public long stateRetentionMs() {
    return getLong(STATE_RETENTION_MS);
  }

  /** Stage attempts the in-process launcher keeps waiting beyond the running ones; past it, launches are refused. */
  public int maxQueuedStages() {
    return getInt(MAX_QUEUED_STAGES);
  }

  /** How long an ended run's tombstone is kept after its state retention, ms. */
  public long tombstoneRetentionMs() {
    return getLong(TOMBSTONE_RETENTION_MS);
  }

  /** How long a run may wait for the rest of its trigger files, ms. */
  public long waitingTimeoutMs() {
    return getLong(WAITING_TIMEOUT_MS);
  }

  /** The launcher profile of stages whose pipeline names none. */
  public String defaultLauncher() {
    return getString(DEFAULT_LAUNCHER);
  }

  /** Topic names by role: {@code objects}, {@code control}, {@code dlq}, {@code alerts}, {@code ledger}. */
  public Map<String, String> topics() {
    return topics;
  }

  /**
   * The {@code schema.registry.*} settings ({@link SchemaRegistries}; empty: the built-in registry),
   * for every component that encodes or decodes events, including Spark tasks.
   */
  public Map<String, String> schemaRegistry() {
    return schemaRegistry;
  }

  /** Where the ledger query keeps its offsets: the checkpoint location with {@code -ledger} appended. */
  public String ledgerCheckpointLocation() {
    return checkpointLocation() + "-ledger";
  }

  /** Kafka settings for producers, as objects. */
  public Map<String, Object> kafkaProducerConfig() {
    return new LinkedHashMap<>(kafka);
  }

  /** {@code ObjectCreated} events. */
  public String objectsTopic() {
    return topics.get("objects");
  }

  /** Control events. */
  public String controlTopic() {
    return topics.get("control");
  }

  /** Dead letters. */
  public String dlqTopic() {
    return topics.get("dlq");
  }

  /** Alerts. */
  public String alertsTopic() {
    return topics.get("alerts");
  }

  /** The controller's ledger changelog (internal). */
  public String ledgerTopic() {
    return topics.get("ledger");
  }
}
