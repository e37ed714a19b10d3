package dev.baton.control.ledger;

import static java.util.Objects.requireNonNull;

import dev.baton.control.metrics.ControllerMetrics;
import dev.baton.stages.maintenance.MaintenanceOptions;
import dev.baton.stages.maintenance.TableMaintenance;
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
 * Keeps the ledger tables ({@value Ledger#RUNS}, {@value Ledger#STAGE_ATTEMPTS}) bounded. The ledger
 * query MERGEs into them every ledger interval — some 17,000 snapshots a day per table, each MERGE
 * adding data files — so every {@link Settings#intervalMs()} the ledger query, right after a MERGE,
 * runs the {@code maintenance} stage's implementation ({@link TableMaintenance}) on both: compaction
 * (Iceberg's defaults), manifest rewrite, expiry of the snapshots older than {@link
 * Settings#maxSnapshotAgeMs()} beyond the last {@link Settings#minSnapshotsToKeep()}, and removal of
 * orphan files older than {@link Settings#orphanMinAgeMs()}.
 *
 * <p>On the ledger query's own thread, so maintenance and MERGE never run at once and never conflict
 * (a compaction committed while a copy-on-write MERGE runs can fail that MERGE's commit: files it
 * replaces are gone); what it costs is that the ledger trails the control topic by the maintenance's
 * duration once an interval.
 * Launches never wait for it: they run in the other query.
 *
 * <p>A maintenance that fails is logged at ERROR with its cause, counted ({@link
 * ControllerMetrics#ledgerMaintenanceFailed}) and tried again an interval later; it does not fail the
 * ledger micro-batch, whose MERGE already committed: failing it would only stop the ledger query,
 * redo the MERGE on restart and try the same maintenance again at once.
 */
public final class LedgerMaintenance {
  private static final Logger LOG = LoggerFactory.getLogger(LedgerMaintenance.class);

  /** The tables maintained, in order. */
  public static final List<String> TABLES = List.of(Ledger.RUNS, Ledger.STAGE_ATTEMPTS);

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

    /** The {@link TableMaintenance} these settings describe, ages measured from {@code clock}. */
    TableMaintenance maintenance(Clock clock) {
      return new TableMaintenance(new MaintenanceOptions.RewriteDataFiles(null, null),
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
    this.maintenance = settings.maintenance(clock);
  }

  /**
   * Whether a maintenance is due at {@code nowMs}: none is known ({@code lastStartedMs} null), or the
   * last one started at least {@code intervalMs} ago.
   */
  static boolean isDue(Long lastStartedMs, long nowMs, long intervalMs) {
    return lastStartedMs == null || nowMs - lastStartedMs >= intervalMs;
  }

  /**
   * Maintains both ledger tables if enabled and due ({@link #isDue}); call it between MERGEs, never
   * during one. A table whose maintenance fails is logged at ERROR and counted, and the other is still
   * maintained; the next try is an interval later.
   *
   * @return what was done to each table maintained successfully; empty when not due or disabled
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
      long startedNs = System.nanoTime();
      try {
        TableMaintenance.Report report = maintenance.maintain(spark, table);
        metrics.ledgerMaintained(report, (System.nanoTime() - startedNs) / 1_000_000);
        reports.add(report);
      } catch (NoSuchTableException | RuntimeException e) {
        if (Thread.currentThread().isInterrupted() && e instanceof RuntimeException runtime) {
          throw runtime; // the ledger query is stopping
        }
        metrics.ledgerMaintenanceFailed(table, (System.nanoTime() - startedNs) / 1_000_000);
        LOG.error("Cannot maintain ledger table {}; trying again in {} ms (the ledger goes on meanwhile)", table,
            settings.intervalMs(), e);
      }
    }
    return reports;
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
