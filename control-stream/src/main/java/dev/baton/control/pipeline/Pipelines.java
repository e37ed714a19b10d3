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
   * The given pipelines, whose pipeline triggers are checked against each other: each names a defined
   * upstream pipeline and maps parameters that pipeline has, and no pipeline triggers itself through
   * a chain of them.
   *
   * @throws IllegalArgumentException if two share a name
   * @throws PipelineValidationException listing every pipeline trigger that fails these checks, {@code
   *     <pipeline>: trigger.<field>: <reason>}; a cycle is named {@code a -> b -> a}
   */
  public static Pipelines of(Collection<PipelineDefinition> pipelines) {
    Map<String, PipelineDefinition> byName = new LinkedHashMap<>();
    for (PipelineDefinition pipeline : pipelines) {
      if (byName.put(pipeline.name(), pipeline) != null) {
        throw new IllegalArgumentException("Duplicate pipeline name: " + pipeline.name());
      }
    }
    List<String> errors = new ArrayList<>();
    for (PipelineDefinition pipeline : byName.values()) {
      PipelineTrigger trigger = pipeline.upstream();
      if (trigger == null) {
        continue;
      }
      PipelineDefinition upstream = byName.get(trigger.upstream());
      if (upstream == null) {
        errors.add(pipeline.name() + ": trigger.pipeline: unknown pipeline '" + trigger.upstream() + "' (defined: "
            + String.join(", ", byName.keySet()) + ")");
        continue;
      }
      java.util.Set<String> upstreamParams = new java.util.LinkedHashSet<>(RunParameters.BUILT_IN);
      upstream.params().forEach(param -> upstreamParams.add(param.name()));
      trigger.params().forEach((name, upstreamName) -> {
        if (!upstreamParams.contains(upstreamName)) {
          errors.add(pipeline.name() + ": trigger.params." + name + ": pipeline '" + upstream.name()
              + "' has no parameter '" + upstreamName + "' (it has: " + String.join(", ", upstreamParams) + ")");
        }
      });
    }
    if (errors.isEmpty()) {
      for (PipelineDefinition pipeline : byName.values()) {
        List<String> chain = new ArrayList<>(List.of(pipeline.name()));
        PipelineDefinition current = pipeline;
        while (current.upstream() != null && byName.containsKey(current.upstream().upstream())) {
          String next = current.upstream().upstream();
          chain.add(next);
          if (next.equals(pipeline.name())) {
            errors.add(pipeline.name() + ": trigger.pipeline: a cycle of pipeline triggers, each pipeline started by"
                + " the next one's success: " + String.join(" -> ", chain));
            break;
          }
          if (chain.indexOf(next) < chain.size() - 1) {
            break; // a cycle further up, reported for its own pipelines
          }
          current = byName.get(next);
        }
      }
    }
    if (!errors.isEmpty()) {
      throw new PipelineValidationException("pipelines", errors);
    }
    return new Pipelines(byName);
  }

  /** The pipelines whose pipeline trigger names {@code upstream}, in load order. */
  public List<PipelineDefinition> triggeredBy(String upstream) {
    return byName.values().stream().filter(p -> p.upstream() != null && p.upstream().upstream().equals(upstream))
        .toList();
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
