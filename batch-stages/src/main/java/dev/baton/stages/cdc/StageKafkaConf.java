package dev.baton.stages.cdc;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * How Baton's Kafka settings reach stages that read Kafka ({@code cdc-merge}): the sessions that run
 * stages (the controller's, the stage runner's) copy each {@code kafka.<setting>} of Baton's
 * configuration to the Spark conf key {@value CdcMergeStage#KAFKA_CONF_PREFIX}{@code <setting>}, and
 * extend Spark's redaction pattern to {@code jaas}, so a SASL login module's password is shown as
 * redacted wherever Spark prints its configuration (as {@code password}, {@code secret} and {@code
 * token} keys already are).
 */
public final class StageKafkaConf {
  /** Spark 3.5's default {@code spark.redaction.regex} plus {@code jaas}. */
  public static final String REDACTION_REGEX = "(?i)secret|password|token|access[.]?key|jaas";

  private StageKafkaConf() {}

  /**
   * The Spark settings carrying Baton's {@code kafka.*} settings (values as given: resolved secrets).
   *
   * @param settings Baton's configuration
   * @return {@code spark.baton.kafka.*} keys and {@code spark.redaction.regex}; empty when there is no {@code kafka.*}
   */
  public static Map<String, String> sparkSettings(Map<String, String> settings) {
    Map<String, String> conf = new LinkedHashMap<>();
    settings.forEach((key, value) -> {
      if (key.startsWith("kafka.")) {
        conf.put(CdcMergeStage.KAFKA_CONF_PREFIX + key.substring("kafka.".length()), value);
      }
    });
    if (!conf.isEmpty()) {
      conf.put("spark.redaction.regex", REDACTION_REGEX);
    }
    return conf;
  }
}
