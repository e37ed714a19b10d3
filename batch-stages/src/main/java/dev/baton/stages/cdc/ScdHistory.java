package dev.baton.stages.cdc;

import static dev.baton.stages.cdc.CdcMergeStage.COMMITTED_AT_COLUMN;
import static dev.baton.stages.cdc.CdcMergeStage.OFFSET_COLUMN;
import static dev.baton.stages.cdc.CdcMergeStage.OP;
import static dev.baton.stages.cdc.CdcMergeStage.POSITION_COLUMN;
import static dev.baton.stages.cdc.ChangeSchema.quoted;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lead;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.max_by;
import static org.apache.spark.sql.functions.not;
import static org.apache.spark.sql.functions.row_number;
import static org.apache.spark.sql.functions.when;

import dev.baton.stages.spi.StageFailedException;
import dev.baton.stages.spi.StageResult.TableOutput;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.iceberg.Snapshot;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.expressions.WindowSpec;
import org.apache.spark.sql.types.DataTypes;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The history table of a {@code cdc-merge} stage ({@code history:} option): every version of every row
 * of the source table, slowly-changing-dimension type 2 style.
 *
 * <p>One row per version: the source's key and row columns as of a change, {@value #VALID_FROM} (the time
 * the source reports for that change, {@code source.ts_ms}: PostgreSQL's commit time, the redo record's time
 * for Oracle, the read time for a snapshot read), {@value #VALID_TO} (that of the key's next change, an update
 * or a delete; null while the version is current), {@value #IS_CURRENT}
 * (true for the version the source table holds now; a deleted key has none), {@code _cdc_op} (c, u or r),
 * {@code _cdc_position} and {@code _cdc_offset} (the change's source position and Kafka offset, as in the
 * current table), {@value #CLOSED_POSITION} and {@value #CLOSED_OFFSET} (those of the change that ended
 * the version). A version is identified by (key, {@code _cdc_position}): at one position the change with
 * the highest offset is the version (a change re-sent by a connector, or an Oracle transaction's last
 * change to a row: its changes share the transaction's commit SCN, and only its end state was ever
 * committed).
 *
 * <p>A merge takes the changes of its range that are newer than each key's last known change (after an
 * open version's position and offset, after the position and offset of the delete that closed a deleted key's
 * last version); older ones are counted ({@code historyStaleChanges}), logged and skipped, so a replay or a
 * re-sent old change adds no version. Then one MERGE, in one snapshot with the range's end offsets: it
 * closes the key's open version at its first new change, inserts a version per new upsert with {@value
 * #VALID_TO} the next change's time, and, for a change at the position of an existing version,
 * updates that version (or deletes it, for a delete in the same Oracle transaction). The table records
 * its own offsets ({@code baton.cdc.offsets}), so a failure between the current table's commit and this
 * one is made up by the next merge.
 */
final class ScdHistory {
  /** When the version became the row's state: the time the source reports for its change ({@code source.ts_ms}). */
  static final String VALID_FROM = "valid_from";
  /** When the version stopped being the row's state: that of the key's next change; null while current. */
  static final String VALID_TO = "valid_to";
  /** True for the version the source table holds now. */
  static final String IS_CURRENT = "is_current";
  /** The source position of the change that ended the version. */
  static final String CLOSED_POSITION = "_cdc_closed_position";
  /** The Kafka offset of the change that ended the version. */
  static final String CLOSED_OFFSET = "_cdc_closed_offset";
  private static final String ACTION = "_cdc_action";
  private static final String KNOWN_POSITION = "_cdc_known_position";
  private static final String KNOWN_OFFSET = "_cdc_known_offset";
  private static final String KNOWN_OPEN = "_cdc_known_open";
  private static final String KNOWN_CLOSED = "_cdc_known_closed";
  private static final String KNOWN_CLOSED_OFFSET = "_cdc_known_closed_offset";
  private static final Logger LOG = LoggerFactory.getLogger(ScdHistory.class);

  private final String table;

  ScdHistory(String table) {
    this.table = table;
  }

  /**
   * MERGEs the versions that {@code changes} add into the history table, creating it if needed.
   *
   * @param changes every change of the range: the key and row columns, {@code _cdc_op}, {@code
   *     _cdc_position}, {@code _cdc_offset}, {@code _cdc_committed_at}
   * @param keyColumns the source's primary key columns
   * @param rowColumns the key and row columns, in table order
   * @param offsets the {@code baton.cdc.offsets} value committed with the MERGE
   * @param metrics receives {@code historyChanges} (the range's changes, one per key and source position, newer
   *     than what the history holds of their key; a delete of a key it never held counts, and changes nothing)
   *     and {@code historyStaleChanges} (those skipped as not newer)
   * @return the table, the snapshot carrying the offsets and the count of new changes
   * @throws StageFailedException {@code UNSUPPORTED_CHANGE_SCHEMA} when a source column is named like a
   *     history column ({@value #VALID_FROM}, {@value #VALID_TO}, {@value #IS_CURRENT})
   */
  TableOutput merge(SparkSession spark, Dataset<Row> changes, List<String> keyColumns, List<String> rowColumns,
      boolean exists, String offsets, Map<String, Double> metrics) {
    for (String column : rowColumns) {
      if (List.of(VALID_FROM, VALID_TO, IS_CURRENT).contains(column.toLowerCase(java.util.Locale.ROOT))) {
        throw new StageFailedException("UNSUPPORTED_CHANGE_SCHEMA", "Cannot keep the history of " + table
            + ": the source has a column '" + column + "', a name the history table uses for its own");
      }
    }
    Column[] keys = keyColumns.stream().map(key -> col(quoted(key))).toArray(Column[]::new);
    // one change per (key, position): the highest offset's
    Column[] keyAndPosition = Stream.concat(Stream.of(keys), Stream.of(col(POSITION_COLUMN))).toArray(Column[]::new);
    Dataset<Row> perPosition = changes
        .withColumn("_cdc_rank", row_number().over(Window.partitionBy(keyAndPosition).orderBy(col(OFFSET_COLUMN).desc())))
        .where(col("_cdc_rank").equalTo(1))
        .drop("_cdc_rank")
        .withColumnRenamed(COMMITTED_AT_COLUMN, VALID_FROM);
    CdcMergeStage.createOrEvolve(spark, table, shape(perPosition, rowColumns), exists);

    // each key's last known change: its last version's position and offset, whether that version is open, and
    // if not the position and offset of the change that closed it
    Dataset<Row> known = spark.table(table)
        .join(perPosition.select(keys).distinct(), scalaSeq(keyColumns), "left_semi")
        .groupBy(keys)
        .agg(max(col(POSITION_COLUMN)).as(KNOWN_POSITION),
            max_by(col(OFFSET_COLUMN), col(POSITION_COLUMN)).as(KNOWN_OFFSET),
            max_by(col(IS_CURRENT), col(POSITION_COLUMN)).as(KNOWN_OPEN),
            max_by(col(CLOSED_POSITION), col(POSITION_COLUMN)).as(KNOWN_CLOSED),
            max_by(col(CLOSED_OFFSET), col(POSITION_COLUMN)).as(KNOWN_CLOSED_OFFSET));
    Dataset<Row> withKnown = CdcMergeStage.materialized(perPosition.join(known, scalaSeq(keyColumns), "left"));
    try {
      Column newer = col(KNOWN_POSITION).isNull()
          .or(col(KNOWN_OPEN).and(col(POSITION_COLUMN).gt(col(KNOWN_POSITION))
              .or(col(POSITION_COLUMN).equalTo(col(KNOWN_POSITION)).and(col(OFFSET_COLUMN).gt(col(KNOWN_OFFSET))))))
          // a closed key: after the change that closed it (an Oracle transaction may delete and insert a row again at
          // one commit SCN, and a merge may end between the two)
          .or(not(col(KNOWN_OPEN)).and(col(POSITION_COLUMN).gt(col(KNOWN_CLOSED))
              .or(col(POSITION_COLUMN).equalTo(col(KNOWN_CLOSED)).and(col(OFFSET_COLUMN).gt(col(KNOWN_CLOSED_OFFSET))))));
      Row counts = withKnown.agg(count(lit(1)), count(when(newer, 1))).first();
      long fresh = counts.getLong(1);
      long stale = counts.getLong(0) - fresh;
      metrics.put("historyChanges", (double) fresh);
      metrics.put("historyStaleChanges", (double) stale);
      if (stale > 0) {
        LOG.info("cdc-merge history {}: skipping {} change(s) not newer than their key's last version or delete"
            + " (re-sent or replayed)", table, stale);
      }

      WindowSpec byKey = Window.partitionBy(keys).orderBy(col(POSITION_COLUMN));
      Dataset<Row> chained = withKnown.where(newer)
          .withColumn(VALID_TO, lead(col(VALID_FROM), 1).over(byKey))
          .withColumn(CLOSED_POSITION, lead(col(POSITION_COLUMN), 1).over(byKey))
          .withColumn(CLOSED_OFFSET, lead(col(OFFSET_COLUMN), 1).over(byKey))
          .withColumn("_cdc_first", row_number().over(byKey).equalTo(1));
      List<Column> versionColumns = new ArrayList<>();
      rowColumns.forEach(column -> versionColumns.add(col(quoted(column))));
      versionColumns.addAll(List.of(col(VALID_FROM), col(VALID_TO),
          col(CLOSED_POSITION).isNull().and(col(OP).notEqual("d")).as(IS_CURRENT), col(OP), col(POSITION_COLUMN),
          col(OFFSET_COLUMN), col(CLOSED_POSITION), col(CLOSED_OFFSET), lit("version").as(ACTION)));
      Dataset<Row> versions = chained.select(versionColumns.toArray(Column[]::new));
      // the open version of a key whose first new change comes after it: closed by that change
      List<Column> closeColumns = new ArrayList<>();
      keyColumns.forEach(column -> closeColumns.add(col(quoted(column))));
      closeColumns.addAll(List.of(lit(null).cast(DataTypes.TimestampType).as(VALID_FROM), col(VALID_FROM).as(VALID_TO),
          lit(false).as(IS_CURRENT), lit(null).cast(DataTypes.StringType).as(OP),
          col(KNOWN_POSITION).as(POSITION_COLUMN), lit(null).cast(DataTypes.LongType).as(OFFSET_COLUMN),
          col(POSITION_COLUMN).as(CLOSED_POSITION), col(OFFSET_COLUMN).as(CLOSED_OFFSET), lit("close").as(ACTION)));
      Dataset<Row> closes = chained
          .where(col("_cdc_first").and(col(KNOWN_OPEN)).and(col(POSITION_COLUMN).gt(col(KNOWN_POSITION))))
          .select(closeColumns.toArray(Column[]::new));

      String view = "cdc_history_" + UUID.randomUUID().toString().replace("-", "");
      versions.unionByName(closes, true).createOrReplaceTempView(view);
      Snapshot committed;
      try {
        committed = CdcMergeStage.commitWithOffsets(spark, table, mergeSql(view, keyColumns, rowColumns), offsets);
      } finally {
        spark.catalog().dropTempView(view);
      }
      LOG.info("cdc-merge history {}: {} new change(s), {} stale skipped, snapshot {}", table, fresh, stale,
          committed.snapshotId());
      return new TableOutput(table, committed.snapshotId(), fresh);
    } finally {
      CdcMergeStage.release(withKnown);
    }
  }

  /** The history table's columns, in order, from a range's changes (no rows). */
  private static Dataset<Row> shape(Dataset<Row> perPosition, List<String> rowColumns) {
    List<Column> columns = new ArrayList<>();
    rowColumns.forEach(column -> columns.add(col(quoted(column))));
    columns.addAll(List.of(col(VALID_FROM), lit(null).cast(DataTypes.TimestampType).as(VALID_TO),
        lit(null).cast(DataTypes.BooleanType).as(IS_CURRENT), col(OP), col(POSITION_COLUMN), col(OFFSET_COLUMN),
        lit(null).cast("decimal(38,0)").as(CLOSED_POSITION),
        lit(null).cast(DataTypes.LongType).as(CLOSED_OFFSET)));
    return perPosition.select(columns.toArray(Column[]::new)).limit(0);
  }

  private String mergeSql(String view, List<String> keyColumns, List<String> rowColumns) {
    String on = Stream.concat(keyColumns.stream(), Stream.of(POSITION_COLUMN))
        .map(column -> "t." + quoted(column) + " = s." + quoted(column)).collect(Collectors.joining(" AND "));
    List<String> all = new ArrayList<>(rowColumns);
    all.addAll(List.of(VALID_FROM, VALID_TO, IS_CURRENT, OP, POSITION_COLUMN, OFFSET_COLUMN, CLOSED_POSITION,
        CLOSED_OFFSET));
    String set = all.stream().map(column -> "t." + quoted(column) + " = s." + quoted(column))
        .collect(Collectors.joining(", "));
    return "MERGE INTO " + table + " t USING " + view + " s ON " + on
        + " WHEN MATCHED AND s." + ACTION + " = 'close' THEN UPDATE SET t." + VALID_TO + " = s." + VALID_TO + ", t."
        + IS_CURRENT + " = false, t." + CLOSED_POSITION + " = s." + CLOSED_POSITION + ", t." + CLOSED_OFFSET
        + " = s." + CLOSED_OFFSET
        + " WHEN MATCHED AND s." + OP + " = 'd' THEN DELETE"
        // the same change again with the same successor changes nothing: no rewrite, so a replay writes no row
        + " WHEN MATCHED AND NOT (s." + OFFSET_COLUMN + " = t." + OFFSET_COLUMN + " AND s." + VALID_TO + " <=> t."
        + VALID_TO + " AND s." + CLOSED_OFFSET + " <=> t." + CLOSED_OFFSET + ") THEN UPDATE SET " + set
        + " WHEN NOT MATCHED AND s." + ACTION + " = 'version' AND s." + OP + " <> 'd' THEN INSERT ("
        + all.stream().map(ChangeSchema::quoted).collect(Collectors.joining(", ")) + ") VALUES ("
        + all.stream().map(column -> "s." + quoted(column)).collect(Collectors.joining(", ")) + ")";
  }

  private static scala.collection.Seq<String> scalaSeq(List<String> columns) {
    return scala.collection.JavaConverters.asScalaBuffer(columns).toSeq();
  }
}
