package dev.baton.control.launch;

import dev.baton.schemas.ControlEvents;
import dev.baton.schemas.StageErrorCode;
import dev.baton.schemas.event.ControlEvent;
import dev.baton.schemas.event.StageCompleted;
import dev.baton.schemas.event.StageError;
import dev.baton.schemas.event.StageStatus;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import dev.baton.stages.spi.InvalidStageOptionsException;
import dev.baton.stages.spi.StageFailedException;
import org.slf4j.Logger;

/**
 * The {@code StageCompleted} events a launcher publishes for an attempt whose application does not
 * report itself (a user's job) or could not (it crashed, its pod failed or vanished).
 */
final class AttemptCompletions {
  /** Longest error message carried, characters (the rest is cut from the front: the end says why). */
  static final int MAX_ERROR_CHARS = 4_000;

  private AttemptCompletions() {}

  /** SUCCEEDED, no outputs (a user's application declares none). */
  static StageCompleted succeeded(LaunchRequest request, Instant started, Instant finished, String applicationId,
      String logUri) {
    return builder(request, started, finished, applicationId, logUri).setStatus(StageStatus.SUCCEEDED).build();
  }

  /** FAILED or LOST with an error of {@code errorType}. */
  static StageCompleted ended(LaunchRequest request, StageStatus status, Instant started, Instant finished,
      String errorType, String message, String applicationId, String logUri) {
    return builder(request, started, finished, applicationId, logUri).setStatus(status)
        .setError(new StageError(errorType, truncate(message), logUri)).build();
  }

  private static StageCompleted.Builder builder(LaunchRequest request, Instant started, Instant finished,
      String applicationId, String logUri) {
    return StageCompleted.newBuilder().setStage(request.stage().name()).setAttempt(request.attempt())
        .setStartedAt(started).setFinishedAt(finished).setOutputs(List.of()).setMetrics(Map.of())
        .setApplicationId(applicationId).setLogUri(logUri);
  }

  /**
   * The FAILED completion of an attempt whose options or parameters do not fit (thrown while building what
   * it launches): a {@link StageFailedException} keeps its type, an {@link InvalidStageOptionsException} is
   * {@code INVALID_OPTIONS}.
   */
  static StageCompleted refused(LaunchRequest request, Instant started, Instant finished, RuntimeException e) {
    String type = e instanceof StageFailedException failed ? failed.type() : StageErrorCode.INVALID_OPTIONS.name();
    return ended(request, StageStatus.FAILED, started, finished, type, e.getMessage(), null, null);
  }

  /**
   * Publishes an attempt's completion to {@code sink}, logged at INFO with its error. A failure to publish is
   * logged, not thrown: the attempt's timeout recovers it (LOST, then the retry policy).
   */
  static void publish(Logger log, Consumer<ControlEvent> sink, LaunchRequest request, StageCompleted completed) {
    log.info("Attempt {} {}{}", request.launchKey(), completed.getStatus(),
        completed.getError() == null ? "" : " (" + completed.getError().getType() + "): " + completed.getError().getMessage());
    try {
      sink.accept(ControlEvents.completed(request.runId(), request.pipeline(), completed));
    } catch (RuntimeException e) {
      log.error("Cannot publish the completion of attempt {}", request.launchKey(), e);
    }
  }

  static String truncate(String message) {
    return message.length() <= MAX_ERROR_CHARS ? message : "…" + message.substring(message.length() - MAX_ERROR_CHARS);
  }
}
