package dev.baton.connect.s3;

import dev.baton.schemas.event.ObjectCreated;
import dev.baton.schemas.event.ObjectSource;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.apache.kafka.connect.errors.RetriableException;
import org.apache.kafka.connect.source.SourceRecord;
import org.apache.kafka.connect.source.SourceTaskContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.MultipartUpload;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * Listing mode: every {@code poll.interval.ms}, lists each of the task's prefixes (the multipart
 * uploads in progress with ListMultipartUploads, then the objects with ListObjectsV2, all pages)
 * and emits what the {@link ObjectRouter} makes of each object its prefix's
 * {@link ListingWatermark} has not seen, oldest first. Each prefix is its own source partition
 * ({@code {bucket, prefix}}), its watermark the source offset. An object not emitted is counted
 * and logged with the reason (see {@link #list()}; objects the filters drop: one INFO line each).
 */
final class ListingPoller {
  /** Most multipart uploads in progress tracked per prefix (see {@link ListingWatermark}). */
  static final int MAX_TRACKED_UPLOADS = 1_000;
  private static final Logger LOG = LoggerFactory.getLogger(ListingPoller.class);

  private final S3EventSourceConfig config;
  private final S3Client s3;
  private final ObjectRouter router;
  /** Per prefix: source partition and watermark. */
  private final Map<String, Map<String, String>> partitions = new LinkedHashMap<>();
  private final Map<String, ListingWatermark> watermarks = new LinkedHashMap<>();
  private final Deque<Listed> pending = new ArrayDeque<>();
  /** Per prefix: the previous listing's counts, to log at INFO only what changed. */
  private final Map<String, String> lastSummaries = new HashMap<>();

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
   * Lists every prefix and queues the new objects: first the prefix's multipart uploads in
   * progress (ListMultipartUploads), then its objects (ListObjectsV2); see {@link ListingWatermark}
   * for why in that order. Logs at INFO, per prefix, how many objects were queued and how many
   * were not and why, whenever that differs from the prefix's previous listing (DEBUG otherwise).
   *
   * @throws RetriableException if a listing fails (Connect polls again)
   */
  void list() {
    for (String prefix : partitions.keySet()) {
      // kept only once the objects are listed: a failed listing must not drop the previous listing's uploads
      ListingWatermark watermark = watermarks.get(prefix).listed(uploads(prefix));
      List<S3Object> objects = new ArrayList<>();
      Map<String, Integer> counts = new TreeMap<>();
      try {
        for (S3Object object : s3.listObjectsV2Paginator(request -> request.bucket(config.bucket()).prefix(prefix))
            .contents()) {
          if (object.key().endsWith("/")) {
            counts.merge("folder marker", 1, Integer::sum);
            continue;
          }
          ListingWatermark.Verdict verdict = watermark.classify(object.key(), object.lastModified().toEpochMilli());
          counts.merge(verdict.reason, 1, Integer::sum);
          if (verdict.isNew) {
            objects.add(object);
          }
          if (verdict == ListingWatermark.Verdict.NEW_MULTIPART) {
            LOG.info("Queueing s3://{}/{} although its LastModified {} is behind the watermark: its key had a multipart"
                + " upload in progress at this or the previous listing (S3 dates the object at the upload's start)",
                config.bucket(), object.key(), object.lastModified());
          }
        }
      } catch (SdkException e) {
        throw new RetriableException("Cannot list s3://" + config.bucket() + "/" + prefix + ": " + e.getMessage(), e);
      }
      watermarks.put(prefix, watermark);
      objects.sort(Comparator.comparing(S3Object::lastModified).thenComparing(S3Object::key));
      objects.forEach(object -> pending.add(new Listed(prefix, object)));
      String summary = counts + ", " + watermark.trackedUploads() + " multipart uploads tracked";
      if (summary.equals(lastSummaries.put(prefix, summary))) {
        LOG.debug("Listed s3://{}/{}: {}", config.bucket(), prefix, summary);
      } else {
        LOG.info("Listed s3://{}/{}: objects by verdict {} (watermark minus grace {})", config.bucket(), prefix, summary,
            watermark.cutoffMs() == Long.MIN_VALUE ? "none" : Instant.ofEpochMilli(watermark.cutoffMs()));
      }
    }
  }

  /**
   * The multipart uploads in progress under a prefix, upload id to key; at most
   * {@link #MAX_TRACKED_UPLOADS}, the most recently initiated (a WARN names how many more there are).
   */
  private Map<String, String> uploads(String prefix) {
    List<MultipartUpload> listed = new ArrayList<>();
    try {
      s3.listMultipartUploadsPaginator(request -> request.bucket(config.bucket()).prefix(prefix)).uploads()
          .forEach(listed::add);
    } catch (SdkException e) {
      throw new RetriableException("Cannot list multipart uploads of s3://" + config.bucket() + "/" + prefix
          + " (needs s3:ListBucketMultipartUploads): " + e.getMessage(), e);
    }
    if (listed.size() > MAX_TRACKED_UPLOADS) {
      LOG.warn("s3://{}/{} has {} multipart uploads in progress; tracking the {} most recently initiated. An older one"
          + " that completes more than listing.grace.ms after it started will not be emitted; abort abandoned uploads"
          + " (lifecycle rule AbortIncompleteMultipartUpload)", config.bucket(), prefix, listed.size(), MAX_TRACKED_UPLOADS);
      listed.sort(Comparator.comparing(MultipartUpload::initiated, Comparator.nullsFirst(Comparator.<Instant>naturalOrder()))
          .reversed());
      listed = listed.subList(0, MAX_TRACKED_UPLOADS);
    }
    Map<String, String> uploads = new TreeMap<>();
    listed.forEach(upload -> uploads.put(upload.uploadId(), upload.key()));
    return uploads;
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
      ListingWatermark.Verdict verdict = watermark.classify(object.key(), lastModifiedMs);
      if (!verdict.isNew) {
        LOG.info("Not emitting s3://{}/{} (LastModified {}): {}", config.bucket(), object.key(), object.lastModified(),
            verdict.reason);
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
      if (output.isPresent()) {
        records.add(SourceRecords.of(output.get(), partitions.get(listed.prefix()), offset));
      } else {
        LOG.info("Not emitting s3://{}/{}: {}", config.bucket(), object.key(),
            router.exclusion(config.bucket(), object.key()).orElse("filtered"));
      }
    }
    return records;
  }
}
