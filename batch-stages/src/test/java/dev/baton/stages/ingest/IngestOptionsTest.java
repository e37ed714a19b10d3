package dev.baton.stages.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.baton.stages.spi.InvalidStageOptionsException;
import dev.baton.stages.spi.StageOptions;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The ingest options' defaults, explicit values and per-field errors (bound as from YAML). */
class IngestOptionsTest {

  @Test
  void defaults() {
    IngestOptions options = bind(minimal());

    assertThat(options.format()).isEqualTo("delimited");
    assertThat(options.delimiter()).isEqualTo(",");
    assertThat(options.header()).isFalse();
    assertThat(options.trailingDelimiter()).isFalse();
    assertThat(options.batchColumn()).isEqualTo("batch_id");
    assertThat(options.maxBadRowsFraction()).isZero();
    assertThat(options.partitionBy()).isEmpty();
    assertThat(options.sortBy()).isEmpty();
    assertThat(options.targetFileSizeBytes()).isNull();
  }

  @Test
  void explicitLayoutValues() {
    Map<String, Object> yaml = minimal();
    yaml.put("format", "parquet");
    yaml.put("partitionBy", List.of("region", "days(ts)", "months( d )"));
    yaml.put("sortBy", List.of("region", "ts desc", "d ASC NULLS LAST"));
    yaml.put("targetFileSizeBytes", 134_217_728);

    IngestOptions options = bind(yaml);

    assertThat(options.format()).isEqualTo("parquet");
    assertThat(options.partitionFields()).extracting(Object::toString).containsExactly("region", "days(ts)", "months(d)");
    assertThat(options.sortFields()).extracting(Object::toString)
        .containsExactly("region ASC NULLS FIRST", "ts DESC NULLS LAST", "d ASC NULLS LAST");
    assertThat(options.targetFileSizeBytes()).isEqualTo(134_217_728L);
  }

  @Test
  void everyFormatIsAccepted() {
    for (String format : List.of("delimited", "json", "parquet", "avro", "orc")) {
      Map<String, Object> yaml = minimal();
      yaml.put("format", format);
      assertThat(bind(yaml).format()).isEqualTo(format);
    }
  }

  @Test
  void badValuesAreRejectedWithThePathOfTheField() {
    assertInvalid(Map.of("format", "xml"),
        "format: unsupported format 'xml' (expected one of delimited, json, parquet, avro, orc)");
    assertInvalid(Map.of("format", "json", "delimiter", "|"),
        "delimiter: applies to format delimited only (format is json)");
    assertInvalid(Map.of("format", "parquet", "header", true),
        "header: applies to format delimited only (format is parquet)");
    assertInvalid(Map.of("partitionBy", List.of("region", "bucket(16, region)")),
        "partitionBy[1]: expected a column or a transform of one, e.g. days(order_date), got 'bucket(16, region)'");
    assertInvalid(Map.of("partitionBy", List.of("weeks(ts)")),
        "partitionBy[0]: unknown transform 'weeks' (expected a column or one of years, months, days, hours of a column,"
            + " e.g. days(order_date))");
    assertInvalid(Map.of("partitionBy", List.of("nope")), "partitionBy[0]: 'nope' is not a declared column");
    assertInvalid(Map.of("partitionBy", List.of("days(region)")),
        "partitionBy[0]: cannot apply days to 'region' of type string (date or timestamp expected)");
    assertInvalid(Map.of("partitionBy", List.of("hours(d)")),
        "partitionBy[0]: cannot apply hours to 'd' of type date (timestamp expected)");
    assertInvalid(Map.of("partitionBy", List.of("region", "region")),
        "partitionBy[1]: duplicate partition field 'region'");
    assertInvalid(Map.of("sortBy", List.of("region sideways")),
        "sortBy[0]: expected '<column> [ASC|DESC] [NULLS FIRST|NULLS LAST]', got 'region sideways'");
    assertInvalid(Map.of("sortBy", List.of("nope")), "sortBy[0]: 'nope' is not a declared column");
    assertInvalid(Map.of("targetFileSizeBytes", 1000), "targetFileSizeBytes: expected at least 1048576 (1 MiB), got 1000");
    assertInvalid(Map.of("batchColumn", "region"), "batchColumn: 'region' is also a declared column");
  }

  @Test
  void theDeclaredSchemaIsTheDeclaredColumnsInOrderAllNullable() {
    Map<String, Object> yaml = minimal();
    yaml.put("schema", List.of(
        Map.of("name", "region", "type", "string"),
        Map.of("name", "price", "type", "decimal(12,2)"),
        Map.of("name", "d", "type", "date")));

    org.apache.spark.sql.types.StructType schema = IngestStageFactory.declaredSchema(yaml);

    assertThat(schema.fieldNames()).containsExactly("region", "price", "d");
    assertThat(schema.fields()).extracting(f -> f.dataType().simpleString())
        .containsExactly("string", "decimal(12,2)", "date");
    assertThat(schema.fields()).allMatch(org.apache.spark.sql.types.StructField::nullable);
    // options that do not bind are refused as the stage refuses them, with the field's path
    yaml.put("format", "xml");
    assertThatThrownBy(() -> IngestStageFactory.declaredSchema(yaml)).isInstanceOf(InvalidStageOptionsException.class)
        .hasMessageStartingWith("format: ");
  }

  private static void assertInvalid(Map<String, Object> overrides, String message) {
    Map<String, Object> yaml = minimal();
    yaml.putAll(overrides);
    assertThatThrownBy(() -> bind(yaml)).isInstanceOf(InvalidStageOptionsException.class).hasMessage(message);
  }

  private static IngestOptions bind(Map<String, Object> yaml) {
    return StageOptions.bind(yaml, IngestOptions.class);
  }

  private static Map<String, Object> minimal() {
    Map<String, Object> yaml = new LinkedHashMap<>();
    yaml.put("path", "s3://landing/events/");
    yaml.put("table", "raw.events");
    yaml.put("schema", List.of(
        Map.of("name", "region", "type", "string"),
        Map.of("name", "ts", "type", "timestamp"),
        Map.of("name", "d", "type", "date")));
    return yaml;
  }
}
