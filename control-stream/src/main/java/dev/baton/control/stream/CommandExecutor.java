package dev.baton.control.stream;

import dev.baton.control.launch.LaunchJournal;
import dev.baton.control.launch.LaunchRequest;
import dev.baton.control.launch.Launcher;
import dev.baton.control.metrics.ControllerMetrics;
import dev.baton.control.ledger.Ledger;
import dev.baton.control.pipeline.Pipelines;
import dev.baton.control.state.Command;
import dev.baton.schemas.ControlEvents;
import dev.baton.schemas.EventSerde;
import dev.baton.schemas.event.Alert;
import dev.baton.schemas.event.AlertKind;
import dev.baton.schemas.event.RunCompleted;
import dev.baton.schemas.event.RunStatus;
import dev.baton.schemas.event.StageLaunched;
import dev.baton.stages.runner.ControlEventPublisher;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.spark.api.java.function.VoidFunction2;
import org.apache.spark.sql.Dataset;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Executes one micro-batch of commands on the driver ({@code foreachBatch}): publishes {@code
 * StageLaunched} and launches the attempts, upserts the ledger, then publishes {@code
 * RunCompleted}, alerts and dead letters.
 */
final class CommandExecutor implements VoidFunction2<Dataset<byte[]>, Long> {
  private static final long serialVersionUID = 1L;
  private static final Logger LOG = LoggerFactory.getLogger(CommandExecutor.class);

  /** Dead-letter headers: why, and where the record came from. */
  static final String HEADER_REASON = "baton.dlq.reason";
  static final String HEADER_TOPIC = "baton.dlq.topic";
  static final String HEADER_PARTITION = "baton.dlq.partition";
  static final String HEADER_OFFSET = "baton.dlq.offset";

  private final transient Pipelines pipelines;
  private final transient Launcher launcher;
  private final transient ControlEventPublisher publisher;
  private final transient Ledger ledger;
  private final transient LaunchJournal journal;
  private final String dlqTopic;
  private final String alertsTopic;
  private final transient ControllerMetrics metrics;
  private final transient EventSerde serde = EventSerde.builtIn();

  CommandExecutor(Pipelines pipelines, Launcher launcher, LaunchJournal journal, ControlEventPublisher publisher,
      Ledger ledger, String dlqTopic, String alertsTopic, ControllerMetrics metrics) {
    this.alertsTopic = alertsTopic;
    this.metrics = metrics;
    this.pipelines = pipelines;
    this.launcher = launcher;
    this.journal = journal;
    this.publisher = publisher;
    this.ledger = ledger;
    this.dlqTopic = dlqTopic;
  }

  @Override
  public void call(Dataset<byte[]> batch, Long batchId) {
    List<byte[]> encoded = batch.collectAsList();
    if (encoded.isEmpty()) {
      return;
    }
    List<Command.LaunchStage> launches = new ArrayList<>();
    List<Command.RecordRun> runs = new ArrayList<>();
    List<Command.RecordStageAttempt> attempts = new ArrayList<>();
    List<Command.PublishRunCompleted> runsCompleted = new ArrayList<>();
    List<Command.DeadLetter> deadLetters = new ArrayList<>();
    List<Command.PublishAlert> alerts = new ArrayList<>();
    List<java.util.concurrent.Future<org.apache.kafka.clients.producer.RecordMetadata>> sends = new ArrayList<>();
    for (byte[] bytes : encoded) {
      Command command = Json.read(bytes, Command.class);
      if (command instanceof Command.LaunchStage launch) {
        String launchKey = launch.runId() + "/" + launch.stage() + "/" + launch.attempt();
        if (!journal.recordIfAbsent(launchKey)) {
          // this micro-batch ran before (controller restart): the launch was made then
          LOG.warn("Not launching {} again: already in the launch journal (micro-batch {} replayed)", launchKey, batchId);
          metrics.launchDeduplicated();
          continue;
        }
        launches.add(launch);
        sends.add(publisher.publishAsync(ControlEvents.launched(launch.runId(), launch.pipeline(),
            new StageLaunched(launch.stage(), launch.attempt(), launcher.name(), Instant.ofEpochMilli(launch.launchedAtMs())))));
      } else if (command instanceof Command.RecordRun run) {
        runs.add(run);
        metrics.runStatus(run.runId(), run.status());
      } else if (command instanceof Command.RecordStageAttempt attempt) {
        attempts.add(attempt);
      } else if (command instanceof Command.PublishRunCompleted completed) {
        runsCompleted.add(completed);
      } else if (command instanceof Command.DeadLetter dead) {
        deadLetters.add(dead);
      } else if (command instanceof Command.PublishAlert alert) {
        alerts.add(alert);
      }
    }
    // 1. launches first: the ledger write must not add to stage-to-stage latency
    publisher.flush();
    awaitAcknowledged(sends);
    for (Command.LaunchStage launch : launches) {
      launcher.launch(new LaunchRequest(launch.runId(), launch.pipeline(),
          pipelines.get(launch.pipeline()).orElseThrow().stage(launch.stage()).orElseThrow(),
          launch.attempt(), launch.params()));
      metrics.launched(System.currentTimeMillis() - launch.readyAtMs());
    }
    // 2. the ledger, so that whoever sees RunCompleted finds the run in the ledger
    ledger.record(runs, attempts);
    // 3. completions and dead letters
    for (Command.PublishRunCompleted completed : runsCompleted) {
      sends.add(publisher.publishAsync(ControlEvents.runCompleted(completed.runId(), completed.pipeline(),
          new RunCompleted(RunStatus.valueOf(completed.status()), Instant.ofEpochMilli(completed.completedAtMs()),
              completed.failedStages()))));
    }
    for (Command.PublishAlert alert : alerts) {
      Alert event = new Alert(
          alert.runId() + "/" + (alert.stage() == null ? "" : alert.stage() + "/" + alert.attempt() + "/") + alert.kind(),
          AlertKind.valueOf(alert.kind()), alert.runId(), alert.pipeline(), alert.stage(), alert.attempt(),
          Instant.ofEpochMilli(alert.atMs()), alert.message());
      publisher.publishRaw(alertsTopic, alert.runId(), serde.serialize(alertsTopic, event), List.of());
      metrics.alert(alert.kind());
    }
    for (Command.DeadLetter dead : deadLetters) {
      LOG.warn("Dead letter from {}-{}@{}: {}", dead.topic(), dead.partition(), dead.offset(), dead.reason());
      List<Header> headers = List.of(
          new RecordHeader(HEADER_REASON, dead.reason().getBytes(StandardCharsets.UTF_8)),
          new RecordHeader(HEADER_TOPIC, dead.topic().getBytes(StandardCharsets.UTF_8)),
          new RecordHeader(HEADER_PARTITION, String.valueOf(dead.partition()).getBytes(StandardCharsets.UTF_8)),
          new RecordHeader(HEADER_OFFSET, String.valueOf(dead.offset()).getBytes(StandardCharsets.UTF_8)));
      String key = dead.key() == null ? null : new String(dead.key(), StandardCharsets.UTF_8);
      publisher.publishRaw(dlqTopic, key, dead.value(), headers);
      metrics.deadLetter();
    }
    publisher.flush();
    awaitAcknowledged(sends);
  }

  /** Fails the micro-batch (so it runs again) when Kafka did not acknowledge an event it published. */
  private static void awaitAcknowledged(
      List<java.util.concurrent.Future<org.apache.kafka.clients.producer.RecordMetadata>> sends) {
    for (var send : sends) {
      try {
        send.get();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("Interrupted while publishing control events", e);
      } catch (java.util.concurrent.ExecutionException e) {
        throw new IllegalStateException("Cannot publish a control event: " + e.getCause(), e.getCause());
      }
    }
  }
}
