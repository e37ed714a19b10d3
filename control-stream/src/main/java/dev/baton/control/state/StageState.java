package dev.baton.control.state;

import static java.util.Objects.requireNonNull;

/**
 * One stage within a run's state.
 *
 * @param status the stage's status
 * @param attempt the current or last attempt, 0 before the first launch
 * @param launchedAtMs when the current/last attempt was launched, epoch ms (UTC), or null
 * @param completedAtMs when it finished, epoch ms, or null
 * @param errorType the failure's type, or null
 * @param errorMessage the failure's message, or null
 * @param retryAtMs with RETRY_WAIT: when the next attempt launches, epoch ms; else null
 * @param retryBase attempts made before the last resume of the run; the retry policy counts only
 *     the attempts after it, so a resumed stage gets its full number of attempts again
 */
public record StageState(
    StageRunStatus status, int attempt, Long launchedAtMs, Long completedAtMs, String errorType, String errorMessage,
    Long retryAtMs, int retryBase) {

  public StageState {
    requireNonNull(status, "Invalid status: null");
  }

  /** A stage never launched. */
  public static StageState pending() {
    return new StageState(StageRunStatus.PENDING, 0, null, null, null, null, null, 0);
  }

  /** Attempts made since the last resume. */
  int attemptsSinceResume() {
    return attempt - retryBase;
  }
}
