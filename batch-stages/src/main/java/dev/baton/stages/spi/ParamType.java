package dev.baton.stages.spi;

import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The type of a run parameter, as declared in a pipeline's {@code params:} ({@code type: date}).
 * Run parameters travel as text (events, ledger); a stage converts them with {@link #parse} before
 * binding them to SQL named parameter markers, so {@code :asOf} of type {@code date} is a SQL
 * {@code DATE} literal, never text spliced into the query.
 */
public enum ParamType {
  /** Any text (a declared {@code pattern} narrows it); a SQL {@code STRING}. */
  STRING("string"),
  /** A 64-bit signed integer in decimal, e.g. {@code -42}; a SQL {@code BIGINT}. */
  LONG("long"),
  /** {@code true} or {@code false} (lower case); a SQL {@code BOOLEAN}. */
  BOOLEAN("boolean"),
  /** An ISO-8601 calendar date, {@code yyyy-MM-dd}, e.g. {@code 2026-12-03}; a SQL {@code DATE}. */
  DATE("date"),
  /**
   * An ISO-8601 instant with an offset, e.g. {@code 2026-12-03T12:00:00Z} or {@code
   * 2026-12-03T13:00:00+01:00}; a SQL {@code TIMESTAMP}.
   */
  TIMESTAMP("timestamp");

  private static final Pattern LONG_TEXT = Pattern.compile("-?[0-9]{1,19}");

  private final String yamlName;

  ParamType(String yamlName) {
    this.yamlName = yamlName;
  }

  /** The name used in pipeline YAML, e.g. {@code date}. */
  public String yamlName() {
    return yamlName;
  }

  /** The type named {@code name} in pipeline YAML ({@code string}, {@code long}, ...), if any. */
  public static Optional<ParamType> fromYamlName(String name) {
    return Arrays.stream(values()).filter(type -> type.yamlName.equals(name)).findFirst();
  }

  /** The YAML names of all types, in declaration order. */
  public static String yamlNames() {
    return String.join(", ", Arrays.stream(values()).map(ParamType::yamlName).toList());
  }

  /**
   * Converts the text form of a value to the Java value Spark turns into a SQL literal of this type:
   * {@link String}, {@link Long}, {@link Boolean}, {@link LocalDate} or {@link Instant}.
   *
   * @throws IllegalArgumentException ({@code expected a <type> ..., got '<text>'}) when {@code text} is
   *     not a value of this type
   */
  public Object parse(String text) {
    if (text == null) {
      throw new IllegalArgumentException("Invalid " + yamlName + " value: null");
    }
    try {
      return switch (this) {
        case STRING -> text;
        case LONG -> {
          if (!LONG_TEXT.matcher(text).matches()) {
            throw new NumberFormatException();
          }
          yield Long.parseLong(text);
        }
        case BOOLEAN -> switch (text) {
          case "true" -> Boolean.TRUE;
          case "false" -> Boolean.FALSE;
          default -> throw new IllegalArgumentException(expected(text));
        };
        case DATE -> LocalDate.parse(text);
        case TIMESTAMP -> OffsetDateTime.parse(text).toInstant();
      };
    } catch (NumberFormatException | DateTimeParseException e) {
      throw new IllegalArgumentException(expected(text));
    }
  }

  private String expected(String text) {
    String shape = switch (this) {
      case STRING -> "text";
      case LONG -> "a long (a decimal 64-bit integer)";
      case BOOLEAN -> "a boolean (true or false)";
      case DATE -> "a date (yyyy-MM-dd)";
      case TIMESTAMP -> "a timestamp (ISO-8601 with an offset, e.g. 2026-12-03T12:00:00Z)";
    };
    return "expected " + shape + ", got '" + text + "'";
  }

  @Override
  public String toString() {
    return yamlName;
  }
}
