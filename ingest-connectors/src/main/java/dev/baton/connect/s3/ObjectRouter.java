package dev.baton.connect.s3;

import dev.baton.schemas.ControlEvents;
import dev.baton.schemas.EventSerde;
import dev.baton.schemas.RunIds;
import dev.baton.schemas.event.ControlEvent;
import dev.baton.schemas.event.ObjectCreated;
import dev.baton.schemas.event.StageCompleted;
import dev.baton.schemas.event.StageError;
import dev.baton.schemas.event.StageStatus;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * Decides what an object event becomes: nothing (outside {@code s3.bucket} / {@code s3.prefixes},
 * not matching {@code key.include.globs}, or matching {@code key.exclude.globs}); for a key matching
 * {@code flag.key.pattern}, the flag file is read and becomes a {@code StageCompleted} on the control
 * topic (or a dead letter when its content or number cannot be used); otherwise an
 * {@code ObjectCreated} keyed {@code bucket/key}. Thread-confined (one per task).
 */
final class ObjectRouter {
  /** The first token of a flag file's first non-blank line, lower-cased, to a stage status. */
  private static final Map<String, StageStatus> FLAG_WORDS =
      Map.of("succeeded", StageStatus.SUCCEEDED, "failed", StageStatus.FAILED);

  private final S3EventSourceConfig config;
  private final EventSerde serde;
  private final S3Client s3;
  private final List<PathMatcher> include;
  private final List<PathMatcher> exclude;
  private final FlagFilePattern flagPattern;

  /**
   * @param s3 client used to read flag files (unused when {@code flag.key.pattern} is empty)
   */
  ObjectRouter(S3EventSourceConfig config, EventSerde serde, S3Client s3) {
    this.config = config;
    this.serde = serde;
    this.s3 = s3;
    this.include = config.includeGlobs().stream().map(ObjectRouter::glob).toList();
    this.exclude = config.excludeGlobs().stream().map(ObjectRouter::glob).toList();
    this.flagPattern = config.flagKeyPattern().isBlank() ? null : FlagFilePattern.compile(config.flagKeyPattern());
  }

  private static PathMatcher glob(String glob) {
    return FileSystems.getDefault().getPathMatcher("glob:" + glob);
  }

  /** Whether the connector's bucket, prefix and glob filters keep this object. */
  boolean keeps(String bucket, String key) {
    return exclusion(bucket, key).isEmpty();
  }

  /** Why the connector's bucket, prefix and glob filters drop this object; empty when they keep it. */
  Optional<String> exclusion(String bucket, String key) {
    if (!config.bucket().isBlank() && !config.bucket().equals(bucket)) {
      return Optional.of("bucket " + bucket + " is not s3.bucket " + config.bucket());
    }
    if (config.prefixes().stream().noneMatch(key::startsWith)) {
      return Optional.of("key outside s3.prefixes " + config.prefixes());
    }
    if (include.isEmpty() && exclude.isEmpty()) {
      return Optional.empty();
    }
    Path path;
    try {
      path = Path.of(key);
    } catch (InvalidPathException e) {
      // a key no glob can describe (e.g. a NUL): only kept when nothing is required
      return include.isEmpty() ? Optional.empty() : Optional.of("key matches no key.include.globs (no glob can)");
    }
    if (!include.isEmpty() && include.stream().noneMatch(m -> m.matches(path))) {
      return Optional.of("key matches no key.include.globs " + config.includeGlobs());
    }
    if (exclude.stream().anyMatch(m -> m.matches(path))) {
      return Optional.of("key matches key.exclude.globs " + config.excludeGlobs());
    }
    return Optional.empty();
  }

  /**
   * What an object event becomes.
   *
   * @return the record to write, or empty when the filters drop the object
   * @throws SdkException if a flag file cannot be read for a reason that may pass (throttling, 5xx,
   *     network); a 4xx other than 408/429 makes a dead letter instead
   */
  Optional<Output> route(ObjectCreated object) {
    if (!keeps(object.getBucket(), object.getKey())) {
      return Optional.empty();
    }
    if (flagPattern != null) {
      Optional<FlagFilePattern.Flag> flag = flagPattern.match(object.getKey());
      if (flag.isPresent()) {
        return Optional.of(flagFile(object, flag.get()));
      }
    }
    String key = object.getBucket() + "/" + object.getKey();
    return Optional.of(new Output(config.topic(), key, serde.serialize(config.topic(), object), null));
  }

  /** A StageCompleted on the control topic, keyed by runId. */
  Output stageEvent(ControlEvent event) {
    return new Output(config.controlTopic(), event.getRunId(), serde.serialize(config.controlTopic(), event), null);
  }

  /** A dead letter: the original bytes and the reason. */
  Output deadLetter(String key, byte[] original, String reason) {
    return new Output(config.dlqTopic(), key, original, reason);
  }

  /** A dead letter of an object event: the encoded ObjectCreated, keyed {@code bucket/key}. */
  private Output deadLetter(ObjectCreated object, String reason) {
    return deadLetter(object.getBucket() + "/" + object.getKey(), serde.serialize(config.topic(), object), reason);
  }

  private Output flagFile(ObjectCreated object, FlagFilePattern.Flag flag) {
    String location = "s3://" + object.getBucket() + "/" + object.getKey();
    List<String> stages = config.flagStages();
    if (flag.number() < 1 || flag.number() > stages.size()) {
      return deadLetter(object, "flag file " + location + " has job number " + flag.number()
          + " but flag.stages names " + stages.size() + " stages " + stages);
    }
    String content;
    try {
      content = s3.getObjectAsBytes(request -> request.bucket(object.getBucket()).key(object.getKey())
          .range("bytes=0-" + (config.flagMaxBytes() - 1))).asString(StandardCharsets.UTF_8);
    } catch (S3Exception e) {
      if (e.statusCode() == 416) {
        content = ""; // a range of an empty object
      } else if (e.statusCode() / 100 == 4 && e.statusCode() != 408 && e.statusCode() != 429) {
        // will not pass by itself (gone, access denied, ...): dead-lettered, not retried forever
        return deadLetter(object, "cannot read flag file " + location + ": HTTP " + e.statusCode() + " " + e.getMessage());
      } else {
        throw e;
      }
    }
    String trimmed = content.strip();
    int lineEnd = trimmed.indexOf('\n');
    String firstLine = (lineEnd < 0 ? trimmed : trimmed.substring(0, lineEnd)).strip();
    String word = firstLine.split("[\\s:;,.]+", 2)[0].toLowerCase(Locale.ROOT);
    StageStatus status = FLAG_WORDS.get(word);
    if (status == null) {
      return deadLetter(object.getBucket() + "/" + object.getKey(), content.getBytes(StandardCharsets.UTF_8),
          "flag file " + location + " must start with 'succeeded' or 'failed', starts with '"
              + firstLine.substring(0, Math.min(80, firstLine.length())) + "'");
    }
    String stage = stages.get(flag.number() - 1);
    String triggerKey = object.getBucket() + "/" + flag.batchFolder();
    String runId = RunIds.of(config.flagPipeline(), triggerKey);
    StageCompleted completed = StageCompleted.newBuilder()
        .setStage(stage)
        .setAttempt(flag.attempt())
        .setStatus(status)
        .setStartedAt(object.getEventTime())
        .setFinishedAt(object.getEventTime())
        .setOutputs(List.of())
        .setMetrics(Map.of())
        .setError(status == StageStatus.SUCCEEDED ? null
            : StageError.newBuilder().setType("FLAG_FILE_FAILED").setMessage(trimmed).setLogUri(location).build())
        .build();
    return stageEvent(ControlEvents.completed(runId, config.flagPipeline(), completed));
  }

  /**
   * One record to write.
   *
   * @param topic destination topic
   * @param key Kafka key (UTF-8)
   * @param value Kafka value: Confluent-framed Avro, or the original bytes for a dead letter
   * @param deadLetterReason why the record is a dead letter; null for a regular record
   */
  record Output(String topic, String key, byte[] value, String deadLetterReason) {}
}
