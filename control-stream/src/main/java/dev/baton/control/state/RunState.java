package dev.baton.control.state;

import static java.util.Objects.requireNonNull;

import dev.baton.control.pipeline.PipelineDefinition;
import dev.baton.control.pipeline.PipelineVersions;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.Set;

/**
 * The controller's state of one run, kept in Spark's state store keyed by runId. Immutable.
 *
 * @param runId the run
 * @param pipeline the pipeline name
 * @param triggerKey what triggered it (with the pipeline, determines the runId)
 * @param status the run's status
 * @param params run parameters handed to every stage
 * @param filesSeen trigger files seen so far (for object triggers)
 * @param stages stage name to state, in pipeline order
 * @param createdAtMs when the first event of the run arrived, epoch ms
 * @param startedAtMs when the run started (left WAITING), epoch ms, or null
 * @param completedAtMs when the run ended, epoch ms, or null
 * @param resumes how many times an operator resumed the run
 * @param slaMissed whether the run's SLA alert has been raised
 * @param operatorRequests event ids of the resume/cancel requests applied, so a re-delivered request is ignored
 * @param compacted whether only a tombstone is left (an ended run past the state retention): no
 *     stages, parameters, request ids or pipeline definition
 * @param pipelineVersion the {@link PipelineVersions#hash content hash} of {@code pipelineDefinition};
 *     null for state written before runs kept their version, until the controller adopts one for it
 * @param pipelineDefinition the pipeline version the run decides on ({@link PipelineVersions#forRun}:
 *     no webhook), kept from its creation (or its last resume) whatever the pipeline's YAML says now;
 *     null in a tombstone and in state written before runs kept their version
 */
public record RunState(
    String runId,
    String pipeline,
    String triggerKey,
    RunStatus status,
    Map<String, String> params,
    Set<String> filesSeen,
    Map<String, StageState> stages,
    long createdAtMs,
    Long startedAtMs,
    Long completedAtMs,
    int resumes,
    boolean slaMissed,
    Set<String> operatorRequests,
    boolean compacted,
    String pipelineVersion,
    PipelineDefinition pipelineDefinition) {

  public RunState {
    requireNonNull(runId, "Invalid runId: null");
    requireNonNull(pipeline, "Invalid pipeline: null");
    requireNonNull(triggerKey, "Invalid triggerKey: null");
    requireNonNull(status, "Invalid status: null");
    params = Map.copyOf(requireNonNull(params, "Invalid params: null"));
    filesSeen = Collections.unmodifiableSet(new TreeSet<>(requireNonNull(filesSeen, "Invalid filesSeen: null")));
    stages = Collections.unmodifiableMap(new LinkedHashMap<>(requireNonNull(stages, "Invalid stages: null")));
    // state written before these fields existed has none
    operatorRequests = operatorRequests == null ? Set.of() : Collections.unmodifiableSet(new TreeSet<>(operatorRequests));
  }

  /** A new run's state: no stages yet, never resumed; it keeps {@code pipeline}'s current version. */
  static RunState waiting(String runId, PipelineDefinition pipeline, String triggerKey, Map<String, String> params,
      Set<String> filesSeen, long createdAtMs) {
    return new RunState(runId, pipeline.name(), triggerKey, RunStatus.WAITING, params, filesSeen, Map.of(), createdAtMs,
        null, null, 0, false, Set.of(), false, null, null).withPipelineVersion(pipeline);
  }

  /** A copy that keeps {@code pipeline} ({@link PipelineVersions#forRun without its webhook}) as the run's version. */
  RunState withPipelineVersion(PipelineDefinition pipeline) {
    PipelineDefinition kept = PipelineVersions.forRun(pipeline);
    return new RunState(runId, this.pipeline, triggerKey, status, params, filesSeen, stages, createdAtMs, startedAtMs,
        completedAtMs, resumes, slaMissed, operatorRequests, compacted, PipelineVersions.hash(kept), kept);
  }

  /**
   * A copy without the pipeline definition, keeping only its {@link #pipelineVersion} hash: how the
   * state is stored when the definition is kept once per version elsewhere (the controller's
   * archive of pipeline versions), instead of once per run.
   */
  public RunState withoutPipelineDefinition() {
    return new RunState(runId, pipeline, triggerKey, status, params, filesSeen, stages, createdAtMs, startedAtMs,
        completedAtMs, resumes, slaMissed, operatorRequests, compacted, pipelineVersion, null);
  }

  /** A copy with {@code definition}, the archived definition of this run's {@link #pipelineVersion}. */
  public RunState withPipelineDefinition(PipelineDefinition definition) {
    return new RunState(runId, pipeline, triggerKey, status, params, filesSeen, stages, createdAtMs, startedAtMs,
        completedAtMs, resumes, slaMissed, operatorRequests, compacted, pipelineVersion, definition);
  }

  /** A copy with other stages (and status). */
  RunState withStages(RunStatus newStatus, Map<String, StageState> newStages) {
    return new RunState(runId, pipeline, triggerKey, newStatus, params, filesSeen, newStages, createdAtMs, startedAtMs,
        completedAtMs, resumes, slaMissed, operatorRequests, compacted, pipelineVersion, pipelineDefinition);
  }

  /** A copy with other parameters. */
  RunState withParams(Map<String, String> newParams) {
    return new RunState(runId, pipeline, triggerKey, status, newParams, filesSeen, stages, createdAtMs, startedAtMs,
        completedAtMs, resumes, slaMissed, operatorRequests, compacted, pipelineVersion, pipelineDefinition);
  }

  /** A copy that remembers an applied operator request. */
  RunState withOperatorRequest(String eventId, int newResumes) {
    Set<String> copy = new TreeSet<>(operatorRequests);
    copy.add(eventId);
    return new RunState(runId, pipeline, triggerKey, status, params, filesSeen, stages, createdAtMs, startedAtMs,
        completedAtMs, newResumes, slaMissed, copy, compacted, pipelineVersion, pipelineDefinition);
  }

  /** A copy with the SLA alert raised. */
  RunState withSlaMissed() {
    return new RunState(runId, pipeline, triggerKey, status, params, filesSeen, stages, createdAtMs, startedAtMs,
        completedAtMs, resumes, true, operatorRequests, compacted, pipelineVersion, pipelineDefinition);
  }

  /** A copy with another status and completion time. */
  RunState withStatus(RunStatus newStatus, Long newStartedAtMs, Long newCompletedAtMs) {
    return new RunState(runId, pipeline, triggerKey, newStatus, params, filesSeen, stages, createdAtMs,
        newStartedAtMs, newCompletedAtMs, resumes, slaMissed, operatorRequests, compacted, pipelineVersion, pipelineDefinition);
  }

  /** A copy with one stage replaced. */
  RunState withStage(String stage, StageState state) {
    Map<String, StageState> copy = new LinkedHashMap<>(stages);
    copy.put(stage, state);
    return new RunState(runId, pipeline, triggerKey, status, params, filesSeen, copy, createdAtMs, startedAtMs, completedAtMs,
        resumes, slaMissed, operatorRequests, compacted, pipelineVersion, pipelineDefinition);
  }

  /** A copy with another file seen. */
  RunState withFile(String file) {
    Set<String> copy = new TreeSet<>(filesSeen);
    copy.add(file);
    return new RunState(runId, pipeline, triggerKey, status, params, copy, stages, createdAtMs, startedAtMs, completedAtMs,
        resumes, slaMissed, operatorRequests, compacted, pipelineVersion, pipelineDefinition);
  }

  /** The tombstone of an ended run: identity, status and times only. */
  public RunState tombstone() {
    return new RunState(runId, pipeline, triggerKey, status, Map.of(), Set.of(), Map.of(), createdAtMs, startedAtMs,
        completedAtMs, resumes, slaMissed, Set.of(), true, pipelineVersion, null);
  }

  /** Names of the stages whose status is FAILED. */
  public List<String> failedStages() {
    return stages.entrySet().stream().filter(e -> e.getValue().status() == StageRunStatus.FAILED)
        .map(Map.Entry::getKey).toList();
  }
}
