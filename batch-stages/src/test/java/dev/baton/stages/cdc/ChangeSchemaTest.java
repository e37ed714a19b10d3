package dev.baton.stages.cdc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.baton.stages.spi.InvalidStageOptionsException;
import dev.baton.stages.spi.StageFailedException;
import java.math.BigDecimal;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Reading Debezium's change-event schemas (as PostgreSQL's connector writes them with JsonConverter). */
class ChangeSchemaTest {
  /** A record key's schema, as Debezium 3.5's PostgreSQL connector wrote it for {@code public.customers}. */
  private static final String KEY = "{\"type\":\"struct\",\"fields\":[{\"type\":\"int64\",\"optional\":false,"
      + "\"field\":\"id\"}],\"optional\":false,\"name\":\"cdc.public.customers.Key\"}";

  private static String value(String extraAfterField) {
    String after = "{\"type\":\"struct\",\"fields\":[{\"type\":\"int64\",\"optional\":false,\"field\":\"id\"},"
        + "{\"type\":\"string\",\"optional\":false,\"field\":\"name\"},{\"type\":\"bytes\",\"optional\":true,"
        + "\"name\":\"org.apache.kafka.connect.data.Decimal\",\"version\":1,\"parameters\":{\"scale\":\"2\","
        + "\"connect.decimal.precision\":\"12\"},\"field\":\"balance\"},{\"type\":\"double\",\"optional\":true,"
        + "\"field\":\"score\"},{\"type\":\"string\",\"optional\":false,\"name\":\"io.debezium.time.ZonedTimestamp\","
        + "\"version\":1,\"field\":\"updated_at\"}" + extraAfterField + "],\"optional\":true,"
        + "\"name\":\"cdc.public.customers.Value\",\"field\":\"after\"}";
    return "{\"type\":\"struct\",\"fields\":[{\"type\":\"struct\",\"fields\":[],\"optional\":true,\"field\":\"before\"},"
        + after + ",{\"type\":\"string\",\"optional\":false,\"field\":\"op\"}],\"optional\":false}";
  }

  @Test
  void readsTheKeyAndTheUnionOfTheRowsFieldsAcrossSchemaVersions() {
    ChangeSchema schema = ChangeSchema.of(KEY, List.of(value(""),
        value(",{\"type\":\"string\",\"optional\":true,\"field\":\"email\"}")));

    assertThat(schema.keyColumns()).containsExactly("id");
    assertThat(schema.rowFields()).extracting(ChangeSchema.Field::name)
        .containsExactly("id", "name", "balance", "score", "updated_at", "email");
    assertThat(schema.rowFields().get(2)).isEqualTo(new ChangeSchema.Field("balance", "bytes",
        "org.apache.kafka.connect.data.Decimal", Map.of("scale", "2", "connect.decimal.precision", "12")));
    assertThat(schema.valueJsonType().simpleString()).contains("after:struct<id:bigint,name:string,balance:string,"
        + "score:double,updated_at:string,email:string>", "source:struct<lsn:bigint,scn:string,commit_scn:string,ts_ms:bigint>");
  }

  @Test
  void refusesWhatItCannotMergeNamingTheColumn() {
    assertThatThrownBy(() -> ChangeSchema.of(KEY, List.of(value(""),
        value("").replace("\"type\":\"double\",\"optional\":true,\"field\":\"score\"",
            "\"type\":\"string\",\"optional\":true,\"field\":\"score\""))))
        .isInstanceOf(StageFailedException.class).hasMessageContaining("column 'score' changes type");
    assertThatThrownBy(() -> ChangeSchema.of(KEY, List.of(value(",{\"type\":\"array\",\"items\":{\"type\":\"int32\"},"
        + "\"optional\":true,\"field\":\"tags\"}"))))
        .isInstanceOf(StageFailedException.class).hasMessageContaining("'tags' has the unsupported type array");
    assertThatThrownBy(() -> ChangeSchema.of(KEY, List.of(value(",{\"type\":\"string\",\"optional\":true,"
        + "\"field\":\"x`; DROP TABLE t; --\"}"))))
        .isInstanceOf(StageFailedException.class).hasMessageContaining("not a plain identifier");
    assertThatThrownBy(() -> ChangeSchema.of(KEY.replace("\"id\"", "\"customer\""), List.of(value(""))))
        .isInstanceOf(StageFailedException.class).hasMessageContaining("key column 'customer' is not a field");
  }

  @Test
  void decodesConnectDecimalsExactly() throws Exception {
    // Kafka Connect's Decimal: the unscaled value's big-endian two's complement, base64 in JSON
    for (BigDecimal expected : List.of(new BigDecimal("1.50"), new BigDecimal("-1.50"), new BigDecimal("0.00"),
        new BigDecimal("-9999999999.99"), new BigDecimal("9999999999.99"))) {
      String base64 = Base64.getEncoder().encodeToString(expected.unscaledValue().toByteArray());
      assertThat(ChangeSchema.decimal(base64, 2)).isEqualTo(expected);
    }
    assertThat(ChangeSchema.decimal("AJY=", 2)).isEqualTo(new BigDecimal("1.50")); // as Debezium wrote 1.50
    assertThat(ChangeSchema.decimal(null, 2)).isNull();
    assertThatThrownBy(() -> ChangeSchema.of(KEY, List.of(value(",{\"type\":\"bytes\",\"optional\":true,"
        + "\"name\":\"org.apache.kafka.connect.data.Decimal\",\"parameters\":{\"scale\":\"2\","
        + "\"connect.decimal.precision\":\"40\"},\"field\":\"huge\"}"))).rowFields().forEach(field ->
            ChangeSchema.converted(field, org.apache.spark.sql.functions.col(field.name()))))
        .isInstanceOf(StageFailedException.class).hasMessageContaining("'huge' is a decimal(40, 2)");
  }

  /**
   * Each Debezium time type and Connect primitive, as JsonConverter writes it, converted by Spark: the
   * expected values are computed here with java.time from the same instants, not read back from the code.
   */
  @Test
  void convertsDebeziumTemporalTypesAndConnectPrimitives(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
      throws Exception {
    java.time.Instant instant = java.time.Instant.parse("2026-06-21T11:46:15.036494Z");
    long micros = instant.getEpochSecond() * 1_000_000 + instant.getNano() / 1000;
    long nanos = micros * 1000 + 789; // below a microsecond: truncated
    long days = java.time.LocalDate.parse("2026-06-21").toEpochDay();
    String row = "{\"zoned\":\"2026-06-21T11:46:15.036494Z\",\"millis\":" + instant.toEpochMilli() + ",\"micros\":"
        + micros + ",\"nanos\":" + nanos + ",\"day\":" + days + ",\"small\":-7,\"ratio\":0.5,\"raw\":\""
        + Base64.getEncoder().encodeToString(new byte[] {1, 2, (byte) 255}) + "\"}";
    List<ChangeSchema.Field> fields = List.of(
        new ChangeSchema.Field("zoned", "string", "io.debezium.time.ZonedTimestamp", Map.of()),
        new ChangeSchema.Field("millis", "int64", "io.debezium.time.Timestamp", Map.of()),
        new ChangeSchema.Field("micros", "int64", "io.debezium.time.MicroTimestamp", Map.of()),
        new ChangeSchema.Field("nanos", "int64", "io.debezium.time.NanoTimestamp", Map.of()),
        new ChangeSchema.Field("day", "int32", "io.debezium.time.Date", Map.of()),
        new ChangeSchema.Field("small", "int16", null, Map.of()),
        new ChangeSchema.Field("ratio", "float", null, Map.of()),
        new ChangeSchema.Field("raw", "bytes", null, Map.of()));
    org.apache.spark.sql.types.StructType json = new org.apache.spark.sql.types.StructType()
        .add("zoned", "string").add("millis", "long").add("micros", "long").add("nanos", "long").add("day", "long")
        .add("small", "long").add("ratio", "double").add("raw", "string");
    org.apache.spark.sql.SparkSession spark = dev.baton.stages.LocalSpark.start("change-schema-test",
        dev.baton.stages.LocalSpark.jdbcCatalog(dir), Map.of("spark.sql.session.timeZone", "UTC"));
    try {
      org.apache.spark.sql.Row converted = spark.createDataset(List.of(row), org.apache.spark.sql.Encoders.STRING())
          .select(org.apache.spark.sql.functions.from_json(org.apache.spark.sql.functions.col("value"), json).as("j"))
          .select(fields.stream().map(field -> ChangeSchema.converted(field,
              org.apache.spark.sql.functions.col("j." + field.name())).as(field.name()))
              .toArray(org.apache.spark.sql.Column[]::new))
          .first();
      java.sql.Timestamp exact = java.sql.Timestamp.from(instant);
      assertThat(converted.getTimestamp(0)).isEqualTo(exact);
      assertThat(converted.getTimestamp(1)).isEqualTo(java.sql.Timestamp.from(java.time.Instant.ofEpochMilli(instant.toEpochMilli())));
      assertThat(converted.getTimestamp(2)).isEqualTo(exact);
      assertThat(converted.getTimestamp(3)).isEqualTo(exact);
      assertThat(converted.getDate(4).toLocalDate()).isEqualTo(java.time.LocalDate.parse("2026-06-21"));
      assertThat(converted.getInt(5)).isEqualTo(-7);
      assertThat(converted.getFloat(6)).isEqualTo(0.5f);
      assertThat((byte[]) converted.get(7)).containsExactly(1, 2, (byte) 255);
    } finally {
      dev.baton.stages.LocalSpark.stop(spark, null);
    }
  }

  @Test
  void optionsAreValidatedWithThePathOfTheField() {
    assertThatThrownBy(() -> new CdcMergeOptions("bad topic", "ns.t", null, null, null))
        .isInstanceOf(InvalidStageOptionsException.class).hasMessageContaining("topic");
    assertThatThrownBy(() -> new CdcMergeOptions("cdc.public.t", "t", null, null, null))
        .isInstanceOf(InvalidStageOptionsException.class).hasMessageContaining("table");
    assertThatThrownBy(() -> new CdcMergeOptions("cdc.public.t", "ns.t", "ts", null, null))
        .isInstanceOf(InvalidStageOptionsException.class).hasMessageContaining("position");
    assertThatThrownBy(() -> new CdcMergeOptions("cdc.public.t", "ns.t", null, null, "history"))
        .isInstanceOf(InvalidStageOptionsException.class).hasMessageContaining("history");
    assertThatThrownBy(() -> new CdcMergeOptions("cdc.public.t", "ns.t", null, null, "NS.T"))
        .isInstanceOf(InvalidStageOptionsException.class).hasMessageContaining("history");
    assertThat(new CdcMergeOptions("cdc.public.t", "ns.t", null, null, null))
        .isEqualTo(new CdcMergeOptions("cdc.public.t", "ns.t", "lsn", false, null));
  }
}
