package dev.baton.stages.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.baton.catalog.CatalogConfig;
import dev.baton.stages.LocalSpark;
import dev.baton.stages.spi.StageContext;
import dev.baton.stages.spi.StageFailedException;
import dev.baton.stages.spi.StageResult;
import dev.baton.stages.write.IcebergWriter;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.SnapshotSummary;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The ingest stage against Spark {@code local[2]} and a real Iceberg catalog (JDBC on SQLite, the
 * local stack's kind, with a warehouse on local disk). Expected figures come from the test's own
 * generator, never from Spark; what the table holds is read back through a separate catalog
 * instance, so Spark's table cache cannot hide a commit.
 */
@Timeout(180)
class IngestStageTest {

  @TempDir static Path dir;

  private static SparkSession spark;
  private static CatalogConfig catalogConfig;
  private static Catalog catalog;

  @BeforeAll
  static void startSpark() {
    catalogConfig = LocalSpark.jdbcCatalog(dir);
    spark = LocalSpark.start("IngestStageTest", catalogConfig, Map.of("spark.hadoop.fs." + CountingFileSystem.SCHEME + ".impl", CountingFileSystem.class.getName()));
    catalog = catalogConfig.create();
  }

  @AfterAll
  static void stopSpark() throws Exception {
    LocalSpark.stop(spark, catalog);
  }

  @Test
  void batchOverTheDefaultLimitLeavesTheTargetTableUnchangedAndKeepsItsBadRowsInQuarantine() throws IOException {
    Generated first = generate("orders-b1.tbl", 300, 0, 1);
    ingest(options(first.path(), "raw.orders_limit", null), "b1");
    Table table = catalog.loadTable(TableIdentifier.of("raw", "orders_limit"));
    Snapshot before = table.currentSnapshot();

    Generated second = generate("orders-b2.tbl", 2_000, 3, 2);
    long readBefore = CountingFileSystem.bytesRead();
    assertThatThrownBy(() -> ingest(options(second.path(), "raw.orders_limit", null), "b2"))
        .isInstanceOf(StageFailedException.class)
        .hasMessage("Cannot publish batch b2 to raw.orders_limit: 3 of 2000 rows (0.1500%) of " + second.path()
            + " do not match the declared schema, more than maxBadRowsFraction 0.0 allows; raw.orders_limit is"
            + " unchanged, the bad rows are in baton_system.quarantine")
        .extracting(e -> ((StageFailedException) e).type()).isEqualTo("TOO_MANY_BAD_ROWS");
    long read = CountingFileSystem.bytesRead() - readBefore;

    table.refresh();
    assertThat(table.currentSnapshot().snapshotId()).as("no snapshot on main").isEqualTo(before.snapshotId());
    assertThat(table.refs().keySet()).as("no staging branch left").containsExactly("main");
    assertThat(spark.sql("SELECT batch_id, count(*) FROM raw.orders_limit GROUP BY batch_id").collectAsList())
        .extracting(Object::toString).containsExactly("[b1,300]");
    assertThat(quarantined("raw.orders_limit", "b2"))
        .extracting(row -> row.getString(0) + " | " + row.getString(1) + " | " + row.getString(2))
        .containsExactlyInAnyOrderElementsOf(second.expectedQuarantine());
    assertThat(read).as("bytes read of a %d-byte input: a strict read stopped at the first bad row, then a whole"
        + " permissive read", second.size()).isGreaterThan(second.size()).isLessThanOrEqualTo(second.size() * 5 / 2);
  }

  @Test
  void firstBatchOverTheLimitLeavesTheTargetTableCreatedButEmpty() throws IOException {
    Generated batch = generate("orders-new.tbl", 100, 1, 3);

    assertThatThrownBy(() -> ingest(options(batch.path(), "raw.orders_never", null), "b1"))
        .isInstanceOf(StageFailedException.class)
        .hasMessageContaining("1 of 100 rows (1.0000%)");

    Table table = catalog.loadTable(TableIdentifier.of("raw", "orders_never"));
    assertThat(table.currentSnapshot()).as("no snapshot on main").isNull();
    assertThat(table.refs()).as("no staging branch left").isEmpty();
    assertThat(spark.sql("SELECT count(*) FROM raw.orders_never").first().getLong(0)).isZero();
    assertThat(dataFiles(dir.resolve("warehouse/raw/orders_never"))).as("the staged files, until expiry").hasSize(1);
    expireAllButTheCurrentSnapshot(table);
    assertThat(dataFiles(dir.resolve("warehouse/raw/orders_never"))).as("the staged files, after expiry").isEmpty();
    assertThat(quarantined("raw.orders_never", "b1")).hasSize(1);
  }

  @Test
  void sameBatchOverTheLimitKeepsThePublishedRowsOfThatBatch() throws IOException {
    Generated first = generate("orders-again-1.tbl", 400, 0, 8);
    ingest(options(first.path(), "raw.orders_again", null), "b1");
    Table table = catalog.loadTable(TableIdentifier.of("raw", "orders_again"));
    long before = table.currentSnapshot().snapshotId();
    List<Path> filesBefore = dataFiles(dir.resolve("warehouse/raw/orders_again"));

    Generated second = generate("orders-again-2.tbl", 400, 4, 9);
    assertThatThrownBy(() -> ingest(options(second.path(), "raw.orders_again", null), "b1"))
        .isInstanceOf(StageFailedException.class)
        .hasMessageContaining("4 of 400 rows");

    table.refresh();
    assertThat(table.currentSnapshot().snapshotId()).isEqualTo(before);
    assertThat(table.refs().keySet()).containsExactly("main");
    expireAllButTheCurrentSnapshot(table);
    assertThat(dataFiles(dir.resolve("warehouse/raw/orders_again"))).as("after expiry: the staged files deleted, b1's kept")
        .containsExactlyInAnyOrderElementsOf(filesBefore);
    Row totals = spark.sql("SELECT count(*), sum(o_totalprice) FROM raw.orders_again WHERE batch_id = 'b1'").first();
    assertThat(totals.getLong(0)).isEqualTo(first.goodRows());
    assertThat(totals.getDecimal(1)).isEqualByComparingTo(first.goodTotal());
  }

  @Test
  void badRowsBeyondTheBufferAreQuarantinedByASecondRead() throws IOException {
    Generated batch = generate("orders-many-bad.tbl", 2_000, 200, 10);
    long readBefore = CountingFileSystem.bytesRead();

    // a buffer of ~20 rows' worth: the accumulator overflows and the quarantine reads the input again
    StageResult result = ingest(options(batch.path(), "raw.orders_many_bad", 0.2), "b1", 4_096);
    long read = CountingFileSystem.bytesRead() - readBefore;

    assertThat(result.metrics()).containsEntry("rowsRead", 2_000.0).containsEntry("badRows", 200.0)
        .containsEntry("inputPasses", 3.0);
    assertThat(result.outputs().get(0).rows()).isEqualTo(1_800L);
    assertThat(quarantined("raw.orders_many_bad", "b1"))
        .extracting(row -> row.getString(0) + " | " + row.getString(1) + " | " + row.getString(2))
        .containsExactlyInAnyOrderElementsOf(batch.expectedQuarantine());
    assertThat(read).as("bytes read of a %d-byte input: a strict read stopped at the first bad row, a permissive"
        + " read, then the quarantine's read", batch.size())
        .isGreaterThan(batch.size() * 2).isLessThanOrEqualTo(batch.size() * 7 / 2);
  }

  @Test
  void batchWithinTheLimitCommitsExactlyTheGoodRowsAndQuarantinesTheRest() throws IOException {
    Generated batch = generate("orders-ok.tbl", 5_000, 40, 4);
    long readBefore = CountingFileSystem.bytesRead();

    StageResult result = ingest(options(batch.path(), "raw.orders_ok", 0.01), "b1");
    long read = CountingFileSystem.bytesRead() - readBefore;

    Table table = catalog.loadTable(TableIdentifier.of("raw", "orders_ok"));
    StageResult.TableOutput output = result.outputs().get(0);
    assertThat(output.table()).isEqualTo("raw.orders_ok");
    assertThat(output.snapshotId()).isEqualTo(table.currentSnapshot().snapshotId());
    assertThat(output.rows()).isEqualTo(4_960L);
    assertThat(table.currentSnapshot().summary()).containsEntry(SnapshotSummary.TOTAL_RECORDS_PROP, "4960");
    Row totals = spark.sql("SELECT count(*), sum(o_totalprice), count(DISTINCT o_orderkey) FROM raw.orders_ok"
        + " WHERE batch_id = 'b1'").first();
    assertThat(totals.getLong(0)).isEqualTo(batch.goodRows());
    assertThat(totals.getDecimal(1)).isEqualByComparingTo(batch.goodTotal());
    assertThat(totals.getLong(2)).isEqualTo(batch.goodRows());
    assertThat(result.metrics()).containsEntry("rowsRead", 5_000.0).containsEntry("badRows", 40.0)
        .containsEntry("inputPasses", 2.0);
    assertThat(quarantined("raw.orders_ok", "b1"))
        .extracting(row -> row.getString(0) + " | " + row.getString(1) + " | " + row.getString(2))
        .containsExactlyInAnyOrderElementsOf(batch.expectedQuarantine());
    assertThat(read).as("bytes read of a %d-byte input: a strict read stopped at the first bad row, then a whole"
        + " permissive read", batch.size()).isGreaterThan(batch.size()).isLessThanOrEqualTo(batch.size() * 5 / 2);
  }

  @Test
  void cleanBatchWithTheDefaultLimitCommitsEveryRowAndClearsAnEarlierAttemptsQuarantine() throws IOException {
    Generated dirty = generate("orders-retry-1.tbl", 500, 2, 5);
    assertThatThrownBy(() -> ingest(options(dirty.path(), "raw.orders_retry", null), "b1"))
        .isInstanceOf(StageFailedException.class);
    assertThat(quarantined("raw.orders_retry", "b1")).hasSize(2);

    Generated fixed = generate("orders-retry-2.tbl", 500, 0, 5);
    long readBefore = CountingFileSystem.bytesRead();
    StageResult result = ingest(options(fixed.path(), "raw.orders_retry", null), "b1");
    long read = CountingFileSystem.bytesRead() - readBefore;

    assertThat(result.metrics()).containsEntry("inputPasses", 1.0).containsEntry("badRows", 0.0);
    assertThat(read).as("one read of a %d-byte input", fixed.size()).isBetween(fixed.size(), fixed.size() * 3 / 2);
    assertThat(result.outputs().get(0).rows()).isEqualTo(500L);
    assertThat(spark.sql("SELECT count(*) FROM raw.orders_retry WHERE batch_id = 'b1'").first().getLong(0))
        .isEqualTo(500L);
    assertThat(quarantined("raw.orders_retry", "b1")).isEmpty();
  }

  @Test
  void aValueAfterTheTrailingDelimiterAloneIsFoundByTheStrictReadAndQuarantined() throws IOException {
    // Spark's reader accepts the line (its extra field is read as a column of its own): the strict read's own check
    String bad = "3|30.00|1995-03-03|comment 3|extra";
    Files.writeString(dir.resolve("orders-trailing.tbl"),
        "1|10.00|1995-01-01|comment 1|\n2|20.00|1995-02-02|comment 2|\n" + bad + "\n4|40.00|1995-04-04|comment 4|\n");
    String path = CountingFileSystem.SCHEME + "://" + dir.resolve("orders-trailing.tbl").toAbsolutePath();

    StageResult result = ingest(options(path, "raw.orders_trailing", 0.5), "b1");

    assertThat(result.metrics()).containsEntry("rowsRead", 4.0).containsEntry("badRows", 1.0)
        .containsEntry("inputPasses", 2.0);
    assertThat(spark.sql("SELECT o_orderkey FROM raw.orders_trailing ORDER BY o_orderkey").collectAsList())
        .extracting(row -> row.getLong(0)).containsExactly(1L, 2L, 4L);
    assertThat(quarantined("raw.orders_trailing", "b1"))
        .extracting(row -> row.getString(2)).containsExactly("unexpected value after the trailing delimiter");
  }

  @Test
  void emptyInputReplacesTheBatchWithNoRows() throws IOException {
    Generated full = generate("orders-empty-1.tbl", 50, 0, 6);
    ingest(options(full.path(), "raw.orders_empty", null), "b1");
    Generated empty = generate("orders-empty-2.tbl", 0, 0, 6);

    StageResult result = ingest(options(empty.path(), "raw.orders_empty", null), "b1");

    Table table = catalog.loadTable(TableIdentifier.of("raw", "orders_empty"));
    assertThat(result.outputs().get(0).rows()).isZero();
    assertThat(result.outputs().get(0).snapshotId()).isEqualTo(table.currentSnapshot().snapshotId());
    assertThat(table.currentSnapshot().summary()).containsEntry(SnapshotSummary.TOTAL_RECORDS_PROP, "0");
    assertThat(result.metrics()).containsEntry("rowsRead", 0.0).containsEntry("badRows", 0.0);
  }

  private static StageResult ingest(Map<String, Object> options, String batch) {
    return ((IngestStage) new IngestStageFactory().create(options))
        .run(new StageContext("run-" + batch, "orders", "ingest_orders", 1, Map.of("batch", batch)), spark);
  }

  private static StageResult ingest(Map<String, Object> options, String batch, long badRowsBufferBytes) {
    IngestOptions parsed = ((IngestStage) new IngestStageFactory().create(options)).options();
    return new IngestStage(parsed, badRowsBufferBytes)
        .run(new StageContext("run-" + batch, "orders", "ingest_orders", 1, Map.of("batch", batch)), spark);
  }

  /**
   * Snapshot expiry as the maintenance stage runs it, keeping only the current snapshot, files cleaned; committed
   * through Spark's catalog (the test's own SQLite connection only reads: two writers of one SQLite file conflict).
   */
  static void expireAllButTheCurrentSnapshot(Table table) {
    IcebergWriter.load(spark, table.name().substring(table.name().indexOf('.') + 1)).expireSnapshots()
        .expireOlderThan(System.currentTimeMillis() + 1).retainLast(1).commit();
  }

  /** The Parquet data files under a table's folder. */
  private static List<Path> dataFiles(Path tableDir) throws IOException {
    if (!Files.exists(tableDir)) {
      return List.of();
    }
    try (var files = Files.walk(tableDir)) {
      return files.filter(file -> file.toString().endsWith(".parquet")).sorted().toList();
    }
  }

  /** A TPC-H-like orders file: {@code |}-separated with a trailing {@code |}. */
  private static Map<String, Object> options(String path, String table, Double maxBadRowsFraction) {
    Map<String, Object> options = new LinkedHashMap<>();
    options.put("path", path);
    options.put("table", table);
    options.put("delimiter", "|");
    options.put("trailingDelimiter", true);
    options.put("schema", List.of(
        Map.of("name", "o_orderkey", "type", "bigint"),
        Map.of("name", "o_totalprice", "type", "decimal(15,2)"),
        Map.of("name", "o_orderdate", "type", "date"),
        Map.of("name", "o_comment", "type", "string")));
    if (maxBadRowsFraction != null) {
      options.put("maxBadRowsFraction", maxBadRowsFraction);
    }
    return options;
  }

  /** The quarantined rows of one table and batch: file, record, reason. */
  private static List<Row> quarantined(String table, String batch) {
    return spark.sql("SELECT file, record, reason FROM baton_system.quarantine WHERE table_name = '" + table
        + "' AND batch_id = '" + batch + "'").collectAsList();
  }

  /**
   * Writes {@code rows} lines of which {@code bad} (spread through the file) are malformed in one of
   * four ways, and returns what a correct ingest must produce. Read through {@link CountingFileSystem}.
   */
  private static Generated generate(String name, int rows, int bad, long seed) throws IOException {
    Random random = new Random(seed);
    StringBuilder text = new StringBuilder();
    List<String> quarantine = new ArrayList<>();
    String path = CountingFileSystem.SCHEME + "://" + dir.resolve(name).toAbsolutePath();
    long goodRows = 0;
    BigDecimal goodTotal = BigDecimal.ZERO;
    int spacing = bad == 0 ? 1 : rows / bad;
    for (int i = 0; i < rows; i++) {
      BigDecimal price = BigDecimal.valueOf(random.nextInt(50_000_000), 2);
      String date = String.format("199%d-%02d-%02d", random.nextInt(8), 1 + random.nextInt(12), 1 + random.nextInt(28));
      boolean isBad = bad > 0 && i % spacing == spacing / 2 && quarantine.size() < bad;
      String line;
      if (!isBad) {
        line = (i + 1) + "|" + price.toPlainString() + "|" + date + "|comment " + i + "|";
        goodRows++;
        goodTotal = goodTotal.add(price);
      } else {
        switch (quarantine.size() % 4) {
          case 0 -> {
            line = "x" + (i + 1) + "|" + price.toPlainString() + "|" + date + "|comment " + i + "|";
            quarantine.add(path + " | " + line + " | a field does not parse as its declared type");
          }
          case 1 -> {
            line = (i + 1) + "|" + price.toPlainString() + "|" + date + "|";
            quarantine.add(path + " | " + line + " | expected 4 fields, found 3");
          }
          case 2 -> {
            line = (i + 1) + "|" + price.toPlainString() + "|not-a-date|comment " + i + "|";
            quarantine.add(path + " | " + line + " | a field does not parse as its declared type");
          }
          default -> {
            line = (i + 1) + "|" + price.toPlainString() + "|" + date + "|comment " + i + "|extra";
            quarantine.add(path + " | {\"o_orderkey\":" + (i + 1) + ",\"o_totalprice\":" + price.toPlainString()
                + ",\"o_orderdate\":\"" + date + "\",\"o_comment\":\"comment " + i
                + "\",\"_after_trailing_delimiter\":\"extra\"} | unexpected value after the trailing delimiter");
          }
        }
      }
      text.append(line).append('\n');
    }
    assertThat(quarantine).hasSize(bad);
    byte[] bytes = text.toString().getBytes(StandardCharsets.UTF_8);
    Files.write(dir.resolve(name), bytes);
    assertThat(Files.readAllLines(dir.resolve(name))).hasSize(rows);
    return new Generated(path, bytes.length, goodRows, goodTotal, quarantine);
  }

  private record Generated(String path, long size, long goodRows, BigDecimal goodTotal, List<String> expectedQuarantine) {}

}
