package dev.baton.stages.ingest;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.current_timestamp;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.not;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

import dev.baton.catalog.TableProperties;
import dev.baton.stages.spi.Stage;
import dev.baton.stages.spi.StageContext;
import dev.baton.stages.spi.StageFailedException;
import dev.baton.stages.spi.StageResult;
import dev.baton.stages.spi.StageResult.TableOutput;
import dev.baton.stages.write.IcebergWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;
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
 * <h2>Only what it accepts is published</h2>
 *
 * An attempt counts the batch's rows and bad rows <em>before</em> it writes the target table:
 *
 * <ol>
 *   <li>Before reading, the target table (when it exists) is checked against the declared schema and
 *       partitioning, and an input in a self-describing format against the declared columns: a change Iceberg
 *       cannot make or a missing column fails the attempt ({@code INCOMPATIBLE_TABLE}, {@code
 *       INPUT_SCHEMA_MISMATCH}) with nothing written.
 *   <li>The input is parsed once and the parse is persisted ({@link StorageLevel#MEMORY_AND_DISK}).
 *       The first action over it counts all rows and bad rows; the quarantine and target writes
 *       then read the persisted parse, never the input again (an executor that loses its blocks
 *       re-reads only its own splits).
 *   <li>The bad rows replace the batch's earlier quarantined rows of this table (none: the earlier
 *       ones are deleted). They are committed whatever the outcome, so a failed batch can be
 *       diagnosed in SQL.
 *   <li>When the bad rows exceed {@code maxBadRowsFraction} of all rows the attempt fails with
 *       {@link StageFailedException} of type {@value #TOO_MANY_BAD_ROWS}, giving both counts and the
 *       limit. The target table gets no snapshot (it is not even created, nor its schema evolved): what
 *       SQL users see of it is exactly what they saw before the attempt.
 *   <li>Otherwise the target is created, or its schema and write order evolved ({@link TargetTable}; a
 *       metadata commit of its own, no snapshot: an attempt that dies after it leaves the evolved table without
 *       the batch, and the next attempt finds nothing left to change), and the good rows replace the batch's
 *       partition in one Iceberg commit.
 * </ol>
 *
 * The quarantine and the target are two tables, so two commits: the quarantine first. A reader may
 * see a batch's bad rows before its data, never its data without its bad rows; an attempt that
 * dies between the two leaves quarantined rows whose batch is not published, replaced by the next
 * attempt.
 *
 * <p>Why not Iceberg's write-audit-publish (a staged {@code spark.wap.id} snapshot or a branch,
 * published by {@code cherrypick_snapshot} / {@code fast_forward} once counted)? It needs a second
 * look at the input for the quarantine all the same, and: {@code spark.wap.id} is a session setting
 * while in-process stages share one session; {@code write.wap.enabled} must be set on the user's
 * table; and a replace-by-filter snapshot can only be published by fast-forward, which fails as soon
 * as another batch's run commits to the same table in between (Iceberg's {@code
 * CherryPickOperation} cherry-picks only appends and dynamic partition overwrites). Counting first
 * keeps one ordinary commit, which Iceberg retries on concurrent commits.
 *
 * <p>Cost of the persisted parse: Spark SQL caches compressed column batches; what does not fit
 * in storage memory goes to the executors' local disks (the disks Spark's shuffle uses). For TPC-H
 * {@code lineitem} that is 0.78 times the text, about what the partitioned Iceberg write's own
 * shuffle writes, so a 50 GB input needs some 40 GB of executor memory plus local disk; building
 * the batches costs CPU too (BENCHMARKS.md, "Ingest: counting before publishing"). It is released
 * when the attempt ends, successful or not.
 */
final class IngestStage implements Stage {

  static final String QUARANTINE_TABLE = IngestStageFactory.QUARANTINE_TABLE;
  static final String TOO_MANY_BAD_ROWS = IngestStageFactory.TOO_MANY_BAD_ROWS;

  private static final Logger LOG = LoggerFactory.getLogger(IngestStage.class);


  private final IngestOptions options;

  IngestStage(IngestOptions options) {
    this.options = options;
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
   *     of the input, header excluded), {@code badRows}, {@code inputPartitions} (read tasks of the pass over the
   *     input: the scan's file splits packed into partitions of at most {@code spark.sql.files.maxPartitionBytes})
   *     and {@code unsplittableInputBytes} (bytes of gzip or zstd files, each read whole by one task)
   * @throws StageFailedException of type {@value #TOO_MANY_BAD_ROWS} when bad rows exceed {@code
   *     maxBadRowsFraction}; {@code INCOMPATIBLE_TABLE} when the existing table cannot take the declared schema or
   *     partitioning; {@code INPUT_SCHEMA_MISMATCH} when a Parquet, Avro or ORC input lacks a declared column;
   *     {@code MISSING_PARAMETER} without a {@code batch} parameter
   */
  @Override
  public StageResult run(StageContext context, SparkSession spark) {
    String batch = context.param("batch");
    StructType declared = declaredSchema();
    TargetTable target = TargetTable.inspect(spark, options, declared);
    IngestInput input = IngestInput.read(spark, options, declared);
    // every later action reads this instead of the input: one pass over the input, and every
    // action sees the same parse (the CSV reader otherwise parses only the columns a query
    // selects, so a quarantine query alone would not see a field that fails its type)
    Dataset<Row> parsed = input.rows().persist(StorageLevel.MEMORY_AND_DISK());
    try {
      Column bad = col(IngestInput.REASON).isNotNull();
      Row counts = parsed.agg(count(lit(1)), sum(when(bad, 1).otherwise(0))).first();
      long total = counts.getLong(0);
      long badRows = counts.isNullAt(1) ? 0 : counts.getLong(1);
      quarantine(spark, context, batch, parsed, bad, badRows);

      String table = options.table();
      double badFraction = total == 0 ? 0 : (double) badRows / total;
      if (badFraction > options.maxBadRowsFraction()) {
        throw new StageFailedException(TOO_MANY_BAD_ROWS, String.format(Locale.ROOT,
            "Cannot publish batch %s to %s: %d of %d rows (%.4f%%) of %s do not match the declared schema, more than"
                + " maxBadRowsFraction %s allows; %s is unchanged, the bad rows are in %s",
            batch, table, badRows, total, badFraction * 100, options.path(), options.maxBadRowsFraction(), table,
            QUARANTINE_TABLE));
      }

      List<Column> goodColumns = new ArrayList<>();
      for (StructField field : declared.fields()) {
        goodColumns.add(col(field.name()));
      }
      goodColumns.add(lit(batch).as(options.batchColumn()));
      target.createOrEvolve(spark);
      Dataset<Row> good = target.conform(parsed.filter(not(bad)).select(goodColumns.toArray(Column[]::new)));
      TableOutput output = IcebergWriter.write(spark, good, table, IcebergWriter.Mode.OVERWRITE_PARTITIONS,
          List.of(options.batchColumn()), col(options.batchColumn()).equalTo(lit(batch)));
      LOG.info("Ingested batch {} of {} into {} (snapshot {}): {} rows read in {} tasks, {} written, {} quarantined"
              + " in {}", batch, options.path(), table, output.snapshotId(), total, input.partitions(), output.rows(),
          badRows, QUARANTINE_TABLE);
      return new StageResult(List.of(output), Map.of(
          "rowsRead", (double) total,
          "badRows", (double) badRows,
          "inputPartitions", (double) input.partitions(),
          "unsplittableInputBytes", (double) input.unsplittableBytes()));
    } finally {
      parsed.unpersist(false);
    }
  }

  private StructType declaredSchema() {
    StructType schema = new StructType();
    for (IngestOptions.Column column : options.schema()) {
      DataType type = DataType.fromDDL(column.type());
      schema = schema.add(column.name(), type, true);
    }
    return schema;
  }

  /** Replaces the batch's quarantined rows of this table with this attempt's bad rows (none clears them). */
  private void quarantine(SparkSession spark, StageContext context, String batch, Dataset<Row> parsed, Column bad, long badRows) {
    boolean exists = spark.catalog().tableExists(QUARANTINE_TABLE);
    if (badRows == 0) {
      if (exists) {
        spark.sql("DELETE FROM " + QUARANTINE_TABLE + " WHERE table_name = :table AND batch_id = :batch",
            Map.<String, Object>of("table", options.table(), "batch", batch));
      }
      return;
    }
    if (!exists) {
      IcebergWriter.ensureNamespace(spark, QUARANTINE_TABLE);
      spark.sql("CREATE TABLE IF NOT EXISTS " + QUARANTINE_TABLE + " (table_name string, batch_id string,"
          + " run_id string, stage string, attempt int, file string, record string, reason string,"
          + " quarantined_at timestamp) USING iceberg PARTITIONED BY (table_name, batch_id)"
          + " TBLPROPERTIES (" + TableProperties.tblPropertiesSql() + ")");
    }
    Dataset<Row> rows =
        parsed.filter(bad).select(
            lit(options.table()).as("table_name"),
            lit(batch).as("batch_id"),
            lit(context.runId()).as("run_id"),
            lit(context.stage()).as("stage"),
            lit(context.attempt()).as("attempt"),
            col(IngestInput.SOURCE_FILE).as("file"),
            col(IngestInput.RECORD).as("record"),
            col(IngestInput.REASON).as("reason"),
            current_timestamp().as("quarantined_at"));
    IcebergWriter.write(spark, rows, QUARANTINE_TABLE, IcebergWriter.Mode.OVERWRITE_PARTITIONS, List.of(),
        col("table_name").equalTo(lit(options.table())).and(col("batch_id").equalTo(lit(batch))));
  }
}
