package dev.baton.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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

class LocalStackIT {

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
        Map.entry("kafka", "running"), Map.entry("s3", "running"), Map.entry("connect", "running"));
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
              software.amazon.awssdk.services.s3.model.CompletedPart.builder().partNumber(1).eTag(etag1).build(),
              software.amazon.awssdk.services.s3.model.CompletedPart.builder().partNumber(2).eTag(etag2).build())));

      byte[] stored = s3.getObjectAsBytes(b -> b.bucket("warehouse").key("it/multi.bin")).asByteArray();
      assertThat(stored).hasSize(part1.length + part2.length);
      assertThat(new String(stored, part1.length, part2.length, StandardCharsets.UTF_8)).isEqualTo("tail");
    }
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
