package dev.baton.stages.spi;

import static java.util.Objects.requireNonNull;

import java.util.Collection;
import java.util.LinkedHashMap;
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
 * @param params run parameters as text, validated by the controller when the run was requested, e.g.
 *     {@code batch}, {@code bucket}, {@code batchPrefix}
 * @param paramTypes the declared type of each parameter; a parameter not listed is a {@link ParamType#STRING}
 */
public record StageContext(String runId, String pipeline, String stage, int attempt, Map<String, String> params,
    Map<String, ParamType> paramTypes) {
  public StageContext {
    requireNonNull(runId, "Invalid runId: null");
    requireNonNull(pipeline, "Invalid pipeline: null");
    requireNonNull(stage, "Invalid stage: null");
    if (attempt < 1) {
      throw new IllegalArgumentException("Cannot create stage context: invalid attempt " + attempt);
    }
    params = Map.copyOf(requireNonNull(params, "Invalid params: null"));
    paramTypes = Map.copyOf(requireNonNull(paramTypes, "Invalid paramTypes: null"));
  }

  /** A context whose parameters are all {@link ParamType#STRING}s. */
  public StageContext(String runId, String pipeline, String stage, int attempt, Map<String, String> params) {
    this(runId, pipeline, stage, attempt, params, Map.of());
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

  /**
   * The arguments for Spark's {@code spark.sql(sqlText, args)}: each named parameter converted to
   * its declared type ({@link ParamType#parse}), so Spark binds it to the query's {@code :name}
   * marker as a typed literal.
   *
   * @param names the markers the query uses
   * @return name to {@code String}, {@code Long}, {@code Boolean}, {@code LocalDate} or {@code Instant}, in {@code names} order
   * @throws StageFailedException {@code MISSING_PARAMETER} if the run lacks one, {@code INVALID_PARAMETER} if a
   *     value is not of its declared type
   */
  public Map<String, Object> sqlArgs(Collection<String> names) {
    Map<String, Object> args = new LinkedHashMap<>();
    for (String name : names) {
      ParamType type = paramTypes.getOrDefault(name, ParamType.STRING);
      try {
        args.put(name, type.parse(param(name)));
      } catch (IllegalArgumentException e) {
        throw new StageFailedException("INVALID_PARAMETER", "Cannot bind parameter '" + name + "' of run " + runId
            + " as a " + type + ": " + e.getMessage());
      }
    }
    return args;
  }
}
