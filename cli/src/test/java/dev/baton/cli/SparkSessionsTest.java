package dev.baton.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class SparkSessionsTest {
  private static final Map<String, String> CATALOG = Map.of("iceberg.catalog.type", "hadoop",
      "iceberg.catalog.warehouse", "file:///tmp/warehouse");

  private static Map<String, String> settings(String... keyValues) {
    Map<String, String> config = new java.util.HashMap<>(CATALOG);
    for (int i = 0; i < keyValues.length; i += 2) {
      config.put(keyValues[i], keyValues[i + 1]);
    }
    return SparkSessions.settings(config);
  }

  @Test
  void aLocalMastersShufflePartitionsDefaultToItsThreads() {
    assertThat(settings("spark.master", "local[3]"))
        .containsEntry("spark.sql.shuffle.partitions", "3");
    assertThat(settings())
        .containsEntry("spark.master", "local[*]")
        .containsEntry("spark.sql.shuffle.partitions", String.valueOf(Runtime.getRuntime().availableProcessors()));
    assertThat(settings("spark.master", "local")).containsEntry("spark.sql.shuffle.partitions", "1");
    assertThat(settings("spark.master", "local[4,2]"))
        .containsEntry("spark.sql.shuffle.partitions", "4");
  }

  @Test
  void aConfiguredValueOrAClusterMasterKeepsSparksOwn() {
    assertThat(settings("spark.master", "local[3]", "spark.sql.shuffle.partitions", "64"))
        .containsEntry("spark.sql.shuffle.partitions", "64");
    assertThat(settings("spark.master", "k8s://https://kubernetes.default.svc"))
        .doesNotContainKey("spark.sql.shuffle.partitions");
    assertThat(settings("spark.master", "yarn")).doesNotContainKey("spark.sql.shuffle.partitions");
  }
}
