package dev.baton.stages.spi;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Binds a stage's {@code options} (as parsed from YAML) to the stage type's options record, with
 * unknown keys rejected and every error carrying the path of the offending field.
 */
public final class StageOptions {

  private static final ObjectMapper MAPPER =
      JsonMapper.builder()
          .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
          .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
          .build();

  private StageOptions() {}

  /**
   * Converts {@code options} into {@code type}. Options records validate themselves in their
   * constructors by throwing {@link InvalidStageOptionsException} with the field's name.
   *
   * @throws InvalidStageOptionsException with the path below {@code options}, e.g. {@code
   *     schema[2].type: unknown field 'typ' (known: name, type)}
   */
  public static <T> T bind(Map<String, Object> options, Class<T> type) {
    // unknown keys first: a misspelt key would otherwise surface as "<the right key>: is required"
    rejectUnknownKeys(options, type, "");
    try {
      return MAPPER.convertValue(options == null ? Map.of() : options, type);
    } catch (IllegalArgumentException e) {
      if (e.getCause() instanceof JsonMappingException mapping) {
        throw translate(mapping);
      }
      throw new InvalidStageOptionsException("", e.getMessage());
    }
  }

  private static void rejectUnknownKeys(Object value, java.lang.reflect.Type type, String path) {
    if (type instanceof java.lang.reflect.ParameterizedType parameterized
        && parameterized.getRawType() == java.util.List.class && value instanceof java.util.List<?> list) {
      java.lang.reflect.Type element = parameterized.getActualTypeArguments()[0];
      for (int i = 0; i < list.size(); i++) {
        rejectUnknownKeys(list.get(i), element, path + "[" + i + "]");
      }
      return;
    }
    if (!(type instanceof Class<?> recordType) || !recordType.isRecord() || !(value instanceof Map<?, ?> map)) {
      return;
    }
    Map<String, java.lang.reflect.RecordComponent> components = new java.util.TreeMap<>();
    for (java.lang.reflect.RecordComponent component : recordType.getRecordComponents()) {
      components.put(component.getName(), component);
    }
    for (Map.Entry<?, ?> entry : map.entrySet()) {
      String key = String.valueOf(entry.getKey());
      String keyPath = path.isEmpty() ? key : path + "." + key;
      java.lang.reflect.RecordComponent component = components.get(key);
      if (component == null) {
        throw new InvalidStageOptionsException(keyPath,
            "unknown field (known: " + String.join(", ", components.keySet()) + ")");
      }
      rejectUnknownKeys(entry.getValue(), component.getGenericType(), keyPath);
    }
  }

  private static InvalidStageOptionsException translate(JsonMappingException e) {
    String path = path(e);
    Throwable cause = e.getCause();
    while (cause != null) {
      if (cause instanceof InvalidStageOptionsException invalid) {
        return new InvalidStageOptionsException(join(path, invalid.path()), invalid.reason());
      }
      cause = cause.getCause();
    }
    if (e instanceof UnrecognizedPropertyException unknown) {
      String known = unknown.getKnownPropertyIds().stream().map(String::valueOf).sorted()
          .collect(Collectors.joining(", "));
      return new InvalidStageOptionsException(path, "unknown field (known: " + known + ")");
    }
    if (e instanceof InvalidFormatException format) {
      return new InvalidStageOptionsException(path,
          "cannot read '" + format.getValue() + "' as " + format.getTargetType().getSimpleName());
    }
    if (e instanceof MismatchedInputException mismatch && mismatch.getTargetType() != null) {
      return new InvalidStageOptionsException(path, "expected " + describe(mismatch.getTargetType()));
    }
    return new InvalidStageOptionsException(path, e.getOriginalMessage());
  }

  private static String describe(Class<?> type) {
    if (java.util.List.class.isAssignableFrom(type)) {
      return "a list";
    }
    if (Map.class.isAssignableFrom(type) || type.isRecord()) {
      return "a mapping";
    }
    return "a value of type " + type.getSimpleName();
  }

  private static String path(JsonMappingException e) {
    StringBuilder path = new StringBuilder();
    for (JsonMappingException.Reference ref : e.getPath()) {
      if (ref.getIndex() >= 0) {
        path.append('[').append(ref.getIndex()).append(']');
      } else if (ref.getFieldName() != null) {
        if (path.length() > 0) {
          path.append('.');
        }
        path.append(ref.getFieldName());
      }
    }
    return path.toString();
  }

  private static String join(String parent, String child) {
    if (parent.isEmpty()) {
      return child;
    }
    if (child.isEmpty()) {
      return parent;
    }
    return child.startsWith("[") ? parent + child : parent + "." + child;
  }

  /**
   * Checks a required option.
   *
   * @throws InvalidStageOptionsException ({@code <field>: is required}) when null or blank
   */
  public static String required(String field, String value) {
    if (value == null || value.isBlank()) {
      throw new InvalidStageOptionsException(field, "is required");
    }
    return value;
  }

  /**
   * Checks a SQL identifier (a column name): a letter or {@code _}, then letters, digits or {@code _}.
   *
   * @throws InvalidStageOptionsException when it is not one
   */
  public static String identifier(String field, String value) {
    required(field, value);
    if (!value.matches("[A-Za-z_][A-Za-z0-9_]*")) {
      throw new InvalidStageOptionsException(field, "expected an identifier (letters, digits, '_'), got '" + value + "'");
    }
    return value;
  }

  /**
   * Checks a table name has the form {@code <namespace>.<table>}.
   *
   * @throws InvalidStageOptionsException when it does not
   */
  public static String tableName(String field, String value) {
    required(field, value);
    if (!value.matches("[A-Za-z_][A-Za-z0-9_]*\\.[A-Za-z_][A-Za-z0-9_]*")) {
      throw new InvalidStageOptionsException(field, "expected <namespace>.<table>, got '" + value + "'");
    }
    return value;
  }
}
