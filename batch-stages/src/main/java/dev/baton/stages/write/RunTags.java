package dev.baton.stages.write;

import dev.baton.stages.spi.StageContext;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.util.SnapshotUtil;

/**
 * The run and stage a snapshot was committed by, in the snapshot's summary ({@value #RUN_ID_PROPERTY}, {@value
 * #STAGE_PROPERTY}), so a later stage of the run (an {@code export}) can find the snapshot its run produced even when
 * another run committed to the table since.
 *
 * <p>Set for the thread running a stage attempt ({@link #during}, by the stage runner) and added by Baton's writes
 * made on that thread ({@link IcebergWriter}, {@link StagedWrite}, the {@code cdc-merge} stage's MERGE, the {@code
 * maintenance} stage's rewrites; not the ingest quarantine's clean-up nor {@code baton_system.exports}). A write made
 * outside an attempt (a benchmark, a test calling a stage directly) carries none.
 */
public final class RunTags {

  /** Snapshot summary property: the run whose stage attempt committed the snapshot. */
  public static final String RUN_ID_PROPERTY = "baton.run-id";
  /** Snapshot summary property: the stage whose attempt committed the snapshot. */
  public static final String STAGE_PROPERTY = "baton.stage";

  private static final ThreadLocal<Map<String, String>> CURRENT = ThreadLocal.withInitial(Map::of);

  private RunTags() {}

  /**
   * Runs {@code body} on this thread with {@code context}'s run and stage as the tags of the snapshots it commits;
   * the thread's earlier tags are restored after.
   *
   * @throws Exception what {@code body} throws
   */
  public static <T> T during(StageContext context, Callable<T> body) throws Exception {
    Map<String, String> before = CURRENT.get();
    CURRENT.set(Map.of(RUN_ID_PROPERTY, context.runId(), STAGE_PROPERTY, context.stage()));
    try {
      return body.call();
    } finally {
      if (before.isEmpty()) {
        CURRENT.remove();
      } else {
        CURRENT.set(before);
      }
    }
  }

  /** The tags of this thread's snapshots: empty outside {@link #during}. */
  public static Map<String, String> current() {
    return CURRENT.get();
  }

  /**
   * The newest snapshot of {@code table}'s main branch history that run {@code runId} committed; null when it
   * committed none (or only ones that are no longer in that history).
   */
  public static Snapshot lastOfRun(Table table, String runId) {
    for (Snapshot snapshot : SnapshotUtil.currentAncestors(table)) {
      if (runId.equals(snapshot.summary().get(RUN_ID_PROPERTY))) {
        return snapshot;
      }
    }
    return null;
  }
}
