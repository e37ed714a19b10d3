package dev.baton.stages.spi;

import static java.util.Objects.requireNonNull;

import java.util.Map;

/**
 * Who a stage attempt is: everything a stage knows about the run that launched it. A stage does
 * not know who launched it (controller thread, spark-submit, EMR); it receives this identity and
 * reports through a {@code StageCompleted} event.
 *
 * @param runId the run, deterministic from pipeline + trigger key
 * @param pipeline the pipeline name
 * @param stage the stage name, unique within the pipeline
 * @param attempt 1 for the first launch of this stage in the run
 * @param params run parameters, e.g. {@code batch}, {@code bucket}, {@code batchPrefix}
 */
public record StageContext(String runId, String pipeline, String stage, int attempt, Map<String, String> params) {
  public StageContext {
    requireNonNull(runId, "Invalid runId: null");
    requireNonNull(pipeline, "Invalid pipeline: null");
    requireNonNull(stage, "Invalid stage: null");
    if (attempt < 1) {
      throw new IllegalArgumentException("Cannot create stage context: invalid attempt " + attempt);
    }
    params = Map.copyOf(requireNonNull(params, "Invalid params: null"));
  }

  /**
   * Returns a run parameter.
   *
   * @throws StageFailedException (type {@code MISSING_PARAMETER}) if the run has no such parameter
   */
  public String param(String name) {
    String value = params.get(name);
    if (value == null) {
      throw new StageFailedException("MISSING_PARAMETER", "Run " + runId + " has no parameter '" + name + "'");
    }
    return value;
  }
}
