package dev.baton.catalog;

import static java.util.Objects.requireNonNull;

import java.util.Collections;
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
 * Whatever the type, tables the catalog creates are Athena-compatible unless configured otherwise:
 * see {@link #TABLE_DEFAULTS}.
 *
 * <h2>AWS Glue Data Catalog (what Athena reads)</h2>
 *
 * <pre>{@code
 * iceberg.catalog.type=glue
 * iceberg.catalog.warehouse=s3://<curated bucket>/warehouse
 * iceberg.catalog.client.region=<region>
 * }</pre>
 *
 * Iceberg's {@code GlueCatalog} keeps each table as a Glue table of type {@code EXTERNAL_TABLE} whose
 * parameters {@code table_type=ICEBERG} and {@code metadata_location} point at the current metadata
 * file; data and metadata go through {@code S3FileIO} (Glue's default {@code io-impl}). Credentials
 * come from the AWS default chain (instance profile, IRSA, environment). A commit is an {@code
 * UpdateTable} carrying the {@code VersionId} it read, so Glue itself rejects a concurrent commit
 * ({@code ConcurrentModificationException}) and Iceberg retries it on the refreshed table: do not set
 * {@code iceberg.catalog.lock-impl} (a DynamoDB lock is not needed). Optional: {@code
 * iceberg.catalog.glue.id} (the catalog's account id), {@code iceberg.catalog.glue.endpoint} (an
 * endpoint override, e.g. a VPC endpoint).
 *
 * <h2>AWS Glue Iceberg REST endpoint</h2>
 *
 * <pre>{@code
 * iceberg.catalog.type=rest
 * iceberg.catalog.uri=https://glue.<region>.amazonaws.com/iceberg
 * iceberg.catalog.rest.auth.type=sigv4
 * iceberg.catalog.rest.signing-name=glue
 * iceberg.catalog.rest.signing-region=<region>
 * iceberg.catalog.warehouse=<account id>
 * }</pre>
 *
 * <h2>Amazon S3 Tables Iceberg REST endpoint</h2>
 *
 * <pre>{@code
 * iceberg.catalog.type=rest
 * iceberg.catalog.uri=https://s3tables.<region>.amazonaws.com/iceberg
 * iceberg.catalog.rest.auth.type=sigv4
 * iceberg.catalog.rest.signing-name=s3tables
 * iceberg.catalog.rest.signing-region=<region>
 * iceberg.catalog.warehouse=arn:aws:s3tables:<region>:<account id>:bucket/<table bucket>
 * }</pre>
 *
 * For both REST endpoints every request is signed with SigV4 for the service named by {@code
 * rest.signing-name}; it must be set: Iceberg's default, {@code execute-api}, is API Gateway's.
 * {@code rest.auth.type=sigv4} is Iceberg 1.10's key; {@code rest.sigv4-enabled=true}, which AWS's
 * documentation shows, is its deprecated equivalent and still works. Credentials come from the AWS
 * default chain unless {@code rest.access-key-id} / {@code rest.secret-access-key} are given.
 *
 * <h2>Other types</h2>
 *
 * {@code jdbc} is the local catalog ({@link #localJdbc}). {@code hadoop} keeps the catalog in the
 * warehouse itself and commits by atomically renaming a metadata file, which S3 does not provide: it
 * is accepted only for a warehouse on a file system with atomic rename (a local {@code file:}
 * warehouse in tests and demos, HDFS), and refused for an {@code s3://}, {@code s3a://} or {@code
 * s3n://} warehouse.
 *
 * @param name the catalog's name in Spark SQL, e.g. {@code baton}
 * @param properties Iceberg catalog properties as configured, without the prefix; the catalog is
 *     built from {@link #catalogProperties()}
 */
public record CatalogConfig(String name, Map<String, String> properties) {

  /** Prefix of catalog keys in Baton's configuration. */
  public static final String PREFIX = "iceberg.catalog.";
  /** The default catalog name. */
  public static final String DEFAULT_NAME = "baton";
  /** Catalog types this build knows how to configure. */
  public static final Set<String> TYPES = Set.of("jdbc", "glue", "rest", "hadoop");
  /**
   * Catalog properties Baton adds unless they are configured: {@link TableProperties#ATHENA_COMPATIBLE}
   * as Iceberg {@code table-default.*} properties ({@code table-default.format-version=2}, {@code
   * table-default.write.format.default=parquet}), so every table the catalog creates, from Spark or
   * Java, with or without {@code TBLPROPERTIES}, is one Athena can read and write. A table's own
   * properties still win over these defaults.
   */
  public static final Map<String, String> TABLE_DEFAULTS = tableDefaults();

  private static final Set<String> NO_ATOMIC_RENAME_SCHEMES = Set.of("s3", "s3a", "s3n");

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
    String warehouse = properties.get(CatalogProperties.WAREHOUSE_LOCATION);
    if ("hadoop".equalsIgnoreCase(type) && warehouse != null && NO_ATOMIC_RENAME_SCHEMES.contains(scheme(warehouse))) {
      throw new IllegalArgumentException("Cannot use " + PREFIX + "type=hadoop with warehouse " + warehouse
          + ": HadoopCatalog commits by atomic rename, which S3 does not provide (use glue, rest or jdbc)");
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

  /**
   * The properties the catalog is built with: {@link #properties()} over {@link #TABLE_DEFAULTS}
   * (a configured key wins).
   */
  public Map<String, String> catalogProperties() {
    Map<String, String> merged = new LinkedHashMap<>(properties);
    TABLE_DEFAULTS.forEach(merged::putIfAbsent);
    return Collections.unmodifiableMap(merged);
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
    catalogProperties().forEach((key, value) -> conf.put(prefix + "." + key, value));
    conf.put("spark.sql.defaultCatalog", name);
    conf.put("spark.sql.extensions", "org.apache.iceberg.spark.extensions.IcebergSparkSessionExtensions");
    return conf;
  }

  /** Builds the catalog for use outside Spark. The caller closes it if it is {@link AutoCloseable}. */
  public Catalog create() {
    return CatalogUtil.buildIcebergCatalog(name, catalogProperties(), new Configuration());
  }

  private static Map<String, String> tableDefaults() {
    Map<String, String> defaults = new TreeMap<>();
    TableProperties.ATHENA_COMPATIBLE.forEach(
        (key, value) -> defaults.put(CatalogProperties.TABLE_DEFAULT_PREFIX + key, value));
    return Collections.unmodifiableMap(defaults);
  }

  private static String scheme(String location) {
    int colon = location.indexOf(':');
    return colon < 0 ? "" : location.substring(0, colon).toLowerCase(Locale.ROOT);
  }

  @Override
  public String toString() {
    // never print secrets
    Map<String, String> shown = new TreeMap<>(properties);
    shown.replaceAll((key, value) -> key.contains("secret") || key.contains("password") ? "****" : value);
    return "CatalogConfig{name=" + name + ", properties=" + shown + "}";
  }
}
