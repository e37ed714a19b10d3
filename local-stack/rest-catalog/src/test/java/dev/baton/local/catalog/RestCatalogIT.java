package dev.baton.local.catalog;

import static org.apache.iceberg.types.Types.NestedField.optional;
import static org.apache.iceberg.types.Types.NestedField.required;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.InputStream;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.apache.avro.file.DataFileStream;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.HasTableOperations;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Table;
import org.apache.iceberg.TableProperties;
import org.apache.iceberg.avro.Avro;
import org.apache.iceberg.avro.AvroSchemaUtil;
import org.apache.iceberg.avro.GenericAvroWriter;
import org.apache.iceberg.catalog.Namespace;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.exceptions.NotAuthorizedException;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.io.DataWriter;
import org.apache.iceberg.rest.RESTCatalog;
import org.apache.iceberg.types.Types;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The REST catalog as the local stack runs it: {@link RestCatalogMain} in its own JVM (this
 * module's classpath file) on a fresh SQLite file, the warehouse on the local S3 endpoint (the
 * s3-endpoint module's JVM), used through Iceberg's own {@link RESTCatalog} client.
 */
class RestCatalogIT {
  private static final String TOKEN = UUID.randomUUID().toString();
  private static final String ACCESS_KEY = "local-" + UUID.randomUUID();
  private static final String SECRET_KEY = UUID.randomUUID().toString();
  private static final String REGION = "us-east-1";
  private static final Schema SCHEMA = new Schema(
      required(1, "id", Types.LongType.get()),
      optional(2, "name", Types.StringType.get()));

  @TempDir
  static Path dir;

  private static ServiceProcess s3;
  private static ServiceProcess catalog;

  @BeforeAll
  static void startServices() throws Exception {
    s3 = ServiceProcess.start("s3-endpoint", "dev.baton.local.s3.S3EndpointMain",
        List.of(dir.resolve("s3").toString(), String.valueOf(freePort()), "warehouse"),
        Map.of("BATON_S3_ACCESS_KEY", ACCESS_KEY, "BATON_S3_SECRET_KEY", SECRET_KEY),
        dir.resolve("logs/s3-endpoint.log"));
    catalog = startCatalog();
  }

  @AfterAll
  static void stopServices() throws Exception {
    if (catalog != null) {
      catalog.close();
    }
    if (s3 != null) {
      s3.close();
    }
  }

  private static ServiceProcess startCatalog() throws Exception {
    return ServiceProcess.start("rest-catalog", RestCatalogMain.class.getName(),
        List.of(dir.resolve("catalog/iceberg.db").toString(), String.valueOf(freePort()), "s3://warehouse/",
            s3.url(), REGION),
        Map.of(RestCatalogMain.TOKEN_ENV, TOKEN,
            RestCatalogMain.ACCESS_KEY_ENV, ACCESS_KEY,
            RestCatalogMain.SECRET_KEY_ENV, SECRET_KEY),
        dir.resolve("logs/rest-catalog.log"));
  }

  @Test
  void printsItsLoopbackUrlWhenReady() {
    assertThat(catalog.url()).matches("http://127\\.0\\.0\\.1:\\d+");
  }

  @Test
  void refusesAClientWithoutOrWithAWrongToken() {
    Map<String, String> noToken = clientProperties();
    noToken.remove("token");
    Map<String, String> wrongToken = clientProperties();
    wrongToken.put("token", "not-" + TOKEN);

    assertThatThrownBy(() -> client(noToken)).isInstanceOf(NotAuthorizedException.class);
    assertThatThrownBy(() -> client(wrongToken)).isInstanceOf(NotAuthorizedException.class);
  }

  @Test
  void createsAppendsToEvolvesAndLoadsAFormatV2TableOnTheLocalS3Endpoint() throws Exception {
    TableIdentifier id = TableIdentifier.of("sales", "orders");
    try (RESTCatalog client = client(clientProperties())) {
      client.createNamespace(Namespace.of("sales"));
      Table table = client.buildTable(id, SCHEMA)
          .withProperty(TableProperties.FORMAT_VERSION, "2")
          .create();
      table.newAppend().appendFile(writeAvroFile(table, List.of(1L, 2L, 3L))).commit();
      table.updateSchema().addColumn("note", Types.StringType.get()).commit();
    }

    try (RESTCatalog client = client(clientProperties())) {
      Table loaded = client.loadTable(id);

      assertThat(((HasTableOperations) loaded).operations().current().formatVersion()).isEqualTo(2);
      assertThat(loaded.schema().findField("note")).isNotNull();
      assertThat(loaded.currentSnapshot().summary()).containsEntry("added-records", "3");
      assertThat(loaded.location()).startsWith("s3://warehouse/sales/orders");
      assertThat(ids(loaded)).containsExactly(1L, 2L, 3L);
    }
    // metadata written by the catalog JVM, data by this one: both in the S3 endpoint's bucket
    try (Stream<Path> files = Files.walk(dir.resolve("s3/warehouse"))) {
      assertThat(files.map(Path::toString))
          .anyMatch(file -> file.endsWith(".metadata.json"))
          .anyMatch(file -> file.endsWith("00000.avro"));
    }
  }

  @Test
  void keepsItsTablesAcrossARestart() throws Exception {
    TableIdentifier id = TableIdentifier.of("restart", "events");
    try (RESTCatalog client = client(clientProperties())) {
      client.createNamespace(Namespace.of("restart"));
      Table table = client.buildTable(id, SCHEMA).withProperty(TableProperties.FORMAT_VERSION, "2").create();
      table.newAppend().appendFile(writeAvroFile(table, List.of(7L))).commit();
    }

    catalog.stop();
    catalog = startCatalog();

    try (RESTCatalog client = client(clientProperties())) {
      assertThat(ids(client.loadTable(id))).containsExactly(7L);
    }
  }

  private static DataFile writeAvroFile(Table table, List<Long> ids) throws Exception {
    org.apache.avro.Schema avroSchema = AvroSchemaUtil.convert(table.schema(), "row");
    DataWriter<GenericData.Record> writer = Avro.writeData(
            table.io().newOutputFile(table.locationProvider().newDataLocation("part-00000.avro")))
        .schema(table.schema())
        .createWriterFunc(GenericAvroWriter::create)
        .withSpec(PartitionSpec.unpartitioned())
        .build();
    try (writer) {
      for (long id : ids) {
        GenericData.Record record = new GenericData.Record(avroSchema);
        record.put("id", id);
        record.put("name", "row-" + id);
        writer.write(record);
      }
    }
    return writer.toDataFile();
  }

  /** The ids in the table's data files, read through the client's FileIO. */
  private static List<Long> ids(Table table) throws Exception {
    List<Long> ids = new ArrayList<>();
    try (CloseableIterable<FileScanTask> tasks = table.newScan().planFiles()) {
      for (FileScanTask task : tasks) {
        try (InputStream in = table.io().newInputFile(task.file().location()).newStream();
            DataFileStream<GenericRecord> rows = new DataFileStream<>(in, new GenericDatumReader<>())) {
          rows.forEach(row -> ids.add((Long) row.get("id")));
        }
      }
    }
    return ids;
  }

  private static Map<String, String> clientProperties() {
    Map<String, String> properties = new HashMap<>();
    properties.put("uri", catalog.url());
    properties.put("token", TOKEN);
    // a static token: OAuth2 is what sends it as a bearer token; the server URI is only named to
    // say it on purpose (the client never calls it without a credential)
    properties.put("rest.auth.type", "oauth2");
    properties.put("oauth2-server-uri", catalog.url() + "/v1/oauth/tokens");
    properties.put("io-impl", "org.apache.iceberg.aws.s3.S3FileIO");
    properties.put("s3.endpoint", s3.url());
    properties.put("s3.path-style-access", "true");
    properties.put("s3.access-key-id", ACCESS_KEY);
    properties.put("s3.secret-access-key", SECRET_KEY);
    properties.put("client.region", REGION);
    return properties;
  }

  private static RESTCatalog client(Map<String, String> properties) {
    RESTCatalog client = new RESTCatalog();
    client.initialize("baton", properties);
    return client;
  }

  private static int freePort() throws Exception {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
