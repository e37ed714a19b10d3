package dev.baton.connect.s3;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.schemas.EventSerde;
import dev.baton.schemas.event.ObjectCreated;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
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
import software.amazon.awssdk.services.s3.model.CompletedPart;

/**
 * Listing mode and multipart uploads that outlast {@code listing.grace.ms}: the connector in a real
 * Kafka Connect worker (EmbeddedConnectCluster) lists a real S3Proxy (own JVM). An upload is
 * started, objects put after it move the watermark more than the grace window past its start, then
 * the upload completes: its object must be emitted, exactly once, also when the task restarts in
 * between.
 *
 * <p>What S3Proxy does and what this test therefore proves: S3 gives a multipart upload's object the
 * upload's start as LastModified; S3Proxy (jclouds filesystem) gives it the completion time (the
 * file's mtime, written at completion) and reports the time of the listing as an upload's
 * Initiated. Left as is, the completed object would look newer than the watermark and be emitted
 * even by a watcher that ignores multipart uploads. So the test sets the completed file's mtime to
 * the time the upload was started, which S3Proxy then reports as its LastModified, as S3 would: the
 * listing sees exactly what it sees on S3 (the object appears behind the watermark), while the
 * connector learns of the upload only from ListMultipartUploads, as on S3. The connector is paused
 * (or stopped) across the completion so that no listing sees the object before its mtime is set.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ListingMultipartUploadIT {
  private static final String BUCKET = "watched";
  private static final String ACCESS_KEY = "it-access";
  private static final String SECRET_KEY = "it-secret-key";
  private static final long GRACE_MS = 2_000;
  private static final EventSerde SERDE = EventSerde.builtIn();
  private static final Duration TIMEOUT = Duration.ofSeconds(90);

  private Path s3Data;
  private ServiceProcess s3Process;
  private EmbeddedConnectCluster connect;
  private S3Client s3;
  private KafkaConsumer<byte[], byte[]> consumer;
  private final List<ObjectCreated> read = new ArrayList<>();

  @BeforeAll
  void start() throws Exception {
    Path work = Files.createTempDirectory("baton-listing-it");
    s3Data = work.resolve("s3");
    s3Process = ServiceProcess.s3WithoutNotifications(s3Data, work.resolve("logs"), ACCESS_KEY, SECRET_KEY, BUCKET);
    s3 = S3Client.builder().httpClientBuilder(UrlConnectionHttpClient.builder()).region(Region.US_EAST_1)
        .endpointOverride(URI.create("http://127.0.0.1:" + s3Process.port)).forcePathStyle(true)
        .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(ACCESS_KEY, SECRET_KEY))).build();

    Map<String, String> worker = new HashMap<>();
    worker.put("key.converter", "org.apache.kafka.connect.converters.ByteArrayConverter");
    worker.put("value.converter", "org.apache.kafka.connect.converters.ByteArrayConverter");
    worker.put("offset.flush.interval.ms", "500");
    connect = new EmbeddedConnectCluster.Builder().name("baton-listing-it").numWorkers(1).numBrokers(1)
        .workerProps(worker).brokerProps(new Properties()).build();
    connect.start();
    for (String topic : List.of("baton.objects", "baton.control", "baton.dlq")) {
      connect.kafka().createTopic(topic, 1);
    }
    consumer = connect.kafka().createConsumer(Map.of("auto.offset.reset", "earliest"));
    consumer.assign(List.of(new TopicPartition("baton.objects", 0)));
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
  }

  private Map<String, String> connectorConfig(String prefix) {
    Map<String, String> config = new LinkedHashMap<>();
    config.put("connector.class", S3EventSourceConnector.class.getName());
    config.put("tasks.max", "1");
    config.put("mode", "listing");
    config.put("s3.bucket", BUCKET);
    config.put("s3.prefixes", prefix);
    config.put("s3.endpoint", "http://127.0.0.1:" + s3Process.port);
    config.put("s3.path.style.access", "true");
    config.put("s3.access.key.id", ACCESS_KEY);
    config.put("s3.secret.access.key", SECRET_KEY);
    config.put("poll.interval.ms", "200");
    config.put("listing.grace.ms", String.valueOf(GRACE_MS));
    return config;
  }

  @Test
  void aMultipartUploadThatOutlastsTheGraceWindowIsEmittedOnceItCompletes() throws Exception {
    String prefix = "paused/";
    String connector = "listing-paused";
    connect.configureConnector(connector, connectorConfig(prefix));
    connect.assertions().assertConnectorAndExactlyNumTasksAreRunning(connector, 1, "connector did not start");
    Upload upload = startUploadAndOutlastTheGrace(prefix);

    connect.pauseConnector(connector);
    connect.assertions().assertConnectorAndExactlyNumTasksArePaused(connector, 1, "connector did not pause");
    Instant lastModified = complete(upload);
    connect.resumeConnector(connector);
    connect.assertions().assertConnectorAndExactlyNumTasksAreRunning(connector, 1, "connector did not resume");

    assertEmittedOnce(prefix, upload, lastModified);
    connect.deleteConnector(connector);
  }

  @Test
  void aMultipartUploadCompletedWhileTheTaskIsStoppedIsEmittedOnceAfterTheRestart() throws Exception {
    String prefix = "stopped/";
    String connector = "listing-stopped";
    connect.configureConnector(connector, connectorConfig(prefix));
    connect.assertions().assertConnectorAndExactlyNumTasksAreRunning(connector, 1, "connector did not start");
    Upload upload = startUploadAndOutlastTheGrace(prefix);

    connect.stopConnector(connector); // the task stops; its watermark survives only in the source offset
    connect.assertions().assertConnectorIsStopped(connector, "connector did not stop");
    Instant lastModified = complete(upload);
    connect.resumeConnector(connector);
    connect.assertions().assertConnectorAndExactlyNumTasksAreRunning(connector, 1, "connector did not resume");

    assertEmittedOnce(prefix, upload, lastModified);
    connect.deleteConnector(connector);
  }

  private record Upload(String key, String uploadId, Instant startedAt, String partETag) {}

  /**
   * Starts a multipart upload under {@code prefix} and puts objects until one is emitted whose
   * LastModified is more than the grace window past the upload's start.
   */
  private Upload startUploadAndOutlastTheGrace(String prefix) throws Exception {
    put(prefix + "before.csv");
    awaitEmitted(prefix + "before.csv");
    String key = prefix + "big.csv";
    // S3 and S3Proxy give LastModified to the second: the start as S3 would report it
    Instant startedAt = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    String uploadId = s3.createMultipartUpload(r -> r.bucket(BUCKET).key(key)).uploadId();
    String eTag = s3.uploadPart(r -> r.bucket(BUCKET).key(key).uploadId(uploadId).partNumber(1),
        RequestBody.fromString("the only part")).eTag();
    for (int tick = 0; ; tick++) {
      put(prefix + "tick-" + tick + ".csv");
      Instant emittedLastModified = awaitEmitted(prefix + "tick-" + tick + ".csv").getEventTime();
      if (emittedLastModified.isAfter(startedAt.plusMillis(GRACE_MS + 1_000))) {
        break; // the watermark minus the grace is past the upload's start
      }
      assertThat(tick).as("ticks to pass the grace window").isLessThan(1_000);
    }
    return new Upload(key, uploadId, startedAt, eTag);
  }

  /** Completes the upload and gives its object the LastModified S3 gives it: the upload's start. */
  private Instant complete(Upload upload) throws Exception {
    s3.completeMultipartUpload(r -> r.bucket(BUCKET).key(upload.key()).uploadId(upload.uploadId())
        .multipartUpload(m -> m.parts(CompletedPart.builder().partNumber(1).eTag(upload.partETag()).build())));
    Files.setLastModifiedTime(s3Data.resolve(BUCKET).resolve(upload.key()), FileTime.from(upload.startedAt()));
    Instant lastModified = s3.headObject(r -> r.bucket(BUCKET).key(upload.key())).lastModified();
    assertThat(lastModified).as("LastModified S3Proxy reports for the completed upload").isEqualTo(upload.startedAt());
    return lastModified;
  }

  /** Two more listings after the completion (objects put after it emitted), then the upload's object once. */
  private void assertEmittedOnce(String prefix, Upload upload, Instant lastModified) throws Exception {
    put(prefix + "after-1.csv");
    awaitEmitted(prefix + "after-1.csv");
    put(prefix + "after-2.csv");
    awaitEmitted(prefix + "after-2.csv");
    List<ObjectCreated> emitted = read.stream().filter(e -> e.getKey().equals(upload.key())).toList();
    assertThat(emitted).as("ObjectCreated of %s", upload.key()).singleElement().satisfies(event -> {
      assertThat(event.getEventTime()).isEqualTo(lastModified);
      assertThat(event.getSize()).isEqualTo("the only part".length());
      assertThat(event.getBucket()).isEqualTo(BUCKET);
    });
    // and nothing else twice
    assertThat(read.stream().filter(e -> e.getKey().startsWith(prefix)).map(ObjectCreated::getKey))
        .doesNotHaveDuplicates();
  }

  private void put(String key) {
    s3.putObject(r -> r.bucket(BUCKET).key(key), RequestBody.fromString("row of " + key));
  }

  private ObjectCreated awaitEmitted(String key) {
    long deadline = System.nanoTime() + TIMEOUT.toNanos();
    while (true) {
      for (ObjectCreated event : read) {
        if (event.getKey().equals(key)) {
          return event;
        }
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError("Timed out waiting for the ObjectCreated of " + key + "; read " + read.size());
      }
      for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
        read.add(SERDE.deserialize(record.value(), ObjectCreated.class));
      }
    }
  }
}
