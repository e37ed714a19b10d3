package dev.baton.connect.s3;

import dev.baton.schemas.event.ObjectCreated;
import dev.baton.schemas.event.ObjectSource;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.apache.kafka.connect.errors.RetriableException;
import org.apache.kafka.connect.source.SourceRecord;
import org.apache.kafka.connect.source.SourceTaskContext;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * Listing mode: every {@code poll.interval.ms}, lists each of the task's prefixes (ListObjectsV2,
 * all pages) and emits what the {@link ObjectRouter} makes of each object its prefix's
 * {@link ListingWatermark} has not seen, oldest first. Each prefix is its own source partition
 * ({@code {bucket, prefix}}), its watermark the source offset.
 */
final class ListingPoller {
  private final S3EventSourceConfig config;
  private final S3Client s3;
  private final ObjectRouter router;
  /** Per prefix: source partition and watermark. */
  private final Map<String, Map<String, String>> partitions = new LinkedHashMap<>();
  private final Map<String, ListingWatermark> watermarks = new LinkedHashMap<>();
  private final Deque<Listed> pending = new ArrayDeque<>();

  private record Listed(String prefix, S3Object object) {}

  ListingPoller(S3EventSourceConfig config, S3Client s3, ObjectRouter router, SourceTaskContext context) {
    this.config = config;
    this.s3 = s3;
    this.router = router;
    for (String prefix : config.prefixes()) {
      // a sorted map: Connect looks offsets up by the serialized partition
      Map<String, String> partition = new TreeMap<>(Map.of("bucket", config.bucket(), "prefix", prefix));
      partitions.put(prefix, partition);
      watermarks.put(prefix, ListingWatermark.fromOffset(context.offsetStorageReader().offset(partition), config.graceMs()));
    }
  }

  /** Whether everything listed so far has been emitted. */
  boolean drained() {
    return pending.isEmpty();
  }

  /**
   * Lists every prefix and queues the new objects.
   *
   * @throws RetriableException if a listing fails (Connect polls again)
   */
  void list() {
    for (String prefix : partitions.keySet()) {
      ListingWatermark watermark = watermarks.get(prefix);
      List<S3Object> objects = new ArrayList<>();
      try {
        s3.listObjectsV2Paginator(request -> request.bucket(config.bucket()).prefix(prefix))
            .contents()
            .forEach(object -> {
              if (!object.key().endsWith("/") && watermark.isNew(object.key(), object.lastModified().toEpochMilli())) {
                objects.add(object);
              }
            });
      } catch (SdkException e) {
        throw new RetriableException("Cannot list s3://" + config.bucket() + "/" + prefix + ": " + e.getMessage(), e);
      }
      objects.sort(Comparator.comparing(S3Object::lastModified).thenComparing(S3Object::key));
      objects.forEach(object -> pending.add(new Listed(prefix, object)));
    }
  }

  /**
   * Up to {@code batch.max.records} records from what was listed, in order; stops before an
   * object whose flag file cannot be read yet.
   *
   * @throws RetriableException if the first object's flag file cannot be read yet
   */
  List<SourceRecord> next() {
    List<SourceRecord> records = new ArrayList<>();
    while (!pending.isEmpty() && records.size() < config.batchMaxRecords()) {
      Listed listed = pending.peek();
      S3Object object = listed.object();
      long lastModifiedMs = object.lastModified().toEpochMilli();
      ListingWatermark watermark = watermarks.get(listed.prefix());
      if (!watermark.isNew(object.key(), lastModifiedMs)) {
        pending.remove();
        continue;
      }
      ObjectCreated event = ObjectCreated.newBuilder()
          .setEventId("listing:" + config.bucket() + "/" + object.key() + ":" + object.eTag())
          .setBucket(config.bucket())
          .setKey(object.key())
          .setSize(object.size())
          .setEtag(object.eTag())
          .setSequencer(null)
          .setVersionId(null)
          .setEventTime(Instant.ofEpochMilli(lastModifiedMs))
          .setSource(ObjectSource.LISTING)
          .build();
      Optional<ObjectRouter.Output> output;
      try {
        output = router.route(event);
      } catch (SdkException e) {
        // a flag file unreadable for now: it stays first in the queue and unwatermarked; what was
        // converted before it goes out (its offsets do not cover it)
        if (!records.isEmpty()) {
          return records;
        }
        throw new RetriableException("Cannot read flag file s3://" + config.bucket() + "/" + object.key() + ": "
            + e.getMessage(), e);
      }
      pending.remove();
      watermark = watermark.with(object.key(), lastModifiedMs);
      watermarks.put(listed.prefix(), watermark);
      Map<String, Object> offset = watermark.toOffset();
      output.ifPresent(out -> records.add(SourceRecords.of(out, partitions.get(listed.prefix()), offset)));
    }
    return records;
  }
}
