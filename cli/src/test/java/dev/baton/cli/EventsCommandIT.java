package dev.baton.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.baton.schemas.BuiltInSchemaRegistry;
import dev.baton.schemas.EventSerde;
import dev.baton.schemas.Topics;
import dev.baton.schemas.event.ControlEvent;
import dev.baton.schemas.event.ObjectCreated;
import dev.baton.schemas.event.ObjectSource;
import dev.baton.schemas.event.RunCancelRequested;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@code baton events publish} and {@code tail} against the local stack's broker, through the picocli entry point. */
class EventsCommandIT {
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static LocalServices local;
  private static String bootstrap;
  private static Path home;

  @BeforeAll
  static void up() throws Exception {
    Path repository = Path.of(System.getProperty("baton.repo.dir")).toAbsolutePath();
    home = Files.createTempDirectory(repository.resolve("cli/target"), "it-events");
    local = new LocalServices(new Workspace(home, repository, repository.resolve("examples/pipelines")));
    bootstrap = local.config(local.ensureRunning(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8))
        .endpoints()).get("kafka.bootstrap.servers");
  }

  @AfterAll
  static void down() {
    if (local != null) {
      local.stack().down();
    }
  }

  /** {@code baton ARGS --bootstrap-servers <the stack's broker>}. */
  private static BatonRun baton(String... args) {
    List<String> withKafka = new ArrayList<>(List.of(args));
    withKafka.addAll(List.of("--bootstrap-servers", bootstrap));
    return BatonRun.execute(withKafka.toArray(String[]::new));
  }

  @Test
  void topicsCreateMakesTheConfiguredTopicsWithTheirPartitionsAndRetentionOnceAndChangesNothingAfterwards()
      throws Exception {
    String prefix = "it-" + UUID.randomUUID();
    StringBuilder config = new StringBuilder("kafka.bootstrap.servers=" + bootstrap + "\n");
    for (String role : List.of("objects", "control", "dlq", "alerts", "ledger")) {
      config.append("topics.").append(role).append('=').append(prefix).append('.').append(role).append('\n');
    }
    Path file = Files.writeString(home.resolve(prefix + ".properties"), config.toString());
    String[] create = {"--config", file.toString(), "topics", "create", "--partitions", "objects=5",
        "--retention-ms", "dlq=86400000", "--replication-factor", "1"};

    BatonRun first = BatonRun.execute(create);

    assertThat(first.exitCode()).as(first.err()).isZero();
    assertThat(first.out().lines()).containsExactly(
        prefix + ".alerts created 3 partitions, retention.ms 2592000000",
        prefix + ".control created 12 partitions, retention.ms 604800000",
        prefix + ".dlq created 3 partitions, retention.ms 86400000",
        prefix + ".ledger created 6 partitions, retention.ms 604800000",
        prefix + ".objects created 5 partitions, retention.ms 604800000");
    try (org.apache.kafka.clients.admin.Admin admin = org.apache.kafka.clients.admin.Admin.create(
        Map.of("bootstrap.servers", bootstrap))) {
      var descriptions = admin.describeTopics(List.of(prefix + ".objects", prefix + ".dlq")).allTopicNames().get();
      assertThat(descriptions.get(prefix + ".objects").partitions()).hasSize(5); // as the broker sees it
      var dlq = new org.apache.kafka.common.config.ConfigResource(
          org.apache.kafka.common.config.ConfigResource.Type.TOPIC, prefix + ".dlq");
      assertThat(admin.describeConfigs(List.of(dlq)).all().get().get(dlq).get("retention.ms").value())
          .isEqualTo("86400000");
    }

    BatonRun again = BatonRun.execute("--config", file.toString(), "topics", "create", "--partitions", "objects=8");
    assertThat(again.exitCode()).as(again.err()).isZero();
    assertThat(again.out()).contains(prefix + ".objects exists 5 partitions, not changed: wanted 8",
        prefix + ".control exists 12 partitions\n").doesNotContain("created");

    BatonRun invalid = BatonRun.execute("--config", file.toString(), "topics", "create", "--partitions", "events=3");
    assertThat(invalid.exitCode()).isEqualTo(TopicsCommand.USER_ERROR);
    assertThat(invalid.err()).contains("--partitions events=3", "roles are [alerts, control, dlq, ledger, objects]");
  }

  @Test
  void publishedObjectCreatedComeBackFromTailEqualAndTailOutputRepublishesExactly() throws Exception {
    String prefix = "events-it-" + UUID.randomUUID() + "/";
    List<ObjectCreated> events = List.of(
        object(prefix + "region.tbl", 389, null, ObjectSource.LISTING),
        object(prefix + "nation ü.tbl", 2_224, "\"9a0364b9e99bb480dd25e1f0284c8555\"", ObjectSource.S3_NOTIFICATION),
        object(prefix + "lineitem.tbl", 759_863_287_000L, "etag-3", ObjectSource.EVENTBRIDGE));
    ArrayNode array = MAPPER.createArrayNode();
    events.forEach(event -> array.add(EventJson.toJson(event)));
    Path file = Files.writeString(home.resolve("objects.json"), array.toPrettyString());

    BatonRun publish = baton("events", "publish", Topics.OBJECTS, "--json", file.toString());

    assertThat(publish.exitCode()).as(publish.err()).isZero();
    List<JsonNode> acks = publish.jsonLines();
    assertThat(acks).extracting(ack -> ack.get("key").asText())
        .containsExactly("landing/" + prefix + "region.tbl", "landing/" + prefix + "nation ü.tbl",
            "landing/" + prefix + "lineitem.tbl");
    long lastOffset = acks.get(2).get("offset").asLong();

    BatonRun tail = baton("events", "tail", Topics.OBJECTS, "--from-beginning", "--max", String.valueOf(lastOffset + 1),
        "--timeout-ms", "10000");

    assertThat(tail.exitCode()).as(tail.err()).isZero();
    List<JsonNode> ours = tail.jsonLines().stream().filter(line -> line.get("key").asText().startsWith("landing/" + prefix)).toList();
    assertThat(ours).hasSize(3);
    for (int i = 0; i < 3; i++) {
      JsonNode line = ours.get(i);
      assertThat(line.get("offset").asLong()).isEqualTo(acks.get(i).get("offset").asLong());
      assertThat(line.get("schemaId").asInt()).isEqualTo(BuiltInSchemaRegistry.OBJECT_CREATED_V1);
      assertThat(line.get("type").asText()).isEqualTo("dev.baton.schemas.event.ObjectCreated");
      assertThat(Instant.parse(line.get("timestamp").asText())).isAfter(Instant.now().minusSeconds(300));
      assertThat(EventJson.fromJson(line.get("value"), ObjectCreated.getClassSchema(), "value")).isEqualTo(events.get(i));
    }
    assertThat(ours.get(2).get("value").get("size").asLong()).isEqualTo(759_863_287_000L);
    assertThat(ours.get(1).get("value").get("eventTime").asText()).isEqualTo("2026-11-23T19:37:42.123Z");

    // what tail printed, published again as it is: the same events under the same keys
    Path tailOutput = Files.writeString(home.resolve("tail.jsonl"),
        String.join("\n", ours.stream().map(JsonNode::toString).toList()));
    BatonRun republish = baton("events", "publish", Topics.OBJECTS, "--json", tailOutput.toString());
    assertThat(republish.exitCode()).as(republish.err()).isZero();
    long from = republish.jsonLines().get(0).get("offset").asLong();
    BatonRun again = baton("events", "tail", Topics.OBJECTS, "--from-beginning", "--max", String.valueOf(from + 3),
        "--timeout-ms", "10000");
    List<JsonNode> repeated = again.jsonLines().stream().filter(line -> line.get("offset").asLong() >= from).toList();
    assertThat(repeated).extracting(line -> line.get("key").asText())
        .containsExactlyElementsOf(ours.stream().map(line -> line.get("key").asText()).toList());
    assertThat(repeated).extracting(line -> line.get("value")).containsExactlyElementsOf(
        ours.stream().map(line -> line.get("value")).toList());
  }

  @Test
  void undecodableRecordsPrintAnErrorLineAndTheTailGoesOn() throws Exception {
    EventSerde serde = EventSerde.builtIn();
    ControlEvent cancel = ControlEvent.newBuilder().setEventId("e-1").setRunId("run-1").setPipeline("tpch-12")
        .setTime(Instant.parse("2026-11-23T19:37:42.123Z")).setPayload(new RunCancelRequested("ana", "wrong input")).build();
    try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(
        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
        ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class,
        ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class))) {
      ProducerRecord<String, byte[]> garbage = new ProducerRecord<>(Topics.DLQ, "run-1", "not avro".getBytes(StandardCharsets.UTF_8));
      garbage.headers().add(new RecordHeader("baton.dlq.reason", "Cannot decode event: unknown magic byte 110".getBytes(StandardCharsets.UTF_8)));
      garbage.headers().add(new RecordHeader("baton.dlq.topic", Topics.CONTROL.getBytes(StandardCharsets.UTF_8)));
      producer.send(garbage).get();
      producer.send(new ProducerRecord<>(Topics.DLQ, "run-1", new byte[] {0, 0, 0, 0, 42, 2, 4})).get();
      producer.send(new ProducerRecord<>(Topics.DLQ, "run-1", serde.serialize(Topics.DLQ, cancel))).get();
    }

    BatonRun tail = baton("events", "tail", Topics.DLQ, "--from-beginning", "--max", "3", "--timeout-ms", "10000");
    BatonRun text = baton("events", "tail", Topics.DLQ, "--from-beginning", "--max", "3", "--timeout-ms", "10000",
        "--format", "text");

    assertThat(tail.exitCode()).as(tail.err()).isZero();
    List<JsonNode> lines = tail.jsonLines();
    assertThat(lines).hasSize(3);
    assertThat(lines.get(0).get("error").asText())
        .isEqualTo("Cannot decode event: unknown magic byte 110 (expected 0, Confluent framing)");
    assertThat(lines.get(0).get("valueBase64").asText()).isEqualTo("bm90IGF2cm8=");
    assertThat(lines.get(0).get("headers").get("baton.dlq.reason").asText())
        .isEqualTo("Cannot decode event: unknown magic byte 110");
    assertThat(lines.get(0).get("headers").get("baton.dlq.topic").asText()).isEqualTo(Topics.CONTROL);
    assertThat(lines.get(1).get("error").asText()).isEqualTo("Unknown schema id: 42");
    assertThat(lines.get(1).get("schemaId").asInt()).isEqualTo(42);
    assertThat(lines.get(2).has("error")).isFalse();
    assertThat(lines.get(2).get("type").asText()).isEqualTo("dev.baton.schemas.event.ControlEvent");
    assertThat(lines.get(2).get("value").get("payload").get("@type").asText()).isEqualTo("RunCancelRequested");
    assertThat(EventJson.fromJson(lines.get(2).get("value"), ControlEvent.getClassSchema(), "value")).isEqualTo(cancel);
    assertThat(text.out().lines().toList()).satisfiesExactly(
        line -> assertThat(line).contains(" baton.dlq/0@0 key=run-1 ERROR Cannot decode event: unknown magic byte 110")
            .contains("(8 bytes) headers={\"baton.dlq.reason\":"),
        line -> assertThat(line).endsWith(" baton.dlq/0@1 key=run-1 ERROR Unknown schema id: 42 (7 bytes)"),
        line -> assertThat(line).contains(" baton.dlq/0@2 key=run-1 ControlEvent {\"eventId\":\"e-1\""));
  }

  @Test
  void exampleFilePublishesAndTailStartsAtTheEnd() throws Exception {
    Path example = Path.of(System.getProperty("baton.repo.dir"), "examples/events/publish-object-created.json");

    BatonRun publish = baton("events", "publish", Topics.OBJECTS, "--json", example.toString());
    BatonRun fromEnd = baton("events", "tail", Topics.OBJECTS, "--timeout-ms", "1500");

    assertThat(publish.exitCode()).as(publish.err()).isZero();
    assertThat(publish.jsonLines()).isNotEmpty().allSatisfy(ack -> assertThat(ack.get("topic").asText()).isEqualTo(Topics.OBJECTS));
    assertThat(fromEnd.exitCode()).as(fromEnd.err()).isZero();
    assertThat(fromEnd.out()).isEmpty();
  }

  @Test
  void invalidFileSendsNothingAndUnknownTopicIsAUserError() throws Exception {
    Path file = Files.writeString(home.resolve("invalid.json"),
        "{\"eventId\": \"e\", \"bucket\": \"landing\", \"key\": \"invalid-it/a.tbl\", \"size\": 1,"
            + " \"eventTime\": \"2026-11-23T19:37:42Z\", \"source\": \"LISTING\"}\n"
            + "{\"eventId\": \"e\", \"bucket\": \"landing\", \"key\": \"invalid-it/b.tbl\", \"size\": 1, \"source\": \"FTP\"}\n");

    BatonRun publish = baton("events", "publish", Topics.OBJECTS, "--json", file.toString());
    BatonRun tail = baton("events", "tail", "no.such.topic", "--timeout-ms", "100");

    assertThat(publish.exitCode()).isEqualTo(2);
    assertThat(publish.out()).isEmpty();
    assertThat(publish.err().lines().toList()).containsExactly(
        "Cannot publish " + file + ": nothing sent",
        "record 2: value.eventTime: missing",
        "record 2: value.source: expected one of S3_NOTIFICATION, EVENTBRIDGE, LISTING, FLAG_FILE, got \"FTP\"");
    assertThat(tail.exitCode()).isEqualTo(2);
    assertThat(tail.err()).contains("Cannot tail no.such.topic: no such topic");
  }

  private static ObjectCreated object(String key, long size, String etag, ObjectSource source) {
    return ObjectCreated.newBuilder().setEventId(UUID.randomUUID().toString()).setBucket("landing").setKey(key)
        .setSize(size).setEtag(etag).setSequencer(null).setVersionId(null)
        .setEventTime(Instant.parse("2026-11-23T19:37:42.123Z")).setSource(source).build();
  }
}
