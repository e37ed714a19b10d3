package dev.baton.connect.s3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.ConfigValue;
import org.junit.jupiter.api.Test;

class S3EventSourceConfigTest {

  @Test
  void defaults() {
    S3EventSourceConfig config = new S3EventSourceConfig(Map.of("s3.bucket", "landing"));

    assertThat(config.mode()).isEqualTo("listing");
    assertThat(config.topic()).isEqualTo("baton.objects");
    assertThat(config.controlTopic()).isEqualTo("baton.control");
    assertThat(config.dlqTopic()).isEqualTo("baton.dlq");
    assertThat(config.bucket()).isEqualTo("landing");
    assertThat(config.prefixes()).containsExactly("");
    assertThat(config.includeGlobs()).isEmpty();
    assertThat(config.excludeGlobs()).isEmpty();
    assertThat(config.endpoint()).isEmpty();
    assertThat(config.region()).isEqualTo("us-east-1");
    assertThat(config.pathStyleAccess()).isFalse();
    assertThat(config.accessKeyId()).isEmpty();
    assertThat(config.secretAccessKey().value()).isEmpty();
    assertThat(config.sqsQueueUrl()).isEmpty();
    assertThat(config.sqsEndpoint()).isEmpty();
    assertThat(config.sqsRegion()).isEqualTo("us-east-1");
    assertThat(config.sqsAccessKeyId()).isEmpty();
    assertThat(config.sqsSecretAccessKey().value()).isEmpty();
    assertThat(config.sqsWaitTimeSeconds()).isEqualTo(5);
    assertThat(config.sqsMaxMessages()).isEqualTo(10);
    assertThat(config.sqsVisibilityTimeoutSeconds()).isZero();
    assertThat(config.sqsDeleteLingerMs()).isEqualTo(100L);
    assertThat(config.pollIntervalMs()).isEqualTo(5_000L);
    assertThat(config.graceMs()).isEqualTo(300_000L);
    assertThat(config.batchMaxRecords()).isEqualTo(1_000);
    assertThat(config.eventBridgeKeysUrlEncoded()).isTrue();
    assertThat(config.emrLookup()).isTrue();
    assertThat(config.emrEndpoint()).isEmpty();
    assertThat(config.emrServerlessEndpoint()).isEmpty();
    assertThat(config.emrContainersEndpoint()).isEmpty();
    assertThat(config.emrAccessKeyId()).isEmpty();
    assertThat(config.emrSecretAccessKey().value()).isEmpty();
    assertThat(config.flagKeyPattern()).isEmpty();
    assertThat(config.flagPipeline()).isEmpty();
    assertThat(config.flagStages()).isEmpty();
    assertThat(config.flagMaxBytes()).isEqualTo(65_536);
  }

  @Test
  void everyKeyDefinedIsCoveredByTheseTests() {
    assertThat(S3EventSourceConfig.CONFIG_DEF.names()).containsExactlyInAnyOrderElementsOf(explicit().keySet());
  }

  private static Map<String, String> explicit() {
    Map<String, String> props = new HashMap<>();
    props.put("mode", "sqs");
    props.put("topic", "t");
    props.put("control.topic", "c");
    props.put("dlq.topic", "d");
    props.put("s3.bucket", "b");
    props.put("s3.prefixes", "p/,q/");
    props.put("key.include.globs", "**/*.csv,**/_job_status*");
    props.put("key.exclude.globs", "**/_SUCCESS");
    props.put("s3.endpoint", "http://127.0.0.1:9000");
    props.put("s3.region", "eu-west-1");
    props.put("s3.path.style.access", "true");
    props.put("s3.access.key.id", "ak");
    props.put("s3.secret.access.key", "sk");
    props.put("sqs.queue.url", "http://127.0.0.1:9324/000000000000/q");
    props.put("sqs.endpoint", "http://127.0.0.1:9324");
    props.put("sqs.region", "eu-central-1");
    props.put("sqs.access.key.id", "qa");
    props.put("sqs.secret.access.key", "qs");
    props.put("sqs.wait.time.seconds", "3");
    props.put("sqs.max.messages", "4");
    props.put("sqs.visibility.timeout.seconds", "60");
    props.put("sqs.delete.linger.ms", "0");
    props.put("poll.interval.ms", "250");
    props.put("listing.grace.ms", "0");
    props.put("batch.max.records", "7");
    props.put("eventbridge.key.url.encoded", "false");
    props.put("emr.lookup", "false");
    props.put("emr.endpoint", "https://vpce-2.elasticmapreduce.us-east-1.vpce.amazonaws.com");
    props.put("emr.serverless.endpoint", "https://vpce-1.emr-serverless.us-east-1.vpce.amazonaws.com");
    props.put("emr.containers.endpoint", "https://vpce-3.emr-containers.us-east-1.vpce.amazonaws.com");
    props.put("emr.access.key.id", "AKIDEXAMPLE");
    props.put("emr.secret.access.key", "emr-secret");
    props.put("flag.key.pattern", "orders/{batch}/_job_status{n}");
    props.put("flag.pipeline", "legacy-12");
    props.put("flag.stages", "s1,s2,s3");
    props.put("flag.max.bytes", "1024");
    return props;
  }

  @Test
  void explicitValues() {
    S3EventSourceConfig config = new S3EventSourceConfig(explicit());

    assertThat(config.mode()).isEqualTo("sqs");
    assertThat(config.topic()).isEqualTo("t");
    assertThat(config.controlTopic()).isEqualTo("c");
    assertThat(config.dlqTopic()).isEqualTo("d");
    assertThat(config.bucket()).isEqualTo("b");
    assertThat(config.prefixes()).containsExactly("p/", "q/");
    assertThat(config.includeGlobs()).containsExactly("**/*.csv", "**/_job_status*");
    assertThat(config.excludeGlobs()).containsExactly("**/_SUCCESS");
    assertThat(config.endpoint()).isEqualTo("http://127.0.0.1:9000");
    assertThat(config.region()).isEqualTo("eu-west-1");
    assertThat(config.pathStyleAccess()).isTrue();
    assertThat(config.accessKeyId()).isEqualTo("ak");
    assertThat(config.secretAccessKey().value()).isEqualTo("sk");
    assertThat(config.sqsQueueUrl()).isEqualTo("http://127.0.0.1:9324/000000000000/q");
    assertThat(config.sqsEndpoint()).isEqualTo("http://127.0.0.1:9324");
    assertThat(config.sqsRegion()).isEqualTo("eu-central-1");
    assertThat(config.sqsAccessKeyId()).isEqualTo("qa");
    assertThat(config.sqsSecretAccessKey().value()).isEqualTo("qs");
    assertThat(config.sqsWaitTimeSeconds()).isEqualTo(3);
    assertThat(config.sqsMaxMessages()).isEqualTo(4);
    assertThat(config.sqsVisibilityTimeoutSeconds()).isEqualTo(60);
    assertThat(config.sqsDeleteLingerMs()).isZero();
    assertThat(config.pollIntervalMs()).isEqualTo(250L);
    assertThat(config.graceMs()).isZero();
    assertThat(config.batchMaxRecords()).isEqualTo(7);
    assertThat(config.eventBridgeKeysUrlEncoded()).isFalse();
    assertThat(config.emrLookup()).isFalse();
    assertThat(config.emrEndpoint()).isEqualTo("https://vpce-2.elasticmapreduce.us-east-1.vpce.amazonaws.com");
    assertThat(config.emrServerlessEndpoint()).isEqualTo("https://vpce-1.emr-serverless.us-east-1.vpce.amazonaws.com");
    assertThat(config.emrContainersEndpoint()).isEqualTo("https://vpce-3.emr-containers.us-east-1.vpce.amazonaws.com");
    assertThat(config.emrAccessKeyId()).isEqualTo("AKIDEXAMPLE");
    assertThat(config.emrSecretAccessKey().value()).isEqualTo("emr-secret");
    assertThat(config.emrSecretAccessKey().toString()).doesNotContain("emr-secret");
    assertThat(config.flagKeyPattern()).isEqualTo("orders/{batch}/_job_status{n}");
    assertThat(config.flagPipeline()).isEqualTo("legacy-12");
    assertThat(config.flagStages()).containsExactly("s1", "s2", "s3");
    assertThat(config.flagMaxBytes()).isEqualTo(1024);
  }

  private static Map<String, List<String>> errors(Map<String, String> props) {
    return new S3EventSourceConnector().validate(props).configValues().stream()
        .filter(value -> !value.errorMessages().isEmpty())
        .collect(Collectors.toMap(ConfigValue::name, ConfigValue::errorMessages));
  }

  @Test
  void validateReportsInvalidValuesPerField() {
    Map<String, String> props = new HashMap<>();
    props.put("mode", "carrier-pigeon");
    props.put("topic", "");
    props.put("poll.interval.ms", "5");
    props.put("sqs.wait.time.seconds", "21");
    props.put("sqs.max.messages", "11");
    props.put("sqs.visibility.timeout.seconds", "-1");
    props.put("batch.max.records", "0");
    props.put("s3.path.style.access", "maybe");
    props.put("key.include.globs", "orders/[a-");
    props.put("flag.key.pattern", "orders/_job_status{n}");
    props.put("flag.pipeline", "legacy");
    props.put("flag.stages", "s1");
    props.put("flag.max.bytes", "abc");

    Map<String, List<String>> errors = errors(props);

    assertThat(errors).containsOnlyKeys("mode", "topic", "poll.interval.ms", "sqs.wait.time.seconds",
        "sqs.max.messages", "sqs.visibility.timeout.seconds", "batch.max.records", "s3.path.style.access",
        "key.include.globs", "flag.key.pattern", "flag.max.bytes");
    assertThat(errors.get("mode").get(0)).contains("carrier-pigeon");
    assertThat(errors.get("poll.interval.ms").get(0)).contains("at least 100");
    assertThat(errors.get("sqs.wait.time.seconds").get(0)).contains("no more than 20");
    assertThat(errors.get("key.include.globs").get(0)).contains("invalid glob");
    assertThat(errors.get("flag.key.pattern").get(0)).contains("{batch}");
  }

  @Test
  void validateReportsKeysOtherKeysRequire() {
    assertThat(errors(Map.of("mode", "listing", "s3.bucket", " "))).containsOnlyKeys("s3.bucket")
        .satisfies(e -> assertThat(e.get("s3.bucket").get(0)).contains("required in mode 'listing'"));
    assertThat(errors(Map.of("mode", "sqs"))).containsOnlyKeys("sqs.queue.url")
        .satisfies(e -> assertThat(e.get("sqs.queue.url").get(0)).contains("required in mode 'sqs'"));
    assertThat(errors(Map.of("mode", "sqs", "sqs.queue.url", "u", "flag.key.pattern", "o/{batch}/f{n}")))
        .containsOnlyKeys("flag.pipeline", "flag.stages");
    assertThat(errors(Map.of("mode", "sqs", "sqs.queue.url", "u"))).isEmpty();
  }

  @Test
  void sqsModeRefusesErrorToleranceAllAndRenamedKeysAreRefusedWithTheirNewName() {
    assertThat(errors(Map.of("mode", "sqs", "sqs.queue.url", "u", "errors.tolerance", "all"))).containsOnlyKeys("mode")
        .satisfies(e -> assertThat(e.get("mode").get(0)).contains("errors.tolerance=none"));
    assertThat(errors(Map.of("mode", "sqs", "sqs.queue.url", "u", "errors.tolerance", "none"))).isEmpty();
    assertThat(errors(Map.of("s3.bucket", "b", "s3.prefix", "orders/", "listing.poll.interval.ms", "500")))
        .containsOnlyKeys("s3.prefixes", "poll.interval.ms")
        .satisfies(e -> assertThat(e.get("s3.prefixes").get(0)).contains("s3.prefix was renamed to s3.prefixes"));
  }

  @Test
  void constructorRejectsAMissingRequiredKeyNamingIt() {
    assertThatThrownBy(() -> new S3EventSourceConfig(Map.of("mode", "sqs")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("sqs.queue.url");
  }

  @Test
  void listingSplitsPrefixesAcrossTasksAndSqsGivesEveryTaskTheQueue() {
    S3EventSourceConnector connector = new S3EventSourceConnector();
    connector.start(Map.of("s3.bucket", "b", "s3.prefixes", "a/,b/,c/"));
    assertThat(connector.taskConfigs(2)).extracting(task -> task.get("s3.prefixes")).containsExactly("a/,c/", "b/");
    assertThat(connector.taskConfigs(8)).extracting(task -> task.get("s3.prefixes")).containsExactly("a/", "b/", "c/");

    connector.start(Map.of("mode", "sqs", "sqs.queue.url", "u"));
    assertThat(connector.taskConfigs(4)).hasSize(4).allSatisfy(task -> assertThat(task).containsEntry("sqs.queue.url", "u"));
  }
}
