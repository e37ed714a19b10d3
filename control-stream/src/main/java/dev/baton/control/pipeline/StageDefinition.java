package dev.baton.control.pipeline;

import static java.util.Objects.requireNonNull;

import dev.baton.stages.spi.ParamType;
import java.io.Serializable;
import java.util.List;
import java.util.Map;

/**
 * One node of a pipeline's DAG.
 *
 * @param name unique within the pipeline
 * @param type stage type: {@code ingest}, {@code sql}, {@code quality}
 * @param dependsOn names of the stages that must all SUCCEED in the same run before this one launches
 * @param options type-specific options; strings that are not SQL may hold {@code ${param}} placeholders
 * @param retry when a failed attempt is retried
 * @param timeoutMs an attempt without a completion after this long is LOST, ms; null for no limit
 * @param params the run parameters the stage refers to ({@code ${name}} placeholders, SQL {@code :name}
 *     markers, parameters the stage type reads itself), each with its declared type (built-ins: string)
 * @param launcher the launcher profile that runs its attempts ({@code stages[i].launcher}, else the
 *     pipeline's {@code defaults.launcher}); null for the controller's {@code controller.default-launcher}
 */
public record StageDefinition(String name, String type, List<String> dependsOn, Map<String, Object> options,
    RetryPolicy retry, Long timeoutMs, Map<String, ParamType> params, String launcher) implements Serializable {

  /** A stage with no retries and no timeout, referring to no run parameter, run by the default launcher. */
  public StageDefinition(String name, String type, List<String> dependsOn, Map<String, Object> options) {
    this(name, type, dependsOn, options, RetryPolicy.NONE, null, Map.of(), null);
  }

  public StageDefinition {
    requireNonNull(name, "Invalid stage name: null");
    requireNonNull(type, "Invalid stage type: null");
    dependsOn = dependsOn == null ? List.of() : List.copyOf(dependsOn);
    options = options == null ? Map.of() : java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(options));
    retry = retry == null ? RetryPolicy.NONE : retry;
    params = params == null ? Map.of() : java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(params));
  }
}
