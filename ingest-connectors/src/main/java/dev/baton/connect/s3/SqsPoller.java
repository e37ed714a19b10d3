package dev.baton.connect.s3;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.connect.errors.RetriableException;
import org.apache.kafka.connect.source.SourceRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.BatchResultErrorEntry;
import software.amazon.awssdk.services.sqs.model.DeleteMessageBatchRequestEntry;
import software.amazon.awssdk.services.sqs.model.DeleteMessageBatchResponse;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.ReceiveMessageRequest;

/**
 * SQS mode: receives messages (long poll), turns each into records (object events through the
 * {@link ObjectRouter}, job state changes into StageCompleted, what cannot be parsed or routed into
 * dead letters) and deletes a message only once Kafka acknowledged every record made from it
 * ({@link #acknowledged}); a message that made no record is deleted at once. So a crash at any
 * point re-delivers a message (after its visibility timeout) rather than losing it; duplicates
 * carry the same event ids.
 *
 * <p>Every record's source offset is {@code {messageId}} under the partition {@code {queue}}: SQS
 * tracks progress itself, the offsets only route acknowledgements back to their message. Deletes
 * are batched (up to 10, waiting at most {@code sqs.delete.linger.ms}) on a thread of their own,
 * so acknowledgements never block Kafka's producer thread. A message delivered again before its
 * delete (visibility timeout shorter than write + ack + linger) is not converted again; its newest
 * receipt handle is kept for the delete.
 */
final class SqsPoller implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(SqsPoller.class);
  private static final String MESSAGE_ID = "messageId";

  private final S3EventSourceConfig config;
  private final SqsClient sqs;
  private final QueueMessageParser parser;
  private final ObjectRouter router;
  /** Object events the filters dropped (poll thread only). */
  private long notEmitted;
  private final Map<String, String> partition;
  /** Messages received and not deleted yet (their records unacknowledged, or their delete pending), by message id. */
  private final Map<String, Tracked> tracked = new ConcurrentHashMap<>();
  private final BlockingQueue<Tracked> deletes = new LinkedBlockingQueue<>();
  private final AtomicBoolean closed = new AtomicBoolean();
  private final Thread deleter;

  /** A message not deleted yet: its records not yet acknowledged, and the receipt handle of its latest receipt. */
  private static final class Tracked {
    final String messageId;
    final AtomicInteger unacknowledged;
    volatile String receiptHandle;

    Tracked(String messageId, int records, String receiptHandle) {
      this.messageId = messageId;
      this.unacknowledged = new AtomicInteger(records);
      this.receiptHandle = receiptHandle;
    }
  }

  SqsPoller(S3EventSourceConfig config, SqsClient sqs, QueueMessageParser parser, ObjectRouter router) {
    this.config = config;
    this.sqs = sqs;
    this.parser = parser;
    this.router = router;
    this.partition = Map.of("queue", config.sqsQueueUrl());
    this.deleter = new Thread(this::deleteLoop, "baton-sqs-deleter");
    deleter.setDaemon(true);
    deleter.start();
  }

  /**
   * Receives up to {@code batch.max.records} records' worth of messages (and at most that many
   * messages): one long poll, then immediate receives while the queue keeps returning full batches.
   * A receive that fails after others succeeded ends the poll with what was converted.
   *
   * @return the records, possibly empty
   * @throws RetriableException if the first ReceiveMessage fails (Connect polls again)
   */
  List<SourceRecord> poll() {
    List<SourceRecord> records = new ArrayList<>();
    int waitSeconds = config.sqsWaitTimeSeconds();
    int received = 0;
    while (records.size() < config.batchMaxRecords() && received < config.batchMaxRecords()) {
      List<Message> messages;
      try {
        messages = receive(waitSeconds);
      } catch (RetriableException e) {
        if (records.isEmpty()) {
          throw e;
        }
        LOG.warn("Ending this poll with {} records: {}", records.size(), e.getMessage());
        break;
      }
      for (Message message : messages) {
        records.addAll(toRecords(message));
      }
      received += messages.size();
      if (messages.size() < config.sqsMaxMessages()) {
        break;
      }
      waitSeconds = 0;
    }
    return records;
  }

  private List<Message> receive(int waitSeconds) {
    ReceiveMessageRequest.Builder request = ReceiveMessageRequest.builder()
        .queueUrl(config.sqsQueueUrl())
        .maxNumberOfMessages(config.sqsMaxMessages())
        .waitTimeSeconds(waitSeconds);
    if (config.sqsVisibilityTimeoutSeconds() > 0) {
      request.visibilityTimeout(config.sqsVisibilityTimeoutSeconds());
    }
    try {
      return sqs.receiveMessage(request.build()).messages();
    } catch (SdkException e) {
      throw new RetriableException("Cannot receive from " + config.sqsQueueUrl() + ": " + e.getMessage(), e);
    }
  }

  private List<SourceRecord> toRecords(Message message) {
    Tracked known = tracked.get(message.messageId());
    if (known != null) {
      // delivered again while its records wait for Kafka, or while its delete waits: its records are
      // written or on their way; only the newest receipt handle can delete it
      known.receiptHandle = message.receiptHandle();
      LOG.warn("SQS message {} delivered again before it was deleted; raise the queue's visibility timeout"
          + " above the time to write and acknowledge a batch", message.messageId());
      return List.of();
    }
    byte[] body = message.body().getBytes(StandardCharsets.UTF_8);
    List<ObjectRouter.Output> outputs;
    try {
      outputs = outputs(message, body);
    } catch (SdkException e) {
      // a flag file unreadable now: leave the message; SQS delivers it again after the visibility timeout
      LOG.warn("Leaving SQS message {} in the queue: {}", message.messageId(), e.toString());
      return List.of();
    } catch (RuntimeException e) {
      // a message this code cannot handle: kept in the dead-letter topic rather than retried forever
      LOG.error("Cannot convert SQS message {}; sending it to the dead-letter topic", message.messageId(), e);
      outputs = List.of(router.deadLetter(message.messageId(), body, "cannot convert SQS message: " + e));
    }
    Tracked entry = new Tracked(message.messageId(), outputs.size(), message.receiptHandle());
    tracked.put(message.messageId(), entry);
    if (outputs.isEmpty()) {
      deletes.add(entry);
      return List.of();
    }
    Map<String, String> offset = Map.of(MESSAGE_ID, message.messageId());
    String origin = config.sqsQueueUrl() + "#" + message.messageId();
    return outputs.stream().map(out -> SourceRecords.of(out, partition, offset, origin)).toList();
  }

  private List<ObjectRouter.Output> outputs(Message message, byte[] body) {
    List<ParsedEvent> events;
    try {
      events = parser.parse(message.body());
    } catch (MalformedEventException e) {
      return List.of(router.deadLetter(message.messageId(), body, "cannot parse SQS message: " + e.getMessage()));
    }
    List<ObjectRouter.Output> outputs = new ArrayList<>();
    for (ParsedEvent event : events) {
      if (event instanceof ParsedEvent.ObjectEvent object) {
        Optional<ObjectRouter.Output> routed = router.route(object.event());
        if (routed.isPresent()) {
          outputs.add(routed.get());
        } else {
          LOG.info("SQS message {}: not emitting s3://{}/{}: {} ({} objects not emitted by this task)",
              message.messageId(), object.event().getBucket(), object.event().getKey(),
              router.exclusion(object.event().getBucket(), object.event().getKey()).orElse("filtered"),
              ++notEmitted);
        }
      } else if (event instanceof ParsedEvent.StageEvent stage) {
        outputs.add(router.stageEvent(stage.event()));
      } else if (event instanceof ParsedEvent.Unroutable unroutable) {
        outputs.add(router.deadLetter(message.messageId(), body, unroutable.reason()));
      } else if (event instanceof ParsedEvent.Skipped skipped) {
        LOG.info("SQS message {}: skipped: {}", message.messageId(), skipped.reason());
      }
    }
    return outputs;
  }

  /**
   * Kafka acknowledged (or Connect dropped, {@code metadata == null}) a record this poller made;
   * its message is deleted once all its records are.
   */
  void acknowledged(SourceRecord record) {
    Object messageId = record.sourceOffset() == null ? null : record.sourceOffset().get(MESSAGE_ID);
    Tracked entry = messageId == null ? null : tracked.get(messageId);
    if (entry != null && entry.unacknowledged.decrementAndGet() == 0) {
      deletes.add(entry);
    }
  }

  private void deleteLoop() {
    List<Tracked> batch = new ArrayList<>();
    while (!closed.get() || !deletes.isEmpty()) {
      try {
        Tracked first = deletes.poll(200, TimeUnit.MILLISECONDS);
        if (first == null) {
          continue;
        }
        batch.add(first);
        long lingerUntil = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(config.sqsDeleteLingerMs());
        while (batch.size() < 10) {
          long waitNs = closed.get() ? 0 : lingerUntil - System.nanoTime();
          // waits in slices, so a close stops the linger and flushes at once
          Tracked next = waitNs > 0
              ? deletes.poll(Math.min(waitNs, TimeUnit.MILLISECONDS.toNanos(100)), TimeUnit.NANOSECONDS)
              : deletes.poll();
          if (next != null) {
            batch.add(next);
          } else if (waitNs <= 0) {
            break;
          }
        }
        delete(batch);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      } catch (RuntimeException e) {
        // the messages will be delivered again: duplicates, never losses
        LOG.error("Cannot delete {} SQS messages from {}; they will be delivered again", batch.size(),
            config.sqsQueueUrl(), e);
      }
      // forgotten after the delete (or its failure): a later delivery is then treated as new
      batch.forEach(entry -> tracked.remove(entry.messageId, entry));
      batch.clear();
    }
  }

  private void delete(List<Tracked> batch) {
    List<DeleteMessageBatchRequestEntry> entries = new ArrayList<>();
    for (int i = 0; i < batch.size(); i++) {
      entries.add(DeleteMessageBatchRequestEntry.builder().id(String.valueOf(i)).receiptHandle(batch.get(i).receiptHandle).build());
    }
    DeleteMessageBatchResponse response = sqs.deleteMessageBatch(r -> r.queueUrl(config.sqsQueueUrl()).entries(entries));
    for (BatchResultErrorEntry failed : response.failed()) {
      LOG.error("Cannot delete SQS message {} from {} ({} {}); it will be delivered again",
          batch.get(Integer.parseInt(failed.id())).messageId, config.sqsQueueUrl(), failed.code(), failed.message());
    }
  }

  /**
   * Waits up to 5 s for the deletes already due (acknowledged messages), then closes the client;
   * messages not deleted by then are delivered again later (duplicates, not losses).
   */
  @Override
  public void close() {
    closed.set(true);
    try {
      deleter.join(5_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    Optional.ofNullable(sqs).ifPresent(SqsClient::close);
  }
}
