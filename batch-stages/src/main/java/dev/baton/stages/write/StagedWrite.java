package dev.baton.stages.write;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

import dev.baton.stages.spi.StageResult.TableOutput;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.OverwriteFiles;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.SnapshotRef;
import org.apache.iceberg.SnapshotSummary;
import org.apache.iceberg.Table;
import org.apache.iceberg.exceptions.CommitFailedException;
import org.apache.iceberg.expressions.Expressions;
import org.apache.iceberg.types.Types;
import org.apache.iceberg.util.PropertyUtil;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.analysis.NoSuchTableException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A write that replaces the rows of one partition value ({@code column = value}) of an Iceberg table, written by
 * Spark in one pass but published only when the caller decides: write, audit, publish.
 *
 * <p>{@link #write} commits the rows to a branch of their own ({@value #BRANCH_PREFIX}{@code <hash of column=value>_<write
 * id>}, created at the table's current snapshot): a normal Spark write (the table's write order and target file size
 * apply, and its distribution unless the caller's write options choose another), invisible to readers of the
 * table's main branch, whose data files are known once it returns. {@link #publish} commits those files to the main
 * branch in one Iceberg {@code OverwriteFiles} that first deletes every row matching {@code column = value} at commit
 * time (what {@code DataFrameWriterV2.overwrite(condition)} commits), so a concurrent commit to another partition
 * makes Iceberg retry it (a fast-forward of the branch would fail as soon as main has moved); then it removes the
 * branch. {@link #discard} removes the branch.
 *
 * <p>Neither deletes a file nor expires a snapshot: the staged snapshot stays in the table's metadata, unreferenced,
 * until snapshot expiry (the {@code maintenance} stage, or any {@code expire_snapshots}) removes it; expiry keeps
 * the files main references and deletes those only a discarded staged snapshot added ({@code StagedWriteTest}). A
 * published snapshot also names its staged one in {@value SnapshotSummary#SOURCE_SNAPSHOT_ID_PROP}, as Iceberg's
 * cherry-pick does, which Iceberg's incremental file clean-up reads to keep a picked snapshot's files. Hence a lost answer (a commit whose outcome is unknown, an attempt that dies) can leave a branch or
 * unexpired files, never delete a file main references.
 *
 * <p>A branch left by an attempt that died (at any point: before, during or after its Spark write) is removed by the
 * next {@link #write} for the same {@code column = value}, found by its name. Iceberg branches need format v2
 * tables, as Baton creates.
 */
public final class StagedWrite {

  /** Prefix of the branches staged writes create. */
  public static final String BRANCH_PREFIX = "baton_staged_";

  private static final Logger LOG = LoggerFactory.getLogger(StagedWrite.class);
  /** Attempts at removing a branch: its removal is not retried by Iceberg over concurrent commits. */
  private static final int BRANCH_REMOVAL_ATTEMPTS = 5;

  private final String table;
  private final String column;
  private final String value;
  private final String writeId;
  private final String branch;
  /** The branch's snapshot that this write committed; null when the write committed none. */
  private final Snapshot staged;

  private StagedWrite(String table, String column, String value, String writeId, String branch, Snapshot staged) {
    this.table = table;
    this.column = column;
    this.value = value;
    this.writeId = writeId;
    this.branch = branch;
    this.staged = staged;
  }

  /**
   * Writes {@code rows} to a new branch of {@code table}, replacing there the rows where {@code column = value}.
   *
   * @param table an existing Iceberg table, {@code <namespace>.<table>}
   * @param column an identity partition column of the table (the replace must cover whole files), matched
   *     case-insensitively as Spark resolves names
   * @param value the partition value the rows belong to
   * @param writeOptions Iceberg Spark write options (e.g. {@code distribution-mode})
   * @return the staged write, to {@link #publish} or {@link #discard}
   * @throws IllegalArgumentException when the table has no such column
   * @throws IllegalStateException when the table cannot be loaded; Spark's and Iceberg's exceptions from the write
   *     (the branch is removed before they propagate; a failure to remove it is added to them as suppressed)
   */
  public static StagedWrite write(SparkSession spark, Dataset<Row> rows, String table, String column, String value,
      Map<String, String> writeOptions) {
    Table icebergTable = IcebergWriter.load(spark, table);
    // the table's own spelling of the column: Iceberg binds the replace filter case-sensitively
    Types.NestedField field = icebergTable.schema().caseInsensitiveFindField(column);
    if (field == null) {
      throw new IllegalArgumentException("Table " + table + " has no column " + column + ": " + icebergTable.schema());
    }
    column = field.name();
    String prefix = branchPrefix(column, value);
    removeStale(icebergTable, prefix);
    String writeId = UUID.randomUUID().toString();
    String branch = prefix + writeId.replace("-", "");
    icebergTable.manageSnapshots().createBranch(branch).commit();
    try {
      Map<String, String> snapshotProperties = new HashMap<>();
      RunTags.current().forEach((key, tag) -> snapshotProperties.put("snapshot-property." + key, tag));
      rows.writeTo(table + ".branch_" + branch)
          .option("snapshot-property." + IcebergWriter.WRITE_ID_PROPERTY, writeId)
          .options(snapshotProperties)
          .options(writeOptions)
          .overwrite(col(column).equalTo(lit(value)));
      icebergTable.refresh();
      Snapshot head = icebergTable.snapshot(branch);
      Snapshot staged = head != null && writeId.equals(head.summary().get(IcebergWriter.WRITE_ID_PROPERTY)) ? head
          : null;
      return new StagedWrite(table, column, value, writeId, branch, staged);
    } catch (NoSuchTableException e) {
      IllegalStateException failure =
          new IllegalStateException("Cannot write branch " + branch + " of " + table + ": " + e.getMessage(), e);
      removeBranchAfter(failure, icebergTable, branch);
      throw failure;
    } catch (Exception e) {
      // Exception: a failed Spark job throws SparkException, a checked exception Java does not see declared
      removeBranchAfter(e, icebergTable, branch);
      throw e;
    }
  }

  /** Rows the write staged (its snapshot's {@code added-records}); 0 when it committed nothing. */
  public long rows() {
    return staged == null ? 0L
        : PropertyUtil.propertyAsLong(staged.summary(), SnapshotSummary.ADDED_RECORDS_PROP, 0L);
  }

  /**
   * Publishes the staged rows: one commit to the table's main branch deleting the rows where {@code column = value}
   * and adding the staged data files, then the removal of the staging branch.
   *
   * @return the table, the main branch's new snapshot and the rows it added
   * @throws org.apache.iceberg.exceptions.CommitFailedException when Iceberg's retries of the commit are exhausted
   */
  public TableOutput publish(SparkSession spark) {
    Table icebergTable = IcebergWriter.load(spark, table);
    OverwriteFiles overwrite = icebergTable.newOverwrite()
        .overwriteByRowFilter(Expressions.equal(column, value))
        .set(IcebergWriter.WRITE_ID_PROPERTY, writeId);
    RunTags.current().forEach(overwrite::set);
    List<DataFile> files = new ArrayList<>();
    if (staged != null) {
      staged.addedDataFiles(icebergTable.io()).forEach(files::add);
      // as a cherry-pick does: snapshot expiry then keeps the staged snapshot's files, now main's
      overwrite.set(SnapshotSummary.SOURCE_SNAPSHOT_ID_PROP, String.valueOf(staged.snapshotId()));
    }
    files.forEach(overwrite::addFile);
    overwrite.commit();
    removeBranch(icebergTable, branch);
    spark.catalog().refreshTable(table);
    Snapshot published = IcebergWriter.snapshotOf(spark, table, writeId);
    if (published == null) {
      throw new IllegalStateException("Published " + table + " " + column + "=" + value + " but its snapshot (write "
          + writeId + ") is not in the main branch's history");
    }
    LOG.info("Published {} rows of {} {}={} in {} files (snapshot {}, staged on branch {})", rows(), table, column,
        value, files.size(), published.snapshotId(), branch);
    return new TableOutput(table, published.snapshotId(),
        PropertyUtil.propertyAsLong(published.summary(), SnapshotSummary.ADDED_RECORDS_PROP, 0L));
  }

  /**
   * Drops the staged rows: removes the branch. Its snapshot, now referenced by nothing, and the data files it added
   * are deleted by the table's next snapshot expiry.
   */
  public void discard(SparkSession spark) {
    removeBranch(IcebergWriter.load(spark, table), branch);
    LOG.info("Discarded branch {} of {} ({} staged rows of {}={}): its files go with the staged snapshot's expiry",
        branch, table, rows(), column, value);
  }

  /** Removes the branches an earlier attempt left for the same {@code column=value} (it died before removing it). */
  private static void removeStale(Table table, String prefix) {
    for (String ref : List.copyOf(table.refs().keySet())) {
      if (ref.startsWith(prefix)) {
        LOG.info("Removing branch {} of {}: an earlier attempt staged there and did not publish or discard it", ref,
            table.name());
        removeBranch(table, ref);
      }
    }
  }

  private static void removeBranchAfter(Exception failure, Table table, String branch) {
    try {
      removeBranch(table, branch);
    } catch (RuntimeException e) {
      failure.addSuppressed(e);
    }
  }

  /** Removes {@code branch} when it exists, refreshing and retrying when another commit wins the race. */
  private static void removeBranch(Table table, String branch) {
    for (int attempt = 1; ; attempt++) {
      table.refresh();
      SnapshotRef ref = table.refs().get(branch);
      if (ref == null) {
        return;
      }
      try {
        table.manageSnapshots().removeBranch(branch).commit();
        return;
      } catch (CommitFailedException e) {
        if (attempt == BRANCH_REMOVAL_ATTEMPTS) {
          throw e;
        }
        LOG.info("Removing branch {} of {} lost a race with another commit (attempt {}): {}", branch, table.name(),
            attempt, e.getMessage());
      }
    }
  }

  /** The start of the names of the branches staged for {@code column = value} (the column in any case). */
  static String branchPrefix(String column, String value) {
    return BRANCH_PREFIX + hash(column.toLowerCase(java.util.Locale.ROOT) + "=" + value) + "_";
  }

  /** 16 hex characters of SHA-256: a branch-name-safe, fixed-length key of any partition value. */
  private static String hash(String text) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest, 0, 8);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required of every Java platform", e);
    }
  }
}
