package dev.baton.stages.maintenance;

import dev.baton.schemas.StageErrorCode;
import dev.baton.stages.spi.Stage;
import dev.baton.stages.spi.StageContext;
import dev.baton.stages.spi.StageFailedException;
import dev.baton.stages.spi.StageResult;
import dev.baton.stages.spi.StageResult.TableOutput;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.analysis.NoSuchTableException;

/**
 * The {@code maintenance} stage: {@link TableMaintenance} on each table of its options, one table
 * after the other. Running it again is harmless: each action finds less (or nothing) to do.
 */
final class MaintenanceStage implements Stage {

  private final MaintenanceOptions options;
  private final Clock clock;

  MaintenanceStage(MaintenanceOptions options) {
    this(options, Clock.systemUTC());
  }

  /** With ages (snapshot expiry, orphan safety age) measured from {@code clock}. */
  MaintenanceStage(MaintenanceOptions options, Clock clock) {
    this.options = options;
    this.clock = clock;
  }

  /**
   * Maintains every table.
   *
   * @return one output per table: the last snapshot the compaction or manifest rewrite committed (null
   *     when they committed none) and 0 rows (a rewrite replaces files, never adds rows); the metrics of
   *     {@link TableMaintenance.Report#metrics()} summed over the tables
   * @throws StageFailedException ({@code INVALID_OPTIONS}) if a table does not exist; the tables before it
   *     were maintained
   */
  @Override
  public StageResult run(StageContext context, SparkSession spark) {
    TableMaintenance maintenance = TableMaintenance.of(options, clock);
    List<TableOutput> outputs = new ArrayList<>();
    Map<String, Double> metrics = new LinkedHashMap<>();
    for (String table : options.tables()) {
      TableMaintenance.Report report;
      try {
        report = maintenance.maintain(spark, table);
      } catch (NoSuchTableException e) {
        throw new StageFailedException(StageErrorCode.INVALID_OPTIONS.name(),
            "Cannot maintain " + table + ": no such table");
      }
      outputs.add(new TableOutput(table, report.snapshotId(), 0L));
      report.metrics().forEach((name, value) -> metrics.merge(name, value, Double::sum));
    }
    return new StageResult(outputs, metrics);
  }
}
