package dev.baton.stages.cdc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.baton.catalog.CatalogConfig;
import dev.baton.stages.LocalSpark;
import dev.baton.stages.spi.StageContext;
import dev.baton.stages.spi.StageFailedException;
import dev.baton.stages.spi.StageResult.TableOutput;
import dev.baton.stages.write.RunTags;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The SCD2 history of {@code cdc-merge} against Spark {@code local[2]} and a real Iceberg catalog, on
 * ranges of changes written by hand, with the Oracle cases a PostgreSQL source cannot produce (several
 * changes of a row sharing one commit SCN, split across two merges). Each change's commit time is its
 * position in seconds, so the expected versions below follow from the changes by hand.
 */
@Timeout(180)
class ScdHistoryTest {

  @TempDir static Path dir;

  /** The shape of {@code CdcMergeStage}'s changes: key, row column, op, position, offset, commit time. */
  private static final StructType CHANGES = new StructType()
      .add("id", DataTypes.LongType)
      .add("name", DataTypes.StringType)
      .add(CdcMergeStage.OP, DataTypes.StringType)
      .add(CdcMergeStage.POSITION_COLUMN, DataTypes.createDecimalType(38, 0))
      .add(CdcMergeStage.OFFSET_COLUMN, DataTypes.LongType)
      .add(CdcMergeStage.COMMITTED_AT_COLUMN, DataTypes.TimestampType);
  private static final String HISTORY = "lake.customers_history";

  private static SparkSession spark;
  private static Catalog catalog;

  @BeforeAll
  static void startSpark() {
    CatalogConfig catalogConfig = LocalSpark.jdbcCatalog(dir);
    spark = LocalSpark.start("ScdHistoryTest", catalogConfig, Map.of());
    catalog = catalogConfig.create();
  }

  @AfterAll
  static void stopSpark() throws Exception {
    LocalSpark.stop(spark, catalog);
  }

  @Test
  void versionsFollowTheChangesAcrossMergesAndStaleOrReplayedChangesAddNone() {
    List<Row> first = List.of(
        change(1, "ann", "r", 10, 0), change(1, "anna", "u", 20, 1),
        change(2, "bob", "r", 10, 2), change(2, null, "d", 30, 3),
        change(3, "cy", "c", 40, 4),
        // one Oracle transaction updating row 3 twice: one commit SCN, only its end state was committed
        change(3, "cyd", "u", 50, 5), change(3, "cyde", "u", 50, 6));
    Map<String, Double> firstMetrics = merge(first, false, "m1");
    assertThat(firstMetrics).containsEntry("historyChanges", 6.0).containsEntry("historyStaleChanges", 0.0);
    assertThat(versions()).containsExactly(
        version(1, "ann", 10, 20, false, 0), version(1, "anna", 20, null, true, 1),
        version(2, "bob", 10, 30, false, 2),
        version(3, "cy", 40, 50, false, 4), version(3, "cyde", 50, null, true, 6));

    List<Row> second = List.of(
        change(1, "ann", "r", 10, 7), // re-sent by a restarted connector: older than row 1's open version
        change(2, "bo", "u", 25, 8), // older than the delete that closed row 2's last version
        change(3, "cydes", "u", 50, 9), // the end of row 3's transaction, which the first range cut
        change(1, "annie", "u", 60, 10),
        change(4, "dee", "c", 70, 11), change(4, null, "d", 70, 12)); // inserted and deleted in one transaction
    Map<String, Double> secondMetrics = merge(second, false, "m2");
    assertThat(secondMetrics).containsEntry("historyChanges", 3.0).containsEntry("historyStaleChanges", 2.0);
    List<Row> expected = List.of(
        version(1, "ann", 10, 20, false, 0), version(1, "anna", 20, 60, false, 1), version(1, "annie", 60, null, true, 10),
        version(2, "bob", 10, 30, false, 2),
        version(3, "cy", 40, 50, false, 4), version(3, "cydes", 50, null, true, 9));
    assertThat(versions()).containsExactlyElementsOf(expected);
    assertThat(closedBy(1, 20)).isEqualTo(List.of(new BigDecimal(60), 10L));
    assertThat(closedBy(2, 10)).isEqualTo(List.of(new BigDecimal(30), 3L));

    // a replay of both ranges adds, changes and deletes no version
    long before = catalog.loadTable(TableIdentifier.of("lake", "customers_history")).currentSnapshot().snapshotId();
    List<Row> all = new ArrayList<>(first);
    all.addAll(second);
    merge(all, true, "m3");
    Snapshot replayed = catalog.loadTable(TableIdentifier.of("lake", "customers_history")).currentSnapshot();
    assertThat(replayed.parentId()).isEqualTo(before);
    assertThat(replayed.summary()).doesNotContainKeys("added-records", "deleted-records", "added-position-deletes");
    assertThat(replayed.summary()).containsEntry(CdcMergeStage.OFFSETS_PROPERTY, "m3");
    assertThat(versions()).containsExactlyElementsOf(expected);

    // a delete of row 3 at a later position closes its open version; a re-insert opens a new one
    merge(List.of(change(3, null, "d", 80, 13), change(3, "cyrus", "c", 90, 14)), false, "m4");
    assertThat(versions()).contains(version(3, "cydes", 50, 80, false, 9), version(3, "cyrus", 90, null, true, 14));
    assertThat(spark.sql("SELECT count(*) FROM " + HISTORY + " WHERE is_current").first().getLong(0))
        .as("one current version per existing row: 1 and 3").isEqualTo(2);

    // one Oracle transaction deleting row 1 and inserting it again (one commit SCN), cut by a merge's end: the
    // delete closes the open version, the insert after it opens a new one; the insert also brings a new column
    merge(List.of(change(1, null, "d", 100, 15)), false, "m5");
    assertThat(versions()).contains(version(1, "annie", 60, 100, false, 10))
        .noneMatch(row -> row.getLong(0) == 1 && row.getBoolean(4));
    Dataset<Row> insert = spark.createDataFrame(List.of(RowFactory.create(1L, "ann2", "c", new BigDecimal(100), 16L,
            new Timestamp(100_000), "ann@example.com")), CHANGES.add("email", DataTypes.StringType))
        .select("id", "name", "email", CdcMergeStage.OP, CdcMergeStage.POSITION_COLUMN, CdcMergeStage.OFFSET_COLUMN,
            CdcMergeStage.COMMITTED_AT_COLUMN); // the row's columns first, as CdcMergeStage orders them
    Map<String, Double> metrics = new HashMap<>();
    new ScdHistory(HISTORY).merge(spark, insert, List.of("id"), List.of("id", "name", "email"), true, "m6", metrics);
    assertThat(metrics).containsEntry("historyChanges", 1.0).containsEntry("historyStaleChanges", 0.0);
    assertThat(versions()).contains(version(1, "annie", 60, 100, false, 10), version(1, "ann2", 100, null, true, 16));
    assertThat(spark.sql("SELECT id, email FROM " + HISTORY + " WHERE email IS NOT NULL").collectAsList())
        .as("the new column: set on the version that brought it, null on the older ones")
        .containsExactly(RowFactory.create(1L, "ann@example.com"));
  }

  @Test
  void aSourceColumnNamedLikeAHistoryColumnIsRefused() {
    Dataset<Row> changes = spark.createDataFrame(List.of(change(1, "x", "c", 1, 0)), CHANGES)
        .withColumnRenamed("name", "valid_from");
    assertThatThrownBy(() -> new ScdHistory("lake.refused_history").merge(spark, changes, List.of("id"),
        List.of("id", "valid_from"), false, "o", new HashMap<>()))
        .isInstanceOf(StageFailedException.class).hasMessageContaining("'valid_from'");
    assertThat(spark.catalog().tableExists("lake.refused_history")).isFalse();
  }

  /** Merges {@code changes} into the history with {@code offsets} as the recorded offsets; returns the metrics. */
  private static Map<String, Double> merge(List<Row> changes, boolean exists, String offsets) {
    Map<String, Double> metrics = new HashMap<>();
    TableOutput output;
    try {
      // as the stage runner runs an attempt: the run's tags join the offsets in the snapshot's summary
      output = RunTags.during(new StageContext("run-" + offsets, "cdc", "history", 1, Map.of()),
          () -> new ScdHistory(HISTORY).merge(spark, spark.createDataFrame(changes, CHANGES), List.of("id"),
              List.of("id", "name"), exists || spark.catalog().tableExists(HISTORY), offsets, metrics));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
    Snapshot current = catalog.loadTable(TableIdentifier.of("lake", "customers_history")).currentSnapshot();
    assertThat(output.snapshotId()).isEqualTo(current.snapshotId());
    assertThat(current.summary()).containsEntry(CdcMergeStage.OFFSETS_PROPERTY, offsets)
        .containsEntry(RunTags.RUN_ID_PROPERTY, "run-" + offsets).containsEntry(RunTags.STAGE_PROPERTY, "history");
    assertThat(spark.sparkContext().getPersistentRDDs().isEmpty()).as("the materialized changes released").isTrue();
    return metrics;
  }

  /** The history's versions: id, name, valid_from and valid_to in seconds, is_current, offset; by id and position. */
  private static List<Row> versions() {
    return spark.sql("SELECT id, name, unix_seconds(valid_from), unix_seconds(valid_to), is_current, _cdc_offset FROM "
        + HISTORY + " ORDER BY id, _cdc_position").collectAsList();
  }

  private static List<Object> closedBy(long id, long position) {
    Row row = spark.sql("SELECT _cdc_closed_position, _cdc_closed_offset FROM " + HISTORY + " WHERE id = " + id
        + " AND _cdc_position = " + position).first();
    return List.of(row.getDecimal(0), row.getLong(1));
  }

  private static Row change(long id, String name, String op, long position, long offset) {
    return RowFactory.create(id, name, op, new BigDecimal(position), offset, new Timestamp(position * 1000));
  }

  /** A version as {@link #versions()} reads it; {@code validTo} null while current. */
  private static Row version(long id, String name, long validFrom, Integer validTo, boolean current, long offset) {
    return RowFactory.create(id, name, validFrom, validTo == null ? null : validTo.longValue(), current, offset);
  }
}
