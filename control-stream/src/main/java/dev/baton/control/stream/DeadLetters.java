package dev.baton.control.stream;

import dev.baton.stages.runner.ControlEventPublisher;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.Future;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;

/**
 * Writes a record the controller cannot decode or apply to the dead-letter topic: the original key
 * and bytes unchanged, with headers saying why and where it came from.
 */
final class DeadLetters {
  /** Dead-letter headers: why, and where the record came from. */
  static final String HEADER_REASON = "baton.dlq.reason";
  static final String HEADER_TOPIC = "baton.dlq.topic";
  static final String HEADER_PARTITION = "baton.dlq.partition";
  static final String HEADER_OFFSET = "baton.dlq.offset";

  private DeadLetters() {}

  /** Sends without waiting; the future completes when Kafka acknowledged the dead letter. */
  static Future<RecordMetadata> publish(ControlEventPublisher publisher, String dlqTopic, String reason, String topic,
      int partition, long offset, byte[] key, byte[] value) {
    List<Header> headers = List.of(
        new RecordHeader(HEADER_REASON, reason.getBytes(StandardCharsets.UTF_8)),
        new RecordHeader(HEADER_TOPIC, topic.getBytes(StandardCharsets.UTF_8)),
        new RecordHeader(HEADER_PARTITION, String.valueOf(partition).getBytes(StandardCharsets.UTF_8)),
        new RecordHeader(HEADER_OFFSET, String.valueOf(offset).getBytes(StandardCharsets.UTF_8)));
    return publisher.publishRawAsync(dlqTopic, key == null ? null : new String(key, StandardCharsets.UTF_8), value, headers);
  }
}
