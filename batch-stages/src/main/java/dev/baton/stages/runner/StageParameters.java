package dev.baton.stages.runner;

import dev.baton.stages.spi.StageFailedException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Substitutes run parameters into the stage options that are not SQL: every {@code ${name}} in a
 * string value (at any depth), e.g. an ingest {@code path: s3://${bucket}/${batchPrefix}orders.tbl},
 * is replaced by the run parameter {@code name}. SQL options refuse {@code ${...}} when the pipeline
 * is parsed (they bind named markers instead, see {@link dev.baton.stages.spi.SqlParameters}), and a
 * value that could change the shape of a path is refused here: see {@link #unsafeForSubstitution}.
 */
public final class StageParameters {
  private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{([A-Za-z0-9_.-]+)}");

  private StageParameters() {}

  /**
   * Returns a copy of {@code options} with parameters substituted.
   *
   * @throws StageFailedException {@code MISSING_PARAMETER} when a placeholder names no parameter,
   *     {@code INVALID_PARAMETER} when a value is {@linkplain #unsafeForSubstitution unsafe}
   */
  public static Map<String, Object> substitute(Map<String, Object> options, Map<String, String> params) {
    return substitute(options, params, "");
  }

  /**
   * The parameters {@code options} refer to with {@code ${name}}, each with the path of the first
   * option that does, e.g. {@code batchPrefix -> path}.
   */
  public static Map<String, String> placeholders(Map<String, Object> options) {
    Map<String, String> found = new LinkedHashMap<>();
    collect(options, "", found);
    return found;
  }

  /**
   * Why {@code value} must not be substituted into an option, if it must not: it holds a control
   * character or a backslash, starts with {@code /}, or has an empty, {@code .} or {@code ..} path
   * segment (between {@code /}), any of which would let it leave the folder a path puts it in.
   *
   * @return the reason, e.g. {@code has a '..' path segment}; empty when the value is safe
   */
  public static Optional<String> unsafeForSubstitution(String value) {
    for (int i = 0; i < value.length(); i++) {
      if (Character.isISOControl(value.charAt(i))) {
        return Optional.of("contains a control character (U+" + String.format("%04X", (int) value.charAt(i)) + ")");
      }
    }
    if (value.indexOf('\\') >= 0) {
      return Optional.of("contains a backslash");
    }
    if (value.startsWith("/")) {
      return Optional.of("starts with '/'");
    }
    String[] segments = value.split("/", -1);
    for (int i = 0; i < segments.length; i++) {
      String segment = segments[i];
      if (segment.equals(".") || segment.equals("..")) {
        return Optional.of("has a '" + segment + "' path segment");
      }
      if (segment.isEmpty() && i < segments.length - 1) {
        return Optional.of("has an empty path segment ('//')");
      }
    }
    return Optional.empty();
  }

  private static Map<String, Object> substitute(Map<String, Object> options, Map<String, String> params, String path) {
    Map<String, Object> result = new LinkedHashMap<>();
    options.forEach((key, value) -> result.put(key, substituteValue(value, params, join(path, key))));
    return result;
  }

  @SuppressWarnings("unchecked")
  private static Object substituteValue(Object value, Map<String, String> params, String path) {
    if (value instanceof String text) {
      Matcher matcher = PLACEHOLDER.matcher(text);
      StringBuilder out = new StringBuilder();
      while (matcher.find()) {
        String name = matcher.group(1);
        String replacement = params.get(name);
        if (replacement == null) {
          throw new StageFailedException("MISSING_PARAMETER",
              "Unknown parameter ${" + name + "} in " + path + " (run parameters: " + params.keySet() + ")");
        }
        Optional<String> unsafe = unsafeForSubstitution(replacement);
        if (unsafe.isPresent()) {
          throw new StageFailedException("INVALID_PARAMETER", "Cannot substitute parameter " + name + " into " + path
              + ": its value '" + replacement + "' " + unsafe.get());
        }
        matcher.appendReplacement(out, Matcher.quoteReplacement(replacement));
      }
      matcher.appendTail(out);
      return out.toString();
    }
    if (value instanceof Map<?, ?> map) {
      return substitute((Map<String, Object>) map, params, path);
    }
    if (value instanceof List<?> list) {
      List<Object> copy = new ArrayList<>();
      for (int i = 0; i < list.size(); i++) {
        copy.add(substituteValue(list.get(i), params, path + "[" + i + "]"));
      }
      return copy;
    }
    return value;
  }

  @SuppressWarnings("unchecked")
  private static void collect(Object value, String path, Map<String, String> found) {
    if (value instanceof String text) {
      Matcher matcher = PLACEHOLDER.matcher(text);
      while (matcher.find()) {
        found.putIfAbsent(matcher.group(1), path);
      }
    } else if (value instanceof Map<?, ?> map) {
      ((Map<String, Object>) map).forEach((key, item) -> collect(item, join(path, key), found));
    } else if (value instanceof List<?> list) {
      for (int i = 0; i < list.size(); i++) {
        collect(list.get(i), path + "[" + i + "]", found);
      }
    }
  }

  private static String join(String path, String key) {
    return path.isEmpty() ? key : path + "." + key;
  }
}
