package dev.baton.control.launch;

/**
 * A durable record of the launches made, so a launch is made at most once per (runId, stage,
 * attempt) even when a micro-batch runs again after a controller crash ({@code foreachBatch} is
 * at-least-once). The record is written before the launch: an attempt whose launch was recorded
 * but never made is recovered by the stage timeout (it becomes LOST), never by launching twice.
 */
public interface LaunchJournal {

  /**
   * Records {@code launchKey} if it is not recorded yet, atomically.
   *
   * @param launchKey {@code <runId>/<stage>/<attempt>}
   * @return true if this call recorded it (the caller launches), false if it was already recorded
   * @throws java.io.UncheckedIOException if the journal cannot be read or written
   */
  boolean recordIfAbsent(String launchKey);
}
