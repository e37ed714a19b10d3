package dev.baton.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.baton.control.ledger.LedgerMaintenance;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;

class ControllerConfigTest {

  @Test
  void defaults() {
    ControllerConfig config = ControllerConfig.fromConfig(Map.of("kafka.bootstrap.servers", "b:9092",
        "controller.checkpoint-location", "/var/baton/checkpoint"));

    assertThat(config.kafka()).containsExactly(Map.entry("bootstrap.servers", "b:9092"));
    assertThat(config.checkpointLocation()).isEqualTo("/var/baton/checkpoint");
    assertThat(config.triggerIntervalMs()).isEqualTo(100L);
    assertThat(config.maxConcurrentStages()).isEqualTo(8);
    assertThat(config.launchJournalLocation()).isEqualTo("/var/baton/checkpoint-launches");
    assertThat(config.ledgerIntervalMs()).isEqualTo(5_000L);
    assertThat(config.maxOffsetsPerTrigger()).isEqualTo(10_000L);
    assertThat(config.ledgerCheckpointLocation()).isEqualTo("/var/baton/checkpoint-ledger");
    assertThat(config.stateRetentionMs()).isEqualTo(604_800_000L);
    assertThat(config.maxQueuedStages()).isEqualTo(10_000);
    assertThat(config.tombstoneRetentionMs()).isEqualTo(2_592_000_000L);
    assertThat(config.waitingTimeoutMs()).isEqualTo(86_400_000L);
    assertThat(config.defaultLauncher()).isEqualTo("in-process");
    assertThat(config.ledgerMaintenance()).isEqualTo(new LedgerMaintenance.Settings(true, 3_600_000L, 3_600_000L, 10,
        259_200_000L));
    assertThat(config.objectsTopic()).isEqualTo("baton.objects");
    assertThat(config.controlTopic()).isEqualTo("baton.control");
    assertThat(config.dlqTopic()).isEqualTo("baton.dlq");
    assertThat(config.alertsTopic()).isEqualTo("baton.alerts");
    assertThat(config.ledgerTopic()).isEqualTo("baton.ledger");
  }

  @Test
  void explicitValues() {
    ControllerConfig config = ControllerConfig.fromConfig(explicit());

    assertThat(config.kafka()).containsExactlyInAnyOrderEntriesOf(Map.of("bootstrap.servers", "b1:9096,b2:9096",
        "security.protocol", "SASL_SSL", "sasl.mechanism", "AWS_MSK_IAM"));
    assertThat(config.checkpointLocation()).isEqualTo("s3://ops/baton/checkpoint");
    assertThat(config.triggerIntervalMs()).isEqualTo(250L);
    assertThat(config.maxConcurrentStages()).isEqualTo(3);
    assertThat(config.launchJournalLocation()).isEqualTo("s3://ops/baton/launches");
    assertThat(config.ledgerIntervalMs()).isEqualTo(1_000L);
    assertThat(config.maxOffsetsPerTrigger()).isEqualTo(500L);
    assertThat(config.stateRetentionMs()).isEqualTo(86_400_000L);
    assertThat(config.maxQueuedStages()).isEqualTo(20);
    assertThat(config.tombstoneRetentionMs()).isEqualTo(172_800_000L);
    assertThat(config.waitingTimeoutMs()).isEqualTo(3_600_000L);
    assertThat(config.defaultLauncher()).isEqualTo("k8s");
    assertThat(config.ledgerMaintenance()).isEqualTo(new LedgerMaintenance.Settings(false, 600_000L, 7_200_000L, 3,
        3_600_000L));
    assertThat(config.objectsTopic()).isEqualTo("prod.objects");
    assertThat(config.controlTopic()).isEqualTo("prod.control");
    assertThat(config.dlqTopic()).isEqualTo("prod.dlq");
    assertThat(config.alertsTopic()).isEqualTo("prod.alerts");
    assertThat(config.ledgerTopic()).isEqualTo("prod.ledger");
  }

  @Test
  void theLaunchJournalFollowsARemoteCheckpointAndIsNeverLocalBesideIt() {
    Map<String, String> remote = new HashMap<>(Map.of("kafka.bootstrap.servers", "b:9092",
        "controller.checkpoint-location", "s3://ops/baton/checkpoint/"));
    assertThat(ControllerConfig.fromConfig(remote).launchJournalLocation()).isEqualTo("s3://ops/baton/checkpoint-launches");

    remote.put("controller.launch-journal-location", "/var/baton/launches");
    assertThatThrownBy(() -> ControllerConfig.fromConfig(remote).launchJournalLocation())
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("controller.launch-journal-location")
        .hasMessageContaining("a local launch journal with the remote checkpoint s3://ops/baton/checkpoint/");

    remote.put("controller.launch-journal-location", "hdfs://nn/baton/launches");
    assertThatThrownBy(() -> ControllerConfig.fromConfig(remote).launchJournalLocation())
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("must be a local folder or an s3:// (s3a://) prefix");

    Map<String, String> local = Map.of("kafka.bootstrap.servers", "b:9092",
        "controller.checkpoint-location", "file:///var/baton/checkpoint", "controller.launch-journal-location",
        "s3a://ops/launches");
    assertThat(ControllerConfig.fromConfig(local).launchJournalLocation()).isEqualTo("s3a://ops/launches");
  }

  @Test
  void everyKeyDefinedIsCoveredByTheseTests() {
    Map<String, String> defined = new HashMap<>(explicit());
    defined.keySet().removeIf(key -> key.startsWith("kafka.") && !key.equals(ControllerConfig.KAFKA_BOOTSTRAP_SERVERS));
    assertThat(ControllerConfig.CONFIG_DEF.names()).containsExactlyInAnyOrderElementsOf(defined.keySet());
  }

  @Test
  void missingBootstrapServersNamesTheKey() {
    assertThatThrownBy(() -> ControllerConfig.fromConfig(Map.of("controller.checkpoint-location", "/c")))
        .isInstanceOf(ConfigException.class)
        .hasMessage("Missing required configuration \"kafka.bootstrap.servers\" which has no default value.");
  }

  @Test
  void checkpointIsRequiredOnlyWhenUsed() {
    ControllerConfig producerSide = ControllerConfig.fromConfig(Map.of("kafka.bootstrap.servers", "b:9092"));

    assertThat(producerSide.controlTopic()).isEqualTo("baton.control");
    assertThatThrownBy(producerSide::checkpointLocation)
        .isInstanceOf(ConfigException.class)
        .hasMessage("Missing required configuration \"controller.checkpoint-location\" which has no default value"
            + " (the controller needs it).");
  }

  @Test
  void valuesOutOfRangeOrOfTheWrongTypeNameTheKey() {
    assertThatThrownBy(() -> ControllerConfig.fromConfig(with("controller.trigger-interval-ms", "-1")))
        .isInstanceOf(ConfigException.class)
        .hasMessage("Invalid value -1 for configuration controller.trigger-interval-ms: Value must be at least 0");
    assertThatThrownBy(() -> ControllerConfig.fromConfig(with("controller.max-concurrent-stages", "0")))
        .hasMessage("Invalid value 0 for configuration controller.max-concurrent-stages: Value must be at least 1");
    assertThatThrownBy(() -> ControllerConfig.fromConfig(with("controller.state-retention-ms", "a week")))
        .hasMessage("Invalid value a week for configuration controller.state-retention-ms: Not a number of type LONG");
    assertThatThrownBy(() -> ControllerConfig.fromConfig(with("controller.max-queued-stages", "-1")))
        .hasMessage("Invalid value -1 for configuration controller.max-queued-stages: Value must be at least 0");
    assertThatThrownBy(() -> ControllerConfig.fromConfig(with("controller.waiting-timeout-ms", "0")))
        .hasMessage("Invalid value 0 for configuration controller.waiting-timeout-ms: Value must be at least 1");
    assertThatThrownBy(() -> ControllerConfig.fromConfig(with("controller.ledger-maintenance.orphan-min-age-ms",
        "3599999")))
        .hasMessage("Invalid value 3599999 for configuration controller.ledger-maintenance.orphan-min-age-ms: Value must"
            + " be at least 3600000");
    assertThatThrownBy(() -> ControllerConfig.fromConfig(with("controller.ledger-maintenance.min-snapshots-to-keep",
        "0")))
        .hasMessage("Invalid value 0 for configuration controller.ledger-maintenance.min-snapshots-to-keep: Value must"
            + " be at least 1");
    assertThatThrownBy(() -> ControllerConfig.fromConfig(with("controller.ledger-maintenance.enabled", "yes")))
        .hasMessage("Invalid value yes for configuration controller.ledger-maintenance.enabled: Expected value to be"
            + " either true or false");
    assertThatThrownBy(() -> ControllerConfig.fromConfig(with("topics.control", " ")))
        .hasMessage("Invalid value  for configuration topics.control: String may not be empty");
  }

  @Test
  void unknownTopicRoleIsRefused() {
    assertThatThrownBy(() -> ControllerConfig.fromConfig(with("topics.objetcs", "x")))
        .isInstanceOf(ConfigException.class)
        .hasMessage("Invalid value x for configuration topics.objetcs: unknown topic role (known: [alerts, control,"
            + " dlq, ledger, objects])");
  }

  private static Map<String, String> with(String key, String value) {
    Map<String, String> config = new LinkedHashMap<>();
    config.put("kafka.bootstrap.servers", "b:9092");
    config.put("controller.checkpoint-location", "/c");
    config.put(key, value);
    return config;
  }

  private static Map<String, String> explicit() {
    Map<String, String> config = new LinkedHashMap<>();
    config.put("kafka.bootstrap.servers", "b1:9096,b2:9096");
    config.put("kafka.security.protocol", "SASL_SSL");
    config.put("kafka.sasl.mechanism", "AWS_MSK_IAM");
    config.put("controller.checkpoint-location", "s3://ops/baton/checkpoint");
    config.put("controller.trigger-interval-ms", "250");
    config.put("controller.max-concurrent-stages", "3");
    config.put("controller.launch-journal-location", "s3://ops/baton/launches");
    config.put("controller.ledger-interval-ms", "1000");
    config.put("controller.max-offsets-per-trigger", "500");
    config.put("controller.state-retention-ms", "86400000");
    config.put("controller.max-queued-stages", "20");
    config.put("controller.tombstone-retention-ms", "172800000");
    config.put("controller.waiting-timeout-ms", "3600000");
    config.put("controller.default-launcher", "k8s");
    config.put("controller.ledger-maintenance.enabled", "false");
    config.put("controller.ledger-maintenance.interval-ms", "600000");
    config.put("controller.ledger-maintenance.max-snapshot-age-ms", "7200000");
    config.put("controller.ledger-maintenance.min-snapshots-to-keep", "3");
    config.put("controller.ledger-maintenance.orphan-min-age-ms", "3600000");
    config.put("topics.objects", "prod.objects");
    config.put("topics.control", "prod.control");
    config.put("topics.dlq", "prod.dlq");
    config.put("topics.alerts", "prod.alerts");
    config.put("topics.ledger", "prod.ledger");
    return config;
  }
}
