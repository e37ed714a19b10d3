package dev.baton.connect.s3;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Map;
import java.util.TreeMap;

/**
 * What the listing mode has emitted, kept in the Kafka Connect source offset so a restarted task
 * emits nothing twice: the newest LastModified seen, and the keys seen within the grace window
 * behind it. An object is new when its LastModified is within the window and its key is not
 * remembered; objects older than the window are taken as seen. Immutable.
 */
final class ListingWatermark {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final TypeReference<TreeMap<String, Long>> KEYS = new TypeReference<>() {};

  private final long maxLastModifiedMs;
  /** Key to LastModified (epoch ms) of the objects within the window. */
  private final TreeMap<String, Long> recent;
  private final long graceMs;

  private ListingWatermark(long maxLastModifiedMs, TreeMap<String, Long> recent, long graceMs) {
    this.maxLastModifiedMs = maxLastModifiedMs;
    this.recent = recent;
    this.graceMs = graceMs;
  }

  static ListingWatermark empty(long graceMs) {
    return new ListingWatermark(Long.MIN_VALUE, new TreeMap<>(), graceMs);
  }

  /** Restores from a source offset ({@code null} for a task that never committed one). */
  static ListingWatermark fromOffset(Map<String, Object> offset, long graceMs) {
    if (offset == null || offset.get("maxLastModifiedMs") == null) {
      return empty(graceMs);
    }
    try {
      TreeMap<String, Long> recent = JSON.readValue((String) offset.get("recentKeys"), KEYS);
      return new ListingWatermark(((Number) offset.get("maxLastModifiedMs")).longValue(), recent, graceMs);
    } catch (JsonProcessingException | ClassCastException e) {
      throw new IllegalStateException("Cannot read listing watermark from source offset " + offset + ": " + e.getMessage(), e);
    }
  }

  /** Whether an object has not been emitted yet. */
  boolean isNew(String key, long lastModifiedMs) {
    if (maxLastModifiedMs != Long.MIN_VALUE && lastModifiedMs < maxLastModifiedMs - graceMs) {
      return false;
    }
    return !recent.containsKey(key);
  }

  /** A watermark that also remembers this object (and forgets keys that left the window). */
  ListingWatermark with(String key, long lastModifiedMs) {
    long max = Math.max(maxLastModifiedMs, lastModifiedMs);
    TreeMap<String, Long> copy = new TreeMap<>(recent);
    copy.put(key, lastModifiedMs);
    copy.values().removeIf(modified -> modified < max - graceMs);
    return new ListingWatermark(max, copy, graceMs);
  }

  /** As a Kafka Connect source offset (primitive values only). */
  Map<String, Object> toOffset() {
    try {
      return new TreeMap<>(Map.of("maxLastModifiedMs", maxLastModifiedMs, "recentKeys", JSON.writeValueAsString(recent)));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("Cannot encode listing watermark", e);
    }
  }
}
