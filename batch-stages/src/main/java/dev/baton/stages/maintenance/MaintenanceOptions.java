package dev.baton.stages.maintenance;

import static dev.baton.stages.spi.StageOptions.tableName;

import dev.baton.catalog.TableProperties;
import dev.baton.stages.spi.InvalidStageOptionsException;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Options of a {@code maintenance} stage (pipeline YAML, {@code stages[i].options}): which tables, and
 * which of Iceberg's maintenance actions run on each. An action runs when its key is present ({@code
 * {}} takes its defaults) and is skipped when absent; at least one must be present. The actions run
 * in this order, table after table: {@code rewriteDataFiles}, {@code rewriteManifests}, {@code
 * expireSnapshots}, {@code deleteOrphanFiles} (compaction first, so the files it replaces are
 * released by the expiry that follows).
 *
 * @param tables the tables, each {@code <namespace>.<table>}, at least one, no duplicates. A whole
 *     namespace cannot be named: the stage maintains exactly what the pipeline lists, never a table
 *     created later by someone else. Baton's ledger tables ({@link #CONTROLLER_MAINTAINED}) are refused:
 *     the controller maintains them between its own MERGEs ({@code controller.ledger-maintenance.*})
 * @param rewriteDataFiles compact small data files (Iceberg's bin-pack rewrite); absent: skipped
 * @param rewriteManifests rewrite the manifests (Iceberg's {@code RewriteManifests}); absent: skipped
 * @param expireSnapshots expire old snapshots and delete the files only they referenced; absent: skipped
 * @param deleteOrphanFiles delete files in the table's location that no snapshot references; absent: skipped
 */
public record MaintenanceOptions(
    List<String> tables,
    RewriteDataFiles rewriteDataFiles,
    RewriteManifests rewriteManifests,
    ExpireSnapshots expireSnapshots,
    DeleteOrphanFiles deleteOrphanFiles) {

  /**
   * Tables a {@code maintenance} stage refuses: Baton's ledger, which the controller writes with a
   * MERGE every ledger interval and maintains itself between them, so the two never conflict.
   */
  public static final Set<String> CONTROLLER_MAINTAINED =
      Set.of(TableProperties.SYSTEM_NAMESPACE + ".runs", TableProperties.SYSTEM_NAMESPACE + ".stage_attempts");

  public MaintenanceOptions {
    if (tables == null || tables.isEmpty()) {
      throw new InvalidStageOptionsException("tables", "is required (a list of <namespace>.<table>)");
    }
    tables = List.copyOf(tables);
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < tables.size(); i++) {
      String field = "tables[" + i + "]";
      String table = tableName(field, tables.get(i));
      if (!seen.add(table)) {
        throw new InvalidStageOptionsException(field, "duplicate table '" + table + "'");
      }
      if (CONTROLLER_MAINTAINED.contains(table)) {
        throw new InvalidStageOptionsException(field, "'" + table + "' is maintained by the controller between its"
            + " ledger MERGEs (settings controller.ledger-maintenance.*), not by a stage");
      }
    }
    if (rewriteDataFiles == null && rewriteManifests == null && expireSnapshots == null && deleteOrphanFiles == null) {
      throw new InvalidStageOptionsException("", "no action: give at least one of rewriteDataFiles, rewriteManifests,"
          + " expireSnapshots, deleteOrphanFiles ({} for its defaults)");
    }
  }

  /**
   * Compaction: Iceberg's bin-pack {@code RewriteDataFiles}, one commit per table. Rows are read with
   * their deletes applied and written without any, so the rewritten files carry no delete file. The
   * position-delete files that applied to the replaced files are then dropped by Iceberg's {@code
   * RewritePositionDeleteFiles} (its own commit, format version 2 and later): {@code
   * remove-dangling-deletes}, also on, does not see them, since the new files take the sequence number
   * the compaction started from. No equality delete is written; the table keeps its format version
   * and file format.
   *
   * @param targetFileSizeBytes size the rewritten files aim at, bytes, at least 1; default: the table's
   *     {@code write.target-file-size-bytes} (Iceberg's default 512 MiB)
   * @param minInputFiles fewest files a group (a partition's worth) needs to be rewritten, at least 1;
   *     default Iceberg's, 5
   */
  public record RewriteDataFiles(Long targetFileSizeBytes, Integer minInputFiles) {
    public RewriteDataFiles {
      if (targetFileSizeBytes != null && targetFileSizeBytes < 1) {
        throw new InvalidStageOptionsException("targetFileSizeBytes", "must be at least 1, got " + targetFileSizeBytes);
      }
      if (minInputFiles != null && minInputFiles < 1) {
        throw new InvalidStageOptionsException("minInputFiles", "must be at least 1, got " + minInputFiles);
      }
    }
  }

  /**
   * Iceberg's {@code RewriteManifests} with its defaults: every manifest of the current snapshot is
   * rewritten into manifests of the table's {@code commit.manifest.target-size-bytes} (8 MiB by default),
   * clustered by partition. No options.
   */
  public record RewriteManifests() {}

  /**
   * Iceberg's {@code ExpireSnapshots}: snapshots older than {@code olderThan} are removed, except the
   * last {@code retainLast} of the current snapshot's history; data and metadata files only they
   * referenced are deleted. The current snapshot is never expired.
   *
   * @param olderThan age past which a snapshot expires, an ISO-8601 duration ({@code P7D}, {@code PT12H});
   *     default: the table's {@code history.expire.max-snapshot-age-ms} (Iceberg's default 5 days)
   * @param retainLast snapshots kept whatever their age, at least 1; default: the table's {@code
   *     history.expire.min-snapshots-to-keep} (Iceberg's default 1)
   */
  public record ExpireSnapshots(String olderThan, Integer retainLast) {
    public ExpireSnapshots {
      if (olderThan != null) {
        duration("olderThan", olderThan);
      }
      if (retainLast != null && retainLast < 1) {
        throw new InvalidStageOptionsException("retainLast", "must be at least 1, got " + retainLast);
      }
    }

    /** {@link #olderThan()} as a duration; null when not given. */
    public Duration olderThanDuration() {
      return olderThan == null ? null : Duration.parse(olderThan);
    }
  }

  /**
   * Iceberg's {@code DeleteOrphanFiles}: lists the table's location and deletes every file that no
   * snapshot or metadata file references and that was last modified more than {@code olderThan} ago.
   * The age is the safety margin for writes in flight: a file written by a commit not yet done is an
   * orphan until it commits. Listings and references must agree on scheme and authority ({@code s3://}
   * against {@code s3a://} is an error, not a deletion).
   *
   * @param olderThan how old an unreferenced file must be to be deleted, an ISO-8601 duration, at least
   *     {@link #MIN_ORPHAN_AGE} (PT1H); default {@link #DEFAULT_ORPHAN_AGE} (P3D, Iceberg's default)
   */
  public record DeleteOrphanFiles(String olderThan) {
    /** The youngest safety age accepted: below it a file of a write still in flight may be deleted. */
    public static final Duration MIN_ORPHAN_AGE = Duration.ofHours(1);
    /** The default safety age, Iceberg's: 3 days. */
    public static final Duration DEFAULT_ORPHAN_AGE = Duration.ofDays(3);

    public DeleteOrphanFiles {
      olderThan = olderThan == null ? DEFAULT_ORPHAN_AGE.toString() : olderThan;
      Duration age = duration("olderThan", olderThan);
      if (age.compareTo(MIN_ORPHAN_AGE) < 0) {
        throw new InvalidStageOptionsException("olderThan", "must be at least " + MIN_ORPHAN_AGE + " (a younger"
            + " unreferenced file may belong to a write in flight), got " + olderThan);
      }
    }

    /** {@link #olderThan()} as a duration. */
    public Duration olderThanDuration() {
      return Duration.parse(olderThan);
    }
  }

  private static Duration duration(String field, String text) {
    Duration duration;
    try {
      duration = Duration.parse(text);
    } catch (DateTimeParseException e) {
      throw new InvalidStageOptionsException(field, "expected an ISO-8601 duration such as P7D or PT12H, got '"
          + text + "'");
    }
    if (duration.isNegative() || duration.isZero()) {
      throw new InvalidStageOptionsException(field, "must be a positive duration, got " + text);
    }
    return duration;
  }
}
