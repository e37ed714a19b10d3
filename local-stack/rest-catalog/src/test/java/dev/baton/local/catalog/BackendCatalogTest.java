package dev.baton.local.catalog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BackendCatalogTest {

  @Test
  void isTheLocalJdbcCatalogOnSqliteWithTheWarehouseOnTheLocalS3Endpoint() {
    Map<String, String> properties = BackendCatalog.properties(
        Path.of("/tmp/baton/catalog/iceberg.db"), "s3://warehouse/", URI.create("http://127.0.0.1:39000"),
        "us-east-1", "access", "secret");

    assertThat(properties).containsExactlyInAnyOrderEntriesOf(Map.ofEntries(
        Map.entry("type", "jdbc"),
        Map.entry("uri", "jdbc:sqlite:/tmp/baton/catalog/iceberg.db"),
        Map.entry("jdbc.schema-version", "V1"),
        Map.entry("clients", "1"),
        Map.entry("jdbc.busy_timeout", "30000"),
        Map.entry("jdbc.journal_mode", "WAL"),
        Map.entry("warehouse", "s3://warehouse/"),
        Map.entry("io-impl", "org.apache.iceberg.aws.s3.S3FileIO"),
        Map.entry("s3.endpoint", "http://127.0.0.1:39000"),
        Map.entry("s3.path-style-access", "true"),
        Map.entry("s3.access-key-id", "access"),
        Map.entry("s3.secret-access-key", "secret"),
        Map.entry("client.region", "us-east-1")));
  }

  @Test
  void makesARelativeSqlitePathAbsolute() {
    Map<String, String> properties = BackendCatalog.properties(
        Path.of("iceberg.db"), "s3://warehouse/", URI.create("http://127.0.0.1:39000"), "us-east-1", "a", "s");

    assertThat(properties.get("uri")).isEqualTo("jdbc:sqlite:" + Path.of("iceberg.db").toAbsolutePath());
  }

  @Test
  void rejectsAMissingSecret() {
    assertThatThrownBy(() -> BackendCatalog.properties(
        Path.of("iceberg.db"), "s3://warehouse/", URI.create("http://127.0.0.1:39000"), "us-east-1", "a", null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("Invalid secretKey: null");
  }
}
