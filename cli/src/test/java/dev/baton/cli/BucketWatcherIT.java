package dev.baton.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.local.LocalEndpoints;
import dev.baton.schemas.EventSerde;
import dev.baton.schemas.Topics;
import dev.baton.schemas.event.ObjectCreated;
import dev.baton.schemas.event.ObjectSource;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.sync.RequestBody;

/** The bucket-watcher connector in the local Kafka Connect worker, against the local S3 endpoint. */
class BucketWatcherIT {
  private static LocalServices local;
  private static Map<String, String> config;

  @BeforeAll
  static void up() throws Exception {
    Path repository = Path.of(System.getProperty("baton.repo.dir")).toAbsolutePath();
    Path home = Files.createTempDirectory(repository.resolve("cli/target"), "it-watch");
    local = new LocalServices(new Workspace(home, repository, repository.resolve("examples/pipelines")));
    config = local.config(local.ensureRunning(quiet()).endpoints());
  }

  @AfterAll
  static void down() {
    if (local != null) {
      local.stack().down();
    }
  }

  @Test
  void emitsOneObjectCreatedPerObjectAndNothingTwiceAcrossAWorkerRestart() throws Exception {
    String prefix = "watch-" + UUID.randomUUID() + "/";
    put(prefix + "b1/a.tbl", "a");
    put(prefix + "b1/b c ü.tbl", "bb");
    put(prefix + "b2/c.tbl", "ccc");

    List<ObjectCreated> first = awaitObjects(prefix, 3);
    assertThat(first).extracting(ObjectCreated::getKey)
        .containsExactlyInAnyOrder(prefix + "b1/a.tbl", prefix + "b1/b c ü.tbl", prefix + "b2/c.tbl");
    assertThat(first).allSatisfy(event -> {
      assertThat(event.getBucket()).isEqualTo("landing");
      assertThat(event.getSource()).isEqualTo(ObjectSource.LISTING);
      assertThat(event.getEtag()).isNotBlank();
    });
    assertThat(first).filteredOn(e -> e.getKey().endsWith("c.tbl")).singleElement()
        .satisfies(e -> assertThat(e.getSize()).isEqualTo(3L));

    // restart every service (the Connect worker included); offsets live in Kafka
    assertThat(local.stack().down()).contains("connect", "kafka");
    LocalEndpoints endpoints = local.stack().up(quiet());
    assertThat(endpoints.kafkaBootstrap()).isEqualTo(config.get("kafka.bootstrap.servers"));
    put(prefix + "b3/d.tbl", "dddd");

    // the new object arrives after anything a restarted listing would have re-emitted
    List<ObjectCreated> all = awaitObjects(prefix, 4);
    assertThat(all).extracting(ObjectCreated::getKey).doesNotHaveDuplicates().hasSize(4).contains(prefix + "b3/d.tbl");
  }

  private static void put(String key, String content) {
    try (var s3 = dev.baton.cli.config.S3Settings.client(config)) {
      s3.putObject(r -> r.bucket("landing").key(key), RequestBody.fromString(content));
    }
  }

  /** Reads baton.objects from the start until {@code count} events under {@code prefix}, then to the end. */
  private static List<ObjectCreated> awaitObjects(String prefix, int count) {
    EventSerde serde = EventSerde.builtIn();
    try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(Map.of(
        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, config.get("kafka.bootstrap.servers"),
        ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class,
        ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class))) {
      TopicPartition partition = new TopicPartition(Topics.OBJECTS, 0);
      consumer.assign(List.of(partition));
      consumer.seekToBeginning(List.of(partition));
      List<ObjectCreated> seen = new ArrayList<>();
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (System.nanoTime() < deadline) {
        for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
          ObjectCreated event = serde.deserialize(record.value(), ObjectCreated.class);
          if (event.getKey().startsWith(prefix)) {
            assertThat(record.key()).isEqualTo("landing/" + event.getKey());
            seen.add(event);
          }
        }
        if (seen.size() >= count && consumer.position(partition) >= consumer.endOffsets(List.of(partition)).get(partition)) {
          return seen;
        }
      }
      throw new AssertionError("Saw " + seen.size() + " of " + count + " ObjectCreated events under " + prefix + ": " + seen);
    }
  }

  private static PrintStream quiet() {
    return new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
  }
}
