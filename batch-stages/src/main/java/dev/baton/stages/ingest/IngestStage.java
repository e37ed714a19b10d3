package dev.baton.stages.ingest;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.current_timestamp;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.monotonically_increasing_id;
import static org.apache.spark.sql.functions.udf;
import static org.apache.spark.sql.functions.when;

import dev.baton.catalog.TableProperties;
import dev.baton.stages.spi.Stage;
import dev.baton.stages.spi.StageContext;
import dev.baton.stages.spi.StageFailedException;
import dev.baton.stages.spi.StageResult;
import dev.baton.stages.spi.StageResult.TableOutput;
import dev.baton.stages.write.IcebergWriter;
import dev.baton.stages.write.StagedWrite;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.iceberg.DistributionMode;
import org.apache.iceberg.spark.SparkWriteOptions;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.api.java.UDF4;
import org.apache.spark.sql.expressions.UserDefinedFunction;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code ingest} stage: files with a declared schema into an Iceberg table partitioned by batch. Each
 * attempt replaces exactly its batch's partition, so a retry never duplicates rows. Rows that do not match the
 * schema go to {@value #QUARANTINE_TABLE} with the file, the record and the reason.
 *
 * <p>Reads any Hadoop-compatible path ({@code s3://} through S3A locally, EMRFS on EMR) with Spark's readers
 * ({@link IngestInput}: delimited text, JSON lines, Parquet, Avro, ORC; text compressed with gzip, bzip2 or
 * zstd), so a file of any size is split across executors, except a file in a codec that cannot be split
 * (gzip, zstd), read by one task and counted in the metric {@code unsplittableInputBytes}. The target table's
 * partitioning, write order, target file size and schema evolution are {@link TargetTable}'s.
 *
 * <h2>Only what it accepts is published, in one pass over an input without bad rows</h2>
 *
 * <ol>
 *   <li>Before reading, the target table (when it exists) is checked against the declared schema and
 *       partitioning, and an input in a self-describing format against the declared columns: a change Iceberg
 *       cannot make or a missing column fails the attempt ({@code INCOMPATIBLE_TABLE}, {@code
 *       INPUT_SCHEMA_MISMATCH}) with nothing written.
 *   <li>The target is created, or its schema and write order evolved ({@link TargetTable}; a metadata commit of
 *       its own, no snapshot, no rows: an attempt that fails after it leaves the created or evolved table without
 *       the batch, and the next attempt finds nothing left to change).
 *   <li>One Spark write reads and parses the input strictly ({@link IngestInput#strictRows()}: Spark's readers in
 *       {@code FAILFAST} mode, without the corrupt-record column, whose reading costs Spark a copy of every row)
 *       and writes its rows to a branch of the target of this attempt's own ({@link StagedWrite}), invisible to
 *       readers of the table's main branch; without {@code partitionBy} and {@code sortBy} it does not shuffle
 *       ({@link #writeOptions}). Spark's range partitioning of a {@code sortBy} samples the input first, a partial
 *       read.
 *   <li>Only when that write meets a bad row, it fails (its branch is removed, Spark's write deletes its files) and
 *       a second write reads the input again, permissively ({@link IngestInput#rows()}): it writes the good rows
 *       to a new branch and its tasks hand the bad rows they meet to an accumulator ({@link BadRows}, at most
 *       {@value #BAD_ROWS_BUFFER_BYTES} bytes of them). An input with bad rows is so read up to twice: the strict
 *       read stops at the first failing task, which on a cluster Spark retries up to {@code spark.task.maxFailures}
 *       times.
 *   <li>The bad rows replace the batch's earlier quarantined rows of this table (none: the earlier ones are
 *       deleted). They are committed whatever the outcome, so a failed batch can be diagnosed in SQL. When they
 *       overflowed the accumulator, the input is read once more for them, and only then.
 *   <li>When the bad rows exceed {@code maxBadRowsFraction} of all rows (the good rows the staged snapshot
 *       counts plus the bad rows) the attempt fails with {@link StageFailedException} of type {@value
 *       #TOO_MANY_BAD_ROWS}, giving both counts and the limit, and the branch is discarded: the table's main
 *       branch gets no snapshot and its rows are exactly what SQL users saw before the attempt.
 *   <li>Otherwise the staged data files replace the batch's partition on the main branch in one Iceberg commit
 *       (retried by Iceberg over concurrent commits to other batches); then the branch is removed.
 * </ol>
 *
 * The quarantine and the target are two tables, so two commits: the quarantine first. A reader may
 * see a batch's bad rows before its data, never its data without its bad rows; an attempt that
 * dies between the two leaves quarantined rows whose batch is not published, replaced by the next
 * attempt, and a staging branch, which the next attempt for the batch removes. A discarded branch's files are
 * deleted by the table's next snapshot expiry ({@link StagedWrite}).
 *
 * <p>Why a branch of our own rather than Iceberg's write-audit-publish ({@code spark.wap.id}, then {@code
 * cherrypick_snapshot}): {@code spark.wap.id} is a session setting while in-process stages share one session;
 * {@code write.wap.enabled} must be set on the user's table; and a staged replace-by-filter snapshot can only be
 * published by fast-forward, which fails as soon as another batch's run commits to the same table in between.
 * Publishing the staged data files with an {@code OverwriteFiles} of our own keeps one ordinary commit, which
 * Iceberg retries on concurrent commits.
 */
final class IngestStage implements Stage {

  static final String QUARANTINE_TABLE = IngestStageFactory.QUARANTINE_TABLE;
  static final String TOO_MANY_BAD_ROWS = IngestStageFactory.TOO_MANY_BAD_ROWS;

  /** The most bytes of bad rows (2 bytes a char) gathered in the permissive pass before the quarantine re-reads. */
  static final long BAD_ROWS_BUFFER_BYTES = 64L << 20;
  /** The least share of {@link #BAD_ROWS_BUFFER_BYTES} one read task may fill before its copy overflows. */
  static final long MIN_TASK_BAD_ROWS_BYTES = 256L << 10;

  private static final Logger LOG = LoggerFactory.getLogger(IngestStage.class);
  private static final StructType BAD_ROW_SCHEMA = new StructType()
      .add("file", DataTypes.StringType)
      .add("record", DataTypes.StringType)
      .add("reason", DataTypes.StringType);

  private final IngestOptions options;
  private final long badRowsBufferBytes;

  IngestStage(IngestOptions options) {
    this(options, BAD_ROWS_BUFFER_BYTES);
  }

  /** @param badRowsBufferBytes the most bytes of bad rows gathered in the permissive pass (tests: a small one) */
  IngestStage(IngestOptions options, long badRowsBufferBytes) {
    this.options = options;
    this.badRowsBufferBytes = badRowsBufferBytes;
  }

  IngestOptions options() {
    return options;
  }

  /** The run's {@code batch}: its rows are written to (and replace) that batch's partition. */
  @Override
  public Map<String, String> parameters() {
    return Map.of("batch", "batchColumn");
  }

  /**
   * Ingests the batch named by the run parameter {@code batch}; see the class comment for the order
   * of checks, counts and commits.
   *
   * @return the target table's output (snapshot, good rows written) and the metrics {@code rowsRead} (data rows
   *     of the input, header excluded), {@code badRows}, {@code inputPartitions} (read tasks of a pass over the
   *     input: the scan's file splits packed into partitions of at most {@code spark.sql.files.maxPartitionBytes}),
   *     {@code inputPasses} (1 without bad rows; 2 with bad rows, the first pass stopped at the first of them; 3
   *     when the quarantine read the input once more) and {@code unsplittableInputBytes} (bytes of gzip or zstd
   *     files, each read whole by one task)
   * @throws StageFailedException of type {@value #TOO_MANY_BAD_ROWS} when bad rows exceed {@code
   *     maxBadRowsFraction}; {@code INCOMPATIBLE_TABLE} when the existing table cannot take the declared schema or
   *     partitioning; {@code INPUT_SCHEMA_MISMATCH} when a Parquet, Avro or ORC input lacks a declared column;
   *     {@code MISSING_PARAMETER} without a {@code batch} parameter
   */
  @Override
  public StageResult run(StageContext context, SparkSession spark) {
    String batch = context.param("batch");
    StructType declared = declaredSchema(options);
    TargetTable target = TargetTable.inspect(spark, options, declared);
    IngestInput input = IngestInput.read(spark, options, declared);
    String table = options.table();
    target.createOrEvolve(spark);

    List<Column> goodColumns = new ArrayList<>();
    for (StructField field : declared.fields()) {
      goodColumns.add(col(field.name()));
    }
    goodColumns.add(lit(batch).as(options.batchColumn()));
    Map<String, String> writeOptions = writeOptions(spark);
    StagedWrite staged = null;
    int passes = 1;
    BadRows.Seen seen = new BadRows.Seen();
    try {
      staged = StagedWrite.write(spark, target.conform(input.strictRows().select(goodColumns.toArray(Column[]::new))),
          table, options.batchColumn(), batch, writeOptions);
    } catch (Exception e) {
      // Exception: a failed Spark job throws SparkException, a checked exception Java does not see declared
      if (!IngestInput.isBadRow(e)) {
        throw e;
      }
      // not logged here: the error names the record, which the logs should not hold (Spark's task failure log lines
      // do: README); the quarantine will have it
      LOG.info("{} has rows that do not match the declared schema of {}: reading it again, keeping the good rows and"
          + " quarantining the bad ones", options.path(), table);
      passes = 2;
    }
    if (staged == null) {
      // each task's share of the buffer, so the tasks' results together stay near it
      long taskBufferBytes = Math.min(badRowsBufferBytes,
          Math.max(MIN_TASK_BAD_ROWS_BYTES, badRowsBufferBytes / Math.max(1, input.partitions())));
      BadRows badRows = new BadRows(badRowsBufferBytes, taskBufferBytes);
      // unnamed: a named accumulator's per-task updates (here, up to the whole buffer) are kept for Spark's UI
      spark.sparkContext().register(badRows);
      Dataset<Row> good = target.conform(
          input.rows().filter(goodOrReport(badRows)).select(goodColumns.toArray(Column[]::new)));
      staged = StagedWrite.write(spark, good, table, options.batchColumn(), batch, writeOptions);
      seen = badRows.snapshot();
    }
    boolean published = false;
    Throwable failure = null;
    try {
      long goodRows = staged.rows();
      if (seen.overflowed()) {
        passes++;
      }
      long bad = quarantine(spark, context, batch, input, seen);
      long total = goodRows + bad;
      double badFraction = total == 0 ? 0 : (double) bad / total;
      if (badFraction > options.maxBadRowsFraction()) {
        throw new StageFailedException(TOO_MANY_BAD_ROWS, String.format(Locale.ROOT,
            "Cannot publish batch %s to %s: %d of %d rows (%.4f%%) of %s do not match the declared schema, more than"
                + " maxBadRowsFraction %s allows; %s is unchanged, the bad rows are in %s",
            batch, table, bad, total, badFraction * 100, options.path(), options.maxBadRowsFraction(), table,
            QUARANTINE_TABLE));
      }
      TableOutput output = staged.publish(spark);
      published = true;
      LOG.info("Ingested batch {} of {} into {} (snapshot {}): {} rows read in {} tasks, {} written, {} quarantined"
              + " in {}", batch, options.path(), table, output.snapshotId(), total, input.partitions(), output.rows(),
          bad, QUARANTINE_TABLE);
      return new StageResult(List.of(output), Map.of(
          "rowsRead", (double) total,
          "badRows", (double) bad,
          "inputPartitions", (double) input.partitions(),
          "inputPasses", (double) passes,
          "unsplittableInputBytes", (double) input.unsplittableBytes()));
    } catch (Throwable e) {
      failure = e;
      throw e;
    } finally {
      if (!published) {
        try {
          staged.discard(spark);
        } catch (RuntimeException e) {
          if (failure == null) {
            throw e;
          }
          failure.addSuppressed(e);
        }
      }
    }
  }

  /**
   * Iceberg write options of the batch's write: {@code distribution-mode=none} when the batch column is the table's
   * only partition field, it has no write order and no distribution mode of its own: the batch is one partition
   * value, and clustering the rows by partition before the write (Iceberg's default hash distribution) would be a
   * shuffle of the whole input for nothing. Each read task then writes its own files (at most one split's rows).
   */
  private Map<String, String> writeOptions(SparkSession spark) {
    org.apache.iceberg.Table table = IcebergWriter.load(spark, options.table());
    boolean onlyTheBatch = table.spec().fields().size() == 1;
    if (onlyTheBatch && table.sortOrder().isUnsorted()
        && !table.properties().containsKey(org.apache.iceberg.TableProperties.WRITE_DISTRIBUTION_MODE)) {
      return Map.of(SparkWriteOptions.DISTRIBUTION_MODE, DistributionMode.NONE.modeName());
    }
    return Map.of();
  }

  /**
   * True for a good row; for a bad row, hands it to {@code badRows} and is false. Non-deterministic, so Spark
   * evaluates it once per row where it stands; the row id is evaluated for bad rows only, so it is the k-th bad
   * row of a read task, the same when the task is re-executed over the same split.
   */
  private static Column goodOrReport(BadRows badRows) {
    UserDefinedFunction report = udf((UDF4<Long, String, String, String, Boolean>) (id, file, record, reason) -> {
      badRows.add(new BadRows.Row(id, file, record, reason));
      return false;
    }, DataTypes.BooleanType).asNondeterministic();
    return when(col(IngestInput.REASON).isNull(), lit(true))
        .otherwise(report.apply(monotonically_increasing_id(), col(IngestInput.SOURCE_FILE), col(IngestInput.RECORD),
            col(IngestInput.REASON)));
  }

  /** The declared columns of {@code options}, in order, each nullable and typed by its DDL type. */
  static StructType declaredSchema(IngestOptions options) {
    StructType schema = new StructType();
    for (IngestOptions.Column column : options.schema()) {
      DataType type = DataType.fromDDL(column.type());
      schema = schema.add(column.name(), type, true);
    }
    return schema;
  }

  /**
   * Replaces the batch's quarantined rows of this table with this attempt's bad rows (none clears them).
   *
   * @return the bad rows written: those {@code seen} holds or, when it overflowed, those a second read of the
   *     input finds
   */
  private long quarantine(SparkSession spark, StageContext context, String batch, IngestInput input,
      BadRows.Seen seen) {
    boolean exists = spark.catalog().tableExists(QUARANTINE_TABLE);
    if (seen.reported() == 0) {
      if (exists) {
        spark.sql("DELETE FROM " + QUARANTINE_TABLE + " WHERE table_name = :table AND batch_id = :batch",
            Map.<String, Object>of("table", options.table(), "batch", batch));
      }
      return 0;
    }
    if (!exists) {
      IcebergWriter.ensureNamespace(spark, QUARANTINE_TABLE);
      spark.sql("CREATE TABLE IF NOT EXISTS " + QUARANTINE_TABLE + " (table_name string, batch_id string,"
          + " run_id string, stage string, attempt int, file string, record string, reason string,"
          + " quarantined_at timestamp) USING iceberg PARTITIONED BY (table_name, batch_id)"
          + " TBLPROPERTIES (" + TableProperties.tblPropertiesSql() + ")");
    }
    Dataset<Row> bad;
    if (!seen.overflowed()) {
      List<Row> rows = seen.rows().stream()
          .map(row -> RowFactory.create(row.file(), row.record(), row.reason()))
          .toList();
      bad = spark.createDataFrame(rows, BAD_ROW_SCHEMA);
    } else {
      LOG.info("More than {} bytes of bad rows in {}: reading it once more for the quarantine",
          badRowsBufferBytes, options.path());
      // the record references every column read (IngestInput), so the readers parse whole rows as in the permissive
      // pass
      bad = input.rows().filter(col(IngestInput.REASON).isNotNull()).select(
          col(IngestInput.SOURCE_FILE).as("file"),
          col(IngestInput.RECORD).as("record"),
          col(IngestInput.REASON).as("reason"));
    }
    Dataset<Row> rows = bad.select(
        lit(options.table()).as("table_name"),
        lit(batch).as("batch_id"),
        lit(context.runId()).as("run_id"),
        lit(context.stage()).as("stage"),
        lit(context.attempt()).as("attempt"),
        col("file"),
        col("record"),
        col("reason"),
        current_timestamp().as("quarantined_at"));
    return IcebergWriter.write(spark, rows, QUARANTINE_TABLE, IcebergWriter.Mode.OVERWRITE_PARTITIONS, List.of(),
        col("table_name").equalTo(lit(options.table())).and(col("batch_id").equalTo(lit(batch)))).rows();
  }
}
