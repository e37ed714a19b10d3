package dev.baton.control.state;

/**
 * Where a stage of a run is: not launched yet, an attempt waiting for a slot of its pool (QUEUED, {@link
 * AttemptPools}), an attempt running, waiting to launch the next
 * attempt after a retryable failure, or its final outcome (CANCELLED: the run was cancelled while
 * the stage ran or waited to retry).
 */
public enum StageRunStatus {
  PENDING,
  QUEUED,
  RUNNING,
  RETRY_WAIT,
  SUCCEEDED,
  FAILED,
  CANCELLED
}
