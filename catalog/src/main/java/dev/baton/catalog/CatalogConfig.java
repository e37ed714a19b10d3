package dev.baton.catalog;

import static java.util.Objects.requireNonNull;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.hadoop.conf.Configuration;
import org.apache.iceberg.CatalogProperties;
import org.apache.iceberg.CatalogUtil;
import org.apache.iceberg.catalog.Catalog;

/**
 * An Iceberg catalog described by configuration, usable from Spark and from plain Java.
 *
 * <p>Keys are Iceberg catalog properties ({@link CatalogProperties}), given in Baton's
 * configuration with the prefix {@value #PREFIX}: {@code iceberg.catalog.type} is one of {@code
 * jdbc} (locally: an SQLite file), {@code glue} (AWS), {@code rest} or {@code hadoop}; every other
 * {@code iceberg.catalog.*} key is passed to the catalog unchanged (e.g. {@code
 * iceberg.catalog.warehouse}, {@code iceberg.catalog.io-impl}, {@code iceberg.catalog.s3.endpoint}).
 *
 * @param name the catalog's name in Spark SQL, e.g. {@code baton}
 * @param properties Iceberg catalog properties, without the prefix
 */
public record CatalogConfig(String name, Map<String, String> properties) {

  /** Prefix of catalog keys in Baton's configuration. */
  public static final String PREFIX = "iceberg.catalog.";
  /** The default catalog name. */
  public static final String DEFAULT_NAME = "baton";
  /** Catalog types this build knows how to configure. */
  public static final Set<String> TYPES = Set.of("jdbc", "glue", "rest", "hadoop");

  public CatalogConfig {
    requireNonNull(name, "Invalid catalog name: null");
    requireNonNull(properties, "Invalid catalog properties: null");
    properties = Map.copyOf(properties);
    String type = properties.get(CatalogUtil.ICEBERG_CATALOG_TYPE);
    if (type == null) {
      throw new IllegalArgumentException("Cannot configure catalog " + name + ": missing " + PREFIX + "type");
    }
    if (!TYPES.contains(type.toLowerCase(Locale.ROOT))) {
      throw new IllegalArgumentException(
          "Cannot configure catalog " + name + ": unknown " + PREFIX + "type '" + type + "' (expected one of "
              + new TreeMap<>(Map.of("jdbc", 0, "glue", 0, "rest", 0, "hadoop", 0)).keySet() + ")");
    }
  }

  /**
   * Reads the catalog from Baton configuration: every key starting with {@value #PREFIX}.
   *
   * @throws IllegalArgumentException if {@code iceberg.catalog.type} is missing or unknown
   */
  public static CatalogConfig fromConfig(String name, Map<String, String> config) {
    Map<String, String> properties = new LinkedHashMap<>();
    config.forEach((key, value) -> {
      if (key.startsWith(PREFIX)) {
        properties.put(key.substring(PREFIX.length()), value);
      }
    });
    return new CatalogConfig(name, properties);
  }

  /**
   * The local catalog: Iceberg's JDBC catalog on an SQLite file, with the warehouse in a bucket of
   * an S3-compatible endpoint reached through {@code S3FileIO} with path-style addressing.
   *
   * @param sqliteFile path of the SQLite database (created when missing)
   * @param warehouse e.g. {@code s3://warehouse/}
   * @param s3Endpoint e.g. {@code http://127.0.0.1:9000}
   * @param accessKey local access key (from the local stack's state, never hard-coded)
   * @param secretKey local secret key
   * @param region region name sent to the endpoint
   */
  public static CatalogConfig localJdbc(
      String sqliteFile, String warehouse, String s3Endpoint, String accessKey, String secretKey, String region) {
    Map<String, String> properties = new LinkedHashMap<>();
    properties.put(CatalogUtil.ICEBERG_CATALOG_TYPE, "jdbc");
    properties.put(CatalogProperties.URI, "jdbc:sqlite:" + sqliteFile);
    properties.put("jdbc.schema-version", "V1");
    // one pooled connection: SQLite allows one writer, so serialise commits inside this JVM ...
    properties.put(CatalogProperties.CLIENT_POOL_SIZE, "1");
    // ... and wait, rather than fail, when another JVM (e.g. `baton sql`) holds the lock
    properties.put("jdbc.busy_timeout", "30000");
    // WAL: readers never block the writer. Spark clones the session for each streaming query, so
    // one JVM holds several catalog instances, and an idle read on one must not stall commits of another
    properties.put("jdbc.journal_mode", "WAL");
    properties.put(CatalogProperties.WAREHOUSE_LOCATION, warehouse);
    properties.put(CatalogProperties.FILE_IO_IMPL, "org.apache.iceberg.aws.s3.S3FileIO");
    properties.put("s3.endpoint", s3Endpoint);
    properties.put("s3.path-style-access", "true");
    properties.put("s3.access-key-id", accessKey);
    properties.put("s3.secret-access-key", secretKey);
    properties.put("client.region", region);
    return new CatalogConfig(DEFAULT_NAME, properties);
  }

  /** The catalog type: jdbc, glue, rest or hadoop. */
  public String type() {
    return properties.get(CatalogUtil.ICEBERG_CATALOG_TYPE).toLowerCase(Locale.ROOT);
  }

  /**
   * Spark settings that register this catalog as {@code spark.sql.catalog.<name>} (Iceberg's {@code
   * SparkCatalog}), make it the default catalog so {@code <namespace>.<table>} resolves in it, and
   * enable Iceberg's SQL extensions (MERGE, CALL).
   */
  public Map<String, String> sparkConf() {
    Map<String, String> conf = new LinkedHashMap<>();
    String prefix = "spark.sql.catalog." + name;
    conf.put(prefix, "org.apache.iceberg.spark.SparkCatalog");
    properties.forEach((key, value) -> conf.put(prefix + "." + key, value));
    conf.put("spark.sql.defaultCatalog", name);
    conf.put("spark.sql.extensions", "org.apache.iceberg.spark.extensions.IcebergSparkSessionExtensions");
    return conf;
  }

  /** Builds the catalog for use outside Spark. The caller closes it if it is {@link AutoCloseable}. */
  public Catalog create() {
    return CatalogUtil.buildIcebergCatalog(name, properties, new Configuration());
  }

  @Override
  public String toString() {
    // never print secrets
    Map<String, String> shown = new TreeMap<>(properties);
    shown.replaceAll((key, value) -> key.contains("secret") || key.contains("password") ? "****" : value);
    return "CatalogConfig{name=" + name + ", properties=" + shown + "}";
  }
}
