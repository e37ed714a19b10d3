package dev.baton.local.catalog;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.iceberg.catalog.Catalog;

/**
 * Runs an Iceberg REST catalog: Iceberg's own REST catalog servlet over Iceberg's JDBC catalog on
 * an SQLite file, with the warehouse on the local S3 endpoint (through {@code S3FileIO}).
 *
 * <p>Usage: {@code RestCatalogMain <sqlite-file> <port> <warehouse> <s3-endpoint> <region>}, e.g.
 * {@code RestCatalogMain .baton/catalog/iceberg.db 39181 s3://warehouse/ http://127.0.0.1:39000
 * us-east-1}. Secrets come from environment variables (never from the command line, which other
 * users can read): {@code BATON_S3_ACCESS_KEY} and {@code BATON_S3_SECRET_KEY} for the S3
 * endpoint, {@code BATON_CATALOG_TOKEN} for the catalog itself: every request must carry {@code
 * Authorization: Bearer <token>} (Iceberg client property {@code token}), else it gets 401.
 *
 * <p>Listens on 127.0.0.1 only; prints {@code REST catalog listening on http://127.0.0.1:<port>}
 * on stdout once it accepts requests; runs until killed, then stops the server and closes the
 * catalog (SQLite checkpoints its WAL).
 */
public final class RestCatalogMain {
  /** Environment variable holding the bearer token clients must send. */
  public static final String TOKEN_ENV = "BATON_CATALOG_TOKEN";
  /** Environment variable holding the S3 endpoint's access key. */
  public static final String ACCESS_KEY_ENV = "BATON_S3_ACCESS_KEY";
  /** Environment variable holding the S3 endpoint's secret key. */
  public static final String SECRET_KEY_ENV = "BATON_S3_SECRET_KEY";

  private static final String HOST = "127.0.0.1";

  private RestCatalogMain() {}

  public static void main(String[] args) throws Exception {
    if (args.length != 5) {
      System.err.println("usage: RestCatalogMain <sqlite-file> <port> <warehouse> <s3-endpoint> <region>");
      System.exit(2);
    }
    Path sqliteFile = Path.of(args[0]).toAbsolutePath();
    int port = Integer.parseInt(args[1]);
    String warehouse = args[2];
    URI s3Endpoint = URI.create(args[3]);
    String region = args[4];
    String token = requireEnv(TOKEN_ENV);
    String accessKey = requireEnv(ACCESS_KEY_ENV);
    String secretKey = requireEnv(SECRET_KEY_ENV);
    createParent(sqliteFile);
    Catalog catalog = BackendCatalog.create(
        BackendCatalog.properties(sqliteFile, warehouse, s3Endpoint, region, accessKey, secretKey));
    RestCatalogServer server = RestCatalogServer.start(catalog, HOST, port, token);
    System.out.println("REST catalog listening on " + server.uri()
        + " (catalog " + sqliteFile + ", warehouse " + warehouse + ")");
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      try {
        server.stop();
      } catch (Exception e) {
        System.err.println("Cannot stop the REST catalog cleanly: " + e);
      }
      try {
        if (catalog instanceof AutoCloseable closeable) {
          closeable.close();
        }
      } catch (Exception e) {
        System.err.println("Cannot close the catalog cleanly: " + e);
      }
    }));
    Thread.currentThread().join();
  }

  private static void createParent(Path file) throws IOException {
    Path parent = file.getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
  }

  private static String requireEnv(String name) {
    String value = System.getenv(name);
    if (value == null || value.isBlank()) {
      System.err.println("Missing environment variable: " + name);
      System.exit(2);
    }
    return value.strip();
  }
}
