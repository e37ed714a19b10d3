package dev.baton.cli.config;

import static java.util.Objects.requireNonNull;

import dev.baton.catalog.CatalogConfig;
import dev.baton.control.ControllerConfig;
import dev.baton.schemas.ConfluentSchemaRegistry;
import dev.baton.schemas.ConfluentSchemaRegistryConfig;
import dev.baton.schemas.SchemaRegistries;
import dev.baton.schemas.SchemaRegistryAuthException;
import java.net.ConnectException;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.SupportsNamespaces;
import org.apache.iceberg.exceptions.ForbiddenException;
import org.apache.iceberg.exceptions.NotAuthorizedException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.SslAuthenticationException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * One check per service a configuration names ({@code baton config check}): connect, make one
 * harmless read, and say what failed with the key to fix. Never prints a secret: details are
 * built from exception messages of clients that do not echo credentials, and {@link
 * Configuration#display} masks values.
 *
 * @param service the service checked: {@code kafka}, {@code catalog}, {@code s3} or {@code registry}
 * @param ok whether it answered as expected
 * @param detail what it answered, or what went wrong
 * @param key the configuration key to fix when not ok, else null
 */
public record ServiceCheck(String service, boolean ok, String detail, String key) {

  public ServiceCheck {
    requireNonNull(service, "Invalid service: null");
    requireNonNull(detail, "Invalid detail: null");
  }

  private static final String MISSING = "(MISSING)";

  static ServiceCheck ok(String service, String detail) {
    return new ServiceCheck(service, true, detail, null);
  }

  static ServiceCheck failed(String service, String key, String detail) {
    return new ServiceCheck(service, false, detail, key);
  }

  /** One line: {@code service  ok  detail} or {@code service  FAILED  key: detail}. */
  public String line() {
    return String.format("%-9s %-6s %s", service, ok ? "ok" : "FAILED", ok ? detail : key + ": " + detail);
  }

  /**
   * Runs every check for {@code configuration}, each bounded by {@code timeout}.
   */
  public static List<ServiceCheck> all(Configuration configuration, Duration timeout) {
    List<ServiceCheck> checks = new ArrayList<>();
    checks.add(kafka(configuration, timeout));
    checks.add(bounded("catalog", CatalogConfig.PREFIX + "uri", timeout, () -> catalog(configuration)));
    checks.add(s3(configuration, timeout));
    checks.add(registry(configuration));
    return checks;
  }

  /** Runs {@code check} for at most {@code timeout}; past it, fails naming {@code key}. */
  private static ServiceCheck bounded(String service, String key, Duration timeout,
      java.util.function.Supplier<ServiceCheck> check) {
    java.util.concurrent.ExecutorService thread = java.util.concurrent.Executors.newSingleThreadExecutor(runnable -> {
      Thread daemon = new Thread(runnable, "baton-config-check-" + service);
      daemon.setDaemon(true); // a client that ignores interrupts must not keep the JVM alive
      return daemon;
    });
    try {
      return thread.submit(check::get).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      return failed(service, key, "no answer within " + timeout.toMillis() + " ms");
    } catch (ExecutionException e) {
      return failed(service, key, rootMessage(e.getCause()));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return failed(service, key, "interrupted");
    } finally {
      thread.shutdownNow();
    }
  }

  /** The key a Kafka {@link ConfigException} names ({@code ... for configuration KEY: ...} or {@code "KEY"}). */
  private static String keyOf(ConfigException e, String fallback) {
    var matcher = java.util.regex.Pattern.compile("for configuration (\\S+?):|configuration \"([^\"]+)\"")
        .matcher(String.valueOf(e.getMessage()));
    if (matcher.find()) {
      return matcher.group(1) != null ? matcher.group(1) : matcher.group(2);
    }
    return fallback;
  }

  /**
   * Kafka: the cluster's brokers (metadata) and whether each configured topic exists and may be
   * described; a missing topic fails the check naming its {@code topics.<role>} key.
   */
  static ServiceCheck kafka(Configuration configuration, Duration timeout) {
    ControllerConfig config;
    try {
      config = ControllerConfig.fromConfig(configuration.values());
    } catch (ConfigException e) {
      return failed("kafka", keyOf(e, ControllerConfig.KAFKA_BOOTSTRAP_SERVERS), e.getMessage());
    }
    String bootstrap = configuration.display(ControllerConfig.KAFKA_BOOTSTRAP_SERVERS);
    Map<String, Object> settings = new HashMap<>(config.kafka());
    settings.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) timeout.toMillis());
    settings.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) timeout.toMillis());
    // fail fast on a bad password instead of reconnecting until the timeout
    settings.put(AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 1_000);
    try (Admin admin = Admin.create(settings)) {
      var cluster = admin.describeCluster();
      int brokers = cluster.nodes().get(timeout.toMillis(), TimeUnit.MILLISECONDS).size();
      String clusterId = cluster.clusterId().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      List<String> topics = new ArrayList<>();
      List<String> missing = new ArrayList<>();
      Map<String, KafkaFuture<TopicDescription>> described =
          admin.describeTopics(config.topics().values()).topicNameValues();
      for (String role : new java.util.TreeSet<>(config.topics().keySet())) {
        String topic = config.topics().get(role);
        String state = topicState(described.get(topic), timeout);
        topics.add(topic + " " + state);
        if (state.equals(MISSING)) {
          missing.add(ControllerConfig.TOPICS_PREFIX + role);
        }
      }
      String detail = brokers + " broker(s), cluster " + clusterId + "; topics: " + String.join(", ", topics);
      return missing.isEmpty() ? ok("kafka", detail) : failed("kafka", String.join(", ", missing), detail);
    } catch (ExecutionException e) {
      return kafkaFailure(e.getCause(), bootstrap);
    } catch (TimeoutException e) {
      return kafkaTimeout(timeout);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return failed("kafka", ControllerConfig.KAFKA_BOOTSTRAP_SERVERS, "interrupted");
    } catch (RuntimeException e) {
      return kafkaFailure(e, bootstrap);
    }
  }

  private static String topicState(KafkaFuture<TopicDescription> future, Duration timeout)
      throws InterruptedException, TimeoutException {
    try {
      future.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      return "(present)";
    } catch (ExecutionException e) {
      if (e.getCause() instanceof UnknownTopicOrPartitionException) {
        return MISSING;
      }
      if (e.getCause() instanceof TopicAuthorizationException) {
        return "(not authorized to describe)";
      }
      return "(" + e.getCause().getMessage() + ")";
    }
  }

  private static ServiceCheck kafkaFailure(Throwable cause, String bootstrap) {
    if (hasCause(cause, ConfigException.class)) {
      // e.g. "No resolvable bootstrap urls given in bootstrap.servers", wrapped by the admin client
      Throwable config = cause;
      while (!(config instanceof ConfigException)) {
        config = config.getCause();
      }
      return failed("kafka", ControllerConfig.KAFKA_BOOTSTRAP_SERVERS, config.getMessage() + ": " + bootstrap);
    }
    if (cause instanceof org.apache.kafka.common.errors.UnsupportedSaslMechanismException) {
      return failed("kafka", "kafka.sasl.mechanism", "the broker does not offer it: " + cause.getMessage());
    }
    if (cause instanceof SaslAuthenticationException) {
      return failed("kafka", "kafka.sasl.jaas.config", "authentication failed: " + cause.getMessage());
    }
    if (cause instanceof SslAuthenticationException) {
      return failed("kafka", "kafka.ssl.truststore.location", "TLS handshake failed (does the truststore hold the"
          + " broker's CA, and kafka.security.protocol match the listener?): " + rootMessage(cause));
    }
    if (cause instanceof org.apache.kafka.common.errors.TimeoutException) {
      return failed("kafka", ControllerConfig.KAFKA_BOOTSTRAP_SERVERS, "no broker answered: " + cause.getMessage()
          + " (check host, port and kafka.security.protocol)");
    }
    return failed("kafka", "kafka.*", cause.getClass().getSimpleName() + ": " + cause.getMessage());
  }

  private static ServiceCheck kafkaTimeout(Duration timeout) {
    return failed("kafka", ControllerConfig.KAFKA_BOOTSTRAP_SERVERS, "no broker answered within " + timeout.toMillis()
        + " ms (check host, port and kafka.security.protocol)");
  }

  /** The Iceberg catalog: lists its namespaces. */
  static ServiceCheck catalog(Configuration configuration) {
    Map<String, String> values = configuration.values();
    CatalogConfig config;
    try {
      config = CatalogConfig.fromConfig(CatalogConfig.DEFAULT_NAME, values);
    } catch (IllegalArgumentException e) {
      return failed("catalog", CatalogConfig.PREFIX + "type", e.getMessage());
    }
    Catalog catalog = null;
    try {
      catalog = config.create();
      String where = values.containsKey(CatalogConfig.PREFIX + "uri") ? configuration.display(CatalogConfig.PREFIX + "uri")
          : values.containsKey(CatalogConfig.PREFIX + "warehouse") ? configuration.display(CatalogConfig.PREFIX + "warehouse")
          : "";
      if (catalog instanceof SupportsNamespaces namespaces) {
        List<String> names = namespaces.listNamespaces().stream().map(Object::toString).sorted().toList();
        return ok("catalog", config.type() + " " + where + "; namespaces: " + (names.isEmpty() ? "(none)" : String.join(", ", names)));
      }
      return ok("catalog", config.type() + " " + where);
    } catch (NotAuthorizedException | ForbiddenException e) {
      String key = values.containsKey(CatalogConfig.PREFIX + "credential") ? CatalogConfig.PREFIX + "credential"
          : CatalogConfig.PREFIX + "token";
      return failed("catalog", key, "not authorized: " + e.getMessage());
    } catch (RuntimeException e) {
      boolean unreachable = hasCause(e, ConnectException.class) || hasCause(e, UnknownHostException.class)
          || hasCause(e, java.net.http.HttpConnectTimeoutException.class);
      return failed("catalog", unreachable || values.containsKey(CatalogConfig.PREFIX + "uri")
          ? CatalogConfig.PREFIX + "uri" : CatalogConfig.PREFIX + "*", (unreachable ? "unreachable: " : "") + rootMessage(e));
    } finally {
      if (catalog instanceof AutoCloseable closeable) {
        try {
          closeable.close();
        } catch (Exception e) {
          System.err.println("Cannot close the catalog client: " + e);
        }
      }
    }
  }

  /** S3: HEAD of each bucket to check ({@link S3Settings#bucketsToCheck}), each call bounded by {@code timeout}. */
  static ServiceCheck s3(Configuration configuration, Duration timeout) {
    Map<String, String> values = configuration.values();
    Set<String> buckets = S3Settings.bucketsToCheck(values);
    if (buckets.isEmpty()) {
      return ok("s3", "nothing to check (no s3:// iceberg.catalog.warehouse and no " + S3Settings.BUCKETS + ")");
    }
    try (S3Client s3 = S3Settings.builder(values)
        .overrideConfiguration(c -> c.apiCallTimeout(timeout)).build()) {
      for (String bucket : buckets) {
        s3.headBucket(request -> request.bucket(bucket));
      }
      return ok("s3", (values.containsKey(S3Settings.ENDPOINT) ? configuration.display(S3Settings.ENDPOINT) : "AWS S3")
          + "; buckets: " + String.join(", ", buckets));
    } catch (S3Exception e) {
      int status = e.statusCode();
      if (status == 403) {
        String code = e.awsErrorDetails() == null ? null : e.awsErrorDetails().errorCode();
        String key = "InvalidAccessKeyId".equals(code) ? S3Settings.ACCESS_KEY_ID
            : values.containsKey(S3Settings.ACCESS_KEY_ID) ? S3Settings.SECRET_ACCESS_KEY : "AWS credentials (s3:ListBucket)";
        return failed("s3", key, "access denied (HTTP 403) to bucket " + String.join(", ", buckets)
            + ": wrong key pair, or no s3:ListBucket permission");
      }
      if (status == 404) {
        return failed("s3", values.containsKey(S3Settings.BUCKETS) ? S3Settings.BUCKETS : "iceberg.catalog.warehouse",
            "no such bucket among " + buckets);
      }
      if (status == 301) {
        return failed("s3", S3Settings.REGION, "the bucket is in another region (HTTP 301)");
      }
      return failed("s3", "s3.*", "HTTP " + status + ": " + e.getMessage());
    } catch (SdkClientException e) {
      if (String.valueOf(e.getMessage()).contains("Unable to load credentials")) {
        return failed("s3", S3Settings.ACCESS_KEY_ID + " (or the AWS default credential chain)", "no credentials: "
            + e.getMessage());
      }
      return failed("s3", S3Settings.ENDPOINT, "unreachable: " + rootMessage(e));
    } catch (RuntimeException e) {
      return failed("s3", "s3.*", rootMessage(e));
    }
  }

  /** The schema registry: the built-in one needs no check; a configured one lists its subjects. */
  static ServiceCheck registry(Configuration configuration) {
    Map<String, String> values = configuration.values();
    ConfluentSchemaRegistryConfig config;
    try {
      config = SchemaRegistries.confluentConfig(values);
    } catch (IllegalArgumentException e) {
      return failed("registry", SchemaRegistries.PREFIX + "*", e.getMessage());
    }
    if (config == null) {
      return ok("registry", "built-in (the bundled schemas under fixed ids; " + SchemaRegistries.URL
          + " names a registry server)");
    }
    try {
      List<String> subjects = new ConfluentSchemaRegistry(config).subjects();
      return ok("registry", config.baseUrl() + "; " + subjects.size() + " subject(s)");
    } catch (SchemaRegistryAuthException e) {
      return failed("registry", values.containsKey(SchemaRegistries.BEARER_TOKEN) ? SchemaRegistries.BEARER_TOKEN
          : SchemaRegistries.BASIC_AUTH_PASSWORD, e.getMessage());
    } catch (RuntimeException e) {
      return failed("registry", SchemaRegistries.URL, e.getMessage());
    }
  }

  static boolean hasCause(Throwable error, Class<? extends Throwable> type) {
    for (Throwable cause = error; cause != null; cause = cause.getCause()) {
      if (type.isInstance(cause)) {
        return true;
      }
    }
    return false;
  }

  static String rootMessage(Throwable error) {
    Throwable root = error;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String message = root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
    return root == error ? message : error.getMessage() + " (" + root.getClass().getSimpleName() + ": " + message + ")";
  }
}
