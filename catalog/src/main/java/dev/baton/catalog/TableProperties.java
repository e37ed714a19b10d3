package dev.baton.catalog;

import java.util.Map;

/**
 * Table properties every Baton table is created with, chosen so Athena can read and write the
 * tables: Iceberg format version 2 and Parquet data files
 * (docs.aws.amazon.com/athena/latest/ug/querying-iceberg-creating-tables.html).
 */
public final class TableProperties {

  /** {@code format-version=2}, {@code write.format.default=parquet}. */
  public static final Map<String, String> ATHENA_COMPATIBLE =
      Map.of("format-version", "2", "write.format.default", "parquet");

  /** The namespace holding Baton's own tables (the ledger). */
  public static final String SYSTEM_NAMESPACE = "baton_system";

  private TableProperties() {}

  /** {@link #ATHENA_COMPATIBLE} as the body of a SQL {@code TBLPROPERTIES (...)} clause. */
  public static String tblPropertiesSql() {
    StringBuilder sql = new StringBuilder();
    new java.util.TreeMap<>(ATHENA_COMPATIBLE).forEach((key, value) -> {
      if (sql.length() > 0) {
        sql.append(", ");
      }
      sql.append('\'').append(key).append("'='").append(value).append('\'');
    });
    return sql.toString();
  }
}
