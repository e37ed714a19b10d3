package dev.baton.stages.export;

import static dev.baton.stages.spi.StageOptions.identifier;
import static dev.baton.stages.spi.StageOptions.required;
import static dev.baton.stages.spi.StageOptions.tableName;

import dev.baton.stages.spi.InvalidStageOptionsException;
import dev.baton.stages.spi.SqlParameters;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.List;
import java.util.Map;

/**
 * Options of an {@code export} stage (pipeline YAML, {@code stages[i].options}).
 *
 * @param mode {@code table} (a table or a query's result written as Parquet or CSV; the default) or {@code files}
 *     (the objects under {@code source} copied as they are)
 * @param table with mode {@code table}: the table exported, {@code <namespace>.<table>}, at its current snapshot
 *     when the attempt starts
 * @param query with mode {@code table}, instead of {@code table}: a Spark SQL SELECT whose result is exported; run
 *     parameters are named parameter markers ({@code :batch}); {@code ${name}} is refused
 * @param source with mode {@code files}: the folder whose files are copied, a URI such as {@code
 *     s3://landing/tpch/b1/}
 * @param target the folder receiving the export, a URI with a scheme Hadoop knows ({@code s3a://}, {@code s3://},
 *     {@code hdfs://}, {@code file://}); an S3-compatible store other than the default is configured the Hadoop way,
 *     per bucket ({@code spark.hadoop.fs.s3a.bucket.<bucket>.endpoint}, credentials by reference), never here
 * @param format {@code parquet} (the default) or {@code csv}
 * @param compression Parquet: {@code snappy} (default), {@code zstd}, {@code gzip} or {@code none}; CSV: {@code
 *     none} (default), {@code gzip} or {@code bzip2}
 * @param header CSV: whether each file starts with a line of column names; default true
 * @param delimiter CSV: the field separator, one character; default {@code ,}
 * @param nullValue CSV: how a null is written; default empty (an empty string is written {@code ""}, which Spark's
 *     CSV reader with default options also reads as null: give e.g. {@code \N} to keep them apart)
 * @param targetFileSizeBytes with {@code table}: the size a data file should not exceed much, in bytes, at least
 *     1 MiB; default 512 MiB. Approximate: rows per file are derived from the table's bytes per row in Iceberg
 *     (Parquet), so CSV files come out larger than Parquet ones
 * @param partitionBy columns laid out as {@code column=value/} folders (Hive style), in this order
 * @param incremental with {@code table}: export only the rows appended since the snapshot the last successful
 *     export of this table to this target recorded in {@code baton_system.exports}; default false
 * @param parallelism with mode {@code files}: files copied at once (Spark tasks); default 8
 */
public record ExportOptions(
    String mode,
    String table,
    String query,
    String source,
    String target,
    String format,
    String compression,
    Boolean header,
    String delimiter,
    String nullValue,
    Long targetFileSizeBytes,
    List<String> partitionBy,
    Boolean incremental,
    Integer parallelism) {

  /** Default {@link #targetFileSizeBytes}: 512 MiB, Iceberg's own default data file size. */
  public static final long DEFAULT_TARGET_FILE_SIZE_BYTES = 512L * 1024 * 1024;

  private static final Map<String, List<String>> COMPRESSIONS = Map.of(
      "parquet", List.of("snappy", "zstd", "gzip", "none"),
      "csv", List.of("none", "gzip", "bzip2"));

  public ExportOptions {
    mode = mode == null ? "table" : mode;
    if (!mode.equals("table") && !mode.equals("files")) {
      throw new InvalidStageOptionsException("mode", "unknown mode '" + mode + "' (expected table or files)");
    }
    uri("target", target);
    format = format == null ? "parquet" : format;
    incremental = incremental != null && incremental;
    partitionBy = partitionBy == null ? List.of() : List.copyOf(partitionBy);
    if (mode.equals("files")) {
      uri("source", source);
      refuse("table", table);
      refuse("query", query);
      refuse("compression", compression);
      refuse("delimiter", delimiter);
      refuse("nullValue", nullValue);
      if (header != null || targetFileSizeBytes != null || !partitionBy.isEmpty() || incremental) {
        throw new InvalidStageOptionsException("mode",
            "files copies objects as they are: header, targetFileSizeBytes, partitionBy and incremental apply to mode table");
      }
      parallelism = parallelism == null ? 8 : parallelism;
      if (parallelism < 1) {
        throw new InvalidStageOptionsException("parallelism", "expected at least 1, got " + parallelism);
      }
    } else {
      if (source != null) {
        throw new InvalidStageOptionsException("source", "applies to mode files (mode table exports table or query)");
      }
      if (parallelism != null) {
        throw new InvalidStageOptionsException("parallelism", "applies to mode files");
      }
      if ((table == null) == (query == null)) {
        throw new InvalidStageOptionsException(table == null ? "table" : "query",
            "give exactly one of table (a table at its current snapshot) or query (a SELECT's result)");
      }
      if (table != null) {
        tableName("table", table);
      } else {
        required("query", query);
        SqlParameters.ofQuery("query", query);
        if (incremental) {
          throw new InvalidStageOptionsException("incremental", "needs table: a query's result has no snapshots");
        }
      }
      if (!COMPRESSIONS.containsKey(format)) {
        throw new InvalidStageOptionsException("format", "unsupported format '" + format + "' (expected parquet or csv)");
      }
      compression = compression == null ? COMPRESSIONS.get(format).get(0) : compression;
      if (!COMPRESSIONS.get(format).contains(compression)) {
        throw new InvalidStageOptionsException("compression", "unsupported compression '" + compression + "' for "
            + format + " (expected one of " + String.join(", ", COMPRESSIONS.get(format)) + ")");
      }
      if (format.equals("parquet") && (header != null || delimiter != null || nullValue != null)) {
        throw new InvalidStageOptionsException(header != null ? "header" : delimiter != null ? "delimiter"
            : "nullValue", "applies to format csv");
      }
      nullValue = nullValue == null ? "" : nullValue;
      header = header == null || header;
      delimiter = delimiter == null ? "," : delimiter;
      if (delimiter.length() != 1) {
        throw new InvalidStageOptionsException("delimiter", "expected one character, got '" + delimiter + "'");
      }
      if (query != null && targetFileSizeBytes != null) {
        throw new InvalidStageOptionsException("targetFileSizeBytes",
            "applies to table: a query's result has no size to plan files from (its files follow Spark's tasks)");
      }
      targetFileSizeBytes = targetFileSizeBytes == null ? DEFAULT_TARGET_FILE_SIZE_BYTES : targetFileSizeBytes;
      if (targetFileSizeBytes < 1024 * 1024) {
        throw new InvalidStageOptionsException("targetFileSizeBytes", "expected at least 1048576 (1 MiB), got "
            + targetFileSizeBytes);
      }
      for (int i = 0; i < partitionBy.size(); i++) {
        identifier("partitionBy[" + i + "]", partitionBy.get(i));
      }
    }
  }

  private static void refuse(String field, String value) {
    if (value != null) {
      throw new InvalidStageOptionsException(field, "applies to mode table (mode files copies objects as they are)");
    }
  }

  /**
   * Checks a folder URI: a scheme, a path, no {@code .} or {@code ..} segment (Hadoop paths resolve them, so they
   * would leave the folder), no query or fragment.
   */
  private static void uri(String field, String value) {
    required(field, value);
    URI uri;
    try {
      // a pipeline is validated before its run parameters are known: a ${name} placeholder stands for one safe
      // path part (the controller refuses run parameters that are not)
      uri = new URI(value.replaceAll("\\$\\{[A-Za-z_][A-Za-z0-9_]*}", "p"));
    } catch (URISyntaxException e) {
      throw new InvalidStageOptionsException(field, "not a URI: " + e.getMessage());
    }
    if (uri.getScheme() == null || uri.getPath() == null || uri.getPath().isEmpty()) {
      throw new InvalidStageOptionsException(field, "expected a URI with a scheme and a path, e.g."
          + " s3a://bucket/folder/ or file:///data/out/, got '" + value + "'");
    }
    if (uri.getQuery() != null || uri.getFragment() != null) {
      throw new InvalidStageOptionsException(field, "a query or fragment is not allowed (got '" + value + "')");
    }
    for (String segment : uri.getPath().split("/", -1)) {
      if (segment.equals(".") || segment.equals("..")) {
        throw new InvalidStageOptionsException(field, "a '" + segment + "' segment is not allowed (got '" + value + "')");
      }
    }
  }
}
