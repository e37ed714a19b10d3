package dev.baton.control.pipeline;

import static java.util.Objects.requireNonNull;

import java.io.Serializable;
import java.util.Map;
import java.util.TreeMap;

/**
 * Starts a run when a run of another pipeline SUCCEEDED ({@code trigger: {type: pipeline, pipeline:
 * daily-orders, params: {asOf: date}}}). The run is identified by the upstream run ({@link
 * #triggerKey}), so one upstream success starts one run, however often it is reported.
 *
 * @param upstream the upstream pipeline's name
 * @param params this pipeline's parameter name to the upstream run's parameter whose value it takes;
 *     kept sorted, so a definition's JSON (and {@link PipelineVersions#hash}) is the same in every JVM
 */
public record PipelineTrigger(String upstream, Map<String, String> params) implements Serializable {

  /** Prefix of the trigger key of a run started by an upstream run: {@code pipeline/<upstream>/<upstream runId>}. */
  public static final String TRIGGER_KEY_PREFIX = "pipeline/";

  public PipelineTrigger {
    requireNonNull(upstream, "Invalid upstream: null");
    params = params == null ? Map.of() : java.util.Collections.unmodifiableSortedMap(new TreeMap<>(params));
  }

  /** The trigger key of the run an upstream run's success starts. */
  public static String triggerKey(String upstream, String upstreamRunId) {
    return TRIGGER_KEY_PREFIX + upstream + "/" + upstreamRunId;
  }

  /**
   * The parameters of the run an upstream run with {@code upstreamParams} starts: each mapped parameter
   * the upstream run has (one it lacks is left out, so this pipeline's default or its requirement applies).
   */
  public Map<String, String> paramsFrom(Map<String, String> upstreamParams) {
    Map<String, String> mapped = new TreeMap<>();
    params.forEach((name, upstreamName) -> {
      String value = upstreamParams.get(upstreamName);
      if (value != null) {
        mapped.put(name, value);
      }
    });
    return mapped;
  }
}
