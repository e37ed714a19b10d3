package dev.baton.control.state;

/**
 * Where a stage of a run is: not launched yet, an attempt running, waiting to launch the next
 * attempt after a retryable failure, or its final outcome.
 */
public enum StageRunStatus {
  PENDING,
  RUNNING,
  RETRY_WAIT,
  SUCCEEDED,
  FAILED
}
