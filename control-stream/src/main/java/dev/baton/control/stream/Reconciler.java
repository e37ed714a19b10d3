package dev.baton.control.stream;

import dev.baton.control.launch.JournaledLaunch;
import dev.baton.control.launch.LaunchJournal;
import dev.baton.control.launch.Launcher;
import dev.baton.control.launch.Launchers;
import dev.baton.control.metrics.ControllerMetrics;
import dev.baton.schemas.ControlEvents;
import dev.baton.schemas.event.StageCompleted;
import dev.baton.schemas.event.StageError;
import dev.baton.schemas.event.StageStatus;
import dev.baton.stages.runner.ControlEventPublisher;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Future;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The controller's first step on start, before its queries run: every attempt an earlier controller
 * process launched and whose end the launch journal has not seen is put to its launcher
 * ({@link Launcher#reconcile}). One that cannot finish any more is reported LOST on the control
 * topic now — a {@code StageCompleted} with status LOST and error type {@code LOST} — so the run's
 * retry policy applies within seconds of the restart instead of after the attempt's timeout; it
 * is marked ended in the journal once Kafka acknowledged the event. If the attempt did complete
 * before the restart, its real completion precedes the LOST one on the topic and the LOST one is
 * ignored as stale (counted under {@code baton.controller.events.ignored}).
 */
final class Reconciler {
  private static final Logger LOG = LoggerFactory.getLogger(Reconciler.class);

  private Reconciler() {}

  /**
   * Reconciles the journal's unended attempts.
   *
   * @return how many were reported LOST
   * @throws IllegalStateException if Kafka does not acknowledge a LOST completion, or the launcher cannot
   *     tell an attempt's state (the message names the attempt)
   */
  static int reconcile(LaunchJournal journal, Launchers launchers, ControlEventPublisher publisher,
      ControllerMetrics metrics, String epoch) {
    List<JournaledLaunch> lost = new ArrayList<>();
    List<Future<RecordMetadata>> sends = new ArrayList<>();
    List<JournaledLaunch> unended = journal.unended();
    for (JournaledLaunch launch : unended) {
      if (launch.controllerEpoch().equals(epoch)) {
        continue; // launched by this process
      }
      Launcher.AttemptState state;
      try {
        state = launchers.named(launch.launcher()).reconcile(launch);
      } catch (RuntimeException e) {
        throw new IllegalStateException("Cannot reconcile attempt " + launch.launchKey() + " (launcher "
            + launch.launcher() + "): " + e.getMessage(), e);
      }
      metrics.reconciled(state.name());
      if (state == Launcher.AttemptState.RUNNING) {
        LOG.info("Attempt {} of the previous controller is still running (launcher {}): waiting for its completion",
            launch.launchKey(), launch.launcher());
        continue;
      }
      String message = "the controller process that launched it (epoch " + launch.controllerEpoch()
          + ") stopped, and its launcher " + launch.launcher() + " says the attempt cannot finish any more";
      LOG.warn("Attempt {} is LOST: {}", launch.launchKey(), message);
      Instant now = Instant.now();
      StageCompleted completed = StageCompleted.newBuilder().setStage(launch.stage()).setAttempt(launch.attempt())
          .setStatus(StageStatus.LOST).setStartedAt(Instant.ofEpochMilli(launch.recordedAtMs())).setFinishedAt(now)
          .setError(new StageError("LOST", message, null)).build();
      sends.add(publisher.publishAsync(ControlEvents.completed(launch.runId(), launch.pipeline(), completed)));
      lost.add(launch);
    }
    publisher.flush();
    CommandExecutor.awaitAcknowledged(sends);
    for (JournaledLaunch launch : lost) {
      journal.ended(launch.runId(), launch.stage(), launch.attempt());
    }
    if (!unended.isEmpty()) {
      LOG.info("Reconciled {} attempt(s) of the previous controller in {}: {} LOST, {} still running", unended.size(),
          journal.location(), lost.size(), unended.size() - lost.size());
    }
    return lost.size();
  }
}
