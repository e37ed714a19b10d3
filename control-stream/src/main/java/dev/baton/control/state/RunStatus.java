package dev.baton.control.state;

/**
 * Where a run is. WAITING: some trigger files have arrived, not all; no stage launched yet. QUEUED:
 * triggered, waiting for one of its pipeline's {@code maxActiveRuns} slots; no stage launched yet.
 * CANCELLED: an operator cancelled it. FAILED and CANCELLED runs can be resumed.
 */
public enum RunStatus {
  WAITING,
  QUEUED,
  RUNNING,
  SUCCEEDED,
  FAILED,
  CANCELLED;

  /** Whether the run has ended (until a resume). */
  public boolean isTerminal() {
    return this == SUCCEEDED || this == FAILED || this == CANCELLED;
  }
}
