package dev.baton.stages.export;

import dev.baton.schemas.StageErrorCode;
import dev.baton.stages.export.ExportManifest.FileEntry;
import dev.baton.stages.spi.SqlParameters;
import dev.baton.stages.spi.Stage;
import dev.baton.stages.spi.StageContext;
import dev.baton.stages.spi.StageFailedException;
import dev.baton.stages.spi.StageResult;
import dev.baton.stages.write.RunTags;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RemoteIterator;
import org.apache.iceberg.DataOperations;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.SnapshotSummary;
import org.apache.iceberg.Table;
import org.apache.iceberg.spark.Spark3Util;
import org.apache.iceberg.util.PropertyUtil;
import org.apache.iceberg.util.SnapshotUtil;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.DataFrameWriter;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code export} stage: copies results out of the lake, to an on-premises Hadoop cluster or S3-compatible store,
 * in a folder the receiving side can trust (see {@link ExportFolder}: data files under deterministic names, then
 * {@value ExportFolder#MANIFEST} with every file's size, rows and SHA-256, then {@value ExportFolder#SUCCESS}).
 *
 * <ul>
 *   <li><b>table</b>: a table at the snapshot the run produced (the newest its stages committed, found by {@link
 *       RunTags}; the current snapshot when the run committed none), read at that snapshot id, so a commit by
 *       another run before or during the export is not included; or a query's result, its Iceberg tables pinned
 *       the same way ({@link QuerySnapshots}; the manifest lists them); written by Spark as Parquet or CSV into the
 *       target folder. A retried attempt writes the same names again and deletes any extra file of the earlier
 *       attempt.
 *   <li><b>table, incremental</b>: only the rows appended since the snapshot the last successful export of this
 *       (table, target) recorded in {@value #EXPORTS_TABLE}, into {@code <target>/initial/} the first time and
 *       {@code <target>/after-<snapshotId>/} after that (named by the exclusive start, so a retry rewrites the same
 *       folder). Read with Iceberg's changelog ({@code <table>.changes}), which skips a compaction ({@code replace}
 *       snapshot: the same rows in other files). A snapshot in the range that deleted or
 *       replaced rows (an overwrite of existing rows, a delete, a row-level delete file) fails the attempt with
 *       {@value #NOT_INCREMENTAL} rather than export a partial picture; so does a last exported snapshot that is
 *       no longer an ancestor of the snapshot to export. The state is recorded after {@value ExportFolder#SUCCESS}:
 *       an attempt that dies in between leaves a complete folder which the next attempt rewrites with everything
 *       appended since (the manifest's {@code snapshotId} tells the receiving side which). A run whose snapshot is
 *       already in the last export (a later run's export included it) exports nothing.
 *   <li><b>files</b>: the files under {@code source} copied as they are to {@code target}, in parallel Spark
 *       tasks; a file already at the target with the same size and SHA-256 is not copied again, so a rerun after a
 *       kill copies only what is missing.
 * </ul>
 */
final class ExportStage implements Stage {

  /** Where incremental exports record the last snapshot exported, one row per (table, target). */
  static final String EXPORTS_TABLE = ExportStageFactory.EXPORTS_TABLE;
  /** {@link StageFailedException#type()} of an incremental export whose range is not append-only. */
  static final String NOT_INCREMENTAL = StageErrorCode.EXPORT_NOT_INCREMENTAL.name();

  private static final Logger LOG = LoggerFactory.getLogger(ExportStage.class);

  private final ExportOptions options;
  private final Set<String> parameters;

  ExportStage(ExportOptions options) {
    this.options = options;
    this.parameters = options.query() == null ? Set.of() : SqlParameters.ofQuery("query", options.query());
  }

  @Override
  public Map<String, String> parameters() {
    return SqlParameters.usedBy("query", parameters);
  }

  /**
   * Runs one export.
   *
   * @return no table outputs; metrics {@code rowsExported} (not for files), {@code filesExported}, {@code
   *     bytesExported}, and for files {@code filesCopied} and {@code filesSkipped}
   * @throws StageFailedException {@value #NOT_INCREMENTAL} as described in the class comment; {@code
   *     MISSING_PARAMETER} / {@code INVALID_PARAMETER} for the query's markers
   * @throws IOException when the target or source cannot be read or written
   */
  @Override
  public StageResult run(StageContext context, SparkSession spark) throws IOException {
    Configuration conf = spark.sparkContext().hadoopConfiguration();
    return options.mode().equals("files") ? copyFiles(context, spark, conf) : exportTable(context, spark, conf);
  }

  private StageResult exportTable(StageContext context, SparkSession spark, Configuration conf) throws IOException {
    Dataset<Row> rows;
    Long snapshotId = null;
    Long fromSnapshotId = null;
    Path folder = new Path(options.target());
    Sizing sizing = null;
    Map<String, Long> querySnapshots = null;
    if (options.query() != null) {
      Dataset<Row> query = parameters.isEmpty() ? spark.sql(options.query())
          : spark.sql(options.query(), context.sqlArgs(parameters));
      QuerySnapshots.Pinned pinned = QuerySnapshots.pin(spark, query, context.runId());
      rows = pinned.rows();
      querySnapshots = pinned.snapshots();
    } else {
      Table table = loadTable(spark, options.table());
      Snapshot exported = snapshotToExport(table, context.runId());
      snapshotId = exported == null ? null : exported.snapshotId();
      sizing = sizing(exported);
      if (options.incremental()) {
        fromSnapshotId = ExportState.lastExported(spark, options.table(), options.target());
        folder = new Path(folder, fromSnapshotId == null ? "initial" : "after-" + fromSnapshotId);
        // the last exported snapshot may have expired: then it is no descendant of anything (read() refuses it)
        boolean alreadyExported = fromSnapshotId != null && snapshotId != null && (fromSnapshotId.equals(snapshotId)
            || table.snapshot(fromSnapshotId) != null && SnapshotUtil.isAncestorOf(table, fromSnapshotId, snapshotId));
        if (alreadyExported) {
          LOG.info("Export of {} to {}: snapshot {} is already in the last export, of snapshot {}; nothing written",
              options.table(), options.target(), snapshotId, fromSnapshotId);
          return new StageResult(List.of(), Map.of("rowsExported", 0.0, "filesExported", 0.0, "bytesExported", 0.0));
        }
      }
      rows = read(spark, table, fromSnapshotId, snapshotId);
    }
    ExportFolder export = new ExportFolder(folder, conf);
    export.retractCompletion();
    write(rows, export.staging().toString(), sizing);
    List<String> keys = export.publishStaged();
    List<FileEntry> files = describe(spark, conf, export.path(), keys);
    long rowCount = files.stream().mapToLong(FileEntry::rows).sum();
    export.complete(options.query() != null
        ? ExportManifest.ofQuery(querySnapshots, options.format(), context.runId(), rowCount, files)
        : ExportManifest.ofTable(options.table(), snapshotId, fromSnapshotId, options.format(), context.runId(),
            rowCount, files));
    if (options.incremental()) {
      ExportState.record(spark, options.table(), options.target(), snapshotId, export.path().toString(), rowCount,
          files.size(), context.runId());
    }
    long bytes = files.stream().mapToLong(FileEntry::bytes).sum();
    LOG.info("Exported {} (snapshot {}{}) to {}: {} rows in {} files, {} bytes", options.table() == null ? "query"
        : options.table(), snapshotId, fromSnapshotId == null ? "" : ", appended after " + fromSnapshotId,
        export.path(), rowCount, files.size(), bytes);
    return new StageResult(List.of(), Map.of("rowsExported", (double) rowCount, "filesExported",
        (double) files.size(), "bytesExported", (double) bytes));
  }

  /**
   * The snapshot run {@code runId} produced: the newest of the table's main branch history that a stage of that run
   * committed ({@link RunTags}), so a commit by another run since is not exported; when the run committed none (the
   * table is another pipeline's), the table's current snapshot; null when the table has none. Logged at INFO when
   * the run committed none, and when it is not the current snapshot. Also what a query export reads each table at
   * ({@link QuerySnapshots}).
   */
  static Snapshot snapshotToExport(Table table, String runId) {
    Snapshot current = table.currentSnapshot();
    Snapshot produced = RunTags.lastOfRun(table, runId);
    if (produced == null) {
      LOG.info("Export of {}: run {} committed no snapshot of it; exporting its current snapshot {}", table.name(),
          runId, current == null ? null : current.snapshotId());
      return current;
    }
    if (current != null && produced.snapshotId() != current.snapshotId()) {
      LOG.info("Export of {}: exporting snapshot {}, the newest run {} committed, not the current snapshot {},"
          + " committed since", table.name(), produced.snapshotId(), runId, current.snapshotId());
    }
    return produced;
  }

  /** The table at {@code snapshotId}, or the rows appended after {@code fromSnapshotId} up to it. */
  private Dataset<Row> read(SparkSession spark, Table table, Long fromSnapshotId, Long snapshotId) {
    if (fromSnapshotId != null && snapshotId == null) {
      throw new StageFailedException(NOT_INCREMENTAL, "Cannot export " + options.table() + " incrementally to "
          + options.target() + ": it has no current snapshot, while snapshot " + fromSnapshotId + " was exported"
          + " last (the table was replaced); export it in full (incremental: false) to a new target");
    }
    if (snapshotId == null) {
      return spark.table(options.table()); // no snapshot yet: empty, with the table's schema
    }
    if (fromSnapshotId == null) {
      return spark.read().option("snapshot-id", snapshotId).table(options.table());
    }
    requireAppendOnly(table, fromSnapshotId, snapshotId);
    Dataset<Row> changes = spark.read()
        .option("start-snapshot-id", fromSnapshotId)
        .option("end-snapshot-id", snapshotId)
        .table(options.table() + ".changes");
    // only INSERTs: the range was checked to delete nothing (a filter on _change_type is not pushed down by
    // Iceberg 1.10's changelog scan, it fails to bind against the table schema)
    return changes.drop("_change_type", "_change_ordinal", "_commit_snapshot_id");
  }

  /**
   * @throws StageFailedException {@value #NOT_INCREMENTAL} when {@code from} is not an ancestor of {@code to}, or a
   *     snapshot after it other than a compaction ({@code replace}) removed rows or added delete files
   */
  private void requireAppendOnly(Table table, long from, long to) {
    if (!SnapshotUtil.isAncestorOf(table, to, from)) {
      throw new StageFailedException(NOT_INCREMENTAL, "Cannot export " + options.table() + " incrementally to "
          + options.target() + ": snapshot " + from + ", the last exported, is not an ancestor of the current snapshot "
          + to + " (the table was replaced, or the snapshot expired); export it in full (incremental: false) to a"
          + " new target");
    }
    for (Snapshot snapshot : SnapshotUtil.ancestorsBetween(table, to, from)) {
      if (DataOperations.REPLACE.equals(snapshot.operation())) {
        continue; // a compaction: the same rows in other files, which Iceberg's changelog skips too
      }
      Map<String, String> summary = snapshot.summary();
      for (String removal : List.of(SnapshotSummary.DELETED_RECORDS_PROP, SnapshotSummary.DELETED_FILES_PROP,
          SnapshotSummary.ADDED_DELETE_FILES_PROP)) {
        if (PropertyUtil.propertyAsLong(summary, removal, 0) > 0) {
          throw new StageFailedException(NOT_INCREMENTAL, "Cannot export " + options.table() + " incrementally to "
              + options.target() + ": snapshot " + snapshot.snapshotId() + " (" + snapshot.operation() + ") after "
              + from + ", the last exported, has " + removal + "=" + summary.get(removal)
              + ", so rows were not only appended; export it in full (incremental: false)");
        }
      }
    }
  }

  private void write(Dataset<Row> rows, String staging, Sizing sizing) {
    Dataset<Row> data = rows;
    DataFrameWriter<Row> writer;
    if (sizing != null) {
      // fewer, larger tasks when the table is small for its read splits (coalesce: no shuffle); a task's rows are
      // then cut into files of at most rowsPerFile rows
      int tasks = data.rdd().getNumPartitions();
      if (sizing.files() < tasks) {
        data = data.coalesce((int) sizing.files());
      }
      writer = data.write().option("maxRecordsPerFile", sizing.rowsPerFile());
    } else {
      writer = data.write();
    }
    writer = writer.mode(SaveMode.Overwrite).option("compression", options.compression());
    if (!options.partitionBy().isEmpty()) {
      writer = writer.partitionBy(options.partitionBy().toArray(String[]::new));
    }
    if (options.format().equals("csv")) {
      writer.option("header", options.header()).option("sep", options.delimiter())
          .option("nullValue", options.nullValue()).csv(staging);
    } else {
      writer.parquet(staging);
    }
  }

  /**
   * How to cut a table's rows into files of about {@code targetFileSizeBytes}.
   *
   * @param rowsPerFile rows per file
   * @param files files needed for the whole table (an upper bound for an incremental export)
   */
  private record Sizing(long rowsPerFile, long files) {}

  /**
   * Sizing from the snapshot's data files (Iceberg's summary: total records and bytes), or null when the table is
   * empty.
   */
  private Sizing sizing(Snapshot current) {
    if (current == null) {
      return null;
    }
    long records = PropertyUtil.propertyAsLong(current.summary(), SnapshotSummary.TOTAL_RECORDS_PROP, 0);
    long size = PropertyUtil.propertyAsLong(current.summary(), SnapshotSummary.TOTAL_FILE_SIZE_PROP, 0);
    if (records == 0) {
      return null;
    }
    long bytesPerRow = Math.max(1, size / records);
    long rowsPerFile = Math.max(1, options.targetFileSizeBytes() / bytesPerRow);
    return new Sizing(rowsPerFile, Math.max(1, (records + rowsPerFile - 1) / rowsPerFile));
  }

  private List<FileEntry> describe(SparkSession spark, Configuration conf, Path folder, List<String> keys) {
    if (keys.isEmpty()) {
      return List.of();
    }
    var describe = new FileDigests.Describe(conf, folder.toString(), options.format(), options.header(),
        options.delimiter() == null ? ',' : options.delimiter().charAt(0));
    List<FileEntry> files = new ArrayList<>(JavaSparkContext.fromSparkContext(spark.sparkContext())
        .parallelize(keys, Math.min(keys.size(), spark.sparkContext().defaultParallelism() * 2))
        .map(describe)
        .collect());
    files.sort(Comparator.comparing(FileEntry::key));
    return files;
  }

  private StageResult copyFiles(StageContext context, SparkSession spark, Configuration conf) throws IOException {
    Path source = new Path(options.source());
    FileSystem sourceFs = source.getFileSystem(conf);
    List<String> keys = new ArrayList<>();
    RemoteIterator<LocatedFileStatus> listing = sourceFs.listFiles(source, true);
    while (listing.hasNext()) {
      String key = ExportFolder.relative(source, listing.next().getPath());
      if (key.equals(ExportFolder.MANIFEST) || key.equals(ExportFolder.SUCCESS)) {
        LOG.info("Export of {}: not copying {}, the source's own completion marker (the target gets its own)",
            source, key);
        continue;
      }
      keys.add(key);
    }
    keys.sort(null);
    ExportFolder export = new ExportFolder(new Path(options.target()), conf);
    export.retractCompletion();
    List<FileDigests.Copied> copied = keys.isEmpty() ? List.of()
        : JavaSparkContext.fromSparkContext(spark.sparkContext())
            .parallelize(keys, Math.min(keys.size(), options.parallelism()))
            .map(new FileDigests.Copy(conf, source.toString(), options.target()))
            .collect();
    List<FileEntry> files = new ArrayList<>(copied.stream().map(FileDigests.Copied::entry).toList());
    files.sort(Comparator.comparing(FileEntry::key));
    export.complete(ExportManifest.ofFiles(source.toString(), context.runId(), files));
    long copiedCount = copied.stream().filter(FileDigests.Copied::copied).count();
    long bytes = files.stream().mapToLong(FileEntry::bytes).sum();
    LOG.info("Exported the files of {} to {}: {} files, {} bytes; {} copied, {} already there with the same size and"
        + " SHA-256", source, options.target(), files.size(), bytes, copiedCount, files.size() - copiedCount);
    return new StageResult(List.of(), Map.of("filesExported", (double) files.size(), "bytesExported", (double) bytes,
        "filesCopied", (double) copiedCount, "filesSkipped", (double) (files.size() - copiedCount)));
  }

  private static Table loadTable(SparkSession spark, String name) {
    try {
      Table table = Spark3Util.loadIcebergTable(spark, name);
      table.refresh();
      return table;
    } catch (org.apache.spark.sql.catalyst.parser.ParseException
        | org.apache.spark.sql.catalyst.analysis.NoSuchTableException e) {
      throw new IllegalStateException("Cannot load table " + name + ": " + e.getMessage(), e);
    }
  }
}
