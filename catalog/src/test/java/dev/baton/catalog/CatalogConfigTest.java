package dev.baton.catalog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.Map;
import org.apache.iceberg.BaseTable;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.Namespace;
import org.apache.iceberg.catalog.SupportsNamespaces;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.hadoop.HadoopCatalog;
import org.apache.iceberg.jdbc.JdbcCatalog;
import org.apache.iceberg.types.Types;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class CatalogConfigTest {

  private static final Schema SCHEMA = new Schema(Types.NestedField.required(1, "id", Types.LongType.get()));

  @TempDir
  Path dir;

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

  @ParameterizedTest
  @ValueSource(strings = {"jdbc", "glue", "rest", "hadoop"})
  void everyTypeGetsAthenaCompatibleTableDefaults(String type) {
    CatalogConfig config = CatalogConfig.fromConfig("lake", Map.of(
        "iceberg.catalog.type", type, "iceberg.catalog.warehouse", "file:/tmp/w"));

    assertThat(CatalogConfig.TABLE_DEFAULTS).containsOnly(
        Map.entry("table-default.format-version", "2"), Map.entry("table-default.write.format.default", "parquet"));
    assertThat(config.catalogProperties())
        .containsEntry("table-default.format-version", "2")
        .containsEntry("table-default.write.format.default", "parquet")
        .containsEntry("type", type);
    assertThat(config.properties()).doesNotContainKey("table-default.format-version");
    assertThat(config.sparkConf())
        .containsEntry("spark.sql.catalog.lake.table-default.format-version", "2")
        .containsEntry("spark.sql.catalog.lake.table-default.write.format.default", "parquet");
  }

  @Test
  void configuredTableDefaultsWin() {
    CatalogConfig config = CatalogConfig.fromConfig("lake", Map.of(
        "iceberg.catalog.type", "glue",
        "iceberg.catalog.table-default.format-version", "3",
        "iceberg.catalog.table-default.write.format.default", "orc"));

    assertThat(config.catalogProperties())
        .containsEntry("table-default.format-version", "3")
        .containsEntry("table-default.write.format.default", "orc");
  }

  @Test
  void jdbcCatalogCreatesFormatVersion2ParquetTables() throws Exception {
    CatalogConfig config = CatalogConfig.fromConfig("lake", Map.of(
        "iceberg.catalog.type", "jdbc",
        "iceberg.catalog.uri", "jdbc:sqlite:" + dir.resolve("catalog.db"),
        "iceberg.catalog.warehouse", dir.resolve("warehouse").toUri().toString()));

    try (JdbcCatalog catalog = (JdbcCatalog) config.create()) {
      assertFormatVersion2Parquet(catalog);
    }
  }

  @Test
  void hadoopCatalogOnALocalWarehouseCreatesFormatVersion2ParquetTables() throws Exception {
    CatalogConfig config = CatalogConfig.fromConfig("lake", Map.of(
        "iceberg.catalog.type", "hadoop",
        "iceberg.catalog.warehouse", dir.toUri().toString()));

    try (HadoopCatalog catalog = (HadoopCatalog) config.create()) {
      assertFormatVersion2Parquet(catalog);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"s3://curated/warehouse", "s3a://curated/warehouse", "S3N://curated/warehouse"})
  void rejectsHadoopCatalogOnS3(String warehouse) {
    assertThatThrownBy(() -> CatalogConfig.fromConfig("lake", Map.of(
        "iceberg.catalog.type", "hadoop", "iceberg.catalog.warehouse", warehouse)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Cannot use iceberg.catalog.type=hadoop with warehouse " + warehouse
            + ": HadoopCatalog commits by atomic rename, which S3 does not provide (use glue, rest or jdbc)");
  }

  @Test
  void acceptsS3WarehouseForOtherTypes() {
    for (String type : new String[] {"jdbc", "glue", "rest"}) {
      assertThat(CatalogConfig.fromConfig("lake", Map.of(
          "iceberg.catalog.type", type, "iceberg.catalog.warehouse", "s3://curated/warehouse")).type()).isEqualTo(type);
    }
  }

  private static void assertFormatVersion2Parquet(Catalog catalog) {
    if (catalog instanceof SupportsNamespaces namespaces && !namespaces.namespaceExists(Namespace.of("sales"))) {
      namespaces.createNamespace(Namespace.of("sales"));
    }
    Table table = catalog.createTable(TableIdentifier.of("sales", "orders"), SCHEMA);

    assertThat(((BaseTable) table).operations().current().formatVersion()).isEqualTo(2);
    assertThat(table.properties()).containsEntry("write.format.default", "parquet");
  }
}
