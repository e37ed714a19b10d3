package dev.baton.stages.runner;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.baton.stages.spi.ParamType;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a stage attempt that runs as its own application needs besides its identity: the stage's
 * type and options (as the pipeline version the run keeps has them, {@code ${param}} placeholders
 * unsubstituted), the declared types of the run parameters it uses, and the run's parameters. Its
 * JSON form is {@link StageMain}'s {@code --stage} argument:
 *
 * <pre>{@code
 * {"type": "sql", "options": {"query": "SELECT ..."}, "paramTypes": {"batch": "STRING"}, "params": {"batch": "b1"}}
 * }</pre>
 *
 * @param type the stage type, e.g. {@code sql}
 * @param options the stage's options as YAML gives them
 * @param paramTypes run parameter name to its declared type (a parameter not listed is a string)
 * @param params the run's parameters, validated by the controller
 */
public record StageInvocation(String type, Map<String, Object> options, Map<String, ParamType> paramTypes,
    Map<String, String> params) {
  private static final ObjectMapper JSON = new ObjectMapper();

  public StageInvocation {
    requireNonNull(type, "Invalid type: null");
    options = Collections.unmodifiableMap(new LinkedHashMap<>(requireNonNull(options, "Invalid options: null")));
    paramTypes = Map.copyOf(requireNonNull(paramTypes, "Invalid paramTypes: null"));
    params = Map.copyOf(requireNonNull(params, "Invalid params: null"));
  }

  /** This invocation as one line of JSON. */
  public String toJson() {
    try {
      return JSON.writeValueAsString(this);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("Cannot write the stage invocation of a " + type + " stage as JSON: "
          + e.getOriginalMessage(), e);
    }
  }

  /**
   * Reads {@link #toJson()}'s form.
   *
   * @throws IllegalArgumentException if {@code json} is not an invocation (the message says why)
   */
  public static StageInvocation fromJson(String json) {
    try {
      return JSON.readValue(json, StageInvocation.class);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("Cannot read the stage invocation: " + e.getOriginalMessage(), e);
    } catch (NullPointerException e) {
      throw new IllegalArgumentException("Cannot read the stage invocation: " + e.getMessage(), e);
    }
  }
}
