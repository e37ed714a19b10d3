package dev.baton.stages.ingest;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.format_string;
import static org.apache.spark.sql.functions.input_file_name;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.raise_error;
import static org.apache.spark.sql.functions.size;
import static org.apache.spark.sql.functions.split;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.to_json;
import static org.apache.spark.sql.functions.when;

import dev.baton.stages.spi.StageFailedException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.io.compress.CompressionCodec;
import org.apache.hadoop.io.compress.CompressionCodecFactory;
import org.apache.hadoop.io.compress.SplittableCompressionCodec;
import org.apache.spark.Partition;
import org.apache.spark.SparkThrowable;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.DataFrameReader;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.execution.datasources.FilePartition;
import org.apache.spark.sql.execution.datasources.PartitionedFile;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ingest's input, read with Spark's own readers into one shape whatever the format: the declared columns
 * (typed), {@value #RECORD} (the record as read, for the quarantine), {@value #REASON} (null for a good row, else
 * why it is bad) and {@value #SOURCE_FILE}.
 *
 * <ul>
 *   <li>{@code delimited}: Spark's CSV reader with the declared schema, {@code PERMISSIVE}; a line with the wrong
 *       number of fields, a field that does not parse as its type, or a value after the trailing delimiter is
 *       bad, with the raw line as its record.
 *   <li>{@code json} (JSON lines): Spark's JSON reader with the declared schema, {@code PERMISSIVE}, keys matched
 *       by name; a line that is not a JSON object or has a value that does not parse as its declared type is
 *       bad, with the raw line as its record. A missing key reads as null: JSON lines carry no schema.
 *   <li>{@code parquet}, {@code avro}, {@code orc}: Spark's reader with the files' own schema (of one file, as
 *       Spark infers it); each declared column is taken by name (case-insensitive) and cast to its declared type
 *       with {@code try_cast} (ANSI rules: an overflow, an unparseable string or a lost fraction fails rather than
 *       wraps or truncates). A non-null value that does not cast makes its row bad, with the row's columns as
 *       JSON as its record and the column, value and both types as its reason. A declared column missing from
 *       the file's schema fails the attempt before anything is written ({@code INPUT_SCHEMA_MISMATCH}).
 * </ul>
 *
 * <p>{@link #strictRows()} is the same input read for its declared columns only, failing at the first row that
 * {@link #rows()} would give a reason.
 *
 * <p>Compressed text is read by Hadoop's codecs, chosen by extension: {@code .gz}, {@code .bz2} (splittable) and
 * {@code .zst} ({@link ZstdCodec}, no native library needed). A file in a codec that cannot be split is read by
 * one task; {@link #unsplittableBytes()} counts such files' bytes.
 */
final class IngestInput {

  static final String RECORD = "_record";
  static final String REASON = "_reason";
  static final String SOURCE_FILE = "_source_file";
  static final String INPUT_SCHEMA_MISMATCH = IngestStageFactory.INPUT_SCHEMA_MISMATCH;

  private static final Logger LOG = LoggerFactory.getLogger(IngestInput.class);
  private static final String CORRUPT = "_corrupt_record";
  private static final String TRAILING = "_trailing_field";
  private static final String CODECS = org.apache.hadoop.fs.CommonConfigurationKeys.IO_COMPRESSION_CODECS_KEY;
  /** In the error a strict read raises on a row its reader accepts but the ingest does not. */
  static final String BAD_ROW_MARKER = "BATON_BAD_ROW";
  /**
   * Error class of Spark's {@code FAILFAST} readers meeting a malformed record (Spark 3.5: its sub-classes {@code
   * WITHOUT_SUGGESTION} and {@code CANNOT_PARSE_JSON_ARRAYS_AS_STRUCTS}).
   */
  private static final String BAD_ROW_ERROR_CLASS = "MALFORMED_RECORD_IN_PARSING";

  private final Supplier<Dataset<Row>> permissiveRows;
  private Dataset<Row> rows;
  private final Dataset<Row> strictRows;
  private final int partitions;
  private final long unsplittableBytes;

  private IngestInput(Supplier<Dataset<Row>> permissiveRows, Dataset<Row> strictRows, int partitions,
      long unsplittableBytes) {
    this.permissiveRows = permissiveRows;
    this.strictRows = strictRows;
    this.partitions = partitions;
    this.unsplittableBytes = unsplittableBytes;
  }

  /**
   * Plans the read of {@code options.path()} (lists the files, reads a self-describing format's schema; reads
   * no rows).
   *
   * @param declared the declared columns
   * @throws StageFailedException of type {@code INPUT_SCHEMA_MISMATCH} when a Parquet, Avro or ORC input lacks a
   *     declared column
   */
  static IngestInput read(SparkSession spark, IngestOptions options, StructType declared) {
    // appended, so a codec the cluster configures stays and ours wins .zst (the later codec of an extension wins)
    String configured = spark.sparkContext().hadoopConfiguration().get(CODECS);
    String codecs = configured == null || configured.isBlank() ? ZstdCodec.class.getName()
        : configured + "," + ZstdCodec.class.getName();
    Dataset<Row> input;
    Supplier<Dataset<Row>> rows;
    Dataset<Row> strictRows;
    switch (options.format()) {
      case "delimited" -> {
        StructType readSchema = options.trailingDelimiter()
            ? declared.add(TRAILING, DataTypes.StringType, true) : declared;
        input = delimitedReader(spark, codecs, options)
            .schema(readSchema)
            .option("mode", "FAILFAST")
            .csv(options.path());
        strictRows = options.trailingDelimiter()
            ? input.filter(failIf(col(TRAILING).isNotNull(), "a value after the trailing delimiter")) : input;
        rows = () -> delimited(delimitedReader(spark, codecs, options)
            .schema(readSchema.add(CORRUPT, DataTypes.StringType, true))
            .option("mode", "PERMISSIVE")
            .option("columnNameOfCorruptRecord", CORRUPT)
            .csv(options.path()), options, declared);
      }
      case "json" -> {
        input = jsonReader(spark, codecs)
            .schema(declared)
            .option("mode", "FAILFAST")
            .json(options.path());
        strictRows = input;
        rows = () -> shape(jsonReader(spark, codecs)
                .schema(declared.add(CORRUPT, DataTypes.StringType, true))
                .option("mode", "PERMISSIVE")
                .option("columnNameOfCorruptRecord", CORRUPT)
                .json(options.path()), declared, col(CORRUPT),
            when(col(CORRUPT).isNotNull(), lit("not a JSON object, or a value does not parse as its declared type")));
      }
      default -> {
        input = spark.read().option(CODECS, codecs).format(options.format()).load(options.path());
        Cast cast = cast(input, options, declared);
        rows = cast::rows;
        strictRows = cast.strictRows();
      }
    }
    strictRows = strictRows.select(Arrays.stream(declared.fieldNames()).map(name -> col(quote(name)))
        .toArray(Column[]::new));
    Configuration conf = new Configuration(spark.sparkContext().hadoopConfiguration());
    conf.set(CODECS, codecs);
    CompressionCodecFactory factory = new CompressionCodecFactory(conf);
    long maxPartitionBytes = spark.sessionState().conf().filesMaxPartitionBytes();
    // the scan's own partitions (no job runs): each is one read task of a pass
    Partition[] partitions = input.rdd().partitions();
    long unsplittable = 0;
    for (Partition partition : partitions) {
      if (!(partition instanceof FilePartition filePartition)) {
        continue;
      }
      for (PartitionedFile file : filePartition.files()) {
        CompressionCodec codec = factory.getCodec(file.toPath());
        if (codec == null || codec instanceof SplittableCompressionCodec) {
          continue;
        }
        unsplittable += file.length();
        if (file.length() > maxPartitionBytes) {
          LOG.warn("{} ({} bytes) is read by one task: {} files cannot be split. Compress with bzip2 (.bz2, splittable)"
                  + " or split the input into files of at most {} bytes (spark.sql.files.maxPartitionBytes) to read"
                  + " it in parallel", file.toPath(), file.length(), codec.getDefaultExtension(), maxPartitionBytes);
        }
      }
    }
    return new IngestInput(rows, strictRows, partitions.length, unsplittable);
  }

  private static DataFrameReader delimitedReader(SparkSession spark, String codecs, IngestOptions options) {
    return spark.read().option(CODECS, codecs)
        .option("sep", options.delimiter())
        .option("header", options.header())
        .option("dateFormat", "yyyy-MM-dd");
  }

  private static DataFrameReader jsonReader(SparkSession spark, String codecs) {
    return spark.read().option(CODECS, codecs).option("dateFormat", "yyyy-MM-dd");
  }

  /** True where {@code bad} is false; where it is true, fails the task with {@link #BAD_ROW_MARKER} and {@code why}. */
  private static Column failIf(Column bad, String why) {
    return when(bad, raise_error(lit(BAD_ROW_MARKER + ": " + why))).otherwise(lit(true));
  }

  /**
   * Whether {@code failure} (a Spark job's, as thrown on the driver) is a strict read's meeting a row that does not
   * match the declared schema: Spark's {@code FAILFAST} error ({@value #BAD_ROW_ERROR_CLASS}) or the strict read's
   * own check ({@link #BAD_ROW_MARKER}), found on the failure or one of its causes, by error class or, for an
   * executor's error that reached the driver only as text, in its message.
   */
  static boolean isBadRow(Throwable failure) {
    Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
    for (Throwable cause = failure; cause != null && seen.add(cause); cause = cause.getCause()) {
      String errorClass = cause instanceof SparkThrowable spark ? spark.getErrorClass() : null;
      String message = cause.getMessage() == null ? "" : cause.getMessage();
      if (errorClass != null && errorClass.startsWith(BAD_ROW_ERROR_CLASS)
          || message.contains("[" + BAD_ROW_ERROR_CLASS) || message.contains(BAD_ROW_MARKER)) {
        return true;
      }
    }
    return false;
  }

  /**
   * The declared columns, {@value #RECORD}, {@value #REASON} and {@value #SOURCE_FILE} of every input row (planned
   * when first asked for: a delimited or JSON input's files are then listed again, so a file added to the input
   * path after the strict read is read by this one only).
   */
  Dataset<Row> rows() {
    if (rows == null) {
      rows = permissiveRows.get();
    }
    return rows;
  }

  /**
   * The declared columns (typed) of every input row, read by Spark's readers in {@code FAILFAST} mode, plus the
   * checks of {@link #rows()} that those readers do not make (a value after the trailing delimiter, a value that
   * does not cast): a job over them fails, with an error {@link #isBadRow} recognises, at the first row {@link
   * #rows()} would give a {@value #REASON}. Without the corrupt-record column, the record and the reason, the
   * readers keep their fast path (Spark copies every row field by field when the corrupt-record column is read).
   */
  Dataset<Row> strictRows() {
    return strictRows;
  }

  /** Read tasks of a pass over the input: the scan's partitions (file splits packed per task). */
  int partitions() {
    return partitions;
  }

  /** Bytes of input files in a codec that cannot be split (gzip, zstd), each read whole by one task. */
  long unsplittableBytes() {
    return unsplittableBytes;
  }

  private static Dataset<Row> delimited(Dataset<Row> input, IngestOptions options, StructType declared) {
    int declaredFields = declared.fields().length;
    Column fieldsFound = size(split(col(CORRUPT), Pattern.quote(options.delimiter()), -1));
    if (options.trailingDelimiter()) {
      fieldsFound = fieldsFound.minus(1);
    }
    Column reason = when(col(CORRUPT).isNotNull(),
        when(fieldsFound.notEqual(declaredFields),
            format_string("expected " + declaredFields + " fields, found %d", fieldsFound))
            .otherwise(lit("a field does not parse as its declared type")));
    if (options.trailingDelimiter()) {
      reason = reason.when(col(TRAILING).isNotNull(), lit("unexpected value after the trailing delimiter"));
    }
    return shape(input, declared, col(CORRUPT), reason);
  }

  /** The shape of a self-describing input: {@link #rows()}, and {@link #strictRows()} before it selects the columns. */
  private record Cast(Dataset<Row> rows, Dataset<Row> strictRows) {}

  private static Cast cast(Dataset<Row> input, IngestOptions options, StructType declared) {
    StructType fileSchema = input.schema();
    List<Column> values = new ArrayList<>();
    List<Column> sources = new ArrayList<>();
    Column reason = null;
    for (int i = 0; i < declared.fields().length; i++) {
      StructField column = declared.fields()[i];
      int index = i;
      StructField source = Arrays.stream(fileSchema.fields())
          .filter(field -> field.name().equalsIgnoreCase(column.name()))
          .findFirst()
          .orElseThrow(() -> new StageFailedException(INPUT_SCHEMA_MISMATCH, String.format(Locale.ROOT,
              "Cannot ingest %s: its %s schema has no column %s (declared in schema[%d]); its columns are %s",
              options.path(), options.format(), column.name(), index,
              Arrays.stream(fileSchema.fields()).map(f -> f.name() + " " + f.dataType().catalogString()).toList())));
      Column raw = col(quote(source.name()));
      sources.add(raw.as(source.name()));
      if (source.dataType().catalogString().equals(column.dataType().catalogString())) {
        values.add(raw.as(column.name()));
        continue;
      }
      Column value = expr("try_cast(" + quote(source.name()) + " AS " + column.dataType().sql() + ")");
      values.add(value.as(column.name()));
      Column failed = value.isNull().and(raw.isNotNull());
      Column why = format_string("column " + column.name().replace("%", "%%") + ": '%s' ("
          + source.dataType().catalogString() + ") does not cast to " + column.dataType().catalogString(),
          raw.cast(DataTypes.StringType));
      reason = reason == null ? when(failed, why) : reason.when(failed, why);
    }
    Column noReason = lit(null).cast(DataTypes.StringType);
    Column why = reason == null ? noReason : reason;
    Column record = when(why.isNotNull(), to_json(struct(sources.toArray(Column[]::new))));
    List<Column> columns = new ArrayList<>(values);
    columns.add(record.as(RECORD));
    columns.add(why.as(REASON));
    columns.add(input_file_name().as(SOURCE_FILE));
    Dataset<Row> strict = reason == null ? input
        : input.filter(failIf(reason.isNotNull(), "a value that does not cast to its declared type"));
    return new Cast(input.select(columns.toArray(Column[]::new)), strict.select(values.toArray(Column[]::new)));
  }

  /**
   * The declared columns, then {@value #RECORD}: for a bad row, {@code record} or, when that is null (a line that
   * parsed but has a value after its trailing delimiter), its parsed fields as JSON. The record references every
   * column read, so a query selecting only it still makes a reader that parses only the columns a query needs
   * (Spark's CSV and JSON readers) parse every field, and find the same bad rows as a query of all columns.
   */
  private static Dataset<Row> shape(Dataset<Row> input, StructType declared, Column record, Column reason) {
    List<Column> columns = new ArrayList<>();
    List<Column> fields = new ArrayList<>();
    for (StructField field : declared.fields()) {
      columns.add(col(quote(field.name())));
      fields.add(col(quote(field.name())));
    }
    if (Arrays.asList(input.columns()).contains(TRAILING)) {
      fields.add(col(TRAILING).as("_after_trailing_delimiter"));
    }
    columns.add(when(reason.isNotNull(), coalesce(record, to_json(struct(fields.toArray(Column[]::new)))))
        .as(RECORD));
    columns.add(reason.as(REASON));
    columns.add(input_file_name().as(SOURCE_FILE));
    return input.select(columns.toArray(Column[]::new));
  }

  private static String quote(String name) {
    return "`" + name.replace("`", "``") + "`";
  }
}
