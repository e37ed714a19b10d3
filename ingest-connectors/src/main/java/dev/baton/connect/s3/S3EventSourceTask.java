package dev.baton.connect.s3;

import dev.baton.schemas.EventSerde;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.connect.source.SourceRecord;
import org.apache.kafka.connect.source.SourceTask;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * A task of {@link S3EventSourceConnector}: {@link SqsPoller} in mode {@code sqs}, {@link
 * ListingPoller} in mode {@code listing}. Records: key {@code bucket/key} (ObjectCreated) or runId
 * (StageCompleted), value Confluent-framed Avro; dead letters carry the original bytes and a
 * {@code baton.dlq.reason} header. The worker must use the {@code ByteArrayConverter} for keys and values.
 */
public final class S3EventSourceTask extends SourceTask {
  private static final Logger LOG = LoggerFactory.getLogger(S3EventSourceTask.class);

  private S3EventSourceConfig config;
  private S3Client s3;
  private SqsPoller sqs;
  private ListingPoller listing;
  private long nextListingAtMs;
  private final CountDownLatch stopped = new CountDownLatch(1);

  @Override
  public String version() {
    return S3EventSourceConnector.VERSION;
  }

  @Override
  public void start(Map<String, String> props) {
    config = new S3EventSourceConfig(props);
    s3 = AwsClients.s3(config);
    ObjectRouter router = new ObjectRouter(config, EventSerde.builtIn(), s3);
    if (S3EventSourceConfig.MODE_SQS.equals(config.mode())) {
      sqs = new SqsPoller(config, AwsClients.sqs(config), new QueueMessageParser(config.eventBridgeKeysUrlEncoded()), router);
      LOG.info("Receiving S3/EventBridge events from {}", config.sqsQueueUrl());
    } else {
      listing = new ListingPoller(config, s3, router, context);
      LOG.info("Watching s3://{} prefixes {} by listing every {} ms", config.bucket(), config.prefixes(),
          config.pollIntervalMs());
    }
  }

  @Override
  public List<SourceRecord> poll() throws InterruptedException {
    if (sqs != null) {
      try {
        List<SourceRecord> records = sqs.poll();
        return records.isEmpty() ? null : records;
      } catch (org.apache.kafka.connect.errors.RetriableException e) {
        // back off, then let Connect poll again
        stopped.await(config.pollIntervalMs(), TimeUnit.MILLISECONDS);
        throw e;
      }
    }
    if (listing.drained()) {
      long waitMs = nextListingAtMs - System.currentTimeMillis();
      if (waitMs > 0 && stopped.await(waitMs, TimeUnit.MILLISECONDS)) {
        return null;
      }
      nextListingAtMs = System.currentTimeMillis() + config.pollIntervalMs();
      listing.list();
    }
    List<SourceRecord> records = listing.next();
    return records.isEmpty() ? null : records;
  }

  /** Kafka acknowledged {@code record} ({@code metadata} null: Connect dropped it, e.g. by a transform). */
  @Override
  public void commitRecord(SourceRecord record, RecordMetadata metadata) {
    if (sqs != null) {
      sqs.acknowledged(record);
    }
  }

  @Override
  public void stop() {
    stopped.countDown();
    if (sqs != null) {
      sqs.close();
    }
    if (s3 != null) {
      s3.close();
    }
  }
}
