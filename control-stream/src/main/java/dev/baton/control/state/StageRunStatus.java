package dev.baton.control.state;

/** Where a stage of a run is: not launched yet, an attempt running, or its last attempt's outcome. */
public enum StageRunStatus {
  PENDING,
  RUNNING,
  SUCCEEDED,
  FAILED
}
