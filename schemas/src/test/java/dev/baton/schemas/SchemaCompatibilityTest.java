package dev.baton.schemas;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.schemas.event.ControlEvent;
import dev.baton.schemas.event.RunCancelRequested;
import dev.baton.schemas.event.RunRequested;
import dev.baton.schemas.event.RunResumeRequested;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.junit.jupiter.api.Test;

/**
 * Schemas evolve with BACKWARD compatibility (DESIGN.md): the schema this build reads with must
 * read every older version of the same record still registered, so events already on a topic stay
 * readable after an upgrade.
 */
class SchemaCompatibilityTest {

  @Test
  void everyCurrentSchemaReadsEveryOlderVersionOfItsRecord() {
    Map<Integer, Schema> all = BuiltInSchemaRegistry.instance().all();
    int pairs = 0;
    for (Schema current : new Schema[] {ControlEvent.getClassSchema(), dev.baton.schemas.event.ObjectCreated.getClassSchema(),
        dev.baton.schemas.event.Alert.getClassSchema()}) {
      for (Map.Entry<Integer, Schema> older : all.entrySet()) {
        if (!older.getValue().getFullName().equals(current.getFullName())) {
          continue;
        }
        var result = SchemaCompatibility.checkReaderWriterCompatibility(current, older.getValue());
        assertThat(result.getType())
            .as("%s (reader) vs schema id %d (writer): %s", current.getFullName(), older.getKey(), result.getDescription())
            .isEqualTo(SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE);
        pairs++;
      }
    }
    assertThat(pairs).isEqualTo(all.size()); // every registered id was checked against its record's current schema
  }

  @Test
  void anEventWrittenWithControlEventV1DecodesWithV2() throws Exception {
    Schema v1 = BuiltInSchemaRegistry.instance().schemaById(BuiltInSchemaRegistry.CONTROL_EVENT_V1);
    Schema requestV1 = v1.getField("payload").schema().getTypes().get(0);
    assertThat(requestV1.getField("rerunOf")).isNull();
    GenericRecord request = new GenericData.Record(requestV1);
    request.put("triggerKey", "b1");
    request.put("params", Map.of("batch", "b1"));
    request.put("requestedBy", "alice");
    GenericRecord envelope = new GenericData.Record(v1);
    envelope.put("eventId", "e-1");
    envelope.put("runId", "r-1");
    envelope.put("pipeline", "p");
    envelope.put("time", 1_700_000_000_000L);
    envelope.put("payload", request);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(EventSerde.MAGIC_BYTE);
    out.writeBytes(ByteBuffer.allocate(4).putInt(BuiltInSchemaRegistry.CONTROL_EVENT_V1).array());
    BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
    new GenericDatumWriter<GenericRecord>(v1).write(envelope, encoder);
    encoder.flush();

    ControlEvent decoded = EventSerde.builtIn().deserialize(out.toByteArray(), ControlEvent.class);

    assertThat(decoded.getEventId()).isEqualTo("e-1");
    assertThat(decoded.getTime()).isEqualTo(Instant.ofEpochMilli(1_700_000_000_000L));
    RunRequested payload = (RunRequested) decoded.getPayload();
    assertThat(payload.getTriggerKey()).isEqualTo("b1");
    assertThat(payload.getParams()).containsEntry("batch", "b1");
    assertThat(payload.getRequestedBy()).isEqualTo("alice");
    assertThat(payload.getRerunOf()).isNull(); // the v2 field's default
  }

  @Test
  void operatorRequestsRoundTripUnderV2() {
    EventSerde serde = EventSerde.builtIn();
    for (Object request : new Object[] {new RunResumeRequested("bob", "fixed the input"), new RunCancelRequested(null, null)}) {
      ControlEvent event = ControlEvents.operatorRequest("r-1", "p", request, Instant.parse("2026-11-23T10:00:00Z"));
      byte[] bytes = serde.serialize(Topics.CONTROL, event);
      assertThat(EventSerde.schemaId(bytes)).isEqualTo(BuiltInSchemaRegistry.CONTROL_EVENT_V2);
      assertThat(serde.deserialize(bytes, ControlEvent.class)).isEqualTo(event);
    }
  }
}
