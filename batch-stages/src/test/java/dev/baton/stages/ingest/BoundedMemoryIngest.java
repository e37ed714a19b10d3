package dev.baton.stages.ingest;

import dev.baton.catalog.CatalogConfig;
import dev.baton.stages.spi.StageContext;
import dev.baton.stages.spi.StageResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * Runs one ingest in Spark local mode inside this JVM, for {@link IngestBoundedMemoryIT}, which starts it with a
 * small heap. Arguments: the input file, a work folder (catalog, warehouse, Spark's local dir) and the Spark master
 * ({@code local[N]}: N tasks share the heap). Prints
 * {@code rows=<count> orderkeys=<sum of l_orderkey> peakRssKb=<VmHWM>} as the table holds them after the ingest.
 */
final class BoundedMemoryIngest {

  private BoundedMemoryIngest() {}

  public static void main(String[] args) throws Exception {
    Path input = Path.of(args[0]);
    Path work = Path.of(args[1]);
    SparkSession.Builder builder = SparkSession.builder()
        .appName("BoundedMemoryIngest")
        .master(args[2])
        .config("spark.ui.enabled", "false")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.local.dir", work.resolve("spark-local").toString());
    catalog(work).sparkConf().forEach(builder::config);
    SparkSession spark = builder.getOrCreate();
    try {
      Map<String, Object> options = new LinkedHashMap<>();
      options.put("path", input.toString());
      options.put("table", "raw.lineitem");
      options.put("delimiter", "|");
      options.put("schema", Lineitems.SCHEMA);
      StageResult result = ((IngestStage) new IngestStageFactory().create(options))
          .run(new StageContext("run-1", "lineitem", "ingest_lineitem", 1, Map.of("batch", "b1")), spark);
      Row totals = spark.sql("SELECT count(*), sum(l_orderkey) FROM raw.lineitem WHERE batch_id = 'b1'").first();
      String peakRss = Files.readAllLines(Path.of("/proc/self/status")).stream()
          .filter(line -> line.startsWith("VmHWM:"))
          .map(line -> line.replaceAll("\\D", ""))
          .findFirst().orElse("unknown");
      System.out.println("metrics=" + result.metrics());
      System.out.println("rows=" + totals.getLong(0) + " orderkeys=" + totals.getLong(1)
          + " peakRssKb=" + peakRss + " maxHeapBytes=" + Runtime.getRuntime().maxMemory());
    } finally {
      spark.stop();
    }
  }

  /** The work folder's Iceberg catalog: JDBC on SQLite, warehouse on local disk. */
  static CatalogConfig catalog(Path work) {
    return new CatalogConfig(CatalogConfig.DEFAULT_NAME, Map.of(
        "type", "jdbc",
        "uri", "jdbc:sqlite:" + work.resolve("catalog.db"),
        "jdbc.schema-version", "V1",
        "clients", "1",
        "jdbc.busy_timeout", "30000",
        "jdbc.journal_mode", "WAL",
        "warehouse", work.resolve("warehouse").toUri().toString()));
  }
}
