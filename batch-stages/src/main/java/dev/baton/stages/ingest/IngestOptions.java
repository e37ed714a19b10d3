package dev.baton.stages.ingest;

import static dev.baton.stages.spi.StageOptions.identifier;
import static dev.baton.stages.spi.StageOptions.required;
import static dev.baton.stages.spi.StageOptions.tableName;

import dev.baton.stages.spi.InvalidStageOptionsException;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.apache.spark.sql.types.DataType;

/**
 * Options of an {@code ingest} stage (pipeline YAML, {@code stages[i].options}).
 *
 * @param path input file or folder URI, e.g. {@code s3://landing/${batchPrefix}lineitem.tbl}; a {@code .} or
 *     {@code ..} segment is refused (Hadoop paths resolve them, so they would leave the folder)
 * @param table target table {@code <namespace>.<table>}, partitioned by {@code batchColumn}
 * @param format {@code delimited} (CSV-style text); default {@code delimited}
 * @param delimiter field separator, one character; default {@code ,}
 * @param header whether the first line holds column names; default false
 * @param trailingDelimiter whether every line ends with the delimiter (TPC-H {@code .tbl}); default false
 * @param schema declared columns in file order
 * @param batchColumn column holding the run's batch id, an identifier; default {@code batch_id}
 * @param maxBadRowsFraction fraction of rows allowed to be malformed before the stage fails, 0..1; default 0
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
    Double maxBadRowsFraction) {

  public IngestOptions {
    required("path", path);
    for (String segment : path.split("/", -1)) {
      if (segment.equals(".") || segment.equals("..")) {
        throw new InvalidStageOptionsException("path", "a '" + segment + "' segment is not allowed (got '" + path + "')");
      }
    }
    tableName("table", table);
    format = format == null ? "delimited" : format;
    if (!format.equals("delimited")) {
      throw new InvalidStageOptionsException("format", "unsupported format '" + format + "' (expected delimited)");
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
    Set<String> names = new HashSet<>();
    for (int i = 0; i < schema.size(); i++) {
      if (!names.add(schema.get(i).name().toLowerCase(Locale.ROOT))) {
        throw new InvalidStageOptionsException("schema[" + i + "].name", "duplicate column '" + schema.get(i).name() + "'");
      }
    }
    batchColumn = batchColumn == null ? "batch_id" : batchColumn;
    identifier("batchColumn", batchColumn);
    maxBadRowsFraction = maxBadRowsFraction == null ? 0.0 : maxBadRowsFraction;
    if (maxBadRowsFraction < 0 || maxBadRowsFraction > 1) {
      throw new InvalidStageOptionsException("maxBadRowsFraction", "expected a number from 0 to 1, got " + maxBadRowsFraction);
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
