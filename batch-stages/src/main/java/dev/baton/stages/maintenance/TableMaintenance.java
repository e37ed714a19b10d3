package dev.baton.stages.maintenance;

import static java.util.Objects.requireNonNull;

import dev.baton.stages.write.RunTags;
import java.time.Clock;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.apache.iceberg.HasTableOperations;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.actions.DeleteOrphanFiles;
import org.apache.iceberg.actions.ExpireSnapshots;
import org.apache.iceberg.actions.RewriteDataFiles;
import org.apache.iceberg.actions.RewriteManifests;
import org.apache.iceberg.actions.RewritePositionDeleteFiles;
import org.apache.iceberg.actions.SizeBasedFileRewritePlanner;
import org.apache.iceberg.actions.SnapshotUpdate;
import org.apache.iceberg.spark.Spark3Util;
import org.apache.iceberg.spark.actions.SparkActions;
import org.apache.iceberg.util.SnapshotUtil;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.analysis.NoSuchTableException;
import org.apache.spark.sql.catalyst.parser.ParseException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Iceberg table maintenance with Iceberg's Spark actions ({@link SparkActions}): compaction, manifest
 * rewrite, snapshot expiry and orphan file removal, in that order, each one optional. The one
 * implementation behind the {@code maintenance} stage and the controller's upkeep of its ledger
 * tables. Not thread-safe for one table: run one maintenance per table at a time.
 */
public final class TableMaintenance {

  /** Snapshot summary property marking the snapshots a maintenance committed; its value is the maintenance's id. */
  public static final String MAINTENANCE_ID_PROPERTY = "baton.maintenance-id";

  private static final Logger LOG = LoggerFactory.getLogger(TableMaintenance.class);

  private final MaintenanceOptions.RewriteDataFiles rewriteDataFiles;
  private final MaintenanceOptions.RewriteManifests rewriteManifests;
  private final MaintenanceOptions.ExpireSnapshots expireSnapshots;
  private final MaintenanceOptions.DeleteOrphanFiles deleteOrphanFiles;
  private final Clock clock;

  /**
   * @param rewriteDataFiles null to skip compaction
   * @param rewriteManifests null to skip the manifest rewrite
   * @param expireSnapshots null to skip snapshot expiry
   * @param deleteOrphanFiles null to skip orphan removal
   * @param clock what ages (snapshot expiry, orphan safety age) are measured from
   */
  public TableMaintenance(MaintenanceOptions.RewriteDataFiles rewriteDataFiles,
      MaintenanceOptions.RewriteManifests rewriteManifests, MaintenanceOptions.ExpireSnapshots expireSnapshots,
      MaintenanceOptions.DeleteOrphanFiles deleteOrphanFiles, Clock clock) {
    this.rewriteDataFiles = rewriteDataFiles;
    this.rewriteManifests = rewriteManifests;
    this.expireSnapshots = expireSnapshots;
    this.deleteOrphanFiles = deleteOrphanFiles;
    this.clock = requireNonNull(clock, "Invalid clock: null");
  }

  /** The actions of a {@code maintenance} stage's options, ages measured from {@code clock}. */
  public static TableMaintenance of(MaintenanceOptions options, Clock clock) {
    return new TableMaintenance(options.rewriteDataFiles(), options.rewriteManifests(), options.expireSnapshots(),
        options.deleteOrphanFiles(), clock);
  }

  /**
   * What one maintenance did to one table. Counts are files unless named otherwise.
   *
   * @param table {@code <namespace>.<table>}
   * @param snapshotId the last snapshot the compaction or manifest rewrite committed; null when they
   *     committed none (nothing to rewrite, or both skipped). Expiry and orphan removal commit no snapshot
   * @param rewrittenDataFiles data files compaction replaced
   * @param addedDataFiles data files compaction wrote in their place
   * @param rewrittenBytes size of the replaced data files, bytes
   * @param removedDeleteFiles delete files compaction removed (applied to the rewritten rows, or dangling)
   * @param rewrittenManifests manifests the manifest rewrite replaced
   * @param addedManifests manifests it wrote in their place
   * @param expiredSnapshots snapshots expiry removed from the table's metadata
   * @param deletedExpiredFiles data, delete, manifest, manifest-list and statistics files expiry deleted
   *     (referenced by expired snapshots only)
   * @param deletedOrphanFiles files orphan removal deleted
   * @param snapshotsAfter snapshots the table's metadata holds afterwards
   */
  public record Report(String table, Long snapshotId, long rewrittenDataFiles, long addedDataFiles, long rewrittenBytes,
      long removedDeleteFiles, long rewrittenManifests, long addedManifests, long expiredSnapshots,
      long deletedExpiredFiles, long deletedOrphanFiles, long snapshotsAfter) {
    public Report {
      requireNonNull(table, "Invalid table: null");
    }

    /**
     * The figures by name, as a stage's metrics: {@code rewrittenDataFiles}, {@code addedDataFiles},
     * {@code rewrittenBytes}, {@code removedDeleteFiles}, {@code rewrittenManifests}, {@code
     * addedManifests}, {@code expiredSnapshots}, {@code deletedExpiredFiles}, {@code deletedOrphanFiles}.
     */
    public Map<String, Double> metrics() {
      Map<String, Double> metrics = new LinkedHashMap<>();
      metrics.put("rewrittenDataFiles", (double) rewrittenDataFiles);
      metrics.put("addedDataFiles", (double) addedDataFiles);
      metrics.put("rewrittenBytes", (double) rewrittenBytes);
      metrics.put("removedDeleteFiles", (double) removedDeleteFiles);
      metrics.put("rewrittenManifests", (double) rewrittenManifests);
      metrics.put("addedManifests", (double) addedManifests);
      metrics.put("expiredSnapshots", (double) expiredSnapshots);
      metrics.put("deletedExpiredFiles", (double) deletedExpiredFiles);
      metrics.put("deletedOrphanFiles", (double) deletedOrphanFiles);
      return metrics;
    }
  }

  /**
   * Runs the configured actions on {@code table}, in order, and logs the figures at INFO. Each action
   * commits (or deletes) on its own: when one fails, what the earlier ones did stays done.
   *
   * @param spark the session whose catalog holds the table; its Spark jobs do the work
   * @param table {@code <namespace>.<table>}
   * @throws NoSuchTableException if the table does not exist
   * @throws org.apache.iceberg.exceptions.ValidationException if orphan removal finds files whose scheme or
   *     authority differs from the metadata's (nothing is deleted then), or a rewrite conflicts with a
   *     concurrent commit
   */
  public Report maintain(SparkSession spark, String table) throws NoSuchTableException {
    long startedMs = System.nanoTime() / 1_000_000;
    Table iceberg = load(spark, table);
    String maintenanceId = UUID.randomUUID().toString();
    SparkActions actions = SparkActions.get(spark);

    long rewrittenDataFiles = 0;
    long addedDataFiles = 0;
    long rewrittenBytes = 0;
    long removedDeleteFiles = 0;
    if (rewriteDataFiles != null) {
      RewriteDataFiles action = tagged(actions.rewriteDataFiles(iceberg), maintenanceId)
          .binPack()
          .option(RewriteDataFiles.REMOVE_DANGLING_DELETES, "true");
      if (rewriteDataFiles.targetFileSizeBytes() != null) {
        action = action.option(RewriteDataFiles.TARGET_FILE_SIZE_BYTES, rewriteDataFiles.targetFileSizeBytes().toString());
      }
      if (rewriteDataFiles.minInputFiles() != null) {
        action = action.option(SizeBasedFileRewritePlanner.MIN_INPUT_FILES, rewriteDataFiles.minInputFiles().toString());
      }
      RewriteDataFiles.Result result = action.execute();
      rewrittenDataFiles = result.rewrittenDataFilesCount();
      addedDataFiles = result.addedDataFilesCount();
      rewrittenBytes = result.rewrittenBytesCount();
      removedDeleteFiles = result.removedDeleteFilesCount();
      if (formatVersion(iceberg) >= 2) {
        // the position deletes the compaction applied stay in the metadata: the new files take the sequence
        // number the compaction started from, so remove-dangling-deletes does not see them as dangling. A
        // position delete rewrite drops rows that point at no live file, and files left with none
        iceberg.refresh();
        RewritePositionDeleteFiles.Result deletes =
            tagged(actions.rewritePositionDeletes(iceberg), maintenanceId).execute();
        removedDeleteFiles += deletes.rewrittenDeleteFilesCount() - deletes.addedDeleteFilesCount();
      }
    }

    long rewrittenManifests = 0;
    long addedManifests = 0;
    if (rewriteManifests != null) {
      iceberg.refresh();
      RewriteManifests.Result result = tagged(actions.rewriteManifests(iceberg), maintenanceId).execute();
      rewrittenManifests = count(result.rewrittenManifests());
      addedManifests = count(result.addedManifests());
    }
    iceberg.refresh();
    // looked up before expiry, which may expire it when others committed after it
    Long snapshotId = lastCommittedBy(iceberg, maintenanceId);

    long expiredSnapshots = 0;
    long deletedExpiredFiles = 0;
    if (expireSnapshots != null) {
      Set<Long> before = snapshotIds(iceberg);
      ExpireSnapshots action = actions.expireSnapshots(iceberg);
      if (expireSnapshots.olderThanDuration() != null) {
        action = action.expireOlderThan(clock.millis() - expireSnapshots.olderThanDuration().toMillis());
      }
      if (expireSnapshots.retainLast() != null) {
        action = action.retainLast(expireSnapshots.retainLast());
      }
      ExpireSnapshots.Result result = action.execute();
      iceberg.refresh();
      before.removeAll(snapshotIds(iceberg));
      expiredSnapshots = before.size();
      deletedExpiredFiles = result.deletedDataFilesCount() + result.deletedPositionDeleteFilesCount()
          + result.deletedEqualityDeleteFilesCount() + result.deletedManifestsCount()
          + result.deletedManifestListsCount() + result.deletedStatisticsFilesCount();
    }

    long deletedOrphanFiles = 0;
    if (deleteOrphanFiles != null) {
      DeleteOrphanFiles.Result result = actions.deleteOrphanFiles(iceberg)
          .olderThan(clock.millis() - deleteOrphanFiles.olderThanDuration().toMillis())
          .execute();
      deletedOrphanFiles = count(result.orphanFileLocations());
    }

    iceberg.refresh();
    Report report = new Report(table, snapshotId, rewrittenDataFiles, addedDataFiles, rewrittenBytes,
        removedDeleteFiles, rewrittenManifests, addedManifests, expiredSnapshots, deletedExpiredFiles,
        deletedOrphanFiles, snapshotIds(iceberg).size());
    LOG.info("Maintained {} in {} ms (snapshot {}): compaction replaced {} data files ({} bytes) with {}, removed {}"
            + " delete files; manifest rewrite replaced {} manifests with {}; expiry removed {} snapshots ({} left)"
            + " and deleted {} files; orphan removal deleted {} files",
        table, System.nanoTime() / 1_000_000 - startedMs, snapshotId, rewrittenDataFiles, rewrittenBytes,
        addedDataFiles, removedDeleteFiles, rewrittenManifests, addedManifests, expiredSnapshots,
        report.snapshotsAfter(), deletedExpiredFiles, deletedOrphanFiles);
    return report;
  }

  private static Table load(SparkSession spark, String table) throws NoSuchTableException {
    try {
      return Spark3Util.loadIcebergTable(spark, table);
    } catch (ParseException e) {
      throw new IllegalArgumentException("Cannot parse table name " + table + ": " + e.getMessage(), e);
    }
  }

  private static int formatVersion(Table table) {
    return table instanceof HasTableOperations operations ? operations.operations().current().formatVersion() : 1;
  }

  private static Long lastCommittedBy(Table table, String maintenanceId) {
    for (Snapshot snapshot : SnapshotUtil.currentAncestors(table)) {
      if (maintenanceId.equals(snapshot.summary().get(MAINTENANCE_ID_PROPERTY))) {
        return snapshot.snapshotId();
      }
    }
    return null;
  }

  private static Set<Long> snapshotIds(Table table) {
    Set<Long> ids = new HashSet<>();
    for (Snapshot snapshot : table.snapshots()) {
      ids.add(snapshot.snapshotId());
    }
    return ids;
  }

  private static long count(Iterable<?> items) {
    long count = 0;
    for (Object ignored : items) {
      count++;
    }
    return count;
  }

  /**
   * {@code action} with the snapshot properties of this maintenance's commits: {@value #MAINTENANCE_ID_PROPERTY} and
   * the run's tags ({@link RunTags}).
   */
  private static <T extends SnapshotUpdate<T, ?>> T tagged(T action, String maintenanceId) {
    T tagged = action.snapshotProperty(MAINTENANCE_ID_PROPERTY, maintenanceId);
    for (Map.Entry<String, String> tag : RunTags.current().entrySet()) {
      tagged = tagged.snapshotProperty(tag.getKey(), tag.getValue());
    }
    return tagged;
  }
}
