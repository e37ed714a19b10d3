package dev.baton.control.pipeline;

import static java.util.Objects.requireNonNull;

import java.io.Serializable;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A validated pipeline: a named DAG of stages and what triggers its runs. Built by {@link
 * PipelineParser}, which guarantees unique stage names, known dependencies, no cycles, known
 * stage types and valid options.
 *
 * @param name pipeline name, e.g. {@code tpch-12}
 * @param description free text
 * @param trigger the object trigger, or null for pipelines started only by {@code RunRequested}
 * @param stages stages in file order
 * @param slaMs a run not completed this long after it started raises one SLA_MISSED alert, ms; null for none
 * @param webhook where alerts of this pipeline are also POSTed, or null
 * @param params the run parameters it declares, in file order (built-ins are not listed: {@link RunParameters#BUILT_IN})
 * @param schedule the schedule trigger, or null
 * @param upstream the pipeline trigger (runs start when an upstream pipeline's run SUCCEEDED), or null
 * @param tables the tables trigger (runs start when upstream tables get new snapshots), or null; a pipeline has at
 *     most one trigger: {@code trigger}, {@code schedule}, {@code upstream} or {@code tables}
 * @param maxActiveRuns at most this many runs of the pipeline RUNNING at once; a run triggered beyond that is
 *     QUEUED and starts when a slot frees, oldest trigger first; null for no limit
 * @param priority when attempts of several pipelines wait for slots of one pool ({@code
 *     controller.max-concurrent-attempts.*}), a higher priority is admitted first; null is 0
 */
public record PipelineDefinition(String name, String description, ObjectTrigger trigger, List<StageDefinition> stages,
    Long slaMs, WebhookDefinition webhook, List<ParamDefinition> params, ScheduleTrigger schedule,
    PipelineTrigger upstream, TablesTrigger tables, Integer maxActiveRuns, Integer priority) implements Serializable {

  public PipelineDefinition {
    requireNonNull(name, "Invalid pipeline name: null");
    description = description == null ? "" : description;
    stages = List.copyOf(requireNonNull(stages, "Invalid stages: null"));
    params = params == null ? List.of() : List.copyOf(params);
  }

  /** The priority of the pipeline's attempts in a pool: {@link #priority}, 0 when not set. */
  public int priorityOrDefault() {
    return priority == null ? 0 : priority;
  }

  /** A pipeline without SLA, webhook or declared parameters. */
  public PipelineDefinition(String name, String description, ObjectTrigger trigger, List<StageDefinition> stages) {
    this(name, description, trigger, stages, null, null, List.of());
  }

  /** A pipeline without schedule. */
  public PipelineDefinition(String name, String description, ObjectTrigger trigger, List<StageDefinition> stages,
      Long slaMs, WebhookDefinition webhook, List<ParamDefinition> params) {
    this(name, description, trigger, stages, slaMs, webhook, params, null, null, null, null, null);
  }

  /**
   * The tables this pipeline's stages write, as their options name them: the {@code table} of its
   * {@code ingest} and {@code sql} stages (what a tables trigger of another pipeline may watch).
   */
  public java.util.Set<String> writtenTables() {
    java.util.Set<String> written = new java.util.TreeSet<>();
    for (StageDefinition stage : stages) {
      if ((stage.type().equals("ingest") || stage.type().equals("sql")) && stage.options().get("table") instanceof String table) {
        written.add(table);
      }
    }
    return written;
  }

  /** The stage named {@code name}, if any. */
  public Optional<StageDefinition> stage(String stageName) {
    return stages.stream().filter(stage -> stage.name().equals(stageName)).findFirst();
  }

  /** Stage name to stage, in file order. */
  public Map<String, StageDefinition> stagesByName() {
    Map<String, StageDefinition> byName = new LinkedHashMap<>();
    stages.forEach(stage -> byName.put(stage.name(), stage));
    return byName;
  }
}
