package dev.baton.connect.s3;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.header.ConnectHeaders;
import org.apache.kafka.connect.source.SourceRecord;

/** Builds Connect records from {@link ObjectRouter.Output}s: bytes key and value, dead-letter headers. */
final class SourceRecords {
  /** Dead-letter header: why the record could not be used. */
  static final String HEADER_REASON = "baton.dlq.reason";
  /** Dead-letter header: where it came from (queue URL and message id, or s3://bucket/key). */
  static final String HEADER_SOURCE = "baton.dlq.source";

  private SourceRecords() {}

  static SourceRecord of(ObjectRouter.Output output, Map<String, ?> partition, Map<String, ?> offset) {
    return of(output, partition, offset, null);
  }

  /**
   * @param origin where the record came from, recorded on dead letters (null: none)
   */
  static SourceRecord of(ObjectRouter.Output output, Map<String, ?> partition, Map<String, ?> offset, String origin) {
    ConnectHeaders headers = new ConnectHeaders();
    if (output.deadLetterReason() != null) {
      headers.addString(HEADER_REASON, output.deadLetterReason());
      if (origin != null) {
        headers.addString(HEADER_SOURCE, origin);
      }
    }
    return new SourceRecord(partition, offset, output.topic(), null,
        Schema.BYTES_SCHEMA, output.key().getBytes(StandardCharsets.UTF_8),
        Schema.BYTES_SCHEMA, output.value(), null, headers);
  }
}
