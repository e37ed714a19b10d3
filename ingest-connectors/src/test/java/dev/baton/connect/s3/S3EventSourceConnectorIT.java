package dev.baton.connect.s3;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.schemas.EventSerde;
import dev.baton.schemas.RunIds;
import dev.baton.schemas.event.ControlEvent;
import dev.baton.schemas.event.ObjectCreated;
import dev.baton.schemas.event.ObjectSource;
import dev.baton.schemas.event.StageCompleted;
import dev.baton.schemas.event.StageStatus;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.connect.source.SourceRecord;
import org.apache.kafka.connect.util.clusters.EmbeddedConnectCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * The connector in a real Kafka Connect worker (EmbeddedConnectCluster: Connect and a KRaft
 * broker in this JVM) against ElasticMQ and S3Proxy (own JVMs): objects put to S3Proxy are
 * announced on the queue by the local notifier, exactly as S3 → SQS in AWS.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class S3EventSourceConnectorIT {
  private static final String CONNECTOR = "baton-sqs";
  private static final String ACCESS_KEY = "it-access";
  private static final String SECRET_KEY = "it-secret-key";
  private static final EventSerde SERDE = EventSerde.builtIn();
  private static final Duration TIMEOUT = Duration.ofSeconds(90);

  private ServiceProcess sqsProcess;
  private ServiceProcess s3Process;
  private EmbeddedConnectCluster connect;
  private SqsClient sqs;
  private S3Client s3;
  private String queueUrl;
  private KafkaConsumer<byte[], byte[]> consumer;

  @BeforeAll
  void start() throws Exception {
    Path work = Files.createTempDirectory("baton-connector-it");
    sqsProcess = ServiceProcess.sqs(work.resolve("logs"));
    URI sqsEndpoint = URI.create("http://127.0.0.1:" + sqsProcess.port);
    sqs = SqsClient.builder().httpClientBuilder(UrlConnectionHttpClient.builder()).region(Region.US_EAST_1)
        .endpointOverride(sqsEndpoint)
        .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("x", "y"))).build();
    queueUrl = await("the events queue", () -> {
      try {
        return sqs.getQueueUrl(r -> r.queueName("baton-s3-events")).queueUrl();
      } catch (RuntimeException e) {
        return null;
      }
    });
    s3Process = ServiceProcess.s3(work.resolve("s3"), work.resolve("logs"), ACCESS_KEY, SECRET_KEY, queueUrl);
    s3 = S3Client.builder().httpClientBuilder(UrlConnectionHttpClient.builder()).region(Region.US_EAST_1)
        .endpointOverride(URI.create("http://127.0.0.1:" + s3Process.port)).forcePathStyle(true)
        .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(ACCESS_KEY, SECRET_KEY))).build();

    Map<String, String> worker = new HashMap<>();
    worker.put("key.converter", "org.apache.kafka.connect.converters.ByteArrayConverter");
    worker.put("value.converter", "org.apache.kafka.connect.converters.ByteArrayConverter");
    worker.put("offset.flush.interval.ms", "1000");
    connect = new EmbeddedConnectCluster.Builder().name("baton-it").numWorkers(1).numBrokers(1)
        .workerProps(worker).brokerProps(new Properties()).build();
    connect.start();
    for (String topic : List.of("baton.objects", "baton.control", "baton.dlq")) {
      connect.kafka().createTopic(topic, 2);
    }
    connect.configureConnector(CONNECTOR, connectorConfig(queueUrl, 2));
    connect.assertions().assertConnectorAndExactlyNumTasksAreRunning(CONNECTOR, 2, "connector did not start");
    consumer = connect.kafka().createConsumer(Map.of("auto.offset.reset", "earliest"));
    List<TopicPartition> partitions = new ArrayList<>();
    for (String topic : List.of("baton.objects", "baton.control", "baton.dlq")) {
      partitions.add(new TopicPartition(topic, 0));
      partitions.add(new TopicPartition(topic, 1));
    }
    consumer.assign(partitions);
    consumer.seekToBeginning(partitions);
  }

  private Map<String, String> connectorConfig(String queue, int tasks) {
    Map<String, String> config = new LinkedHashMap<>();
    config.put("connector.class", S3EventSourceConnector.class.getName());
    config.put("tasks.max", String.valueOf(tasks));
    config.put("mode", "sqs");
    config.put("sqs.queue.url", queue);
    config.put("sqs.endpoint", "http://127.0.0.1:" + sqsProcess.port);
    config.put("sqs.access.key.id", "x");
    config.put("sqs.secret.access.key", "y");
    config.put("sqs.wait.time.seconds", "1");
    config.put("s3.endpoint", "http://127.0.0.1:" + s3Process.port);
    config.put("s3.path.style.access", "true");
    config.put("s3.access.key.id", ACCESS_KEY);
    config.put("s3.secret.access.key", SECRET_KEY);
    config.put("key.exclude.globs", "**/_SUCCESS");
    config.put("flag.key.pattern", "legacy/{batch}/_job_status{n}");
    config.put("flag.pipeline", "legacy-3");
    config.put("flag.stages", "extract,transform,load");
    config.put("emr.lookup", "false"); // no EMR here (AwsEmrLookupContractTest covers the lookups)
    return config;
  }

  @AfterAll
  void stop() {
    if (consumer != null) {
      consumer.close();
    }
    if (connect != null) {
      connect.stop();
    }
    if (s3Process != null) {
      s3Process.close();
    }
    if (sqsProcess != null) {
      sqsProcess.close();
    }
  }

  /** Everything read so far from the three topics. */
  private final List<ConsumerRecord<byte[], byte[]>> read = new ArrayList<>();

  private List<ConsumerRecord<byte[], byte[]>> readUntil(String topic, Predicate<List<ConsumerRecord<byte[], byte[]>>> done)
      throws InterruptedException {
    long deadline = System.nanoTime() + TIMEOUT.toNanos();
    while (true) {
      List<ConsumerRecord<byte[], byte[]>> ofTopic = read.stream().filter(r -> r.topic().equals(topic)).toList();
      if (done.test(ofTopic)) {
        return ofTopic;
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError("Timed out reading " + topic + "; have " + ofTopic.size() + " records");
      }
      consumer.poll(Duration.ofMillis(200)).forEach(read::add);
    }
  }

  private static <T> T await(String what, java.util.function.Supplier<T> probe) throws InterruptedException {
    long deadline = System.nanoTime() + TIMEOUT.toNanos();
    T value;
    while ((value = probe.get()) == null) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("Timed out waiting for " + what);
      }
      Thread.sleep(100);
    }
    return value;
  }

  private void awaitQueueEmpty(String queue) throws InterruptedException {
    await("queue " + queue + " to be empty", () -> {
      Map<QueueAttributeName, String> attributes = sqs.getQueueAttributes(r -> r.queueUrl(queue).attributeNames(
          QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES, QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE))
          .attributes();
      return attributes.values().stream().allMatch("0"::equals) ? Boolean.TRUE : null;
    });
  }

  private void put(String key, String content) {
    s3.putObject(r -> r.bucket("landing").key(key), RequestBody.fromString(content));
  }

  private static List<ObjectCreated> objects(List<ConsumerRecord<byte[], byte[]>> records, String prefix) {
    return records.stream().map(r -> SERDE.deserialize(r.value(), ObjectCreated.class))
        .filter(e -> e.getKey().startsWith(prefix)).toList();
  }

  @Test
  void everyObjectBecomesOneObjectCreatedAndAConnectorStopLosesNothing() throws Exception {
    int before = 40;
    int during = 20;
    int after = 20;
    Set<String> expected = new TreeSet<>();
    for (int i = 0; i < before; i++) {
      put("many/b1/file-" + i + ".csv", "row " + i);
      expected.add("many/b1/file-" + i + ".csv");
    }
    put("many/b1/_SUCCESS", ""); // excluded by key.exclude.globs
    readUntil("baton.objects", records -> objects(records, "many/").size() >= before / 2);
    connect.stopConnector(CONNECTOR);
    connect.assertions().assertConnectorIsStopped(CONNECTOR, "connector did not stop");
    for (int i = before; i < before + during; i++) {
      put("many/b1/file-" + i + ".csv", "row " + i); // announced while nobody reads the queue
      expected.add("many/b1/file-" + i + ".csv");
    }
    connect.resumeConnector(CONNECTOR);
    connect.assertions().assertConnectorAndExactlyNumTasksAreRunning(CONNECTOR, 2, "connector did not resume");
    for (int i = before + during; i < before + during + after; i++) {
      put("many/b1/file-" + i + " with space é.csv", "row " + i);
      expected.add("many/b1/file-" + i + " with space é.csv");
    }

    List<ObjectCreated> events = objects(readUntil("baton.objects",
        records -> objects(records, "many/").stream().map(ObjectCreated::getKey).collect(Collectors.toSet()).size()
            >= expected.size()), "many/");
    awaitQueueEmpty(queueUrl);
    events = objects(readUntil("baton.objects", records -> true), "many/");

    Set<String> keys = events.stream().map(ObjectCreated::getKey).collect(Collectors.toCollection(TreeSet::new));
    assertThat(keys).isEqualTo(expected);
    // at least once: any duplicate is the same event (same id, same fields), which the controller ignores
    Map<String, List<ObjectCreated>> byId = events.stream().collect(Collectors.groupingBy(ObjectCreated::getEventId));
    assertThat(byId).hasSize(expected.size());
    byId.values().forEach(copies -> assertThat(Set.copyOf(copies)).hasSize(1));
    for (ObjectCreated event : events) {
      String content = "row " + event.getKey().replaceAll(".*file-([0-9]+).*", "$1");
      assertThat(event.getSize()).isEqualTo(content.getBytes(StandardCharsets.UTF_8).length);
      assertThat(event.getBucket()).isEqualTo("landing");
      assertThat(event.getSource()).isEqualTo(ObjectSource.S3_NOTIFICATION);
      assertThat(event.getSequencer()).isNotBlank();
    }
    // keyed by bucket/key, so all events of an object are in one partition
    readUntil("baton.objects", records -> true).stream()
        .filter(r -> new String(r.key(), StandardCharsets.UTF_8).startsWith("landing/many/"))
        .forEach(r -> assertThat(new String(r.key(), StandardCharsets.UTF_8))
            .isEqualTo("landing/" + SERDE.deserialize(r.value(), ObjectCreated.class).getKey()));
  }

  @Test
  void poisonMessagesGoToTheDeadLetterTopicWithTheReasonAndLeaveTheQueue() throws Exception {
    String noIdentity = Files.readString(Path.of("..", "examples", "events", "emr-step-status-change-no-identity.json"));
    for (String body : List.of("poison: not json", "{\"poison\": true}", noIdentity)) {
      sqs.sendMessage(r -> r.queueUrl(queueUrl).messageBody(body));
    }

    List<ConsumerRecord<byte[], byte[]>> dead = readUntil("baton.dlq", records -> records.stream()
        .filter(r -> reason(r).contains("cannot parse") || reason(r).contains("nightly-aggregation")).count() >= 3);
    awaitQueueEmpty(queueUrl);

    Map<String, String> reasonByBody = dead.stream().collect(Collectors.toMap(
        r -> new String(r.value(), StandardCharsets.UTF_8), S3EventSourceConnectorIT::reason, (a, b) -> a));
    assertThat(reasonByBody.get("poison: not json")).contains("body is not JSON");
    assertThat(reasonByBody.get("{\"poison\": true}")).contains("unknown message");
    assertThat(reasonByBody.get(noIdentity)).contains("no Baton identity");
    dead.forEach(r -> assertThat(header(r, SourceRecords.HEADER_SOURCE)).startsWith(queueUrl + "#"));
  }

  @Test
  void flagFilesAndEmrStepEventsBecomeStageCompleted() throws Exception {
    put("legacy/2026-11-24/part-1.csv", "a,b");
    put("legacy/2026-11-24/_job_status1", "succeeded\n");
    put("legacy/2026-11-24/_job_status2", "FAILED\njava.lang.OutOfMemoryError: Java heap space\n  at Transform.run(Transform.java:42)\n");
    put("legacy/2026-11-24/_job_status9", "succeeded"); // no 9th stage
    put("legacy/2026-11-24/_job_status3", "maybe"); // neither succeeded nor failed
    sqs.sendMessage(r -> r.queueUrl(queueUrl).messageBody(fixture("emr-step-status-change-failed.json")));

    String runId = RunIds.of("legacy-3", "landing/legacy/2026-11-24/");
    List<ControlEvent> control = readUntil("baton.control", records -> records.size() >= 3).stream()
        .map(r -> SERDE.deserialize(r.value(), ControlEvent.class)).toList();
    Map<String, StageCompleted> flags = control.stream().filter(e -> e.getRunId().equals(runId))
        .collect(Collectors.toMap(e -> ((StageCompleted) e.getPayload()).getStage(), e -> (StageCompleted) e.getPayload(),
            (a, b) -> a));
    assertThat(flags).containsOnlyKeys("extract", "transform");
    assertThat(flags.get("extract").getStatus()).isEqualTo(StageStatus.SUCCEEDED);
    assertThat(flags.get("extract").getAttempt()).isEqualTo(1);
    assertThat(flags.get("transform").getStatus()).isEqualTo(StageStatus.FAILED);
    assertThat(flags.get("transform").getError().getMessage()).contains("OutOfMemoryError").contains("Transform.java:42");
    assertThat(flags.get("transform").getError().getLogUri()).isEqualTo("s3://landing/legacy/2026-11-24/_job_status2");
    assertThat(control.stream().filter(e -> e.getRunId().equals(runId)).map(ControlEvent::getPipeline)).containsOnly("legacy-3");

    ControlEvent emr = control.stream().filter(e -> e.getRunId().equals("3f8a2c1e-9b7d-3e4f-a1b2-c3d4e5f60718"))
        .findFirst().orElseThrow();
    assertThat(emr.getPipeline()).isEqualTo("tpch-12");
    assertThat(((StageCompleted) emr.getPayload()).getStatus()).isEqualTo(StageStatus.FAILED);

    List<ConsumerRecord<byte[], byte[]>> dead = readUntil("baton.dlq",
        records -> records.stream().filter(r -> reason(r).contains("legacy/2026-11-24/_job_status")).count() >= 2);
    assertThat(dead.stream().map(S3EventSourceConnectorIT::reason).filter(r -> r.contains("legacy/2026-11-24")))
        .anySatisfy(r -> assertThat(r).contains("_job_status9").contains("job number 9"))
        .anySatisfy(r -> assertThat(r).contains("_job_status3").contains("must start with 'succeeded' or 'failed'"));
    // the data file is an ordinary ObjectCreated
    assertThat(objects(readUntil("baton.objects", records -> objects(records, "legacy/").size() >= 1), "legacy/"))
        .extracting(ObjectCreated::getKey).containsOnly("legacy/2026-11-24/part-1.csv");
  }

  /**
   * A worker that dies after Kafka acknowledged a message's records but before it deleted the
   * message: the task is driven by hand (as Connect would), its records are written and
   * acknowledged by Kafka, and the task is dropped without {@code commitRecord}. SQS delivers the
   * messages again after their visibility timeout; the second task makes the same events (same
   * ids, so the controller keeps one run per trigger) and deletes them once acknowledged.
   */
  @Test
  void aCrashBetweenKafkaAckAndSqsDeleteRedeliversTheSameEvents() throws Exception {
    String crashQueue = sqs.createQueue(r -> r.queueName("crash-test")
        .attributes(Map.of(QueueAttributeName.VISIBILITY_TIMEOUT, "2"))).queueUrl();
    String notification = fixture("s3-notification-put.json");
    for (int i = 0; i < 5; i++) {
      String body = notification.replace("part-0001.csv", "crash-" + i + ".csv").replace("0062E99A88DC407460", "0062E99A88DC40746" + i);
      sqs.sendMessage(r -> r.queueUrl(crashQueue).messageBody(body));
    }
    Map<String, String> props = connectorConfig(crashQueue, 1);
    props.put("topic", "crash.objects");
    connect.kafka().createTopic("crash.objects", 1);

    List<SourceRecord> first = pollAndWrite(props, 5, false);
    List<SourceRecord> again = pollAndWrite(props, 5, true);
    awaitQueueEmpty(crashQueue);

    assertThat(again).extracting(r -> SERDE.deserialize((byte[]) r.value(), ObjectCreated.class))
        .containsExactlyInAnyOrderElementsOf(
            first.stream().map(r -> SERDE.deserialize((byte[]) r.value(), ObjectCreated.class)).toList());
    assertThat(connect.kafka().consume(10, TIMEOUT.toMillis(), "crash.objects").count()).isEqualTo(10);
  }

  /**
   * Throughput, SQS → Kafka, with 1 and 4 tasks (not a test: prints figures for BENCHMARKS.md).
   * {@code mvn -pl ingest-connectors verify -Dit.test=S3EventSourceConnectorIT#sqsToKafkaThroughput -Dbaton.bench=true}.
   * Each round fills a fresh queue with {@code baton.bench.messages} (10,000) S3 notifications, then
   * starts the connector and times until every message is a record in Kafka and the queue is empty.
   */
  @Test
  @org.junit.jupiter.api.condition.EnabledIfSystemProperty(named = "baton.bench", matches = "true")
  void sqsToKafkaThroughput() throws Exception {
    int messages = Integer.getInteger("baton.bench.messages", 10_000);
    String notification = fixture("s3-notification-put.json");
    Map<Integer, List<Double>> rates = new java.util.TreeMap<>();
    for (int round = 0; round < 3; round++) {
      for (int tasks : List.of(1, 4)) {
        String name = "bench-" + tasks + "-" + round;
        String queue = sqs.createQueue(r -> r.queueName(name)).queueUrl();
        java.util.stream.IntStream.range(0, messages / 10).parallel().forEach(batch -> {
          List<software.amazon.awssdk.services.sqs.model.SendMessageBatchRequestEntry> entries = new ArrayList<>();
          for (int i = 0; i < 10; i++) {
            int n = batch * 10 + i;
            entries.add(software.amazon.awssdk.services.sqs.model.SendMessageBatchRequestEntry.builder().id("m" + i)
                .messageBody(notification.replace("part-0001.csv", "bench/" + n + ".csv")
                    .replace("0062E99A88DC407460", String.format("%018X", n))).build());
          }
          sqs.sendMessageBatch(r -> r.queueUrl(queue).entries(entries));
        });
        connect.kafka().createTopic(name, 4);
        Map<String, String> config = connectorConfig(queue, tasks);
        config.put("topic", name);
        long start = System.nanoTime();
        connect.configureConnector(name, config);
        try (KafkaConsumer<byte[], byte[]> counter = connect.kafka().createConsumer(Map.of())) {
          List<TopicPartition> partitions = java.util.stream.IntStream.range(0, 4).mapToObj(p -> new TopicPartition(name, p)).toList();
          await(name + " records", () -> {
            long total = counter.endOffsets(partitions).values().stream().mapToLong(Long::longValue).sum();
            return total >= messages ? Boolean.TRUE : null;
          });
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        awaitQueueEmpty(queue);
        connect.deleteConnector(name);
        rates.computeIfAbsent(tasks, t -> new ArrayList<>()).add(messages / seconds);
        System.out.printf("BENCH round %d tasks %d: %d notifications in %.2f s = %.0f notifications/s%n",
            round, tasks, messages, seconds, messages / seconds);
      }
    }
    rates.forEach((tasks, values) -> System.out.printf("BENCH tasks %d: median %.0f notifications/s (runs %s)%n",
        tasks, values.stream().sorted().toList().get(values.size() / 2), values));
  }

  /**
   * A message making two records (a notification with two Records) is deleted only after Kafka
   * acknowledged both; delivered again meanwhile (1 s visibility timeout), it is not converted again.
   */
  @Test
  void aMessageIsDeletedOnlyAfterAllItsRecordsAreAcknowledgedAndNotConvertedTwice() throws Exception {
    String queue = sqs.createQueue(r -> r.queueName("two-records")
        .attributes(Map.of(QueueAttributeName.VISIBILITY_TIMEOUT, "1"))).queueUrl();
    sqs.sendMessage(r -> r.queueUrl(queue).messageBody(fixture("s3-notification-encoded-key.json")));
    S3EventSourceTask task = new S3EventSourceTask();
    task.start(connectorConfig(queue, 1));
    try {
      List<SourceRecord> records = new ArrayList<>();
      long deadline = System.nanoTime() + TIMEOUT.toNanos();
      while (records.size() < 2 && System.nanoTime() < deadline) {
        Optional.ofNullable(task.poll()).ifPresent(records::addAll);
      }
      assertThat(records).hasSize(2);

      task.commitRecord(records.get(0), null);
      // for 3 s (3 visibility timeouts) the message keeps coming back, and makes nothing new
      long observeUntil = System.nanoTime() + Duration.ofSeconds(3).toNanos();
      while (System.nanoTime() < observeUntil) {
        assertThat(task.poll()).isNull();
      }
      assertThat(messagesIn(queue)).isEqualTo(1);

      task.commitRecord(records.get(1), null);
      awaitQueueEmpty(queue);
    } finally {
      task.stop();
    }
  }

  private int messagesIn(String queue) {
    Map<QueueAttributeName, String> attributes = sqs.getQueueAttributes(r -> r.queueUrl(queue).attributeNames(
        QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES, QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE))
        .attributes();
    return attributes.values().stream().mapToInt(Integer::parseInt).sum();
  }

  /** Runs a task until it made {@code count} records, writes them to Kafka and waits for the acks. */
  private List<SourceRecord> pollAndWrite(Map<String, String> props, int count, boolean acknowledge) throws Exception {
    S3EventSourceTask task = new S3EventSourceTask();
    task.start(props);
    List<SourceRecord> records = new ArrayList<>();
    try (KafkaProducer<byte[], byte[]> producer = connect.kafka().createProducer(Map.of())) {
      long deadline = System.nanoTime() + TIMEOUT.toNanos();
      while (records.size() < count && System.nanoTime() < deadline) {
        List<SourceRecord> polled = task.poll();
        if (polled != null) {
          records.addAll(polled);
        }
      }
      assertThat(records).hasSize(count);
      for (SourceRecord record : records) {
        var metadata = producer.send(new ProducerRecord<>(record.topic(), (byte[]) record.key(), (byte[]) record.value())).get();
        if (acknowledge) {
          task.commitRecord(record, metadata);
        }
      }
    } finally {
      task.stop();
    }
    return records;
  }

  private static String fixture(String name) {
    try {
      return Files.readString(Path.of("..", "examples", "events", name));
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static String reason(ConsumerRecord<byte[], byte[]> record) {
    String reason = header(record, SourceRecords.HEADER_REASON);
    return reason == null ? "" : reason;
  }

  private static String header(ConsumerRecord<byte[], byte[]> record, String name) {
    Header header = record.headers().lastHeader(name);
    return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
  }
}
