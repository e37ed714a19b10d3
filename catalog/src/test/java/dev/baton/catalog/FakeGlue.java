package dev.baton.catalog;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicReference;

/**
 * AWS Glue's JSON 1.1 protocol, as far as Iceberg's {@code GlueCatalog} uses it, on 127.0.0.1: every
 * request is {@code POST /} with {@code X-Amz-Target: AWSGlue.<Operation>}; responses and errors
 * have the shapes of the Glue API reference (docs.aws.amazon.com/glue/latest/webapi/): {@code
 * GetDatabase -> {"Database":{...}}}, {@code GetTable -> {"Table":{...}}}, {@code CreateTable}/{@code
 * UpdateTable -> {}}, errors as HTTP 400 with {@code {"__type":"EntityNotFoundException","Message":...}}.
 * Tables keep a {@code VersionId} that {@code UpdateTable} checks, as Glue does for optimistic locking.
 */
final class FakeGlue implements AutoCloseable {

  /** One request as received. */
  record Request(String target, String authorization, JsonNode body) {
    String operation() {
      return target.startsWith("AWSGlue.") ? target.substring("AWSGlue.".length()) : target;
    }
  }

  private static final String ACCOUNT_ID = "123456789012";

  private final ObjectMapper json = new ObjectMapper();
  private final List<Request> requests = new CopyOnWriteArrayList<>();
  private final Map<String, ObjectNode> databases = new TreeMap<>();
  private final Map<String, ObjectNode> tables = new TreeMap<>();
  private final AtomicReference<Runnable> beforeNextUpdateTable = new AtomicReference<>();
  private volatile boolean modifyBeforeEveryUpdateTable;
  private final ExecutorService executor = Executors.newCachedThreadPool();
  private final HttpServer server;

  private FakeGlue() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    // several threads: a hook may commit through another client while a request is held
    server.setExecutor(executor);
    server.createContext("/", this::handle);
    server.start();
  }

  static FakeGlue start() throws IOException {
    return new FakeGlue();
  }

  /** The endpoint to give as {@code glue.endpoint}. */
  String endpoint() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  List<Request> requests() {
    return List.copyOf(requests);
  }

  List<Request> requests(String operation) {
    return requests.stream().filter(r -> r.operation().equals(operation)).toList();
  }

  /** A copy of the stored Glue table, as GetTable returns it. */
  synchronized ObjectNode table(String database, String name) {
    ObjectNode table = tables.get(database + "." + name);
    return table == null ? null : table.deepCopy();
  }

  /**
   * Runs {@code hook} once, when the next UpdateTable arrives and before it is handled: what another
   * writer did between the caller's GetTable and its UpdateTable.
   */
  void beforeNextUpdateTable(Runnable hook) {
    beforeNextUpdateTable.set(hook);
  }

  /**
   * Before every UpdateTable, another client updates the table (adds a parameter), so every
   * UpdateTable carries a stale VersionId.
   */
  void modifyBeforeEveryUpdateTable() {
    modifyBeforeEveryUpdateTable = true;
  }

  /** Another client's UpdateTable that only changes a parameter, bumping the VersionId. */
  synchronized void updateParameterElsewhere(String database, String name, String key, String value) {
    ObjectNode table = tables.get(database + "." + name);
    ((ObjectNode) table.get("Parameters")).put(key, value);
    bumpVersion(table);
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange; InputStream in = exchange.getRequestBody()) {
      byte[] bytes = in.readAllBytes();
      String target = String.valueOf(exchange.getRequestHeaders().getFirst("X-Amz-Target"));
      JsonNode body = bytes.length == 0 ? json.createObjectNode() : json.readTree(bytes);
      Request request = new Request(target, exchange.getRequestHeaders().getFirst("Authorization"), body);
      requests.add(request);
      if (!"POST".equals(exchange.getRequestMethod()) || !target.startsWith("AWSGlue.")) {
        respond(exchange, 400, error("UnknownOperationException", "Unknown operation " + target));
        return;
      }
      if (request.operation().equals("UpdateTable")) {
        Runnable hook = beforeNextUpdateTable.getAndSet(null);
        if (hook != null) {
          hook.run(); // outside the lock: the hook's own requests are served meanwhile
        }
      }
      Reply reply = answer(request.operation(), body);
      respond(exchange, reply.status(), reply.body());
    }
  }

  private record Reply(int status, JsonNode body) {}

  private synchronized Reply answer(String operation, JsonNode body) {
    switch (operation) {
      case "CreateDatabase": {
        JsonNode input = body.path("DatabaseInput");
        String name = input.path("Name").asText();
        if (databases.containsKey(name)) {
          return failure("AlreadyExistsException", "Database already exists.");
        }
        ObjectNode database = input.deepCopy();
        database.put("CatalogId", ACCOUNT_ID).put("CreateTime", now());
        databases.put(name, database);
        return ok(json.createObjectNode());
      }
      case "GetDatabase": {
        ObjectNode database = databases.get(body.path("Name").asText());
        if (database == null) {
          return failure("EntityNotFoundException", "Database " + body.path("Name").asText() + " not found.");
        }
        ObjectNode response = json.createObjectNode();
        response.set("Database", database.deepCopy());
        return ok(response);
      }
      case "GetDatabases": {
        ObjectNode response = json.createObjectNode();
        response.putArray("DatabaseList").addAll(databases.values().stream().map(d -> (JsonNode) d.deepCopy()).toList());
        return ok(response);
      }
      case "CreateTable": {
        String database = body.path("DatabaseName").asText();
        JsonNode input = body.path("TableInput");
        String key = database + "." + input.path("Name").asText();
        if (!databases.containsKey(database)) {
          return failure("EntityNotFoundException", "Database " + database + " not found.");
        }
        if (tables.containsKey(key)) {
          return failure("AlreadyExistsException", "Table already exists.");
        }
        ObjectNode table = input.deepCopy();
        table.put("DatabaseName", database).put("CatalogId", ACCOUNT_ID).put("CreateTime", now())
            .put("UpdateTime", now()).put("IsRegisteredWithLakeFormation", false).put("VersionId", "1");
        tables.put(key, table);
        return ok(json.createObjectNode());
      }
      case "GetTable": {
        ObjectNode table = tables.get(body.path("DatabaseName").asText() + "." + body.path("Name").asText());
        if (table == null) {
          return failure("EntityNotFoundException", "Table " + body.path("Name").asText() + " not found.");
        }
        ObjectNode response = json.createObjectNode();
        response.set("Table", table.deepCopy());
        return ok(response);
      }
      case "GetTables": {
        String database = body.path("DatabaseName").asText();
        ObjectNode response = json.createObjectNode();
        response.putArray("TableList").addAll(tables.values().stream()
            .filter(t -> t.path("DatabaseName").asText().equals(database)).map(t -> (JsonNode) t.deepCopy()).toList());
        return ok(response);
      }
      case "UpdateTable": {
        String database = body.path("DatabaseName").asText();
        JsonNode input = body.path("TableInput");
        String key = database + "." + input.path("Name").asText();
        ObjectNode stored = tables.get(key);
        if (stored == null) {
          return failure("EntityNotFoundException", "Table " + input.path("Name").asText() + " not found.");
        }
        if (modifyBeforeEveryUpdateTable) {
          ((ObjectNode) stored.get("Parameters")).put("modified_elsewhere", now() + "");
          bumpVersion(stored);
        }
        if (body.hasNonNull("VersionId") && !body.get("VersionId").asText().equals(stored.path("VersionId").asText())) {
          return failure("ConcurrentModificationException",
              "Update table failed due to concurrent modifications: VersionId " + body.get("VersionId").asText()
                  + " is not the current version " + stored.path("VersionId").asText());
        }
        ObjectNode table = input.deepCopy();
        table.put("DatabaseName", database).put("CatalogId", ACCOUNT_ID)
            .set("CreateTime", stored.get("CreateTime"));
        table.put("IsRegisteredWithLakeFormation", false).put("VersionId", stored.path("VersionId").asText());
        bumpVersion(table);
        tables.put(key, table);
        return ok(json.createObjectNode());
      }
      case "DeleteTable": {
        tables.remove(body.path("DatabaseName").asText() + "." + body.path("Name").asText());
        return ok(json.createObjectNode());
      }
      default:
        return failure("UnknownOperationException", "Operation " + operation + " is not served by this fake");
    }
  }

  private static void bumpVersion(ObjectNode table) {
    table.put("VersionId", Integer.toString(Integer.parseInt(table.path("VersionId").asText()) + 1));
    table.put("UpdateTime", now());
  }

  private Reply ok(JsonNode body) {
    return new Reply(200, body);
  }

  private Reply failure(String type, String message) {
    return new Reply(400, error(type, message));
  }

  private JsonNode error(String type, String message) {
    return json.createObjectNode().put("__type", type).put("Message", message);
  }

  /** Glue's JSON timestamps are epoch seconds. */
  private static long now() {
    return Instant.now().getEpochSecond();
  }

  private void respond(HttpExchange exchange, int status, JsonNode body) throws IOException {
    byte[] bytes = json.writeValueAsBytes(body);
    exchange.getResponseHeaders().set("Content-Type", "application/x-amz-json-1.1");
    exchange.getResponseHeaders().set("x-amzn-RequestId", UUID.randomUUID().toString());
    exchange.sendResponseHeaders(status, bytes.length);
    exchange.getResponseBody().write(bytes);
  }
}
