package dev.baton.schemas;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.schemas.event.Alert;
import dev.baton.schemas.event.AlertKind;
import dev.baton.schemas.event.ControlEvent;
import dev.baton.schemas.event.ObjectCreated;
import dev.baton.schemas.event.RunCancelRequested;
import dev.baton.schemas.event.RunRequested;
import dev.baton.schemas.event.RunResumeRequested;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.SchemaCompatibilityType;
import org.apache.avro.SchemaCompatibility.SchemaPairCompatibility;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.junit.jupiter.api.Test;

/**
 * Schemas evolve with BACKWARD compatibility (DESIGN.md): the schema this build reads with must
 * read every frozen version of the same record still registered, so events already on a topic stay
 * readable after an upgrade; and the schema this build writes must be frozen under an id, so an id
 * never changes meaning.
 */
class SchemaCompatibilityTest {

  /** The generated schemas this build writes to topics, one per record type. */
  private static final List<Schema> CURRENT =
      List.of(ObjectCreated.getClassSchema(), ControlEvent.getClassSchema(), Alert.getClassSchema());

  private static final Map<Integer, Schema> FROZEN = BuiltInSchemaRegistry.instance().all();

  @Test
  void everyCurrentSchemaReadsEveryFrozenVersionOfItsRecord() {
    Map<Integer, SchemaPairCompatibility> checked = new TreeMap<>();
    for (Schema current : CURRENT) {
      Map<Integer, SchemaPairCompatibility> results = backwardCompatibility(current, FROZEN);
      assertThat(incompatibilities(results)).as(current.getFullName()).isEmpty();
      checked.putAll(results);
    }
    assertThat(checked.keySet()).isEqualTo(FROZEN.keySet()); // every frozen id was checked
  }

  @Test
  void compatibilityCheckReportsAFieldAddedWithoutDefault() {
    Schema region = Schema.create(Schema.Type.STRING);
    Schema incompatible = withField(ObjectCreated.getClassSchema(), new Schema.Field("region", region, null, (Object) null));

    Map<Integer, SchemaPairCompatibility> results = backwardCompatibility(incompatible, FROZEN);

    assertThat(results.keySet()).containsExactly(BuiltInSchemaRegistry.OBJECT_CREATED_V1);
    assertThat(results.get(BuiltInSchemaRegistry.OBJECT_CREATED_V1).getType()).isEqualTo(SchemaCompatibilityType.INCOMPATIBLE);
    assertThat(incompatibilities(results))
        .containsExactly("dev.baton.schemas.event.ObjectCreated (reader) vs schema id 1 (writer):"
            + " READER_FIELD_MISSING_DEFAULT_VALUE region at /fields/9");
  }

  @Test
  void everyCurrentSchemaIsTheFrozenSchemaOfItsNewestId() {
    assertThat(unfrozen(CURRENT, FROZEN)).isEmpty();
    assertThat(newestIds(FROZEN))
        .containsExactlyInAnyOrderEntriesOf(
            Map.of(
                "dev.baton.schemas.event.ObjectCreated", BuiltInSchemaRegistry.OBJECT_CREATED_V1,
                "dev.baton.schemas.event.ControlEvent", BuiltInSchemaRegistry.CONTROL_EVENT_V4,
                "dev.baton.schemas.event.Alert", BuiltInSchemaRegistry.ALERT_V2));
  }

  @Test
  void freezeCheckReportsASchemaChangedWithoutANewId() {
    Schema region = Schema.create(Schema.Type.STRING);
    Schema changed = withField(ObjectCreated.getClassSchema(), new Schema.Field("region", region, null, "eu-west-1"));
    Schema unknown = Schema.createRecord("Unknown", null, "dev.baton.schemas.event", false, List.of());

    assertThat(backwardCompatibility(changed, FROZEN).get(BuiltInSchemaRegistry.OBJECT_CREATED_V1).getType())
        .isEqualTo(SchemaCompatibilityType.COMPATIBLE); // a compatible change still needs a new id
    assertThat(unfrozen(List.of(changed, ControlEvent.getClassSchema(), unknown), FROZEN))
        .containsExactly(
            "dev.baton.schemas.event.ObjectCreated differs from its newest frozen schema (id 1):"
                + " add a history file and a new id to BuiltInSchemaRegistry",
            "dev.baton.schemas.event.Unknown has no frozen schema:"
                + " add a history file and a new id to BuiltInSchemaRegistry");
  }

  @Test
  void aDocOnlyChangeNeedsNoNewId() {
    Schema current = ObjectCreated.getClassSchema();
    List<Schema.Field> fields = new ArrayList<>();
    for (Schema.Field field : current.getFields()) {
      fields.add(new Schema.Field(field.name(), field.schema(), "reworded", field.defaultVal()));
    }
    Schema reworded = Schema.createRecord(current.getName(), "reworded", current.getNamespace(), false, fields);

    assertThat(unfrozen(List.of(reworded), FROZEN)).isEmpty();
    assertThat(BuiltInSchemaRegistry.instance().idFor(Topics.OBJECTS + "-value", reworded)).isEqualTo(BuiltInSchemaRegistry.OBJECT_CREATED_V1);
  }

  @Test
  void registryWritesTheNewestIdOfEachRecord() {
    BuiltInSchemaRegistry registry = BuiltInSchemaRegistry.instance();
    assertThat(registry.idFor(Topics.OBJECTS + "-value", ObjectCreated.getClassSchema())).isEqualTo(BuiltInSchemaRegistry.OBJECT_CREATED_V1);
    assertThat(registry.idFor(Topics.CONTROL + "-value", ControlEvent.getClassSchema())).isEqualTo(BuiltInSchemaRegistry.CONTROL_EVENT_V4);
    assertThat(registry.idFor(Topics.ALERTS + "-value", Alert.getClassSchema())).isEqualTo(BuiltInSchemaRegistry.ALERT_V2);
    assertThat(registry.idFor(Topics.CONTROL + "-value", registry.schemaById(BuiltInSchemaRegistry.CONTROL_EVENT_V1)))
        .isEqualTo(BuiltInSchemaRegistry.CONTROL_EVENT_V1);
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
      assertThat(EventSerde.schemaId(bytes)).isEqualTo(BuiltInSchemaRegistry.CONTROL_EVENT_V4);
      assertThat(serde.deserialize(bytes, ControlEvent.class)).isEqualTo(event);
    }
  }

  @Test
  void theAlertKindsAddedInV2RoundTripAndV1AlertsStillDecode() {
    EventSerde serde = EventSerde.builtIn();
    for (AlertKind kind : List.of(AlertKind.TRIGGER_AFTER_END, AlertKind.WAITING_EXPIRED)) {
      Alert alert = new Alert("r-1/" + kind, kind, "r-1", "p", null, null, Instant.parse("2026-11-23T10:00:00Z"), "m");
      byte[] bytes = serde.serialize(Topics.ALERTS, alert);
      assertThat(EventSerde.schemaId(bytes)).isEqualTo(BuiltInSchemaRegistry.ALERT_V2);
      assertThat(serde.deserialize(bytes, Alert.class)).isEqualTo(alert);
    }
    assertThat(backwardCompatibility(Alert.getClassSchema(), FROZEN).get(BuiltInSchemaRegistry.ALERT_V1).getType())
        .isEqualTo(SchemaCompatibilityType.COMPATIBLE);
  }

  /** {@code reader} against each frozen version of the same record (as writer), by id. */
  static Map<Integer, SchemaPairCompatibility> backwardCompatibility(Schema reader, Map<Integer, Schema> frozen) {
    Map<Integer, SchemaPairCompatibility> results = new TreeMap<>();
    frozen.forEach((id, writer) -> {
      if (writer.getFullName().equals(reader.getFullName())) {
        results.put(id, SchemaCompatibility.checkReaderWriterCompatibility(reader, writer));
      }
    });
    return results;
  }

  /** One line per incompatibility in {@code results}; empty when every pair is compatible. */
  static List<String> incompatibilities(Map<Integer, SchemaPairCompatibility> results) {
    List<String> lines = new ArrayList<>();
    results.forEach((id, pair) -> pair.getResult().getIncompatibilities().forEach(incompatibility ->
        lines.add(pair.getReader().getFullName() + " (reader) vs schema id " + id + " (writer): "
            + incompatibility.getType() + " " + incompatibility.getMessage() + " at " + incompatibility.getLocation())));
    return lines;
  }

  /** The newest (highest) frozen id of each record, by full name. */
  static Map<String, Integer> newestIds(Map<Integer, Schema> frozen) {
    Map<String, Integer> newest = new TreeMap<>();
    frozen.forEach((id, schema) -> newest.merge(schema.getFullName(), id, Math::max));
    return newest;
  }

  /** One line per current schema that is not the frozen schema of its record's newest id. */
  static List<String> unfrozen(List<Schema> current, Map<Integer, Schema> frozen) {
    Map<String, Integer> newest = newestIds(frozen);
    List<String> lines = new ArrayList<>();
    for (Schema schema : current) {
      Integer id = newest.get(schema.getFullName());
      if (id == null) {
        lines.add(schema.getFullName() + " has no frozen schema: add a history file and a new id to BuiltInSchemaRegistry");
      } else if (!frozen.get(id).equals(schema)) {
        lines.add(schema.getFullName() + " differs from its newest frozen schema (id " + id
            + "): add a history file and a new id to BuiltInSchemaRegistry");
      }
    }
    return lines;
  }

  private static Schema withField(Schema record, Schema.Field added) {
    List<Schema.Field> fields = new ArrayList<>();
    for (Schema.Field field : record.getFields()) {
      fields.add(new Schema.Field(field, field.schema()));
    }
    fields.add(added);
    return Schema.createRecord(record.getName(), record.getDoc(), record.getNamespace(), false, fields);
  }
}
