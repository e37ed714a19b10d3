package dev.baton.control.launch;

import dev.baton.schemas.event.StageCompleted;
import dev.baton.schemas.event.StageError;
import dev.baton.schemas.event.StageStatus;
import java.time.Instant;
import java.util.List;
import java.util.Map;

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

  static String truncate(String message) {
    return message.length() <= MAX_ERROR_CHARS ? message : "…" + message.substring(message.length() - MAX_ERROR_CHARS);
  }
}
