package dev.baton.stages.write;

import dev.baton.catalog.TableProperties;
import dev.baton.stages.spi.StageResult.TableOutput;
import java.util.List;
import java.util.Map;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.SnapshotSummary;
import org.apache.iceberg.exceptions.AlreadyExistsException;
import org.apache.iceberg.Table;
import org.apache.iceberg.spark.Spark3Util;
import org.apache.iceberg.util.PropertyUtil;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.CreateTableWriter;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.catalyst.analysis.NoSuchTableException;
import org.apache.spark.sql.catalyst.analysis.TableAlreadyExistsException;
import org.apache.spark.sql.DataFrameWriterV2;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.parser.ParseException;

/**
 * Writes a DataFrame to an Iceberg table in one commit and reports the snapshot and rows written.
 * Tables are created on first write with {@link TableProperties#ATHENA_COMPATIBLE} properties.
 */
public final class IcebergWriter {

  /** How a write treats the rows already in the table. */
  public enum Mode {
    /** Replace the whole table (atomically; the schema follows the new rows). */
    OVERWRITE,
    /** Add the rows. */
    APPEND,
    /** Replace the partitions the new rows fall in (Spark's dynamic partition overwrite). */
    OVERWRITE_PARTITIONS
  }

  private IcebergWriter() {}

  /**
   * Writes {@code rows} to {@code table}.
   *
   * @param table {@code <namespace>.<table>}; the namespace is created when missing
   * @param partitionBy identity partition columns used when the table is created
   * @param replaceWhere with {@link Mode#OVERWRITE_PARTITIONS}: when non-null, replace exactly the
   *     rows matching this condition instead of the partitions present in {@code rows} (so an empty
   *     result still clears its partition)
   * @return the table, the snapshot this write committed and the rows it wrote (the snapshot's
   *     {@code added-records}); a null snapshot and 0 rows when the write committed no snapshot
   */
  public static TableOutput write(
      SparkSession spark, Dataset<Row> rows, String table, Mode mode, List<String> partitionBy, Column replaceWhere) {
    ensureNamespace(spark, table);
    boolean exists = spark.catalog().tableExists(table);
    // tags this write's snapshot, so the snapshot reported is ours even if another writer commits right after
    String writeId = java.util.UUID.randomUUID().toString();
    try {
      if (!exists || mode == Mode.OVERWRITE) {
        CreateTableWriter<Row> create = createWriter(tagged(rows, table, writeId), partitionBy);
        if (mode == Mode.OVERWRITE) {
          create.createOrReplace();
        } else {
          try {
            create.create();
          } catch (TableAlreadyExistsException | AlreadyExistsException e) {
            // created meanwhile by a concurrent writer (another run's attempt): write into it
            writeExisting(tagged(rows, table, writeId), mode, replaceWhere);
          }
        }
      } else {
        writeExisting(tagged(rows, table, writeId), mode, replaceWhere);
      }
    } catch (NoSuchTableException e) {
      throw new IllegalStateException("Cannot write " + table + ": " + e.getMessage(), e);
    }
    Snapshot committed = snapshotOf(spark, table, writeId);
    if (committed == null) {
      return new TableOutput(table, null, 0L);
    }
    // from the commit rather than an Observation: Spark drops observed metrics when adaptive
    // execution replaces an empty plan (an empty write into a partitioned table), and waiting for
    // them would never end
    return new TableOutput(table, committed.snapshotId(),
        PropertyUtil.propertyAsLong(committed.summary(), SnapshotSummary.ADDED_RECORDS_PROP, 0L));
  }

  /** Snapshot summary property naming the write that committed the snapshot. */
  public static final String WRITE_ID_PROPERTY = "baton.write-id";

  private static DataFrameWriterV2<Row> tagged(Dataset<Row> rows, String table, String writeId) {
    DataFrameWriterV2<Row> writer = rows.writeTo(table).option("snapshot-property." + WRITE_ID_PROPERTY, writeId);
    for (Map.Entry<String, String> tag : RunTags.current().entrySet()) {
      writer = writer.option("snapshot-property." + tag.getKey(), tag.getValue());
    }
    return writer;
  }

  /**
   * The snapshot whose summary carries {@code writeId}, searched from the current snapshot back
   * through its ancestors; null when none does (nothing was committed).
   */
  public static Snapshot snapshotOf(SparkSession spark, String table, String writeId) {
    Table icebergTable = load(spark, table);
    for (Snapshot snapshot : org.apache.iceberg.util.SnapshotUtil.currentAncestors(icebergTable)) {
      if (writeId.equals(snapshot.summary().get(WRITE_ID_PROPERTY))) {
        return snapshot;
      }
    }
    return null;
  }

  /**
   * The Iceberg table behind a Spark table name, refreshed.
   *
   * @throws IllegalStateException when the name does not parse or the table does not exist
   */
  public static Table load(SparkSession spark, String table) {
    try {
      Table icebergTable = Spark3Util.loadIcebergTable(spark, table);
      icebergTable.refresh();
      return icebergTable;
    } catch (ParseException | NoSuchTableException e) {
      throw new IllegalStateException("Cannot load table " + table + ": " + e.getMessage(), e);
    }
  }

  private static CreateTableWriter<Row> createWriter(DataFrameWriterV2<Row> writer, List<String> partitionBy) {
    CreateTableWriter<Row> create = writer.using("iceberg");
    for (Map.Entry<String, String> property : TableProperties.ATHENA_COMPATIBLE.entrySet()) {
      create = create.tableProperty(property.getKey(), property.getValue());
    }
    if (!partitionBy.isEmpty()) {
      Column first = functions.col(partitionBy.get(0));
      List<Column> rest = partitionBy.stream().skip(1).map(functions::col).toList();
      create = create.partitionedBy(first, scala.collection.JavaConverters.asScalaBuffer(rest).toSeq());
    }
    return create;
  }

  private static void writeExisting(DataFrameWriterV2<Row> writer, Mode mode, Column replaceWhere)
      throws NoSuchTableException {
    if (mode == Mode.APPEND) {
      writer.append();
    } else if (replaceWhere != null) {
      writer.overwrite(replaceWhere);
    } else {
      writer.overwritePartitions();
    }
  }

  /** Creates the namespace of {@code table} when it does not exist. */
  public static void ensureNamespace(SparkSession spark, String table) {
    String namespace = table.substring(0, table.lastIndexOf('.'));
    try {
      spark.sql("CREATE NAMESPACE IF NOT EXISTS " + namespace);
    } catch (RuntimeException e) {
      // stages started together on a new catalog race to create it: IF NOT EXISTS checks, then inserts, and the
      // JDBC catalog's insert of the loser fails on its primary key. The namespace exists then: go on
      if (!spark.catalog().databaseExists(namespace)) {
        throw e;
      }
    }
  }
}
