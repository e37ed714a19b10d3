package dev.baton.control.launch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * An AWS API played by a local HTTP server for the real AWS SDK client, recording each request. The
 * two wire protocols of the EMR APIs: REST-JSON (EMR Serverless, EMR on EKS; errors as {@code
 * x-amzn-ErrorType} plus {@code {"message": …}}) and AWS JSON 1.1 (EMR; {@code X-Amz-Target}, errors
 * as {@code {"__type": …, "message": …}}), per the AWS SDKs' protocol specifications (Smithy {@code
 * aws.protocols#restJson1}, {@code awsJson1_1}).
 */
public abstract class FakeAwsApi implements AutoCloseable {
  protected static final ObjectMapper JSON = new ObjectMapper();

  /** A request as received: method, path, raw query, {@code X-Amz-Target} (or null), body (empty object if none). */
  public record Request(String method, String path, String query, String target, JsonNode body) {}

  private final HttpServer server;
  private final List<Request> requests = new CopyOnWriteArrayList<>();

  protected FakeAwsApi() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/", exchange -> {
      try (exchange) {
        String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        Request request = new Request(exchange.getRequestMethod(), exchange.getRequestURI().getPath(),
            exchange.getRequestURI().getRawQuery(), exchange.getRequestHeaders().getFirst("X-Amz-Target"),
            body.isEmpty() ? JSON.createObjectNode() : JSON.readTree(body));
        requests.add(request);
        handle(exchange, request);
      }
    });
    server.start();
  }

  /** Answers one request (the exchange is closed afterwards). */
  protected abstract void handle(HttpExchange exchange, Request request) throws IOException;

  /** The endpoint to give the client ({@code launchers.<name>.endpoint}). */
  public URI endpoint() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
  }

  /** Every request received, in order. */
  public List<Request> requests() {
    return List.copyOf(requests);
  }

  /** A 200 with a JSON body ({@code contentType} of the protocol). */
  protected static void answer(HttpExchange exchange, String contentType, JsonNode body) throws IOException {
    send(exchange, 200, contentType, null, body);
  }

  /** A REST-JSON error: {@code x-amzn-ErrorType} and {@code {"message": …}}. */
  protected static void restJsonError(HttpExchange exchange, int status, String type, String message) throws IOException {
    send(exchange, status, "application/json", type, JSON.createObjectNode().put("message", message));
  }

  /** An AWS JSON 1.1 error: {@code {"__type": …, "message": …}}. */
  protected static void json11Error(HttpExchange exchange, int status, String type, String message) throws IOException {
    send(exchange, status, "application/x-amz-json-1.1", null,
        JSON.createObjectNode().put("__type", type).put("message", message));
  }

  /** Closes the connection without a status line: the client sees its request go unanswered. */
  protected static void noAnswer(HttpExchange exchange) throws IOException {
    exchange.getResponseBody().close();
  }

  private static void send(HttpExchange exchange, int status, String contentType, String errorType, JsonNode body)
      throws IOException {
    byte[] bytes = JSON.writeValueAsBytes(body);
    exchange.getResponseHeaders().add("Content-Type", contentType);
    exchange.getResponseHeaders().add("x-amzn-RequestId", UUID.randomUUID().toString());
    if (errorType != null) {
      exchange.getResponseHeaders().add("x-amzn-ErrorType", errorType);
    }
    exchange.sendResponseHeaders(status, bytes.length);
    exchange.getResponseBody().write(bytes);
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
