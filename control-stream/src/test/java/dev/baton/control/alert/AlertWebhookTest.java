package dev.baton.control.alert;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@link AlertWebhook} against a real HTTP server on a free local port. */
class AlertWebhookTest {
  /** In a script: do not answer until the test ends (the client's request timeout fires first). */
  private static final int HANG = 0;
  private static final Duration SHORT = Duration.ofMillis(5);
  private static final String JSON = "{\"alertId\":\"a-1\",\"message\":\"stage failed\"}";

  /** One request as the server saw it. */
  private record Received(String method, String contentType, String token, String body) {}

  private HttpServer server;
  private ExecutorService serverThreads;
  private final List<Received> received = new ArrayList<>();
  /** Status per request, in order; the last one repeats. */
  private volatile List<Integer> script = List.of(200);
  private final CountDownLatch firstRequest = new CountDownLatch(1);
  private final CountDownLatch testDone = new CountDownLatch(1);
  private URI url;
  private String endpoint;

  @BeforeEach
  void startServer() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    // a pool, so that a request left hanging does not hold up the next one
    serverThreads = Executors.newCachedThreadPool();
    server.setExecutor(serverThreads);
    server.createContext("/hook", this::answer);
    server.start();
    endpoint = "http://127.0.0.1:" + server.getAddress().getPort() + "/hook";
    url = URI.create(endpoint + "?secret=s3cr3t");
  }

  @AfterEach
  void stopServer() {
    testDone.countDown();
    server.stop(0);
    serverThreads.shutdownNow();
  }

  private void answer(HttpExchange exchange) throws IOException {
    String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
    int status;
    synchronized (received) {
      received.add(new Received(exchange.getRequestMethod(), exchange.getRequestHeaders().getFirst("Content-Type"),
          exchange.getRequestHeaders().getFirst("X-Baton-Token"), body));
      status = script.get(Math.min(received.size(), script.size()) - 1);
    }
    firstRequest.countDown();
    if (status == HANG) {
      try {
        testDone.await(30, SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      exchange.close();
      return;
    }
    if (status == 204) {
      exchange.sendResponseHeaders(status, -1);
      exchange.close();
      return;
    }
    byte[] reply = ("status " + status).getBytes(StandardCharsets.UTF_8);
    exchange.sendResponseHeaders(status, reply.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(reply);
    }
  }

  private List<Received> received() {
    synchronized (received) {
      return List.copyOf(received);
    }
  }

  private AlertWebhook webhook(int maxAttempts) {
    return new AlertWebhook(url, Map.of("X-Baton-Token", "t-1"), maxAttempts, SHORT, Duration.ofMillis(20),
        Duration.ofSeconds(5));
  }

  private static AlertDeliveryException deliveryFailure(CompletableFuture<Integer> future) throws Exception {
    try {
      Integer status = future.get(10, SECONDS);
      return fail("Expected the delivery to fail, but it completed with " + status);
    } catch (ExecutionException e) {
      assertThat(e.getCause()).isInstanceOf(AlertDeliveryException.class);
      return (AlertDeliveryException) e.getCause();
    }
  }

  @Test
  void retriesServerErrorsUntilTheWebhookAccepts() throws Exception {
    script = List.of(500, 500, 200);
    try (AlertWebhook webhook = webhook(5)) {
      assertThat(webhook.post(JSON).get(10, SECONDS)).isEqualTo(200);
    }
    assertThat(received()).hasSize(3)
        .allSatisfy(request -> assertThat(request).isEqualTo(new Received("POST", "application/json", "t-1", JSON)));
  }

  @Test
  void givesUpAfterMaxAttemptsOfServiceUnavailable() throws Exception {
    script = List.of(503);
    AlertDeliveryException failure;
    try (AlertWebhook webhook = webhook(3)) {
      failure = deliveryFailure(webhook.post(JSON));
    }
    assertThat(failure).hasMessage("Cannot deliver alert to " + endpoint + " after 3 attempts: HTTP 503, response: status 503");
    assertThat(failure.statusCode()).hasValue(503);
    assertThat(failure.attempts()).isEqualTo(3);
    assertThat(received()).hasSize(3);
  }

  @Test
  void tooManyRequestsIsRetried() throws Exception {
    script = List.of(429, 204);
    try (AlertWebhook webhook = webhook(3)) {
      assertThat(webhook.post(JSON).get(10, SECONDS)).isEqualTo(204);
    }
    assertThat(received()).hasSize(2);
  }

  @Test
  void clientErrorIsNotRetried() throws Exception {
    script = List.of(400, 200);
    AlertDeliveryException failure;
    try (AlertWebhook webhook = webhook(5)) {
      failure = deliveryFailure(webhook.post(JSON));
    }
    assertThat(failure)
        .hasMessage("Cannot deliver alert to " + endpoint + " after 1 attempt: HTTP 400 (not retried), response: status 400");
    assertThat(failure.statusCode()).hasValue(400);
    assertThat(failure.attempts()).isEqualTo(1);
    assertThat(received()).hasSize(1);
  }

  @Test
  void requestTimeoutIsRetried() throws Exception {
    script = List.of(HANG, 200);
    try (AlertWebhook webhook =
        new AlertWebhook(url, Map.of(), 3, SHORT, Duration.ofMillis(20), Duration.ofMillis(300))) {
      assertThat(webhook.post(JSON).get(10, SECONDS)).isEqualTo(200);
    }
    assertThat(received()).hasSize(2);
  }

  @Test
  void unreachableEndpointFailsWithTheCause() throws Exception {
    int freePort;
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      freePort = socket.getLocalPort();
    }
    String nobody = "http://127.0.0.1:" + freePort + "/hook";
    AlertDeliveryException failure;
    try (AlertWebhook webhook = new AlertWebhook(URI.create(nobody), Map.of(), 2, SHORT, SHORT, Duration.ofSeconds(5))) {
      failure = deliveryFailure(webhook.post(JSON));
    }
    assertThat(failure.getMessage()).startsWith("Cannot deliver alert to " + nobody + " after 2 attempts: ConnectException");
    assertThat(failure.attempts()).isEqualTo(2);
    assertThat(failure.statusCode()).isEmpty();
    assertThat(failure.getCause()).isInstanceOf(IOException.class);
  }

  @Test
  void closeFailsPendingDeliveriesAndLaterPosts() throws Exception {
    script = List.of(503);
    AlertWebhook webhook =
        new AlertWebhook(url, Map.of(), 3, Duration.ofSeconds(30), Duration.ofSeconds(60), Duration.ofSeconds(5));
    CompletableFuture<Integer> pending = webhook.post(JSON);
    assertThat(firstRequest.await(10, SECONDS)).isTrue();

    webhook.close();

    assertThat(deliveryFailure(pending))
        .hasMessage("Cannot deliver alert to " + endpoint + " after 1 attempt: webhook closed or delivery cancelled");
    assertThat(deliveryFailure(webhook.post(JSON)))
        .hasMessage("Cannot deliver alert to " + endpoint + " after 0 attempts: webhook is closed");
    assertThat(received()).hasSize(1);
  }

  @Test
  void postReturnsBeforeTheWebhookAnswers() throws Exception {
    script = List.of(HANG);
    try (AlertWebhook webhook = webhook(1)) {
      CompletableFuture<Integer> pending = webhook.post(JSON);
      assertThat(pending).isNotDone();
      pending.cancel(false);
    }
  }

  @Test
  void toJsonWritesEveryField() throws Exception {
    long timeMs = Instant.parse("2024-05-01T12:00:00.250Z").toEpochMilli();
    String message = "quality \"rows > 0\" failed\nat 50% — see log";

    String json = AlertWebhook.toJson("alert-7", "STAGE_FAILED", "run-42", "tpch", "ingest", 3, timeMs, message);

    JsonNode alert = new ObjectMapper().readTree(json);
    List<String> fields = new ArrayList<>();
    for (Iterator<String> names = alert.fieldNames(); names.hasNext(); ) {
      fields.add(names.next());
    }
    assertThat(fields).containsExactly("alertId", "kind", "runId", "pipeline", "stage", "attempt", "time", "message");
    assertThat(alert.get("alertId").asText()).isEqualTo("alert-7");
    assertThat(alert.get("kind").asText()).isEqualTo("STAGE_FAILED");
    assertThat(alert.get("runId").asText()).isEqualTo("run-42");
    assertThat(alert.get("pipeline").asText()).isEqualTo("tpch");
    assertThat(alert.get("stage").asText()).isEqualTo("ingest");
    assertThat(alert.get("attempt").isInt()).isTrue();
    assertThat(alert.get("attempt").asInt()).isEqualTo(3);
    assertThat(alert.get("time").asText()).isEqualTo("2024-05-01T12:00:00.250Z");
    assertThat(Instant.parse(alert.get("time").asText()).toEpochMilli()).isEqualTo(timeMs);
    assertThat(alert.get("message").asText()).isEqualTo(message);
  }

  @Test
  void toJsonWritesMissingRunLevelFieldsAsNull() throws Exception {
    JsonNode alert = new ObjectMapper()
        .readTree(AlertWebhook.toJson("alert-8", "RUN_TIMED_OUT", "run-43", "tpch", null, null, 0L, null));

    assertThat(alert.get("stage").isNull()).isTrue();
    assertThat(alert.get("attempt").isNull()).isTrue();
    assertThat(alert.get("message").isNull()).isTrue();
    assertThat(alert.get("time").asText()).isEqualTo("1970-01-01T00:00:00Z");
  }

  @Test
  void rejectsInvalidConfiguration() {
    Duration second = Duration.ofSeconds(1);
    assertThatThrownBy(() -> new AlertWebhook(url, Map.of(), 0, second, second, second))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Cannot configure alert webhook: maxAttempts must be at least 1: 0");
    assertThatThrownBy(() -> new AlertWebhook(URI.create("ftp://example.com/hook"), Map.of(), 3, second, second, second))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Cannot configure alert webhook: url must be http or https: ftp://example.com/hook");
    assertThatThrownBy(() -> new AlertWebhook(url, Map.of(), 3, Duration.ZERO, second, second))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Cannot configure alert webhook: initialBackoff must be positive: PT0S");
    assertThatThrownBy(() -> new AlertWebhook(url, Map.of(), 3, second, Duration.ofMillis(500), second))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Cannot configure alert webhook: maxBackoff must be at least initialBackoff PT1S: PT0.5S");
    assertThatThrownBy(() -> new AlertWebhook(url, Map.of(), 3, second, second, Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Cannot configure alert webhook: requestTimeout must be positive: PT0S");
    assertThatThrownBy(() -> new AlertWebhook(url, Map.of("content-type", "text/plain"), 3, second, second, second))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Cannot configure alert webhook: header content-type is always application/json");
    assertThatThrownBy(() -> new AlertWebhook(url, Map.of("Host", "example.com"), 3, second, second, second))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("Cannot configure alert webhook: invalid header Host: ");
  }
}
