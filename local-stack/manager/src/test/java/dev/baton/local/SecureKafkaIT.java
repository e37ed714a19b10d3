package dev.baton.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.ClusterAuthorizationException;
import org.apache.kafka.common.errors.GroupAuthorizationException;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The local broker in secure mode, probed with real Kafka clients: TLS, SCRAM and the ACL table. */
class SecureKafkaIT {
  private static final BatonTopics TOPICS =
      new BatonTopics("baton.objects", "baton.control", "baton.dlq", "baton.alerts", "baton.ledger");

  private static LocalStack stack;
  private static LocalEndpoints endpoints;
  private static KafkaClientSecurity security;
  private static Path home;
  private static String upOutput;

  @BeforeAll
  static void up() throws Exception {
    Path repo = Path.of(System.getProperty("baton.repo.dir", "../.."));
    home = Files.createTempDirectory(Path.of("target"), "secure-it-home");
    Path pluginPath = Files.createDirectories(home.resolve("plugins"));
    Map<String, Integer> topics = new HashMap<>();
    TOPICS.all().forEach(topic -> topics.put(topic, 1));
    stack = new LocalStack(home, ServiceClasspaths.fromRepository(repo, List.of(pluginPath)), topics);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    endpoints = stack.up(new PrintStream(out, true, StandardCharsets.UTF_8), KafkaSecurity.of(TOPICS));
    upOutput = out.toString(StandardCharsets.UTF_8);
    security = endpoints.kafkaSecurity().orElseThrow();
  }

  @AfterAll
  static void down() {
    if (stack != null) {
      stack.down();
    }
  }

  @Test
  void upReportsTheSecureListenerAndReusesItOnTheNextUp() {
    assertThat(endpoints.kafkaSecure()).isTrue();
    assertThat(security.securityProtocol()).isEqualTo("SASL_SSL");
    assertThat(security.truststore()).isEqualTo(home.toAbsolutePath().resolve("local/secure/truststore.p12"));
    assertThat(endpoints.asMap()).containsEntry("kafkaSecretsFile", security.secretsFile().toString());
    assertThat(upOutput).contains("(SASL_SSL)");

    ByteArrayOutputStream out = new ByteArrayOutputStream();
    LocalEndpoints again = stack.up(new PrintStream(out, true, StandardCharsets.UTF_8), KafkaSecurity.of(TOPICS));

    assertThat(again).isEqualTo(endpoints);
    assertThat(out.toString(StandardCharsets.UTF_8)).contains("already running").doesNotContain("started");
    assertThat(stack.status()).contains(endpoints);
    assertThat(stack.serviceStates()).containsOnly(
        Map.entry("kafka", "running"), Map.entry("sqs", "running"), Map.entry("s3", "running"),
        Map.entry("catalog", "running"), Map.entry("connect", "running"));
  }

  @Test
  void plaintextClientGetsNoMetadata() {
    Map<String, Object> config = new HashMap<>();
    config.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, endpoints.kafkaBootstrap());
    config.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 3000);
    config.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 5000);
    try (Admin admin = Admin.create(config)) {
      assertThatThrownBy(() -> admin.describeCluster().nodes().get(15, TimeUnit.SECONDS))
          .isInstanceOf(ExecutionException.class)
          .hasCauseInstanceOf(org.apache.kafka.common.errors.TimeoutException.class);
    }
  }

  @Test
  void tlsWithoutSaslIsRefused() {
    Map<String, Object> config = new HashMap<>();
    config.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, endpoints.kafkaBootstrap());
    config.put(AdminClientConfig.SECURITY_PROTOCOL_CONFIG, "SSL");
    config.put("ssl.truststore.type", "PKCS12");
    config.put("ssl.truststore.location", security.truststore().toString());
    config.put("ssl.truststore.password", secret(security.truststorePasswordKey()));
    config.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 3000);
    config.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 5000);
    try (Admin admin = Admin.create(config)) {
      // the broker closes a connection that skips the SASL handshake: no metadata, ever
      assertThatThrownBy(() -> admin.describeCluster().nodes().get(15, TimeUnit.SECONDS))
          .isInstanceOf(ExecutionException.class)
          .cause().isInstanceOfAny(AuthenticationException.class,
              org.apache.kafka.common.errors.TimeoutException.class);
    }
  }

  @Test
  void wrongScramPasswordIsAnAuthenticationError() {
    Map<String, Object> config = new HashMap<>(clientConfig(SecureStackSecrets.PRODUCER));
    config.put("sasl.jaas.config", "org.apache.kafka.common.security.scram.ScramLoginModule required"
        + " username=\"baton-producer\" password=\"not-the-password\";");
    config.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5000);
    config.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 10000);
    try (Admin admin = Admin.create(config)) {
      assertThatThrownBy(() -> admin.describeCluster().nodes().get(15, TimeUnit.SECONDS))
          .isInstanceOf(ExecutionException.class)
          .hasCauseInstanceOf(SaslAuthenticationException.class);
    }
  }

  @Test
  void producerWritesControlButNotTheDeadLetterTopic() throws Exception {
    long controlBefore = endOffset(TOPICS.control());
    long dlqBefore = endOffset(TOPICS.dlq());
    try (KafkaProducer<String, String> producer = producer(SecureStackSecrets.PRODUCER)) {
      producer.send(new ProducerRecord<>(TOPICS.control(), "run-1", "requested")).get(30, TimeUnit.SECONDS);
    }
    try (KafkaProducer<String, String> producer = producer(SecureStackSecrets.PRODUCER)) {
      assertThatThrownBy(() -> producer.send(new ProducerRecord<>(TOPICS.dlq(), "k", "v")).get(30, TimeUnit.SECONDS))
          .hasCauseInstanceOf(TopicAuthorizationException.class);
    }
    assertThat(endOffset(TOPICS.control())).isEqualTo(controlBefore + 1);
    assertThat(endOffset(TOPICS.dlq())).isEqualTo(dlqBefore);
  }

  @Test
  void viewerReadsControlFromTheBeginningButCannotWriteIt() throws Exception {
    try (KafkaProducer<String, String> producer = producer(SecureStackSecrets.ADMIN)) {
      producer.send(new ProducerRecord<>(TOPICS.control(), "viewer", "seen")).get(30, TimeUnit.SECONDS);
    }
    List<String> values = consume(SecureStackSecrets.VIEWER, "baton-viewer-it", TOPICS.control(), "seen");
    assertThat(values).contains("seen");

    long before = endOffset(TOPICS.control());
    try (KafkaProducer<String, String> producer = producer(SecureStackSecrets.VIEWER, false)) {
      assertThatThrownBy(() -> producer.send(new ProducerRecord<>(TOPICS.control(), "k", "v")).get(30, TimeUnit.SECONDS))
          .hasCauseInstanceOf(TopicAuthorizationException.class);
    }
    // an idempotent producer (the default) is refused earlier: WRITE on no topic, no producer id
    try (KafkaProducer<String, String> producer = producer(SecureStackSecrets.VIEWER)) {
      assertThatThrownBy(() -> producer.send(new ProducerRecord<>(TOPICS.control(), "k", "v")).get(30, TimeUnit.SECONDS))
          .hasCauseInstanceOf(ClusterAuthorizationException.class);
    }
    assertThat(endOffset(TOPICS.control())).isEqualTo(before);
  }

  @Test
  void viewerCannotUseAGroupOutsideItsPrefix() {
    assertThatThrownBy(() -> consume(SecureStackSecrets.VIEWER, "someone-else", TOPICS.control(), "never"))
        .isInstanceOf(GroupAuthorizationException.class);
  }

  @Test
  void controllerReadsObjectsAndWritesDlqAlertsAndLedger() throws Exception {
    try (KafkaProducer<String, String> producer = producer(SecureStackSecrets.ADMIN)) {
      producer.send(new ProducerRecord<>(TOPICS.objects(), "landing/a.csv", "created")).get(30, TimeUnit.SECONDS);
    }
    assertThat(consume(SecureStackSecrets.CONTROLLER, "spark-kafka-source-it", TOPICS.objects(), "created"))
        .contains("created");

    Map<String, Long> before = new HashMap<>();
    for (String topic : List.of(TOPICS.dlq(), TOPICS.alerts(), TOPICS.ledger())) {
      before.put(topic, endOffset(topic));
    }
    try (KafkaProducer<String, String> producer = producer(SecureStackSecrets.CONTROLLER)) {
      for (String topic : before.keySet()) {
        producer.send(new ProducerRecord<>(topic, "k", "v")).get(30, TimeUnit.SECONDS);
      }
    }
    for (String topic : before.keySet()) {
      assertThat(endOffset(topic)).as(topic).isEqualTo(before.get(topic) + 1);
    }
  }

  @Test
  void secretsArePrivateAndNeverPrinted() throws IOException {
    Path secure = security.secretsFile().getParent();
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(secure))).isEqualTo("rwx------");
    try (Stream<Path> files = Files.list(secure)) {
      assertThat(files.toList()).hasSize(4).allSatisfy(file ->
          assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).as(file.toString())
              .isEqualTo("rw-------"));
    }

    Properties secrets = secrets();
    List<String> passwords = new ArrayList<>();
    for (String key : secrets.stringPropertyNames()) {
      passwords.add(secrets.getProperty(key));
    }
    // keystore and truststore passwords, one per SCRAM principal, the REST catalog's token
    assertThat(passwords).hasSize(2 + SecureStackSecrets.SCRAM_PRINCIPALS.size() + 1)
        .allSatisfy(password -> assertThat(password).hasSize(32));

    List<Path> written = new ArrayList<>();
    try (Stream<Path> logs = Files.list(home.resolve("local/logs"))) {
      written.addAll(logs.toList());
    }
    written.add(home.resolve("local/kafka-secure/server.properties"));
    written.add(home.resolve("local/connect/worker.properties"));
    written.add(home.resolve("local/stack.json"));
    assertThat(written).allSatisfy(file -> {
      String text = Files.readString(file, StandardCharsets.ISO_8859_1);
      for (String password : passwords) {
        assertThat(text).as(file.toString()).doesNotContain(password);
      }
    });
    for (String password : passwords) {
      assertThat(upOutput).doesNotContain(password);
    }
    assertThat(Files.readString(home.resolve("local/logs/kafka.log")))
        .contains("Added SCRAM-SHA-512 credentials for baton-admin");
  }

  private static List<String> consume(String principal, String group, String topic, String expected) {
    Map<String, Object> config = new HashMap<>(clientConfig(principal));
    config.put(ConsumerConfig.GROUP_ID_CONFIG, group);
    config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    config.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
    config.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
    List<String> values = new ArrayList<>();
    try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(config)) {
      consumer.subscribe(List.of(topic));
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (!values.contains(expected) && System.nanoTime() < deadline) {
        for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(200))) {
          values.add(record.value());
        }
      }
      consumer.commitSync();
    }
    return values;
  }

  private static KafkaProducer<String, String> producer(String principal) {
    return producer(principal, true);
  }

  private static KafkaProducer<String, String> producer(String principal, boolean idempotent) {
    Map<String, Object> config = new HashMap<>(clientConfig(principal));
    config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, idempotent);
    config.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
    config.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
    config.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 20000);
    config.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 20000);
    config.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10000);
    return new KafkaProducer<>(config);
  }

  private static long endOffset(String topic) throws Exception {
    try (Admin admin = Admin.create(clientConfig(SecureStackSecrets.ADMIN))) {
      TopicPartition partition = new TopicPartition(topic, 0);
      return admin.listOffsets(Map.of(partition, OffsetSpec.latest())).all().get(30, TimeUnit.SECONDS)
          .get(partition).offset();
    }
  }

  /** A client config as the CLI will write it: secrets by file reference only. */
  private static Map<String, Object> clientConfig(String principal) {
    Map<String, Object> config = new HashMap<>(security.clientConfig(principal));
    config.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, endpoints.kafkaBootstrap());
    return config;
  }

  private static String secret(String key) {
    return secrets().getProperty(key);
  }

  private static Properties secrets() {
    Properties secrets = new Properties();
    try (InputStream in = Files.newInputStream(security.secretsFile())) {
      secrets.load(in);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    return secrets;
  }
}
