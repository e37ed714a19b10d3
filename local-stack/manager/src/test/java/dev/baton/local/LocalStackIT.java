package dev.baton.local;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

class LocalStackIT {
  private static final ObjectMapper JSON = new ObjectMapper();

  private static LocalStack stack;
  private static LocalEndpoints endpoints;
  private static Path home;

  @BeforeAll
  static void up() throws Exception {
    Path repo = Path.of(System.getProperty("baton.repo.dir", "../.."));
    home = Files.createTempDirectory(Path.of("target"), "it-home");
    Path pluginPath = Files.createDirectories(home.resolve("plugins"));
    stack = new LocalStack(home, ServiceClasspaths.fromRepository(repo, pluginPath), Map.of("it.topic", 2));
    endpoints = stack.up(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
  }

  @AfterAll
  static void down() {
    if (stack != null) {
      stack.down();
    }
  }

  @Test
  void upTwiceReusesTheRunningServices() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    LocalEndpoints again = stack.up(new PrintStream(out, true, StandardCharsets.UTF_8));

    assertThat(again).isEqualTo(endpoints);
    assertThat(out.toString(StandardCharsets.UTF_8)).contains("already running").doesNotContain("started");
    assertThat(stack.status()).contains(endpoints);
    assertThat(stack.serviceStates()).containsOnly(
        Map.entry("kafka", "running"), Map.entry("sqs", "running"), Map.entry("s3", "running"),
        Map.entry("connect", "running"));
  }

  @Test
  void kafkaBrokerCarriesRecordsOnTheCreatedTopic() {
    try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, endpoints.kafkaBootstrap(),
        ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class,
        ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class))) {
      for (int i = 0; i < 10; i++) {
        producer.send(new ProducerRecord<>("it.topic", "k" + i, "v" + i));
      }
    }
    List<String> values = new ArrayList<>();
    try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of(
        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, endpoints.kafkaBootstrap(),
        ConsumerConfig.GROUP_ID_CONFIG, "it",
        ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
        ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class,
        ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class))) {
      consumer.subscribe(List.of("it.topic"));
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (values.size() < 10 && System.nanoTime() < deadline) {
        for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(200))) {
          values.add(record.value());
        }
      }
    }
    assertThat(values).containsExactlyInAnyOrder("v0", "v1", "v2", "v3", "v4", "v5", "v6", "v7", "v8", "v9");
  }

  @Test
  void s3EndpointStoresObjectsWithTheGeneratedCredentials() {
    try (S3Client s3 = client()) {
      s3.putObject(b -> b.bucket("landing").key("it/hello.txt"), RequestBody.fromString("hello, baton"));
      assertThat(s3.getObjectAsBytes(b -> b.bucket("landing").key("it/hello.txt")).asUtf8String())
          .isEqualTo("hello, baton");
      assertThat(s3.listBuckets().buckets()).extracting(b -> b.name()).containsAll(LocalStack.BUCKETS);
    }
  }

  @Test
  void s3EndpointCompletesMultipartUploads() {
    // Iceberg's S3FileIO writes data files above 48 MB as multipart uploads
    byte[] part1 = new byte[5 * 1024 * 1024];
    java.util.Arrays.fill(part1, (byte) 'a');
    byte[] part2 = "tail".getBytes(StandardCharsets.UTF_8);
    try (S3Client s3 = client()) {
      String uploadId = s3.createMultipartUpload(b -> b.bucket("warehouse").key("it/multi.bin")).uploadId();
      String etag1 = s3.uploadPart(b -> b.bucket("warehouse").key("it/multi.bin").uploadId(uploadId).partNumber(1),
          RequestBody.fromBytes(part1)).eTag();
      String etag2 = s3.uploadPart(b -> b.bucket("warehouse").key("it/multi.bin").uploadId(uploadId).partNumber(2),
          RequestBody.fromBytes(part2)).eTag();
      s3.completeMultipartUpload(b -> b.bucket("warehouse").key("it/multi.bin").uploadId(uploadId)
          .multipartUpload(m -> m.parts(
              CompletedPart.builder().partNumber(1).eTag(etag1).build(),
              CompletedPart.builder().partNumber(2).eTag(etag2).build())));

      byte[] stored = s3.getObjectAsBytes(b -> b.bucket("warehouse").key("it/multi.bin")).asByteArray();
      assertThat(stored).hasSize(part1.length + part2.length);
      assertThat(new String(stored, part1.length, part2.length, StandardCharsets.UTF_8)).isEqualTo("tail");
    }
  }

  @Test
  void objectsCreatedInLandingAreAnnouncedOnTheEventQueue() {
    String key = "it/events/day 1/caf\u00e9 \u00fc.csv";
    byte[] bytes = "id,name\n1,\u00fc\n".getBytes(StandardCharsets.UTF_8);
    try (S3Client s3 = client(); SqsClient sqs = sqsClient()) {
      s3.putObject(b -> b.bucket("landing").key(key), RequestBody.fromBytes(bytes));

      JsonNode record = receiveUntil(sqs, r -> decodedKey(r).equals(key)).stream()
          .filter(r -> decodedKey(r).equals(key))
          .findFirst()
          .orElseThrow(() -> new AssertionError("no event for landing/" + key + " within 30 s"));
      assertThat(record.get("eventName").asText()).isEqualTo("ObjectCreated:Put");
      assertThat(record.get("eventSource").asText()).isEqualTo("aws:s3");
      assertThat(record.at("/s3/bucket/name").asText()).isEqualTo("landing");
      assertThat(record.at("/s3/object/key").asText()).doesNotContain(" ").contains("/");
      assertThat(record.at("/s3/object/size").asLong()).isEqualTo(bytes.length);
      assertThat(record.at("/s3/object/eTag").asText()).isNotBlank().doesNotContain("\"");
    }
  }

  @Test
  void multipartUploadToLandingIsAnnouncedOnceWhenCompleted() {
    String key = "it/events/multi.bin";
    try (S3Client s3 = client(); SqsClient sqs = sqsClient()) {
      String uploadId = s3.createMultipartUpload(b -> b.bucket("landing").key(key)).uploadId();
      String etag = s3.uploadPart(b -> b.bucket("landing").key(key).uploadId(uploadId).partNumber(1),
          RequestBody.fromString("only part")).eTag();
      s3.completeMultipartUpload(b -> b.bucket("landing").key(key).uploadId(uploadId)
          .multipartUpload(m -> m.parts(CompletedPart.builder().partNumber(1).eTag(etag).build())));

      List<JsonNode> records = receiveUntil(sqs, r -> decodedKey(r).equals(key));
      assertThat(records).filteredOn(r -> decodedKey(r).equals(key))
          .singleElement()
          .satisfies(r -> assertThat(r.get("eventName").asText()).isEqualTo("ObjectCreated:CompleteMultipartUpload"))
          .satisfies(r -> assertThat(r.at("/s3/object/size").asLong()).isEqualTo(9));
      // S3Proxy's stub object for the open upload is not an object of the bucket's user
      assertThat(records).noneMatch(r -> decodedKey(r).contains(uploadId));
    }
  }

  @Test
  void objectsCreatedInWarehouseAreNotAnnounced() {
    try (S3Client s3 = client(); SqsClient sqs = sqsClient()) {
      s3.putObject(b -> b.bucket("warehouse").key("it/events/not-announced.csv"), RequestBody.fromString("x"));

      // the notifier sends before S3 answers, so a message would already be queued: read until empty
      List<JsonNode> records = receiveUntil(sqs, r -> false);
      assertThat(records).noneMatch(r -> r.at("/s3/bucket/name").asText().equals("warehouse"));
    }
  }

  @Test
  void eventQueueRedrivesToItsDeadLetterQueue() {
    try (SqsClient sqs = sqsClient()) {
      assertThat(sqs.getQueueUrl(b -> b.queueName(LocalStack.S3_EVENTS_QUEUE)).queueUrl())
          .isEqualTo(endpoints.s3EventsQueueUrl())
          .isEqualTo(endpoints.sqsEndpoint() + "/000000000000/baton-s3-events");
      assertThat(sqs.getQueueUrl(b -> b.queueName(LocalStack.S3_EVENTS_DEAD_LETTER_QUEUE)).queueUrl())
          .isEqualTo(endpoints.sqsEndpoint() + "/000000000000/baton-s3-events-dlq");
      Map<QueueAttributeName, String> attributes = sqs.getQueueAttributes(b -> b.queueUrl(endpoints.s3EventsQueueUrl())
          .attributeNames(QueueAttributeName.VISIBILITY_TIMEOUT, QueueAttributeName.REDRIVE_POLICY)).attributes();
      assertThat(attributes.get(QueueAttributeName.VISIBILITY_TIMEOUT)).isEqualTo("30");
      assertThat(attributes.get(QueueAttributeName.REDRIVE_POLICY))
          .contains("baton-s3-events-dlq").contains("\"maxReceiveCount\":5");
    }
  }

  /**
   * Receives (long polls of 1 s) and deletes event records until one matches {@code until} or a
   * receive comes back empty, for at most 30 s; returns every record received.
   */
  private static List<JsonNode> receiveUntil(SqsClient sqs, Predicate<JsonNode> until) {
    List<JsonNode> records = new ArrayList<>();
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (System.nanoTime() < deadline) {
      List<Message> messages = sqs.receiveMessage(b -> b.queueUrl(endpoints.s3EventsQueueUrl())
          .maxNumberOfMessages(10).waitTimeSeconds(1)).messages();
      if (messages.isEmpty()) {
        return records;
      }
      for (Message message : messages) {
        sqs.deleteMessage(b -> b.queueUrl(endpoints.s3EventsQueueUrl()).receiptHandle(message.receiptHandle()));
        try {
          JSON.readTree(message.body()).get("Records").forEach(records::add);
        } catch (IOException e) {
          throw new UncheckedIOException("Not JSON: " + message.body(), e);
        }
      }
      if (records.stream().anyMatch(until)) {
        return records;
      }
    }
    return records;
  }

  private static String decodedKey(JsonNode record) {
    return URLDecoder.decode(record.at("/s3/object/key").asText(), StandardCharsets.UTF_8);
  }

  private static SqsClient sqsClient() {
    return SqsClient.builder()
        .endpointOverride(endpoints.sqsEndpoint())
        .region(Region.of(endpoints.region()))
        .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local")))
        .build();
  }

  private static S3Client client() {
    return S3Client.builder()
        .endpointOverride(endpoints.s3Endpoint())
        .forcePathStyle(true)
        .region(Region.of(endpoints.region()))
        .credentialsProvider(StaticCredentialsProvider.create(
            AwsBasicCredentials.create(endpoints.s3AccessKey(), endpoints.s3SecretKey())))
        .build();
  }
}
