package dev.baton.cli;

import dev.baton.schemas.EventDecodingException;
import dev.baton.control.ControllerConfig;
import dev.baton.schemas.EventSerde;
import dev.baton.schemas.SchemaRegistries;
import dev.baton.schemas.Topics;
import dev.baton.schemas.event.ControlEvent;
import dev.baton.schemas.event.RunCompleted;
import dev.baton.schemas.event.RunCancelRequested;
import dev.baton.schemas.event.RunResumeRequested;
import dev.baton.schemas.event.RunRequested;
import dev.baton.schemas.event.StageCompleted;
import dev.baton.schemas.event.StageLaunched;
import dev.baton.schemas.event.StageOutput;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Follows one run on {@code baton.control} from "now" on, printing each stage launch and
 * completion as it happens, until the run's {@code RunCompleted}. Opened before the run is
 * triggered, so no event is missed.
 */
public final class RunWatcher implements AutoCloseable {
  private final KafkaConsumer<String, byte[]> consumer;
  private final EventSerde serde;
  private final long openedAtNanos = System.nanoTime();
  private final String dlqTopic;

  /**
   * Follows the control and dead-letter topics of Baton configuration {@code config}, with its
   * Kafka settings and schema registry.
   */
  public static RunWatcher forConfig(Map<String, String> config) {
    ControllerConfig controllerConfig = ControllerConfig.fromConfig(config);
    return new RunWatcher(controllerConfig.kafka(), controllerConfig.controlTopic(), controllerConfig.dlqTopic(),
        SchemaRegistries.serde(config));
  }

  /** Follows {@value Topics#CONTROL} and {@value Topics#DLQ}. */
  public RunWatcher(Map<String, String> kafka) {
    this(kafka, Topics.CONTROL, Topics.DLQ, EventSerde.builtIn());
  }

  /**
   * Subscribes to every partition of the control topic and the dead-letter topic at their current
   * end: a request for the run that the controller rejects (a resume of a run that is not FAILED,
   * say) ends {@link #follow} at once instead of at its timeout.
   */
  public RunWatcher(Map<String, String> kafka, String controlTopic, String dlqTopic, EventSerde serde) {
    this.dlqTopic = dlqTopic;
    this.serde = serde;
    Map<String, Object> config = new LinkedHashMap<>(kafka);
    config.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
    config.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    consumer = new KafkaConsumer<>(config);
    List<TopicPartition> partitions = java.util.stream.Stream.of(controlTopic, dlqTopic)
        .flatMap(topic -> consumer.partitionsFor(topic).stream())
        .map(info -> new TopicPartition(info.topic(), info.partition())).toList();
    consumer.assign(partitions);
    consumer.seekToEnd(partitions);
    partitions.forEach(consumer::position); // resolve the end now, before the run starts
  }

  /**
   * Prints the run's events to {@code out} until it completes.
   *
   * @param stillRunning checked between polls; when false (e.g. the controller query died) the wait ends
   * @throws TimeoutException if the run has not completed within {@code timeout}
   * @throws IllegalStateException if {@code stillRunning} turns false first
   * @throws RequestRejectedException if the controller rejected a request for the run (sent it to
   *     the dead-letter topic), e.g. one whose parameters the pipeline refuses
   */
  public RunReport follow(String runId, PrintStream out, Duration timeout, BooleanSupplier stillRunning)
      throws TimeoutException {
    long deadline = System.nanoTime() + timeout.toNanos();
    Map<String, StageCompleted> completions = new LinkedHashMap<>();
    Map<String, StageLaunched> launches = new LinkedHashMap<>();
    while (System.nanoTime() < deadline) {
      if (!stillRunning.getAsBoolean()) {
        throw new IllegalStateException("The controller stopped before run " + runId + " completed");
      }
      for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
        if (!runId.equals(record.key())) {
          continue;
        }
        ControlEvent event;
        try {
          event = serde.deserialize(record.value(), ControlEvent.class);
        } catch (EventDecodingException e) {
          if (!record.topic().equals(dlqTopic)) {
            out.printf("%s skipped an undecodable control event at offset %d: %s%n", elapsed(), record.offset(), e.getMessage());
          }
          continue;
        }
        if (record.topic().equals(dlqTopic)) {
          Object request = event.getPayload();
          if (request instanceof RunRequested || request instanceof RunResumeRequested || request instanceof RunCancelRequested) {
            throw new RequestRejectedException("The controller rejected the " + request.getClass().getSimpleName()
                + " for run " + runId + ": " + dlqReason(record));
          }
          continue;
        }
        Object payload = event.getPayload();
        if (payload instanceof StageLaunched launched) {
          launches.put(launched.getStage() + "#" + launched.getAttempt(), launched);
          out.printf("%s %-22s launched (attempt %d)%n", elapsed(), launched.getStage(), launched.getAttempt());
        } else if (payload instanceof StageCompleted completed) {
          completions.put(completed.getStage() + "#" + completed.getAttempt(), completed);
          long ms = completed.getFinishedAt().toEpochMilli() - completed.getStartedAt().toEpochMilli();
          String outputs = completed.getOutputs().stream().map(RunWatcher::describe).collect(Collectors.joining(", "));
          out.printf("%s %-22s %s in %.1f s%s%n", elapsed(), completed.getStage(), completed.getStatus(), ms / 1000.0,
              completed.getError() != null ? ": " + completed.getError().getType() + ": " + completed.getError().getMessage()
                  : outputs.isEmpty() ? "" : " (" + outputs + ")");
        } else if (payload instanceof RunCompleted runCompleted) {
          out.printf("%s run %s %s%n", elapsed(), runId, runCompleted.getStatus());
          return new RunReport(runId, runCompleted, new ArrayList<>(launches.values()), new ArrayList<>(completions.values()));
        }
      }
    }
    throw new TimeoutException("Run " + runId + " did not complete within " + timeout.toSeconds() + " s");
  }

  /**
   * The runs that ended, or whose request the controller rejected, among the events that arrived within
   * {@code timeout} (any run's: the caller picks its own). Undecodable events are skipped, as
   * {@link #follow} skips them.
   */
  public List<Ended> pollEnded(Duration timeout) {
    List<Ended> ended = new ArrayList<>();
    for (ConsumerRecord<String, byte[]> record : consumer.poll(timeout)) {
      ControlEvent event;
      try {
        event = serde.deserialize(record.value(), ControlEvent.class);
      } catch (EventDecodingException e) {
        continue;
      }
      if (record.topic().equals(dlqTopic)) {
        if (event.getPayload() instanceof RunRequested) {
          ended.add(new Ended(record.key(), "REJECTED", dlqReason(record)));
        }
      } else if (event.getPayload() instanceof RunCompleted completed) {
        ended.add(new Ended(record.key(), completed.getStatus().name(), null));
      }
    }
    return ended;
  }

  /**
   * A run that ended, or whose request was rejected.
   *
   * @param status SUCCEEDED, FAILED or CANCELLED from its {@code RunCompleted}; REJECTED for a
   *     {@code RunRequested} the controller sent to the dead-letter topic
   * @param reason the rejection's reason; null otherwise
   */
  public record Ended(String runId, String status, String reason) {}

  /** The reason the controller gave a dead-lettered record ({@code baton.dlq.reason}), or {@code (no reason)}. */
  private static String dlqReason(ConsumerRecord<String, byte[]> record) {
    var reason = record.headers().lastHeader("baton.dlq.reason");
    return reason == null ? "(no reason)" : new String(reason.value(), java.nio.charset.StandardCharsets.UTF_8);
  }

  private String elapsed() {
    return String.format("[%7.1fs]", (System.nanoTime() - openedAtNanos) / 1e9);
  }

  private static String describe(StageOutput output) {
    return (output.getRows() == null ? "" : String.format("%,d rows -> ", output.getRows())) + output.getTable();
  }

  @Override
  public void close() {
    consumer.close();
  }

  /** The controller sent a request for the followed run to the dead-letter topic; the message holds its reason. */
  public static final class RequestRejectedException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    RequestRejectedException(String message) {
      super(message);
    }
  }

  /**
   * What was seen of a run.
   *
   * @param runId the run
   * @param completed its {@code RunCompleted}
   * @param launches every {@code StageLaunched}, in order
   * @param completions every {@code StageCompleted}, in order
   */
  public record RunReport(String runId, RunCompleted completed, List<StageLaunched> launches,
      List<StageCompleted> completions) {}
}
