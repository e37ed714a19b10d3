package dev.baton.control.stream;

import dev.baton.control.alert.AlertWebhook;
import dev.baton.control.launch.JournaledLaunch;
import dev.baton.control.launch.LaunchJournal;
import dev.baton.control.launch.LaunchRequest;
import dev.baton.control.launch.Launcher;
import dev.baton.control.launch.Launchers;
import dev.baton.control.metrics.ControllerMetrics;
import dev.baton.control.pipeline.PipelineDefinition;
import dev.baton.control.pipeline.Pipelines;
import dev.baton.control.pipeline.WebhookDefinition;
import dev.baton.control.state.Command;
import dev.baton.schemas.ControlEvents;
import dev.baton.schemas.EventSerde;
import dev.baton.schemas.StageErrorCode;
import dev.baton.schemas.event.Alert;
import dev.baton.schemas.event.AlertKind;
import dev.baton.schemas.event.RunCompleted;
import dev.baton.schemas.event.RunStatus;
import dev.baton.schemas.event.StageCompleted;
import dev.baton.schemas.event.StageError;
import dev.baton.schemas.event.StageLaunched;
import dev.baton.schemas.event.StageStatus;
import dev.baton.stages.runner.ControlEventPublisher;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.spark.api.java.function.VoidFunction2;
import org.apache.spark.sql.Dataset;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Executes one micro-batch of commands on the driver ({@code foreachBatch}). The launch path comes
 * first and touches only Kafka and the launch journal: skip the launches the journal has (an earlier
 * run of this micro-batch made them), publish {@code StageLaunched}, wait for the acknowledgements,
 * record the launches in the journal, launch (see {@link LaunchJournal}). Then, without waiting in
 * between: cancel attempts, append the ledger rows to the ledger changelog topic (a second query
 * writes them to Iceberg, off this path), publish {@code RunCompleted}, alerts (and their webhooks)
 * and dead letters. The batch fails, and so runs again, if Kafka does not acknowledge any of it.
 * Ended attempts are marked and ended runs pruned in the journal in the background, before the next
 * micro-batch's launches.
 *
 * <p>An attempt the launcher refuses ({@link Launcher#launch} throws {@link IllegalStateException}: no
 * capacity, or closed) is already journaled and announced, so a replay would not launch it: it is
 * completed at once with a FAILED {@code StageCompleted} of error type {@value #NO_CAPACITY}, logged
 * and counted, and its stage's retry policy decides. Ignored inputs are counted and logged at INFO.
 */
final class CommandExecutor implements VoidFunction2<Dataset<byte[]>, Long> {
  private static final long serialVersionUID = 1L;
  private static final Logger LOG = LoggerFactory.getLogger(CommandExecutor.class);
  /** Error type of the completion of an attempt the launcher refused. */
  static final String NO_CAPACITY = "NO_CAPACITY";
  /** Error type of the completion of an attempt whose launcher profile is not configured. */
  static final String UNKNOWN_LAUNCHER = StageErrorCode.UNKNOWN_LAUNCHER.name();

  private final transient Pipelines pipelines;
  private final transient Launchers launchers;
  private final transient ControlEventPublisher publisher;
  private final transient LaunchJournal journal;
  private final String epoch;
  private final String dlqTopic;
  private final String alertsTopic;
  private final String ledgerTopic;
  private final transient ControllerMetrics metrics;
  private final transient EventSerde serde;
  private final transient Map<String, AlertWebhook> webhooks = new ConcurrentHashMap<>();
  /** One thread for the journal's upkeep after a micro-batch (ended marks, prunes). */
  private final transient ExecutorService journalUpkeeper = Executors.newSingleThreadExecutor(runnable -> {
    Thread thread = new Thread(runnable, "baton-journal-upkeep");
    thread.setDaemon(true);
    return thread;
  });
  private transient volatile CompletableFuture<Void> journalUpkeep = CompletableFuture.completedFuture(null);

  /** Run statuses after which no attempt of the run launches again (a resume makes new attempts). */
  private static final java.util.Set<String> ENDED_RUN = java.util.Set.of("SUCCEEDED", "FAILED", "CANCELLED");
  /** Attempt statuses of an attempt not yet ended. */
  private static final java.util.Set<String> UNENDED_ATTEMPT = java.util.Set.of("PENDING", "QUEUED", "RUNNING");

  /**
   * @param epoch this controller process's id, recorded with each launch (see {@link Reconciler})
   */
  CommandExecutor(Pipelines pipelines, Launchers launchers, LaunchJournal journal, String epoch,
      ControlEventPublisher publisher, String dlqTopic, String alertsTopic, String ledgerTopic,
      ControllerMetrics metrics, EventSerde serde) {
    this.epoch = epoch;
    this.serde = serde;
    this.alertsTopic = alertsTopic;
    this.ledgerTopic = ledgerTopic;
    this.metrics = metrics;
    this.pipelines = pipelines;
    this.launchers = launchers;
    this.journal = journal;
    this.publisher = publisher;
    this.dlqTopic = dlqTopic;
  }

  @Override
  public void call(Dataset<byte[]> batch, Long batchId) {
    long start = System.nanoTime();
    List<byte[]> encoded = batch.collectAsList();
    long decided = System.nanoTime();
    metrics.batchPhase("decide", (decided - start) / 1_000_000);
    if (encoded.isEmpty()) {
      return;
    }
    List<Command> commands = new ArrayList<>(encoded.size());
    for (byte[] bytes : encoded) {
      commands.add(Json.read(bytes, Command.class));
    }
    if (LOG.isDebugEnabled()) {
      LOG.debug("Micro-batch {}: {}", batchId, commands.stream().map(c -> c.getClass().getSimpleName())
          .collect(java.util.stream.Collectors.groupingBy(name -> name, java.util.TreeMap::new,
              java.util.stream.Collectors.counting())));
    }
    // 1. the launch path
    awaitJournalUpkeep(); // the previous micro-batch's ended marks and prunes, before this one's launches
    Map<String, Command.LaunchStage> launches = new LinkedHashMap<>(); // by launch key
    Map<String, JournaledLaunch> entries = new LinkedHashMap<>();
    for (Command command : commands) {
      if (command instanceof Command.LaunchStage launch) {
        JournaledLaunch entry = new JournaledLaunch(launch.runId(), launch.pipeline(), launch.stage(), launch.attempt(),
            launch.definition().type(), launchers.profileOf(launch.definition()), epoch, System.currentTimeMillis());
        if (entries.putIfAbsent(entry.launchKey(), entry) == null) {
          launches.put(entry.launchKey(), launch);
        } else {
          LOG.info("Not launching {} twice: the micro-batch {} decided its launch twice", entry.launchKey(), batchId);
          metrics.launchDeduplicated();
        }
      }
    }
    // every launch decided here, replayed ones included: their ledger rows name the launcher
    Map<String, Command.LaunchStage> decidedLaunches = new LinkedHashMap<>(launches);
    long journalNanos = 0;
    if (!launches.isEmpty()) {
      long journalStart = System.nanoTime();
      Set<String> launchedBefore = journal.recorded(entries.values());
      journalNanos += System.nanoTime() - journalStart;
      for (String key : launchedBefore) {
        // this micro-batch ran before (controller restart) and launched it then
        LOG.info("Not launching {} again: already in the launch journal (micro-batch {} replayed)", key, batchId);
        metrics.launchDeduplicated();
      }
      launches.keySet().removeAll(launchedBefore);
      entries.keySet().removeAll(launchedBefore);
      List<Future<RecordMetadata>> announcements = new ArrayList<>();
      for (Map.Entry<String, Command.LaunchStage> entry : launches.entrySet()) {
        Command.LaunchStage launch = entry.getValue();
        announcements.add(publisher.publishAsync(ControlEvents.launched(launch.runId(), launch.pipeline(),
            new StageLaunched(launch.stage(), launch.attempt(), entries.get(entry.getKey()).launcher(),
                Instant.ofEpochMilli(launch.launchedAtMs())))));
      }
      publisher.flush();
      awaitAcknowledged(announcements);
      journalStart = System.nanoTime();
      Set<String> recordedMeanwhile = journal.record(entries.values());
      journalNanos += System.nanoTime() - journalStart;
      if (!recordedMeanwhile.isEmpty()) {
        // only another controller writing to the same journal can do this
        LOG.warn("Not launching {}: recorded in the launch journal {} by someone else since this micro-batch checked;"
            + " is a second controller using it?", recordedMeanwhile, journal.location());
        recordedMeanwhile.forEach(key -> metrics.launchDeduplicated());
        launches.keySet().removeAll(recordedMeanwhile);
      }
    }
    List<Future<RecordMetadata>> sends = new ArrayList<>();
    for (Command.LaunchStage launch : launches.values()) {
      Launcher launcher;
      try {
        launcher = launchers.forStage(launch.definition());
      } catch (IllegalStateException e) { // a run's pipeline version names a profile the configuration lost
        sends.add(refused(launch, UNKNOWN_LAUNCHER, e));
        continue;
      }
      try {
        launcher.launch(new LaunchRequest(launch.runId(), launch.pipeline(), launch.definition(), launch.attempt(),
            launch.params(), launch.pipelineVersion()));
      } catch (IllegalStateException e) {
        sends.add(refused(launch, NO_CAPACITY, e)); // acknowledged with the rest below
        continue;
      }
      metrics.launched(System.currentTimeMillis() - launch.readyAtMs());
    }
    long launched = System.nanoTime();
    metrics.batchPhase("launch", (launched - decided) / 1_000_000);
    metrics.batchPhase("launch-journal", journalNanos / 1_000_000);
    // 2. everything else, acknowledged together
    List<LaunchJournal.Attempt> endedAttempts = new ArrayList<>();
    List<String> endedRuns = new ArrayList<>();
    for (Command command : commands) {
      if (command instanceof Command.CancelStage cancel) {
        launchers.cancel(cancel.runId() + "/" + cancel.stage() + "/" + cancel.attempt());
        metrics.attemptCancelled();
      } else if (command instanceof Command.CountIgnored ignored) {
        LOG.info("Ignored {} {} of run {}: {}", ignored.reason(), ignored.input(), ignored.runId(), ignored.detail());
        metrics.ignored(ignored.reason());
      } else if (command instanceof Command.RecordRun run) {
        metrics.runStatus(run.runId(), run.status());
        if (ENDED_RUN.contains(run.status())) {
          endedRuns.add(run.runId()); // no launch of this run can be replayed any more: prune it
        }
        sends.add(publisher.publishRawAsync(ledgerTopic, run.runId(), Json.write(run), List.of()));
      } else if (command instanceof Command.RecordStageAttempt attempt) {
        if (!UNENDED_ATTEMPT.contains(attempt.status())) {
          endedAttempts.add(new LaunchJournal.Attempt(attempt.runId(), attempt.stage(), attempt.attempt()));
        }
        Command.LaunchStage launchOfRow = decidedLaunches.get(attempt.runId() + "/" + attempt.stage() + "/" + attempt.attempt());
        Command.RecordStageAttempt row = launchOfRow == null ? attempt
            : attempt.withLauncher(launchers.profileOf(launchOfRow.definition()));
        sends.add(publisher.publishRawAsync(ledgerTopic, attempt.runId(), Json.write(row), List.of()));
      } else if (command instanceof Command.PublishRunCompleted completed) {
        sends.add(publisher.publishAsync(ControlEvents.runCompleted(completed.runId(), completed.pipeline(),
            new RunCompleted(RunStatus.valueOf(completed.status()), Instant.ofEpochMilli(completed.completedAtMs()),
                completed.failedStages()), completed.resumes())));
      } else if (command instanceof Command.RequestRun request) {
        LOG.info("Requesting run {} of {} (trigger key {}), requested by {}", request.runId(), request.pipeline(),
            request.triggerKey(), request.requestedBy());
        sends.add(publisher.publishAsync(ControlEvents.requested(request.runId(), request.pipeline(),
            new dev.baton.schemas.event.RunRequested(request.triggerKey(), request.params(), request.requestedBy(), null),
            Instant.now())));
      } else if (command instanceof Command.PublishRunQueued queued) {
        LOG.info("Run {} of {} (trigger key {}) is QUEUED: the pipeline has maxActiveRuns", queued.runId(),
            queued.pipeline(), queued.triggerKey());
        sends.add(publisher.publishAsync(ControlEvents.runQueued(queued.runId(), queued.pipeline(),
            new dev.baton.schemas.event.RunQueued(queued.triggerKey(), Instant.ofEpochMilli(queued.triggeredAtMs()),
                queued.resumes()),
            queued.resumes())));
      } else if (command instanceof Command.PublishRunAdmitted admitted) {
        LOG.info("Run {} of {} admitted: {} of its runs hold a slot", admitted.runId(), admitted.pipeline(),
            admitted.activeRuns());
        sends.add(publisher.publishAsync(ControlEvents.runAdmitted(admitted.runId(), admitted.pipeline(),
            new dev.baton.schemas.event.RunAdmitted(admitted.activeRuns()), admitted.resumes(),
            Instant.ofEpochMilli(admitted.atMs()))));
      } else if (command instanceof Command.PublishAttemptQueued queued) {
        LOG.info("Attempt {} of stage {} of run {} is QUEUED for a slot of pool {}", queued.attempt(), queued.stage(),
            queued.runId(), queued.pool());
        sends.add(publisher.publishAsync(ControlEvents.attemptQueued(queued.runId(), queued.pipeline(),
            new dev.baton.schemas.event.AttemptQueued(queued.stage(), queued.attempt(), queued.pool(), queued.priority(),
                Instant.ofEpochMilli(queued.readyAtMs())))));
      } else if (command instanceof Command.PublishAttemptAdmitted admitted) {
        LOG.info("Attempt {} of stage {} of run {} admitted: {} attempts hold a slot of pool {}", admitted.attempt(),
            admitted.stage(), admitted.runId(), admitted.activeAttempts(), admitted.pool());
        sends.add(publisher.publishAsync(ControlEvents.attemptAdmitted(admitted.runId(), admitted.pipeline(),
            new dev.baton.schemas.event.AttemptAdmitted(admitted.stage(), admitted.attempt(), admitted.pool(),
                admitted.activeAttempts()), Instant.ofEpochMilli(admitted.atMs()))));
      } else if (command instanceof Command.PublishAlert alert) {
        sends.add(publishAlert(alert));
      } else if (command instanceof Command.DeadLetter dead) {
        sends.add(deadLetter(dead));
      }
    }
    publisher.flush();
    awaitAcknowledged(sends);
    startJournalUpkeep(endedAttempts, endedRuns);
    metrics.batchPhase("publish", (System.nanoTime() - launched) / 1_000_000);
  }

  /**
   * Marks ended attempts and prunes ended runs in the background, while Spark plans and runs the next
   * micro-batch; that micro-batch waits for it before its launches ({@link #awaitJournalUpkeep}), so a
   * prune never races a later launch of the same run. If the process dies first, the marks are
   * missing: the next start reports those attempts LOST to a state that has ended them already, which
   * ignores the report (counted and logged as stale).
   */
  private void startJournalUpkeep(List<LaunchJournal.Attempt> endedAttempts, List<String> endedRuns) {
    if (endedAttempts.isEmpty() && endedRuns.isEmpty()) {
      return;
    }
    Runnable upkeep = () -> {
      long start = System.nanoTime();
      journal.endedAndPruned(endedAttempts, endedRuns);
      metrics.batchPhase("journal-upkeep", (System.nanoTime() - start) / 1_000_000);
    };
    try {
      journalUpkeep = CompletableFuture.runAsync(upkeep, journalUpkeeper);
    } catch (java.util.concurrent.RejectedExecutionException e) {
      upkeep.run(); // closing: do it now
    }
  }

  /**
   * Waits for the previous micro-batch's journal upkeep.
   *
   * @throws IllegalStateException if it failed (the journal cannot be written: this micro-batch could not be either)
   */
  private void awaitJournalUpkeep() {
    try {
      journalUpkeep.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while waiting for the launch journal", e);
    } catch (ExecutionException e) {
      throw new IllegalStateException("Cannot mark ended attempts in the launch journal " + journal.location() + ": "
          + e.getCause(), e.getCause());
    } finally {
      journalUpkeep = CompletableFuture.completedFuture(null);
    }
  }

  /**
   * The launcher refused an attempt already journaled and announced (no capacity, or closed: {@value
   * #NO_CAPACITY}), or its profile is not configured ({@value #UNKNOWN_LAUNCHER}): it will never run,
   * and a replay of this micro-batch would not launch it again, so it completes FAILED with {@code
   * errorType} now, and its stage's retry policy decides.
   */
  private Future<RecordMetadata> refused(Command.LaunchStage launch, String errorType, IllegalStateException e) {
    LOG.warn("Attempt {}/{}/{} not launched, completing it FAILED ({}): {}", launch.runId(), launch.stage(),
        launch.attempt(), errorType, e.getMessage());
    metrics.launchRefused();
    Instant now = Instant.now();
    return publisher.publishAsync(ControlEvents.completed(launch.runId(), launch.pipeline(), StageCompleted.newBuilder()
        .setStage(launch.stage()).setAttempt(launch.attempt()).setStatus(StageStatus.FAILED)
        .setStartedAt(now).setFinishedAt(now).setOutputs(List.of()).setMetrics(Map.of())
        .setError(StageError.newBuilder().setType(errorType).setMessage(String.valueOf(e.getMessage())).build())
        .build()));
  }

  private Future<RecordMetadata> publishAlert(Command.PublishAlert alert) {
    String alertId = alert.runId() + "/" + (alert.stage() == null ? "" : alert.stage() + "/" + alert.attempt() + "/")
        + alert.kind();
    Alert event = new Alert(alertId, AlertKind.valueOf(alert.kind()), alert.runId(), alert.pipeline(), alert.stage(),
        alert.attempt(), Instant.ofEpochMilli(alert.atMs()), alert.message());
    metrics.alert(alert.kind());
    try {
      AlertWebhook webhook = webhook(alert.pipeline());
      if (webhook != null) {
        // asynchronous and retried by the webhook; a replayed micro-batch may POST again (same alertId)
        webhook.post(AlertWebhook.toJson(alertId, alert.kind(), alert.runId(), alert.pipeline(), alert.stage(),
                alert.attempt(), alert.atMs(), alert.message()))
            .whenComplete((status, error) -> {
              if (error != null) {
                metrics.webhookFailed();
                LOG.error("Alert {} not delivered to the webhook of pipeline {}: {}", alertId, alert.pipeline(),
                    error.getMessage());
              }
            });
      }
    } catch (RuntimeException e) {
      // a webhook is a convenience next to baton.alerts: it must never fail the micro-batch
      metrics.webhookFailed();
      LOG.error("Alert {} not delivered to the webhook of pipeline {}", alertId, alert.pipeline(), e);
    }
    return publisher.publishRawAsync(alertsTopic, alert.runId(), serde.serialize(alertsTopic, event), List.of());
  }

  private AlertWebhook webhook(String pipelineName) {
    WebhookDefinition definition = pipelines.get(pipelineName).map(PipelineDefinition::webhook).orElse(null);
    if (definition == null) {
      return null;
    }
    return webhooks.computeIfAbsent(pipelineName, name -> new AlertWebhook(URI.create(definition.url()),
        definition.headers(), definition.maxAttempts(), Duration.ofMillis(500), Duration.ofSeconds(30),
        Duration.ofSeconds(10)));
  }

  private Future<RecordMetadata> deadLetter(Command.DeadLetter dead) {
    LOG.warn("Dead letter from {}-{}@{}: {}", dead.topic(), dead.partition(), dead.offset(), dead.reason());
    metrics.deadLetter();
    return DeadLetters.publish(publisher, dlqTopic, dead.reason(), dead.topic(), dead.partition(), dead.offset(),
        dead.key(), dead.value());
  }

  /** Fails the micro-batch (so it runs again) when Kafka did not acknowledge an event it published. */
  static void awaitAcknowledged(List<Future<RecordMetadata>> sends) {
    for (Future<RecordMetadata> send : sends) {
      try {
        send.get();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("Interrupted while publishing control events", e);
      } catch (ExecutionException e) {
        throw new IllegalStateException("Cannot publish a control event: " + e.getCause(), e.getCause());
      }
    }
  }

  /** Finishes the journal upkeep under way (logged if it fails), and stops the webhooks' clients. */
  void close() {
    journalUpkeeper.shutdown();
    try {
      awaitJournalUpkeep();
    } catch (IllegalStateException e) {
      LOG.error("Launch journal upkeep failed while closing; the next start reports those attempts LOST to a state"
          + " that has ended them (ignored as stale)", e);
    }
    webhooks.values().forEach(AlertWebhook::close);
  }
}
