package dev.baton.connect.s3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.baton.schemas.event.ControlEvent;
import dev.baton.schemas.event.ObjectCreated;
import dev.baton.schemas.event.ObjectSource;
import dev.baton.schemas.event.StageCompleted;
import dev.baton.schemas.event.StageStatus;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The AWS-documented sample events under examples/events/ (see its README for sources), field by field. */
class QueueMessageParserTest {
  private static final Path FIXTURES = Path.of("..", "examples", "events");
  private static final String RUN_ID = "3f8a2c1e-9b7d-3e4f-a1b2-c3d4e5f60718";

  private final QueueMessageParser parser = new QueueMessageParser(true, null);

  private static String fixture(String name) throws IOException {
    return Files.readString(FIXTURES.resolve(name));
  }

  private List<ParsedEvent> parse(String fixture) throws IOException {
    return parser.parse(fixture(fixture));
  }

  private ObjectCreated onlyObject(String fixture) throws IOException {
    List<ParsedEvent> events = parse(fixture);
    assertThat(events).hasSize(1).first().isInstanceOf(ParsedEvent.ObjectEvent.class);
    return ((ParsedEvent.ObjectEvent) events.get(0)).event();
  }

  /** The fields of the PUT of orders/2026-11-24/part-0001.csv both sample channels announce. */
  private static void assertSamplePut(ObjectCreated event) {
    assertThat(event.getBucket()).isEqualTo("landing");
    assertThat(event.getKey()).isEqualTo("orders/2026-11-24/part-0001.csv");
    assertThat(event.getSize()).isEqualTo(1_048_576L);
    assertThat(event.getEtag()).isEqualTo("b6d81b360a5672d80c27430f39153e2c");
    assertThat(event.getSequencer()).isEqualTo("0062E99A88DC407460");
    assertThat(event.getVersionId()).isEqualTo("3HL4kqtJlcpXroDTDmJ.rmSpXd3dIbrH");
  }

  @Test
  void s3NotificationPut() throws IOException {
    ObjectCreated event = onlyObject("s3-notification-put.json");

    assertSamplePut(event);
    assertThat(event.getEventTime()).isEqualTo(Instant.parse("2026-11-24T09:15:02.371Z"));
    assertThat(event.getSource()).isEqualTo(ObjectSource.S3_NOTIFICATION);
    assertThat(event.getEventId()).isEqualTo("s3:landing/orders/2026-11-24/part-0001.csv@0062E99A88DC407460");
  }

  @Test
  void s3NotificationMultipartUploadOf50GiB() throws IOException {
    ObjectCreated event = onlyObject("s3-notification-multipart.json");

    assertThat(event.getKey()).isEqualTo("orders/2026-11-24/snapshot-full.parquet");
    assertThat(event.getSize()).isEqualTo(50L * 1024 * 1024 * 1024);
    assertThat(event.getEtag()).isEqualTo("9b2cf535f27731c974343645a3985328-12");
    assertThat(event.getSequencer()).isEqualTo("0062E99B1F5C2D30A7");
    assertThat(event.getEventTime()).isEqualTo(Instant.parse("2026-11-24T09:41:57.118Z"));
  }

  @Test
  void s3NotificationKeysAreUrlDecodedWithPlusAsSpaceAndUtf8() throws IOException {
    List<ParsedEvent> events = parse("s3-notification-encoded-key.json");

    assertThat(events).hasSize(2).allMatch(event -> event instanceof ParsedEvent.ObjectEvent);
    assertThat(events).extracting(event -> ((ParsedEvent.ObjectEvent) event).event().getKey())
        .containsExactly("orders/2026-11-24/daily report (final).csv", "orders/2026-11-24/donn\u00e9es-\u00e9\u2122.csv");
    assertThat(events).extracting(event -> ((ParsedEvent.ObjectEvent) event).event().getEventId()).doesNotHaveDuplicates();
  }

  @Test
  void s3TestEventIsSkipped() throws IOException {
    assertThat(parse("s3-test-event.json")).singleElement().isInstanceOf(ParsedEvent.Skipped.class)
        .extracting(event -> ((ParsedEvent.Skipped) event).reason()).asString().contains("s3:TestEvent");
  }

  @Test
  void snsWrappedNotificationIsUnwrapped() throws IOException {
    assertThat(onlyObject("sns-wrapped-s3-notification.json")).isEqualTo(onlyObject("s3-notification-put.json"));
  }

  @Test
  void eventBridgeObjectCreated() throws IOException {
    ObjectCreated event = onlyObject("eventbridge-object-created.json");

    assertSamplePut(event);
    assertThat(event.getEventTime()).isEqualTo(Instant.parse("2026-11-24T09:15:02Z"));
    assertThat(event.getSource()).isEqualTo(ObjectSource.EVENTBRIDGE);
    // the same write seen through a notification has the same identity, so the controller keeps one
    assertThat(event.getEventId()).isEqualTo(onlyObject("s3-notification-put.json").getEventId());
  }

  @Test
  void eventBridgeMultipartAndCopy() throws IOException {
    ObjectCreated multipart = onlyObject("eventbridge-object-created-multipart.json");
    assertThat(multipart.getKey()).isEqualTo("orders/2026-11-24/snapshot-full.parquet");
    assertThat(multipart.getSize()).isEqualTo(53_687_091_200L);
    assertThat(multipart.getEtag()).isEqualTo("9b2cf535f27731c974343645a3985328-12");
    assertThat(multipart.getVersionId()).isEqualTo("Ua1bzSiT6n2n3QGcL0nZ3cJcS8mYqv2K");
    assertThat(multipart.getEventTime()).isEqualTo(Instant.parse("2026-11-24T09:41:57Z"));

    ObjectCreated copy = onlyObject("eventbridge-object-created-copy.json");
    assertThat(copy.getKey()).isEqualTo("orders/2026-11-24/part-0001-copy.csv");
    assertThat(copy.getSequencer()).isEqualTo("0062E99D7A0B1C2D3E");
    assertThat(copy.getVersionId()).isEqualTo("k2Vn8pXqL0sR4tW6yZ1aC3eG5iK7mO9q");
    assertThat(copy.getEventTime()).isEqualTo(Instant.parse("2026-11-24T11:20:44Z"));
  }

  @Test
  void eventBridgeKeysAreTakenVerbatimWhenConfiguredSo() throws IOException {
    String body = fixture("eventbridge-object-created.json").replace("part-0001.csv", "a+b%20c.csv");

    assertThat(((ParsedEvent.ObjectEvent) new QueueMessageParser(false, null).parse(body).get(0)).event().getKey())
        .isEqualTo("orders/2026-11-24/a+b%20c.csv");
    assertThat(((ParsedEvent.ObjectEvent) parser.parse(body).get(0)).event().getKey())
        .isEqualTo("orders/2026-11-24/a b c.csv");
  }

  private static ControlEvent onlyStage(List<ParsedEvent> events) {
    assertThat(events).singleElement().isInstanceOf(ParsedEvent.StageEvent.class);
    return ((ParsedEvent.StageEvent) events.get(0)).event();
  }

  @Test
  void emrServerlessSuccessWithBatonNameIsAStageCompleted() throws IOException {
    ControlEvent event = onlyStage(parse("emr-serverless-job-run-state-change-with-name.json"));

    assertThat(event.getRunId()).isEqualTo(RUN_ID);
    assertThat(event.getPipeline()).isEqualTo("tpch-12");
    assertThat(event.getEventId()).isEqualTo(RUN_ID + "/enrich/2/completed");
    StageCompleted completed = (StageCompleted) event.getPayload();
    assertThat(completed.getStage()).isEqualTo("enrich");
    assertThat(completed.getAttempt()).isEqualTo(2);
    assertThat(completed.getStatus()).isEqualTo(StageStatus.SUCCEEDED);
    assertThat(completed.getFinishedAt()).isEqualTo(Instant.parse("2026-11-24T09:29:48Z"));
    assertThat(completed.getError()).isNull();
  }

  @Test
  void emrServerlessEventsAsDocumentedCarryNoNameAndAreUnroutable() throws IOException {
    assertThat(parse("emr-serverless-job-run-state-change.json")).singleElement()
        .isInstanceOf(ParsedEvent.Unroutable.class)
        .extracting(event -> ((ParsedEvent.Unroutable) event).reason()).asString()
        .contains("no Baton identity").contains("missing");
    assertThat(parse("emr-serverless-job-run-failed.json")).singleElement().isInstanceOf(ParsedEvent.Unroutable.class);
  }

  @Test
  void emrServerlessFailureAndNonTerminalStates() throws IOException {
    String success = fixture("emr-serverless-job-run-state-change-with-name.json");

    StageCompleted failed = (StageCompleted) onlyStage(parser.parse(success.replace("\"SUCCESS\"", "\"FAILED\""))).getPayload();
    assertThat(failed.getStatus()).isEqualTo(StageStatus.FAILED);
    assertThat(failed.getError().getType()).isEqualTo("EMR_SERVERLESS_FAILED");
    assertThat(failed.getError().getMessage()).contains("arn:aws:emr-serverless:").endsWith("FAILED");
    assertThat(failed.getError().getLogUri()).isNull();
    StageCompleted cancelled = (StageCompleted) onlyStage(parser.parse(success.replace("\"SUCCESS\"", "\"CANCELLED\""))).getPayload();
    assertThat(cancelled.getStatus()).isEqualTo(StageStatus.CANCELLED);
    for (String state : List.of("SUBMITTED", "PENDING", "SCHEDULED", "RUNNING", "CANCELLING", "QUEUED")) {
      assertThat(parser.parse(success.replace("\"SUCCESS\"", "\"" + state + "\""))).singleElement()
          .isInstanceOf(ParsedEvent.Skipped.class);
    }
  }

  @Test
  void emrStepCompletedAndFailed() throws IOException {
    ControlEvent completed = onlyStage(parse("emr-step-status-change.json"));
    assertThat(completed.getRunId()).isEqualTo(RUN_ID);
    assertThat(((StageCompleted) completed.getPayload()).getStatus()).isEqualTo(StageStatus.SUCCEEDED);
    assertThat(((StageCompleted) completed.getPayload()).getStage()).isEqualTo("enrich");
    assertThat(completed.getTime()).isEqualTo(Instant.parse("2026-11-24T09:31:04Z"));

    StageCompleted failed = (StageCompleted) onlyStage(parse("emr-step-status-change-failed.json")).getPayload();
    assertThat(failed.getStatus()).isEqualTo(StageStatus.FAILED);
    assertThat(failed.getAttempt()).isEqualTo(2);
    assertThat(failed.getError().getType()).isEqualTo("EMR_STEP_FAILED");
    assertThat(failed.getError().getMessage()).contains("s-3T9WX2NB7C4QF").contains("failed");
  }

  @Test
  void emrStepWithoutIdentityIsUnroutableWithItsName() throws IOException {
    assertThat(parse("emr-step-status-change-no-identity.json")).singleElement()
        .isInstanceOf(ParsedEvent.Unroutable.class)
        .extracting(event -> ((ParsedEvent.Unroutable) event).reason()).asString()
        .contains("'nightly-aggregation'");
  }

  @Test
  void malformedMessagesNameTheOffendingField() throws IOException {
    String put = fixture("s3-notification-put.json");
    assertThatThrownBy(() -> parser.parse("not json")).isInstanceOf(MalformedEventException.class)
        .hasMessageContaining("not JSON");
    assertThatThrownBy(() -> parser.parse("{\"hello\":1}")).hasMessageContaining("unknown message");
    assertThatThrownBy(() -> parser.parse(put.replace("\"size\": 1048576,", "")))
        .hasMessageContaining("Records[0].s3.object.size");
    assertThatThrownBy(() -> parser.parse(put.replace("\"2.1\"", "\"1.0\"")))
        .hasMessageContaining("Records[0].eventVersion");
    assertThatThrownBy(() -> parser.parse(put.replace("2026-11-24T09:15:02.371Z", "yesterday")))
        .hasMessageContaining("Records[0].eventTime");
    assertThatThrownBy(() -> parser.parse(put.replace("part-0001.csv", "bad%zz.csv")))
        .hasMessageContaining("Records[0].s3.object.key");
    assertThatThrownBy(() -> parser.parse(fixture("eventbridge-object-created.json").replace("aws.s3", "aws.glue")))
        .hasMessageContaining("source");
  }

  @Test
  void removalsAreSkipped() throws IOException {
    String removed = fixture("s3-notification-put.json").replace("ObjectCreated:Put", "ObjectRemoved:Delete");
    assertThat(parser.parse(removed)).singleElement().isInstanceOf(ParsedEvent.Skipped.class);
  }
}
