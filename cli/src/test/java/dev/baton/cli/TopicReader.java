package dev.baton.cli;

import dev.baton.schemas.EventSerde;
import dev.baton.schemas.event.ControlEvent;
import dev.baton.schemas.event.StageLaunched;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/** Reads a whole topic (every partition, from the beginning) in tests. */
final class TopicReader {
  private TopicReader() {}

  /**
   * Reads {@code topic} from the beginning until {@code done} holds for what was read so far
   * (records of each partition in offset order).
   *
   * @throws AssertionError if {@code done} does not hold within {@code timeout}
   */
  static List<ConsumerRecord<String, byte[]>> readUntil(Map<String, String> config, String topic,
      Predicate<List<ConsumerRecord<String, byte[]>>> done, Duration timeout) {
    try (KafkaConsumer<String, byte[]> consumer = consumer(config)) {
      seekToBeginning(consumer, topic);
      List<ConsumerRecord<String, byte[]>> records = new ArrayList<>();
      long deadline = System.nanoTime() + timeout.toNanos();
      while (System.nanoTime() < deadline) {
        consumer.poll(Duration.ofMillis(200)).forEach(records::add);
        if (done.test(records)) {
          return records;
        }
      }
      throw new AssertionError("Timed out after " + timeout.toSeconds() + " s reading " + topic + " (" + records.size()
          + " records read)");
    }
  }

  /** Every record of {@code topic} up to its end offsets when called (each partition in offset order). */
  static List<ConsumerRecord<String, byte[]>> readToEnd(Map<String, String> config, String topic) {
    try (Tail tail = new Tail(config, topic)) {
      return tail.readNew();
    }
  }

  /**
   * One consumer that follows a whole topic from its beginning: each {@link #readNew} returns the records added
   * since the last one, up to the end offsets at the call, so a test polling a condition reads each record once.
   * Not thread-safe.
   */
  static final class Tail implements AutoCloseable {
    private final KafkaConsumer<String, byte[]> consumer;
    private final List<TopicPartition> partitions;

    Tail(Map<String, String> config, String topic) {
      consumer = consumer(config);
      partitions = seekToBeginning(consumer, topic);
    }

    /** The records written since the previous call (each partition in offset order). */
    List<ConsumerRecord<String, byte[]>> readNew() {
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
      List<ConsumerRecord<String, byte[]>> records = new ArrayList<>();
      while (partitions.stream().anyMatch(partition -> consumer.position(partition) < end.get(partition))) {
        consumer.poll(Duration.ofMillis(200)).forEach(records::add);
      }
      return records;
    }

    @Override
    public void close() {
      consumer.close();
    }
  }

  /**
   * Reads one run's control events from the start of {@code baton.control} until {@code done} holds.
   *
   * @throws AssertionError if it does not hold within {@code timeout}
   */
  static List<ControlEvent> controlEvents(Map<String, String> config, String runId, Predicate<List<ControlEvent>> done,
      Duration timeout) {
    EventSerde serde = EventSerde.builtIn();
    List<ControlEvent> events = new ArrayList<>();
    readUntil(config, "baton.control", records -> {
      events.clear();
      records.stream().filter(r -> runId.equals(r.key())).forEach(r -> events.add(serde.deserialize(r.value(), ControlEvent.class)));
      return done.test(events);
    }, timeout);
    return events;
  }

  /** The launches among {@code events}, as {@code <stage>#<attempt>}, in order. */
  static List<String> launches(List<ControlEvent> events) {
    return events.stream().filter(e -> e.getPayload() instanceof StageLaunched)
        .map(e -> ((StageLaunched) e.getPayload()).getStage() + "#" + ((StageLaunched) e.getPayload()).getAttempt())
        .toList();
  }

  private static KafkaConsumer<String, byte[]> consumer(Map<String, String> config) {
    return new KafkaConsumer<>(Map.of(
        "bootstrap.servers", config.get("kafka.bootstrap.servers"),
        "key.deserializer", StringDeserializer.class,
        "value.deserializer", ByteArrayDeserializer.class,
        "max.poll.records", 5_000));
  }

  private static List<TopicPartition> seekToBeginning(KafkaConsumer<String, byte[]> consumer, String topic) {
    List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
        .map(info -> new TopicPartition(info.topic(), info.partition())).toList();
    consumer.assign(partitions);
    consumer.seekToBeginning(partitions);
    return partitions;
  }
}
