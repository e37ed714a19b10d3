package dev.baton.schemas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.baton.schemas.event.ControlEvent;
import dev.baton.schemas.event.ObjectCreated;
import dev.baton.schemas.event.ObjectSource;
import dev.baton.schemas.event.RunCompleted;
import dev.baton.schemas.event.RunRequested;
import dev.baton.schemas.event.RunStatus;
import dev.baton.schemas.event.StageCompleted;
import dev.baton.schemas.event.StageError;
import dev.baton.schemas.event.StageLaunched;
import dev.baton.schemas.event.StageOutput;
import dev.baton.schemas.event.StageStatus;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EventSerdeTest {

  private static final Instant T0 = Instant.parse("2026-11-23T10:15:30.123Z");
  private final EventSerde serde = EventSerde.builtIn();

  @Test
  void objectCreatedRoundTrips() {
    ObjectCreated event =
        ObjectCreated.newBuilder()
            .setEventId("e-1")
            .setBucket("landing")
            .setKey("tpch/b1/lineitem tbl ü.tbl")
            .setSize(53_687_091_200L)
            .setEtag("\"9b2cf535f27731c974343645a3985328\"")
            .setSequencer("0055AED6DCD90281E5")
            .setVersionId(null)
            .setEventTime(T0)
            .setSource(ObjectSource.LISTING)
            .build();

    byte[] bytes = serde.serialize(Topics.OBJECTS, event);

    assertThat(bytes[0]).isEqualTo(EventSerde.MAGIC_BYTE);
    assertThat(ByteBuffer.wrap(bytes, 1, 4).getInt()).isEqualTo(BuiltInSchemaRegistry.OBJECT_CREATED_V1);
    assertThat(serde.deserialize(bytes, ObjectCreated.class)).isEqualTo(event);
  }

  @Test
  void runRequestedRoundTrips() {
    assertRoundTrip(new RunRequested("b1", Map.of("batch", "b1"), "alice", null));
  }

  @Test
  void stageLaunchedRoundTrips() {
    assertRoundTrip(new StageLaunched("ingest_orders", 2, "in-process", T0));
  }

  @Test
  void stageCompletedRoundTrips() {
    StageCompleted completed =
        StageCompleted.newBuilder()
            .setStage("quality_gate")
            .setAttempt(1)
            .setStatus(StageStatus.FAILED)
            .setStartedAt(T0)
            .setFinishedAt(T0.plusMillis(1_500))
            .setOutputs(List.of(new StageOutput("curated.quality_results", 42L, 4L)))
            .setMetrics(Map.of("rowsRead", 60_175.0))
            .setError(new StageError("QUALITY_FAILED", "rule not_null(l_orderkey) failed", null))
            .build();
    assertRoundTrip(completed);
  }

  @Test
  void runCompletedRoundTrips() {
    assertRoundTrip(new RunCompleted(RunStatus.FAILED, T0, List.of("quality_gate")));
  }

  @Test
  void alertRoundTrips() {
    dev.baton.schemas.event.Alert alert = new dev.baton.schemas.event.Alert("run-1/s/1/STAGE_RETRIED",
        dev.baton.schemas.event.AlertKind.STAGE_RETRIED, "run-1", "tpch-12", "s", 1, T0, "retrying in 812 ms");

    byte[] bytes = serde.serialize(Topics.ALERTS, alert);

    assertThat(EventSerde.schemaId(bytes)).isEqualTo(BuiltInSchemaRegistry.ALERT_V2);
    assertThat(serde.deserialize(bytes, dev.baton.schemas.event.Alert.class)).isEqualTo(alert);
  }

  @Test
  void rejectsWrongMagicByte() {
    byte[] bytes = serde.serialize(Topics.CONTROL, envelope(new RunCompleted(RunStatus.SUCCEEDED, T0, List.of())));
    bytes[0] = 1;
    assertThatThrownBy(() -> serde.deserialize(bytes, ControlEvent.class))
        .isInstanceOf(EventDecodingException.class)
        .hasMessage("Cannot decode event: unknown magic byte 1 (expected 0, Confluent framing)");
  }

  @Test
  void rejectsUnknownSchemaId() {
    byte[] bytes = {0, 0, 0, 0, 99, 2, 3};
    assertThatThrownBy(() -> serde.deserialize(bytes, ControlEvent.class))
        .isInstanceOf(UnknownSchemaException.class)
        .hasMessage("Unknown schema id: 99");
  }

  @Test
  void rejectsTruncatedAvro() {
    byte[] bytes = serde.serialize(Topics.CONTROL, envelope(new StageLaunched("s", 1, "in-process", T0)));
    byte[] truncated = Arrays.copyOf(bytes, bytes.length - 3);
    assertThatThrownBy(() -> serde.deserialize(truncated, ControlEvent.class))
        .isInstanceOf(EventDecodingException.class)
        .hasMessageStartingWith("Cannot decode ControlEvent (schema id " + BuiltInSchemaRegistry.CONTROL_EVENT_V4 + "): ");
  }

  @Test
  void rejectsShortPayloadAndOtherRecordType() {
    assertThatThrownBy(() -> serde.deserialize(new byte[] {0, 1}, ControlEvent.class))
        .hasMessage("Cannot decode event: 2 bytes is shorter than the 5-byte header");
    byte[] control = serde.serialize(Topics.CONTROL, envelope(new StageLaunched("s", 1, "in-process", T0)));
    assertThatThrownBy(() -> serde.deserialize(control, ObjectCreated.class))
        .hasMessage("Cannot decode event: schema id " + BuiltInSchemaRegistry.CONTROL_EVENT_V4 + " is dev.baton.schemas.event.ControlEvent,"
            + " expected dev.baton.schemas.event.ObjectCreated");
  }

  private void assertRoundTrip(Object payload) {
    ControlEvent event = envelope(payload);
    byte[] bytes = serde.serialize(Topics.CONTROL, event);
    assertThat(EventSerde.schemaId(bytes)).isEqualTo(BuiltInSchemaRegistry.CONTROL_EVENT_V4);
    ControlEvent decoded = serde.deserialize(bytes, ControlEvent.class);
    assertThat(decoded).isEqualTo(event);
    assertThat(decoded.getPayload()).isEqualTo(payload);
  }

  private static ControlEvent envelope(Object payload) {
    return ControlEvent.newBuilder()
        .setEventId("ev-" + payload.getClass().getSimpleName())
        .setRunId("run-1")
        .setPipeline("tpch-12")
        .setTime(T0)
        .setPayload(payload)
        .build();
  }
}
