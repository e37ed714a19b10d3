package dev.baton.stages.export;

import static dev.baton.stages.export.ExportChecks.SCHEMA;
import static dev.baton.stages.export.ExportChecks.checkFolder;
import static dev.baton.stages.export.ExportChecks.checksum;
import static dev.baton.stages.export.ExportChecks.generate;
import static dev.baton.stages.export.ExportChecks.writeObjects;
import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.stages.LocalSpark;
import dev.baton.stages.StageTypes;
import dev.baton.stages.export.ExportManifest.FileEntry;
import dev.baton.stages.spi.StageContext;
import dev.baton.stages.spi.StageResult;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.hdfs.MiniDFSCluster;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The export stage's {@code hdfs://} target on a real HDFS: Hadoop's {@link MiniDFSCluster} (a NameNode and one
 * DataNode in this JVM, from {@code hadoop-client-minicluster}, replication 1), with Spark {@code local[2]} and a JDBC
 * catalog on SQLite. Folders are checked by {@link ExportChecks} through the HDFS client.
 */
@Timeout(300)
class ExportHdfsIT {

  @TempDir static Path dir;

  private static MiniDFSCluster hdfs;
  private static SparkSession spark;

  @BeforeAll
  static void start() throws Exception {
    Configuration conf = new Configuration();
    conf.set(MiniDFSCluster.HDFS_MINIDFS_BASEDIR, dir.resolve("hdfs").toString());
    hdfs = new MiniDFSCluster.Builder(conf).numDataNodes(1).build();
    hdfs.waitActive();
    spark = LocalSpark.start("ExportHdfsIT", LocalSpark.jdbcCatalog(dir), Map.of("spark.hadoop.dfs.replication", "1"));
  }

  @AfterAll
  static void stop() {
    if (spark != null) {
      spark.stop();
    }
    if (hdfs != null) {
      hdfs.shutdown();
    }
  }

  @Test
  void exportsATableToHdfsAndARerunOfAFilesCopySkipsWhatIsThere() throws Exception {
    List<Row> rows = generate(0, 20_000, 11);
    spark.sql("CREATE NAMESPACE IF NOT EXISTS curated");
    spark.createDataFrame(rows, SCHEMA).writeTo("curated.to_hdfs").using("iceberg").create();
    String target = hdfsUri("export/to_hdfs");

    export(Map.of("table", "curated.to_hdfs", "target", target, "partitionBy", List.of("region")));

    ExportManifest manifest = checkFolder(spark, new org.apache.hadoop.fs.Path(target));
    assertThat(manifest.rows()).isEqualTo(rows.size());
    assertThat(manifest.files()).isNotEmpty().allSatisfy(file -> assertThat(file.key()).startsWith("region="));
    assertThat(checksum(spark.read().parquet(target))).isEqualTo(checksum(rows));

    // files: local objects copied to HDFS, and a rerun finds them there with the same size and SHA-256
    Path source = dir.resolve("raw");
    Random random = new Random(12);
    Map<String, byte[]> objects = new TreeMap<>();
    for (String key : List.of("a.bin", "sub/b.bin", "sub/c.bin")) {
      byte[] bytes = new byte[50_000 + random.nextInt(200_000)];
      random.nextBytes(bytes);
      objects.put(key, bytes);
    }
    writeObjects(source, objects);
    String copyTarget = hdfsUri("export/raw");
    Map<String, Object> files = Map.of("mode", "files", "source", source.toUri().toString(), "target", copyTarget);
    assertThat(export(files).metrics()).containsEntry("filesCopied", 3.0).containsEntry("filesSkipped", 0.0);
    assertThat(checkFolder(spark, new org.apache.hadoop.fs.Path(copyTarget)).files()).extracting(FileEntry::key)
        .containsExactlyElementsOf(objects.keySet());
    assertThat(export(files).metrics()).containsEntry("filesCopied", 0.0).containsEntry("filesSkipped", 3.0);
  }

  private static StageResult export(Map<String, Object> options) throws Exception {
    return StageTypes.create("export", options).run(new StageContext("run-1", "export-hdfs", "export", 1, Map.of()),
        spark);
  }

  /** {@code hdfs://<host>:<port>/<folder>} on the test's HDFS. */
  private static String hdfsUri(String folder) {
    return hdfs.getURI() + "/" + folder;
  }
}
