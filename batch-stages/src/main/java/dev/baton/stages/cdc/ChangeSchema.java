package dev.baton.stages.cdc;

import static org.apache.spark.sql.functions.call_function;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.udf;
import static org.apache.spark.sql.functions.unbase64;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.baton.stages.spi.StageFailedException;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.api.java.UDF1;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * The columns of a Debezium change topic, read from the Kafka Connect schemas its JSON messages carry
 * ({@code JsonConverter} with {@code schemas.enable=true}): the key's fields (the source table's
 * primary key) and the fields of the value's {@code after} struct (the row), as the union over every
 * value schema of a range, so a column added mid-range is known (older changes have it null).
 *
 * <p>Types, after Kafka Connect's JSON encoding and Debezium's semantic types ({@code
 * https://debezium.io/documentation/reference/stable/connectors/postgresql.html#postgresql-data-types}):
 * {@code int8}/{@code int16}/{@code int32} → int, {@code int64} → long, {@code float} → float,
 * {@code double} → double (JsonConverter's names of Connect's FLOAT32 and FLOAT64), {@code boolean},
 * {@code string} → string, {@code bytes} → binary (base64 in JSON); {@code org.apache.kafka.connect.data.Decimal} (base64 two's-complement unscaled value,
 * {@code scale} and {@code connect.decimal.precision} parameters) → decimal(p, s); {@code
 * io.debezium.time.ZonedTimestamp} (ISO-8601 text) → timestamp; {@code io.debezium.time.Timestamp}
 * (ms), {@code MicroTimestamp} (µs), {@code NanoTimestamp} (ns) → timestamp; {@code
 * io.debezium.time.Date} (days since the epoch) → date. Other semantic types keep their Connect
 * type's form: {@code io.debezium.time.MicroTime} as a long (µs since midnight), {@code ZonedTime},
 * {@code Json}, {@code Uuid}, {@code Enum} as text. Structs, arrays, maps, variable-scale decimals
 * and decimals beyond precision 38 are refused with the field named, as are names starting with {@code _cdc_}
 * (the stage's own columns).
 */
final class ChangeSchema {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern COLUMN = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,127}");

  /** A field of the key or of {@code after}: its name, Connect type, semantic name and parameters. */
  record Field(String name, String type, String semantic, Map<String, String> parameters) {}

  private final List<Field> keyFields;
  private final List<Field> rowFields;

  private ChangeSchema(List<Field> keyFields, List<Field> rowFields) {
    this.keyFields = List.copyOf(keyFields);
    this.rowFields = List.copyOf(rowFields);
  }

  /**
   * Reads the key schema and the value schemas of a range.
   *
   * @param keySchema a record key's {@code schema} (JSON text)
   * @param valueSchemas the distinct values' {@code schema}s (JSON text), at least one
   * @throws StageFailedException {@code UNSUPPORTED_CHANGE_SCHEMA} when a schema is not a Debezium
   *     envelope, a field has an unsupported type, a name is not a plain identifier, or a field changes type
   */
  static ChangeSchema of(String keySchema, List<String> valueSchemas) {
    List<Field> keys = fields(parse(keySchema), "key");
    Map<String, Field> row = new LinkedHashMap<>();
    for (String valueSchema : valueSchemas) {
      JsonNode after = null;
      for (JsonNode field : parse(valueSchema).path("fields")) {
        if (field.path("field").asText().equals("after")) {
          after = field;
        }
      }
      if (after == null) {
        throw unsupported("a value schema has no 'after' field: not a Debezium change event envelope");
      }
      for (Field field : fields(after, "after")) {
        Field known = row.putIfAbsent(field.name(), field);
        if (known != null && !known.equals(field)) {
          throw unsupported("column '" + field.name() + "' changes type within the range, from " + describe(known)
              + " to " + describe(field));
        }
      }
    }
    for (Field key : keys) {
      if (!row.containsKey(key.name())) {
        throw unsupported("key column '" + key.name() + "' is not a field of the row");
      }
    }
    return new ChangeSchema(keys, new ArrayList<>(row.values()));
  }

  List<Field> keyFields() {
    return keyFields;
  }

  List<Field> rowFields() {
    return rowFields;
  }

  /** The key columns' names, in key order. */
  List<String> keyColumns() {
    return keyFields.stream().map(Field::name).toList();
  }

  /** The struct {@code from_json} reads a record key into: {@code payload} with the key's fields as JSON types. */
  StructType keyJsonType() {
    return new StructType().add("payload", jsonStruct(keyFields));
  }

  /**
   * The struct {@code from_json} reads a value into: {@code payload} with {@code op}, {@code after} (JSON
   * types) and the {@code source} fields that order and date a change.
   */
  StructType valueJsonType() {
    StructType source = new StructType().add("lsn", DataTypes.LongType).add("scn", DataTypes.StringType)
        .add("commit_scn", DataTypes.StringType).add("ts_ms", DataTypes.LongType);
    return new StructType().add("payload", new StructType().add("op", DataTypes.StringType)
        .add("after", jsonStruct(rowFields)).add("source", source));
  }

  /** The column of a field's value, converted from its JSON form at {@code json} to its table type. */
  static Column converted(Field field, Column json) {
    if ("org.apache.kafka.connect.data.Decimal".equals(field.semantic())) {
      int scale = Integer.parseInt(field.parameters().getOrDefault("scale", "0"));
      int precision = Integer.parseInt(field.parameters().getOrDefault("connect.decimal.precision", "38"));
      if (precision > 38 || scale > 38 || scale < 0) {
        throw unsupported("column '" + field.name() + "' is a decimal(" + precision + ", " + scale + "): beyond"
            + " Iceberg's decimal(38, s) (a NUMBER without precision needs decimal.handling.mode=string)");
      }
      UDF1<String, BigDecimal> decode = base64 -> decimal(base64, scale);
      return udf(decode, DataTypes.createDecimalType(Math.max(precision, scale), scale)).apply(json);
    }
    if (field.semantic() != null) {
      switch (field.semantic()) {
        case "io.debezium.time.ZonedTimestamp":
          return json.cast(DataTypes.TimestampType);
        case "io.debezium.time.Timestamp":
          return call_function("timestamp_millis", json);
        case "io.debezium.time.MicroTimestamp":
          return call_function("timestamp_micros", json);
        case "io.debezium.time.NanoTimestamp":
          // exact: nanoseconds since the epoch exceed a double's precision
          return call_function("timestamp_micros", json.cast("decimal(38,0)").divide(lit(1000)).cast(DataTypes.LongType));
        case "io.debezium.time.Date":
          return call_function("date_from_unix_date", json.cast(DataTypes.IntegerType));
        default:
          break; // other semantic types keep their Connect type
      }
    }
    return switch (field.type()) {
      case "int8", "int16", "int32" -> json.cast(DataTypes.IntegerType);
      case "float" -> json.cast(DataTypes.FloatType);
      case "bytes" -> unbase64(json);
      default -> json; // int64, double, boolean, string: their JSON type already
    };
  }

  /**
   * A Kafka Connect {@code Decimal} from its JSON form: the unscaled value as a big-endian two's-complement
   * integer, base64-encoded; null for null.
   */
  static BigDecimal decimal(String base64, int scale) {
    return base64 == null ? null : new BigDecimal(new BigInteger(Base64.getDecoder().decode(base64)), scale);
  }

  private static StructType jsonStruct(List<Field> fields) {
    StructType struct = new StructType();
    for (Field field : fields) {
      struct = struct.add(new StructField(field.name(), jsonType(field), true, org.apache.spark.sql.types.Metadata.empty()));
    }
    return struct;
  }

  /** How a field reads from JSON before conversion. */
  private static DataType jsonType(Field field) {
    return switch (field.type()) {
      case "int8", "int16", "int32", "int64" -> DataTypes.LongType;
      case "float", "double" -> DataTypes.DoubleType;
      case "boolean" -> DataTypes.BooleanType;
      default -> DataTypes.StringType; // string, and bytes as base64 text
    };
  }

  private static List<Field> fields(JsonNode struct, String where) {
    if (!"struct".equals(struct.path("type").asText())) {
      throw unsupported("the " + where + " schema is not a struct");
    }
    List<Field> fields = new ArrayList<>();
    for (JsonNode field : struct.path("fields")) {
      String name = field.path("field").asText();
      if (!COLUMN.matcher(name).matches()) {
        throw unsupported(where + " field '" + name + "' is not a plain identifier ([A-Za-z_][A-Za-z0-9_]*)");
      }
      if (name.toLowerCase(java.util.Locale.ROOT).startsWith("_cdc_")) {
        throw unsupported(where + " field '" + name + "' starts with _cdc_, the prefix of the stage's own columns");
      }
      String type = field.path("type").asText();
      String semantic = field.hasNonNull("name") ? field.get("name").asText() : null;
      if (!List.of("int8", "int16", "int32", "int64", "float", "double", "boolean", "string", "bytes").contains(type)
          || "io.debezium.data.VariableScaleDecimal".equals(semantic)) {
        throw unsupported(where + " field '" + name + "' has the unsupported type " + type
            + (semantic == null ? "" : " (" + semantic + ")"));
      }
      Map<String, String> parameters = new LinkedHashMap<>();
      field.path("parameters").fields().forEachRemaining(entry -> parameters.put(entry.getKey(), entry.getValue().asText()));
      fields.add(new Field(name, type, semantic, parameters));
    }
    return fields;
  }

  private static JsonNode parse(String schema) {
    try {
      return JSON.readTree(schema);
    } catch (IOException e) {
      throw unsupported("a message schema is not JSON: " + e.getMessage());
    }
  }

  private static String describe(Field field) {
    return field.type() + (field.semantic() == null ? "" : " (" + field.semantic() + ")") + " " + field.parameters();
  }

  private static StageFailedException unsupported(String message) {
    return new StageFailedException("UNSUPPORTED_CHANGE_SCHEMA", "Cannot merge the change topic: " + message);
  }

  /** A column name quoted for Spark SQL (names are plain identifiers, checked when read). */
  static String quoted(String name) {
    return "`" + name + "`";
  }

  /** {@code col(path)} for a nested field, each segment quoted. */
  static Column nested(String... path) {
    StringBuilder name = new StringBuilder();
    for (String segment : path) {
      if (name.length() > 0) {
        name.append('.');
      }
      name.append(quoted(segment));
    }
    return col(name.toString());
  }
}
