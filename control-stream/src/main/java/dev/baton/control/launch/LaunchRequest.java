package dev.baton.control.launch;

import static java.util.Objects.requireNonNull;

import dev.baton.control.pipeline.StageDefinition;
import dev.baton.schemas.AttemptName;
import java.util.Map;

/**
 * One stage attempt to launch. (runId, stage, attempt) is its idempotency key.
 *
 * @param runId the run
 * @param pipeline the pipeline name
 * @param stage the stage definition (type and options)
 * @param attempt 1 for the first launch
 * @param params run parameters
 * @param pipelineVersion the content hash of the pipeline version the run keeps ({@code
 *     PipelineVersions#hash}), or null when not known (an adopted attempt, a run recorded before runs kept it)
 */
public record LaunchRequest(String runId, String pipeline, StageDefinition stage, int attempt, Map<String, String> params,
    String pipelineVersion) {
  public LaunchRequest {
    requireNonNull(runId, "Invalid runId: null");
    requireNonNull(pipeline, "Invalid pipeline: null");
    requireNonNull(stage, "Invalid stage: null");
    params = Map.copyOf(requireNonNull(params, "Invalid params: null"));
  }

  /** The attempt's name, {@code baton:<pipeline>:<runId>:<stage>:<attempt>}: what launchers name its application or job. */
  public AttemptName attemptName() {
    return new AttemptName(pipeline, runId, stage.name(), attempt);
  }

  /** {@code <runId>/<stage>/<attempt>}: the idempotency key. */
  public String launchKey() {
    return runId + "/" + stage.name() + "/" + attempt;
  }
}
