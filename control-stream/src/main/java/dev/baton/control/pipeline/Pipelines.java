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
   * The given pipelines, whose triggers are checked against each other: each pipeline trigger names a
   * defined upstream pipeline and maps parameters that pipeline has, and no pipeline starts itself
   * through a chain of pipeline and tables triggers.
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
      java.util.Set<String> upstreamParams =
          new java.util.LinkedHashSet<>(RunParameters.builtIn(upstream.schedule() != null));
      upstream.params().forEach(param -> upstreamParams.add(param.name()));
      trigger.params().forEach((name, upstreamName) -> {
        if (!upstreamParams.contains(upstreamName)) {
          errors.add(pipeline.name() + ": trigger.params." + name + ": pipeline '" + upstream.name()
              + "' has no parameter '" + upstreamName + "' (it has: " + String.join(", ", upstreamParams) + ")");
        }
      });
    }
    if (errors.isEmpty()) {
      Map<String, java.util.Set<String>> written = new LinkedHashMap<>(); // pipeline -> tables it writes, load order
      byName.values().forEach(pipeline -> written.put(pipeline.name(), pipeline.writtenTables()));
      Map<String, java.util.Set<String>> startedBy = new LinkedHashMap<>();
      byName.values().forEach(pipeline -> startedBy.put(pipeline.name(), startedBy(pipeline, written)));
      for (PipelineDefinition pipeline : byName.values()) {
        List<String> path = new ArrayList<>(List.of(pipeline.name()));
        if (cycle(pipeline.name(), startedBy, path, new java.util.HashSet<>())) {
          errors.add(pipeline.name() + ": trigger: a cycle of triggers, each pipeline started by runs of the next one"
              + " (its success or the tables it writes): " + String.join(" -> ", path));
        }
      }
    }
    if (!errors.isEmpty()) {
      throw new PipelineValidationException("pipelines", errors);
    }
    return new Pipelines(byName);
  }

  /**
   * The pipelines whose runs start {@code pipeline}'s: its pipeline trigger's upstream, and the pipelines
   * writing a table its tables trigger watches ({@code written}: each pipeline's {@link
   * PipelineDefinition#writtenTables}, in load order; its own runs' updates never trigger it).
   */
  private static java.util.Set<String> startedBy(PipelineDefinition pipeline, Map<String, java.util.Set<String>> written) {
    java.util.Set<String> upstreams = new java.util.LinkedHashSet<>();
    if (pipeline.upstream() != null) {
      upstreams.add(pipeline.upstream().upstream());
    }
    if (pipeline.tables() != null) {
      written.forEach((writer, tables) -> {
        if (!writer.equals(pipeline.name()) && tables.stream().anyMatch(pipeline.tables().tables()::contains)) {
          upstreams.add(writer);
        }
      });
    }
    return upstreams;
  }

  /** Whether a path of {@code startedBy} edges leads from the last of {@code path} back to its first; extends {@code path}. */
  private static boolean cycle(String start, Map<String, java.util.Set<String>> startedBy, List<String> path,
      java.util.Set<String> visited) {
    String current = path.get(path.size() - 1);
    for (String next : startedBy.getOrDefault(current, java.util.Set.of())) {
      path.add(next);
      if (next.equals(start)) {
        return true;
      }
      if (visited.add(next) && cycle(start, startedBy, path, visited)) {
        return true;
      }
      path.remove(path.size() - 1);
    }
    return false;
  }

  /**
   * The pipelines whose tables trigger watches {@code table}, other than {@code writer} (a run's own
   * updates never trigger its pipeline), in load order.
   */
  public List<PipelineDefinition> watching(String table, String writer) {
    return byName.values().stream().filter(p -> p.tables() != null && p.tables().tables().contains(table)
        && !p.name().equals(writer)).toList();
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
