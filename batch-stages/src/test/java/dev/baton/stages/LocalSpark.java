package dev.baton.stages;

import dev.baton.catalog.CatalogConfig;
import java.nio.file.Path;
import java.util.Map;
import org.apache.spark.sql.SparkSession;

/**
 * The stage tests' Spark: {@code local[2]} on 127.0.0.1, no UI, 2 shuffle partitions, and a real Iceberg catalog of
 * the local stack's kind (JDBC on SQLite, one client, a warehouse on local disk) under a test's folder.
 */
public final class LocalSpark {

  private LocalSpark() {}

  /** A JDBC catalog on SQLite in {@code dir}: {@code catalog.db} and {@code warehouse/}. */
  public static CatalogConfig jdbcCatalog(Path dir) {
    return new CatalogConfig(CatalogConfig.DEFAULT_NAME, Map.of(
        "type", "jdbc",
        "uri", "jdbc:sqlite:" + dir.resolve("catalog.db"),
        "jdbc.schema-version", "V1",
        "clients", "1", // as the local stack's catalog (CatalogConfig.localJdbc): SQLite has one writer
        "jdbc.busy_timeout", "30000",
        "jdbc.journal_mode", "WAL",
        "warehouse", dir.resolve("warehouse").toUri().toString()));
  }

  /**
   * Starts (or gets) the session.
   *
   * @param conf further Spark settings, e.g. a test file system's {@code spark.hadoop.fs.<scheme>.impl}
   */
  public static SparkSession start(String appName, CatalogConfig catalog, Map<String, String> conf) {
    SparkSession.Builder builder = SparkSession.builder()
        .appName(appName)
        .master("local[2]")
        .config("spark.ui.enabled", "false")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.sql.shuffle.partitions", "2");
    conf.forEach(builder::config);
    catalog.sparkConf().forEach(builder::config);
    return builder.getOrCreate();
  }

  /** Closes the test's own catalog client (when it holds resources) and stops the session; both may be null. */
  public static void stop(SparkSession spark, org.apache.iceberg.catalog.Catalog catalog) throws Exception {
    if (catalog instanceof AutoCloseable closeable) {
      closeable.close();
    }
    if (spark != null) {
      spark.stop();
    }
  }
}
