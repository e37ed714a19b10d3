package dev.baton.stages.quality;

import static dev.baton.stages.spi.StageOptions.required;
import static dev.baton.stages.spi.StageOptions.tableName;

import dev.baton.catalog.TableProperties;
import dev.baton.stages.spi.InvalidStageOptionsException;
import dev.baton.stages.spi.SqlParameters;
import java.util.List;

/**
 * Options of a {@code quality} stage.
 *
 * @param table the table checked, {@code <namespace>.<table>}
 * @param filter optional SQL predicate selecting the rows checked, e.g. {@code batch_id = :batch}: run
 *     parameters are named parameter markers, bound as typed literals; {@code ${name}} is refused
 * @param rules the rules; every failing rule is reported, and any failure fails the stage
 * @param resultsTable where rule results are appended; default {@code baton_system.quality_results}
 */
public record QualityOptions(String table, String filter, List<Rule> rules, String resultsTable) {

  /** Rule types. */
  public static final List<String> RULE_TYPES = List.of("row-count", "not-null", "unique", "value-range");

  /** Where rule results go unless {@code resultsTable} says otherwise. */
  public static final String DEFAULT_RESULTS_TABLE = TableProperties.SYSTEM_NAMESPACE + ".quality_results";

  public QualityOptions {
    tableName("table", table);
    if (filter != null && !filter.isBlank()) {
      SqlParameters.ofExpression("filter", filter);
    }
    if (rules == null || rules.isEmpty()) {
      throw new InvalidStageOptionsException("rules", "is required (at least one rule)");
    }
    rules = List.copyOf(rules);
    resultsTable = resultsTable == null ? DEFAULT_RESULTS_TABLE : resultsTable;
    tableName("resultsTable", resultsTable);
  }

  /**
   * One rule.
   *
   * @param type {@code row-count} (min/max rows), {@code not-null} (column), {@code unique}
   *     (columns), {@code value-range} (column within [min, max]; either bound may be absent)
   * @param column the column, for not-null and value-range
   * @param columns the key columns, for unique
   * @param min lower bound (inclusive), for row-count and value-range; a number or a SQL literal text such as a date
   * @param max upper bound (inclusive)
   */
  public record Rule(String type, String column, List<String> columns, Object min, Object max) {
    public Rule {
      required("type", type);
      if (!RULE_TYPES.contains(type)) {
        throw new InvalidStageOptionsException("type", "unknown rule type '" + type + "' (expected one of " + RULE_TYPES + ")");
      }
      columns = columns == null ? List.of() : List.copyOf(columns);
      switch (type) {
        case "not-null" -> required("column", column);
        case "unique" -> {
          if (columns.isEmpty()) {
            throw new InvalidStageOptionsException("columns", "is required for unique");
          }
        }
        case "value-range" -> {
          required("column", column);
          if (min == null && max == null) {
            throw new InvalidStageOptionsException("", "value-range needs min, max or both");
          }
        }
        default -> {
          if (min == null && max == null) {
            throw new InvalidStageOptionsException("", "row-count needs min, max or both");
          }
          if (min != null && !(min instanceof Number)) {
            throw new InvalidStageOptionsException("min", "expected a number, got '" + min + "'");
          }
          if (max != null && !(max instanceof Number)) {
            throw new InvalidStageOptionsException("max", "expected a number, got '" + max + "'");
          }
        }
      }
    }

    /** A readable name, e.g. {@code not-null(l_orderkey)}. */
    public String describe() {
      return switch (type) {
        case "not-null" -> "not-null(" + column + ")";
        case "unique" -> "unique(" + String.join(", ", columns) + ")";
        case "value-range" -> "value-range(" + column + " in [" + bound(min) + ", " + bound(max) + "])";
        default -> "row-count(in [" + bound(min) + ", " + bound(max) + "])";
      };
    }

    private static String bound(Object value) {
      return value == null ? "-" : String.valueOf(value);
    }
  }
}
