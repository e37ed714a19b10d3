package dev.baton.connect.s3;

import dev.baton.schemas.EventSerde;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.connect.errors.RetriableException;
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
  private AwsEmrLookup emr;
  private ListingPoller listing;
  private long nextListingAtMs;

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
      emr = config.emrLookup() ? new AwsEmrLookup(config.emrServerlessEndpoint(), config.emrEndpoint(), config.emrContainersEndpoint(),
          AwsClients.credentials(config.emrAccessKeyId(), config.emrSecretAccessKey().value())) : null;
      sqs = new SqsPoller(config, AwsClients.sqs(config), new QueueMessageParser(config.eventBridgeKeysUrlEncoded(), emr),
          router);
      LOG.info("Receiving S3/EventBridge events from {}", config.sqsQueueUrl());
    } else {
      listing = new ListingPoller(config, s3, router, context);
      LOG.info("Watching s3://{} prefixes {} by listing every {} ms", config.bucket(), config.prefixes(),
          config.pollIntervalMs());
    }
  }

  /**
   * Connect stops a task only between two polls (KAFKA-10792, Kafka 2.8: {@code stop()} runs on the task
   * thread after {@code poll()} returns), so no poll waits more than about a second beyond the SQS
   * long poll ({@code sqs.wait.time.seconds}).
   */
  @Override
  public List<SourceRecord> poll() throws InterruptedException {
    try {
      List<SourceRecord> records = sqs != null ? sqs.poll() : pollListing();
      return records == null || records.isEmpty() ? null : records;
    } catch (RetriableException e) {
      // back off (briefly: a stop waits for this poll), then let Connect poll again
      Thread.sleep(Math.min(config.pollIntervalMs(), 1_000));
      throw e;
    }
  }

  private List<SourceRecord> pollListing() throws InterruptedException {
    if (listing.drained()) {
      long waitMs = nextListingAtMs - System.currentTimeMillis();
      if (waitMs > 0) {
        Thread.sleep(Math.min(waitMs, 1_000)); // not due yet: Connect polls again
        return null;
      }
      nextListingAtMs = System.currentTimeMillis() + config.pollIntervalMs();
      listing.list();
    }
    return listing.next();
  }

  /**
   * Kafka acknowledged {@code record}, or Connect dropped it ({@code metadata} null: a transform
   * filtered it out; with {@code errors.tolerance=all} also a failed write, which is why mode
   * {@code sqs} refuses that setting).
   */
  @Override
  public void commitRecord(SourceRecord record, RecordMetadata metadata) {
    if (sqs != null) {
      sqs.acknowledged(record);
    }
  }

  @Override
  public void stop() {
    if (sqs != null) {
      sqs.close();
    }
    if (emr != null) {
      emr.close();
    }
    if (s3 != null) {
      s3.close();
    }
  }
}
