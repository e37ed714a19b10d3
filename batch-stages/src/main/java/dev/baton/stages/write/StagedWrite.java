package dev.baton.stages.write;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

import dev.baton.stages.spi.StageResult.TableOutput;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.OverwriteFiles;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.SnapshotRef;
import org.apache.iceberg.SnapshotSummary;
import org.apache.iceberg.Table;
import org.apache.iceberg.Transaction;
import org.apache.iceberg.expressions.Expressions;
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
 * <p>{@link #write} commits the rows to a branch of their own ({@value #BRANCH_PREFIX}{@code <write id>}, created at
 * the table's current snapshot): a normal Spark write (the table's distribution, write order and target file size
 * apply), invisible to readers of the table, whose data files are known once it returns. {@link #publish} commits
 * those files to the main branch in one Iceberg {@code OverwriteFiles} that first deletes every row matching
 * {@code column = value} at commit time (what {@code DataFrameWriterV2.overwrite(condition)} commits), so
 * concurrent commits to other partitions are simply retried by Iceberg (unlike a fast-forward of the branch, which
 * fails as soon as main has moved); the branch is removed and its snapshot expired in the same transaction.
 * {@link #discard} removes the branch and expires its snapshot, deleting its data files.
 *
 * <p>A process that dies between the two leaves its branch; the next {@link #write} for the same {@code column =
 * value} discards it (its snapshot carries {@value #STAGED_FOR_PROPERTY}). Iceberg branches need format v2 tables,
 * as Baton creates.
 */
public final class StagedWrite {

  /** Prefix of the branches staged writes create. */
  public static final String BRANCH_PREFIX = "baton_staged_";
  /** Snapshot summary property of a staged snapshot: the {@code column=value} it replaces. */
  public static final String STAGED_FOR_PROPERTY = "baton.staged-for";

  private static final Logger LOG = LoggerFactory.getLogger(StagedWrite.class);

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
   * @param column an identity partition column of the table (the replace must cover whole files)
   * @param value the partition value the rows belong to
   * @param writeOptions Iceberg Spark write options (e.g. {@code distribution-mode})
   * @return the staged write, to {@link #publish} or {@link #discard}
   * @throws IllegalStateException when the table cannot be loaded; Spark's and Iceberg's exceptions from the write
   *     (the branch is removed before they propagate)
   */
  public static StagedWrite write(SparkSession spark, Dataset<Row> rows, String table, String column, String value,
      Map<String, String> writeOptions) {
    Table icebergTable = IcebergWriter.load(spark, table);
    String stagedFor = column + "=" + value;
    discardStale(icebergTable, stagedFor);
    String writeId = UUID.randomUUID().toString();
    String branch = BRANCH_PREFIX + writeId.replace("-", "");
    icebergTable.manageSnapshots().createBranch(branch).commit();
    try {
      rows.writeTo(table + ".branch_" + branch)
          .option("snapshot-property." + IcebergWriter.WRITE_ID_PROPERTY, writeId)
          .option("snapshot-property." + STAGED_FOR_PROPERTY, stagedFor)
          .options(writeOptions)
          .overwrite(col(column).equalTo(lit(value)));
      icebergTable.refresh();
      Snapshot head = icebergTable.snapshot(branch);
      Snapshot staged = head != null && writeId.equals(head.summary().get(IcebergWriter.WRITE_ID_PROPERTY)) ? head
          : null;
      return new StagedWrite(table, column, value, writeId, branch, staged);
    } catch (NoSuchTableException e) {
      removeBranch(icebergTable, branch);
      throw new IllegalStateException("Cannot write branch " + branch + " of " + table + ": " + e.getMessage(), e);
    } catch (RuntimeException e) {
      removeBranch(icebergTable, branch);
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
   * and adding the staged data files, the staging branch removed and its snapshot expired in the same transaction.
   *
   * @return the table, the main branch's new snapshot and the rows it added
   * @throws org.apache.iceberg.exceptions.CommitFailedException when Iceberg's retries of the commit are exhausted
   */
  public TableOutput publish(SparkSession spark) {
    Table icebergTable = IcebergWriter.load(spark, table);
    Transaction transaction = icebergTable.newTransaction();
    OverwriteFiles overwrite = transaction.newOverwrite()
        .overwriteByRowFilter(Expressions.equal(column, value))
        .set(IcebergWriter.WRITE_ID_PROPERTY, writeId);
    List<DataFile> files = new ArrayList<>();
    if (staged != null) {
      staged.addedDataFiles(icebergTable.io()).forEach(files::add);
    }
    files.forEach(overwrite::addFile);
    overwrite.commit();
    transaction.manageSnapshots().removeBranch(branch).commit();
    if (staged != null) {
      // metadata only: its files are now main's
      transaction.expireSnapshots().expireSnapshotId(staged.snapshotId()).cleanExpiredFiles(false).commit();
    }
    transaction.commitTransaction();
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

  /** Drops the staged rows: removes the branch and expires its snapshot, deleting its data files. */
  public void discard(SparkSession spark) {
    removeBranch(IcebergWriter.load(spark, table), branch);
  }

  /** Discards branches an earlier process left for the same {@code column=value} (it died before publishing). */
  private static void discardStale(Table table, String stagedFor) {
    for (Map.Entry<String, SnapshotRef> ref : table.refs().entrySet()) {
      if (!ref.getKey().startsWith(BRANCH_PREFIX) || !ref.getValue().isBranch()) {
        continue;
      }
      Snapshot head = table.snapshot(ref.getValue().snapshotId());
      if (head != null && stagedFor.equals(head.summary().get(STAGED_FOR_PROPERTY))) {
        LOG.info("Discarding branch {} of {}: an earlier attempt staged {} there and did not publish it",
            ref.getKey(), table.name(), stagedFor);
        removeBranch(table, ref.getKey());
      }
    }
  }

  /**
   * Removes {@code branch} and, when its head is a staged snapshot (not the main-branch snapshot it was created
   * at), expires that snapshot (metadata only) and deletes the data files it added: no other snapshot references
   * them. Its manifests are left to orphan-file removal; Iceberg's own file clean-up of an expired snapshot is not
   * used, so files the staged snapshot shares with the main branch cannot be touched.
   */
  private static void removeBranch(Table table, String branch) {
    table.refresh();
    SnapshotRef ref = table.refs().get(branch);
    if (ref == null) {
      return;
    }
    Snapshot head = table.snapshot(ref.snapshotId());
    table.manageSnapshots().removeBranch(branch).commit();
    if (head != null && head.summary().containsKey(STAGED_FOR_PROPERTY)) {
      List<String> added = new ArrayList<>();
      head.addedDataFiles(table.io()).forEach(file -> added.add(file.location()));
      table.expireSnapshots().expireSnapshotId(head.snapshotId()).cleanExpiredFiles(false).commit();
      added.forEach(table.io()::deleteFile);
      LOG.info("Discarded branch {} of {}: snapshot {} expired, its {} data files deleted", branch, table.name(),
          head.snapshotId(), added.size());
    }
  }
}
