package dev.baton.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.baton.schemas.BuiltInSchemaRegistry;
import dev.baton.schemas.EventSerde;
import dev.baton.schemas.Topics;
import dev.baton.schemas.event.ControlEvent;
import dev.baton.schemas.event.ObjectCreated;
import dev.baton.schemas.event.RunCancelRequested;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EventsCommandTest {
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final EventSerde SERDE = EventSerde.builtIn();

  @TempDir
  Path dir;

  private static ConsumerRecord<byte[], byte[]> consumed(String topic, long offset, String key, byte[] value,
      RecordHeaders headers) {
    return new ConsumerRecord<>(topic, 0, offset, 1_795_462_662_123L, TimestampType.CREATE_TIME, -1, -1,
        key == null ? null : key.getBytes(StandardCharsets.UTF_8), value, headers, Optional.empty());
  }

  @Test
  void tailLineCarriesTheDecodedEventAndItsSchema() {
    ObjectCreated event = EventJsonTest.objectCreated();
    ConsumerRecord<byte[], byte[]> record = consumed(Topics.OBJECTS, 7, "landing/a.tbl",
        SERDE.serialize(Topics.OBJECTS, event), new RecordHeaders());

    ObjectNode line = new EventsCommand.Decoder(BuiltInSchemaRegistry.instance()).line(record);

    assertThat(line.toString()).isEqualTo("{\"topic\":\"baton.objects\",\"partition\":0,\"offset\":7,"
        + "\"key\":\"landing/a.tbl\",\"timestamp\":\"2026-11-23T19:37:42.123Z\",\"schemaId\":1,"
        + "\"type\":\"dev.baton.schemas.event.ObjectCreated\",\"value\":" + EventJson.toJson(event) + "}");
    assertThat(EventsCommand.Tail.text(line)).isEqualTo("2026-11-23T19:37:42.123Z baton.objects/0@7 key=landing/a.tbl"
        + " ObjectCreated " + EventJson.toJson(event));
  }

  @Test
  void undecodableValuesBecomeErrorLinesWithTheirBytesAndHeaders() {
    RecordHeaders headers = new RecordHeaders(List.of(
        new RecordHeader("baton.dlq.reason", "bad bytes".getBytes(StandardCharsets.UTF_8)),
        new RecordHeader("x", "1".getBytes(StandardCharsets.UTF_8)),
        new RecordHeader("x", "2".getBytes(StandardCharsets.UTF_8))));
    var decoder = new EventsCommand.Decoder(BuiltInSchemaRegistry.instance());

    ObjectNode garbage = decoder.line(consumed(Topics.DLQ, 0, null, "hello".getBytes(StandardCharsets.UTF_8), headers));
    ObjectNode unknownId = decoder.line(consumed(Topics.DLQ, 1, "k", new byte[] {0, 0, 0, 0, 99, 1}, new RecordHeaders()));

    assertThat(garbage.toString()).isEqualTo("{\"topic\":\"baton.dlq\",\"partition\":0,\"offset\":0,\"key\":null,"
        + "\"timestamp\":\"2026-11-23T19:37:42.123Z\",\"headers\":{\"baton.dlq.reason\":\"bad bytes\",\"x\":[\"1\",\"2\"]},"
        + "\"error\":\"Cannot decode event: unknown magic byte 104 (expected 0, Confluent framing)\","
        + "\"valueBase64\":\"aGVsbG8=\"}");
    assertThat(unknownId.get("schemaId").asInt()).isEqualTo(99);
    assertThat(unknownId.get("error").asText()).isEqualTo("Unknown schema id: 99");
    assertThat(unknownId.get("valueBase64").asText()).isEqualTo("AAAAAGMB");
    assertThat(EventsCommand.Tail.text(unknownId))
        .isEqualTo("2026-11-23T19:37:42.123Z baton.dlq/0@1 key=k ERROR Unknown schema id: 99 (6 bytes)");
  }

  @Test
  void readsOneObjectAnArrayOrJsonLines() throws Exception {
    Path single = Files.writeString(dir.resolve("single.json"), "{\"a\": 1}\n");
    Path array = Files.writeString(dir.resolve("array.json"), "[{\"a\": 1}, {\"a\": 2}]");
    Path lines = Files.writeString(dir.resolve("lines.jsonl"), "{\"a\": 1}\n{\"a\": 2}\n{\"a\": 3}\n");

    assertThat(EventsCommand.read(single)).extracting(node -> node.get("a").asInt()).containsExactly(1);
    assertThat(EventsCommand.read(array)).extracting(node -> node.get("a").asInt()).containsExactly(1, 2);
    assertThat(EventsCommand.read(lines)).extracting(node -> node.get("a").asInt()).containsExactly(1, 2, 3);
  }

  @Test
  void unreadableFilesAreRejectedWithTheirPosition() throws Exception {
    Path broken = Files.writeString(dir.resolve("broken.json"), "{\"a\": 1}\n{\"a\": }\n");
    Path empty = Files.writeString(dir.resolve("empty.json"), "[]");
    Path duplicate = Files.writeString(dir.resolve("duplicate.json"), "{\"a\": 1, \"a\": 2}");

    assertThatThrownBy(() -> EventsCommand.read(broken)).hasMessageStartingWith("Cannot read " + broken + ": invalid JSON:")
        .hasMessageEndingWith("(line 2, column 8)");
    assertThatThrownBy(() -> EventsCommand.read(empty)).hasMessage("Cannot read " + empty + ": no event in it");
    assertThatThrownBy(() -> EventsCommand.read(duplicate)).hasMessageContaining("Duplicate field 'a'");
  }

  @Test
  void encodesWithTheDefaultKeyAndAcceptsTailLines() throws Exception {
    ObjectCreated event = EventJsonTest.objectCreated();
    ControlEvent cancel = EventJsonTest.control(new RunCancelRequested("ana", "wrong input"));
    String tailLine = "{\"topic\":\"baton.control\",\"partition\":1,\"offset\":5,\"key\":\"from-tail\",\"timestamp\":null,"
        + "\"schemaId\":4,\"type\":\"dev.baton.schemas.event.ControlEvent\",\"value\":" + EventJson.toJson(cancel) + "}";

    List<ProducerRecord<String, byte[]>> objects = EventsCommand.encode(Topics.OBJECTS, ObjectCreated.getClassSchema(),
        List.of(EventJson.toJson(event)), null, SERDE);
    List<ProducerRecord<String, byte[]>> controls = EventsCommand.encode(Topics.CONTROL, ControlEvent.getClassSchema(),
        List.of(MAPPER.readTree(tailLine), EventJson.toJson(cancel)), null, SERDE);

    assertThat(objects).singleElement().satisfies(record -> {
      assertThat(record.topic()).isEqualTo(Topics.OBJECTS);
      assertThat(record.key()).isEqualTo("landing/tpch/b1/région a.tbl");
      assertThat(SERDE.deserialize(record.value(), ObjectCreated.class)).isEqualTo(event);
    });
    assertThat(controls).extracting(ProducerRecord::key).containsExactly("from-tail", "run-1");
    assertThat(controls).allSatisfy(record -> assertThat(SERDE.deserialize(record.value(), ControlEvent.class)).isEqualTo(cancel));
  }

  @Test
  void invalidRecordsAreAllReportedAndNothingIsEncoded() throws Exception {
    JsonNode good = EventJson.toJson(EventJsonTest.objectCreated());
    JsonNode bad = ((ObjectNode) good.deepCopy()).put("size", "big").without("bucket");
    JsonNode errorLine = MAPPER.readTree("{\"topic\":\"baton.dlq\",\"partition\":0,\"offset\":3,\"error\":\"Unknown schema id: 9\","
        + "\"valueBase64\":\"AA==\"}");

    assertThatThrownBy(() -> EventsCommand.encode(Topics.OBJECTS, ObjectCreated.getClassSchema(),
        List.of(good, bad, errorLine), "k", SERDE))
        .isInstanceOfSatisfying(InvalidEventJsonException.class, e -> assertThat(e.errors()).containsExactly(
            "record 2: value.bucket: missing",
            "record 2: value.size: expected a long, got \"big\"",
            "record 3: a record tail could not decode (Unknown schema id: 9)"));
  }

  @Test
  void eventTypeComesFromTheTopicOrTheTypeOption() {
    assertThat(EventsCommand.eventSchema(Topics.OBJECTS, null)).isEqualTo(ObjectCreated.getClassSchema());
    assertThat(EventsCommand.eventSchema(Topics.CONTROL, null)).isEqualTo(ControlEvent.getClassSchema());
    assertThat(EventsCommand.eventSchema("my.topic", "ObjectCreated")).isEqualTo(ObjectCreated.getClassSchema());
    assertThat(EventsCommand.eventSchema("my.topic", "dev.baton.schemas.event.ControlEvent"))
        .isEqualTo(ControlEvent.getClassSchema());
    assertThatThrownBy(() -> EventsCommand.eventSchema("my.topic", null))
        .hasMessage("Cannot publish to my.topic: no default event type; give --type, e.g. --type ObjectCreated");
    assertThatThrownBy(() -> EventsCommand.eventSchema("my.topic", "java.lang.String"))
        .hasMessage("Cannot publish events of type java.lang.String: not a generated Avro record class");
  }
}
