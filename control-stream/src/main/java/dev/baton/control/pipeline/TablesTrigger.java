package dev.baton.control.pipeline;

import static java.util.Objects.requireNonNull;

import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeSet;

/**
 * Starts a run when upstream Iceberg tables get new snapshots ({@code trigger: {type: tables, tables:
 * [curated.orders, curated.customers], mode: all, debounceMs: 30000}}), as reported in the outputs of
 * other pipelines' {@code StageCompleted} events (no polling of the catalog): with {@code any}, a new
 * snapshot of any of the tables is enough; with {@code all}, each table must have a new one since the
 * last run. The run starts once the condition holds and no update came for {@code debounceMs} (a
 * burst of updates starts one run; a table updated more often than that delays the run until a
 * quiet interval). Outputs of {@code maintenance} stages (compaction and expiry snapshots, no new
 * data) are not updates. Its runId derives from the snapshots it covers ({@link
 * #triggerKey}), so the same updates start the same run however often they are reported.
 *
 * @param tables the tables watched, {@code <namespace>.<table>}; kept sorted
 * @param mode {@link Mode#ANY} or {@link Mode#ALL}
 * @param debounceMs how long after the last update the run starts, ms (0: at once)
 */
public record TablesTrigger(Set<String> tables, Mode mode, long debounceMs) implements Serializable {

  /** Prefix of the state key of a pipeline's tables trigger (run ids are UUIDs, never with this prefix). */
  public static final String STATE_KEY_PREFIX = "tables:";
  /** Prefix of the trigger key of a run a tables trigger starts. */
  public static final String TRIGGER_KEY_PREFIX = "tables/";

  /** When the updates start a run. */
  public enum Mode {
    /** A new snapshot of any watched table. */
    ANY,
    /** A new snapshot of every watched table since the last run. */
    ALL
  }

  public TablesTrigger {
    tables = java.util.Collections.unmodifiableSortedSet(new TreeSet<>(requireNonNull(tables, "Invalid tables: null")));
    mode = mode == null ? Mode.ANY : mode;
  }

  /** The controller's state key of {@code pipeline}'s tables trigger. */
  public static String stateKey(String pipeline) {
    return STATE_KEY_PREFIX + pipeline;
  }

  /**
   * The trigger key of the run that covers {@code snapshots} (table to snapshot id): {@code tables/} and the
   * first 16 hex digits of the SHA-256 of the sorted {@code table=snapshotId} pairs.
   */
  public static String triggerKey(SortedMap<String, Long> snapshots) {
    StringBuilder text = new StringBuilder();
    snapshots.forEach((table, snapshot) -> text.append(table).append('=').append(snapshot).append('\n'));
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(text.toString().getBytes(StandardCharsets.UTF_8));
      return TRIGGER_KEY_PREFIX + HexFormat.of().formatHex(digest, 0, 8);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }

  /** Whether {@code pending} (table to its newest unconsumed snapshot) starts a run. */
  public boolean satisfiedBy(Map<String, Long> pending) {
    return mode == Mode.ALL ? pending.keySet().containsAll(tables) : !pending.isEmpty();
  }
}
