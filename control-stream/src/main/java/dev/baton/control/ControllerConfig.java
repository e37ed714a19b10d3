package dev.baton.control;

import static java.util.Objects.requireNonNull;

import dev.baton.schemas.Topics;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Settings of the controller query.
 *
 * <p>Keys in Baton configuration: {@code kafka.*} (passed to the Kafka source and producers with
 * the prefix removed, e.g. {@code kafka.bootstrap.servers}, {@code kafka.security.protocol});
 * {@value #CHECKPOINT_LOCATION} (required; local path or {@code s3://}); {@value
 * #TRIGGER_INTERVAL_MS} (default {@value #TRIGGER_INTERVAL_MS_DEFAULT}); {@value
 * #MAX_CONCURRENT_STAGES} (in-process launcher; default {@value #MAX_CONCURRENT_STAGES_DEFAULT}); {@value
 * #LEDGER_INTERVAL_MS} (how often the ledger query writes, default {@value #LEDGER_INTERVAL_MS_DEFAULT});
 * {@value #STATE_RETENTION_MS} (how long an ended run keeps its full state, default 7 days);
 * {@code topics.objects|control|dlq|alerts|ledger} (topic names, defaults in {@link Topics}).
 *
 * @param kafka Kafka client settings without the {@code kafka.} prefix; {@code bootstrap.servers} required
 * @param checkpointLocation where Structured Streaming keeps offsets and the state store
 * @param triggerIntervalMs micro-batch interval, ms
 * @param maxConcurrentStages stage attempts the in-process launcher runs at once
 * @param launchJournalLocation local folder of the launch journal ({@value #LAUNCH_JOURNAL_LOCATION};
 *     default: the checkpoint location with {@code -launches} appended)
 * @param ledgerIntervalMs micro-batch interval of the ledger query, ms
 * @param topics topic names by role: {@code objects}, {@code control}, {@code dlq}, {@code alerts}, {@code ledger}
 * @param stateRetentionMs how long a run that ended keeps its full state (it can be resumed), ms;
 *     afterwards only a tombstone remains, which still ignores duplicates of the run's events
 */
public record ControllerConfig(Map<String, String> kafka, String checkpointLocation, long triggerIntervalMs,
    int maxConcurrentStages, String launchJournalLocation, long ledgerIntervalMs, Map<String, String> topics,
    long stateRetentionMs) {

  public static final String CHECKPOINT_LOCATION = "controller.checkpoint-location";
  public static final String TRIGGER_INTERVAL_MS = "controller.trigger-interval-ms";
  public static final long TRIGGER_INTERVAL_MS_DEFAULT = 100;
  public static final String MAX_CONCURRENT_STAGES = "controller.max-concurrent-stages";
  public static final int MAX_CONCURRENT_STAGES_DEFAULT = 8;
  public static final String LAUNCH_JOURNAL_LOCATION = "controller.launch-journal-location";
  public static final String LEDGER_INTERVAL_MS = "controller.ledger-interval-ms";
  public static final long LEDGER_INTERVAL_MS_DEFAULT = 5_000;
  public static final String STATE_RETENTION_MS = "controller.state-retention-ms";
  public static final long STATE_RETENTION_MS_DEFAULT = 7L * 24 * 60 * 60 * 1000;
  /** Topic roles and their default names; a key {@code topics.<role>} overrides one. */
  public static final Map<String, String> DEFAULT_TOPICS = Map.of("objects", Topics.OBJECTS, "control", Topics.CONTROL,
      "dlq", Topics.DLQ, "alerts", Topics.ALERTS, "ledger", Topics.LEDGER);

  public ControllerConfig {
    kafka = Map.copyOf(requireNonNull(kafka, "Invalid kafka: null"));
    if (!kafka.containsKey("bootstrap.servers")) {
      throw new IllegalArgumentException("Cannot configure controller: missing kafka.bootstrap.servers");
    }
    requireNonNull(checkpointLocation, "Invalid checkpointLocation: null");
    if (triggerIntervalMs < 0) {
      throw new IllegalArgumentException("Cannot configure controller: invalid " + TRIGGER_INTERVAL_MS + " " + triggerIntervalMs);
    }
    if (maxConcurrentStages < 1) {
      throw new IllegalArgumentException("Cannot configure controller: invalid " + MAX_CONCURRENT_STAGES + " " + maxConcurrentStages);
    }
    requireNonNull(launchJournalLocation, "Invalid launchJournalLocation: null");
    if (ledgerIntervalMs < 0) {
      throw new IllegalArgumentException("Cannot configure controller: invalid " + LEDGER_INTERVAL_MS + " " + ledgerIntervalMs);
    }
    if (stateRetentionMs < 1) {
      throw new IllegalArgumentException("Cannot configure controller: invalid " + STATE_RETENTION_MS + " " + stateRetentionMs);
    }
    topics = Map.copyOf(requireNonNull(topics, "Invalid topics: null"));
    if (!topics.keySet().equals(DEFAULT_TOPICS.keySet())) {
      throw new IllegalArgumentException("Cannot configure controller: topics must name exactly " + DEFAULT_TOPICS.keySet()
          + ", got " + topics.keySet());
    }
  }

  /**
   * Reads the controller settings from Baton configuration.
   *
   * @throws IllegalArgumentException if a required key is missing or a value is invalid
   */
  public static ControllerConfig fromConfig(Map<String, String> config) {
    Map<String, String> kafka = withoutPrefix(config, "kafka.");
    Map<String, String> topics = new LinkedHashMap<>(DEFAULT_TOPICS);
    withoutPrefix(config, "topics.").forEach((role, name) -> {
      if (!DEFAULT_TOPICS.containsKey(role)) {
        throw new IllegalArgumentException("Cannot configure controller: unknown key topics." + role
            + " (known: " + new java.util.TreeSet<>(DEFAULT_TOPICS.keySet()) + ")");
      }
      if (name.isBlank()) {
        throw new IllegalArgumentException("Cannot configure controller: topics." + role + " is blank");
      }
      topics.put(role, name.trim());
    });
    String checkpoint = config.get(CHECKPOINT_LOCATION);
    if (checkpoint == null) {
      throw new IllegalArgumentException("Cannot configure controller: missing " + CHECKPOINT_LOCATION);
    }
    return new ControllerConfig(kafka, checkpoint,
        parseLong(config, TRIGGER_INTERVAL_MS, TRIGGER_INTERVAL_MS_DEFAULT),
        (int) parseLong(config, MAX_CONCURRENT_STAGES, MAX_CONCURRENT_STAGES_DEFAULT),
        config.getOrDefault(LAUNCH_JOURNAL_LOCATION, checkpoint + "-launches"),
        parseLong(config, LEDGER_INTERVAL_MS, LEDGER_INTERVAL_MS_DEFAULT), topics,
        parseLong(config, STATE_RETENTION_MS, STATE_RETENTION_MS_DEFAULT));
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

  /** Where the ledger query keeps its offsets: the checkpoint location with {@code -ledger} appended. */
  public String ledgerCheckpointLocation() {
    return checkpointLocation + "-ledger";
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

  private static long parseLong(Map<String, String> config, String key, long defaultValue) {
    String value = config.get(key);
    if (value == null) {
      return defaultValue;
    }
    try {
      return Long.parseLong(value.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("Cannot configure controller: " + key + " is not a whole number: '" + value + "'");
    }
  }
}
