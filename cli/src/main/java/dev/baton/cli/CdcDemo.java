package dev.baton.cli;

import dev.baton.control.pipeline.PipelineDefinition;
import dev.baton.control.pipeline.Pipelines;
import dev.baton.local.LocalEndpoints;
import java.io.PrintStream;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.SparkSession;

/**
 * {@code baton demo --cdc}: change data capture end to end on the local stack. The CDC source gets
 * three tables ({@link CdcWorkload}) and random inserts, updates and deletes, with a restart of the
 * source connector halfway; Debezium carries them through Kafka to the JDBC sink's target database;
 * the controller runs the {@code cdc-lake} pipeline ({@code examples/cdc/pipelines}: {@code cdc-merge}
 * stages every 15 s) that keeps them in Iceberg. The demo waits until target and Iceberg have caught
 * up and prints, per table, the row count and digest ({@link TableDigest}) of source, target and
 * Iceberg. Each demo starts from scratch: it removes the previous demo's connectors (and their
 * offsets), change topics, slot, publication and tables first.
 */
final class CdcDemo {
  /** The pipeline keeping the tables in Iceberg, in {@code examples/cdc/pipelines}. */
  static final String PIPELINE = "cdc-lake";
  /** The Iceberg namespace of {@link #PIPELINE}'s tables. */
  static final String NAMESPACE = "cdc_lake";
  /** The history table (SCD2) {@link #PIPELINE} keeps of customers. */
  static final String CUSTOMERS_HISTORY = NAMESPACE + ".customers_history";
  private static final long SEED = 2026;

  private CdcDemo() {}

  /**
   * Runs the demo.
   *
   * @param changes the random changes to apply (at least 2)
   * @param timeout how long target and Iceberg may take to catch up
   * @return 0 when source, target and Iceberg are equal row for row, 1 otherwise
   */
  static int run(Workspace workspace, LocalServices local, LocalEndpoints endpoints, Map<String, String> config,
      int changes, Duration timeout, PrintStream out) throws Exception {
    long start = System.nanoTime();
    CdcDeployment cdc = new CdcDeployment(local.stack(), endpoints, workspace.repository().resolve("cdc/config"));
    out.println("CDC source " + cdc.databases().sourceJdbcUrl() + " → Debezium → Kafka → JDBC sink → target "
        + cdc.databases().targetJdbcUrl() + "; cdc-merge → Iceberg " + NAMESPACE + ".*");
    SparkSession spark = SparkSessions.create("baton-cdc-demo", config);
    try (Connection source = cdc.sourceAdmin(); Connection target = cdc.target()) {
      reset(cdc, source, target, spark);
      CdcWorkload workload = new CdcWorkload(source, SEED);
      workload.createTables(200);
      cdc.deploy(CdcWorkload.TABLES);
      out.printf("Tables created with 200 rows each; connectors streaming (%.1f s)%n", seconds(start));
      workload.apply(changes / 2);
      local.stack().restartConnector(endpoints, CdcDeployment.SOURCE_CONNECTOR);
      cdc.awaitRunning(CdcDeployment.SOURCE_CONNECTOR);
      workload.apply(changes - changes / 2);
      out.printf("%d random inserts, updates and deletes applied, the source connector restarted halfway (%.1f s)%n",
          workload.changes(), seconds(start));

      Map<String, TableDigest> expected = new LinkedHashMap<>();
      for (String table : CdcWorkload.TABLES) {
        expected.put(table, workload.digest(table));
      }
      // the workspace's pipelines too: this controller reads the control topic the workspace's other controllers
      // wrote, and would reject their runs' events as of an unknown pipeline
      List<PipelineDefinition> all = new ArrayList<>(Pipelines.load(workspace.pipelines()).all());
      all.addAll(Pipelines.load(workspace.repository().resolve("examples/cdc/pipelines")).all());
      Pipelines pipelines = Pipelines.of(all);
      Map<String, TableDigest> targetDigests;
      Map<String, TableDigest> icebergDigests;
      TableDigest historyDigest;
      try (ControllerRuntime runtime = ControllerRuntime.start(spark, config, pipelines)) {
        out.printf("Controller started with pipeline %s (cdc-merge every 15 s) (%.1f s)%n", PIPELINE, seconds(start));
        long deadline = System.nanoTime() + timeout.toNanos();
        do {
          targetDigests = digests(table -> TableDigest.of(target, table, workload.columns(table),
              CdcWorkload.keyColumns(table)));
          icebergDigests = digests(table -> icebergDigest(spark, table, workload));
          historyDigest = currentVersionsDigest(spark, workload);
          if (targetDigests.equals(expected) && icebergDigests.equals(expected)
              && historyDigest.equals(expected.get("public.customers"))) {
            break;
          }
          Thread.sleep(1000);
        } while (System.nanoTime() < deadline && runtime.controller().query().isActive());
      }
      boolean historyEqual = historyDigest.equals(expected.get("public.customers"));
      boolean caughtUp = targetDigests.equals(expected) && icebergDigests.equals(expected) && historyEqual;
      out.printf("%n%s after %.1f s:%n", caughtUp ? "Caught up" : "Stopped waiting", seconds(start));
      out.printf("%-20s %-24s %-24s %-24s %s%n", "table", "source", "target (JDBC sink)", "iceberg (cdc-merge)", "equal");
      boolean equal = true;
      for (String table : CdcWorkload.TABLES) {
        boolean same = expected.get(table).equals(targetDigests.get(table)) && expected.get(table).equals(icebergDigests.get(table));
        equal &= same;
        out.printf("%-20s %-24s %-24s %-24s %s%n", table, describe(expected.get(table)), describe(targetDigests.get(table)),
            describe(icebergDigests.get(table)), same ? "yes" : "NO");
      }
      equal &= historyEqual;
      long versions = spark.catalog().tableExists(CUSTOMERS_HISTORY) ? spark.table(CUSTOMERS_HISTORY).count() : 0;
      out.printf("%s: %d versions of customers (SCD2); its current versions %s the source: %s%n", CUSTOMERS_HISTORY,
          versions, describe(historyDigest), historyEqual ? "equal" : "DIFFER FROM");
      out.println(equal ? "Source, target and Iceberg are equal row for row (row count and SHA-256 over the rows in key order)."
          : "Source, target and Iceberg differ after " + timeout.toSeconds() + " s.");
      return equal ? 0 : 1;
    } finally {
      spark.stop();
    }
  }

  /** Removes what a previous demo left: its deployment (connectors, offsets, topics, slot, publication), tables. */
  private static void reset(CdcDeployment cdc, Connection source, Connection target, SparkSession spark) throws Exception {
    cdc.undeploy(CdcWorkload.TABLES);
    source.setAutoCommit(true);
    try (Statement statement = source.createStatement()) {
      for (String table : CdcWorkload.TABLES) {
        statement.execute("DROP TABLE IF EXISTS " + table);
      }
    }
    try (Statement statement = target.createStatement()) {
      for (String table : CdcWorkload.TABLES) {
        statement.execute("DROP TABLE IF EXISTS " + table);
      }
    }
    // every table of the namespace: the merged tables and the history
    if (spark.sql("SHOW NAMESPACES").collectAsList().stream().anyMatch(row -> row.getString(0).equals(NAMESPACE))) {
      for (org.apache.spark.sql.Row table : spark.sql("SHOW TABLES IN " + NAMESPACE).collectAsList()) {
        spark.sql("DROP TABLE IF EXISTS " + NAMESPACE + "." + table.getString(1) + " PURGE");
      }
    }
  }

  /** The digest of the customers history's current versions, over the source's columns in key order. */
  static TableDigest currentVersionsDigest(SparkSession spark, CdcWorkload workload) {
    if (!spark.catalog().tableExists(CUSTOMERS_HISTORY)) {
      return new TableDigest(-1, "no table yet");
    }
    spark.table(CUSTOMERS_HISTORY).where("is_current").createOrReplaceTempView("customers_current_versions");
    return TableDigest.of(spark, "customers_current_versions", workload.columns("public.customers"),
        CdcWorkload.keyColumns("public.customers"));
  }

  /** {@code public.customers} → {@code cdc_lake.customers}. */
  static String icebergTable(String sourceTable) {
    return NAMESPACE + "." + sourceTable.substring(sourceTable.indexOf('.') + 1);
  }

  /** The digest of an Iceberg table, over the source table's columns in key order; an error's digest if absent. */
  static TableDigest icebergDigest(SparkSession spark, String sourceTable, CdcWorkload workload) {
    if (!spark.catalog().tableExists(icebergTable(sourceTable))) {
      return new TableDigest(-1, "no table yet");
    }
    return TableDigest.of(spark, icebergTable(sourceTable), workload.columns(sourceTable), CdcWorkload.keyColumns(sourceTable));
  }

  private interface DigestOf {
    TableDigest of(String table) throws Exception;
  }

  private static Map<String, TableDigest> digests(DigestOf digestOf) {
    Map<String, TableDigest> digests = new LinkedHashMap<>();
    for (String table : CdcWorkload.TABLES) {
      try {
        digests.put(table, digestOf.of(table));
      } catch (Exception e) {
        digests.put(table, new TableDigest(-1, String.valueOf(e.getMessage()))); // not there (or not evolved) yet
      }
    }
    return digests;
  }

  private static String describe(TableDigest digest) {
    return digest == null || digest.rows() < 0 ? "-" : digest.rows() + " rows " + digest.sha256().substring(0, 12);
  }

  private static double seconds(long startNanos) {
    return (System.nanoTime() - startNanos) / 1e9;
  }
}
