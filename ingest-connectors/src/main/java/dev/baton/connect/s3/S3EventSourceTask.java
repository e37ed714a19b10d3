package dev.baton.connect.s3;

import dev.baton.schemas.EventSerde;
import dev.baton.schemas.event.ObjectCreated;
import dev.baton.schemas.event.ObjectSource;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.errors.RetriableException;
import org.apache.kafka.connect.source.SourceRecord;
import org.apache.kafka.connect.source.SourceTask;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * Listing mode: every {@code listing.poll.interval.ms}, lists the bucket/prefix (ListObjectsV2,
 * all pages) and emits an {@code ObjectCreated} (Confluent-framed Avro, key {@code bucket/key})
 * for each object the {@link ListingWatermark} has not seen, oldest first. The watermark travels
 * in each record's source offset.
 */
public final class S3EventSourceTask extends SourceTask {
  private static final Logger LOG = LoggerFactory.getLogger(S3EventSourceTask.class);

  private S3EventSourceConfig config;
  private S3Client s3;
  private EventSerde serde;
  private Map<String, String> sourcePartition;
  private ListingWatermark watermark;
  private final List<S3Object> pending = new ArrayList<>();
  private long nextListingAtMs;
  private final CountDownLatch stopped = new CountDownLatch(1);

  @Override
  public String version() {
    return S3EventSourceConnector.VERSION;
  }

  @Override
  public void start(Map<String, String> props) {
    config = new S3EventSourceConfig(props);
    s3 = client(config);
    serde = EventSerde.builtIn();
    // a sorted map: Connect looks offsets up by the serialized partition, and Map.of's iteration
    // order changes from one JVM to the next
    sourcePartition = new TreeMap<>(Map.of("bucket", config.bucket(), "prefix", config.prefix()));
    watermark = ListingWatermark.fromOffset(context.offsetStorageReader().offset(sourcePartition), config.graceMs());
    LOG.info("Watching s3://{}/{} by listing every {} ms", config.bucket(), config.prefix(), config.pollIntervalMs());
  }

  static S3Client client(S3EventSourceConfig config) {
    S3ClientBuilder builder = S3Client.builder()
        .httpClientBuilder(UrlConnectionHttpClient.builder())
        .region(Region.of(config.region()))
        .forcePathStyle(config.pathStyleAccess());
    if (!config.endpoint().isBlank()) {
      builder.endpointOverride(URI.create(config.endpoint()));
    }
    if (!config.accessKeyId().isBlank()) {
      builder.credentialsProvider(StaticCredentialsProvider.create(
          AwsBasicCredentials.create(config.accessKeyId(), config.secretAccessKey().value())));
    } else {
      builder.credentialsProvider(DefaultCredentialsProvider.create());
    }
    return builder.build();
  }

  @Override
  public List<SourceRecord> poll() throws InterruptedException {
    if (pending.isEmpty()) {
      long waitMs = nextListingAtMs - System.currentTimeMillis();
      if (waitMs > 0 && stopped.await(waitMs, TimeUnit.MILLISECONDS)) {
        return null;
      }
      nextListingAtMs = System.currentTimeMillis() + config.pollIntervalMs();
      list();
      if (pending.isEmpty()) {
        return null;
      }
    }
    List<SourceRecord> records = new ArrayList<>();
    while (!pending.isEmpty() && records.size() < config.batchMaxRecords()) {
      S3Object object = pending.remove(0);
      long lastModifiedMs = object.lastModified().toEpochMilli();
      if (!watermark.isNew(object.key(), lastModifiedMs)) {
        continue;
      }
      watermark = watermark.with(object.key(), lastModifiedMs);
      ObjectCreated event = ObjectCreated.newBuilder()
          .setEventId("listing:" + config.bucket() + "/" + object.key() + ":" + object.eTag())
          .setBucket(config.bucket())
          .setKey(object.key())
          .setSize(object.size())
          .setEtag(object.eTag())
          .setSequencer(null)
          .setVersionId(null)
          .setEventTime(Instant.ofEpochMilli(lastModifiedMs))
          .setSource(ObjectSource.LISTING)
          .build();
      byte[] key = (config.bucket() + "/" + object.key()).getBytes(StandardCharsets.UTF_8);
      records.add(new SourceRecord(sourcePartition, watermark.toOffset(), config.topic(), null,
          Schema.BYTES_SCHEMA, key, Schema.BYTES_SCHEMA, serde.serialize(config.topic(), event)));
    }
    return records.isEmpty() ? null : records;
  }

  private void list() {
    try {
      List<S3Object> objects = new ArrayList<>();
      s3.listObjectsV2Paginator(request -> request.bucket(config.bucket()).prefix(config.prefix()))
          .contents()
          .forEach(object -> {
            if (!object.key().endsWith("/") && watermark.isNew(object.key(), object.lastModified().toEpochMilli())) {
              objects.add(object);
            }
          });
      objects.sort(Comparator.comparing(S3Object::lastModified).thenComparing(S3Object::key));
      pending.addAll(objects);
    } catch (SdkException e) {
      throw new RetriableException("Cannot list s3://" + config.bucket() + "/" + config.prefix() + ": " + e.getMessage(), e);
    }
  }

  @Override
  public void stop() {
    stopped.countDown();
    if (s3 != null) {
      s3.close();
    }
  }
}
