package dev.baton.stages.export;

import dev.baton.stages.write.RunTags;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import org.apache.iceberg.BaseMetadataTable;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.spark.SparkReadOptions;
import org.apache.iceberg.spark.source.SparkTable;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.plans.logical.LogicalPlan;
import org.apache.spark.sql.connector.catalog.Identifier;
import org.apache.spark.sql.execution.datasources.v2.DataSourceV2Relation;
import org.apache.spark.sql.util.CaseInsensitiveStringMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.runtime.AbstractPartialFunction;

/**
 * Pins a query's Iceberg tables to snapshots, so an export of a query reads what its run produced: each Iceberg table
 * the query reads (also through a view or a subquery) is read at the newest snapshot of its main history that the
 * run committed ({@link RunTags}), or, when the run committed none, at the snapshot that was current when the query
 * was analyzed. A table the query already reads at a snapshot, branch or tag of its own ({@code VERSION AS OF},
 * {@code branch_…}), an Iceberg metadata or changelog table, a table with no snapshot, and a relation that is not an
 * Iceberg table are read as the query says.
 *
 * <p>The pin is Iceberg's {@value SparkReadOptions#SNAPSHOT_ID} read option on the table's relation in the analyzed
 * plan, what {@code spark.read().option("snapshot-id", id).table(name)} does for one table: the table keeps its
 * current schema (columns added since read as null).
 */
final class QuerySnapshots {

  private static final Logger LOG = LoggerFactory.getLogger(QuerySnapshots.class);

  private QuerySnapshots() {}

  /**
   * A query with its tables pinned.
   *
   * @param rows the query, reading the pinned snapshots
   * @param snapshots each pinned table ({@code <namespace>.<table>}) with the snapshot id it is read at, sorted by
   *     name
   */
  record Pinned(Dataset<Row> rows, Map<String, Long> snapshots) {
    Pinned {
      snapshots = Map.copyOf(snapshots);
    }
  }

  /**
   * Pins {@code query}'s Iceberg tables as the class comment says.
   *
   * @param runId the run whose snapshots are read where it committed any
   * @return the pinned query and what it reads; the query unchanged (and no snapshots) when it reads no Iceberg table
   */
  static Pinned pin(SparkSession spark, Dataset<Row> query, String runId) {
    Map<String, Long> snapshots = new TreeMap<>();
    Map<String, Long> chosen = new HashMap<>(); // one snapshot per table, also when the query reads it twice
    LogicalPlan plan = query.queryExecution().analyzed().transformUpWithSubqueries(
        new AbstractPartialFunction<LogicalPlan, LogicalPlan>() {
          @Override
          public boolean isDefinedAt(LogicalPlan node) {
            return node instanceof DataSourceV2Relation relation && pinnable(relation);
          }

          @Override
          public LogicalPlan apply(LogicalPlan node) {
            DataSourceV2Relation relation = (DataSourceV2Relation) node;
            Table table = ((SparkTable) relation.table()).table();
            long snapshotId = chosen.computeIfAbsent(table.name(), unused -> snapshotFor(table, runId));
            snapshots.put(name(relation, table), snapshotId);
            Map<String, String> options = new HashMap<>(relation.options().asCaseSensitiveMap());
            options.put(SparkReadOptions.SNAPSHOT_ID, Long.toString(snapshotId));
            return relation.copy(relation.table(), relation.output(), relation.catalog(), relation.identifier(),
                new CaseInsensitiveStringMap(options));
          }
        });
    if (snapshots.isEmpty()) {
      return new Pinned(query, Map.of());
    }
    LOG.info("Export of a query for run {}: reading {}", runId, snapshots);
    return new Pinned(Dataset.ofRows(spark, plan), snapshots);
  }

  private static boolean pinnable(DataSourceV2Relation relation) {
    if (!(relation.table() instanceof SparkTable sparkTable)) {
      return false; // not Iceberg, or Iceberg's changelog table
    }
    CaseInsensitiveStringMap options = relation.options();
    return sparkTable.snapshotId() == null && sparkTable.branch() == null
        && !(sparkTable.table() instanceof BaseMetadataTable)
        && sparkTable.table().currentSnapshot() != null
        && !options.containsKey(SparkReadOptions.SNAPSHOT_ID) && !options.containsKey(SparkReadOptions.AS_OF_TIMESTAMP)
        && !options.containsKey(SparkReadOptions.BRANCH) && !options.containsKey(SparkReadOptions.TAG);
  }

  private static long snapshotFor(Table table, String runId) {
    Snapshot produced = RunTags.lastOfRun(table, runId);
    return (produced == null ? table.currentSnapshot() : produced).snapshotId();
  }

  private static String name(DataSourceV2Relation relation, Table table) {
    if (relation.identifier().isEmpty()) {
      return table.name();
    }
    Identifier identifier = relation.identifier().get();
    return identifier.namespace().length == 0 ? identifier.name()
        : String.join(".", identifier.namespace()) + "." + identifier.name();
  }
}
