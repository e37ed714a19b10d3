package dev.baton.stages.ingest;

import static dev.baton.stages.ingest.Lineitems.delimited;
import static dev.baton.stages.ingest.Lineitems.generate;
import static dev.baton.stages.ingest.Lineitems.sha256;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.baton.catalog.CatalogConfig;
import dev.baton.stages.LocalSpark;
import dev.baton.stages.spi.StageContext;
import dev.baton.stages.spi.StageFailedException;
import dev.baton.stages.spi.StageResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The ingest stage's target table: layout at creation (partitioning, write order, target file size), schema
 * evolution of an existing table, and the changes it refuses. Spark {@code local[2]} and a real Iceberg catalog
 * (JDBC on SQLite); what the table is like is read back through a separate catalog instance.
 */
@Timeout(180)
class IngestTargetTableTest {

  @TempDir static Path dir;

  private static SparkSession spark;
  private static Catalog catalog;

  @BeforeAll
  static void startSpark() {
    CatalogConfig catalogConfig = LocalSpark.jdbcCatalog(dir);
    spark = LocalSpark.start("IngestTargetTableTest", catalogConfig, Map.of("spark.hadoop.fs." + CountingFileSystem.SCHEME + ".impl", CountingFileSystem.class.getName()));
    catalog = catalogConfig.create();
  }

  @AfterAll
  static void stopSpark() throws Exception {
    LocalSpark.stop(spark, catalog);
  }

  @Test
  void newTableGetsTheDeclaredPartitioningWriteOrderAndTargetFileSize() throws IOException {
    List<Lineitems.Item> items = generate(150, 11); // about a data file per row: days of 7 years
    Path input = Files.writeString(dir.resolve("layout.tbl"), delimited(items));
    Map<String, Object> options = options(input.toString(), "raw.layout_new", Lineitems.SCHEMA);
    options.put("partitionBy", List.of("l_returnflag", "days(l_shipdate)"));
    options.put("sortBy", List.of("l_shipdate", "l_orderkey DESC"));
    options.put("targetFileSizeBytes", 8_388_608L);

    ingest(options, "b1");

    Table table = catalog.loadTable(TableIdentifier.of("raw", "layout_new"));
    assertThat(table.spec().fields())
        .extracting(field -> field.transform() + "(" + table.schema().findColumnName(field.sourceId()) + ")")
        .containsExactly("identity(batch_id)", "identity(l_returnflag)", "day(l_shipdate)");
    assertThat(table.sortOrder().fields())
        .extracting(field -> table.schema().findColumnName(field.sourceId()) + " " + field.direction() + " "
            + field.nullOrder())
        .containsExactly("l_shipdate ASC NULLS FIRST", "l_orderkey DESC NULLS LAST");
    assertThat(table.properties()).containsEntry("write.target-file-size-bytes", "8388608");
    Set<String> partitions = new HashSet<>();
    try (CloseableIterable<FileScanTask> tasks = table.newScan().planFiles()) {
      tasks.forEach(task -> partitions.add(task.file().partition().get(1, String.class) + " "
          + task.file().partition().get(2, Integer.class)));
    }
    Set<String> expected = new HashSet<>();
    items.forEach(item -> expected.add(item.returnflag() + " " + item.shipdate().toEpochDay()));
    assertThat(partitions).as("(l_returnflag, l_shipdate day) of the data files").isEqualTo(expected);
    assertThat(Lineitems.checksum(spark, "raw.layout_new", "b1")).isEqualTo(Lineitems.checksum(items));
  }

  @Test
  void existingTableGainsDeclaredColumnsWideningsWriteOrderAndTargetFileSize() throws IOException {
    List<Lineitems.Item> first = generate(500, 12);
    Path v1 = Files.writeString(dir.resolve("evolve-1.tbl"), delimited(first));
    ingest(options(v1.toString(), "raw.evolve", schema("l_orderkey int", "l_partkey int", "l_quantity decimal(10,2)",
        "l_shipdate date", "l_returnflag string", "l_comment string")), "b1");
    Table table = catalog.loadTable(TableIdentifier.of("raw", "evolve"));
    long snapshotBefore = table.currentSnapshot().snapshotId();

    // JSON lines, matched by name: a new column (l_shipmode), l_comment no longer declared
    List<Lineitems.Item> second = generate(300, 13);
    StringBuilder json = new StringBuilder();
    for (Lineitems.Item item : second) {
      json.append("{\"l_orderkey\":").append(item.orderkey() + 5_000_000_000L).append(",\"l_partkey\":")
          .append(item.partkey()).append(",\"l_quantity\":").append(item.quantity().toPlainString())
          .append(",\"l_shipdate\":\"").append(item.shipdate()).append("\",\"l_returnflag\":\"")
          .append(item.returnflag()).append("\",\"l_shipmode\":\"MAIL\"}\n");
    }
    Path v2 = Files.writeString(dir.resolve("evolve-2.json"), json);
    Map<String, Object> options = options(v2.toString(), "raw.evolve", schema("l_orderkey bigint", "l_partkey int",
        "l_quantity decimal(12,2)", "l_shipdate date", "l_returnflag string", "l_shipmode string"));
    options.put("format", "json");
    options.remove("delimiter");
    options.put("sortBy", List.of("l_orderkey"));
    options.put("targetFileSizeBytes", 16_777_216L);

    ingest(options, "b2");

    table.refresh();
    assertThat(table.schema().columns())
        .extracting(field -> field.name() + " " + field.type() + (field.isOptional() ? "" : " required"))
        .containsExactly("l_orderkey long", "l_partkey int", "l_quantity decimal(12, 2)", "l_shipdate date",
            "l_returnflag string", "l_comment string", "batch_id string required", "l_shipmode string");
    assertThat(table.sortOrder().fields()).extracting(field -> table.schema().findColumnName(field.sourceId()))
        .containsExactly("l_orderkey");
    assertThat(table.properties()).containsEntry("write.target-file-size-bytes", "16777216");
    assertThat(table.snapshot(snapshotBefore)).as("batch b1's snapshot is still in the history").isNotNull();
    List<String> expected = new ArrayList<>();
    first.forEach(item -> expected.add("b1|" + item.orderkey() + "|" + item.quantity().toPlainString() + "|null|"
        + item.comment()));
    second.forEach(item -> expected.add("b2|" + (item.orderkey() + 5_000_000_000L) + "|"
        + item.quantity().toPlainString() + "|MAIL|null"));
    List<String> actual = spark.sql("SELECT batch_id, l_orderkey, l_quantity, l_shipmode, l_comment FROM raw.evolve")
        .collectAsList().stream()
        .map(row -> row.getString(0) + "|" + row.getLong(1) + "|" + row.getDecimal(2).toPlainString() + "|"
            + row.getString(3) + "|" + row.getString(4))
        .sorted().toList();
    assertThat(sha256(actual)).isEqualTo(sha256(expected.stream().sorted().toList()));
  }

  @Test
  void changesIcebergCannotMakeAreRefusedBeforeTheInputIsRead() throws IOException {
    Path input = Files.writeString(dir.resolve("refused.tbl"), delimited(generate(100, 14)));
    String path = CountingFileSystem.SCHEME + "://" + input.toAbsolutePath();
    ingest(options(path, "raw.refused", Lineitems.SCHEMA), "b1");
    Table table = catalog.loadTable(TableIdentifier.of("raw", "refused"));
    long snapshot = table.currentSnapshot().snapshotId();
    int schemaId = table.schema().schemaId();

    Map<String, Object> narrowing = options(path, "raw.refused", schema("l_orderkey int", "l_partkey int",
        "l_quantity decimal(15,2)", "l_shipdate date", "l_returnflag string", "l_comment string"));
    Map<String, Object> otherType = options(path, "raw.refused", schema("l_orderkey bigint", "l_partkey int",
        "l_quantity decimal(15,2)", "l_shipdate string", "l_returnflag string", "l_comment string"));
    Map<String, Object> otherPartitioning = options(path, "raw.refused", Lineitems.SCHEMA);
    otherPartitioning.put("partitionBy", List.of("l_returnflag"));
    Map<Map<String, Object>, String> refusals = new LinkedHashMap<>();
    refusals.put(narrowing, "Cannot ingest into raw.refused: column l_orderkey is bigint in the table and declared int;"
        + " Iceberg only widens int to bigint, float to double and decimal(P,S) to decimal(P2,S) with P2 > P, and"
        + " nothing is written before the declared type is the table's or such a widening of it");
    refusals.put(otherType, "Cannot ingest into raw.refused: column l_shipdate is date in the table and declared"
        + " string; Iceberg only widens int to bigint, float to double and decimal(P,S) to decimal(P2,S) with P2 > P,"
        + " and nothing is written before the declared type is the table's or such a widening of it");
    refusals.put(otherPartitioning, "Cannot ingest into raw.refused: it is partitioned by [batch_id], the options"
        + " declare [batch_id, l_returnflag] (batchColumn, then partitionBy); Baton does not change a table's"
        + " partitioning: alter the table (ALTER TABLE ... ADD|DROP PARTITION FIELD) or partitionBy to match");

    refusals.forEach((options, message) -> {
      long readBefore = CountingFileSystem.bytesRead();
      assertThatThrownBy(() -> ingest(options, "b2"))
          .isInstanceOf(StageFailedException.class)
          .hasMessage(message)
          .extracting(e -> ((StageFailedException) e).type()).isEqualTo("INCOMPATIBLE_TABLE");
      assertThat(CountingFileSystem.bytesRead() - readBefore).as("bytes of the input read").isZero();
    });

    table.refresh();
    assertThat(table.currentSnapshot().snapshotId()).isEqualTo(snapshot);
    assertThat(table.schema().schemaId()).isEqualTo(schemaId);
    assertThat(table.spec().fields()).hasSize(1);
  }

  private static StageResult ingest(Map<String, Object> options, String batch) {
    return ((IngestStage) new IngestStageFactory().create(options))
        .run(new StageContext("run-" + batch, "items", "ingest_items", 1, Map.of("batch", batch)), spark);
  }

  private static Map<String, Object> options(String path, String table, List<Map<String, Object>> schema) {
    Map<String, Object> options = new LinkedHashMap<>();
    options.put("path", path);
    options.put("table", table);
    options.put("delimiter", "|");
    options.put("schema", schema);
    return options;
  }

  /** Columns as {@code "name type"}. */
  private static List<Map<String, Object>> schema(String... columns) {
    List<Map<String, Object>> schema = new ArrayList<>();
    for (String column : columns) {
      String[] parts = column.split(" ", 2);
      schema.add(Map.of("name", parts[0], "type", parts[1]));
    }
    return schema;
  }
}
