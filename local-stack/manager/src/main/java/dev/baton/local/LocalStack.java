package dev.baton.local;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.errors.TopicExistsException;

/**
 * The embedded local stack: a Kafka broker (KRaft), an SQS-compatible endpoint (ElasticMQ), an
 * S3-compatible endpoint and a Kafka Connect worker, each in its own JVM on 127.0.0.1, with all
 * state under one folder.
 *
 * <p>The S3 endpoint sends an AWS-shaped S3 event notification ({@code ObjectCreated:*}) to the SQS
 * queue {@value #S3_EVENTS_QUEUE} for each object created in {@link #NOTIFIED_BUCKETS}, like an S3
 * bucket notification to SQS (best effort; see {@link LocalEndpoints#s3EventsQueueUrl()}). The queue
 * lives in memory: messages do not survive a restart of the SQS endpoint.
 *
 * <p>{@link #up} is idempotent: services already running are reused, and ports and credentials
 * are kept in {@code <home>/local/stack.json} across restarts. {@link #down} stops only the
 * processes whose pids {@code up} recorded. Service logs are in {@code <home>/local/logs/}.
 */
public final class LocalStack {

  /** Buckets created on the local S3 endpoint. */
  public static final List<String> BUCKETS = List.of("landing", "warehouse", "export");
  /** The region name local clients use; the local endpoints ignore it. */
  public static final String REGION = "us-east-1";
  /** Buckets whose created objects are announced on {@link #S3_EVENTS_QUEUE}. */
  public static final List<String> NOTIFIED_BUCKETS = List.of("landing");
  /** The SQS queue receiving the S3 event notifications (created by the SQS endpoint). */
  public static final String S3_EVENTS_QUEUE = "baton-s3-events";
  /**
   * The dead-letter queue of {@link #S3_EVENTS_QUEUE}: messages received
   * {@value #S3_EVENTS_MAX_RECEIVE_COUNT} times without being deleted move there.
   */
  public static final String S3_EVENTS_DEAD_LETTER_QUEUE = "baton-s3-events-dlq";
  /** Receives of a message of {@link #S3_EVENTS_QUEUE} before it moves to the dead-letter queue. */
  public static final int S3_EVENTS_MAX_RECEIVE_COUNT = 5;
  /** The local Kafka Connect worker's group id. */
  public static final String CONNECT_GROUP = "baton-connect";
  /** The local Kafka Connect worker's connector-config topic. */
  public static final String CONNECT_CONFIG_TOPIC = "baton-connect-configs";
  /** The local Kafka Connect worker's source-offset topic. */
  public static final String CONNECT_OFFSET_TOPIC = "baton-connect-offsets";
  /** The local Kafka Connect worker's status topic. */
  public static final String CONNECT_STATUS_TOPIC = "baton-connect-status";

  private static final String KAFKA = "kafka";
  private static final String SQS = "sqs";
  private static final String S3 = "s3";
  private static final String CONNECT = "connect";
  private static final String CATALOG = "catalog";
  /** The CDC source PostgreSQL ({@code up --cdc}). */
  public static final String CDC_SOURCE = "cdc-source";
  /** The CDC target PostgreSQL ({@code up --cdc}). */
  public static final String CDC_TARGET = "cdc-target";
  private static final List<String> CDC_SERVICES = List.of(CDC_SOURCE, CDC_TARGET);
  /** In start order, which is also the order of the progress and status output; the secure stack adds {@link #CATALOG}. */
  private static final List<String> SERVICES = List.of(KAFKA, SQS, S3, CONNECT);
  private static final List<String> SECURE_SERVICES = List.of(KAFKA, SQS, S3, CATALOG, CONNECT);
  /** The SQLite file of the Iceberg JDBC catalog the REST catalog serves, under the home folder. */
  public static final String CATALOG_FILE = "catalog/iceberg.db";
  /** The warehouse of the local catalog, a bucket of the local S3 endpoint. */
  public static final String WAREHOUSE = "s3://warehouse/";
  private static final Map<String, String> MAIN_CLASSES =
      Map.of(
          KAFKA, "dev.baton.local.kafka.KafkaBrokerMain",
          SQS, "dev.baton.local.sqs.SqsEndpointMain",
          S3, "dev.baton.local.s3.S3EndpointMain",
          CONNECT, "dev.baton.local.connect.ConnectWorkerMain",
          CATALOG, "dev.baton.local.catalog.RestCatalogMain",
          CDC_SOURCE, "dev.baton.local.postgres.PostgresServerMain",
          CDC_TARGET, "dev.baton.local.postgres.PostgresServerMain");
  /** ElasticMQ's account id, the first path segment of its queue URLs. */
  private static final String SQS_ACCOUNT_ID = "000000000000";
  private static final Duration START_TIMEOUT = Duration.ofSeconds(120);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Path home;
  private final Path localDir;
  private final Path stateFile;
  private final ServiceClasspaths classpaths;
  private final Map<String, Integer> topics;
  /** Each service's log size when this object last started it: where its readiness line is looked for. */
  private final Map<String, Long> logSizeAtStart = new java.util.concurrent.ConcurrentHashMap<>();

  /**
   * @param home the state folder ({@code .baton/} by default)
   * @param classpaths each service's classpath
   * @param topics topic name to partition count, created on {@code up} when missing
   */
  public LocalStack(Path home, ServiceClasspaths classpaths, Map<String, Integer> topics) {
    this.home = requireNonNull(home, "Invalid home: null").toAbsolutePath();
    this.localDir = this.home.resolve("local");
    this.stateFile = localDir.resolve("stack.json");
    this.classpaths = requireNonNull(classpaths, "Invalid classpaths: null");
    this.topics = Map.copyOf(requireNonNull(topics, "Invalid topics: null"));
  }

  /**
   * Starts every service that is not already running, with a plaintext Kafka broker, waits until
   * each answers, creates the topics and buckets, and returns the endpoints. Progress goes to
   * {@code progress}. A broker running in secure mode is restarted in plaintext mode (each mode
   * keeps its own data folder, {@code kafka/} or {@code kafka-secure/}), and the Connect worker
   * with it.
   *
   * <p>The SQS endpoint starts first and must have created its queues before the S3 endpoint
   * starts, so that no created object goes unannounced. A running S3 endpoint that was started
   * without event notifications to the current queue URL (by an older Baton) is restarted.
   *
   * @throws LocalStackException if a service does not answer within 120 s (the message names its log)
   */
  public LocalEndpoints up(PrintStream progress) {
    return up(progress, Optional.empty(), false);
  }

  /**
   * Like {@link #up(PrintStream)}, with the Kafka broker in secure mode, like a secured production
   * cluster: its one client listener (the same port) requires TLS + SASL/SCRAM-SHA-512, its
   * inter-broker and controller listeners mutual TLS, and every request is authorized against
   * {@link KafkaSecurity#acls()}. The CA, broker keystore, client truststore and passwords are
   * generated once in {@code <home>/local/secure/} (see {@link SecureStackSecrets}); the ACLs are created
   * (as {@value SecureStackSecrets#ADMIN}) on every call. A broker running in plaintext mode is restarted
   * in secure mode, and the Connect worker with it (which then authenticates as {@value
   * SecureStackSecrets#CONNECT}). The returned endpoints carry {@link LocalEndpoints#kafkaSecurity()}.
   *
   * @throws LocalStackException if a service does not answer within 120 s (the message names its log)
   */
  public LocalEndpoints up(PrintStream progress, KafkaSecurity security) {
    return up(progress, Optional.of(requireNonNull(security, "Invalid security: null")), false);
  }

  /**
   * Like {@link #up(PrintStream)} (empty {@code security}) or {@link #up(PrintStream, KafkaSecurity)},
   * and with {@code cdc} the two PostgreSQL servers of {@link CdcDatabases} too: they start after the
   * Connect worker and are waited for until they accept password logins; their credentials are
   * generated once into {@code <home>/local/cdc/}. Without {@code cdc}, running CDC servers are
   * stopped (their data stays under {@code <home>/local/cdc-source/} and {@code cdc-target/}).
   *
   * @throws LocalStackException if a service does not answer within 120 s (the message names its log)
   */
  public LocalEndpoints up(PrintStream progress, Optional<KafkaSecurity> security, boolean cdc) {
    StackLock lock = lockOrThrow();
    try {
      StackState state = StackState.loadOrCreate(stateFile);
      boolean secure = security.isPresent();
      boolean newSecrets = secure && !Files.isRegularFile(secureDir().resolve(SecureStackSecrets.SECRETS));
      SecureStackSecrets secrets = secure ? SecureStackSecrets.loadOrCreate(secureDir()) : null;
      Path secureKafkaData = localDir.resolve("kafka-secure");
      if (newSecrets && Files.exists(secureKafkaData)) {
        // its SCRAM users were bootstrapped with the passwords of the secrets just replaced
        progress.printf("%-8s new secrets: the secure broker's data (%s) is reset%n", KAFKA, secureKafkaData);
        if (state.kafkaSecure) {
          stop(state, CONNECT);
          stop(state, KAFKA);
        }
        SecureStackSecrets.deleteRecursively(secureKafkaData);
      }
      List<String> started = new ArrayList<>();
      if (isRunning(state, KAFKA) && state.kafkaSecure != secure) {
        progress.printf("%-8s restarting in %s mode%n", KAFKA, secure ? "secure" : "plaintext");
        stop(state, CONNECT); // its worker config names the other listener
        stop(state, KAFKA);
      }
      if (!secure) {
        stop(state, CATALOG); // the plaintext stack's clients use the SQLite catalog directly
      }
      if (!isRunning(state, KAFKA)) {
        if (secure) {
          start(state, KAFKA, List.of(localDir.resolve("kafka-secure").toString(), String.valueOf(state.kafkaPort),
                  String.valueOf(state.kafkaControllerPort), String.valueOf(state.kafkaInternalPort)),
              Map.of("BATON_KAFKA_SECURE_DIR", secrets.dir().toString()), "-Xmx768m");
        } else {
          start(state, KAFKA, List.of(localDir.resolve("kafka").toString(),
              String.valueOf(state.kafkaPort), String.valueOf(state.kafkaControllerPort)), Map.of(), "-Xmx768m");
        }
        state.kafkaSecure = secure;
        started.add(KAFKA);
      }
      LocalEndpoints endpoints = endpoints(state);
      Map<String, Object> admin = adminConfig(endpoints.kafkaBootstrap(), secrets);
      if (!isRunning(state, SQS)) {
        start(state, SQS, List.of(String.valueOf(state.sqsPort), S3_EVENTS_QUEUE, S3_EVENTS_DEAD_LETTER_QUEUE,
            String.valueOf(S3_EVENTS_MAX_RECEIVE_COUNT)), Map.of(), "-Xmx256m");
        started.add(SQS);
      }
      if (isRunning(state, S3) && !endpoints.s3EventsQueueUrl().equals(state.s3NotifyQueueUrl)) {
        progress.printf("%-8s restarting: it was started without event notifications to %s%n",
            S3, endpoints.s3EventsQueueUrl());
        stop(state, S3);
      }
      state.save(stateFile);
      // the S3 endpoint sends to the queue from its first object on
      await(SQS, () -> sqsQueueAnswers(state.sqsPort));
      if (!isRunning(state, S3)) {
        start(state, S3, List.of(localDir.resolve("s3").toString(), String.valueOf(state.s3Port),
                String.join(",", BUCKETS)),
            Map.of("BATON_S3_ACCESS_KEY", state.s3AccessKey, "BATON_S3_SECRET_KEY", state.s3SecretKey,
                "BATON_S3_NOTIFY_BUCKETS", String.join(",", NOTIFIED_BUCKETS),
                "BATON_S3_NOTIFY_QUEUE_URL", endpoints.s3EventsQueueUrl()),
            "-Xmx384m");
        state.s3NotifyQueueUrl = endpoints.s3EventsQueueUrl();
        started.add(S3);
        state.save(stateFile);
      }
      await(KAFKA, () -> kafkaAnswers(admin));
      createTopics(admin, topics);
      if (secure) {
        createAcls(admin, security.get().acls());
      }
      await(S3, () -> portAnswers(state.s3Port));
      if (secure && !isRunning(state, CATALOG)) {
        Files.createDirectories(home.resolve(CATALOG_FILE).getParent());
        start(state, CATALOG, List.of(home.resolve(CATALOG_FILE).toString(), String.valueOf(state.catalogPort), WAREHOUSE,
                endpoints.s3Endpoint().toString(), REGION),
            Map.of("BATON_CATALOG_TOKEN", secrets.catalogToken(), "BATON_S3_ACCESS_KEY", state.s3AccessKey,
                "BATON_S3_SECRET_KEY", state.s3SecretKey),
            "-Xmx384m");
        started.add(CATALOG);
        state.save(stateFile);
      }
      if (secure) {
        await(CATALOG, () -> portAnswers(state.catalogPort));
      }
      Path workerConfig = localDir.resolve("connect").resolve("worker.properties");
      Properties workerProperties = connectConfig(state);
      if (isRunning(state, CONNECT) && !workerProperties.equals(readProperties(workerConfig))) {
        progress.printf("%-8s restarting: its worker configuration changed (plugin path, listeners)%n", CONNECT);
        stop(state, CONNECT);
      }
      if (!isRunning(state, CONNECT)) {
        writeProperties(workerProperties, workerConfig);
        start(state, CONNECT, List.of(workerConfig.toString()), Map.of(), "-Xmx512m");
        started.add(CONNECT);
        state.save(stateFile);
      }
      state.cdc = cdc;
      if (cdc) {
        if (!Files.isRegularFile(cdcDir().resolve(CdcDatabases.CREDENTIALS))) {
          for (String service : CDC_SERVICES) {
            if (Files.exists(localDir.resolve(service))) {
              // new passwords could not log in to a server whose roles have the old ones
              throw new LocalStackException("Cannot start the CDC databases: " + cdcDir().resolve(CdcDatabases.CREDENTIALS)
                  + " is missing but " + localDir.resolve(service) + " holds a server made with its passwords; restore"
                  + " the file, or delete " + localDir.resolve(CDC_SOURCE) + " and " + localDir.resolve(CDC_TARGET)
                  + " to start both servers over (their data is lost)");
            }
          }
        }
        CdcDatabases databases = CdcDatabases.loadOrCreate(cdcDir(), state.cdcSourcePort, state.cdcTargetPort);
        for (String service : CDC_SERVICES) {
          if (!isRunning(state, service)) {
            boolean source = service.equals(CDC_SOURCE);
            start(state, service, List.of(localDir.resolve(service).toString(),
                    String.valueOf(source ? state.cdcSourcePort : state.cdcTargetPort), source ? "source" : "target"),
                databases.serverEnvironment(source ? "source" : "target"), "-Xmx128m");
            started.add(service);
          }
        }
      } else {
        for (String service : CDC_SERVICES) {
          if (stop(state, service)) {
            progress.printf("%-8s stopped (the stack runs without --cdc)%n", service);
          }
        }
      }
      state.save(stateFile);
      await(CONNECT, () -> httpAnswers(endpoints.connectUrl()));
      if (cdc) {
        // a started server is ready once it has set its roles up and says so; a running one once it answers
        for (String service : CDC_SERVICES) {
          int port = service.equals(CDC_SOURCE) ? state.cdcSourcePort : state.cdcTargetPort;
          await(service, () -> started.contains(service)
              ? logSaysSinceStart(service, "listening on 127.0.0.1:" + port) : portAnswers(port));
        }
      }
      LocalEndpoints upEndpoints = endpoints(state);
      for (String service : services(state)) {
        progress.printf("%-10s %-28s %s%n", service, address(upEndpoints, service),
            started.contains(service) ? "started (pid " + state.pids.get(service) + ")" : "already running");
      }
      return upEndpoints;
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot start the local stack in " + localDir, e);
    } finally {
      lock.close();
    }
  }

  /** Returns the endpoints when every service is running and answering, else empty. */
  public Optional<LocalEndpoints> status() {
    StackState state = StackState.loadIfPresent(stateFile);
    if (state == null) {
      return Optional.empty();
    }
    LocalEndpoints endpoints = endpoints(state);
    boolean allUp =
        services(state).stream().allMatch(service -> isRunning(state, service))
            && portAnswers(state.kafkaPort) && portAnswers(state.sqsPort) && portAnswers(state.s3Port)
            && portAnswers(state.connectPort) && (!state.kafkaSecure || portAnswers(state.catalogPort))
            && (!state.cdc || (portAnswers(state.cdcSourcePort) && portAnswers(state.cdcTargetPort)));
    return allUp ? Optional.of(endpoints) : Optional.empty();
  }

  /** Returns each known service with {@code running} or {@code stopped}. */
  public Map<String, String> serviceStates() {
    StackState state = StackState.loadIfPresent(stateFile);
    Map<String, String> states = new LinkedHashMap<>();
    for (String service : state == null ? SERVICES : services(state)) {
      states.put(service, state != null && isRunning(state, service) ? "running" : "stopped");
    }
    return states;
  }

  /**
   * Stops the processes {@code up} started (SIGTERM, then SIGKILL after 20 s) and returns their
   * names. Data stays under the home folder.
   */
  public List<String> down() {
    StackLock lock = lockOrThrow();
    try {
      StackState state = StackState.loadIfPresent(stateFile);
      if (state == null) {
        return List.of();
      }
      List<String> stopped = new ArrayList<>();
      // S3 before SQS, so that no object is stored while its queue is gone
      for (String service : List.of(CDC_SOURCE, CDC_TARGET, CONNECT, KAFKA, CATALOG, S3, SQS)) {
        if (stop(state, service)) {
          stopped.add(service);
        }
      }
      state.save(stateFile);
      return stopped;
    } finally {
      lock.close();
    }
  }

  /** Stops a service's process if it runs (SIGTERM, then SIGKILL after 20 s); true if it ran. */
  private boolean stop(StackState state, String service) {
    Optional<ProcessHandle> process = process(state, service);
    state.pids.remove(service);
    if (process.isEmpty()) {
      return false;
    }
    ProcessHandle handle = process.get();
    handle.destroy();
    try {
      handle.onExit().get(20, TimeUnit.SECONDS);
    } catch (java.util.concurrent.TimeoutException e) {
      handle.destroyForcibly();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new LocalStackException("Interrupted while stopping " + service, e);
    } catch (ExecutionException e) {
      throw new LocalStackException("Cannot stop " + service + ": " + e.getCause(), e);
    }
    return true;
  }

  /**
   * Creates or updates a connector on the local Connect worker ({@code PUT /connectors/NAME/config}).
   *
   * @throws LocalStackException if the worker rejects the config (the message carries its answer)
   */
  public void putConnector(LocalEndpoints endpoints, String name, Map<String, String> config) {
    URI uri = endpoints.connectUrl().resolve("/connectors/" + name + "/config");
    String body;
    try {
      body = JSON.writeValueAsString(config);
    } catch (IOException e) {
      throw new LocalStackException("Cannot encode the config of connector " + name + ": " + e, e);
    }
    connectRequest(HttpRequest.newBuilder(uri).header("Content-Type", "application/json")
        .PUT(HttpRequest.BodyPublishers.ofString(body)), "create connector " + name, false);
  }

  /**
   * Deletes a connector from the local Connect worker ({@code DELETE /connectors/NAME}); a connector
   * that does not exist is not an error.
   *
   * @throws LocalStackException if the worker answers with another error
   */
  public void deleteConnector(LocalEndpoints endpoints, String name) {
    connectRequest(HttpRequest.newBuilder(endpoints.connectUrl().resolve("/connectors/" + name)).DELETE(),
        "delete connector " + name, true);
  }

  /**
   * The state of a connector and of each of its tasks on the local Connect worker ({@code GET
   * /connectors/NAME/status}): {@code connector} → its state, {@code task-<id>} → each task's state
   * ({@code RUNNING}, {@code FAILED}, ...); empty if the worker does not know the connector.
   *
   * @throws LocalStackException if the worker cannot be reached or answers with another error
   */
  public Map<String, String> connectorStates(LocalEndpoints endpoints, String name) {
    return connectGet(endpoints, "/connectors/" + name + "/status", "read the status of connector " + name)
        .map(status -> {
          Map<String, String> states = new LinkedHashMap<>();
          states.put("connector", status.path("connector").path("state").asText());
          for (var task : status.path("tasks")) {
            states.put("task-" + task.path("id").asInt(), task.path("state").asText());
          }
          return states;
        }).orElse(Map.of());
  }

  /**
   * The source offsets a connector has committed ({@code GET /connectors/NAME/offsets}, KIP-875): one
   * map per source partition, of the connector's own offset fields; empty if none was committed yet
   * or the worker does not know the connector.
   *
   * @throws LocalStackException if the worker cannot be reached or answers with another error
   */
  public List<Map<String, Object>> connectorOffsets(LocalEndpoints endpoints, String name) {
    return connectGet(endpoints, "/connectors/" + name + "/offsets", "read the offsets of connector " + name)
        .map(answer -> {
          List<Map<String, Object>> offsets = new ArrayList<>();
          for (var entry : answer.path("offsets")) {
            offsets.add(JSON.convertValue(entry.path("offset"),
                new com.fasterxml.jackson.core.type.TypeReference<Map<String, Object>>() {}));
          }
          return offsets;
        }).orElse(List.of());
  }

  /**
   * A GET on the Connect REST API (30 s timeout): the JSON answer, or empty for a 404.
   *
   * @throws LocalStackException for another error, naming {@code what}
   */
  private static Optional<com.fasterxml.jackson.databind.JsonNode> connectGet(LocalEndpoints endpoints, String path,
      String what) {
    HttpRequest request = HttpRequest.newBuilder(endpoints.connectUrl().resolve(path)).timeout(Duration.ofSeconds(30)).build();
    try {
      HttpResponse<String> response = HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() == 404) {
        return Optional.empty();
      }
      if (response.statusCode() != 200) {
        throw new LocalStackException("Cannot " + what + ": HTTP " + response.statusCode() + " " + response.body());
      }
      return Optional.of(JSON.readTree(response.body()));
    } catch (IOException e) {
      throw new LocalStackException("Cannot reach Kafka Connect at " + request.uri() + ": " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new LocalStackException("Interrupted while trying to " + what, e);
    }
  }

  /**
   * Removes a connector and its committed offsets from the local Connect worker: stops it ({@code PUT
   * /connectors/NAME/stop}), waits until it is STOPPED, deletes its offsets ({@code DELETE
   * /connectors/NAME/offsets}, KIP-875: a source's source offsets, a sink's consumer group offsets) and
   * deletes it. A connector of that name created later starts from nothing. Nothing happens if the
   * worker does not know the connector.
   *
   * @throws LocalStackException if the worker answers with an error, or the connector does not stop within 60 s
   */
  public void deleteConnectorAndOffsets(LocalEndpoints endpoints, String name) {
    if (connectorStates(endpoints, name).isEmpty()) {
      return;
    }
    connectRequest(HttpRequest.newBuilder(endpoints.connectUrl().resolve("/connectors/" + name + "/stop"))
        .PUT(HttpRequest.BodyPublishers.noBody()), "stop connector " + name, false);
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (!"STOPPED".equals(connectorStates(endpoints, name).get("connector"))) {
      if (System.nanoTime() > deadline) {
        throw new LocalStackException("Cannot stop connector " + name + " within 60 s: " + connectorStates(endpoints, name));
      }
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new LocalStackException("Interrupted while stopping connector " + name, e);
      }
    }
    connectRequest(HttpRequest.newBuilder(endpoints.connectUrl().resolve("/connectors/" + name + "/offsets")).DELETE(),
        "delete the offsets of connector " + name, false);
    deleteConnector(endpoints, name);
  }

  /**
   * Restarts a connector and its tasks on the local Connect worker ({@code POST
   * /connectors/NAME/restart?includeTasks=true}).
   *
   * @throws LocalStackException if the worker answers with an error
   */
  public void restartConnector(LocalEndpoints endpoints, String name) {
    connectRequest(HttpRequest.newBuilder(endpoints.connectUrl().resolve("/connectors/" + name + "/restart?includeTasks=true"))
        .POST(HttpRequest.BodyPublishers.noBody()), "restart connector " + name, false);
  }

  /** Sends a request to the Connect REST API (60 s timeout); a non-2xx answer is an error naming {@code what}. */
  private static void connectRequest(HttpRequest.Builder request, String what, boolean notFoundIsFine) {
    HttpRequest built = request.timeout(Duration.ofSeconds(60)).build();
    try {
      HttpResponse<String> response = HttpClient.newHttpClient().send(built, HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() / 100 != 2 && !(notFoundIsFine && response.statusCode() == 404)) {
        throw new LocalStackException("Cannot " + what + ": HTTP " + response.statusCode() + " " + response.body());
      }
    } catch (IOException e) {
      throw new LocalStackException("Cannot reach Kafka Connect at " + built.uri() + ": " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new LocalStackException("Interrupted while trying to " + what, e);
    }
  }

  /**
   * The running process of a service ({@code kafka}, {@code sqs}, {@code s3} or {@code connect}) that
   * {@link #up} started, if it is alive.
   */
  public Optional<ProcessHandle> serviceProcess(String service) {
    StackState state = StackState.loadIfPresent(stateFile);
    return state == null ? Optional.empty() : process(state, service);
  }

  /** The log file of a service, e.g. {@code <home>/local/logs/kafka.log}. */
  public Path logFile(String service) {
    return localDir.resolve("logs").resolve(service + ".log");
  }

  /** The services of the stack in {@code state}'s mode, in start order. */
  private static List<String> services(StackState state) {
    List<String> services = new ArrayList<>(state.kafkaSecure ? SECURE_SERVICES : SERVICES);
    if (state.cdc) {
      services.addAll(CDC_SERVICES);
    }
    return services;
  }

  private Path cdcDir() {
    return localDir.resolve("cdc");
  }

  /** True once a service's log holds {@code text} after the point where {@link #start} last started it. */
  private boolean logSaysSinceStart(String service, String text) {
    Path log = logFile(service);
    try (java.nio.channels.SeekableByteChannel channel = Files.newByteChannel(log)) {
      channel.position(logSizeAtStart.getOrDefault(service, 0L));
      return new String(java.nio.channels.Channels.newInputStream(channel).readAllBytes(),
          java.nio.charset.StandardCharsets.UTF_8).contains(text);
    } catch (java.nio.file.NoSuchFileException e) {
      return false;
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read " + log, e);
    }
  }

  private Path secureDir() {
    return localDir.resolve("secure");
  }

  private LocalEndpoints endpoints(StackState state) {
    return new LocalEndpoints(
        home,
        "127.0.0.1:" + state.kafkaPort,
        URI.create("http://127.0.0.1:" + state.s3Port),
        URI.create("http://127.0.0.1:" + state.connectPort),
        URI.create("http://127.0.0.1:" + state.sqsPort),
        "http://127.0.0.1:" + state.sqsPort + "/" + SQS_ACCOUNT_ID + "/" + S3_EVENTS_QUEUE,
        state.s3AccessKey,
        state.s3SecretKey,
        REGION,
        state.kafkaSecure ? Optional.of(KafkaClientSecurity.of(secureDir())) : Optional.empty(),
        state.kafkaSecure ? Optional.of(URI.create("http://127.0.0.1:" + state.catalogPort)) : Optional.empty(),
        state.cdc && Files.isRegularFile(cdcDir().resolve(CdcDatabases.CREDENTIALS))
            ? Optional.of(new CdcDatabases(state.cdcSourcePort, state.cdcTargetPort, cdcDir().resolve(CdcDatabases.CREDENTIALS)))
            : Optional.empty());
  }

  private static String address(LocalEndpoints endpoints, String service) {
    return switch (service) {
      case KAFKA -> endpoints.kafkaBootstrap() + (endpoints.kafkaSecure() ? " (SASL_SSL)" : "");
      case SQS -> endpoints.sqsEndpoint().toString();
      case S3 -> endpoints.s3Endpoint().toString();
      case CATALOG -> endpoints.restCatalog().map(URI::toString).orElse("-") + " (REST, bearer token)";
      case CDC_SOURCE -> endpoints.cdc().map(CdcDatabases::sourceJdbcUrl).orElse("-");
      case CDC_TARGET -> endpoints.cdc().map(CdcDatabases::targetJdbcUrl).orElse("-");
      default -> endpoints.connectUrl().toString();
    };
  }

  /** An exclusive lock on the stack folder, so two {@code up}/{@code down} never interleave. */
  private StackLock lockOrThrow() {
    try {
      Files.createDirectories(localDir);
      FileChannel channel =
          FileChannel.open(localDir.resolve("lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
      channel.lock();
      return new StackLock(channel);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot lock local stack " + localDir, e);
    }
  }

  private record StackLock(FileChannel channel) {
    void close() {
      try {
        channel.close(); // releases the lock
      } catch (IOException e) {
        throw new UncheckedIOException("Cannot release the local stack lock", e);
      }
    }
  }

  private void start(StackState state, String service, List<String> args, Map<String, String> env, String heap)
      throws IOException {
    Path logFile = logFile(service);
    Files.createDirectories(logFile.getParent());
    logSizeAtStart.put(service, Files.isRegularFile(logFile) ? Files.size(logFile) : 0L);
    List<String> command = new ArrayList<>();
    if (new File("/usr/bin/setsid").canExecute()) {
      command.add("/usr/bin/setsid"); // own session: a Ctrl-C on the CLI does not stop the stack
    }
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(List.of(heap, "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Dbaton.service=" + service));
    command.add("-cp");
    command.add(classpath(service));
    command.add(MAIN_CLASSES.get(service));
    command.addAll(args);
    ProcessBuilder builder =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
            .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
    builder.environment().putAll(env);
    Process process = builder.start();
    state.pids.put(service, process.pid());
  }

  private String classpath(String service) {
    return switch (service) {
      case KAFKA -> classpaths.kafka();
      case SQS -> classpaths.sqs();
      case S3 -> classpaths.s3();
      case CATALOG -> classpaths.catalog();
      case CDC_SOURCE, CDC_TARGET -> classpaths.postgres();
      default -> classpaths.connect();
    };
  }

  /** The Connect worker's configuration for the stack in {@code state}'s mode. */
  private Properties connectConfig(StackState state) {
    Properties props = new Properties();
    // secrets by reference in connector configs: ${file:<path>:<key>}
    props.setProperty("config.providers", "file");
    props.setProperty("config.providers.file.class", "org.apache.kafka.common.config.provider.FileConfigProvider");
    props.setProperty("bootstrap.servers", "127.0.0.1:" + state.kafkaPort);
    if (state.kafkaSecure) {
      // secrets by reference: the worker resolves them with its file config provider
      Map<String, String> client = KafkaClientSecurity.of(secureDir()).clientConfig(SecureStackSecrets.CONNECT);
      client.forEach((key, value) -> {
        if (key.startsWith("config.providers")) {
          props.setProperty(key, value);
        } else {
          // the worker's own clients, then its connectors' producers, consumers and admin clients
          for (String prefix : List.of("", "producer.", "consumer.", "admin.")) {
            props.setProperty(prefix + key, value);
          }
        }
      });
    }
    props.setProperty("group.id", CONNECT_GROUP);
    props.setProperty("key.converter", "org.apache.kafka.connect.converters.ByteArrayConverter");
    props.setProperty("value.converter", "org.apache.kafka.connect.converters.ByteArrayConverter");
    props.setProperty("config.storage.topic", CONNECT_CONFIG_TOPIC);
    props.setProperty("offset.storage.topic", CONNECT_OFFSET_TOPIC);
    props.setProperty("status.storage.topic", CONNECT_STATUS_TOPIC);
    props.setProperty("config.storage.replication.factor", "1");
    props.setProperty("offset.storage.replication.factor", "1");
    props.setProperty("offset.storage.partitions", "1");
    props.setProperty("status.storage.replication.factor", "1");
    props.setProperty("status.storage.partitions", "1");
    props.setProperty("offset.flush.interval.ms", "1000");
    props.setProperty("listeners", "http://127.0.0.1:" + state.connectPort);
    props.setProperty("rest.advertised.host.name", "127.0.0.1");
    props.setProperty("plugin.path", classpaths.connectPluginPath().stream()
        .map(path -> path.toAbsolutePath().toString()).collect(Collectors.joining(",")));
    props.setProperty("plugin.discovery", "hybrid_warn");
    return props;
  }

  private static void writeProperties(Properties props, Path file) throws IOException {
    Files.createDirectories(file.getParent());
    try (OutputStream out = Files.newOutputStream(file)) {
      props.store(out, "written by baton local up");
    }
  }

  /** The properties in {@code file}, empty if it does not exist. */
  private static Properties readProperties(Path file) throws IOException {
    Properties props = new Properties();
    if (Files.isRegularFile(file)) {
      try (InputStream in = Files.newInputStream(file)) {
        props.load(in);
      }
    }
    return props;
  }

  /**
   * Creates the topics that do not exist yet on the running broker (replication factor 1).
   *
   * @param topics topic name to partition count
   * @throws LocalStackException if the broker does not create them within 30 s
   */
  public void ensureTopics(LocalEndpoints endpoints, Map<String, Integer> topics) {
    createTopics(adminConfig(endpoints.kafkaBootstrap(),
        endpoints.kafkaSecure() ? SecureStackSecrets.loadOrCreate(secureDir()) : null), topics);
  }

  /**
   * The stack's own admin client config: plaintext, or SASL_SSL as {@value SecureStackSecrets#ADMIN} when
   * {@code secrets} is not null. The password stays in memory (Kafka logs it as {@code [hidden]}).
   */
  private static Map<String, Object> adminConfig(String bootstrap, SecureStackSecrets secrets) {
    Map<String, Object> config = new LinkedHashMap<>();
    config.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    if (secrets != null) {
      config.put(AdminClientConfig.SECURITY_PROTOCOL_CONFIG, "SASL_SSL");
      config.put("sasl.mechanism", "SCRAM-SHA-512");
      config.put("sasl.jaas.config", "org.apache.kafka.common.security.scram.ScramLoginModule required username=\""
          + SecureStackSecrets.ADMIN + "\" password=\"" + secrets.password(SecureStackSecrets.ADMIN) + "\";");
      config.put("ssl.truststore.type", "PKCS12");
      config.put("ssl.truststore.location", secrets.truststore().toString());
      config.put("ssl.truststore.password", secrets.truststorePassword());
    }
    return config;
  }

  /** Creates the ACLs (an existing ACL is left as it is). */
  private static void createAcls(Map<String, Object> adminConfig, List<AclGrant> grants) {
    List<AclBinding> bindings = grants.stream().flatMap(grant -> grant.bindings().stream()).toList();
    try (Admin admin = Admin.create(adminConfig)) {
      admin.createAcls(bindings).all().get(30, TimeUnit.SECONDS);
    } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
      throw new LocalStackException("Cannot create ACLs on " + adminConfig.get(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG)
          + ": " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new LocalStackException("Interrupted while creating ACLs", e);
    }
  }

  private static void createTopics(Map<String, Object> adminConfig, Map<String, Integer> topics) {
    Object bootstrap = adminConfig.get(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG);
    try (Admin admin = Admin.create(adminConfig)) {
      Set<String> existing = admin.listTopics().names().get(30, TimeUnit.SECONDS);
      Collection<NewTopic> missing =
          topics.entrySet().stream()
              .filter(topic -> !existing.contains(topic.getKey()))
              .map(topic -> new NewTopic(topic.getKey(), topic.getValue(), (short) 1))
              .collect(Collectors.toList());
      if (!missing.isEmpty()) {
        try {
          admin.createTopics(missing).all().get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
          if (!(e.getCause() instanceof TopicExistsException)) {
            throw e;
          }
        }
      }
    } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
      throw new LocalStackException("Cannot create topics on " + bootstrap + ": " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new LocalStackException("Interrupted while creating topics", e);
    }
  }

  private void await(String service, BooleanSupplier answers) {
    long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    while (!answers.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new LocalStackException(
            "Cannot start local " + service + ": no answer after " + START_TIMEOUT.toSeconds()
                + " s; see " + logFile(service) + tail(logFile(service)));
      }
      StackState state = StackState.loadIfPresent(stateFile);
      if (state != null && !isRunning(state, service) && state.pids.containsKey(service)
          && process(state, service).isEmpty()) {
        throw new LocalStackException(
            "Cannot start local " + service + ": the process exited; see " + logFile(service) + tail(logFile(service)));
      }
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new LocalStackException("Interrupted while waiting for " + service, e);
      }
    }
  }

  private static String tail(Path log) {
    try {
      List<String> lines = Files.readAllLines(log);
      return "\n  " + String.join("\n  ", lines.subList(Math.max(0, lines.size() - 15), lines.size()));
    } catch (IOException e) {
      return " (log unreadable: " + e.getMessage() + ")";
    }
  }

  private boolean isRunning(StackState state, String service) {
    return process(state, service).isPresent();
  }

  /** The live process recorded for a service, if its command line is still ours (pids get reused). */
  private Optional<ProcessHandle> process(StackState state, String service) {
    Long pid = state.pids.get(service);
    if (pid == null) {
      return Optional.empty();
    }
    return ProcessHandle.of(pid)
        .filter(ProcessHandle::isAlive)
        .filter(handle -> handle.info().commandLine().map(cmd -> cmd.contains("-Dbaton.service=" + service)).orElse(true));
  }

  /** True once the broker answers a describe-cluster request from the stack's admin client. */
  private static boolean kafkaAnswers(Map<String, Object> adminConfig) {
    String bootstrap = (String) adminConfig.get(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG);
    int port = Integer.parseInt(bootstrap.substring(bootstrap.lastIndexOf(':') + 1));
    if (!portAnswers(port)) {
      return false;
    }
    Map<String, Object> config = new LinkedHashMap<>(adminConfig);
    config.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5000);
    config.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 5000);
    try (Admin admin = Admin.create(config)) {
      return !admin.describeCluster().nodes().get(5, TimeUnit.SECONDS).isEmpty();
    } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  private static boolean portAnswers(int port) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", port), 500);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /** True once the SQS endpoint has created the event queue (ElasticMQ creates it just after binding). */
  private static boolean sqsQueueAnswers(int port) {
    return portAnswers(port)
        && httpStatus(URI.create("http://127.0.0.1:" + port + "/?Action=GetQueueUrl&QueueName=" + S3_EVENTS_QUEUE))
            == 200;
  }

  private static boolean httpAnswers(URI uri) {
    return portAnswers(uri.getPort()) && httpStatus(uri.resolve("/connectors")) == 200;
  }

  /** The HTTP status of a GET, or -1 if there is no answer within 5 s. */
  private static int httpStatus(URI uri) {
    try {
      HttpResponse<InputStream> response =
          HttpClient.newHttpClient()
              .send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5)).build(),
                  HttpResponse.BodyHandlers.ofInputStream());
      try (InputStream body = response.body()) {
        body.readAllBytes();
      }
      return response.statusCode();
    } catch (IOException e) {
      return -1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return -1;
    }
  }
}
