package dev.baton.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.URLDecoder;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import java.util.zip.CRC32;
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
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.interceptor.SdkExecutionAttribute;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.SdkHttpHeaders;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.ChecksumAlgorithm;
import software.amazon.awssdk.services.s3.model.ChecksumMode;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.UploadPartResponse;
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
    stack = new LocalStack(home, ServiceClasspaths.fromRepository(repo, List.of(pluginPath)), Map.of("it.topic", 2));
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

  /*
   * Flexible checksums, as AWS SDKs (Java v2 from 2.30) and current AWS CLIs send them by default;
   * S3Proxy 2.7 answered 501 NotImplemented to them. Our SDK (2.29) sends the same requests when asked:
   * an aws-chunked body with a CRC32 trailer for a checksum algorithm, a header for a checksum value.
   * S3Proxy 3.3 keeps no checksum to return, so reads in checksum mode are accepted but give the SDK
   * nothing to validate.
   */

  @Test
  void s3EndpointAcceptsPutObjectWithATrailingChecksum() {
    byte[] small = "id,name\n1,checksum\n".getBytes(StandardCharsets.UTF_8);
    byte[] large = randomBytes(6 * 1024 * 1024 + 17);
    SentRequests sent = new SentRequests();
    try (S3Client s3 = recordingClient(sent); SqsClient sqs = sqsClient()) {
      s3.putObject(b -> b.bucket("landing").key("it/checksums/small.csv").checksumAlgorithm(ChecksumAlgorithm.CRC32),
          RequestBody.fromBytes(small));
      s3.putObject(b -> b.bucket("landing").key("it/checksums/large.bin").checksumAlgorithm(ChecksumAlgorithm.CRC32),
          RequestBody.fromBytes(large));

      assertThat(s3.getObjectAsBytes(b -> b.bucket("landing").key("it/checksums/small.csv")
          .checksumMode(ChecksumMode.ENABLED)).asByteArray()).isEqualTo(small);
      assertThat(s3.getObjectAsBytes(b -> b.bucket("landing").key("it/checksums/large.bin")
          .checksumMode(ChecksumMode.ENABLED)).asByteArray()).isEqualTo(large);
      // the event announces the stored size, not the length of the chunk-encoded request body
      List<JsonNode> records = receiveUntil(sqs, r -> decodedKey(r).equals("it/checksums/large.bin"));
      assertThat(records).filteredOn(r -> decodedKey(r).equals("it/checksums/large.bin")).singleElement()
          .satisfies(r -> assertThat(r.at("/s3/object/size").asLong()).isEqualTo(large.length));
    }
    assertThat(sent.of("PutObject")).hasSize(2).allSatisfy(LocalStackIT::carriesATrailingCrc32);
    assertThat(sent.of("PutObject")).extracting(r -> r.firstMatchingHeader("x-amz-decoded-content-length"))
        .containsExactly(Optional.of(String.valueOf(small.length)), Optional.of(String.valueOf(large.length)));
    assertThat(sent.of("GetObject")).hasSize(2)
        .allSatisfy(r -> assertThat(r.firstMatchingHeader("x-amz-checksum-mode")).contains("ENABLED"));
  }

  @Test
  void s3EndpointVerifiesAChecksumSentAsAHeader() {
    // how the AWS CLI sends its default CRC32 over plain HTTP: a header, computed before sending
    byte[] bytes = "id,name\n1,header\n".getBytes(StandardCharsets.UTF_8);
    CRC32 crc32 = new CRC32();
    crc32.update(bytes);
    String checksum = Base64.getEncoder().encodeToString(ByteBuffer.allocate(4).putInt((int) crc32.getValue()).array());
    SentRequests sent = new SentRequests();
    try (S3Client s3 = recordingClient(sent)) {
      s3.putObject(b -> b.bucket("landing").key("it/checksums/header.csv").checksumCRC32(checksum),
          RequestBody.fromBytes(bytes));
      assertThat(s3.getObjectAsBytes(b -> b.bucket("landing").key("it/checksums/header.csv")
          .checksumMode(ChecksumMode.ENABLED)).asByteArray()).isEqualTo(bytes);

      assertThatThrownBy(() -> s3.putObject(b -> b.bucket("landing").key("it/checksums/corrupt.csv")
              .checksumCRC32("AAAAAA=="), RequestBody.fromBytes(bytes)))
          .isInstanceOfSatisfying(S3Exception.class, e -> assertThat(e.awsErrorDetails().errorCode()).isEqualTo("BadDigest"));
      assertThatThrownBy(() -> s3.headObject(b -> b.bucket("landing").key("it/checksums/corrupt.csv")))
          .isInstanceOf(NoSuchKeyException.class);
    }
    assertThat(sent.of("PutObject")).hasSize(2).allSatisfy(r -> {
      assertThat(r.firstMatchingHeader("x-amz-checksum-crc32")).isPresent();
      assertThat(r.firstMatchingHeader("x-amz-trailer")).isEmpty();
    });
  }

  @Test
  void s3EndpointAcceptsMultipartUploadsWithTrailingChecksums() {
    // as the AWS CLI (over HTTPS) and SDK transfer managers upload a large file: CRC32 declared up front,
    // each part's CRC32 in a trailer and sent back on completion
    byte[] part1 = randomBytes(5 * 1024 * 1024);
    byte[] part2 = randomBytes(1024 * 1024 + 3);
    String key = "it/checksums/multi.bin";
    SentRequests sent = new SentRequests();
    try (S3Client s3 = recordingClient(sent)) {
      String uploadId = s3.createMultipartUpload(b -> b.bucket("landing").key(key)
          .checksumAlgorithm(ChecksumAlgorithm.CRC32)).uploadId();
      UploadPartResponse uploaded1 = s3.uploadPart(b -> b.bucket("landing").key(key).uploadId(uploadId).partNumber(1)
          .checksumAlgorithm(ChecksumAlgorithm.CRC32), RequestBody.fromBytes(part1));
      UploadPartResponse uploaded2 = s3.uploadPart(b -> b.bucket("landing").key(key).uploadId(uploadId).partNumber(2)
          .checksumAlgorithm(ChecksumAlgorithm.CRC32), RequestBody.fromBytes(part2));
      s3.completeMultipartUpload(b -> b.bucket("landing").key(key).uploadId(uploadId)
          .multipartUpload(m -> m.parts(
              CompletedPart.builder().partNumber(1).eTag(uploaded1.eTag()).checksumCRC32(uploaded1.checksumCRC32()).build(),
              CompletedPart.builder().partNumber(2).eTag(uploaded2.eTag()).checksumCRC32(uploaded2.checksumCRC32()).build())));

      byte[] expected = new byte[part1.length + part2.length];
      System.arraycopy(part1, 0, expected, 0, part1.length);
      System.arraycopy(part2, 0, expected, part1.length, part2.length);
      assertThat(s3.getObjectAsBytes(b -> b.bucket("landing").key(key).checksumMode(ChecksumMode.ENABLED)).asByteArray())
          .isEqualTo(expected);
    }
    assertThat(sent.of("UploadPart")).hasSize(2).allSatisfy(LocalStackIT::carriesATrailingCrc32);
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

  /** The headers of an upload whose body is aws-chunked with its CRC32 in a trailer. */
  private static void carriesATrailingCrc32(SdkHttpHeaders request) {
    assertThat(request.firstMatchingHeader("x-amz-sdk-checksum-algorithm")).contains("CRC32");
    assertThat(request.firstMatchingHeader("x-amz-trailer")).contains("x-amz-checksum-crc32");
    assertThat(request.firstMatchingHeader("Content-Encoding")).hasValueSatisfying(v -> assertThat(v).contains("aws-chunked"));
    assertThat(request.firstMatchingHeader("x-amz-content-sha256"))
        .hasValueSatisfying(v -> assertThat(v).startsWith("STREAMING-").endsWith("-TRAILER"));
  }

  private static byte[] randomBytes(int length) {
    byte[] bytes = new byte[length];
    new Random(length).nextBytes(bytes);
    return bytes;
  }

  /** Records each request as sent (signed), by operation name. */
  private static final class SentRequests implements ExecutionInterceptor {
    private final Map<String, List<SdkHttpHeaders>> sent = new ConcurrentHashMap<>();

    @Override
    public void beforeTransmission(Context.BeforeTransmission context, ExecutionAttributes attributes) {
      sent.computeIfAbsent(attributes.getAttribute(SdkExecutionAttribute.OPERATION_NAME),
          operation -> new CopyOnWriteArrayList<>()).add(context.httpRequest());
    }

    List<SdkHttpHeaders> of(String operation) {
      return sent.getOrDefault(operation, List.of());
    }
  }

  /** An S3 client that records the requests it sends on {@code interceptor}. */
  private static S3Client recordingClient(ExecutionInterceptor interceptor) {
    return S3Client.builder()
        .endpointOverride(endpoints.s3Endpoint())
        .forcePathStyle(true)
        .region(Region.of(endpoints.region()))
        .credentialsProvider(StaticCredentialsProvider.create(
            AwsBasicCredentials.create(endpoints.s3AccessKey(), endpoints.s3SecretKey())))
        .overrideConfiguration(c -> c.addExecutionInterceptor(interceptor))
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
