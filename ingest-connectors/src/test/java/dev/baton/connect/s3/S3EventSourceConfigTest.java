package dev.baton.connect.s3;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.kafka.common.config.ConfigValue;
import org.junit.jupiter.api.Test;

class S3EventSourceConfigTest {

  @Test
  void defaults() {
    S3EventSourceConfig config = new S3EventSourceConfig(Map.of("s3.bucket", "landing"));

    assertThat(config.mode()).isEqualTo("listing");
    assertThat(config.topic()).isEqualTo("baton.objects");
    assertThat(config.prefix()).isEmpty();
    assertThat(config.endpoint()).isEmpty();
    assertThat(config.region()).isEqualTo("us-east-1");
    assertThat(config.pathStyleAccess()).isFalse();
    assertThat(config.accessKeyId()).isEmpty();
    assertThat(config.secretAccessKey().value()).isEmpty();
    assertThat(config.pollIntervalMs()).isEqualTo(5_000L);
    assertThat(config.graceMs()).isEqualTo(300_000L);
    assertThat(config.batchMaxRecords()).isEqualTo(1_000);
  }

  @Test
  void explicitValues() {
    Map<String, String> props = new HashMap<>();
    props.put("s3.bucket", "b");
    props.put("topic", "t");
    props.put("s3.prefix", "p/");
    props.put("s3.endpoint", "http://127.0.0.1:9000");
    props.put("s3.region", "eu-west-1");
    props.put("s3.path.style.access", "true");
    props.put("s3.access.key.id", "ak");
    props.put("s3.secret.access.key", "sk");
    props.put("listing.poll.interval.ms", "250");
    props.put("listing.grace.ms", "0");
    props.put("batch.max.records", "7");

    S3EventSourceConfig config = new S3EventSourceConfig(props);

    assertThat(config.topic()).isEqualTo("t");
    assertThat(config.prefix()).isEqualTo("p/");
    assertThat(config.endpoint()).isEqualTo("http://127.0.0.1:9000");
    assertThat(config.region()).isEqualTo("eu-west-1");
    assertThat(config.pathStyleAccess()).isTrue();
    assertThat(config.accessKeyId()).isEqualTo("ak");
    assertThat(config.secretAccessKey().value()).isEqualTo("sk");
    assertThat(config.pollIntervalMs()).isEqualTo(250L);
    assertThat(config.graceMs()).isZero();
    assertThat(config.batchMaxRecords()).isEqualTo(7);
  }

  @Test
  void validateReportsErrorsPerField() {
    Map<String, String> props = Map.of("mode", "carrier-pigeon", "listing.poll.interval.ms", "5", "s3.bucket", "");

    Map<String, List<String>> errors = new S3EventSourceConnector().validate(props).configValues().stream()
        .filter(value -> !value.errorMessages().isEmpty())
        .collect(Collectors.toMap(ConfigValue::name, ConfigValue::errorMessages));

    assertThat(errors).containsOnlyKeys("mode", "listing.poll.interval.ms", "s3.bucket");
    assertThat(errors.get("mode").get(0)).contains("carrier-pigeon");
    assertThat(errors.get("listing.poll.interval.ms").get(0)).contains("at least 100");
  }
}
