package dev.baton.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.baton.schemas.EventSerde;
import dev.baton.schemas.Topics;
import dev.baton.schemas.event.ControlEvent;
import dev.baton.schemas.event.ObjectCreated;
import dev.baton.schemas.event.ObjectSource;
import dev.baton.schemas.event.RunCancelRequested;
import dev.baton.schemas.event.RunCompleted;
import dev.baton.schemas.event.RunRequested;
import dev.baton.schemas.event.RunResumeRequested;
import dev.baton.schemas.event.RunStatus;
import dev.baton.schemas.event.StageCompleted;
import dev.baton.schemas.event.StageError;
import dev.baton.schemas.event.StageLaunched;
import dev.baton.schemas.event.StageOutput;
import dev.baton.schemas.event.StageStatus;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class EventJsonTest {
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final Instant T0 = Instant.parse("2026-11-23T19:37:42.123Z");

  static ObjectCreated objectCreated() {
    return ObjectCreated.newBuilder()
        .setEventId("evt-1")
        .setBucket("landing")
        .setKey("tpch/b1/région a.tbl")
        .setSize(1_234_567_890_123L)
        .setEtag(null)
        .setSequencer("0055AED6DCD90281E5")
        .setVersionId(null)
        .setEventTime(T0)
        .setSource(ObjectSource.LISTING)
        .build();
  }

  static ControlEvent control(Object payload) {
    return ControlEvent.newBuilder().setEventId("e-" + payload.getClass().getSimpleName()).setRunId("run-1")
        .setPipeline("tpch-12").setTime(T0).setPayload(payload).build();
  }

  static Stream<ControlEvent> controlEvents() {
    Map<String, String> params = new LinkedHashMap<>();
    params.put("batch", "20261123-1");
    params.put("bucket", "landing");
    Map<String, Double> metrics = new LinkedHashMap<>();
    metrics.put("rows", 6_001_215.0);
    metrics.put("ratio", Double.NaN);
    return Stream.of(
        control(new RunRequested("landing/tpch/b1/", params, "ana", null)),
        control(new RunRequested("rerun/x", Map.of(), null, "run-0")),
        control(new StageLaunched("ingest_region", 1, "in-process", T0.plusMillis(1))),
        control(new StageCompleted("ingest_lineitem", 2, StageStatus.FAILED, T0, T0.plusSeconds(73),
            List.of(new StageOutput("raw.lineitem", 42L, null), new StageOutput("raw.orders", null, 7L)), metrics,
            new StageError("java.lang.IllegalStateException", "boom", null), "local-1764800000000",
            "file:///tmp/baton/stage-logs/x.log")),
        control(new StageCompleted("quality_gate", 1, StageStatus.SUCCEEDED, T0, T0, List.of(), Map.of(), null, null, null)),
        control(new RunCompleted(RunStatus.FAILED, T0.plusMillis(999), List.of("ingest_lineitem"))),
        control(new RunResumeRequested("ana", "fixed the input")),
        control(new RunCancelRequested("ana", null)));
  }

  @Test
  void objectCreatedIsReadableJson() {
    assertThat(EventJson.toJson(objectCreated()).toString()).isEqualTo(
        "{\"eventId\":\"evt-1\",\"bucket\":\"landing\",\"key\":\"tpch/b1/région a.tbl\",\"size\":1234567890123,"
            + "\"etag\":null,\"sequencer\":\"0055AED6DCD90281E5\",\"versionId\":null,"
            + "\"eventTime\":\"2026-11-23T19:37:42.123Z\",\"source\":\"LISTING\"}");
  }

  @Test
  void objectCreatedRoundTripsThroughJsonAndTheWireFormat() throws Exception {
    ObjectCreated event = objectCreated();
    String json = EventJson.toJson(event).toString();

    SpecificRecord read = EventJson.fromJson(MAPPER.readTree(json), ObjectCreated.getClassSchema(), "value");

    assertThat(read).isInstanceOf(ObjectCreated.class).isEqualTo(event);
    EventSerde serde = EventSerde.builtIn();
    assertThat(serde.deserialize(serde.serialize(Topics.OBJECTS, read), ObjectCreated.class)).isEqualTo(event);
  }

  @ParameterizedTest
  @MethodSource("controlEvents")
  void controlEventWithEachPayloadRoundTrips(ControlEvent event) throws Exception {
    String json = EventJson.toJson(event).toString();

    ControlEvent read = (ControlEvent) EventJson.fromJson(MAPPER.readTree(json), ControlEvent.getClassSchema(), "value");

    assertThat(read).isEqualTo(event);
    assertThat(read.getPayload()).isInstanceOf(event.getPayload().getClass());
    assertThat(read.getTime()).isEqualTo(T0);
    EventSerde serde = EventSerde.builtIn();
    assertThat(serde.deserialize(serde.serialize(Topics.CONTROL, read), ControlEvent.class)).isEqualTo(event);
  }

  @Test
  void unionOfSeveralRecordsNamesItsBranchWithType() {
    ControlEvent event = controlEvents().filter(e -> e.getPayload() instanceof StageCompleted).findFirst().orElseThrow();

    JsonNode json = EventJson.toJson(event);

    assertThat(json.get("time").asText()).isEqualTo("2026-11-23T19:37:42.123Z");
    assertThat(json.get("payload").toString()).isEqualTo(
        "{\"@type\":\"StageCompleted\",\"stage\":\"ingest_lineitem\",\"attempt\":2,\"status\":\"FAILED\","
            + "\"startedAt\":\"2026-11-23T19:37:42.123Z\",\"finishedAt\":\"2026-11-23T19:38:55.123Z\","
            + "\"outputs\":[{\"table\":\"raw.lineitem\",\"snapshotId\":42,\"rows\":null},"
            + "{\"table\":\"raw.orders\",\"snapshotId\":null,\"rows\":7}],"
            + "\"metrics\":{\"rows\":6001215.0,\"ratio\":\"NaN\"},"
            + "\"error\":{\"type\":\"java.lang.IllegalStateException\",\"message\":\"boom\",\"logUri\":null},"
            + "\"applicationId\":\"local-1764800000000\",\"logUri\":\"file:///tmp/baton/stage-logs/x.log\"}");
  }

  @Test
  void resumeAndCancelWithTheSameFieldsStayDistinct() throws Exception {
    JsonNode cancel = MAPPER.readTree("{\"eventId\":\"e\",\"runId\":\"r\",\"pipeline\":\"p\",\"time\":0,"
        + "\"payload\":{\"@type\":\"RunCancelRequested\",\"requestedBy\":\"ana\",\"reason\":null}}");
    JsonNode resume = MAPPER.readTree(cancel.toString().replace("RunCancelRequested", "dev.baton.schemas.event.RunResumeRequested"));

    assertThat(((ControlEvent) EventJson.fromJson(cancel, ControlEvent.getClassSchema(), "value")).getPayload())
        .isEqualTo(new RunCancelRequested("ana", null));
    assertThat(((ControlEvent) EventJson.fromJson(resume, ControlEvent.getClassSchema(), "value")).getPayload())
        .isEqualTo(new RunResumeRequested("ana", null));
  }

  @Test
  void fieldsWithDefaultsMayBeLeftOut() throws Exception {
    JsonNode json = MAPPER.readTree("{\"eventId\":\"e\",\"runId\":\"r\",\"pipeline\":\"p\",\"time\":\"2026-11-23T20:37:42.5+01:00\","
        + "\"payload\":{\"@type\":\"RunRequested\",\"triggerKey\":\"k\"}}");

    ControlEvent event = (ControlEvent) EventJson.fromJson(json, ControlEvent.getClassSchema(), "value");

    assertThat(event.getTime()).isEqualTo(Instant.parse("2026-11-23T19:37:42.500Z"));
    assertThat(event.getPayload()).isEqualTo(new RunRequested("k", Map.of(), null, null));
  }

  @Test
  void timestampsAcceptEpochMillisAndRejectFinerPrecision() throws Exception {
    JsonNode millis = MAPPER.readTree(EventJson.toJson(objectCreated()).put("eventTime", 1_795_462_662_123L).toString());
    JsonNode micros = MAPPER.readTree(EventJson.toJson(objectCreated()).put("eventTime", "2026-11-23T19:37:42.123456Z").toString());

    assertThat(((ObjectCreated) EventJson.fromJson(millis, ObjectCreated.getClassSchema(), "value")).getEventTime())
        .isEqualTo(Instant.ofEpochMilli(1_795_462_662_123L));
    assertThatThrownBy(() -> EventJson.fromJson(micros, ObjectCreated.getClassSchema(), "value"))
        .isInstanceOf(InvalidEventJsonException.class)
        .hasMessage("value.eventTime: finer than milliseconds: 2026-11-23T19:37:42.123456Z");
  }

  @Test
  void malformedInputNamesEveryFieldPath() throws Exception {
    JsonNode json = MAPPER.readTree("{\"eventId\":\"e\",\"runId\":null,\"pipeline\":\"p\",\"time\":\"yesterday\","
        + "\"payload\":{\"@type\":\"StageCompleted\",\"attempt\":\"2\",\"status\":\"DONE\",\"startedAt\":0,"
        + "\"finishedAt\":0,\"outputs\":[{\"table\":\"t\",\"rows\":1.5}],\"metrics\":{\"rows\":\"many\"},\"colour\":1}}");

    assertThatThrownBy(() -> EventJson.fromJson(json, ControlEvent.getClassSchema(), "value"))
        .isInstanceOfSatisfying(InvalidEventJsonException.class, e -> assertThat(e.errors()).containsExactly(
            "value.runId: null is not allowed",
            "value.time: expected an ISO-8601 instant (e.g. 2026-01-02T03:04:05.123Z) or epoch milliseconds, got \"yesterday\"",
            "value.payload.colour: unknown field of StageCompleted",
            "value.payload.stage: missing",
            "value.payload.attempt: expected an int, got \"2\"",
            "value.payload.status: expected one of SUCCEEDED, FAILED, CANCELLED, LOST, got \"DONE\"",
            "value.payload.outputs[0].rows: expected a long, got 1.5",
            "value.payload.metrics[\"rows\"]: expected a double, got \"many\""));
  }

  @Test
  void unionOfSeveralRecordsNeedsAKnownType() throws Exception {
    JsonNode untyped = MAPPER.readTree("{\"eventId\":\"e\",\"runId\":\"r\",\"pipeline\":\"p\",\"time\":0,"
        + "\"payload\":{\"stage\":\"s\"}}");
    JsonNode unknown = MAPPER.readTree(untyped.toString().replace("{\"stage\"", "{\"@type\":\"StageStarted\",\"stage\""));
    String branches = "{\"@type\": one of RunRequested, StageLaunched, StageCompleted, RunCompleted, RunResumeRequested,"
        + " RunCancelRequested, RunQueued, RunAdmitted, AttemptQueued, AttemptAdmitted, ...fields}";

    assertThatThrownBy(() -> EventJson.fromJson(untyped, ControlEvent.getClassSchema(), "value"))
        .hasMessage("value.payload.@type: missing (expected " + branches + ")");
    assertThatThrownBy(() -> EventJson.fromJson(unknown, ControlEvent.getClassSchema(), "value"))
        .hasMessage("value.payload.@type: unknown type \"StageStarted\" (expected one of " + branches + ")");
  }

  @Test
  void nonObjectEventIsRejected() throws Exception {
    assertThatThrownBy(() -> EventJson.fromJson(MAPPER.readTree("[1]"), ObjectCreated.getClassSchema(), "value"))
        .isInstanceOf(InvalidEventJsonException.class)
        .hasMessage("value: expected an object (ObjectCreated), got [1]");
  }
}
