package dev.baton.control.state;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a pipeline's tables trigger remembers between micro-batches (state key {@code
 * tables:<pipeline>}): the newest snapshot of each watched table not yet covered by a run, when the
 * last of them arrived, and the most recent snapshot ids seen per table, to recognise a repeated report.
 *
 * @param pending table to its newest snapshot id since the last run started
 * @param lastUpdateAtMs when the last pending update was applied (the debounce counts from it), epoch ms; null when none
 * @param recent table to its last {@value #RECENT} snapshot ids seen, oldest first
 */
public record TablesTriggerState(Map<String, Long> pending, Long lastUpdateAtMs, Map<String, List<Long>> recent) {

  /** Snapshot ids remembered per table for recognising repeated reports. */
  public static final int RECENT = 32;

  public TablesTriggerState {
    pending = pending == null ? Map.of() : java.util.Collections.unmodifiableSortedMap(new TreeMap<>(pending));
    recent = recent == null ? Map.of() : java.util.Collections.unmodifiableSortedMap(new TreeMap<>(recent));
  }

  /** No update seen yet. */
  public static TablesTriggerState empty() {
    return new TablesTriggerState(Map.of(), null, Map.of());
  }

  /** Whether {@code snapshotId} of {@code table} was seen among the recent ones. */
  public boolean seen(String table, long snapshotId) {
    return recent.getOrDefault(table, List.of()).contains(snapshotId);
  }

  /** A copy with the update pending and remembered. */
  TablesTriggerState with(String table, long snapshotId, long nowMs) {
    Map<String, Long> nextPending = new TreeMap<>(pending);
    nextPending.put(table, snapshotId);
    Map<String, List<Long>> nextRecent = new TreeMap<>(recent);
    List<Long> ids = new ArrayList<>(recent.getOrDefault(table, List.of()));
    ids.add(snapshotId);
    nextRecent.put(table, List.copyOf(ids.subList(Math.max(0, ids.size() - RECENT), ids.size())));
    return new TablesTriggerState(nextPending, nowMs, nextRecent);
  }

  /** A copy that keeps only {@code tables} (a pipeline edit may have dropped some). */
  public TablesTriggerState onlyOf(java.util.Set<String> tables) {
    Map<String, Long> keptPending = new TreeMap<>(pending);
    keptPending.keySet().retainAll(tables);
    Map<String, List<Long>> keptRecent = new TreeMap<>(recent);
    keptRecent.keySet().retainAll(tables);
    return new TablesTriggerState(keptPending, keptPending.isEmpty() ? null : lastUpdateAtMs, keptRecent);
  }

  /** A copy with nothing pending (a run started for it). */
  TablesTriggerState consumed() {
    return new TablesTriggerState(Map.of(), null, recent);
  }
}
