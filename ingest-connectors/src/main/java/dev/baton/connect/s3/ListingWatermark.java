package dev.baton.connect.s3;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * What the listing mode has emitted, kept in the Kafka Connect source offset so a restarted task
 * emits nothing twice: the newest LastModified seen, the keys (and LastModified) seen within the
 * grace window behind it, and the multipart uploads in progress at the last listings. Immutable.
 *
 * <p>An object is new when its (key, LastModified) is not remembered and either its LastModified
 * is within the window, or it is the object of a multipart upload that was in progress at the
 * previous or the current listing. The second case exists because S3 gives the object of a
 * multipart upload the upload's <em>start</em> as its LastModified: "For multipart uploads, the
 * object creation date is the date of initiation of the multipart upload" (Amazon S3 User Guide,
 * Working with object metadata, system-defined metadata, {@code Last-Modified}:
 * docs.aws.amazon.com/AmazonS3/latest/userguide/UsingMetadata.html). An upload that takes longer
 * than the grace window therefore appears behind the watermark when it completes; ListMultipartUploads
 * (docs.aws.amazon.com/AmazonS3/latest/API/API_ListMultipartUploads.html) shows it while it is in
 * progress, and the poller lists uploads <em>before</em> objects, so an upload completed after
 * one listing of objects is still among the previous listing's uploads when the next listing of
 * objects (strongly consistent since December 2020) shows its object. After a restart, the uploads
 * kept in the last committed offset count as the previous listing's; an upload started after that
 * listing has a LastModified within the grace window of that offset's watermark, provided one
 * listing takes less than {@code listing.grace.ms}.
 *
 * <p>An upload is matched to its object by key only: stores differ in what they report as an
 * upload's Initiated (S3Proxy: the time of the listing) and as its object's LastModified (S3Proxy:
 * the completion). The price: an older version of a key, listed while an upload to the same key is
 * in progress and no longer remembered, is emitted once more, with the same event id
 * ({@code listing:<bucket>/<key>:<etag>}), which the controller ignores.
 *
 * <p>Memory: the remembered keys are those emitted within the grace window plus those of tracked
 * uploads; the tracked uploads are at most those in progress at two listings (the poller caps
 * them, see {@link ListingPoller#MAX_TRACKED_UPLOADS}).
 */
final class ListingWatermark {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final TypeReference<TreeMap<String, Long>> KEYS = new TypeReference<>() {};
  private static final TypeReference<TreeMap<String, String>> UPLOADS = new TypeReference<>() {};

  /** Why a listed object is or is not emitted. */
  enum Verdict {
    /** Not emitted yet, LastModified within the grace window. */
    NEW(true, "new"),
    /** Not emitted yet, LastModified behind the window, but the object of a tracked multipart upload. */
    NEW_MULTIPART(true, "new although behind the watermark (its key had a multipart upload in progress)"),
    /** This key with this LastModified was emitted already. */
    ALREADY_EMITTED(false, "already emitted"),
    /** LastModified behind the grace window and no tracked multipart upload of its key: emitted before. */
    BEHIND_WATERMARK(false, "LastModified behind the watermark minus listing.grace.ms (emitted before)");

    final boolean isNew;
    final String reason;

    Verdict(boolean isNew, String reason) {
      this.isNew = isNew;
      this.reason = reason;
    }
  }

  private final long maxLastModifiedMs;
  /** Key to LastModified (epoch ms) of the objects emitted within the window or of tracked uploads. */
  private final TreeMap<String, Long> recent;
  /** Upload id to key: the uploads in progress at the previous listing and at the current one. */
  private final TreeMap<String, String> uploads;
  /** Upload id to key: the uploads in progress at the current listing only. */
  private final TreeMap<String, String> lastListed;
  private final long graceMs;

  private ListingWatermark(long maxLastModifiedMs, TreeMap<String, Long> recent, TreeMap<String, String> uploads,
      TreeMap<String, String> lastListed, long graceMs) {
    this.maxLastModifiedMs = maxLastModifiedMs;
    this.recent = recent;
    this.uploads = uploads;
    this.lastListed = lastListed;
    this.graceMs = graceMs;
  }

  static ListingWatermark empty(long graceMs) {
    return new ListingWatermark(Long.MIN_VALUE, new TreeMap<>(), new TreeMap<>(), new TreeMap<>(), graceMs);
  }

  /**
   * Restores from a source offset ({@code null} for a task that never committed one; an offset
   * written before uploads were tracked has none).
   *
   * @throws IllegalStateException if the offset cannot be read
   */
  static ListingWatermark fromOffset(Map<String, Object> offset, long graceMs) {
    if (offset == null || offset.get("maxLastModifiedMs") == null) {
      return empty(graceMs);
    }
    try {
      TreeMap<String, Long> recent = JSON.readValue((String) offset.get("recentKeys"), KEYS);
      Object uploadsJson = offset.get("uploads");
      TreeMap<String, String> uploads = uploadsJson == null ? new TreeMap<>() : JSON.readValue((String) uploadsJson, UPLOADS);
      // the uploads of the listing before the restart count as the previous listing's
      return new ListingWatermark(((Number) offset.get("maxLastModifiedMs")).longValue(), recent, uploads,
          new TreeMap<>(uploads), graceMs);
    } catch (JsonProcessingException | ClassCastException e) {
      throw new IllegalStateException("Cannot read listing watermark from source offset " + offset + ": " + e.getMessage(), e);
    }
  }

  /**
   * A watermark for the next listing of objects, given the multipart uploads in progress now
   * (listed just before the objects): it tracks these and those of the previous listing.
   *
   * @param inProgress upload id to key
   */
  ListingWatermark listed(Map<String, String> inProgress) {
    TreeMap<String, String> tracked = new TreeMap<>(lastListed);
    tracked.putAll(inProgress);
    return new ListingWatermark(maxLastModifiedMs, recent, tracked, new TreeMap<>(inProgress), graceMs);
  }

  /** Whether an object has not been emitted yet, and why. */
  Verdict classify(String key, long lastModifiedMs) {
    Long seen = recent.get(key);
    if (seen != null && seen == lastModifiedMs) {
      return Verdict.ALREADY_EMITTED;
    }
    if (maxLastModifiedMs == Long.MIN_VALUE || lastModifiedMs >= maxLastModifiedMs - graceMs) {
      return Verdict.NEW;
    }
    return uploads.containsValue(key) ? Verdict.NEW_MULTIPART : Verdict.BEHIND_WATERMARK;
  }

  /** Whether an object has not been emitted yet. */
  boolean isNew(String key, long lastModifiedMs) {
    return classify(key, lastModifiedMs).isNew;
  }

  /**
   * A watermark that also remembers this object (and forgets keys that left the window, except
   * those of tracked uploads, whose objects may be listed again behind the window).
   */
  ListingWatermark with(String key, long lastModifiedMs) {
    long max = Math.max(maxLastModifiedMs, lastModifiedMs);
    TreeMap<String, Long> copy = new TreeMap<>(recent);
    copy.put(key, lastModifiedMs);
    Set<String> uploading = Set.copyOf(uploads.values());
    copy.entrySet().removeIf(entry -> entry.getValue() < max - graceMs && !uploading.contains(entry.getKey()));
    return new ListingWatermark(max, copy, uploads, lastListed, graceMs);
  }

  /** The multipart uploads tracked (in progress at the previous or the current listing). */
  int trackedUploads() {
    return uploads.size();
  }

  /** The oldest LastModified still taken as new without a tracked upload, epoch ms; MIN_VALUE when none. */
  long cutoffMs() {
    return maxLastModifiedMs == Long.MIN_VALUE ? Long.MIN_VALUE : maxLastModifiedMs - graceMs;
  }

  /** As a Kafka Connect source offset (primitive values only). */
  Map<String, Object> toOffset() {
    try {
      return new TreeMap<>(Map.of("maxLastModifiedMs", maxLastModifiedMs, "recentKeys", JSON.writeValueAsString(recent),
          "uploads", JSON.writeValueAsString(uploads)));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("Cannot encode listing watermark", e);
    }
  }
}
