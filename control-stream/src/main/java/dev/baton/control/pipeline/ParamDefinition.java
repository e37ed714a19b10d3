package dev.baton.control.pipeline;

import static java.util.Objects.requireNonNull;

import dev.baton.stages.spi.ParamType;
import java.io.Serializable;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A run parameter a pipeline declares ({@code params:} in its YAML). A run request may set only
 * declared (or {@linkplain RunParameters#BUILT_IN built-in}) parameters, each to a value of its
 * type that fully matches its pattern.
 *
 * @param name an identifier, {@code [A-Za-z_][A-Za-z0-9_]*}: SQL options refer to it as {@code :name}
 * @param type what its values are; SQL binds them as literals of this type
 * @param pattern a regular expression ({@link Pattern}) the whole value must match, or null
 * @param required whether a run request must set it
 * @param defaultValue its value when a request does not set it, valid for type and pattern; null for none
 * @param description free text
 */
public record ParamDefinition(String name, ParamType type, String pattern, boolean required, String defaultValue,
    String description) implements Serializable {

  public ParamDefinition {
    requireNonNull(name, "Invalid param name: null");
    requireNonNull(type, "Invalid param type: null");
    description = description == null ? "" : description;
  }

  /**
   * Why {@code value} is not a value of this parameter, if it is not.
   *
   * @return e.g. {@code expected a date (yyyy-MM-dd), got '2026-13-01'}; empty when it is valid
   */
  public Optional<String> check(String value) {
    try {
      type.parse(value);
    } catch (IllegalArgumentException e) {
      return Optional.of(e.getMessage());
    }
    if (pattern != null && !Pattern.compile(pattern).matcher(value).matches()) {
      return Optional.of("'" + value + "' does not match the pattern " + pattern);
    }
    return Optional.empty();
  }
}
