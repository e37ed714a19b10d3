package dev.baton.control.state;

import static java.util.Objects.requireNonNull;

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
    Long completedAtMs) {

  public RunState {
    requireNonNull(runId, "Invalid runId: null");
    requireNonNull(pipeline, "Invalid pipeline: null");
    requireNonNull(triggerKey, "Invalid triggerKey: null");
    requireNonNull(status, "Invalid status: null");
    params = Map.copyOf(requireNonNull(params, "Invalid params: null"));
    filesSeen = Collections.unmodifiableSet(new TreeSet<>(requireNonNull(filesSeen, "Invalid filesSeen: null")));
    stages = Collections.unmodifiableMap(new LinkedHashMap<>(requireNonNull(stages, "Invalid stages: null")));
  }

  /** A copy with another status and completion time. */
  RunState withStatus(RunStatus newStatus, Long newStartedAtMs, Long newCompletedAtMs) {
    return new RunState(runId, pipeline, triggerKey, newStatus, params, filesSeen, stages, createdAtMs,
        newStartedAtMs, newCompletedAtMs);
  }

  /** A copy with one stage replaced. */
  RunState withStage(String stage, StageState state) {
    Map<String, StageState> copy = new LinkedHashMap<>(stages);
    copy.put(stage, state);
    return new RunState(runId, pipeline, triggerKey, status, params, filesSeen, copy, createdAtMs, startedAtMs, completedAtMs);
  }

  /** A copy with another file seen. */
  RunState withFile(String file) {
    Set<String> copy = new TreeSet<>(filesSeen);
    copy.add(file);
    return new RunState(runId, pipeline, triggerKey, status, params, copy, stages, createdAtMs, startedAtMs, completedAtMs);
  }

  /** Names of the stages whose status is FAILED. */
  public List<String> failedStages() {
    return stages.entrySet().stream().filter(e -> e.getValue().status() == StageRunStatus.FAILED)
        .map(Map.Entry::getKey).toList();
  }
}
