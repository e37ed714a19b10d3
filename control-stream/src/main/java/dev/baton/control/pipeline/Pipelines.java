package dev.baton.control.pipeline;

import dev.baton.schemas.RunIds;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/** The pipelines a controller serves, by name. Immutable and serializable (shipped to executors). */
public final class Pipelines implements Serializable {
  private static final long serialVersionUID = 1L;

  private final LinkedHashMap<String, PipelineDefinition> byName;

  private Pipelines(Map<String, PipelineDefinition> byName) {
    this.byName = new LinkedHashMap<>(byName);
  }

  /**
   * The given pipelines.
   *
   * @throws IllegalArgumentException if two share a name
   */
  public static Pipelines of(Collection<PipelineDefinition> pipelines) {
    Map<String, PipelineDefinition> byName = new LinkedHashMap<>();
    for (PipelineDefinition pipeline : pipelines) {
      if (byName.put(pipeline.name(), pipeline) != null) {
        throw new IllegalArgumentException("Duplicate pipeline name: " + pipeline.name());
      }
    }
    return new Pipelines(byName);
  }

  /**
   * Parses every {@code *.yaml} / {@code *.yml} file in {@code directory}.
   *
   * @throws PipelineValidationException for the first invalid file
   */
  public static Pipelines load(Path directory) {
    try (Stream<Path> files = Files.list(directory)) {
      List<PipelineDefinition> pipelines = new ArrayList<>();
      for (Path file : files.sorted().toList()) {
        String name = file.getFileName().toString();
        if (name.endsWith(".yaml") || name.endsWith(".yml")) {
          pipelines.add(PipelineParser.parse(file));
        }
      }
      return of(pipelines);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot list pipelines in " + directory, e);
    }
  }

  /** The pipeline named {@code name}. */
  public Optional<PipelineDefinition> get(String name) {
    return Optional.ofNullable(byName.get(name));
  }

  /** All pipelines, in load order. */
  public Collection<PipelineDefinition> all() {
    return byName.values();
  }

  /**
   * Which pipelines' object triggers an object falls in.
   *
   * @throws IllegalArgumentException when the object is in a trigger's folder but its batch id is invalid
   */
  public List<TriggerMatch> match(String bucket, String key) {
    List<TriggerMatch> matches = new ArrayList<>();
    for (PipelineDefinition pipeline : byName.values()) {
      ObjectTrigger trigger = pipeline.trigger();
      if (trigger == null) {
        continue;
      }
      trigger.match(bucket, key).ifPresent(batchFile -> {
        String triggerKey = trigger.triggerKey(batchFile.batch());
        matches.add(new TriggerMatch(pipeline.name(), RunIds.of(pipeline.name(), triggerKey), triggerKey,
            batchFile.batch(), batchFile.file()));
      });
    }
    return matches;
  }

  /**
   * An object that belongs to a pipeline's batch.
   *
   * @param pipeline the pipeline
   * @param runId the run the batch maps to
   * @param triggerKey {@code <bucket>/<prefix><batch>/}
   * @param batch the batch id
   * @param file the key below the batch folder
   */
  public record TriggerMatch(String pipeline, String runId, String triggerKey, String batch, String file) {}
}
