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
 * #MAX_CONCURRENT_STAGES} (in-process launcher; default {@value #MAX_CONCURRENT_STAGES_DEFAULT}).
 *
 * @param kafka Kafka client settings without the {@code kafka.} prefix; {@code bootstrap.servers} required
 * @param checkpointLocation where Structured Streaming keeps offsets and the state store
 * @param triggerIntervalMs micro-batch interval, ms
 * @param maxConcurrentStages stage attempts the in-process launcher runs at once
 * @param launchJournalLocation local folder of the launch journal ({@value #LAUNCH_JOURNAL_LOCATION};
 *     default: the checkpoint location with {@code -launches} appended)
 */
public record ControllerConfig(Map<String, String> kafka, String checkpointLocation, long triggerIntervalMs,
    int maxConcurrentStages, String launchJournalLocation) {

  public static final String CHECKPOINT_LOCATION = "controller.checkpoint-location";
  public static final String TRIGGER_INTERVAL_MS = "controller.trigger-interval-ms";
  public static final long TRIGGER_INTERVAL_MS_DEFAULT = 100;
  public static final String MAX_CONCURRENT_STAGES = "controller.max-concurrent-stages";
  public static final int MAX_CONCURRENT_STAGES_DEFAULT = 8;
  public static final String LAUNCH_JOURNAL_LOCATION = "controller.launch-journal-location";

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
  }

  /**
   * Reads the controller settings from Baton configuration.
   *
   * @throws IllegalArgumentException if a required key is missing or a value is invalid
   */
  public static ControllerConfig fromConfig(Map<String, String> config) {
    Map<String, String> kafka = new LinkedHashMap<>();
    config.forEach((key, value) -> {
      if (key.startsWith("kafka.")) {
        kafka.put(key.substring("kafka.".length()), value);
      }
    });
    String checkpoint = config.get(CHECKPOINT_LOCATION);
    if (checkpoint == null) {
      throw new IllegalArgumentException("Cannot configure controller: missing " + CHECKPOINT_LOCATION);
    }
    return new ControllerConfig(kafka, checkpoint,
        parseLong(config, TRIGGER_INTERVAL_MS, TRIGGER_INTERVAL_MS_DEFAULT),
        (int) parseLong(config, MAX_CONCURRENT_STAGES, MAX_CONCURRENT_STAGES_DEFAULT),
        config.getOrDefault(LAUNCH_JOURNAL_LOCATION, checkpoint + "-launches"));
  }

  /** Kafka settings for producers, as objects. */
  public Map<String, Object> kafkaProducerConfig() {
    return new LinkedHashMap<>(kafka);
  }

  /** The topic names (fixed for now; see {@link Topics}). */
  public String objectsTopic() {
    return Topics.OBJECTS;
  }

  public String controlTopic() {
    return Topics.CONTROL;
  }

  public String dlqTopic() {
    return Topics.DLQ;
  }

  public String alertsTopic() {
    return Topics.ALERTS;
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
