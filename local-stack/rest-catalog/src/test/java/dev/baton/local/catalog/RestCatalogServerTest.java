package dev.baton.local.catalog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.apache.iceberg.catalog.Namespace;
import org.apache.iceberg.exceptions.NotAuthorizedException;
import org.apache.iceberg.inmemory.InMemoryCatalog;
import org.apache.iceberg.rest.RESTCatalog;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The server in-process over an in-memory catalog: binding and the bearer token check. */
class RestCatalogServerTest {
  private static final String TOKEN = "local-catalog-token";

  private final HttpClient http = HttpClient.newHttpClient();
  private InMemoryCatalog backend;
  private RestCatalogServer server;

  @BeforeEach
  void start() throws Exception {
    backend = new InMemoryCatalog();
    backend.initialize("backend", Map.of());
    server = RestCatalogServer.start(backend, "127.0.0.1", 0, TOKEN);
  }

  @AfterEach
  void stop() throws Exception {
    server.stop();
    backend.close();
  }

  @Test
  void answersARequestWithoutTokenWith401AndAnIcebergError() throws Exception {
    HttpResponse<String> response = get("/v1/config", Optional.empty());

    assertThat(response.statusCode()).isEqualTo(401);
    assertThat(response.headers().firstValue("WWW-Authenticate")).contains("Bearer");
    assertThat(response.body())
        .isEqualTo("{\"error\":{\"message\":\"Not authorized: missing or wrong bearer token\","
            + "\"type\":\"NotAuthorizedException\",\"code\":401}}");
  }

  @Test
  void answersARequestWithAWrongTokenWith401() throws Exception {
    assertThat(get("/v1/config", Optional.of("Bearer " + TOKEN + "x")).statusCode()).isEqualTo(401);
    assertThat(get("/v1/config", Optional.of("Basic " + TOKEN)).statusCode()).isEqualTo(401);
  }

  @Test
  void doesNotHandOutOAuthTokensWithoutTheToken() throws Exception {
    HttpRequest request = HttpRequest.newBuilder(server.uri().resolve("/v1/oauth/tokens"))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .POST(HttpRequest.BodyPublishers.ofString("grant_type=client_credentials&client_id=a&client_secret=b"))
        .build();

    assertThat(http.send(request, HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(401);
  }

  @Test
  void servesTheCatalogToARequestWithTheToken() throws Exception {
    HttpResponse<String> response = get("/v1/config", Optional.of("Bearer " + TOKEN));

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).contains("\"defaults\"");
  }

  @Test
  void icebergClientWithTheTokenCreatesANamespaceInTheBackend() throws Exception {
    try (RESTCatalog client = client(Map.of("token", TOKEN))) {
      client.createNamespace(Namespace.of("sales"));

      assertThat(client.listNamespaces()).containsExactly(Namespace.of("sales"));
    }
    assertThat(backend.namespaceExists(Namespace.of("sales"))).isTrue();
  }

  @Test
  void icebergClientWithoutOrWithAWrongTokenIsNotAuthorized() {
    assertThatThrownBy(() -> client(Map.of()))
        .isInstanceOf(NotAuthorizedException.class)
        .hasMessageContaining("missing or wrong bearer token");
    assertThatThrownBy(() -> client(Map.of("token", "guess")))
        .isInstanceOf(NotAuthorizedException.class);
  }

  @Test
  void listensOnLoopbackOnly() throws Exception {
    assertThat(server.uri().getHost()).isEqualTo("127.0.0.1");
    InetAddress external = Collections.list(NetworkInterface.getNetworkInterfaces()).stream()
        .flatMap(networkInterface -> Collections.list(networkInterface.getInetAddresses()).stream())
        .filter(address -> address instanceof Inet4Address && !address.isLoopbackAddress())
        .findFirst()
        .orElse(null);
    assumeThat(external).as("a non-loopback IPv4 address on this machine").isNotNull();

    assertThatThrownBy(() -> {
      try (Socket socket = new Socket()) {
        socket.connect(new InetSocketAddress(external, server.uri().getPort()), 1000);
      }
    }).isInstanceOf(IOException.class);
  }

  private HttpResponse<String> get(String path, Optional<String> authorization) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(server.uri().resolve(path)).GET();
    authorization.ifPresent(value -> request.header("Authorization", value));
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private RESTCatalog client(Map<String, String> auth) {
    RESTCatalog client = new RESTCatalog();
    Map<String, String> properties = new HashMap<>(auth);
    properties.put("uri", server.uri().toString());
    properties.put("rest.auth.type", "oauth2");
    properties.put("oauth2-server-uri", server.uri() + "/v1/oauth/tokens");
    // the default ResolvingFileIO needs Hadoop, which this module does not carry
    properties.put("io-impl", "org.apache.iceberg.inmemory.InMemoryFileIO");
    client.initialize("test", properties);
    return client;
  }
}
