package dev.baton.stages.ingest;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

import dev.baton.catalog.TableProperties;
import dev.baton.stages.spi.StageFailedException;
import dev.baton.stages.write.IcebergWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.iceberg.NullOrder;
import org.apache.iceberg.PartitionField;
import org.apache.iceberg.ReplaceSortOrder;
import org.apache.iceberg.SortDirection;
import org.apache.iceberg.SortOrder;
import org.apache.iceberg.Table;
import org.apache.iceberg.Transaction;
import org.apache.iceberg.UpdateSchema;
import org.apache.iceberg.spark.SparkSchemaUtil;
import org.apache.iceberg.types.Type;
import org.apache.iceberg.types.TypeUtil;
import org.apache.iceberg.types.Types;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ingest's target table: what it must look like for the declared schema and layout, and the changes that
 * get it there. {@link #inspect} decides, before the input is read; {@link #createOrEvolve} applies, before the
 * batch is written (to a staging branch: see {@link IngestStage}), a metadata commit whatever the batch's outcome.
 *
 * <ul>
 *   <li>A missing table is created partitioned by the batch column then {@code partitionBy}, with {@link
 *       TableProperties#ATHENA_COMPATIBLE} properties, {@code write.target-file-size-bytes} when declared, then
 *       given the {@code sortBy} write order.
 *   <li>An existing table keeps its partitioning, which must equal the declared one (batch column first): Baton
 *       does not evolve partitioning (the batch's replace-by-filter and readers' queries depend on it); evolve
 *       it with {@code ALTER TABLE ... ADD|DROP PARTITION FIELD} to match, or change {@code partitionBy}.
 *   <li>Its schema evolves, in one commit: a declared column it lacks is added (optional); a declared type wider
 *       than the table's is applied when Iceberg allows the promotion ({@link TypeUtil#isPromotionAllowed}:
 *       {@code int} to {@code bigint}, {@code float} to {@code double}, {@code decimal(P,S)} to {@code
 *       decimal(P2,S)} with P2 &gt; P); any other difference is refused. A table column that is not declared
 *       must be optional and gets nulls.
 *   <li>A declared {@code sortBy} or {@code targetFileSizeBytes} that differs from the table's replaces it in
 *       the same commit (both apply to later writes only); undeclared, the table's are left as they are.
 * </ul>
 */
final class TargetTable {

  static final String INCOMPATIBLE_TABLE = IngestStageFactory.INCOMPATIBLE_TABLE;
  static final String TARGET_FILE_SIZE_PROPERTY = org.apache.iceberg.TableProperties.WRITE_TARGET_FILE_SIZE_BYTES;

  private static final Logger LOG = LoggerFactory.getLogger(TargetTable.class);

  private final IngestOptions options;
  private final StructType declared;
  private final boolean exists;
  /** Declared columns the table lacks, in declared order. */
  private final List<StructField> added;
  /** Table column name to the declared, wider type. */
  private final Map<String, DataType> widened;
  /** Table columns that are not declared, with their Spark types: written as nulls. */
  private final Map<String, DataType> undeclared;
  private final boolean replaceSortOrder;
  private final boolean setTargetFileSize;

  private TargetTable(IngestOptions options, StructType declared, boolean exists, List<StructField> added,
      Map<String, DataType> widened, Map<String, DataType> undeclared, boolean replaceSortOrder,
      boolean setTargetFileSize) {
    this.options = options;
    this.declared = declared;
    this.exists = exists;
    this.added = added;
    this.widened = widened;
    this.undeclared = undeclared;
    this.replaceSortOrder = replaceSortOrder;
    this.setTargetFileSize = setTargetFileSize;
  }

  /**
   * Compares the table (when it exists) with the declared schema and layout; changes nothing.
   *
   * @param declared the declared columns, without the batch column
   * @throws StageFailedException of type {@code INCOMPATIBLE_TABLE} when the table's partitioning differs from
   *     the declared one, a declared type is neither the table's nor a promotion Iceberg allows from it, or a
   *     required table column is not declared; the message names the column and both types
   */
  static TargetTable inspect(SparkSession spark, IngestOptions options, StructType declared) {
    String name = options.table();
    if (!spark.catalog().tableExists(name)) {
      return new TargetTable(options, declared, false, List.of(), Map.of(), Map.of(), !options.sortBy().isEmpty(),
          false);
    }
    Table table = IcebergWriter.load(spark, name);
    List<String> tablePartitioning = describe(table);
    List<String> declaredPartitioning = new ArrayList<>();
    declaredPartitioning.add(options.batchColumn());
    options.partitionFields().forEach(field -> declaredPartitioning.add(field.toString()));
    if (!lower(tablePartitioning).equals(lower(declaredPartitioning))) {
      throw new StageFailedException(INCOMPATIBLE_TABLE, String.format(Locale.ROOT,
          "Cannot ingest into %s: it is partitioned by %s, the options declare %s (batchColumn, then partitionBy);"
              + " Baton does not change a table's partitioning: alter the table (ALTER TABLE ... ADD|DROP PARTITION"
              + " FIELD) or partitionBy to match",
          name, tablePartitioning, declaredPartitioning));
    }

    List<StructField> added = new ArrayList<>();
    Map<String, DataType> widened = new LinkedHashMap<>();
    for (StructField column : declared.fields()) {
      Types.NestedField field = table.schema().caseInsensitiveFindField(column.name());
      if (field == null) {
        added.add(column);
        continue;
      }
      DataType tableType = SparkSchemaUtil.convert(field.type());
      if (tableType.catalogString().equals(column.dataType().catalogString())) {
        continue;
      }
      Type declaredType = SparkSchemaUtil.convert(column.dataType());
      if (field.type().isPrimitiveType() && declaredType.isPrimitiveType()
          && TypeUtil.isPromotionAllowed(field.type(), declaredType.asPrimitiveType())) {
        widened.put(field.name(), column.dataType());
        continue;
      }
      throw new StageFailedException(INCOMPATIBLE_TABLE, String.format(Locale.ROOT,
          "Cannot ingest into %s: column %s is %s in the table and declared %s; Iceberg only widens int to bigint,"
              + " float to double and decimal(P,S) to decimal(P2,S) with P2 > P, and nothing is written before"
              + " the declared type is the table's or such a widening of it",
          name, field.name(), tableType.catalogString(), column.dataType().catalogString()));
    }
    Map<String, DataType> undeclared = new LinkedHashMap<>();
    for (Types.NestedField field : table.schema().columns()) {
      if (field.name().equalsIgnoreCase(options.batchColumn()) || hasField(declared, field.name())) {
        continue;
      }
      if (field.isRequired()) {
        throw new StageFailedException(INCOMPATIBLE_TABLE, String.format(Locale.ROOT,
            "Cannot ingest into %s: its required column %s (%s) is not declared", name, field.name(),
            SparkSchemaUtil.convert(field.type()).catalogString()));
      }
      undeclared.put(field.name(), SparkSchemaUtil.convert(field.type()));
    }
    boolean replaceSortOrder = !options.sortBy().isEmpty() && !sameOrder(table, options.sortFields());
    Long targetFileSize = options.targetFileSizeBytes();
    boolean setTargetFileSize = targetFileSize != null
        && !String.valueOf(targetFileSize).equals(table.properties().get(TARGET_FILE_SIZE_PROPERTY));
    return new TargetTable(options, declared, true, List.copyOf(added), widened, undeclared, replaceSortOrder,
        setTargetFileSize);
  }

  /**
   * Creates the table when it was missing, else commits the schema, write order and property changes {@link
   * #inspect} found, in one Iceberg transaction (none when there are none).
   */
  void createOrEvolve(SparkSession spark) {
    String name = options.table();
    if (!exists) {
      create(spark);
    } else if (!added.isEmpty() || !widened.isEmpty() || replaceSortOrder || setTargetFileSize) {
      Table table = IcebergWriter.load(spark, name);
      Transaction transaction = table.newTransaction();
      if (!added.isEmpty() || !widened.isEmpty()) {
        UpdateSchema update = transaction.updateSchema();
        added.forEach(column -> update.addColumn(column.name(), SparkSchemaUtil.convert(column.dataType())));
        widened.forEach((column, type) -> update.updateColumn(column, SparkSchemaUtil.convert(type).asPrimitiveType()));
        update.commit();
      }
      if (replaceSortOrder) {
        replaceSortOrder(transaction.replaceSortOrder());
      }
      if (setTargetFileSize) {
        transaction.updateProperties()
            .set(TARGET_FILE_SIZE_PROPERTY, String.valueOf(options.targetFileSizeBytes()))
            .commit();
      }
      transaction.commitTransaction();
      spark.catalog().refreshTable(name);
      LOG.info("Evolved {} before writing: columns added {}, widened {}, write order {}, {} {}", name,
          added.stream().map(c -> c.name() + " " + c.dataType().catalogString()).toList(),
          widened.entrySet().stream().map(e -> e.getKey() + " to " + e.getValue().catalogString()).toList(),
          replaceSortOrder ? options.sortFields() : "unchanged", TARGET_FILE_SIZE_PROPERTY,
          setTargetFileSize ? options.targetFileSizeBytes() : "unchanged");
    }
  }

  /**
   * {@code rows} (the declared columns and the batch column) with a null of its type for each table column that
   * is not declared, so a by-name write fills every column.
   */
  Dataset<Row> conform(Dataset<Row> rows) {
    if (undeclared.isEmpty()) {
      return rows;
    }
    LOG.info("Writing nulls to the columns of {} that are not declared: {}", options.table(), undeclared.keySet());
    List<Column> columns = new ArrayList<>();
    for (String column : rows.columns()) {
      columns.add(col(column));
    }
    undeclared.forEach((column, type) -> columns.add(lit(null).cast(type).as(column)));
    return rows.select(columns.toArray(Column[]::new));
  }

  private void create(SparkSession spark) {
    String name = options.table();
    IcebergWriter.ensureNamespace(spark, name);
    StructType withBatch = declared.add(options.batchColumn(), DataTypes.StringType, false);
    List<String> partitioning = new ArrayList<>();
    partitioning.add(options.batchColumn());
    options.partitionFields().forEach(field -> partitioning.add(field.toString()));
    String properties = TableProperties.tblPropertiesSql();
    if (options.targetFileSizeBytes() != null) {
      properties += ", '" + TARGET_FILE_SIZE_PROPERTY + "'='" + options.targetFileSizeBytes() + "'";
    }
    spark.sql(String.format("CREATE TABLE IF NOT EXISTS %s (%s) USING iceberg PARTITIONED BY (%s) TBLPROPERTIES (%s)",
        name, withBatch.toDDL(), String.join(", ", partitioning), properties));
    if (replaceSortOrder) {
      // a second metadata commit: Spark's CREATE TABLE has no write order; an attempt that dies in between
      // leaves the table unordered, which the next attempt's inspect finds and fixes
      Table table = IcebergWriter.load(spark, name);
      if (!sameOrder(table, options.sortFields())) {
        replaceSortOrder(table.replaceSortOrder());
        spark.catalog().refreshTable(name);
      }
    }
  }

  private void replaceSortOrder(ReplaceSortOrder replace) {
    for (IngestOptions.SortField field : options.sortFields()) {
      NullOrder nulls = field.nullsFirst() ? NullOrder.NULLS_FIRST : NullOrder.NULLS_LAST;
      if (field.descending()) {
        replace.desc(field.column(), nulls);
      } else {
        replace.asc(field.column(), nulls);
      }
    }
    replace.caseSensitive(false).commit();
  }

  private static boolean sameOrder(Table table, List<IngestOptions.SortField> declared) {
    SortOrder order = table.sortOrder();
    if (order.fields().size() != declared.size()) {
      return false;
    }
    for (int i = 0; i < declared.size(); i++) {
      org.apache.iceberg.SortField field = order.fields().get(i);
      IngestOptions.SortField wanted = declared.get(i);
      if (!field.transform().isIdentity()
          || !wanted.column().equalsIgnoreCase(table.schema().findColumnName(field.sourceId()))
          || (field.direction() == SortDirection.DESC) != wanted.descending()
          || (field.nullOrder() == NullOrder.NULLS_FIRST) != wanted.nullsFirst()) {
        return false;
      }
    }
    return true;
  }

  /** The table's partition fields in {@code partitionBy} notation: {@code col}, {@code days(col)}, {@code bucket(16, col)}. */
  private static List<String> describe(Table table) {
    List<String> fields = new ArrayList<>();
    for (PartitionField field : table.spec().fields()) {
      if (field.transform().isVoid()) {
        continue; // a field dropped from a format-version 1 spec
      }
      String column = table.schema().findColumnName(field.sourceId());
      String transform = field.transform().toString();
      if (field.transform().isIdentity()) {
        fields.add(column);
      } else if (transform.matches("year|month|day|hour")) {
        fields.add(transform + "s(" + column + ")");
      } else if (transform.matches("(bucket|truncate)\\[\\d+]")) {
        fields.add(transform.replaceAll("\\[(\\d+)]", "($1, ") + column + ")");
      } else {
        fields.add(transform + "(" + column + ")");
      }
    }
    return fields;
  }

  private static List<String> lower(List<String> values) {
    return values.stream().map(value -> value.toLowerCase(Locale.ROOT)).collect(Collectors.toList());
  }

  private static boolean hasField(StructType schema, String name) {
    for (String field : schema.fieldNames()) {
      if (field.equalsIgnoreCase(name)) {
        return true;
      }
    }
    return false;
  }

}
