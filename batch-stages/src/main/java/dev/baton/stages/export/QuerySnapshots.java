package dev.baton.stages.export;

import static java.util.Objects.requireNonNull;

import dev.baton.stages.write.RunTags;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.iceberg.BaseMetadataTable;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.TableProperties;
import org.apache.iceberg.spark.SparkReadOptions;
import org.apache.iceberg.spark.SparkSQLProperties;
import org.apache.iceberg.spark.source.SparkTable;
import org.apache.iceberg.util.PropertyUtil;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.plans.logical.LogicalPlan;
import org.apache.spark.sql.execution.datasources.v2.DataSourceV2Relation;
import org.apache.spark.sql.util.CaseInsensitiveStringMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.runtime.AbstractPartialFunction;

/**
 * Pins a query's Iceberg tables to snapshots, so an export of a query reads what its run produced: each Iceberg table
 * the query reads (also through a view, a CTE or a subquery) is read at the newest snapshot of its main history that
 * the run committed ({@link RunTags}), or, when the run committed none, at the snapshot current when it is pinned
 * (after a refresh of the table's metadata). Not pinned, read as the query says: a table the query already reads at a
 * snapshot, branch, tag or range of its own ({@code VERSION AS OF}, {@code branch_…}, read options), an Iceberg
 * metadata or changelog table, a table with no snapshot, a table read through write-audit-publish ({@value
 * TableProperties#WRITE_AUDIT_PUBLISH_ENABLED} with {@value SparkSQLProperties#WAP_BRANCH} set: Iceberg refuses a
 * snapshot id together with that branch), and a relation that is not an Iceberg table.
 *
 * <p>The pin is Iceberg's {@value SparkReadOptions#SNAPSHOT_ID} read option on the table's relation in the analyzed
 * plan, what {@code spark.read().option("snapshot-id", id).table(name)} does for one table: the table keeps its
 * current schema (columns added since read as null). The query is then planned again from that plan with Spark's
 * {@code Dataset.ofRows}, public in bytecode but internal to Spark ({@code private[sql]}).
 */
final class QuerySnapshots {

  private static final Logger LOG = LoggerFactory.getLogger(QuerySnapshots.class);

  /** Read options by which a query already chooses what of a table it reads. */
  private static final List<String> SNAPSHOT_OPTIONS = List.of(SparkReadOptions.SNAPSHOT_ID,
      SparkReadOptions.AS_OF_TIMESTAMP, SparkReadOptions.BRANCH, SparkReadOptions.TAG,
      SparkReadOptions.START_SNAPSHOT_ID, SparkReadOptions.END_SNAPSHOT_ID, SparkReadOptions.START_TIMESTAMP,
      SparkReadOptions.END_TIMESTAMP);

  private QuerySnapshots() {}

  /**
   * A query with its tables pinned.
   *
   * @param rows the query, reading the pinned snapshots
   * @param snapshots each pinned table, by its Iceberg name ({@link Table#name()}: {@code
   *     <catalog>.<namespace>.<table>}), with the snapshot id it is read at; sorted by name, empty when none was
   *     pinned
   */
  record Pinned(Dataset<Row> rows, Map<String, Long> snapshots) {
    Pinned {
      requireNonNull(rows, "Invalid rows: null");
      snapshots = Collections.unmodifiableMap(new TreeMap<>(requireNonNull(snapshots, "Invalid snapshots: null")));
    }
  }

  /**
   * Pins {@code query}'s Iceberg tables as the class comment says.
   *
   * @param runId the run whose snapshots are read where it committed any
   * @return the pinned query and the snapshots pinned; the query unchanged (and no snapshots) when no table was pinned
   */
  static Pinned pin(SparkSession spark, Dataset<Row> query, String runId) {
    boolean writeAuditPublish = spark.conf().getOption(SparkSQLProperties.WAP_BRANCH).isDefined();
    Map<String, Long> snapshots = new TreeMap<>(); // one snapshot per table, also when the query reads it twice
    LogicalPlan plan = query.queryExecution().analyzed().transformUpWithSubqueries(
        new AbstractPartialFunction<LogicalPlan, LogicalPlan>() {
          @Override
          public boolean isDefinedAt(LogicalPlan node) {
            return node instanceof DataSourceV2Relation relation && pinnable(relation, writeAuditPublish);
          }

          @Override
          public LogicalPlan apply(LogicalPlan node) {
            DataSourceV2Relation relation = (DataSourceV2Relation) node;
            Table table = ((SparkTable) relation.table()).table();
            Long snapshotId = snapshots.computeIfAbsent(table.name(), unused -> snapshotFor(table, runId));
            if (snapshotId == null) {
              return relation; // no snapshot yet: read as it is, empty
            }
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

  private static boolean pinnable(DataSourceV2Relation relation, boolean writeAuditPublish) {
    if (!(relation.table() instanceof SparkTable sparkTable)) {
      return false; // not Iceberg, or Iceberg's changelog table
    }
    Table table = sparkTable.table();
    Map<String, String> options = relation.options();
    return sparkTable.snapshotId() == null && sparkTable.branch() == null
        && !(table instanceof BaseMetadataTable)
        && !(writeAuditPublish && PropertyUtil.propertyAsBoolean(table.properties(),
            TableProperties.WRITE_AUDIT_PUBLISH_ENABLED, false))
        && SNAPSHOT_OPTIONS.stream().noneMatch(options::containsKey);
  }

  /** The snapshot to read {@code table} at, null when it has none. */
  private static Long snapshotFor(Table table, String runId) {
    table.refresh(); // the catalog may have cached it: a commit since, by this run or another, is seen
    Snapshot chosen = ExportStage.snapshotToExport(table, runId);
    return chosen == null ? null : chosen.snapshotId();
  }
}
