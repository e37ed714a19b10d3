package dev.baton.local.catalog;

import static java.util.Objects.requireNonNull;

import java.net.URI;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.iceberg.CatalogProperties;
import org.apache.iceberg.CatalogUtil;
import org.apache.iceberg.catalog.Catalog;

/**
 * The catalog behind the REST endpoint: Iceberg's JDBC catalog on an SQLite file, with the
 * warehouse in a bucket of the local S3 endpoint reached through {@code S3FileIO} (path-style
 * addressing). The same properties as {@code dev.baton.catalog.CatalogConfig.localJdbc}, so a
 * stack can switch between the embedded JDBC catalog and this service without moving data.
 */
final class BackendCatalog {
  /** The backend catalog's name; REST clients choose their own. */
  static final String NAME = "baton_local";

  private BackendCatalog() {}

  /**
   * Catalog properties of the backend.
   *
   * @param sqliteFile the SQLite database (created when missing)
   * @param warehouse e.g. {@code s3://warehouse/}
   * @param s3Endpoint e.g. {@code http://127.0.0.1:9000}
   * @param region region name sent to the endpoint
   * @param accessKey local access key
   * @param secretKey local secret key
   */
  static Map<String, String> properties(
      Path sqliteFile, String warehouse, URI s3Endpoint, String region, String accessKey, String secretKey) {
    requireNonNull(sqliteFile, "Invalid sqliteFile: null");
    requireNonNull(warehouse, "Invalid warehouse: null");
    requireNonNull(s3Endpoint, "Invalid s3Endpoint: null");
    requireNonNull(region, "Invalid region: null");
    requireNonNull(accessKey, "Invalid accessKey: null");
    requireNonNull(secretKey, "Invalid secretKey: null");
    Map<String, String> properties = new LinkedHashMap<>();
    properties.put(CatalogUtil.ICEBERG_CATALOG_TYPE, CatalogUtil.ICEBERG_CATALOG_TYPE_JDBC);
    properties.put(CatalogProperties.URI, "jdbc:sqlite:" + sqliteFile.toAbsolutePath());
    properties.put("jdbc.schema-version", "V1");
    // one connection: SQLite allows one writer, so commits are serialised inside this JVM ...
    properties.put(CatalogProperties.CLIENT_POOL_SIZE, "1");
    // ... and wait, rather than fail, when another JVM holds the lock
    properties.put("jdbc.busy_timeout", "30000");
    // WAL: readers never block the writer
    properties.put("jdbc.journal_mode", "WAL");
    properties.put(CatalogProperties.WAREHOUSE_LOCATION, warehouse);
    properties.put(CatalogProperties.FILE_IO_IMPL, "org.apache.iceberg.aws.s3.S3FileIO");
    properties.put("s3.endpoint", s3Endpoint.toString());
    properties.put("s3.path-style-access", "true");
    properties.put("s3.access-key-id", accessKey);
    properties.put("s3.secret-access-key", secretKey);
    properties.put("client.region", region);
    return properties;
  }

  /** Builds the catalog; the caller closes it. No Hadoop configuration: S3FileIO does not need one. */
  static Catalog create(Map<String, String> properties) {
    return CatalogUtil.buildIcebergCatalog(NAME, properties, null);
  }
}
