package dev.baton.control.pipeline;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The version of a pipeline a run keeps: what the controller decides a run's stages on, fixed
 * when the run is created, so that a pipeline edited (or deleted) while runs are open does not
 * change the runs already under way.
 *
 * <p>A run keeps {@link #forRun its pipeline's definition without the webhook} (whose headers may
 * hold credentials, and which is not a decision: alerts go to the webhook of the pipeline's current
 * definition), identified by its {@link #hash content hash}.
 */
public final class PipelineVersions {
  /**
   * Canonical JSON: properties and map keys sorted, so the same definition always hashes the same;
   * null and empty values left out, so a field added to the definitions later does not change the
   * hash of a definition that does not use it.
   */
  private static final ObjectMapper CANONICAL = JsonMapper.builder()
      .enable(MapperFeature.SORT_PROPERTIES_ALPHABETICALLY)
      .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
      .serializationInclusion(JsonInclude.Include.NON_EMPTY)
      .build();

  private PipelineVersions() {}

  /**
   * What a run keeps of {@code pipeline}: all of it but the webhook.
   *
   * @throws NullPointerException if {@code pipeline} is null
   */
  public static PipelineDefinition forRun(PipelineDefinition pipeline) {
    requireNonNull(pipeline, "Invalid pipeline: null");
    return pipeline.webhook() == null ? pipeline
        : new PipelineDefinition(pipeline.name(), pipeline.description(), pipeline.trigger(), pipeline.stages(),
            pipeline.slaMs(), null, pipeline.params(), pipeline.schedule(), pipeline.upstream(),
            pipeline.tables(), pipeline.maxActiveRuns(), pipeline.priority());
  }

  /**
   * The content hash of what a run keeps of {@code pipeline} ({@link #forRun}): the first 12 hex
   * digits of the SHA-256 of its canonical JSON (sorted properties and map keys, no null or empty
   * values). Equal definitions have equal hashes in any JVM; an edit to a stage, the trigger or the
   * SLA changes it; an edit of the webhook alone does not.
   */
  public static String hash(PipelineDefinition pipeline) {
    try {
      byte[] json = CANONICAL.writeValueAsBytes(forRun(pipeline));
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(json);
      return HexFormat.of().formatHex(digest).substring(0, 12);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("Cannot hash pipeline " + pipeline.name() + ": " + e.getOriginalMessage(), e);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("Cannot hash pipeline " + pipeline.name() + ": no SHA-256", e);
    }
  }
}
