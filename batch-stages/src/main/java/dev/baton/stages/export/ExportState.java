package dev.baton.stages.export;

import dev.baton.catalog.TableProperties;
import dev.baton.stages.write.IcebergWriter;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * {@value ExportStageFactory#EXPORTS_TABLE}: the last snapshot an incremental export of a table to a target
 * exported, one row per (table_name, target), replaced by each successful export (MERGE).
 */
final class ExportState {

  private static final String TABLE = ExportStageFactory.EXPORTS_TABLE;
  private static final StructType SCHEMA = new StructType()
      .add("table_name", DataTypes.StringType, false)
      .add("target", DataTypes.StringType, false)
      .add("snapshot_id", DataTypes.LongType, true)
      .add("folder", DataTypes.StringType, false)
      .add("rows", DataTypes.LongType, false)
      .add("files", DataTypes.IntegerType, false)
      .add("run_id", DataTypes.StringType, false)
      .add("exported_at", DataTypes.TimestampType, false);

  private ExportState() {}

  /** The snapshot the last successful export of {@code table} to {@code target} exported, or null when none did. */
  static Long lastExported(SparkSession spark, String table, String target) {
    if (!spark.catalog().tableExists(TABLE)) {
      return null;
    }
    spark.sql("REFRESH TABLE " + TABLE);
    List<Row> rows = spark.sql("SELECT snapshot_id FROM " + TABLE + " WHERE table_name = :table AND target = :target",
        Map.<String, Object>of("table", table, "target", target)).collectAsList();
    return rows.isEmpty() || rows.get(0).isNullAt(0) ? null : rows.get(0).getLong(0);
  }

  /** Records a successful export (replacing the row of the same table and target). */
  static void record(SparkSession spark, String table, String target, Long snapshotId, String folder, long rows,
      int files, String runId) {
    if (!spark.catalog().tableExists(TABLE)) {
      IcebergWriter.ensureNamespace(spark, TABLE);
      spark.sql("CREATE TABLE IF NOT EXISTS " + TABLE + " (" + SCHEMA.toDDL() + ") USING iceberg TBLPROPERTIES ("
          + TableProperties.tblPropertiesSql() + ")");
    }
    String view = "export_" + UUID.randomUUID().toString().replace("-", "");
    spark.createDataFrame(List.of(RowFactory.create(table, target, snapshotId, folder, rows, files, runId,
        Timestamp.from(Instant.now()))), SCHEMA).createOrReplaceTempView(view);
    try {
      spark.sql("MERGE INTO " + TABLE + " t USING " + view + " s ON t.table_name = s.table_name AND t.target = s.target"
          + " WHEN MATCHED THEN UPDATE SET * WHEN NOT MATCHED THEN INSERT *");
    } finally {
      spark.catalog().dropTempView(view);
    }
  }
}
