package dev.baton.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.local.LocalEndpoints;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.apache.spark.sql.SparkSession;
import dev.baton.control.pipeline.PipelineDefinition;
import dev.baton.control.pipeline.Pipelines;
import dev.baton.control.pipeline.StageDefinition;
import dev.baton.stages.StageTypes;
import dev.baton.stages.spi.Stage;
import dev.baton.stages.spi.StageContext;
import dev.baton.stages.spi.StageResult;
import dev.baton.stages.write.IcebergWriter;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The CDC pipe on the local stack ({@code --cdc}): PostgreSQL source → Debezium → Kafka → Debezium
 * JDBC sink → target PostgreSQL, with the connector configurations of {@code cdc/config/}.
 */
class CdcIT {
  private static final Duration CATCH_UP_TIMEOUT = Duration.ofMinutes(5);
  private static final double CHANGES_PER_SECOND = 1_000;
  private static final String CUSTOMERS_HISTORY = CdcDemo.CUSTOMERS_HISTORY;
  private static LocalServices local;
  private static LocalEndpoints endpoints;
  private static CdcDeployment cdc;

  @BeforeAll
  static void up() throws Exception {
    Path repository = Path.of(System.getProperty("baton.repo.dir")).toAbsolutePath();
    Path home = Files.createTempDirectory(repository.resolve("cli/target"), "it-cdc");
    local = new LocalServices(new Workspace(home, repository, repository.resolve("examples/pipelines")));
    endpoints = local.ensureRunning(quiet(), null, false, true).endpoints();
    cdc = new CdcDeployment(local.stack(), endpoints, repository.resolve("cdc/config"));
  }

  @AfterAll
  static void down() {
    if (local != null) {
      local.stack().down();
    }
  }

  @Test
  void targetEqualsSourceAfterTenThousandChangesAConnectorRestartAWorkerKillAndANewColumn() throws Exception {
    try (Connection source = cdc.sourceAdmin(); Connection target = cdc.target()) {
      CdcWorkload workload = new CdcWorkload(source, 16);
      workload.createTables(200); // the connector's initial snapshot carries these
      cdc.deploy(CdcWorkload.TABLES); // returns once the source streams

      // 10,000 changes at 1,000/s on another thread, while this one restarts things mid-stream
      ExecutorService writer = Executors.newSingleThreadExecutor();
      Future<Long> applied = writer.submit(() -> {
        workload.apply(5_000, CHANGES_PER_SECOND);
        workload.addEmailColumn(); // a schema change mid-stream: the sink adds the column
        return workload.apply(5_000, CHANGES_PER_SECOND);
      });
      awaitChanges(workload, applied, 2_000);
      local.stack().restartConnector(endpoints, CdcDeployment.SOURCE_CONNECTOR);
      cdc.awaitRunning(CdcDeployment.SOURCE_CONNECTOR);
      awaitChanges(workload, applied, 6_000);
      ProcessHandle worker = local.stack().serviceProcess("connect").orElseThrow();
      worker.destroyForcibly(); // SIGKILL: no offset flush, no graceful task stop
      worker.onExit().get(30, TimeUnit.SECONDS);
      awaitChanges(workload, applied, 7_000); // written while no worker runs: the replication slot keeps the WAL
      local.ensureRunning(quiet(), null, false, true); // a new worker; connectors come back from the config topic
      cdc.awaitRunning(CdcDeployment.SOURCE_CONNECTOR);
      cdc.awaitRunning(CdcDeployment.SINK_CONNECTOR);
      assertThat(applied.get(5, TimeUnit.MINUTES)).isEqualTo(10_000);
      writer.shutdown();

      Map<String, TableDigest> expected = new LinkedHashMap<>();
      for (String table : CdcWorkload.TABLES) {
        expected.put(table, workload.digest(table));
        assertThat(expected.get(table).rows()).isEqualTo(workload.keys(table).size()).isPositive();
      }
      // customers' digest covers the new column: the sink added it and carried its values
      assertThat(awaitTarget(target, workload, expected)).isEqualTo(expected);
      // both restarts resumed from committed offsets: the initial snapshot's 200 rows per table are the only
      // snapshot records (a re-taken snapshot would also leave deleted rows behind in the target)
      for (String table : CdcWorkload.TABLES) {
        assertThat(snapshotRecords(CdcDeployment.TOPIC_PREFIX + "." + table)).as(table).isEqualTo(200);
      }

      // the same change topics, merged into Iceberg by the cdc-merge stage, equal the source too
      SparkSession spark = SparkSessions.create("cdc-it", local.config(endpoints));
      try {
        for (String table : CdcWorkload.TABLES) {
          mergeStage(table, false).run(context(table, 1), spark);
          assertThat(icebergDigest(spark, table, workload)).as(table).isEqualTo(expected.get(table));
        }
        assertHistoryFollowsTheTopic(spark, workload, expected.get("public.customers"));
        // a history behind its table (here: none, as when history: is added to a merged table, or when a merge
        // failed between the two commits) is made up from the lower of the two recorded offsets; the table, whose
        // rows those changes are not newer than, stays as it is
        spark.sql("DROP TABLE " + CUSTOMERS_HISTORY + " PURGE");
        long customersBefore = IcebergWriter.load(spark, icebergTable("public.customers")).currentSnapshot().snapshotId();
        StageResult rebuilt = mergeStage("public.customers", false).run(context("public.customers", 1), spark);
        assertThat(rebuilt.metrics().get("changesRead")).isEqualTo((double) endOffset(CdcDeployment.TOPIC_PREFIX
            + ".public.customers") - beginningOffset(CdcDeployment.TOPIC_PREFIX + ".public.customers"));
        var unchanged = IcebergWriter.load(spark, icebergTable("public.customers")).currentSnapshot();
        assertThat(unchanged.parentId()).isEqualTo(customersBefore);
        assertThat(unchanged.summary()).doesNotContainKeys("added-records", "deleted-records", "added-position-deletes");
        assertHistoryFollowsTheTopic(spark, workload, expected.get("public.customers"));
        // a second merge reads only what arrived since the offsets the first one recorded, and deletes
        // and updates rows with position-delete files (what Athena reads), never equality deletes
        workload.apply(300);
        for (String table : CdcWorkload.TABLES) {
          expected.put(table, workload.digest(table));
        }
        assertThat(awaitTarget(target, workload, expected)).isEqualTo(expected);
        for (String table : CdcWorkload.TABLES) {
          long recordedEnd = recordedEnd(spark, table);
          long topicEnd = endOffset(CdcDeployment.TOPIC_PREFIX + "." + table);
          StageResult second = mergeStage(table, false).run(context(table, 1), spark);
          // exactly the records after the offsets the first merge recorded
          assertThat(second.metrics().get("changesRead")).as(table).isEqualTo((double) (topicEnd - recordedEnd)).isPositive();
          assertThat(icebergDigest(spark, table, workload)).as(table).isEqualTo(expected.get(table));
          assertThat(IcebergWriter.load(spark, icebergTable(table)).currentSnapshot().summary()).as(table)
              .containsKey("added-position-deletes").doesNotContainKey("added-equality-deletes");
        }
        assertHistoryFollowsTheTopic(spark, workload, expected.get("public.customers"));
        // old changes arriving again after newer ones were merged (as a connector re-sends after a crash) change
        // nothing: the first snapshot reads of 20 customers that were updated since, published again
        String customers = CdcDeployment.TOPIC_PREFIX + ".public.customers";
        List<ConsumerRecord<byte[], byte[]>> stale = staleSnapshotReads(customers, workload.keys("public.customers"), 20);
        assertThat(stale).hasSize(20);
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(
            Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, endpoints.kafkaBootstrap()),
            new ByteArraySerializer(), new ByteArraySerializer())) {
          for (ConsumerRecord<byte[], byte[]> record : stale) {
            producer.send(new ProducerRecord<>(customers, record.partition(), record.key(), record.value())).get();
          }
        }
        StageResult resent = mergeStage("public.customers", false).run(context("public.customers", 1), spark);
        assertThat(resent.metrics().get("changesRead")).isEqualTo(20.0);
        assertThat(icebergDigest(spark, "public.customers", workload)).isEqualTo(expected.get("public.customers"));
        assertThat(resent.metrics()).as("the history skips them, counted")
            .containsEntry("historyStaleChanges", 20.0).containsEntry("historyChanges", 0.0);
        assertHistoryFollowsTheTopic(spark, workload, expected.get("public.customers"));
        long historyBefore = IcebergWriter.load(spark, CUSTOMERS_HISTORY).currentSnapshot().snapshotId();

        // replaying every change from the topics' start leaves every row as it is
        for (String table : CdcWorkload.TABLES) {
          String iceberg = icebergTable(table);
          long before = IcebergWriter.load(spark, iceberg).currentSnapshot().snapshotId();
          mergeStage(table, true).run(context(table, 2), spark);
          assertThat(icebergDigest(spark, table, workload)).as(table).isEqualTo(expected.get(table));
          var replayed = IcebergWriter.load(spark, iceberg).currentSnapshot();
          assertThat(replayed.parentId()).isEqualTo(before);
          assertThat(replayed.summary()).as("the replay's snapshot changes no row")
              .doesNotContainKeys("added-records", "deleted-records", "added-position-deletes");
        }
        var replayedHistory = IcebergWriter.load(spark, CUSTOMERS_HISTORY).currentSnapshot();
        assertThat(replayedHistory.parentId()).isEqualTo(historyBefore);
        assertThat(replayedHistory.summary()).as("the replay's history snapshot changes no version")
            .doesNotContainKeys("added-records", "deleted-records", "added-position-deletes");
        assertHistoryFollowsTheTopic(spark, workload, expected.get("public.customers"));
      } finally {
        spark.stop();
      }
    }
  }

  /**
   * The stage the demo's {@code cdc-lake} pipeline ({@code examples/cdc/pipelines}) runs for a source
   * table, as its controller would build it, with {@code replay} added.
   */
  private static Stage mergeStage(String sourceTable, boolean replay) {
    PipelineDefinition pipeline = Pipelines.load(Path.of(System.getProperty("baton.repo.dir")).toAbsolutePath()
        .resolve("examples/cdc/pipelines")).get(CdcDemo.PIPELINE).orElseThrow();
    StageDefinition stage = pipeline.stage("merge_" + sourceTable.substring(sourceTable.indexOf('.') + 1)).orElseThrow();
    assertThat(stage.type()).isEqualTo("cdc-merge");
    assertThat(stage.options()).containsEntry("topic", CdcDeployment.TOPIC_PREFIX + "." + sourceTable)
        .containsEntry("table", icebergTable(sourceTable));
    Map<String, Object> options = new HashMap<>(stage.options());
    options.put("replay", replay);
    return StageTypes.create(stage.type(), options);
  }

  private static StageContext context(String sourceTable, int attempt) {
    return new StageContext("cdc-it", "cdc-it", "merge-" + sourceTable.replace('.', '-'), attempt, Map.of());
  }

  /** {@code public.customers} → {@code cdc_lake.customers}. */
  private static String icebergTable(String sourceTable) {
    return CdcDemo.icebergTable(sourceTable);
  }

  private static TableDigest icebergDigest(SparkSession spark, String sourceTable, CdcWorkload workload) {
    return TableDigest.of(spark, icebergTable(sourceTable), workload.columns(sourceTable), CdcWorkload.keyColumns(sourceTable));
  }

  /**
   * Every connector configuration of {@code cdc/config/} through Kafka Connect's own validation ({@code
   * PUT /connector-plugins/<class>/config/validate}, which calls the connector's {@code validate()}):
   * every key is one the connector or Connect defines (a misspelt key would be silently ignored), and
   * the only errors are those of reaching a database. No Oracle server runs here, so for the Oracle
   * connector that means its settings are well-formed and consistent, not that they work on a database.
   */
  @Test
  void everyConnectorConfigurationPassesItsConnectorsValidation() throws Exception {
    Path oracleCredentials = Files.createTempFile(endpoints.home(), "oracle", ".properties");
    // a port nothing listens on: the validation's connection attempt fails fast
    Files.writeString(oracleCredentials, String.join("\n", "oracle.host=127.0.0.1", "oracle.port=1", "oracle.user=c##dbzuser",
        "oracle.password=unused", "oracle.database=ORCLCDB", "oracle.pdb=ORCLPDB1",
        "kafka.bootstrap.servers=" + endpoints.kafkaBootstrap()));
    Map<String, String> oracle = new LinkedHashMap<>();
    cdc.connectorConfig(CdcDeployment.ORACLE_CONFIG).forEach((key, value) -> oracle.put(key,
        value.replace(cdc.databases().credentialsFile().toString(), oracleCredentials.toString())));
    ObjectMapper json = new ObjectMapper();
    for (Map<String, String> config : List.of(cdc.connectorConfig(CdcDeployment.SOURCE_CONFIG),
        cdc.connectorConfig(CdcDeployment.SINK_CONFIG), oracle)) {
      String connectorClass = config.get("connector.class");
      config = new LinkedHashMap<>(config);
      config.put("name", "validate-" + connectorClass.substring(connectorClass.lastIndexOf('.') + 1)); // the REST API's
      HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(endpoints.connectUrl()
              .resolve("/connector-plugins/" + connectorClass + "/config/validate"))
          .header("Content-Type", "application/json").timeout(Duration.ofSeconds(90))
          .PUT(HttpRequest.BodyPublishers.ofString(json.writeValueAsString(config))).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(response.statusCode()).as(connectorClass + ": " + response.body()).isEqualTo(200);
      JsonNode validation = json.readTree(response.body());
      Map<String, List<String>> errors = new LinkedHashMap<>();
      java.util.Set<String> defined = new java.util.HashSet<>();
      for (JsonNode entry : validation.path("configs")) {
        defined.add(entry.path("definition").path("name").asText());
        List<String> messages = new java.util.ArrayList<>();
        entry.path("value").path("errors").forEach(message -> messages.add(message.asText()));
        if (!messages.isEmpty()) {
          errors.put(entry.path("value").path("name").asText(), messages);
        }
      }
      // keys passed on by prefix are not definitions: topic creation rules and converter settings (the worker's),
      // the Kafka schema history's settings (Debezium's pluggable schema.history.internal store)
      assertThat(config.keySet().stream().filter(key -> !key.startsWith("topic.creation.")
              && !key.startsWith("key.converter.") && !key.startsWith("value.converter.")
              && !key.startsWith("schema.history.internal.kafka.")).toList())
          .as(connectorClass + ": keys the connector and Connect define").isSubsetOf(defined);
      if (connectorClass.contains("Oracle")) {
        assertThat(errors).as(connectorClass + " (no server: the connection, and only it, fails)").isNotEmpty()
            .allSatisfy((name, messages) -> {
              assertThat(name).isIn("database.hostname", "database.port", "database.user", "database.password",
                  "database.dbname", "database.pdb.name", "database.url");
              assertThat(messages).allSatisfy(message ->
                  assertThat(message).containsIgnoringCase("unable to connect"));
            });
      } else {
        assertThat(errors).as(connectorClass).isEmpty();
      }
    }
  }

  /**
   * The customers' history table (SCD2) against the change topic, read here with Jackson: one version
   * per insert, update or snapshot read at a distinct (key, LSN) (a re-sent change repeats its LSN), from
   * its {@code source.ts_ms} (PostgreSQL's commit time) to that of the key's next change, an update or a delete (null
   * and current for the key's last change if it is not a delete); and its current versions equal the
   * source table (count and SHA-256 over the rows in key order).
   */
  private static void assertHistoryFollowsTheTopic(SparkSession spark, CdcWorkload workload, TableDigest source)
      throws Exception {
    ObjectMapper json = new ObjectMapper();
    Map<Long, java.util.TreeMap<Long, JsonNode>> changesByKey = new HashMap<>();
    String topic = CdcDeployment.TOPIC_PREFIX + ".public.customers";
    for (ConsumerRecord<byte[], byte[]> record : records(topic)) {
      if (record.value() != null) { // a tombstone follows each delete
        long id = json.readTree(record.key()).path("payload").path("id").asLong();
        JsonNode change = json.readTree(record.value()).path("payload");
        changesByKey.computeIfAbsent(id, key -> new java.util.TreeMap<>())
            .put(change.path("source").path("lsn").asLong(), change);
      }
    }
    List<String> expected = new java.util.ArrayList<>();
    changesByKey.forEach((id, changes) -> changes.forEach((lsn, change) -> {
      if (!change.path("op").asText().equals("d")) {
        Map.Entry<Long, JsonNode> next = changes.higherEntry(lsn);
        expected.add(id + "|" + lsn + "|" + change.path("source").path("ts_ms").asLong() + "|"
            + (next == null ? "null" : next.getValue().path("source").path("ts_ms").asLong()) + "|" + (next == null));
      }
    }));
    assertThat(expected).as("versions in the topic: at least the snapshot's 200").hasSizeGreaterThan(200);
    List<String> actual = spark.sql("SELECT concat_ws('|', id, _cdc_position, unix_millis(valid_from),"
            + " coalesce(cast(unix_millis(valid_to) AS STRING), 'null'), is_current) FROM " + CUSTOMERS_HISTORY)
        .collectAsList().stream().map(row -> row.getString(0)).toList();
    assertThat(actual).as("the history's versions").hasSize(expected.size()).containsExactlyInAnyOrderElementsOf(expected);
    assertThat(CdcDemo.currentVersionsDigest(spark, workload)).as("the history's current versions").isEqualTo(source);
  }

  /** The end offset of partition 0 the table's last merge recorded. */
  private static long recordedEnd(SparkSession spark, String sourceTable) throws Exception {
    String recorded = IcebergWriter.load(spark, icebergTable(sourceTable)).currentSnapshot().summary()
        .get("baton.cdc.offsets");
    return new ObjectMapper().readTree(recorded).path("partitions").path("0").asLong();
  }

  /** The beginning offset of a single-partition topic. */
  private static long beginningOffset(String topic) {
    return withConsumer(consumer -> {
      TopicPartition partition = new TopicPartition(topic, 0);
      return consumer.beginningOffsets(List.of(partition)).get(partition);
    });
  }

  /** The end offset of a single-partition topic. */
  private static long endOffset(String topic) {
    return withConsumer(consumer -> {
      TopicPartition partition = new TopicPartition(topic, 0);
      return consumer.endOffsets(List.of(partition)).get(partition);
    });
  }

  /** Every record of a topic, each partition from its beginning to its end offset now, in offset order. */
  private static List<ConsumerRecord<byte[], byte[]>> records(String topic) {
    return withConsumer(consumer -> {
      List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
          .map(info -> new TopicPartition(topic, info.partition())).toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
      List<ConsumerRecord<byte[], byte[]>> records = new java.util.ArrayList<>();
      while (partitions.stream().anyMatch(partition -> consumer.position(partition) < end.get(partition))) {
        consumer.poll(Duration.ofMillis(500)).forEach(records::add);
      }
      return records;
    });
  }

  private static <T> T withConsumer(java.util.function.Function<KafkaConsumer<byte[], byte[]>, T> use) {
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(
        Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, endpoints.kafkaBootstrap()),
        new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      return use.apply(consumer);
    }
  }

  private static String text(byte[] bytes) {
    return bytes == null ? null : new String(bytes, StandardCharsets.UTF_8);
  }

  /**
   * Up to {@code count} snapshot reads ({@code op: r}) of keys that still exist and have later changes
   * in the topic: changes older than the rows merged from those later ones.
   */
  private static List<ConsumerRecord<byte[], byte[]>> staleSnapshotReads(String topic, List<List<Object>> existingKeys,
      int count) {
    java.util.Set<String> existing = new java.util.HashSet<>();
    existingKeys.forEach(key -> existing.add("{\"id\":" + key.get(0) + "}"));
    Map<String, ConsumerRecord<byte[], byte[]>> firstRead = new LinkedHashMap<>();
    Map<String, Long> lastOffset = new HashMap<>();
    for (ConsumerRecord<byte[], byte[]> record : records(topic)) {
      String key = text(record.key());
      String payload = key.substring(key.indexOf("\"payload\":") + "\"payload\":".length(), key.length() - 1);
      lastOffset.put(payload, record.offset());
      if (record.value() != null && text(record.value()).contains("\"op\":\"r\"")) {
        firstRead.putIfAbsent(payload, record);
      }
    }
    return firstRead.entrySet().stream()
        .filter(entry -> existing.contains(entry.getKey()) && lastOffset.get(entry.getKey()) > entry.getValue().offset())
        .limit(count).map(Map.Entry::getValue).toList();
  }

  /** Waits until the workload has committed {@code count} changes (or failed). */
  private static void awaitChanges(CdcWorkload workload, Future<Long> applied, long count) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
    while (workload.changes() < count) {
      if (applied.isDone()) {
        applied.get(); // throws the workload's failure
      }
      assertThat(System.nanoTime()).as("workload reached %d changes", count).isLessThan(deadline);
      Thread.sleep(20);
    }
  }

  /** The records of a change topic whose op is {@code r} (read by a snapshot). */
  private static long snapshotRecords(String topic) {
    return records(topic).stream()
        .filter(record -> record.value() != null && text(record.value()).contains("\"op\":\"r\"")).count();
  }

  /** Polls the target's digests until they equal {@code expected} or the timeout passes; returns the last seen. */
  private static Map<String, TableDigest> awaitTarget(Connection target, CdcWorkload workload,
      Map<String, TableDigest> expected) throws Exception {
    long deadline = System.nanoTime() + CATCH_UP_TIMEOUT.toNanos();
    Map<String, TableDigest> actual = Map.of();
    while (System.nanoTime() < deadline) {
      actual = new LinkedHashMap<>();
      for (String table : CdcWorkload.TABLES) {
        try {
          actual.put(table, TableDigest.of(target, table, workload.columns(table), CdcWorkload.keyColumns(table)));
        } catch (SQLException e) {
          actual.put(table, new TableDigest(-1, e.getMessage())); // not created (or not evolved) yet
        }
      }
      if (actual.equals(expected)) {
        return actual;
      }
      Thread.sleep(500);
    }
    return actual;
  }

  private static PrintStream quiet() {
    return new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
  }
}
