package dev.baton.stages.spi;

import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.spark.sql.catalyst.analysis.NamedParameter;
import org.apache.spark.sql.catalyst.analysis.PosParameter;
import org.apache.spark.sql.catalyst.expressions.Expression;
import org.apache.spark.sql.catalyst.expressions.SubqueryExpression;
import org.apache.spark.sql.catalyst.plans.QueryPlan;
import org.apache.spark.sql.catalyst.plans.logical.LogicalPlan;
import org.apache.spark.sql.execution.SparkSqlParser;

/**
 * The run parameters a SQL option refers to, found by Spark's own SQL parser: named parameter
 * markers ({@code :batch}), which a stage binds with {@code spark.sql(sqlText, args)} as typed
 * literals. Text substitution ({@code ${batch}}) and positional markers ({@code ?}) are refused, so
 * no run parameter ever becomes SQL text.
 */
public final class SqlParameters {
  private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{([^}]*)}");
  private static final SparkSqlParser PARSER = new SparkSqlParser();

  private SqlParameters() {}

  /**
   * The named parameters of a query (a statement such as {@code SELECT ...}).
   *
   * @param field the option holding it, for errors, e.g. {@code query}
   * @return marker names, in order of first appearance
   * @throws InvalidStageOptionsException when the text holds {@code ${...}}, a {@code ?} marker, or is not Spark SQL
   */
  public static Set<String> ofQuery(String field, String sql) {
    refusePlaceholders(field, sql);
    Set<String> names = new LinkedHashSet<>();
    LogicalPlan plan;
    try {
      plan = PARSER.parsePlan(sql);
    } catch (Exception e) { // Spark's ParseException, checked in Java's eyes
      throw new InvalidStageOptionsException(field, "not valid Spark SQL: " + firstLine(e.getMessage()));
    }
    collect(field, plan, names);
    return names;
  }

  /**
   * The {@link Stage#parameters()} of a stage whose SQL option {@code field} uses {@code names}.
   *
   * @return each name to {@code field}, in {@code names} order
   */
  public static Map<String, String> usedBy(String field, Set<String> names) {
    Map<String, String> fields = new LinkedHashMap<>();
    names.forEach(name -> fields.put(name, field));
    return fields;
  }

  /**
   * The named parameters of a boolean expression (a filter such as {@code batch_id = :batch}).
   *
   * @param field the option holding it, for errors, e.g. {@code filter}
   * @return marker names, in order of first appearance
   * @throws InvalidStageOptionsException when the text holds {@code ${...}}, a {@code ?} marker, or is not one
   *     Spark SQL expression
   */
  public static Set<String> ofExpression(String field, String sql) {
    refusePlaceholders(field, sql);
    Set<String> names = new LinkedHashSet<>();
    Expression expression;
    try {
      expression = PARSER.parseExpression(sql);
    } catch (Exception e) { // ParseException
      throw new InvalidStageOptionsException(field, "not one valid Spark SQL expression: " + firstLine(e.getMessage()));
    }
    collect(field, expression, names);
    return names;
  }

  private static void refusePlaceholders(String field, String sql) {
    Matcher placeholder = PLACEHOLDER.matcher(sql);
    if (placeholder.find()) {
      throw new InvalidStageOptionsException(field, "text substitution '" + placeholder.group()
          + "' is not allowed in SQL; use the named parameter marker :" + placeholder.group(1)
          + " (bound as a typed value, never spliced into the SQL text)");
    }
  }

  private static void collect(String field, QueryPlan<?> plan, Set<String> names) {
    forEach(plan.expressions(), expression -> collect(field, (Expression) expression, names));
    forEach(plan.innerChildren(), inner -> {
      if (inner instanceof QueryPlan<?> innerPlan) {
        collect(field, innerPlan, names);
      }
    });
    forEach(plan.children(), child -> collect(field, (QueryPlan<?>) child, names));
  }

  private static void collect(String field, Expression expression, Set<String> names) {
    if (expression instanceof NamedParameter named) {
      names.add(named.name());
    } else if (expression instanceof PosParameter) {
      throw new InvalidStageOptionsException(field, "positional parameter markers (?) are not supported; use named"
          + " markers such as :batch");
    } else if (expression instanceof SubqueryExpression subquery) {
      collect(field, subquery.plan(), names);
    }
    forEach(expression.children(), child -> collect(field, (Expression) child, names));
  }

  private static void forEach(scala.collection.Seq<?> seq, java.util.function.Consumer<Object> action) {
    scala.collection.Iterator<?> iterator = seq.iterator();
    while (iterator.hasNext()) {
      action.accept(iterator.next());
    }
  }

  private static String firstLine(String message) {
    String text = message == null ? "" : message.strip();
    int newline = text.indexOf('\n');
    return newline < 0 ? text : text.substring(0, newline);
  }
}
