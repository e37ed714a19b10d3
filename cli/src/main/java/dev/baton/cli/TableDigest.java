package dev.baton.cli;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * A table's content as a row count and a SHA-256 over its rows sorted by primary key, computed the
 * same way whatever holds the table (the CDC source, the JDBC sink's target, an Iceberg table), so
 * that two equal digests mean equal tables row for row — for the column types Baton's CDC workload
 * uses: integers, {@code numeric}, {@code double precision}, {@code timestamptz} and text, keyed by
 * integers (a text key sorts by each store's collation; a {@code real} widened to double, or a
 * timestamp without time zone read in the JVM's zone, would not compare equal).
 *
 * <p>Each value is canonicalized before hashing: a decimal without trailing zeros ({@code 1.50} and
 * {@code 1.5} are equal: a sink may widen a scale), a point in time as its UTC instant in ISO-8601
 * (a {@code timestamptz} and an Iceberg {@code timestamp} of the same instant are equal), an
 * integer as its decimal digits, a floating-point number by {@link Double#toString}, null as a
 * marker no text can equal. Rows are encoded as length-prefixed values, so no two different rows
 * share an encoding.
 *
 * @param rows the row count
 * @param sha256 the hex SHA-256 over the canonical rows in key order
 */
public record TableDigest(long rows, String sha256) {

  /**
   * The digest of {@code SELECT <columns> FROM <table> ORDER BY <keyColumns>} over JDBC. Identifiers
   * are used as given: callers pass names they own (validated lower-case identifiers).
   *
   * @throws SQLException if the query fails
   */
  public static TableDigest of(Connection connection, String table, List<String> columns, List<String> keyColumns)
      throws SQLException {
    String query = "SELECT " + String.join(", ", columns) + " FROM " + table + " ORDER BY " + String.join(", ", keyColumns);
    Builder digest = new Builder();
    try (Statement statement = connection.createStatement(); ResultSet rows = statement.executeQuery(query)) {
      ResultSetMetaData meta = rows.getMetaData();
      while (rows.next()) {
        List<Object> row = new ArrayList<>(columns.size());
        for (int i = 1; i <= columns.size(); i++) {
          row.add(jdbcValue(rows, i, meta.getColumnType(i), meta.getColumnTypeName(i)));
        }
        digest.add(row);
      }
    }
    return digest.build();
  }

  /**
   * The digest of a Spark table's {@code columns}, in {@code keyColumns} order (an Iceberg table, read
   * through the session's catalog).
   */
  public static TableDigest of(org.apache.spark.sql.SparkSession spark, String table, List<String> columns,
      List<String> keyColumns) {
    Builder digest = new Builder();
    var rows = spark.table(table).selectExpr(columns.toArray(String[]::new))
        .orderBy(keyColumns.stream().map(org.apache.spark.sql.functions::col).toArray(org.apache.spark.sql.Column[]::new));
    for (var iterator = rows.toLocalIterator(); iterator.hasNext(); ) {
      var row = iterator.next();
      List<Object> values = new ArrayList<>(row.length());
      for (int i = 0; i < row.length(); i++) {
        values.add(row.get(i));
      }
      digest.add(values);
    }
    return digest.build();
  }

  /** Accumulates rows, in key order, into a digest. */
  public static final class Builder {
    private final MessageDigest sha256;
    private long rows;

    public Builder() {
      try {
        sha256 = MessageDigest.getInstance("SHA-256");
      } catch (NoSuchAlgorithmException e) {
        throw new IllegalStateException("The JVM lacks SHA-256", e);
      }
    }

    /**
     * Adds one row: its values in column order ({@link BigDecimal}, {@link Number}, {@link Instant},
     * {@link Timestamp}, {@link OffsetDateTime}, {@link CharSequence}, or null).
     *
     * @throws IllegalArgumentException for a value of another type
     */
    public Builder add(List<?> row) {
      StringBuilder encoded = new StringBuilder();
      for (Object value : row) {
        String canonical = canonical(value);
        encoded.append(canonical == null ? -1 : canonical.length()).append(':').append(canonical == null ? "" : canonical);
      }
      sha256.update(encoded.append('\n').toString().getBytes(StandardCharsets.UTF_8));
      rows++;
      return this;
    }

    public TableDigest build() {
      return new TableDigest(rows, HexFormat.of().formatHex(sha256.digest()));
    }
  }

  /** The canonical text of a value (null for null); see the class comment. */
  static String canonical(Object value) {
    if (value == null) {
      return null;
    }
    if (value instanceof BigDecimal decimal) {
      return decimal.signum() == 0 ? "0" : decimal.stripTrailingZeros().toPlainString();
    }
    if (value instanceof Double || value instanceof Float) {
      return Double.toString(((Number) value).doubleValue());
    }
    if (value instanceof Long || value instanceof Integer || value instanceof Short || value instanceof Byte) {
      return Long.toString(((Number) value).longValue());
    }
    if (value instanceof Instant instant) {
      return instant.toString();
    }
    if (value instanceof Timestamp timestamp) {
      return timestamp.toInstant().toString();
    }
    if (value instanceof OffsetDateTime time) {
      return time.toInstant().toString();
    }
    if (value instanceof CharSequence text) {
      return text.toString();
    }
    throw new IllegalArgumentException("Cannot digest a value of type " + value.getClass().getName());
  }

  private static Object jdbcValue(ResultSet rows, int column, int type, String typeName) throws SQLException {
    Object value = switch (type) {
      case Types.NUMERIC, Types.DECIMAL -> rows.getBigDecimal(column);
      case Types.DOUBLE, Types.FLOAT, Types.REAL -> rows.getDouble(column);
      case Types.BIGINT, Types.INTEGER, Types.SMALLINT, Types.TINYINT -> rows.getLong(column);
      case Types.TIMESTAMP_WITH_TIMEZONE -> rows.getObject(column, OffsetDateTime.class);
      case Types.TIMESTAMP -> typeName.equalsIgnoreCase("timestamptz")
          ? rows.getObject(column, OffsetDateTime.class) : rows.getTimestamp(column);
      default -> rows.getString(column);
    };
    return rows.wasNull() ? null : value;
  }
}
