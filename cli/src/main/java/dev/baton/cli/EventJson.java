package dev.baton.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;
import org.apache.avro.LogicalType;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.Schema.Field;
import org.apache.avro.generic.GenericFixed;
import org.apache.avro.generic.IndexedRecord;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;

/**
 * Converts Avro events to a readable JSON tree and back; the shape {@code baton events tail}
 * prints and {@code baton events publish} reads. Unlike Avro's own JSON encoding:
 *
 * <ul>
 *   <li>a record is an object with its fields in schema order;
 *   <li>a union of {@code null} and one other type is its value or {@code null};
 *   <li>a union of several non-null types (the {@code payload} of {@code ControlEvent}) is, for a
 *       record branch, the record's object with an extra first key {@code "@type"} holding the
 *       record's simple name, e.g. {@code {"@type": "StageCompleted", "stage": "x", ...}}; for any
 *       other branch, Avro's wrapper {@code {"<type name>": value}}. Avro names cannot start with
 *       {@code @}, so {@code "@type"} never clashes with a field;
 *   <li>{@code timestamp-millis} is an ISO-8601 instant string, e.g. {@code
 *       "2026-01-02T03:04:05.123Z"} (reading also accepts an offset, e.g. {@code +01:00}, or a
 *       number of epoch milliseconds);
 *   <li>enums are their symbol, maps are objects, arrays are arrays, {@code bytes} and {@code
 *       fixed} are Base64 strings, a {@code float} or {@code double} that is not finite is the
 *       string {@code "NaN"}, {@code "Infinity"} or {@code "-Infinity"}.
 * </ul>
 *
 * <p>Reading is strict so that {@link #fromJson} of {@link #toJson}'s output is equal to the
 * original record: every field without a default must be present, unknown fields are errors,
 * numbers must fit their type, timestamps must not be finer than milliseconds. Fields with a
 * default may be left out. Other logical types are written and read as their underlying type.
 */
final class EventJson {
  /** Key naming the branch of a record in a union of several non-null types. */
  static final String TYPE_KEY = "@type";

  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private EventJson() {}

  /**
   * The readable JSON of {@code record} (a generated Avro class, or a generic record).
   *
   * @throws NullPointerException if {@code record} is null
   */
  static ObjectNode toJson(IndexedRecord record) {
    Objects.requireNonNull(record, "Invalid record: null");
    return (ObjectNode) toJson(record, record.getSchema());
  }

  /** The readable JSON of {@code datum}, an Avro value of {@code schema} (specific or generic representation). */
  static JsonNode toJson(Object datum, Schema schema) {
    switch (schema.getType()) {
      case NULL:
        return NODES.nullNode();
      case BOOLEAN:
        return NODES.booleanNode((Boolean) datum);
      case INT:
        return datum instanceof Number number ? NODES.numberNode(number.intValue()) : NODES.textNode(datum.toString());
      case LONG:
        if (isTimestampMillis(schema)) {
          return NODES.textNode(datum instanceof Instant instant ? instant.toString()
              : Instant.ofEpochMilli(((Number) datum).longValue()).toString());
        }
        return datum instanceof Number number ? NODES.numberNode(number.longValue()) : NODES.textNode(datum.toString());
      case FLOAT: {
        float value = ((Number) datum).floatValue();
        return Float.isFinite(value) ? NODES.numberNode(value) : NODES.textNode(Float.toString(value));
      }
      case DOUBLE: {
        double value = ((Number) datum).doubleValue();
        return Double.isFinite(value) ? NODES.numberNode(value) : NODES.textNode(Double.toString(value));
      }
      case STRING:
      case ENUM:
        return NODES.textNode(datum.toString());
      case BYTES: {
        ByteBuffer buffer = ((ByteBuffer) datum).duplicate();
        byte[] bytes = new byte[buffer.remaining()];
        buffer.get(bytes);
        return NODES.textNode(Base64.getEncoder().encodeToString(bytes));
      }
      case FIXED:
        return NODES.textNode(Base64.getEncoder().encodeToString(((GenericFixed) datum).bytes()));
      case ARRAY: {
        ArrayNode array = NODES.arrayNode();
        for (Object element : (Collection<?>) datum) {
          array.add(toJson(element, schema.getElementType()));
        }
        return array;
      }
      case MAP: {
        ObjectNode object = NODES.objectNode();
        for (Map.Entry<?, ?> entry : ((Map<?, ?>) datum).entrySet()) {
          object.set(entry.getKey().toString(), toJson(entry.getValue(), schema.getValueType()));
        }
        return object;
      }
      case RECORD: {
        IndexedRecord record = (IndexedRecord) datum;
        ObjectNode object = NODES.objectNode();
        for (Field field : schema.getFields()) {
          object.set(field.name(), toJson(record.get(field.pos()), field.schema()));
        }
        return object;
      }
      case UNION:
        return unionToJson(datum, schema);
      default:
        throw new IllegalArgumentException("Cannot convert Avro type to JSON: " + schema.getType());
    }
  }

  private static JsonNode unionToJson(Object datum, Schema union) {
    if (datum == null) {
      return NODES.nullNode();
    }
    List<Schema> branches = nonNullBranches(union);
    if (branches.size() == 1) {
      return toJson(datum, branches.get(0));
    }
    Schema branch = datum instanceof IndexedRecord record
        ? union.getTypes().get(union.getIndexNamed(record.getSchema().getFullName()))
        : union.getTypes().get(SpecificData.get().resolveUnion(union, datum));
    if (branch.getType() == Schema.Type.RECORD) {
      ObjectNode object = NODES.objectNode();
      object.put(TYPE_KEY, branchName(union, branch));
      object.setAll((ObjectNode) toJson(datum, branch));
      return object;
    }
    ObjectNode wrapper = NODES.objectNode();
    wrapper.set(branchName(union, branch), toJson(datum, branch));
    return wrapper;
  }

  /**
   * The record of {@code schema} that {@code json} describes, as an instance of its generated
   * class.
   *
   * @param path where {@code json} is, for error messages, e.g. {@code value}
   * @throws InvalidEventJsonException naming every field path that is missing, unknown, null where
   *     null is not allowed, or of the wrong type or range
   * @throws IllegalArgumentException if {@code schema} is not a record with a generated class on
   *     the classpath
   */
  static SpecificRecord fromJson(JsonNode json, Schema schema, String path) {
    Objects.requireNonNull(json, "Invalid json: null");
    if (schema.getType() != Schema.Type.RECORD) {
      throw new IllegalArgumentException("Cannot read event of non-record schema: " + schema.getFullName());
    }
    SpecificData model = SpecificData.getForSchema(schema);
    if (model.getClass(schema) == null) {
      throw new IllegalArgumentException("Cannot find generated class for: " + schema.getFullName());
    }
    Reader reader = new Reader(model);
    Object value = reader.read(json, schema, path, false);
    if (!reader.errors.isEmpty()) {
      throw new InvalidEventJsonException(reader.errors);
    }
    return (SpecificRecord) value;
  }

  /** Collects every error of one conversion; values of invalid parts are null. */
  private static final class Reader {
    private final SpecificData model;
    private final List<String> errors = new ArrayList<>();

    Reader(SpecificData model) {
      this.model = model;
    }

    private Object fail(String path, String reason) {
      errors.add(path + ": " + reason);
      return null;
    }

    Object read(JsonNode json, Schema schema, String path, boolean typed) {
      switch (schema.getType()) {
        case RECORD:
          return readRecord(json, schema, path, typed);
        case UNION:
          return readUnion(json, schema, path);
        case NULL:
          return json.isNull() ? null : fail(path, "expected null, got " + describe(json));
        default:
          if (json.isNull()) {
            return fail(path, "null is not allowed");
          }
          return readValue(json, schema, path);
      }
    }

    private Object readRecord(JsonNode json, Schema schema, String path, boolean typed) {
      if (json.isNull()) {
        return fail(path, "null is not allowed");
      }
      if (!json.isObject()) {
        return fail(path, "expected an object (" + schema.getName() + "), got " + describe(json));
      }
      for (Iterator<String> names = json.fieldNames(); names.hasNext(); ) {
        String name = names.next();
        if (schema.getField(name) == null && !(typed && TYPE_KEY.equals(name))) {
          fail(path + "." + name, "unknown field of " + schema.getName());
        }
      }
      IndexedRecord record = (IndexedRecord) model.newRecord(null, schema);
      for (Field field : schema.getFields()) {
        JsonNode value = json.get(field.name());
        String fieldPath = path + "." + field.name();
        if (value == null) {
          if (field.hasDefaultValue()) {
            record.put(field.pos(), model.deepCopy(field.schema(), model.getDefaultValue(field)));
          } else {
            fail(fieldPath, "missing");
          }
        } else {
          int before = errors.size();
          Object converted = read(value, field.schema(), fieldPath, false);
          if (errors.size() == before) { // an invalid part is null, which a primitive field cannot hold
            record.put(field.pos(), converted);
          }
        }
      }
      return record;
    }

    private Object readUnion(JsonNode json, Schema union, String path) {
      List<Schema> branches = nonNullBranches(union);
      if (json.isNull()) {
        return branches.size() < union.getTypes().size() ? null : fail(path, "null is not allowed");
      }
      if (branches.size() == 1) {
        return read(json, branches.get(0), path, false);
      }
      String expected = "{\"" + TYPE_KEY + "\": one of " + branches.stream()
          .filter(branch -> branch.getType() == Schema.Type.RECORD).map(branch -> branchName(union, branch))
          .collect(Collectors.joining(", ")) + ", ...fields}";
      if (!json.isObject()) {
        return fail(path, "expected " + expected + ", got " + describe(json));
      }
      JsonNode type = json.get(TYPE_KEY);
      if (type != null) {
        Schema branch = type.isTextual() ? branchNamed(union, type.asText()) : null;
        if (branch == null || branch.getType() != Schema.Type.RECORD) {
          return fail(path + "." + TYPE_KEY, "unknown type " + type + " (expected one of " + expected + ")");
        }
        return read(json, branch, path, true);
      }
      if (json.size() == 1) {
        String name = json.fieldNames().next();
        Schema branch = branchNamed(union, name);
        if (branch != null && branch.getType() != Schema.Type.RECORD) {
          return read(json.get(name), branch, path + "." + name, false);
        }
      }
      return fail(path + "." + TYPE_KEY, "missing (expected " + expected + ")");
    }

    private Object readValue(JsonNode json, Schema schema, String path) {
      switch (schema.getType()) {
        case BOOLEAN:
          return json.isBoolean() ? json.booleanValue() : fail(path, "expected a boolean, got " + describe(json));
        case INT:
          return json.isIntegralNumber() && json.canConvertToInt() ? json.intValue()
              : fail(path, "expected an int, got " + describe(json));
        case LONG:
          if (isTimestampMillis(schema)) {
            return readTimestamp(json, schema, path);
          }
          return json.isIntegralNumber() && json.canConvertToLong() ? json.longValue()
              : fail(path, "expected a long, got " + describe(json));
        case FLOAT: {
          Double value = readDouble(json, path, "a float");
          return value == null ? null : value.floatValue();
        }
        case DOUBLE:
          return readDouble(json, path, "a double");
        case STRING:
          return json.isTextual() ? json.textValue() : fail(path, "expected a string, got " + describe(json));
        case ENUM:
          if (json.isTextual() && schema.hasEnumSymbol(json.textValue())) {
            return model.createEnum(json.textValue(), schema);
          }
          return fail(path, "expected one of " + String.join(", ", schema.getEnumSymbols()) + ", got " + describe(json));
        case BYTES: {
          byte[] bytes = readBase64(json, path);
          return bytes == null ? null : ByteBuffer.wrap(bytes);
        }
        case FIXED: {
          byte[] bytes = readBase64(json, path);
          if (bytes != null && bytes.length != schema.getFixedSize()) {
            return fail(path, "expected " + schema.getFixedSize() + " bytes, got " + bytes.length);
          }
          return bytes == null ? null : model.createFixed(null, bytes, schema);
        }
        case ARRAY: {
          if (!json.isArray()) {
            return fail(path, "expected an array, got " + describe(json));
          }
          List<Object> list = new ArrayList<>(json.size());
          for (int i = 0; i < json.size(); i++) {
            list.add(read(json.get(i), schema.getElementType(), path + "[" + i + "]", false));
          }
          return list;
        }
        case MAP: {
          if (!json.isObject()) {
            return fail(path, "expected an object (map), got " + describe(json));
          }
          Map<String, Object> map = new LinkedHashMap<>();
          json.fields().forEachRemaining(entry -> map.put(entry.getKey(),
              read(entry.getValue(), schema.getValueType(), path + "[\"" + entry.getKey() + "\"]", false)));
          return map;
        }
        default:
          throw new IllegalArgumentException("Cannot read Avro type from JSON: " + schema.getType());
      }
    }

    private Object readTimestamp(JsonNode json, Schema schema, String path) {
      Instant instant;
      if (json.isIntegralNumber() && json.canConvertToLong()) {
        instant = Instant.ofEpochMilli(json.longValue());
      } else if (json.isTextual()) {
        try {
          instant = Instant.parse(json.textValue());
        } catch (DateTimeParseException e) {
          return fail(path, "expected an ISO-8601 instant (e.g. 2026-01-02T03:04:05.123Z) or epoch milliseconds, got "
              + describe(json));
        }
        if (instant.getNano() % 1_000_000 != 0) {
          return fail(path, "finer than milliseconds: " + json.textValue());
        }
      } else {
        return fail(path, "expected an ISO-8601 instant (e.g. 2026-01-02T03:04:05.123Z) or epoch milliseconds, got "
            + describe(json));
      }
      // generated classes hold Instant (their model converts); a class without the conversion holds epoch millis
      return model.getConversionFor(schema.getLogicalType()) != null ? instant : (Object) instant.toEpochMilli();
    }

    private Double readDouble(JsonNode json, String path, String what) {
      if (json.isNumber()) {
        return json.doubleValue();
      }
      if (json.isTextual()) {
        switch (json.textValue()) {
          case "NaN":
            return Double.NaN;
          case "Infinity":
            return Double.POSITIVE_INFINITY;
          case "-Infinity":
            return Double.NEGATIVE_INFINITY;
          default:
            break;
        }
      }
      fail(path, "expected " + what + ", got " + describe(json));
      return null;
    }

    private byte[] readBase64(JsonNode json, String path) {
      if (json.isTextual()) {
        try {
          return Base64.getDecoder().decode(json.textValue());
        } catch (IllegalArgumentException e) {
          // reported below
        }
      }
      fail(path, "expected a Base64 string, got " + describe(json));
      return null;
    }
  }

  private static boolean isTimestampMillis(Schema schema) {
    LogicalType type = schema.getLogicalType();
    return type != null && type.getName().equals(LogicalTypes.timestampMillis().getName());
  }

  private static List<Schema> nonNullBranches(Schema union) {
    return union.getTypes().stream().filter(branch -> branch.getType() != Schema.Type.NULL).toList();
  }

  /** A branch's simple name (primitives: their type name), or its full name when another branch shares the simple name. */
  private static String branchName(Schema union, Schema branch) {
    String simple = branch.getName();
    long sharing = union.getTypes().stream().filter(other -> other.getName().equals(simple)).count();
    return sharing > 1 ? branch.getFullName() : simple;
  }

  /** The branch of {@code union} with this simple or full name, or null. */
  private static Schema branchNamed(Schema union, String name) {
    for (Schema branch : union.getTypes()) {
      if (branch.getFullName().equals(name) || branchName(union, branch).equals(name)) {
        return branch;
      }
    }
    return null;
  }

  /** A short description of a JSON value for error messages: its text, cut at 60 characters. */
  private static String describe(JsonNode json) {
    String text = json.toString();
    return text.length() > 60 ? text.substring(0, 57) + "..." : text;
  }
}
