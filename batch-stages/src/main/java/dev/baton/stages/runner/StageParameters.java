package dev.baton.stages.runner;

import dev.baton.stages.spi.StageFailedException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Substitutes run parameters into stage options: every {@code ${name}} in a string value (at any
 * depth) is replaced by the run parameter {@code name}.
 */
public final class StageParameters {
  private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{([A-Za-z0-9_.-]+)}");

  private StageParameters() {}

  /**
   * Returns a copy of {@code options} with parameters substituted.
   *
   * @throws StageFailedException ({@code MISSING_PARAMETER}) when a placeholder names no parameter
   */
  public static Map<String, Object> substitute(Map<String, Object> options, Map<String, String> params) {
    Map<String, Object> result = new LinkedHashMap<>();
    options.forEach((key, value) -> result.put(key, substituteValue(value, params)));
    return result;
  }

  @SuppressWarnings("unchecked")
  private static Object substituteValue(Object value, Map<String, String> params) {
    if (value instanceof String text) {
      Matcher matcher = PLACEHOLDER.matcher(text);
      StringBuilder out = new StringBuilder();
      while (matcher.find()) {
        String replacement = params.get(matcher.group(1));
        if (replacement == null) {
          throw new StageFailedException("MISSING_PARAMETER",
              "Unknown parameter ${" + matcher.group(1) + "} (run parameters: " + params.keySet() + ")");
        }
        matcher.appendReplacement(out, Matcher.quoteReplacement(replacement));
      }
      matcher.appendTail(out);
      return out.toString();
    }
    if (value instanceof Map<?, ?> map) {
      return substitute((Map<String, Object>) map, params);
    }
    if (value instanceof List<?> list) {
      List<Object> copy = new ArrayList<>();
      for (Object item : list) {
        copy.add(substituteValue(item, params));
      }
      return copy;
    }
    return value;
  }
}
