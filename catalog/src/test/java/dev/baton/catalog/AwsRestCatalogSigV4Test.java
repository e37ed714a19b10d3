package dev.baton.catalog;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.SupportsNamespaces;
import org.apache.iceberg.rest.RESTCatalog;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The {@code rest} catalog configured for AWS's Iceberg REST endpoints (Glue and S3 Tables), as
 * documented on {@link CatalogConfig}, against a fake REST catalog on 127.0.0.1 serving {@code GET
 * /v1/config} and {@code GET /v1/namespaces} with the Iceberg REST spec's shapes: every request
 * Iceberg sends is signed with SigV4 for the configured service and region.
 */
class AwsRestCatalogSigV4Test {

  private static final String REGION = "eu-west-1";
  private static final String ACCESS_KEY = "AKIDRESTSIGV4";
  private static final String EMPTY_BODY_SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

  private record Received(String method, String path, String query, String authorization, String contentSha256,
      String amzDate) {}

  private final List<Received> received = new CopyOnWriteArrayList<>();
  private HttpServer server;

  @BeforeEach
  void startFakeRestCatalog() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/iceberg/v1/config", exchange -> serve(exchange, "{\"defaults\":{},\"overrides\":{}}"));
    server.createContext("/iceberg/v1/namespaces", exchange -> serve(exchange, "{\"namespaces\":[]}"));
    server.start();
  }

  @AfterEach
  void stop() {
    server.stop(0);
  }

  @Test
  void glueRestEndpointRequestsAreSignedForGlue() throws Exception {
    Map<String, String> config = new LinkedHashMap<>();
    config.put("iceberg.catalog.type", "rest");
    config.put("iceberg.catalog.uri", uri()); // on AWS: https://glue.<region>.amazonaws.com/iceberg
    config.put("iceberg.catalog.rest.auth.type", "sigv4");
    config.put("iceberg.catalog.rest.signing-name", "glue");
    config.put("iceberg.catalog.rest.signing-region", REGION);
    config.put("iceberg.catalog.warehouse", "123456789012");
    config.put("iceberg.catalog.rest.access-key-id", ACCESS_KEY);
    config.put("iceberg.catalog.rest.secret-access-key", "rest-sigv4-secret");

    assertThat(listNamespaces(config)).isEmpty();

    assertThat(received).extracting(Received::path).containsExactly("/iceberg/v1/config", "/iceberg/v1/namespaces");
    assertThat(received.get(0).query()).isEqualTo("warehouse=123456789012");
    assertSignedFor("glue");
  }

  @Test
  void s3TablesRestEndpointRequestsAreSignedForS3TablesWithTheLegacySigV4Key() throws Exception {
    String bucketArn = "arn:aws:s3tables:" + REGION + ":123456789012:bucket/curated";
    Map<String, String> config = new LinkedHashMap<>();
    config.put("iceberg.catalog.type", "rest");
    config.put("iceberg.catalog.uri", uri()); // on AWS: https://s3tables.<region>.amazonaws.com/iceberg
    config.put("iceberg.catalog.rest.sigv4-enabled", "true"); // the key AWS's documentation shows
    config.put("iceberg.catalog.rest.signing-name", "s3tables");
    config.put("iceberg.catalog.rest.signing-region", REGION);
    config.put("iceberg.catalog.warehouse", bucketArn);
    config.put("iceberg.catalog.rest.access-key-id", ACCESS_KEY);
    config.put("iceberg.catalog.rest.secret-access-key", "rest-sigv4-secret");

    assertThat(listNamespaces(config)).isEmpty();

    assertThat(received).extracting(Received::path).containsExactly("/iceberg/v1/config", "/iceberg/v1/namespaces");
    assertThat(received.get(0).query()).isEqualTo("warehouse=" + bucketArn);
    assertSignedFor("s3tables");
  }

  private List<?> listNamespaces(Map<String, String> config) throws Exception {
    CatalogConfig catalogConfig = CatalogConfig.fromConfig("baton", config);
    assertThat(catalogConfig.toString()).contains("rest.secret-access-key=****").doesNotContain("rest-sigv4-secret");
    Catalog catalog = catalogConfig.create();
    try (RESTCatalog rest = (RESTCatalog) catalog) {
      return ((SupportsNamespaces) rest).listNamespaces();
    }
  }

  private void assertSignedFor(String service) {
    assertThat(received).allSatisfy(request -> {
      assertThat(request.method()).isEqualTo("GET");
      assertThat(request.authorization()).matches("AWS4-HMAC-SHA256 Credential=" + ACCESS_KEY + "/\\d{8}/" + REGION
          + "/" + service + "/aws4_request, SignedHeaders=[a-z0-9;-]+, Signature=[0-9a-f]{64}");
      String signedHeaders = request.authorization().replaceAll(".*SignedHeaders=([^,]+),.*", "$1");
      assertThat(signedHeaders.split(";")).contains("host", "x-amz-content-sha256", "x-amz-date");
      // GET requests have no body: the signer sends the SHA-256 of the empty string
      assertThat(request.contentSha256()).isEqualTo(EMPTY_BODY_SHA256);
      assertThat(request.amzDate()).matches("\\d{8}T\\d{6}Z");
    });
  }

  private String uri() {
    return "http://127.0.0.1:" + server.getAddress().getPort() + "/iceberg";
  }

  private void serve(HttpExchange exchange, String body) throws IOException {
    try (exchange) {
      exchange.getRequestBody().readAllBytes();
      String query = exchange.getRequestURI().getRawQuery();
      received.add(new Received(exchange.getRequestMethod(), exchange.getRequestURI().getPath(),
          query == null ? null : URLDecoder.decode(query, StandardCharsets.UTF_8),
          exchange.getRequestHeaders().getFirst("Authorization"),
          exchange.getRequestHeaders().getFirst("x-amz-content-sha256"),
          exchange.getRequestHeaders().getFirst("X-Amz-Date")));
      byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().set("Content-Type", "application/json");
      exchange.sendResponseHeaders(200, bytes.length);
      exchange.getResponseBody().write(bytes);
    }
  }
}
