package dev.baton.stages.cdc;

import static dev.baton.stages.spi.StageOptions.tableName;

import dev.baton.stages.spi.InvalidStageOptionsException;

/**
 * Options of a {@code cdc-merge} stage (pipeline YAML, {@code stages[i].options}).
 *
 * @param topic the Debezium change topic, e.g. {@code cdc.public.customers}: keys and values in Kafka
 *     Connect's JSON with schemas ({@code JsonConverter}, {@code schemas.enable=true}), values in
 *     Debezium's envelope ({@code before}, {@code after}, {@code source}, {@code op})
 * @param table the Iceberg table kept equal to the source table, {@code <namespace>.<table>}; created
 *     on the first merge (format version 2, merge-on-read: deletes are position-delete files, which
 *     Athena reads)
 * @param position the field of Debezium's {@code source} block that orders a table's changes: {@code
 *     lsn} (PostgreSQL, the default) or {@code scn} (Oracle); ties are broken by the Kafka offset
 * @param replay true: read the topic from its earliest offset instead of from the offsets the last
 *     merge recorded (a replay; changes that are not newer than a row's are skipped, so a replay of
 *     what was merged changes nothing); default false
 * @param history an Iceberg table, {@code <namespace>.<table>}, that keeps every version of every row
 *     (SCD type 2: {@code valid_from}, {@code valid_to}, {@code is_current}) next to {@code table};
 *     optional, none by default. See {@link ScdHistory}.
 */
public record CdcMergeOptions(String topic, String table, String position, Boolean replay, String history) {
  /** The positions a change can be ordered by. */
  public static final java.util.List<String> POSITIONS = java.util.List.of("lsn", "scn");

  public CdcMergeOptions {
    if (topic == null || !topic.matches("[A-Za-z0-9._-]{1,249}")) {
      throw new InvalidStageOptionsException("topic", "expected a Kafka topic name ([A-Za-z0-9._-], 1 to 249"
          + " characters), got " + (topic == null ? "nothing" : "'" + topic + "'"));
    }
    tableName("table", table);
    position = position == null ? "lsn" : position;
    if (!POSITIONS.contains(position)) {
      throw new InvalidStageOptionsException("position", "expected one of " + POSITIONS + ", got '" + position + "'");
    }
    replay = replay != null && replay;
    if (history != null) {
      tableName("history", history);
      if (history.equalsIgnoreCase(table)) {
        throw new InvalidStageOptionsException("history", "expected a table other than table '" + table + "'");
      }
    }
  }
}
