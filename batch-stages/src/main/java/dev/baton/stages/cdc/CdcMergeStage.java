package dev.baton.stages.cdc;

import static dev.baton.stages.cdc.ChangeSchema.converted;
import static dev.baton.stages.cdc.ChangeSchema.nested;
import static dev.baton.stages.cdc.ChangeSchema.quoted;
import static org.apache.spark.sql.functions.call_function;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.from_json;
import static org.apache.spark.sql.functions.get_json_object;
import static org.apache.spark.sql.functions.row_number;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.baton.catalog.TableProperties;
import dev.baton.stages.spi.Stage;
import dev.baton.stages.spi.StageContext;
import dev.baton.stages.spi.StageFailedException;
import dev.baton.stages.spi.StageResult;
import dev.baton.stages.spi.StageResult.TableOutput;
import dev.baton.stages.write.IcebergWriter;
import dev.baton.stages.write.RunTags;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.stream.Collectors;
import org.apache.iceberg.AppendFiles;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.spark.CommitMetadata;
import org.apache.iceberg.util.SnapshotUtil;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.types.StructField;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@code cdc-merge} stage: MERGEs the changes of a Debezium change topic that arrived since the last
 * merge into an Iceberg table keyed by the source table's primary key, so that the table equals the
 * source table as of the last change read.
 *
 * <p>One attempt:
 *
 * <ol>
 *   <li>reads the offsets the table's last merge recorded (the snapshot summary property {@value
 *       #OFFSETS_PROPERTY} of the newest snapshot carrying it, with the topic's id), or the topic's
 *       earliest offsets for a new table or with {@code replay: true}, and the topic's end offsets now.
 *       It fails ({@code CHANGES_LOST}) when retention deleted changes after the recorded offsets
 *       before they were merged, ({@code TOPIC_RECREATED}) when the topic's id changed, and ({@code
 *       OFFSETS_AHEAD}) when the recorded offsets are beyond the topic's end;
 *   <li>reads that range with Spark's Kafka batch source ({@code failOnDataLoss} as well); a change
 *       without a key or without Kafka Connect schemas fails the stage ({@code UNSUPPORTED_CHANGE_SCHEMA})
 *       rather than being skipped;
 *   <li>keeps each key's newest change, by the source position and then the Kafka offset: {@code
 *       source.lsn} for PostgreSQL (a row's changes are committed in LSN order: row locks serialize its
 *       writers, and a logical slot's snapshot point waits for the transactions running before it);
 *       for Oracle the transaction's {@code source.commit_scn}, or a snapshot read's {@code
 *       source.scn}. A change without that position fails the stage ({@code NO_SOURCE_POSITION}).
 *       Tombstones (null values) are skipped, a delete ({@code op: d}) carries the key of the Kafka
 *       record;
 *   <li>MERGEs it: a newer upsert updates or inserts the row, a newer delete deletes it (a
 *       position-delete file), a change that is not newer than the row's ({@value #POSITION_COLUMN},
 *       {@value #OFFSET_COLUMN}) leaves it alone, so an older change never overwrites a newer one and
 *       replaying merged changes changes nothing;
 *   <li>commits the MERGE with the range's end offsets in the same snapshot's summary, so rows and
 *       offsets move together or not at all. A range whose changes alter nothing still commits an
 *       empty snapshot carrying the offsets.
 * </ol>
 *
 * <p>The table holds the row's columns plus {@value #POSITION_COLUMN} (decimal(38,0)), {@value
 * #OFFSET_COLUMN} (long) and {@value #COMMITTED_AT_COLUMN} (timestamp: the time the source reports for the change,
 * {@code source.ts_ms}); a column the source adds is added to the table (nullable) by the next merge.
 * A key deleted by an earlier merge can come back only if an older range than the recorded one is
 * merged again without the delete in it; the stage itself never does that.
 *
 * <p>With {@code history}, the same range also goes to the history table ({@link ScdHistory}), which
 * records its own offsets: the range then starts at the lower of the two tables' recorded offsets, and each
 * table skips the changes that are not newer than what it holds.
 *
 * <p>Kafka settings come from the Spark session's {@value #KAFKA_CONF_PREFIX}{@code *} keys (Baton's
 * {@code kafka.*} settings, set by the controller's session and by the stage runner).
 */
public final class CdcMergeStage implements Stage {
  /** Snapshot summary property holding the end offsets merged: {@code {"topic":..., "partitions":{"0":123}}}. */
  public static final String OFFSETS_PROPERTY = "baton.cdc.offsets";
  /** Spark conf prefix of the Kafka client settings the stage reads the topic with. */
  public static final String KAFKA_CONF_PREFIX = "spark.baton.kafka.";
  /** The source position of a row's last change. */
  public static final String POSITION_COLUMN = "_cdc_position";
  /** The Kafka offset of a row's last change. */
  public static final String OFFSET_COLUMN = "_cdc_offset";
  /** The time the source reports for a row's last change ({@code source.ts_ms}). */
  public static final String COMMITTED_AT_COLUMN = "_cdc_committed_at";
  /** The change's operation, Debezium's {@code op}: c, u, d or r (a snapshot read). */
  static final String OP = "_cdc_op";
  private static final Map<String, String> TABLE_PROPERTIES = Map.of(
      "write.delete.mode", "merge-on-read",
      "write.update.mode", "merge-on-read",
      "write.merge.mode", "merge-on-read");
  /** Kafka consumer settings Spark's Kafka source owns (and refuses as options). */
  private static final Set<String> SPARK_OWNED_KAFKA_SETTINGS = Set.of("key.deserializer", "value.deserializer",
      "auto.offset.reset", "enable.auto.commit", "interceptor.classes", "group.id", "key.serializer", "value.serializer",
      "acks", "enable.idempotence", "transactional.id");
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Logger LOG = LoggerFactory.getLogger(CdcMergeStage.class);

  private final CdcMergeOptions options;

  public CdcMergeStage(CdcMergeOptions options) {
    this.options = options;
  }

  @Override
  public StageResult run(StageContext context, SparkSession spark) throws Exception {
    Map<String, Object> kafka = kafkaSettings(spark);
    Map<Integer, Long> beginning = new TreeMap<>();
    Map<Integer, Long> end = new TreeMap<>();
    String topicId = topicOffsets(kafka, beginning, end);
    List<String> targets = options.history() == null
        ? List.of(options.table()) : List.of(options.table(), options.history());
    Map<String, Boolean> exists = new LinkedHashMap<>();
    // the range starts at the lower of the targets' recorded offsets: each target skips what it merged already
    Map<Integer, Long> start = new TreeMap<>(end);
    for (String target : targets) {
      exists.put(target, spark.catalog().tableExists(target));
      startOffsets(spark, target, exists.get(target), topicId, beginning, end)
          .forEach((partition, offset) -> start.merge(partition, offset, Math::min));
    }
    long available = end.keySet().stream().mapToLong(partition -> end.get(partition) - start.get(partition)).sum();
    Map<String, Double> metrics = new LinkedHashMap<>();
    metrics.put("changesRead", (double) available);
    if (available == 0) {
      LOG.info("cdc-merge {} → {}: no new change (offsets {})", options.topic(), targets, end);
      return new StageResult(targets.stream().map(target -> new TableOutput(target, null, 0L)).toList(), metrics);
    }

    Dataset<Row> raw = spark.read().format("kafka")
        .options(kafka.entrySet().stream().collect(Collectors.toMap(e -> "kafka." + e.getKey(), e -> String.valueOf(e.getValue()))))
        .option("assign", JSON.writeValueAsString(Map.of(options.topic(), end.keySet())))
        .option("startingOffsets", offsetsJson(start))
        .option("endingOffsets", offsetsJson(end))
        .option("failOnDataLoss", "true")
        .load()
        .selectExpr("CAST(key AS STRING) AS key", "CAST(value AS STRING) AS value", "partition", "offset")
        .where(col("value").isNotNull()); // tombstones: the delete before each says it all
    raw = materialized(raw);
    try {
      Dataset<Row> schemas = raw.select(get_json_object(col("value"), "$.schema").as("value_schema"),
          get_json_object(col("key"), "$.schema").as("key_schema"));
      long unreadable = schemas.where(col("value_schema").isNull().or(col("key_schema").isNull())).count();
      if (unreadable > 0) {
        throw new StageFailedException("UNSUPPORTED_CHANGE_SCHEMA", "Cannot merge " + options.topic() + ": " + unreadable
            + " change(s) between offsets " + start + " and " + end + " have no key or no Kafka Connect schema in their"
            + " key or value (JsonConverter with schemas.enable=true is required); nothing was merged");
      }
      List<String> valueSchemas = schemas.select("value_schema").distinct().collectAsList().stream()
          .map(row -> row.getString(0)).toList();
      String offsets = offsetsProperty(topicId, end);
      if (valueSchemas.isEmpty()) {
        return new StageResult(targets.stream().map(target -> exists.get(target)
            ? new TableOutput(target, appendOffsets(spark, target, offsets).snapshotId(), 0L)
            : new TableOutput(target, null, 0L)).toList(), metrics);
      }
      String keySchema = schemas.select("key_schema").first().getString(0);
      ChangeSchema schema = ChangeSchema.of(keySchema, valueSchemas);
      Dataset<Row> changes = materialized(changes(raw, schema));
      try {
        long unordered = changes.where(col(POSITION_COLUMN).isNull()).count();
        if (unordered > 0) {
          throw new StageFailedException("NO_SOURCE_POSITION", "Cannot merge " + options.topic() + ": " + unordered
              + " change(s) have no source." + (options.position().equals("scn") ? "scn" : "lsn")
              + " (position: " + options.position() + "; lsn is PostgreSQL's, scn Oracle's); nothing was merged");
        }
        List<TableOutput> outputs = new ArrayList<>();
        outputs.add(mergeLatest(spark, changes, schema, exists.get(options.table()), offsets, metrics));
        LOG.info("cdc-merge {} → {}: {} changes read, {} keys merged ({} deletes), offsets {} → {}, snapshot {}",
            options.topic(), options.table(), available, metrics.get("changesMerged").longValue(),
            metrics.get("deletes").longValue(), start, end, outputs.get(0).snapshotId());
        if (options.history() != null) {
          outputs.add(new ScdHistory(options.history()).merge(spark, changes, schema.keyColumns(),
              rowColumns(changes), exists.get(options.history()), offsets, metrics));
        }
        return new StageResult(outputs, metrics);
      } finally {
        release(changes);
      }
    } finally {
      release(raw);
    }
  }

  /** MERGEs each key's newest change of {@code changes} into the table; fills changesMerged and deletes. */
  private TableOutput mergeLatest(SparkSession spark, Dataset<Row> changes, ChangeSchema schema, boolean exists,
      String offsets, Map<String, Double> metrics) {
    Dataset<Row> latest = materialized(latest(changes, schema));
    try {
      Row counts = latest.agg(org.apache.spark.sql.functions.count(org.apache.spark.sql.functions.lit(1)),
          org.apache.spark.sql.functions.count(org.apache.spark.sql.functions.when(col(OP).equalTo("d"), 1))).first();
      long merged = counts.getLong(0);
      metrics.put("changesMerged", (double) merged);
      metrics.put("deletes", (double) counts.getLong(1));
      Dataset<Row> rows = latest.drop(OP);
      createOrEvolve(spark, options.table(), rows, exists);
      String view = "cdc_changes_" + UUID.randomUUID().toString().replace("-", "");
      latest.createOrReplaceTempView(view);
      Snapshot committed;
      try {
        committed = commitWithOffsets(spark, options.table(), mergeSql(view, schema, rows.columns()), offsets);
      } finally {
        spark.catalog().dropTempView(view);
      }
      return new TableOutput(options.table(), committed.snapshotId(), merged);
    } finally {
      release(latest);
    }
  }

  /**
   * {@code rows} computed once, for several actions, and kept in the block manager (memory, else disk)
   * until {@link #release}: a local checkpoint, not {@code Dataset.cache()}, because Spark 3.5's cache
   * plans the cached query in a clone of the session (CacheManager, with adaptive execution's
   * final-stage options off), and every clone loads the catalogs again: an Iceberg catalog with its
   * own FileIO and JDBC pool per {@code cache()}, never closed. Unlike a cache, blocks lost with an executor are
   * not recomputed: the attempt fails (and is retried) instead.
   */
  static Dataset<Row> materialized(Dataset<Row> rows) {
    return rows.localCheckpoint(true);
  }

  /** Frees the blocks of a dataset {@link #materialized} made. */
  static void release(Dataset<Row> materialized) {
    if (materialized.logicalPlan() instanceof org.apache.spark.sql.execution.LogicalRDD checkpoint) {
      checkpoint.rdd().unpersist(false);
    }
  }

  /**
   * Runs a MERGE with the range's end offsets ({@value #OFFSETS_PROPERTY}) in its snapshot's summary, so
   * that rows and offsets are committed together; when the MERGE changes nothing (so commits nothing),
   * commits an empty snapshot carrying the offsets.
   *
   * @return the snapshot carrying the offsets
   */
  static Snapshot commitWithOffsets(SparkSession spark, String table, String mergeSql, String offsets) {
    String writeId = UUID.randomUUID().toString();
    Map<String, String> properties = new HashMap<>(RunTags.current());
    properties.put(OFFSETS_PROPERTY, offsets);
    properties.put(IcebergWriter.WRITE_ID_PROPERTY, writeId);
    CommitMetadata.withCommitProperties(properties,
        () -> {
          spark.sql(mergeSql);
          return null;
        }, RuntimeException.class);
    Snapshot committed = IcebergWriter.snapshotOf(spark, table, writeId);
    return committed != null ? committed : appendOffsets(spark, table, offsets);
  }

  /**
   * Commits an empty snapshot carrying the offsets: a range whose changes alter nothing, or of tombstones only.
   *
   * @return that snapshot
   */
  private static Snapshot appendOffsets(SparkSession spark, String table, String offsets) {
    String writeId = UUID.randomUUID().toString();
    AppendFiles append = IcebergWriter.load(spark, table).newAppend().set(OFFSETS_PROPERTY, offsets)
        .set(IcebergWriter.WRITE_ID_PROPERTY, writeId);
    RunTags.current().forEach(append::set);
    append.commit();
    return IcebergWriter.snapshotOf(spark, table, writeId);
  }

  /** The key and row columns of {@link #changes}, in table order (without the {@code _cdc_} columns). */
  private static List<String> rowColumns(Dataset<Row> changes) {
    return java.util.Arrays.stream(changes.columns()).filter(column -> !column.startsWith("_cdc_")).toList();
  }

  /**
   * Where a target's range starts, per partition of the topic: the offsets its last merge recorded, else
   * (a new table, {@code replay: true}, a partition not recorded) the topic's beginning.
   *
   * @throws StageFailedException TOPIC_RECREATED, OFFSETS_AHEAD or CHANGES_LOST (see the class comment)
   */
  private Map<Integer, Long> startOffsets(SparkSession spark, String target, boolean exists, String topicId,
      Map<Integer, Long> beginning, Map<Integer, Long> end) {
    Map<Integer, Long> start = new TreeMap<>(beginning);
    Recorded recorded = exists && !options.replay() ? recordedOffsets(spark, target) : null;
    if (recorded == null) {
      return start;
    }
    if (!topicId.equals(recorded.topicId())) {
      throw new StageFailedException("TOPIC_RECREATED", "Cannot merge " + options.topic() + " into " + target
          + ": the last merge read topic id " + recorded.topicId() + ", the topic's id is now " + topicId
          + " (it was deleted and created again); merge with replay: true to start over from the new topic");
    }
    recorded.offsets().forEach((partition, offset) -> {
      if (!end.containsKey(partition) || offset > end.get(partition)) {
        throw new StageFailedException("OFFSETS_AHEAD", "Cannot merge " + options.topic() + " into "
            + target + ": the last merge recorded offset " + offset + " of partition " + partition
            + ", beyond the topic's end " + end.get(partition));
      }
      if (offset < beginning.get(partition)) {
        throw new StageFailedException("CHANGES_LOST", "Cannot merge " + options.topic() + " into " + target
            + ": partition " + partition + " starts at offset " + beginning.get(partition) + " but the last merge ended at "
            + offset + ": the changes in between were deleted by the topic's retention before they were merged;"
            + " merge with replay: true to rebuild from what the topic holds (a full snapshot first, if needed)");
      }
      start.put(partition, offset);
    });
    return start;
  }

  /**
   * Every change of the range with a key: key columns, row columns (null for a delete), {@value #OP},
   * {@value #POSITION_COLUMN}, {@value #OFFSET_COLUMN}, {@value #COMMITTED_AT_COLUMN}.
   */
  private Dataset<Row> changes(Dataset<Row> raw, ChangeSchema schema) {
    Dataset<Row> parsed = raw.select(
        from_json(col("key"), schema.keyJsonType()).as("k"),
        from_json(col("value"), schema.valueJsonType()).as("v"),
        col("offset"));
    List<Column> columns = new ArrayList<>();
    Set<String> keys = Set.copyOf(schema.keyColumns());
    for (ChangeSchema.Field field : schema.keyFields()) {
      columns.add(converted(field, nested("k", "payload", field.name())).as(field.name()));
    }
    for (ChangeSchema.Field field : schema.rowFields()) {
      if (!keys.contains(field.name())) {
        columns.add(converted(field, nested("v", "payload", "after", field.name())).as(field.name()));
      }
    }
    columns.add(nested("v", "payload", "op").as(OP));
    // Oracle: a transaction's changes are ordered by its commit SCN (a transaction open across the snapshot commits
    // after it although its changes' SCNs are lower); snapshot reads carry no commit SCN, their own SCN instead
    Column position = options.position().equals("scn")
        ? org.apache.spark.sql.functions.coalesce(nested("v", "payload", "source", "commit_scn"),
            nested("v", "payload", "source", "scn"))
        : nested("v", "payload", "source", "lsn");
    columns.add(position.cast("decimal(38,0)").as(POSITION_COLUMN));
    columns.add(col("offset").as(OFFSET_COLUMN));
    columns.add(call_function("timestamp_millis", nested("v", "payload", "source", "ts_ms")).as(COMMITTED_AT_COLUMN));
    Dataset<Row> changes = parsed.select(columns.toArray(Column[]::new));
    for (String key : schema.keyColumns()) {
      changes = changes.where(col(quoted(key)).isNotNull()); // a keyless table's changes cannot be merged
    }
    return changes;
  }

  /** Each key's newest change of {@link #changes}, by position and then offset. */
  private static Dataset<Row> latest(Dataset<Row> changes, ChangeSchema schema) {
    Column[] keyColumns = schema.keyColumns().stream().map(key -> col(quoted(key))).toArray(Column[]::new);
    return changes
        .withColumn("_cdc_rank", row_number().over(Window.partitionBy(keyColumns)
            .orderBy(col(POSITION_COLUMN).desc(), col(OFFSET_COLUMN).desc())))
        .where(col("_cdc_rank").equalTo(1))
        .drop("_cdc_rank");
  }

  private String mergeSql(String view, ChangeSchema schema, String[] columns) {
    String on = schema.keyColumns().stream().map(key -> "t." + quoted(key) + " = s." + quoted(key))
        .collect(Collectors.joining(" AND "));
    String newer = "(s." + POSITION_COLUMN + " > t." + POSITION_COLUMN + " OR (s." + POSITION_COLUMN + " = t."
        + POSITION_COLUMN + " AND s." + OFFSET_COLUMN + " > t." + OFFSET_COLUMN + "))";
    List<String> all = List.of(columns);
    String set = all.stream().map(column -> "t." + quoted(column) + " = s." + quoted(column)).collect(Collectors.joining(", "));
    String names = all.stream().map(ChangeSchema::quoted).collect(Collectors.joining(", "));
    String values = all.stream().map(column -> "s." + quoted(column)).collect(Collectors.joining(", "));
    return "MERGE INTO " + options.table() + " t USING " + view + " s ON " + on
        + " WHEN MATCHED AND s." + OP + " = 'd' AND " + newer + " THEN DELETE"
        + " WHEN MATCHED AND s." + OP + " <> 'd' AND " + newer + " THEN UPDATE SET " + set
        + " WHEN NOT MATCHED AND s." + OP + " <> 'd' THEN INSERT (" + names + ") VALUES (" + values + ")";
  }

  /**
   * Creates {@code table} with the columns of {@code rows}, Athena-compatible (format version 2) and
   * merge-on-read, unless it {@code exists}; an existing table (or one another attempt created meanwhile)
   * gets the columns it lacks instead.
   */
  static void createOrEvolve(SparkSession spark, String table, Dataset<Row> rows, boolean exists) {
    if (exists) {
      addNewColumns(spark, table, rows);
      return;
    }
    IcebergWriter.ensureNamespace(spark, table);
    var create = rows.limit(0).writeTo(table).using("iceberg");
    Map<String, String> properties = new HashMap<>(TableProperties.ATHENA_COMPATIBLE);
    properties.putAll(TABLE_PROPERTIES);
    for (Map.Entry<String, String> property : properties.entrySet()) {
      create = create.tableProperty(property.getKey(), property.getValue());
    }
    try {
      create.create();
    } catch (org.apache.spark.sql.catalyst.analysis.TableAlreadyExistsException e) {
      addNewColumns(spark, table, rows); // created meanwhile by another attempt: merge into it
    }
  }

  /** Adds the columns {@code rows} has and the table lacks (nullable, at the end). */
  private static void addNewColumns(SparkSession spark, String table, Dataset<Row> rows) {
    Set<String> existing = Set.of(spark.table(table).columns());
    for (StructField field : rows.schema().fields()) {
      if (!existing.contains(field.name())) {
        LOG.info("cdc-merge {}: adding column {} {} (new in the source)", table, field.name(), field.dataType().sql());
        spark.sql("ALTER TABLE " + table + " ADD COLUMN " + quoted(field.name()) + " " + field.dataType().sql());
      }
    }
  }

  /** The topic id and end offsets a merge recorded in a snapshot's summary. */
  private record Recorded(String topicId, Map<Integer, Long> offsets) {}

  /** The offsets of the newest snapshot that recorded some; null if none did. */
  private Recorded recordedOffsets(SparkSession spark, String target) {
    Table table = IcebergWriter.load(spark, target);
    for (Snapshot snapshot : SnapshotUtil.currentAncestors(table)) {
      String recorded = snapshot.summary().get(OFFSETS_PROPERTY);
      if (recorded != null) {
        try {
          Map<String, Object> parsed = JSON.readValue(recorded, new TypeReference<Map<String, Object>>() {});
          if (!options.topic().equals(parsed.get("topic"))) {
            throw new StageFailedException("OFFSETS_OF_ANOTHER_TOPIC", "Cannot merge " + options.topic() + " into "
                + target + ": its last merge read topic " + parsed.get("topic")
                + "; merge with replay: true to start over from this topic");
          }
          Map<Integer, Long> offsets = new TreeMap<>();
          ((Map<?, ?>) parsed.get("partitions")).forEach((partition, offset) ->
              offsets.put(Integer.parseInt(partition.toString()), ((Number) offset).longValue()));
          return new Recorded(String.valueOf(parsed.get("topicId")), offsets);
        } catch (IOException e) {
          throw new StageFailedException("UNREADABLE_OFFSETS", "Cannot read " + OFFSETS_PROPERTY + " of snapshot "
              + snapshot.snapshotId() + " of " + target + ": " + e.getMessage());
        }
      }
    }
    return null;
  }

  /** Fills the topic's beginning and end offsets, per partition, and returns the topic's id (Kafka's topic UUID). */
  private String topicOffsets(Map<String, Object> kafka, Map<Integer, Long> beginning, Map<Integer, Long> end)
      throws Exception {
    Map<String, Object> config = new HashMap<>(kafka);
    config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    try (KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      List<PartitionInfo> partitions = consumer.partitionsFor(options.topic(), Duration.ofSeconds(30));
      if (partitions == null || partitions.isEmpty()) {
        throw new StageFailedException("NO_SUCH_TOPIC", "Cannot merge " + options.topic() + ": the topic does not exist");
      }
      List<TopicPartition> topicPartitions = partitions.stream()
          .map(info -> new TopicPartition(info.topic(), info.partition())).toList();
      consumer.beginningOffsets(topicPartitions, Duration.ofSeconds(30))
          .forEach((partition, offset) -> beginning.put(partition.partition(), offset));
      consumer.endOffsets(topicPartitions, Duration.ofSeconds(30))
          .forEach((partition, offset) -> end.put(partition.partition(), offset));
    }
    try (Admin admin = Admin.create(kafka)) {
      return admin.describeTopics(List.of(options.topic())).allTopicNames().get(30, java.util.concurrent.TimeUnit.SECONDS)
          .get(options.topic()).topicId().toString();
    }
  }

  /**
   * The session's Kafka client settings ({@value #KAFKA_CONF_PREFIX}{@code *}), without the ones
   * Spark's Kafka source sets itself and refuses (deserializers, offset reset, auto commit, interceptors).
   */
  private static Map<String, Object> kafkaSettings(SparkSession spark) {
    Map<String, Object> kafka = new LinkedHashMap<>();
    scala.collection.JavaConverters.mapAsJavaMapConverter(spark.conf().getAll()).asJava().forEach((key, value) -> {
      if (key.startsWith(KAFKA_CONF_PREFIX)) {
        String setting = key.substring(KAFKA_CONF_PREFIX.length());
        if (!SPARK_OWNED_KAFKA_SETTINGS.contains(setting)) {
          kafka.put(setting, value);
        }
      }
    });
    if (!kafka.containsKey(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG)) {
      throw new StageFailedException("NO_KAFKA", "Cannot read a change topic: the Spark session has no "
          + KAFKA_CONF_PREFIX + "bootstrap.servers (Baton's kafka.* settings)");
    }
    return kafka;
  }

  private String offsetsJson(Map<Integer, Long> offsets) {
    Map<String, Map<String, Long>> json = Map.of(options.topic(), offsets.entrySet().stream()
        .collect(Collectors.toMap(e -> e.getKey().toString(), Map.Entry::getValue)));
    try {
      return JSON.writeValueAsString(json);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private String offsetsProperty(String topicId, Map<Integer, Long> end) {
    Map<String, Object> property = new LinkedHashMap<>();
    property.put("topic", options.topic());
    property.put("topicId", topicId);
    property.put("partitions", end.entrySet().stream().collect(
        Collectors.toMap(e -> e.getKey().toString(), Map.Entry::getValue, (a, b) -> b, TreeMap::new)));
    try {
      return JSON.writeValueAsString(property);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }


}
