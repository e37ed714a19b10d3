package dev.baton.control.pipeline;

import static java.util.Objects.requireNonNull;

import java.io.Serializable;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Starts a run when every required file of one batch has arrived: objects under
 * {@code s3://<bucket>/<prefix><batch>/<file>} where {@code <batch>} is one path segment.
 *
 * @param bucket the bucket watched
 * @param prefix key prefix, ending with {@code /} (or empty)
 * @param requiredFiles file names (below the batch folder) that must all be present; kept sorted, so a
 *     definition's JSON (and {@link PipelineVersions#hash}) is the same in every JVM
 */
public record ObjectTrigger(String bucket, String prefix, Set<String> requiredFiles) implements Serializable {

  /**
   * Batch ids are one path segment of safe characters, not starting with {@code .} (so never
   * {@code .} or {@code ..}): they end up in paths ({@code batchPrefix}) and partition values.
   */
  public static final Pattern BATCH_ID = Pattern.compile("[A-Za-z0-9_=-][A-Za-z0-9._=-]{0,127}");

  public ObjectTrigger {
    requireNonNull(bucket, "Invalid bucket: null");
    prefix = prefix == null ? "" : prefix;
    requiredFiles = java.util.Collections.unmodifiableSortedSet(
        new java.util.TreeSet<>(requireNonNull(requiredFiles, "Invalid requiredFiles: null")));
  }

  /**
   * The batch and file an object key falls in, if it is under this trigger's prefix.
   *
   * @return empty when the object is not in a batch folder of this trigger
   * @throws IllegalArgumentException when it is, but the batch id has characters outside {@link #BATCH_ID}
   */
  public Optional<BatchFile> match(String objectBucket, String key) {
    if (!bucket.equals(objectBucket) || !key.startsWith(prefix)) {
      return Optional.empty();
    }
    String rest = key.substring(prefix.length());
    int slash = rest.indexOf('/');
    if (slash <= 0 || slash == rest.length() - 1) {
      return Optional.empty();
    }
    String batch = rest.substring(0, slash);
    if (!BATCH_ID.matcher(batch).matches()) {
      throw new IllegalArgumentException("Invalid batch id '" + batch + "' in key " + key + " (allowed: " + BATCH_ID + ")");
    }
    return Optional.of(new BatchFile(batch, rest.substring(slash + 1)));
  }

  /** The trigger key of a batch: {@code <bucket>/<prefix><batch>/}. */
  public String triggerKey(String batch) {
    return bucket + "/" + prefix + batch + "/";
  }

  /**
   * A file of a batch.
   *
   * @param batch the batch id
   * @param file the key below the batch folder
   */
  public record BatchFile(String batch, String file) {}
}
