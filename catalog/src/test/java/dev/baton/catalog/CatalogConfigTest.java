package dev.baton.catalog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class CatalogConfigTest {

  @Test
  void readsPrefixedKeysFromBatonConfig() {
    CatalogConfig config = CatalogConfig.fromConfig("lake", Map.of(
        "iceberg.catalog.type", "glue",
        "iceberg.catalog.warehouse", "s3://curated/",
        "kafka.bootstrap.servers", "b:9092"));

    assertThat(config.type()).isEqualTo("glue");
    assertThat(config.properties()).containsOnly(Map.entry("type", "glue"), Map.entry("warehouse", "s3://curated/"));
  }

  @Test
  void rejectsMissingAndUnknownType() {
    assertThatThrownBy(() -> CatalogConfig.fromConfig("lake", Map.of()))
        .hasMessage("Cannot configure catalog lake: missing iceberg.catalog.type");
    assertThatThrownBy(() -> CatalogConfig.fromConfig("lake", Map.of("iceberg.catalog.type", "hive2")))
        .hasMessage("Cannot configure catalog lake: unknown iceberg.catalog.type 'hive2'"
            + " (expected one of [glue, hadoop, jdbc, rest])");
  }

  @Test
  void sparkConfRegistersTheCatalogAsDefault() {
    CatalogConfig config = CatalogConfig.localJdbc("/tmp/c.db", "s3://warehouse/", "http://127.0.0.1:9", "ak", "sk", "us-east-1");

    Map<String, String> conf = config.sparkConf();

    assertThat(conf)
        .containsEntry("spark.sql.catalog.baton", "org.apache.iceberg.spark.SparkCatalog")
        .containsEntry("spark.sql.catalog.baton.type", "jdbc")
        .containsEntry("spark.sql.catalog.baton.uri", "jdbc:sqlite:/tmp/c.db")
        .containsEntry("spark.sql.catalog.baton.s3.path-style-access", "true")
        .containsEntry("spark.sql.defaultCatalog", "baton");
    assertThat(config.toString()).contains("s3.secret-access-key=****").doesNotContain("=sk");
  }
}
