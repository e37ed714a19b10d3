package dev.baton.stages.ingest;

import static dev.baton.stages.spi.StageOptions.identifier;
import static dev.baton.stages.spi.StageOptions.required;
import static dev.baton.stages.spi.StageOptions.tableName;

import dev.baton.stages.spi.InvalidStageOptionsException;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DateType;
import org.apache.spark.sql.types.TimestampNTZType;
import org.apache.spark.sql.types.TimestampType;

/**
 * Options of an {@code ingest} stage (pipeline YAML, {@code stages[i].options}).
 *
 * @param path input file, folder or glob URI, e.g. {@code s3://landing/${batchPrefix}lineitem.tbl}; a {@code .} or
 *     {@code ..} segment is refused (Hadoop paths resolve them, so they would leave the folder). Text inputs
 *     ({@code delimited}, {@code json}) may be compressed, recognised by extension: {@code .gz}, {@code .bz2}
 *     (splittable), {@code .zst}
 * @param table target table {@code <namespace>.<table>}, partitioned by {@code batchColumn} first
 * @param format {@code delimited} (CSV-style text), {@code json} (JSON lines: one object a line), {@code parquet},
 *     {@code avro} or {@code orc}; default {@code delimited}
 * @param delimiter {@code delimited} only: field separator, one character; default {@code ,}
 * @param header {@code delimited} only: whether the first line holds column names; default false
 * @param trailingDelimiter {@code delimited} only: whether every line ends with the delimiter (TPC-H {@code .tbl});
 *     default false
 * @param schema declared columns: in file order for {@code delimited}; matched by name (case-insensitive) in the
 *     other formats
 * @param batchColumn column holding the run's batch id, an identifier; default {@code batch_id}
 * @param maxBadRowsFraction fraction of rows allowed to be malformed before the stage fails, 0..1; default 0
 * @param partitionBy partition fields after {@code batchColumn}, applied when the table is created: a declared
 *     column (identity) or {@code years(col)}, {@code months(col)}, {@code days(col)}, {@code hours(col)} of a
 *     declared column; default none
 * @param sortBy the table's write order: declared columns, each optionally followed by {@code ASC} or {@code DESC}
 *     and {@code NULLS FIRST} or {@code NULLS LAST} (Iceberg's defaults: ascending, nulls first; descending,
 *     nulls last); default none (the table's order is left as it is)
 * @param targetFileSizeBytes the table property {@code write.target-file-size-bytes}, at least 1 MiB; default none
 *     (Iceberg's default, 512 MiB, or what the table has)
 */
public record IngestOptions(
    String path,
    String table,
    String format,
    String delimiter,
    Boolean header,
    Boolean trailingDelimiter,
    List<Column> schema,
    String batchColumn,
    Double maxBadRowsFraction,
    List<String> partitionBy,
    List<String> sortBy,
    Long targetFileSizeBytes) {

  /** The input formats. */
  static final List<String> FORMATS = List.of("delimited", "json", "parquet", "avro", "orc");

  /** Partition transforms of one column accepted in {@code partitionBy}, besides identity. */
  static final List<String> TRANSFORMS = List.of("years", "months", "days", "hours");

  private static final Pattern TRANSFORM = Pattern.compile("([a-z]+)\\(\\s*([A-Za-z_][A-Za-z0-9_]*)\\s*\\)");
  private static final Pattern SORT_FIELD = Pattern.compile(
      "([A-Za-z_][A-Za-z0-9_]*)(?:\\s+(ASC|DESC))?(?:\\s+NULLS\\s+(FIRST|LAST))?", Pattern.CASE_INSENSITIVE);

  /** Smallest {@code targetFileSizeBytes}: below it a write makes a file per few rows. */
  static final long MIN_TARGET_FILE_SIZE_BYTES = 1L << 20;

  public IngestOptions {
    required("path", path);
    for (String segment : path.split("/", -1)) {
      if (segment.equals(".") || segment.equals("..")) {
        throw new InvalidStageOptionsException("path", "a '" + segment + "' segment is not allowed (got '" + path + "')");
      }
    }
    tableName("table", table);
    format = format == null ? "delimited" : format;
    if (!FORMATS.contains(format)) {
      throw new InvalidStageOptionsException("format",
          "unsupported format '" + format + "' (expected one of " + String.join(", ", FORMATS) + ")");
    }
    if (!format.equals("delimited")) {
      delimitedOnly("delimiter", delimiter, format);
      delimitedOnly("header", header, format);
      delimitedOnly("trailingDelimiter", trailingDelimiter, format);
    }
    delimiter = delimiter == null ? "," : delimiter;
    if (delimiter.length() != 1) {
      throw new InvalidStageOptionsException("delimiter", "expected one character, got '" + delimiter + "'");
    }
    header = header != null && header;
    trailingDelimiter = trailingDelimiter != null && trailingDelimiter;
    if (schema == null || schema.isEmpty()) {
      throw new InvalidStageOptionsException("schema", "is required (a list of {name, type})");
    }
    schema = List.copyOf(schema);
    Map<String, DataType> names = new HashMap<>();
    for (int i = 0; i < schema.size(); i++) {
      Column column = schema.get(i);
      if (names.put(column.name().toLowerCase(Locale.ROOT), DataType.fromDDL(column.type())) != null) {
        throw new InvalidStageOptionsException("schema[" + i + "].name", "duplicate column '" + column.name() + "'");
      }
    }
    batchColumn = batchColumn == null ? "batch_id" : batchColumn;
    identifier("batchColumn", batchColumn);
    if (names.containsKey(batchColumn.toLowerCase(Locale.ROOT))) {
      throw new InvalidStageOptionsException("batchColumn", "'" + batchColumn + "' is also a declared column");
    }
    maxBadRowsFraction = maxBadRowsFraction == null ? 0.0 : maxBadRowsFraction;
    if (maxBadRowsFraction < 0 || maxBadRowsFraction > 1) {
      throw new InvalidStageOptionsException("maxBadRowsFraction", "expected a number from 0 to 1, got " + maxBadRowsFraction);
    }
    partitionBy = partitionBy == null ? List.of() : List.copyOf(partitionBy);
    Set<String> partitionFields = new HashSet<>();
    for (int i = 0; i < partitionBy.size(); i++) {
      PartitionField field = partitionField("partitionBy[" + i + "]", partitionBy.get(i), names);
      if (!partitionFields.add(field.toString())) {
        throw new InvalidStageOptionsException("partitionBy[" + i + "]", "duplicate partition field '" + field + "'");
      }
    }
    sortBy = sortBy == null ? List.of() : List.copyOf(sortBy);
    for (int i = 0; i < sortBy.size(); i++) {
      sortField("sortBy[" + i + "]", sortBy.get(i), names);
    }
    if (targetFileSizeBytes != null && targetFileSizeBytes < MIN_TARGET_FILE_SIZE_BYTES) {
      throw new InvalidStageOptionsException("targetFileSizeBytes",
          "expected at least " + MIN_TARGET_FILE_SIZE_BYTES + " (1 MiB), got " + targetFileSizeBytes);
    }
  }

  /** {@link #partitionBy()} parsed, in order (the batch column, always first, not included). */
  List<PartitionField> partitionFields() {
    return partitionBy.stream().map(field -> partitionField("partitionBy", field, null)).toList();
  }

  /** {@link #sortBy()} parsed, in order. */
  List<SortField> sortFields() {
    return sortBy.stream().map(field -> sortField("sortBy", field, null)).toList();
  }

  /**
   * One partition field: {@code transform} is {@code identity} or one of {@link #TRANSFORMS}.
   *
   * @param transform {@code identity}, {@code years}, {@code months}, {@code days} or {@code hours}
   * @param column the declared column it derives from
   */
  record PartitionField(String transform, String column) {
    @Override
    public String toString() {
      return transform.equals("identity") ? column : transform + "(" + column + ")";
    }
  }

  /**
   * One field of the write order.
   *
   * @param column a declared column
   * @param descending whether it sorts descending
   * @param nullsFirst whether nulls sort first
   */
  record SortField(String column, boolean descending, boolean nullsFirst) {
    @Override
    public String toString() {
      return column + (descending ? " DESC" : " ASC") + (nullsFirst ? " NULLS FIRST" : " NULLS LAST");
    }
  }

  private static PartitionField partitionField(String path, String value, Map<String, DataType> declared) {
    required(path, value);
    String text = value.strip();
    Matcher transform = TRANSFORM.matcher(text);
    PartitionField field;
    if (transform.matches()) {
      if (!TRANSFORMS.contains(transform.group(1))) {
        throw new InvalidStageOptionsException(path, "unknown transform '" + transform.group(1) + "' (expected a column"
            + " or one of " + String.join(", ", TRANSFORMS) + " of a column, e.g. days(order_date))");
      }
      field = new PartitionField(transform.group(1), transform.group(2));
    } else if (text.matches("[A-Za-z_][A-Za-z0-9_]*")) {
      field = new PartitionField("identity", text);
    } else {
      throw new InvalidStageOptionsException(path,
          "expected a column or a transform of one, e.g. days(order_date), got '" + value + "'");
    }
    if (declared != null) {
      DataType type = declared.get(field.column().toLowerCase(Locale.ROOT));
      if (type == null) {
        throw new InvalidStageOptionsException(path, "'" + field.column() + "' is not a declared column");
      }
      boolean timestamp = type instanceof TimestampType || type instanceof TimestampNTZType;
      boolean fits = switch (field.transform()) {
        case "identity" -> true;
        case "hours" -> timestamp;
        default -> timestamp || type instanceof DateType;
      };
      if (!fits) {
        throw new InvalidStageOptionsException(path, "cannot apply " + field.transform() + " to '" + field.column()
            + "' of type " + type.catalogString() + " (" + (field.transform().equals("hours") ? "timestamp" : "date or timestamp")
            + " expected)");
      }
    }
    return field;
  }

  private static SortField sortField(String path, String value, Map<String, DataType> declared) {
    required(path, value);
    Matcher matcher = SORT_FIELD.matcher(value.strip());
    if (!matcher.matches()) {
      throw new InvalidStageOptionsException(path,
          "expected '<column> [ASC|DESC] [NULLS FIRST|NULLS LAST]', got '" + value + "'");
    }
    String column = matcher.group(1);
    if (declared != null && !declared.containsKey(column.toLowerCase(Locale.ROOT))) {
      throw new InvalidStageOptionsException(path, "'" + column + "' is not a declared column");
    }
    boolean descending = "DESC".equalsIgnoreCase(matcher.group(2));
    // Iceberg's (and SQL's) default null order: first when ascending, last when descending
    boolean nullsFirst = matcher.group(3) == null ? !descending : "FIRST".equalsIgnoreCase(matcher.group(3));
    return new SortField(column, descending, nullsFirst);
  }

  private static void delimitedOnly(String field, Object value, String format) {
    if (value != null) {
      throw new InvalidStageOptionsException(field, "applies to format delimited only (format is " + format + ")");
    }
  }

  /**
   * One declared column.
   *
   * @param name column name
   * @param type Spark SQL type, e.g. {@code bigint}, {@code decimal(15,2)}, {@code date}, {@code string}
   */
  public record Column(String name, String type) {
    public Column {
      required("name", name);
      required("type", type);
      try {
        DataType.fromDDL(type);
      } catch (Exception e) { // Spark's ParseException is checked in Java's eyes
        throw new InvalidStageOptionsException("type", "unknown type '" + type + "'");
      }
    }
  }
}
