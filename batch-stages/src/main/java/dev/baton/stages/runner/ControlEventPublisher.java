package dev.baton.stages.runner;

import dev.baton.schemas.EventSerde;
import dev.baton.schemas.Topics;
import dev.baton.schemas.event.ControlEvent;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Publishes {@link ControlEvent}s to {@value Topics#CONTROL}, keyed by runId so one run's events
 * stay ordered in one partition. Idempotent producer, {@code acks=all}. Thread-safe.
 */
public final class ControlEventPublisher implements AutoCloseable {
  private final KafkaProducer<String, byte[]> producer;
  private final EventSerde serde;
  private final String topic;

  /**
   * @param kafkaConfig Kafka producer settings ({@code bootstrap.servers} at least; security
   *     settings for MSK pass through unchanged)
   * @param serde the event serde
   */
  public ControlEventPublisher(Map<String, Object> kafkaConfig, EventSerde serde) {
    this(kafkaConfig, serde, Topics.CONTROL);
  }

  public ControlEventPublisher(Map<String, Object> kafkaConfig, EventSerde serde, String topic) {
    Map<String, Object> config = new HashMap<>(kafkaConfig);
    config.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
    config.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
    config.putIfAbsent(ProducerConfig.ACKS_CONFIG, "all");
    config.putIfAbsent(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    config.putIfAbsent(ProducerConfig.LINGER_MS_CONFIG, 0);
    this.producer = new KafkaProducer<>(config);
    this.serde = serde;
    this.topic = topic;
  }

  /** Sends without waiting; the returned future completes when Kafka acknowledged the event. */
  public Future<RecordMetadata> publishAsync(ControlEvent event) {
    return producer.send(new ProducerRecord<>(topic, event.getRunId(), serde.serialize(topic, event)));
  }

  /**
   * Sends and waits for Kafka's acknowledgement.
   *
   * @throws IllegalStateException if Kafka did not acknowledge the event (the cause says why)
   */
  public RecordMetadata publish(ControlEvent event) {
    try {
      return publishAsync(event).get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while publishing " + event.getEventId(), e);
    } catch (ExecutionException e) {
      throw new IllegalStateException("Cannot publish " + event.getEventId() + " to " + topic + ": " + e.getCause(), e.getCause());
    }
  }

  /**
   * Sends raw bytes to another topic (the dead-letter, alerts or ledger topic) without waiting; the
   * returned future completes when Kafka acknowledged the record.
   */
  public Future<RecordMetadata> publishRawAsync(String otherTopic, String key, byte[] value,
      Iterable<org.apache.kafka.common.header.Header> headers) {
    return producer.send(new ProducerRecord<>(otherTopic, null, key, value, headers));
  }

  /** Sends raw bytes to another topic (e.g. the dead-letter topic) and waits for the acknowledgement. */
  public RecordMetadata publishRaw(String otherTopic, String key, byte[] value, Iterable<org.apache.kafka.common.header.Header> headers) {
    try {
      return publishRawAsync(otherTopic, key, value, headers).get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while publishing to " + otherTopic, e);
    } catch (ExecutionException e) {
      throw new IllegalStateException("Cannot publish to " + otherTopic + ": " + e.getCause(), e.getCause());
    }
  }

  /** Waits for every sent event to be acknowledged. */
  public void flush() {
    producer.flush();
  }

  @Override
  public void close() {
    producer.close();
  }
}
