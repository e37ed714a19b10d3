package dev.baton.schemas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.baton.schemas.event.Alert;
import dev.baton.schemas.event.ObjectCreated;
import dev.baton.schemas.event.ObjectSource;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.avro.Schema;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Contract test of {@link ConfluentSchemaRegistry} against a fake registry that serves the request
 * and response shapes of the Confluent Schema Registry API reference
 * (docs.confluent.io/platform/current/schema-registry/develop/api.html) and records what the client
 * sends.
 */
class ConfluentSchemaRegistryTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String SUBJECT = "baton.objects-value";
  private static final Schema SCHEMA = ObjectCreated.getClassSchema();

  private final List<Recorded> requests = new CopyOnWriteArrayList<>();
  private final Map<String, Route> routes = new ConcurrentHashMap<>();
  private ExecutorService executor;
  private HttpServer server;
  private String baseUrl;

  @BeforeEach
  void startFakeRegistry() throws IOException {
    executor = Executors.newCachedThreadPool();
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.setExecutor(executor);
    server.createContext("/", this::serve);
    server.start();
    baseUrl = "http://127.0.0.1:" + server.getAddress().getPort();
  }

  @AfterEach
  void stopFakeRegistry() {
    server.stop(0);
    executor.shutdownNow();
  }

  @Test
  void registersASchemaAndReturnsItsId() throws Exception {
    reply("POST /subjects/baton.objects-value/versions", 200, "{\"id\": 21}");

    int id = registry(config()).idFor(SUBJECT, SCHEMA);

    assertThat(id).isEqualTo(21);
    assertThat(requests).hasSize(1);
    Recorded request = requests.get(0);
    assertThat(request.method()).isEqualTo("POST");
    assertThat(request.rawPath()).isEqualTo("/subjects/baton.objects-value/versions");
    assertThat(request.contentType()).isEqualTo("application/vnd.schemaregistry.v1+json");
    assertThat(request.accept()).isEqualTo("application/vnd.schemaregistry.v1+json");
    assertThat(request.authorization()).isNull();
    JsonNode body = JSON.readTree(request.body());
    assertThat(body.size()).isEqualTo(1); // schemaType omitted: AVRO
    assertThat(new Schema.Parser().parse(body.get("schema").asText())).isEqualTo(SCHEMA);
  }

  @Test
  void looksASchemaUpWithoutRegisteringWhenAutoRegisterIsOff() throws Exception {
    reply("POST /subjects/baton.objects-value", 200,
        "{\"subject\": \"baton.objects-value\", \"id\": 21, \"version\": 3, \"schema\": " + JSON.writeValueAsString(SCHEMA.toString()) + "}");

    int id = registry(config().withAutoRegister(false)).idFor(SUBJECT, SCHEMA);

    assertThat(id).isEqualTo(21);
    assertThat(requests).extracting(Recorded::line).containsExactly("POST /subjects/baton.objects-value");
    assertThat(new Schema.Parser().parse(JSON.readTree(requests.get(0).body()).get("schema").asText())).isEqualTo(SCHEMA);
  }

  @Test
  void fetchesASchemaById() {
    reply("GET /schemas/ids/7", 200, schemaResponse(SCHEMA));

    Schema schema = registry(config()).schemaById(7);

    assertThat(schema).isEqualTo(SCHEMA);
    Recorded request = requests.get(0);
    assertThat(request.line()).isEqualTo("GET /schemas/ids/7");
    assertThat(request.accept()).isEqualTo("application/vnd.schemaregistry.v1+json");
    assertThat(request.body()).isEmpty();
  }

  @Test
  void answersRepeatedQuestionsFromItsCache() {
    reply("POST /subjects/baton.objects-value/versions", 200, "{\"id\": 21}");
    reply("GET /schemas/ids/7", 200, schemaResponse(Alert.getClassSchema()));
    ConfluentSchemaRegistry registry = registry(config());

    assertThat(registry.idFor(SUBJECT, SCHEMA)).isEqualTo(21);
    assertThat(registry.idFor(SUBJECT, SCHEMA)).isEqualTo(21);
    assertThat(registry.schemaById(21)).isEqualTo(SCHEMA); // known from registering it
    assertThat(registry.schemaById(7)).isEqualTo(Alert.getClassSchema());
    assertThat(registry.schemaById(7)).isEqualTo(Alert.getClassSchema());

    assertThat(requests).extracting(Recorded::line)
        .containsExactly("POST /subjects/baton.objects-value/versions", "GET /schemas/ids/7");
  }

  @Test
  void anUnknownSchemaIdIsAnUnknownSchemaException() {
    reply("GET /schemas/ids/7", 404, "{\"error_code\": 40403, \"message\": \"Schema 7 not found\"}");

    assertThatThrownBy(() -> registry(config()).schemaById(7))
        .isInstanceOf(UnknownSchemaException.class)
        .hasMessage("Cannot find schema id 7 in schema registry: Schema 7 not found (HTTP 404, error code 40403, GET "
            + baseUrl + "/schemas/ids/7)");
  }

  @Test
  void aSchemaNotUnderTheSubjectIsAnUnknownSchemaException() {
    reply("POST /subjects/baton.objects-value", 404, "{\"error_code\": 40403, \"message\": \"Schema not found\"}");

    assertThatThrownBy(() -> registry(config().withAutoRegister(false)).idFor(SUBJECT, SCHEMA))
        .isInstanceOf(UnknownSchemaException.class)
        .hasMessage("Cannot look up schema dev.baton.schemas.event.ObjectCreated under subject baton.objects-value in schema"
            + " registry: Schema not found (HTTP 404, error code 40403, POST " + baseUrl + "/subjects/baton.objects-value)");
  }

  @Test
  void sendsBasicAuthCredentials() {
    reply("GET /subjects", 200, "[]");

    registry(config().withBasicAuth("alice", "s3cret")).subjects();

    String expected = "Basic " + Base64.getEncoder().encodeToString("alice:s3cret".getBytes(StandardCharsets.UTF_8));
    assertThat(requests.get(0).authorization()).isEqualTo(expected);
  }

  @Test
  void sendsABearerToken() {
    reply("GET /subjects", 200, "[]");

    registry(config().withBearerToken("tok-123")).subjects();

    assertThat(requests.get(0).authorization()).isEqualTo("Bearer tok-123");
  }

  @Test
  void rejectedCredentialsAreAnAuthErrorWithoutTheSecret() {
    reply("GET /schemas/ids/7", 401, "{\"error_code\": 40101, \"message\": \"Unauthorized\"}");
    ConfluentSchemaRegistry registry = registry(config().withBasicAuth("alice", "s3cret"));

    assertThatThrownBy(() -> registry.schemaById(7))
        .isInstanceOf(SchemaRegistryAuthException.class)
        .hasMessage("Cannot find schema id 7 in schema registry: schema registry authentication failed, check the configured"
            + " user and password or bearer token (HTTP 401, error code 40101, GET " + baseUrl + "/schemas/ids/7: Unauthorized)")
        .satisfies(e -> assertThat(((SchemaRegistryException) e).isRetriable()).isFalse());
    assertThat(registry.toString()).doesNotContain("s3cret");
  }

  @Test
  void aForbiddenRequestIsAnAuthorizationError() {
    reply("GET /subjects", 403, "{\"error_code\": 40301, \"message\": \"User cannot access the resource.\"}");

    assertThatThrownBy(() -> registry(config().withBearerToken("tok-123")).subjects())
        .isInstanceOf(SchemaRegistryAuthException.class)
        .hasMessage("Cannot list subjects in schema registry: schema registry authorization failed, the configured credentials"
            + " are not allowed this request (HTTP 403, error code 40301, GET " + baseUrl + "/subjects: User cannot access the resource.)");
  }

  @Test
  void aSecretEchoedByTheRegistryIsMasked() {
    String header = "Basic " + Base64.getEncoder().encodeToString("alice:s3cret".getBytes(StandardCharsets.UTF_8));
    reply("GET /subjects", 401, "{\"error_code\": 40101, \"message\": \"Bad header " + header + " (password s3cret)\"}");

    assertThatThrownBy(() -> registry(config().withBasicAuth("alice", "s3cret")).subjects())
        .isInstanceOf(SchemaRegistryAuthException.class)
        .hasMessageEndingWith("/subjects: Bad header Basic **** (password ****))");
  }

  @Test
  void aServerErrorIsRetriable() {
    reply("GET /schemas/ids/7", 500, "{\"error_code\": 50001, \"message\": \"Error in the backend data store\"}");

    assertThatThrownBy(() -> registry(config()).schemaById(7))
        .isInstanceOf(SchemaRegistryUnavailableException.class)
        .hasMessage("Cannot find schema id 7 in schema registry: schema registry unavailable, retriable (HTTP 500, error code 50001, GET "
            + baseUrl + "/schemas/ids/7: Error in the backend data store)")
        .satisfies(e -> assertThat(((SchemaRegistryException) e).isRetriable()).isTrue());
  }

  @Test
  void anUnreachableRegistryIsRetriable() {
    server.stop(0);

    assertThatThrownBy(() -> registry(config()).schemaById(7))
        .isInstanceOf(SchemaRegistryUnavailableException.class)
        .hasMessageStartingWith("Cannot find schema id 7 in schema registry: schema registry unavailable, retriable (GET "
            + baseUrl + "/schemas/ids/7: java.net.ConnectException");
  }

  @Test
  void aSlowRegistryTimesOutAfterTheRequestTimeoutAndIsRetriable() {
    routes.put("GET /schemas/ids/7", request -> {
      try {
        Thread.sleep(5_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return new Reply(200, schemaResponse(SCHEMA));
    });
    long start = System.nanoTime();

    assertThatThrownBy(() -> registry(config().withRequestTimeoutMs(200)).schemaById(7))
        .isInstanceOf(SchemaRegistryUnavailableException.class)
        .hasMessage("Cannot find schema id 7 in schema registry: schema registry unavailable, retriable (GET "
            + baseUrl + "/schemas/ids/7: java.net.http.HttpTimeoutException: request timed out)");
    assertThat((System.nanoTime() - start) / 1_000_000).isLessThan(4_000);
  }

  @Test
  void anIncompatibleSchemaIsRefusedAndNotRetriable() {
    reply("POST /subjects/baton.objects-value/versions", 409,
        "{\"error_code\": 409, \"message\": \"Schema being registered is incompatible with an earlier schema\"}");

    assertThatThrownBy(() -> registry(config()).idFor(SUBJECT, SCHEMA))
        .isExactlyInstanceOf(SchemaRegistryException.class)
        .hasMessage("Cannot register schema dev.baton.schemas.event.ObjectCreated under subject baton.objects-value in schema registry:"
            + " Schema being registered is incompatible with an earlier schema (HTTP 409, error code 409, POST " + baseUrl
            + "/subjects/baton.objects-value/versions)")
        .satisfies(e -> assertThat(((SchemaRegistryException) e).isRetriable()).isFalse());
  }

  @Test
  void checksCompatibilityWithTheLatestVersion() throws Exception {
    reply("POST /compatibility/subjects/baton.objects-value/versions/latest", 200, "{\"is_compatible\": true}");
    reply("POST /compatibility/subjects/baton.alerts-value/versions/latest", 200, "{\"is_compatible\": false}");
    ConfluentSchemaRegistry registry = registry(config());

    assertThat(registry.isCompatible(SUBJECT, SCHEMA)).isTrue();
    assertThat(registry.isCompatible("baton.alerts-value", Alert.getClassSchema())).isFalse();

    Recorded request = requests.get(0);
    assertThat(request.contentType()).isEqualTo("application/vnd.schemaregistry.v1+json");
    assertThat(new Schema.Parser().parse(JSON.readTree(request.body()).get("schema").asText())).isEqualTo(SCHEMA);
    assertThat(requests).hasSize(2);
  }

  @Test
  void compatibilityWithAnUnknownSubjectIsAnUnknownSchemaException() {
    reply("POST /compatibility/subjects/baton.objects-value/versions/latest", 404,
        "{\"error_code\": 40401, \"message\": \"Subject 'baton.objects-value' not found.\"}");

    assertThatThrownBy(() -> registry(config()).isCompatible(SUBJECT, SCHEMA))
        .isInstanceOf(UnknownSchemaException.class)
        .hasMessage("Cannot check compatibility of schema dev.baton.schemas.event.ObjectCreated with subject baton.objects-value in"
            + " schema registry: Subject 'baton.objects-value' not found. (HTTP 404, error code 40401, POST " + baseUrl
            + "/compatibility/subjects/baton.objects-value/versions/latest)");
  }

  @Test
  void listsSubjects() {
    reply("GET /subjects", 200, "[\"baton.objects-value\", \"baton.control-value\"]");

    assertThat(registry(config()).subjects()).containsExactly("baton.objects-value", "baton.control-value");
    assertThat(requests.get(0).contentType()).isNull();
  }

  @Test
  void urlEncodesTheSubjectAsOnePathSegment() {
    reply("POST /subjects/team%20a%2Forders%3Av1%2Bx%C3%BC/versions", 200, "{\"id\": 5}");

    assertThat(registry(config()).idFor("team a/orders:v1+xü", SCHEMA)).isEqualTo(5);
  }

  @Test
  void worksUnderABaseUrlWithAPathPrefix() {
    reply("GET /registry/subjects", 200, "[\"s\"]");

    assertThat(registry(ConfluentSchemaRegistryConfig.of(baseUrl + "/registry/")).subjects()).containsExactly("s");
  }

  @Test
  void eventsRoundTripThroughTheRegistry() {
    Map<Integer, String> registered = new ConcurrentHashMap<>();
    AtomicInteger nextId = new AtomicInteger(100);
    routes.put("POST /subjects/baton.objects-value/versions", request -> {
      String schema = JSON.readTree(request.body()).get("schema").asText();
      int id = registered.entrySet().stream().filter(e -> e.getValue().equals(schema)).map(Map.Entry::getKey).findFirst()
          .orElseGet(() -> {
            int next = nextId.getAndIncrement();
            registered.put(next, schema);
            return next;
          });
      return new Reply(200, "{\"id\": " + id + "}");
    });
    routes.put("GET /schemas/ids/100", request -> new Reply(200, JSON.createObjectNode().put("schema", registered.get(100)).toString()));
    ObjectCreated event = ObjectCreated.newBuilder().setEventId("e-1").setBucket("landing").setKey("tpch/b1/orders.tbl")
        .setSize(42L).setEtag(null).setSequencer(null).setVersionId(null)
        .setEventTime(Instant.parse("2026-11-23T10:15:30.123Z")).setSource(ObjectSource.LISTING).build();

    byte[] bytes = new EventSerde(registry(config())).serialize(Topics.OBJECTS, event);
    ObjectCreated decoded = new EventSerde(registry(config())).deserialize(bytes, ObjectCreated.class); // a consumer's cold cache

    assertThat(EventSerde.schemaId(bytes)).isEqualTo(100);
    assertThat(decoded).isEqualTo(event);
    assertThat(requests).extracting(Recorded::line)
        .containsExactly("POST /subjects/baton.objects-value/versions", "GET /schemas/ids/100");
  }

  private ConfluentSchemaRegistryConfig config() {
    return ConfluentSchemaRegistryConfig.of(baseUrl);
  }

  private static ConfluentSchemaRegistry registry(ConfluentSchemaRegistryConfig config) {
    return new ConfluentSchemaRegistry(config);
  }

  private void reply(String line, int status, String body) {
    routes.put(line, request -> new Reply(status, body));
  }

  private static String schemaResponse(Schema schema) {
    return JSON.createObjectNode().put("schema", schema.toString()).toString();
  }

  private void serve(HttpExchange exchange) throws IOException {
    try {
      Recorded request = new Recorded(exchange.getRequestMethod(), exchange.getRequestURI().getRawPath(),
          exchange.getRequestHeaders().getFirst("Content-Type"), exchange.getRequestHeaders().getFirst("Accept"),
          exchange.getRequestHeaders().getFirst("Authorization"),
          new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
      requests.add(request);
      Route route = routes.get(request.line());
      Reply reply = route != null ? route.apply(request)
          : new Reply(404, "{\"error_code\": 404, \"message\": \"HTTP 404 Not Found\"}");
      byte[] body = reply.body().getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().set("Content-Type", ConfluentSchemaRegistry.CONTENT_TYPE);
      exchange.sendResponseHeaders(reply.status(), body.length);
      exchange.getResponseBody().write(body);
    } catch (Exception e) {
      throw new IOException(e);
    } finally {
      exchange.close();
    }
  }

  /** What the fake registry answers to one method and path. */
  private interface Route {
    Reply apply(Recorded request) throws Exception;
  }

  /** One request as the fake registry received it. */
  private record Recorded(String method, String rawPath, String contentType, String accept, String authorization, String body) {
    String line() {
      return method + " " + rawPath;
    }
  }

  private record Reply(int status, String body) {}
}
