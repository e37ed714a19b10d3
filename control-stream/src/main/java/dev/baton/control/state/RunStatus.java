package dev.baton.control.state;

/** Where a run is. WAITING: some trigger files have arrived, not all; no stage launched yet. */
public enum RunStatus {
  WAITING,
  RUNNING,
  SUCCEEDED,
  FAILED;

  /** Whether the run has ended. */
  public boolean isTerminal() {
    return this == SUCCEEDED || this == FAILED;
  }
}
