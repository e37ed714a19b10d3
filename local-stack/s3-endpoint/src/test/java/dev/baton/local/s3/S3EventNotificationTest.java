package dev.baton.local.s3;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class S3EventNotificationTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void writesTheAwsRecordShape() throws Exception {
    String body = S3EventNotification.objectCreated("ObjectCreated:Put", "landing", "in/orders.csv", 42,
        "\"0123abcd\"", Instant.parse("2026-01-31T12:00:00.123456Z"), "1880A2B3C4D5E6F7");

    JsonNode records = JSON.readTree(body).get("Records");
    assertThat(records).hasSize(1);
    JsonNode record = records.get(0);
    assertThat(record.get("eventVersion").asText()).isEqualTo("2.1");
    assertThat(record.get("eventSource").asText()).isEqualTo("aws:s3");
    assertThat(record.get("awsRegion").asText()).isEqualTo("us-east-1");
    assertThat(record.get("eventTime").asText()).isEqualTo("2026-01-31T12:00:00.123Z");
    assertThat(record.get("eventName").asText()).isEqualTo("ObjectCreated:Put");
    JsonNode s3 = record.get("s3");
    assertThat(s3.get("s3SchemaVersion").asText()).isEqualTo("1.0");
    assertThat(s3.get("configurationId").asText()).isEqualTo("baton-local");
    assertThat(s3.at("/bucket/name").asText()).isEqualTo("landing");
    assertThat(s3.at("/bucket/arn").asText()).isEqualTo("arn:aws:s3:::landing");
    assertThat(s3.at("/object/key").asText()).isEqualTo("in/orders.csv");
    assertThat(s3.at("/object/size").isIntegralNumber()).isTrue();
    assertThat(s3.at("/object/size").asLong()).isEqualTo(42);
    assertThat(s3.at("/object/eTag").asText()).isEqualTo("0123abcd");
    assertThat(s3.at("/object/sequencer").asText()).isEqualTo("1880A2B3C4D5E6F7");
  }

  @Test
  void encodesKeysLikeS3KeepingSlashes() {
    assertThat(S3EventNotification.encodeKey("in/day 1/café+bar.csv")).isEqualTo("in/day+1/caf%C3%A9%2Bbar.csv");
    assertThat(URLDecoder.decode(S3EventNotification.encodeKey("in/day 1/café+bar.csv"), StandardCharsets.UTF_8))
        .isEqualTo("in/day 1/café+bar.csv");
  }

  @Test
  void leavesOutAMissingETag() throws Exception {
    String body = S3EventNotification.objectCreated("ObjectCreated:Copy", "landing", "k", 0, null, Instant.EPOCH, "0");

    assertThat(JSON.readTree(body).at("/Records/0/s3/object").has("eTag")).isFalse();
  }
}
