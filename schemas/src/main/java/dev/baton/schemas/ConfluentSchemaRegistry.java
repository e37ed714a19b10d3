package dev.baton.schemas;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.apache.avro.SchemaParseException;

/**
 * A {@link SchemaRegistry} that speaks the Confluent Schema Registry REST API (v1), as specified
 * by the Confluent Schema Registry API reference
 * (docs.confluent.io/platform/current/schema-registry/develop/api.html), the source of every
 * request and response shape below. Works with any registry that implements that API.
 *
 * <p>Every request sends and accepts {@value #CONTENT_TYPE}, and an {@code Authorization} header
 * when the config has basic auth or a bearer token. Subjects are URL-encoded into the path. Only
 * Avro schemas are sent ({@code schemaType} omitted) and accepted. Schema ids and registered
 * schemas are cached for the life of the instance (ids never change meaning); compatibility checks
 * and subject lists are not.
 *
 * <p>Errors, from the registry's error body {@code {"error_code": 40403, "message": "..."}}:
 *
 * <ul>
 *   <li>HTTP 404 (subject, version or schema not found): {@link UnknownSchemaException} with the
 *       registry's message;
 *   <li>HTTP 401 / 403: {@link SchemaRegistryAuthException}, a user error;
 *   <li>HTTP 429, 5xx, I/O errors and timeouts: {@link SchemaRegistryUnavailableException},
 *       retriable;
 *   <li>other refusals (409 incompatible schema, 422 invalid schema) and unreadable responses:
 *       {@link SchemaRegistryException}, not retriable.
 * </ul>
 *
 * <p>No message or {@code toString} contains the password or token. Thread-safe.
 */
public final class ConfluentSchemaRegistry implements SchemaRegistry {

  /** The content type of every request and response: API v1, JSON. */
  public static final String CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";

  private static final ObjectMapper JSON = new ObjectMapper();

  private final ConfluentSchemaRegistryConfig config;
  private final HttpClient http;
  private final String authorization;
  private final List<String> secrets;
  private final Map<SubjectSchema, Integer> idsBySubjectSchema = new ConcurrentHashMap<>();
  private final Map<Integer, Schema> schemasById = new ConcurrentHashMap<>();

  /**
   * A client for the registry {@code config} describes. Makes no request until first used.
   *
   * @throws NullPointerException if {@code config} is null
   */
  public ConfluentSchemaRegistry(ConfluentSchemaRegistryConfig config) {
    this.config = Objects.requireNonNull(config, "Invalid config: null");
    this.http = HttpClient.newBuilder()
        .version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofMillis(config.requestTimeoutMs())).build();
    if (config.basicAuthUser() != null) {
      String credentials = Base64.getEncoder().encodeToString(
          (config.basicAuthUser() + ":" + config.basicAuthPassword()).getBytes(StandardCharsets.UTF_8));
      this.authorization = "Basic " + credentials;
      this.secrets = List.of(credentials, config.basicAuthPassword());
    } else if (config.bearerToken() != null) {
      this.authorization = "Bearer " + config.bearerToken();
      this.secrets = List.of(config.bearerToken());
    } else {
      this.authorization = null;
      this.secrets = List.of();
    }
  }

  /**
   * Returns the id of {@code schema} under {@code subject}, cached after the first answer.
   *
   * <p>With {@link ConfluentSchemaRegistryConfig#autoRegister()}: {@code POST
   * /subjects/{subject}/versions} with {@code {"schema": "<schema JSON>"}}, answered with {@code
   * {"id": 1}}; registering a schema the subject already has returns its existing id. Without:
   * {@code POST /subjects/{subject}} with the same body, answered with {@code {"subject": ...,
   * "id": 1, "version": 1, "schema": ...}}.
   *
   * @param subject registry subject, by convention {@code <topic>-value}
   * @param schema an Avro schema
   * @return the registry's global id of the schema
   * @throws UnknownSchemaException if the subject or schema is not registered (lookup only)
   * @throws SchemaRegistryException if the registry refuses the schema (409 incompatible, 422
   *     invalid) or cannot be reached or authenticated to (see the subclasses)
   */
  @Override
  public int idFor(String subject, Schema schema) {
    Objects.requireNonNull(subject, "Invalid subject: null");
    Objects.requireNonNull(schema, "Invalid schema: null");
    SubjectSchema key = new SubjectSchema(subject, schema);
    Integer cached = idsBySubjectSchema.get(key);
    if (cached != null) {
      return cached;
    }
    String what = (config.autoRegister() ? "register schema " : "look up schema ") + schema.getFullName()
        + " under subject " + subject + " in schema registry";
    String path = "/subjects/" + encode(subject) + (config.autoRegister() ? "/versions" : "");
    JsonNode response = send(what, "POST", path, schemaBody(schema));
    JsonNode id = response.get("id");
    if (id == null || !id.isIntegralNumber() || !id.canConvertToInt()) {
      throw new SchemaRegistryException("Cannot " + what + ": response has no int \"id\" (POST " + uri(path) + ")");
    }
    idsBySubjectSchema.put(key, id.intValue());
    schemasById.putIfAbsent(id.intValue(), schema);
    return id.intValue();
  }

  /**
   * Returns the schema registered under {@code id}, cached after the first answer: {@code GET
   * /schemas/ids/{id}}, answered with {@code {"schema": "<schema JSON>"}} ({@code schemaType}
   * absent or {@code AVRO}).
   *
   * @throws UnknownSchemaException if no schema has that id (HTTP 404, error code 40403)
   * @throws EventDecodingException if the schema under that id is not an Avro schema
   * @throws SchemaRegistryException if the registry cannot be reached or authenticated to (see the
   *     subclasses), or its answer cannot be read
   */
  @Override
  public Schema schemaById(int id) {
    Schema cached = schemasById.get(id);
    if (cached != null) {
      return cached;
    }
    String what = "find schema id " + id + " in schema registry";
    String path = "/schemas/ids/" + id;
    JsonNode response = send(what, "GET", path, null);
    String type = response.path("schemaType").asText("AVRO");
    if (!"AVRO".equals(type)) {
      throw new EventDecodingException("Cannot decode event: schema id " + id + " is " + type + ", not AVRO");
    }
    JsonNode text = response.get("schema");
    if (text == null || !text.isTextual()) {
      throw new SchemaRegistryException("Cannot " + what + ": response has no string \"schema\" (GET " + uri(path) + ")");
    }
    Schema schema;
    try {
      schema = new Schema.Parser().parse(text.asText());
    } catch (SchemaParseException e) {
      throw new EventDecodingException("Cannot decode event: schema id " + id + " is not a valid Avro schema: " + e.getMessage(), e);
    }
    Schema previous = schemasById.putIfAbsent(id, schema);
    return previous != null ? previous : schema;
  }

  /**
   * Whether {@code schema} may be registered under {@code subject} next, by the subject's
   * configured compatibility level: {@code POST
   * /compatibility/subjects/{subject}/versions/latest} with {@code {"schema": "<schema JSON>"}},
   * answered with {@code {"is_compatible": true|false}}. Not cached.
   *
   * @throws UnknownSchemaException if the subject has no version yet (HTTP 404, error code 40401)
   * @throws SchemaRegistryException if the registry refuses the request (422 invalid schema) or
   *     cannot be reached or authenticated to (see the subclasses)
   */
  public boolean isCompatible(String subject, Schema schema) {
    Objects.requireNonNull(subject, "Invalid subject: null");
    Objects.requireNonNull(schema, "Invalid schema: null");
    String what = "check compatibility of schema " + schema.getFullName() + " with subject " + subject + " in schema registry";
    String path = "/compatibility/subjects/" + encode(subject) + "/versions/latest";
    JsonNode compatible = send(what, "POST", path, schemaBody(schema)).get("is_compatible");
    if (compatible == null || !compatible.isBoolean()) {
      throw new SchemaRegistryException("Cannot " + what + ": response has no boolean \"is_compatible\" (POST " + uri(path) + ")");
    }
    return compatible.booleanValue();
  }

  /**
   * Every subject the registry has: {@code GET /subjects}, answered with {@code ["subject", ...]}.
   * Not cached.
   *
   * @return the subjects, in the registry's order
   * @throws SchemaRegistryException if the registry cannot be reached or authenticated to (see the
   *     subclasses), or its answer cannot be read
   */
  public List<String> subjects() {
    String what = "list subjects in schema registry";
    JsonNode response = send(what, "GET", "/subjects", null);
    if (!response.isArray()) {
      throw new SchemaRegistryException("Cannot " + what + ": response is not a JSON array (GET " + uri("/subjects") + ")");
    }
    List<String> subjects = new ArrayList<>(response.size());
    response.forEach(subject -> subjects.add(subject.asText()));
    return List.copyOf(subjects);
  }

  /** The registry's base URL and auth kind; never the password or token. */
  @Override
  public String toString() {
    return "ConfluentSchemaRegistry[" + config + "]";
  }

  /** Sends one request and returns the JSON of a 2xx answer, or throws per the class doc. */
  private JsonNode send(String what, String method, String path, String body) {
    URI uri = uri(path);
    HttpRequest.Builder request = HttpRequest.newBuilder(uri)
        .timeout(Duration.ofMillis(config.requestTimeoutMs()))
        .header("Accept", CONTENT_TYPE)
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    if (body != null) {
      request.header("Content-Type", CONTENT_TYPE);
    }
    if (authorization != null) {
      request.header("Authorization", authorization);
    }
    HttpResponse<String> response;
    try {
      response = http.send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new SchemaRegistryUnavailableException(
          redact("Cannot " + what + ": schema registry unavailable, retriable (" + method + " " + uri + ": " + e + ")"), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new SchemaRegistryUnavailableException(
          "Cannot " + what + ": interrupted, retriable (" + method + " " + uri + ")", e);
    }
    int status = response.statusCode();
    if (status >= 200 && status < 300) {
      try {
        return JSON.readTree(response.body());
      } catch (JsonProcessingException e) {
        throw new SchemaRegistryException(
            "Cannot " + what + ": response is not JSON (HTTP " + status + ", " + method + " " + uri + ")", e);
      }
    }
    throw failure(what, method, uri, status, response.body());
  }

  /** The exception for a non-2xx answer, from the registry's {@code error_code} and {@code message}. */
  private RuntimeException failure(String what, String method, URI uri, int status, String body) {
    Integer errorCode = null;
    String message = null;
    try {
      JsonNode error = JSON.readTree(body == null ? "" : body);
      if (error != null && error.path("error_code").canConvertToInt()) {
        errorCode = error.get("error_code").intValue();
      }
      if (error != null && error.path("message").isTextual()) {
        message = error.get("message").asText();
      }
    } catch (JsonProcessingException e) {
      // not Confluent's error body (a proxy's page, say): the status alone tells the story
    }
    String detail = "HTTP " + status + (errorCode != null ? ", error code " + errorCode : "") + ", " + method + " " + uri;
    String registrySays = message != null ? ": " + message : "";
    if (status == 404) {
      return new UnknownSchemaException(redact("Cannot " + what + (message != null ? ": " + message : ": not found") + " (" + detail + ")"));
    }
    if (status == 401) {
      return new SchemaRegistryAuthException(redact("Cannot " + what + ": schema registry authentication failed,"
          + " check the configured user and password or bearer token (" + detail + registrySays + ")"));
    }
    if (status == 403) {
      return new SchemaRegistryAuthException(redact("Cannot " + what + ": schema registry authorization failed,"
          + " the configured credentials are not allowed this request (" + detail + registrySays + ")"));
    }
    if (status == 429 || status >= 500) {
      return new SchemaRegistryUnavailableException(
          redact("Cannot " + what + ": schema registry unavailable, retriable (" + detail + registrySays + ")"));
    }
    return new SchemaRegistryException(redact("Cannot " + what + registrySays + " (" + detail + ")"));
  }

  /** Removes the configured secret from {@code message}, should the registry or a proxy echo it. */
  private String redact(String message) {
    String redacted = message;
    for (String secret : secrets) {
      if (!secret.isEmpty()) {
        redacted = redacted.replace(secret, "****");
      }
    }
    return redacted;
  }

  private URI uri(String path) {
    return URI.create(config.baseUrl() + path);
  }

  /** A subject as one path segment: URLEncoder encodes for forms, where a space is '+'. */
  private static String encode(String subject) {
    return URLEncoder.encode(subject, StandardCharsets.UTF_8).replace("+", "%20");
  }

  private static String schemaBody(Schema schema) {
    try {
      return JSON.writeValueAsString(Map.of("schema", schema.toString()));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("Cannot write a JSON string", e); // a string always serializes
    }
  }

  private record SubjectSchema(String subject, Schema schema) {}
}
