package dev.baton.control.ledger;

import static java.util.Objects.requireNonNull;

import dev.baton.control.metrics.ControllerMetrics;
import dev.baton.stages.export.ExportStageFactory;
import dev.baton.stages.ingest.IngestStageFactory;
import dev.baton.stages.maintenance.MaintenanceOptions;
import dev.baton.stages.maintenance.TableMaintenance;
import dev.baton.stages.quality.QualityOptions;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.spark.Spark3Util;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.analysis.NoSuchTableException;
import org.apache.spark.sql.catalyst.parser.ParseException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the ledger tables ({@value Ledger#RUNS}, {@value Ledger#STAGE_ATTEMPTS}) and the {@code
 * baton_system} tables stages write ({@link #STAGE_TABLES}) bounded. The ledger query MERGEs into the
 * ledger every ledger interval — some 17,000 snapshots a day per table, each MERGE adding data files —
 * and stages commit to theirs once or more per attempt (a tpch-12 run: 8 quarantine commits, 6 quality
 * ones), so every {@link Settings#intervalMs()} the ledger query, right after a MERGE, runs the {@code
 * maintenance} stage's implementation ({@link TableMaintenance}) on each: compaction (Iceberg's
 * defaults), manifest rewrite, expiry of the snapshots older than {@link Settings#maxSnapshotAgeMs()}
 * beyond the last {@link Settings#minSnapshotsToKeep()}, and removal of orphan files older than {@link
 * Settings#orphanMinAgeMs()}. A stage table not created yet is skipped.
 *
 * <p>On the ledger query's own thread, so maintenance and MERGE never run at once and never conflict
 * (a compaction committed while a copy-on-write MERGE runs can fail that MERGE's commit: files it
 * replaces are gone); what it costs is that the ledger trails the control topic by the maintenance's
 * duration once an interval.
 * Launches never wait for it: they run in the other query. The stage tables' writers are other
 * processes, so there a commit can race a maintenance: appends (quality results) never conflict with a
 * compaction; an ingest's replacement or delete of a batch's quarantined rows (whole partitions)
 * committed while a compaction rewrites them fails that compaction, which is counted and tried again
 * an interval later (both filter by partition, so a replacement committed after a compaction applies to
 * the compacted files); {@value ExportStageFactory#EXPORTS_TABLE}, whose one row per (table, target)
 * each export MERGEs (rewriting its file), is not compacted, since a compaction committed during such a
 * MERGE would fail the export.
 *
 * <p>A maintenance that fails is logged at ERROR with its cause, counted ({@link
 * ControllerMetrics#ledgerMaintenanceFailed}) and tried again an interval later; it does not fail the
 * ledger micro-batch, whose MERGE already committed: failing it would only stop the ledger query,
 * redo the MERGE on restart and try the same maintenance again at once.
 */
public final class LedgerMaintenance {
  private static final Logger LOG = LoggerFactory.getLogger(LedgerMaintenance.class);

  /** The ledger tables, maintained first, in order. */
  public static final List<String> TABLES = List.of(Ledger.RUNS, Ledger.STAGE_ATTEMPTS);

  /**
   * The {@code baton_system} tables stages write, maintained after the ledger, in order, when they exist: quality
   * results, quarantined rows, export state (not compacted: see above).
   */
  public static final List<String> STAGE_TABLES = List.of(QualityOptions.DEFAULT_RESULTS_TABLE,
      IngestStageFactory.QUARANTINE_TABLE, ExportStageFactory.EXPORTS_TABLE);

  /**
   * When and how the ledger tables are maintained.
   *
   * @param enabled false: never
   * @param intervalMs least time between two maintenances, ms, at least 1; the first of a process runs
   *     after its first MERGE once the interval has passed since the last maintenance an earlier process
   *     committed (at once when none did)
   * @param maxSnapshotAgeMs age past which a snapshot expires, ms, at least 1
   * @param minSnapshotsToKeep snapshots kept whatever their age, at least 1
   * @param orphanMinAgeMs how old an unreferenced file in a table's location must be to be deleted, ms, at
   *     least {@link MaintenanceOptions.DeleteOrphanFiles#MIN_ORPHAN_AGE} (1 h)
   */
  public record Settings(boolean enabled, long intervalMs, long maxSnapshotAgeMs, int minSnapshotsToKeep,
      long orphanMinAgeMs) {
    public Settings {
      checkArgument(intervalMs >= 1, "Cannot maintain the ledger: invalid interval %s ms", intervalMs);
      checkArgument(maxSnapshotAgeMs >= 1, "Cannot maintain the ledger: invalid snapshot age %s ms", maxSnapshotAgeMs);
      checkArgument(minSnapshotsToKeep >= 1, "Cannot maintain the ledger: invalid snapshots to keep %s",
          minSnapshotsToKeep);
      checkArgument(orphanMinAgeMs >= MaintenanceOptions.DeleteOrphanFiles.MIN_ORPHAN_AGE.toMillis(),
          "Cannot maintain the ledger: orphan age %s ms is below 1 h", orphanMinAgeMs);
    }

    /**
     * The {@link TableMaintenance} these settings describe, ages measured from {@code clock}.
     *
     * @param compact false: without compaction
     */
    TableMaintenance maintenance(Clock clock, boolean compact) {
      return new TableMaintenance(compact ? new MaintenanceOptions.RewriteDataFiles(null, null) : null,
          new MaintenanceOptions.RewriteManifests(),
          new MaintenanceOptions.ExpireSnapshots(Duration.ofMillis(maxSnapshotAgeMs).toString(), minSnapshotsToKeep),
          new MaintenanceOptions.DeleteOrphanFiles(Duration.ofMillis(orphanMinAgeMs).toString()), clock);
    }
  }

  private final SparkSession spark;
  private final Settings settings;
  private final ControllerMetrics metrics;
  private final Clock clock;
  private final TableMaintenance maintenance;
  private final TableMaintenance withoutCompaction;
  private volatile Long lastStartedMs;

  /**
   * @param spark the session the ledger writes through (its catalog instance commits the MERGEs)
   * @param clock the time maintenances are scheduled by and ages measured from
   */
  public LedgerMaintenance(SparkSession spark, Settings settings, ControllerMetrics metrics, Clock clock) {
    this.spark = requireNonNull(spark, "Invalid spark: null");
    this.settings = requireNonNull(settings, "Invalid settings: null");
    this.metrics = requireNonNull(metrics, "Invalid metrics: null");
    this.clock = requireNonNull(clock, "Invalid clock: null");
    this.maintenance = settings.maintenance(clock, true);
    this.withoutCompaction = settings.maintenance(clock, false);
  }

  /**
   * Whether a maintenance is due at {@code nowMs}: none is known ({@code lastStartedMs} null), or the
   * last one started at least {@code intervalMs} ago.
   */
  static boolean isDue(Long lastStartedMs, long nowMs, long intervalMs) {
    return lastStartedMs == null || nowMs - lastStartedMs >= intervalMs;
  }

  /**
   * Maintains the ledger tables, then the stage tables that exist, if enabled and due ({@link #isDue});
   * call it between MERGEs, never during one. A table whose maintenance fails is logged at ERROR and
   * counted, and the others are still maintained; the next try is an interval later.
   *
   * @return what was done to each table maintained successfully, in {@link #TABLES} then {@link
   *     #STAGE_TABLES} order; empty when not due or disabled
   */
  public List<TableMaintenance.Report> maintainIfDue() {
    if (!settings.enabled()) {
      return List.of();
    }
    if (lastStartedMs == null) {
      lastStartedMs = lastMaintenanceMs();
    }
    long nowMs = clock.millis();
    if (!isDue(lastStartedMs, nowMs, settings.intervalMs())) {
      return List.of();
    }
    lastStartedMs = nowMs;
    List<TableMaintenance.Report> reports = new ArrayList<>();
    for (String table : TABLES) {
      maintain(table, maintenance, reports);
    }
    for (String table : STAGE_TABLES) {
      if (!exists(table)) {
        LOG.debug("No {} yet: nothing to maintain", table);
        continue;
      }
      maintain(table, table.equals(ExportStageFactory.EXPORTS_TABLE) ? withoutCompaction : maintenance, reports);
    }
    return reports;
  }

  private boolean exists(String table) {
    try {
      return spark.catalog().tableExists(table);
    } catch (RuntimeException e) {
      return true; // let the maintenance say why the table cannot be read
    }
  }

  private void maintain(String table, TableMaintenance actions, List<TableMaintenance.Report> reports) {
    long startedNs = System.nanoTime();
    try {
      TableMaintenance.Report report = actions.maintain(spark, table);
      metrics.ledgerMaintained(report, (System.nanoTime() - startedNs) / 1_000_000);
      reports.add(report);
    } catch (NoSuchTableException | RuntimeException e) {
      if (Thread.currentThread().isInterrupted() && e instanceof RuntimeException runtime) {
        throw runtime; // the ledger query is stopping
      }
      metrics.ledgerMaintenanceFailed(table, (System.nanoTime() - startedNs) / 1_000_000);
      LOG.error("Cannot maintain {}; trying again in {} ms (the ledger goes on meanwhile)", table,
          settings.intervalMs(), e);
    }
  }

  /**
   * When the interval to the next maintenance started: the newest snapshot of {@value Ledger#RUNS} a
   * maintenance committed ({@link TableMaintenance#MAINTENANCE_ID_PROPERTY}), so a restarted controller
   * does not maintain again before the interval is up; without one, the table's oldest snapshot, so a new
   * ledger is first maintained an interval after it began (an old one never maintained, at once); without
   * any snapshot, now. Null when the table cannot be read: then maintenance is due, and says why it cannot run.
   */
  private Long lastMaintenanceMs() {
    try {
      Long last = null;
      Long oldest = null;
      for (Snapshot snapshot : Spark3Util.loadIcebergTable(spark, Ledger.RUNS).snapshots()) {
        if (snapshot.summary().containsKey(TableMaintenance.MAINTENANCE_ID_PROPERTY)
            && (last == null || snapshot.timestampMillis() > last)) {
          last = snapshot.timestampMillis();
        }
        if (oldest == null || snapshot.timestampMillis() < oldest) {
          oldest = snapshot.timestampMillis();
        }
      }
      return last != null ? last : oldest != null ? oldest : clock.millis();
    } catch (ParseException | NoSuchTableException | RuntimeException e) {
      LOG.warn("Cannot read when {} was last maintained; maintaining now: {}", Ledger.RUNS, e.toString());
      return null;
    }
  }

  private static void checkArgument(boolean condition, String message, Object value) {
    if (!condition) {
      throw new IllegalArgumentException(String.format(message, value));
    }
  }
}
