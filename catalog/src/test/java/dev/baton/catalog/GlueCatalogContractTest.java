package dev.baton.catalog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.iceberg.BaseTable;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.FileFormat;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.TableMetadata;
import org.apache.iceberg.aws.glue.GlueCatalog;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.Namespace;
import org.apache.iceberg.catalog.SupportsNamespaces;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.data.GenericRecord;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.data.parquet.GenericParquetWriter;
import org.apache.iceberg.exceptions.CommitFailedException;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.io.DataWriter;
import org.apache.iceberg.parquet.Parquet;
import org.apache.iceberg.types.Types;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Iceberg's real {@link GlueCatalog}, built by {@link CatalogConfig} (type glue), against {@link
 * FakeGlue}: the requests it sends to Glue and how a commit behaves when Glue reports a concurrent
 * modification. Metadata and data files are really written, in a local warehouse.
 */
class GlueCatalogContractTest {

  private static final String ACCESS_KEY = "AKIDGLUECONTRACT";
  private static final String REGION = "eu-west-1";
  private static final TableIdentifier ORDERS = TableIdentifier.of("sales", "orders");
  private static final Schema SCHEMA = new Schema(
      Types.NestedField.required(1, "id", Types.LongType.get()),
      Types.NestedField.optional(2, "item", Types.StringType.get()));

  @TempDir
  Path warehouse;

  private FakeGlue glue;
  private final List<Catalog> catalogs = new ArrayList<>();

  @BeforeAll
  static void staticCredentials() {
    // the AWS SDK's default chain reads these first
    System.setProperty("aws.accessKeyId", ACCESS_KEY);
    System.setProperty("aws.secretAccessKey", "glue-contract-secret");
  }

  @AfterAll
  static void clearCredentials() {
    System.clearProperty("aws.accessKeyId");
    System.clearProperty("aws.secretAccessKey");
  }

  @BeforeEach
  void startGlue() throws IOException {
    glue = FakeGlue.start();
  }

  @AfterEach
  void stop() throws Exception {
    for (Catalog catalog : catalogs) {
      ((AutoCloseable) catalog).close();
    }
    glue.close();
  }

  @Test
  void catalogConfigBuildsIcebergsGlueCatalog() {
    assertThat(catalog()).isInstanceOf(GlueCatalog.class);
  }

  @Test
  void createNamespaceSendsCreateDatabase() {
    ((SupportsNamespaces) catalog()).createNamespace(Namespace.of("sales"));

    JsonNode create = only(glue.requests("CreateDatabase")).body();
    assertThat(create.path("DatabaseInput").path("Name").asText()).isEqualTo("sales");
    assertThat(((SupportsNamespaces) catalog()).namespaceExists(Namespace.of("sales"))).isTrue();
  }

  @Test
  void createTableSendsAnExternalIcebergTablePointingAtWrittenMetadata() {
    Catalog catalog = catalog();
    ((SupportsNamespaces) catalog).createNamespace(Namespace.of("sales"));

    catalog.createTable(ORDERS, SCHEMA);

    // existence check first: GetTable answered EntityNotFoundException
    assertThat(glue.requests("GetTable")).isNotEmpty();
    JsonNode create = only(glue.requests("CreateTable")).body();
    JsonNode input = create.path("TableInput");
    assertThat(create.path("DatabaseName").asText()).isEqualTo("sales");
    assertThat(input.path("Name").asText()).isEqualTo("orders");
    assertThat(input.path("TableType").asText()).isEqualTo("EXTERNAL_TABLE");
    assertThat(input.path("Parameters").path("table_type").asText()).isEqualTo("ICEBERG");
    assertThat(input.path("Parameters").has("previous_metadata_location")).isFalse();
    String metadataLocation = input.path("Parameters").path("metadata_location").asText();
    assertThat(metadataLocation)
        .startsWith(location() + "/metadata/00000-")
        .endsWith(".metadata.json");
    assertThat(localPath(metadataLocation)).isRegularFile();
    JsonNode storage = input.path("StorageDescriptor");
    assertThat(storage.path("Location").asText()).isEqualTo(location());
    assertThat(storage.path("Columns").findValuesAsText("Name")).containsExactly("id", "item");
    assertThat(storage.path("Columns").findValuesAsText("Type")).containsExactly("bigint", "string");
  }

  @Test
  void tablesCreatedThroughCatalogConfigAreFormatVersion2Parquet() {
    Catalog catalog = catalog();
    ((SupportsNamespaces) catalog).createNamespace(Namespace.of("sales"));

    Table table = catalog.createTable(ORDERS, SCHEMA);

    assertThat(metadata(table).formatVersion()).isEqualTo(2);
    assertThat(table.properties()).containsEntry("write.format.default", "parquet");
  }

  @Test
  void appendCommitsWithUpdateTableCarryingPreviousLocationAndVersionIdAndRoundTrips() {
    Catalog catalog = catalog();
    ((SupportsNamespaces) catalog).createNamespace(Namespace.of("sales"));
    Table table = catalog.createTable(ORDERS, SCHEMA);
    String created = metadata(table).metadataFileLocation();
    assertThat(glue.table("sales", "orders").path("VersionId").asText()).isEqualTo("1");

    table.newAppend().appendFile(writeParquet(table, 1L, "anvil")).commit();

    JsonNode update = only(glue.requests("UpdateTable")).body();
    JsonNode parameters = update.path("TableInput").path("Parameters");
    String committed = parameters.path("metadata_location").asText();
    assertThat(update.path("DatabaseName").asText()).isEqualTo("sales");
    assertThat(update.path("TableInput").path("Name").asText()).isEqualTo("orders");
    assertThat(update.path("TableInput").path("TableType").asText()).isEqualTo("EXTERNAL_TABLE");
    assertThat(update.path("VersionId").asText()).isEqualTo("1");
    assertThat(update.path("SkipArchive").asBoolean()).isTrue();
    assertThat(parameters.path("table_type").asText()).isEqualTo("ICEBERG");
    assertThat(parameters.path("previous_metadata_location").asText()).isEqualTo(created);
    assertThat(committed).contains("/metadata/00001-").isNotEqualTo(created);
    assertThat(localPath(committed)).isRegularFile();
    assertThat(glue.table("sales", "orders").path("VersionId").asText()).isEqualTo("2");

    // another client (a fresh catalog) loads what was committed
    Table loaded = catalog().loadTable(ORDERS);
    assertThat(metadata(loaded).metadataFileLocation()).isEqualTo(committed);
    assertThat(rows(loaded)).containsExactly("1:anvil");
  }

  @Test
  void commitRacingAnotherWriterIsRejectedByVersionIdThenRetriedOnTheRefreshedTable() {
    Catalog catalog = catalog();
    ((SupportsNamespaces) catalog).createNamespace(Namespace.of("sales"));
    Table ours = catalog.createTable(ORDERS, SCHEMA);
    Table theirs = catalog().loadTable(ORDERS);
    String created = metadata(ours).metadataFileLocation();
    DataFile theirFile = writeParquet(theirs, 2L, "bolt");
    // the other writer commits between our GetTable (VersionId 1) and our UpdateTable
    glue.beforeNextUpdateTable(() -> theirs.newAppend().appendFile(theirFile).commit());

    ours.newAppend().appendFile(writeParquet(ours, 1L, "anvil")).commit();

    List<FakeGlue.Request> updates = glue.requests("UpdateTable");
    assertThat(updates).hasSize(3);
    JsonNode rejected = updates.get(0).body();
    JsonNode theirCommit = updates.get(1).body();
    JsonNode retried = updates.get(2).body();
    String theirLocation = theirCommit.path("TableInput").path("Parameters").path("metadata_location").asText();
    assertThat(rejected.path("VersionId").asText()).isEqualTo("1");
    assertThat(rejected.path("TableInput").path("Parameters").path("previous_metadata_location").asText())
        .isEqualTo(created);
    assertThat(theirCommit.path("VersionId").asText()).isEqualTo("1");
    assertThat(retried.path("VersionId").asText()).isEqualTo("2");
    assertThat(retried.path("TableInput").path("Parameters").path("previous_metadata_location").asText())
        .isEqualTo(theirLocation);
    // the rejected attempt's metadata file was deleted, not left behind
    String rejectedLocation = rejected.path("TableInput").path("Parameters").path("metadata_location").asText();
    assertThat(localPath(rejectedLocation)).doesNotExist();
    // both appends survive
    Table loaded = catalog().loadTable(ORDERS);
    assertThat(loaded.history()).hasSize(2);
    assertThat(rows(loaded)).containsExactlyInAnyOrder("1:anvil", "2:bolt");
  }

  @Test
  void commitFailsWithCommitFailedExceptionWhenGlueReportsConcurrentModificationOnEveryRetry() {
    Catalog catalog = catalog();
    ((SupportsNamespaces) catalog).createNamespace(Namespace.of("sales"));
    Table table = catalog.createTable(ORDERS, SCHEMA);
    String created = metadata(table).metadataFileLocation();
    DataFile file = writeParquet(table, 1L, "anvil");
    glue.modifyBeforeEveryUpdateTable();

    assertThatThrownBy(() -> table.newAppend().appendFile(file).commit())
        .isInstanceOf(CommitFailedException.class)
        .hasMessage("Cannot commit baton.sales.orders because Glue detected concurrent update")
        .hasCauseInstanceOf(software.amazon.awssdk.services.glue.model.ConcurrentModificationException.class);

    // one attempt and commit.retry.num-retries (default 4) retries, each after a refresh
    assertThat(glue.requests("UpdateTable")).hasSize(5);
    assertThat(glue.table("sales", "orders").path("Parameters").path("metadata_location").asText())
        .isEqualTo(created);
    assertThat(metadataFiles()).containsExactly(localPath(created));
  }

  @Test
  void everyRequestGoesToGlueSignedForGlueAndNoLockServiceIsUsed() {
    Catalog catalog = catalog();
    ((SupportsNamespaces) catalog).createNamespace(Namespace.of("sales"));
    Table table = catalog.createTable(ORDERS, SCHEMA);
    glue.beforeNextUpdateTable(() -> glue.updateParameterElsewhere("sales", "orders", "owner", "platform"));
    table.newAppend().appendFile(writeParquet(table, 1L, "anvil")).commit();
    catalog.listTables(Namespace.of("sales"));

    // dynamodb.endpoint points here too (see catalog()): a DynamoDB lock call would be recorded
    assertThat(glue.requests()).extracting(FakeGlue.Request::target).allMatch(t -> t.startsWith("AWSGlue."));
    assertThat(glue.requests()).extracting(FakeGlue.Request::operation)
        .containsOnly("CreateDatabase", "GetDatabase", "GetTable", "CreateTable", "UpdateTable", "GetTables");
    assertThat(glue.requests()).extracting(FakeGlue.Request::authorization)
        .allMatch(a -> a.matches("AWS4-HMAC-SHA256 Credential=" + ACCESS_KEY + "/\\d{8}/" + REGION
            + "/glue/aws4_request, SignedHeaders=.*x-amz-target.*, Signature=[0-9a-f]{64}"));
    // a parameter another client set survives our commit: Iceberg copies the table's parameters
    assertThat(glue.table("sales", "orders").path("Parameters").path("owner").asText()).isEqualTo("platform");
  }

  private Catalog catalog() {
    Catalog catalog = CatalogConfig.fromConfig("baton", Map.of(
        "iceberg.catalog.type", "glue",
        "iceberg.catalog.glue.endpoint", glue.endpoint(),
        "iceberg.catalog.dynamodb.endpoint", glue.endpoint(),
        "iceberg.catalog.client.region", REGION,
        "iceberg.catalog.warehouse", "file:" + warehouse.toAbsolutePath(),
        "iceberg.catalog.io-impl", "org.apache.iceberg.hadoop.HadoopFileIO")).create();
    catalogs.add(catalog);
    return catalog;
  }

  /** Where GlueCatalog puts sales.orders: {@code <warehouse>/<database>.db/<table>}. */
  private String location() {
    return "file:" + warehouse.toAbsolutePath() + "/sales.db/orders";
  }

  private static TableMetadata metadata(Table table) {
    return ((BaseTable) table).operations().current();
  }

  private static FakeGlue.Request only(List<FakeGlue.Request> requests) {
    assertThat(requests).hasSize(1);
    return requests.get(0);
  }

  private static Path localPath(String location) {
    return Paths.get(URI.create(location));
  }

  private List<Path> metadataFiles() {
    try (Stream<Path> files = Files.walk(warehouse)) {
      return files.filter(p -> p.getFileName().toString().endsWith(".metadata.json")).toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static DataFile writeParquet(Table table, long id, String item) {
    String location = table.locationProvider().newDataLocation("part-" + id + ".parquet");
    try {
      DataWriter<Record> writer = Parquet.writeData(table.io().newOutputFile(location))
          .forTable(table)
          .createWriterFunc(GenericParquetWriter::create)
          .build();
      try (writer) {
        GenericRecord record = GenericRecord.create(table.schema());
        writer.write(record.copy(Map.of("id", id, "item", item)));
      }
      DataFile file = writer.toDataFile();
      assertThat(file.format()).isEqualTo(FileFormat.PARQUET);
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static List<String> rows(Table table) {
    Snapshot current = table.currentSnapshot();
    assertThat(current).isNotNull();
    try (CloseableIterable<Record> records = IcebergGenerics.read(table).build()) {
      List<String> rows = new ArrayList<>();
      records.forEach(r -> rows.add(r.getField("id") + ":" + r.getField("item")));
      return rows;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
