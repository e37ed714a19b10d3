package dev.baton.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.baton.cli.config.Configuration;
import dev.baton.control.ControllerConfig;
import dev.baton.examples.tpch.PricingSummaryReference;
import dev.baton.examples.tpch.PricingSummaryRow;
import dev.baton.local.SecureStackSecrets;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * The secure local stack: {@code ./baton demo --secure} runs tpch-12 with TLS + SASL/SCRAM to Kafka
 * and the REST catalog, through the controller principal's configuration file; the other
 * principals' files are held to their ACLs; {@code config check} names the key of a wrong password
 * or a plaintext client.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SecureStackIT {
  private static final double SCALE_FACTOR = 0.01;
  private static Path repository;
  private static Path home;
  private static LocalServices local;

  @BeforeAll
  static void home() throws Exception {
    repository = Path.of(System.getProperty("baton.repo.dir")).toAbsolutePath();
    home = Files.createTempDirectory(repository.resolve("cli/target"), "it-secure");
    local = new LocalServices(new Workspace(home, repository, repository.resolve("examples/pipelines")));
  }

  @AfterAll
  static void down() {
    if (local != null) {
      local.stack().down();
    }
  }

  @Test
  @Order(1)
  void demoSecureRunsTpch12ThroughTheControllerPrincipalsFileAndQ1EqualsTheReference() throws Exception {
    String output = demo("demo.log", "demo", "--secure", "--keep");

    Path controllerFile = home.resolve("local/secure/baton-controller.properties");
    assertThat(output).contains("Configuration: " + controllerFile);
    Map<String, String> controller = Configuration.load(controllerFile).values();
    // the only Kafka listener is SASL_SSL and the only catalog the REST service: what the demo talked to
    assertThat(controller).containsEntry("kafka.security.protocol", "SASL_SSL")
        .containsEntry("kafka.sasl.mechanism", "SCRAM-SHA-512")
        .containsEntry("iceberg.catalog.type", "rest");
    assertThat(controller.get("iceberg.catalog.uri")).startsWith("http://127.0.0.1:");
    for (String secret : stackSecrets()) {
      assertThat(output).as("a secret in the demo's output").doesNotContain(secret);
    }
    // the REST catalog served the demo: its access log has the commit of curated.pricing_summary
    assertThat(Files.readString(home.resolve("local/logs/catalog.log")))
        .containsPattern("\"POST /v1/namespaces/curated/tables[^\"]*\" 200")
        .containsPattern("\"GET /v1/namespaces/curated/tables/pricing_summary[^\"]*\" 200");

    // the viewer reads the result through the REST catalog; it equals Q1 computed in plain Java
    Map<String, String> viewer = Configuration.load(local.principalConfigFile(SecureStackSecrets.VIEWER)).values();
    SparkSession spark = SparkSessions.create("secure-it", viewer);
    try {
      List<Row> rows = spark.sql("SELECT * FROM curated.pricing_summary ORDER BY l_returnflag, l_linestatus").collectAsList();
      List<PricingSummaryRow> expected = PricingSummaryReference.compute(SCALE_FACTOR);
      assertThat(rows).hasSize(expected.size()).hasSize(4);
      for (int i = 0; i < rows.size(); i++) {
        assertThat(rows.get(i).getString(0)).isEqualTo(expected.get(i).returnFlag());
        assertThat(rows.get(i).getString(1)).isEqualTo(expected.get(i).lineStatus());
        assertCents(rows.get(i).getDecimal(5), expected.get(i).sumCharge());
        assertThat(rows.get(i).getLong(9)).isEqualTo(expected.get(i).countOrder());
      }
    } finally {
      spark.stop();
    }
  }

  @Test
  @Order(2)
  void eachPrincipalsFilesHoldOnlyItsOwnSecretsAndCommandsWithoutConfigUseTheSecureStack() throws Exception {
    Path shared = home.resolve("local/secure/secrets.properties");
    java.util.Properties stack = new java.util.Properties();
    try (var in = Files.newBufferedReader(shared)) {
      stack.load(in);
    }
    for (String principal : LocalServices.SECURE_PRINCIPALS) {
      Path file = local.principalConfigFile(principal);
      Path secrets = home.resolve("local/secure/" + principal + "-secrets.properties");
      assertThat(Files.readString(file)).doesNotContain(shared.toString());
      assertThat(java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(secrets)))
          .isEqualTo("rw-------");
      String own = Files.readString(secrets);
      for (String other : SecureStackSecrets.SCRAM_PRINCIPALS) {
        String password = stack.getProperty(SecureStackSecrets.passwordKey(other));
        if (other.equals(principal)) {
          assertThat(own).contains(password);
        } else {
          assertThat(own).as(principal + "'s secrets hold " + other + "'s password").doesNotContain(password);
        }
      }
    }

    // no --config: the local stack's own configuration file, which on a secure stack is the controller's
    ProcessBuilder builder = new ProcessBuilder(BatonRun.javaCommand(repository, List.of(), "config", "check"))
        .redirectErrorStream(true).redirectOutput(home.resolve("check.log").toFile());
    builder.environment().put("BATON_HOME", home.toString());
    Process check = builder.start();
    assertThat(check.waitFor(3, TimeUnit.MINUTES)).isTrue();
    String output = Files.readString(home.resolve("check.log"));
    assertThat(check.exitValue()).as(output).isZero();
    assertThat(output).contains("configuration " + home.resolve("local/baton.properties"))
        .containsPattern("kafka +ok ").containsPattern("catalog +ok +rest ");
  }

  @Test
  @Order(3)
  void viewerReadsTablesWithSqlButCannotSubmitOrPublish() throws Exception {
    Path viewer = local.principalConfigFile(SecureStackSecrets.VIEWER);
    long controlBefore = endOffsets("baton.control");

    BatonRun submit = baton("--config", viewer.toString(), "submit", "tpch-12", "--param", "batch=b1");
    Path event = Files.writeString(home.resolve("request.json"), """
        {"eventId": "viewer-1", "runId": "r-viewer", "pipeline": "tpch-12", "time": "2026-12-03T12:00:00Z",
         "payload": {"@type": "RunRequested", "triggerKey": "viewer/1", "params": {}, "requestedBy": "viewer"}}
        """);
    BatonRun publish = baton("--config", viewer.toString(), "events", "publish", "baton.control", "--json", event.toString());
    BatonRun sql = baton("--config", viewer.toString(), "sql", "--format", "csv",
        "SELECT l_returnflag, l_linestatus, count_order FROM curated.pricing_summary ORDER BY l_returnflag, l_linestatus");

    assertThat(submit.exitCode()).as(submit.err()).isEqualTo(BatonCli.NOT_AUTHORIZED);
    assertThat(submit.err()).contains("Kafka refused authorization").contains("AuthorizationException");
    assertThat(publish.exitCode()).as(publish.out() + publish.err()).isEqualTo(BatonCli.NOT_AUTHORIZED);
    assertThat(publish.err()).contains("AuthorizationException");
    assertThat(endOffsets("baton.control")).as("baton.control unchanged").isEqualTo(controlBefore);
    assertThat(sql.exitCode()).as(sql.err()).isZero();
    List<PricingSummaryRow> expected = PricingSummaryReference.compute(SCALE_FACTOR);
    List<String> csv = new ArrayList<>(List.of("l_returnflag,l_linestatus,count_order"));
    expected.forEach(row -> csv.add(row.returnFlag() + "," + row.lineStatus() + "," + row.countOrder()));
    assertThat(sql.out().lines().toList()).containsExactlyElementsOf(csv);
  }

  @Test
  @Order(4)
  void producerSubmitsARunButCannotWriteTheDeadLetterTopic() throws Exception {
    Path producerFile = local.principalConfigFile(SecureStackSecrets.PRODUCER);
    long controlBefore = endOffsets("baton.control");
    long dlqBefore = endOffsets("baton.dlq");

    BatonRun submit = baton("--config", producerFile.toString(), "submit", "tpch-12", "--param", "batch=b2",
        "--param", "bucket=landing", "--param", "batchPrefix=tpch/b2/");

    assertThat(submit.exitCode()).as(submit.err()).isZero();
    assertThat(endOffsets("baton.control")).isEqualTo(controlBefore + 1);
    Map<String, Object> kafka = new HashMap<>(ControllerConfig.fromConfig(Configuration.load(producerFile).values()).kafka());
    kafka.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, false); // the producer's own error, not the idempotence check's
    kafka.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 15_000);
    try (KafkaProducer<byte[], byte[]> producer =
        new KafkaProducer<>(kafka, new ByteArraySerializer(), new ByteArraySerializer())) {
      assertThatThrownBy(() -> producer.send(new ProducerRecord<>("baton.dlq", "x".getBytes(StandardCharsets.UTF_8))).get())
          .isInstanceOf(ExecutionException.class).cause().isInstanceOf(TopicAuthorizationException.class);
    }
    assertThat(endOffsets("baton.dlq")).isEqualTo(dlqBefore);
  }

  @Test
  @Order(5)
  void checkNamesTheKeyOfAWrongPasswordOfAPlaintextClientAndOfAnMskIamClient() throws Exception {
    Path controllerFile = local.principalConfigFile(SecureStackSecrets.CONTROLLER);
    Map<String, String> resolved = Configuration.load(controllerFile).values();
    Path wrongSecrets = Files.writeString(home.resolve("wrong.properties"), "password=not-the-password\n");
    Map<String, String> wrongPassword = new LinkedHashMap<>(raw(controllerFile));
    wrongPassword.put("kafka.sasl.jaas.config", "org.apache.kafka.common.security.scram.ScramLoginModule required"
        + " username=\"baton-controller\" password=\"${file:" + wrongSecrets + ":password}\";");
    Map<String, String> plaintext = new LinkedHashMap<>(raw(controllerFile));
    plaintext.keySet().removeIf(key -> key.startsWith("kafka.") && !key.equals("kafka.bootstrap.servers"));

    BatonRun ok = baton("--config", controllerFile.toString(), "config", "check", "--timeout-ms", "10000");
    BatonRun wrong = baton("--config", write("wrong-password", wrongPassword).toString(), "config", "check", "--timeout-ms", "10000");
    BatonRun plain = baton("--config", write("plaintext", plaintext).toString(), "config", "check", "--timeout-ms", "5000");
    // the MSK IAM client (aws-msk-iam-auth) loads, connects over TLS and asks for its SASL mechanism
    Map<String, String> iam = new LinkedHashMap<>(raw(controllerFile));
    iam.put("kafka.sasl.mechanism", "AWS_MSK_IAM");
    iam.put("kafka.sasl.jaas.config", "software.amazon.msk.auth.iam.IAMLoginModule required;");
    iam.put("kafka.sasl.client.callback.handler.class", "software.amazon.msk.auth.iam.IAMClientCallbackHandler");
    BatonRun mskIam = baton("--config", write("msk-iam", iam).toString(), "config", "check", "--timeout-ms", "10000");

    assertThat(ok.exitCode()).as(ok.out() + ok.err()).isZero();
    assertThat(ok.out()).contains("catalog   ok     rest " + resolved.get("iceberg.catalog.uri"));
    assertThat(wrong.exitCode()).isEqualTo(1);
    assertThat(wrong.line("kafka")).startsWith("kafka     FAILED kafka.sasl.jaas.config: authentication failed");
    assertThat(wrong.out()).doesNotContain("not-the-password");
    assertThat(plain.exitCode()).isEqualTo(1);
    assertThat(plain.line("kafka")).startsWith("kafka     FAILED kafka.bootstrap.servers: no broker answered");
    assertThat(mskIam.line("kafka")).startsWith("kafka     FAILED kafka.sasl.mechanism: the broker does not offer it")
        .contains("AWS_MSK_IAM");
    for (BatonRun run : List.of(ok, wrong, plain, mskIam)) {
      for (String secret : stackSecrets()) {
        assertThat(run.out() + run.err()).doesNotContain(secret);
      }
    }
  }

  /** 13 Spark applications started one after the other on 2 cores: 5–8 min, so under {@code -Pscale} only. */
  @Test
  @Order(6)
  @EnabledIfSystemProperty(named = "baton.scale-tests", matches = "true", disabledReason = "slow: mvn -B verify -Pscale")
  void demoWithTheSparkSubmitLauncherRunsEachStageAsItsOwnApplicationAndQ1EqualsTheReference() throws Exception {
    Map<String, String> viewer = Configuration.load(local.principalConfigFile(SecureStackSecrets.VIEWER)).values();
    long snapshotsBefore = countAsViewer(viewer, "SELECT count(*) FROM curated.pricing_summary.snapshots");
    String output = demo("demo-spark-submit.log", "demo", "--launcher", "spark-submit", "--keep");

    assertThat(output).contains("Launcher: spark-submit");
    // the export stage wrote through the secured S3 endpoint and the demo checked the folder against its manifest
    assertThat(output).contains("Exported to s3://export/tpch/pricing_summary/");
    java.util.regex.Matcher run = java.util.regex.Pattern.compile("\\(run (\\S+)\\)").matcher(output);
    assertThat(run.find()).as(output).isTrue();
    String runId = run.group(1);
    SparkSession spark = SparkSessions.create("secure-it", viewer);
    try {
      // this run rewrote curated.pricing_summary, and it equals Q1 computed in plain Java
      assertThat(spark.sql("SELECT count(*) FROM curated.pricing_summary.snapshots").first().getLong(0))
          .isGreaterThan(snapshotsBefore);
      List<Row> q1 = spark.sql("SELECT * FROM curated.pricing_summary ORDER BY l_returnflag, l_linestatus").collectAsList();
      assertThat(q1).hasSize(4);
      assertThat(Demo.q1Differences(q1, PricingSummaryReference.compute(SCALE_FACTOR))).isEmpty();
      // the ledger (flushed by the demo's graceful stop): 13 attempts, each its own Spark application with its log
      List<Row> attempts = spark.sql("SELECT stage, attempt, status, launcher, application_id, log_uri"
          + " FROM baton_system.stage_attempts WHERE run_id = '" + runId + "'").collectAsList();
      assertThat(attempts).hasSize(13);
      assertThat(attempts).extracting(row -> row.getInt(1) + " " + row.getString(2) + " " + row.getString(3))
          .containsOnly("1 SUCCEEDED spark-submit");
      // each attempt its own application with its own log; not "13 distinct ids": a local-mode application id is
      // local-<start ms>, and pricing_summary and profit_by_nation, launched together, can start in the same ms
      assertThat(attempts.stream().map(row -> row.getString(4)))
          .allMatch(id -> id.startsWith("local-"), "a Spark local-mode application id");
      assertThat(attempts.stream().map(row -> row.getString(5)).distinct()).hasSize(13);
      for (Row attempt : attempts) {
        Path stageLog = Path.of(java.net.URI.create(attempt.getString(5)));
        assertThat(Files.readString(stageLog)).as(attempt.getString(0)).contains(attempt.getString(4));
      }
    } finally {
      spark.stop();
    }
  }

  /**
   * Runs {@code baton <args>} in its own JVM ({@code BATON_HOME} the test's, no {@code SPARK_HOME}: the Spark
   * home Baton's build lays out), its output in {@code logName}; asserts it exits 0 within 10 minutes.
   *
   * @return its output
   */
  private static String demo(String logName, String... args) throws Exception {
    Path log = home.resolve(logName);
    ProcessBuilder builder = new ProcessBuilder(BatonRun.javaCommand(repository, List.of(), args))
        .redirectErrorStream(true).redirectOutput(log.toFile());
    builder.environment().put("BATON_HOME", home.toString());
    builder.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
    builder.environment().remove("SPARK_HOME");
    Process demo = builder.start();
    boolean exited = demo.waitFor(10, TimeUnit.MINUTES);
    if (!exited) {
      demo.destroyForcibly();
    }
    String output = Files.readString(log);
    assertThat(exited).as(output).isTrue();
    assertThat(demo.exitValue()).as(output).isZero();
    return output;
  }

  private static long countAsViewer(Map<String, String> viewer, String sql) {
    SparkSession spark = SparkSessions.create("secure-it", viewer);
    try {
      return spark.sql(sql).first().getLong(0);
    } finally {
      spark.stop();
    }
  }

  /** The values of the stack's secrets file: passwords and the catalog token. */
  private static List<String> stackSecrets() throws Exception {
    String secrets = Files.readString(home.resolve("local/secure/secrets.properties"));
    return secrets.lines().filter(line -> !line.startsWith("#") && line.contains("="))
        .map(line -> line.substring(line.indexOf('=') + 1)).toList();
  }

  /** The end offset of every partition of {@code topic}, summed, read as the viewer. */
  private static long endOffsets(String topic) throws Exception {
    Map<String, Object> kafka = new HashMap<>(ControllerConfig.fromConfig(
        Configuration.load(local.principalConfigFile(SecureStackSecrets.VIEWER)).values()).kafka());
    kafka.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 15_000);
    try (KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(kafka, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(15)).stream()
          .map(info -> new TopicPartition(topic, info.partition())).toList();
      return consumer.endOffsets(partitions).values().stream().mapToLong(Long::longValue).sum();
    }
  }

  /** A configuration file's entries as written (references unresolved). */
  private static Map<String, String> raw(Path file) throws Exception {
    java.util.Properties properties = new java.util.Properties();
    try (var in = Files.newBufferedReader(file)) {
      properties.load(in);
    }
    Map<String, String> entries = new LinkedHashMap<>();
    properties.stringPropertyNames().forEach(key -> entries.put(key, properties.getProperty(key)));
    return entries;
  }

  private static Path write(String name, Map<String, String> entries) throws Exception {
    java.util.Properties properties = new java.util.Properties();
    properties.putAll(entries);
    Path file = home.resolve(name + ".properties");
    try (var out = Files.newBufferedWriter(file)) {
      properties.store(out, null);
    }
    return file;
  }

  private static void assertCents(BigDecimal actual, BigDecimal expected) {
    assertThat(actual.setScale(2, RoundingMode.HALF_UP)).isEqualByComparingTo(expected.setScale(2, RoundingMode.HALF_UP));
  }

  private static BatonRun baton(String... args) {
    return BatonRun.execute(args);
  }
}
