package dev.baton.cli;

import dev.baton.stages.StageTypes;
import dev.baton.stages.spi.Stage;
import dev.baton.stages.spi.StageContext;
import java.io.PrintStream;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.locks.LockSupport;
import org.apache.spark.sql.SparkSession;

/**
 * {@code baton bench cdc}: how fast a change committed in the CDC source is visible in the JDBC sink's
 * target and in Iceberg, and how many changes per second the pipe sustains, on the local stack with
 * its CDC databases.
 *
 * <p>The benchmark has its own table ({@code public.bench_<id>} in source and target), connectors,
 * slot, publication, change topic and Iceberg namespace ({@code bench_cdc_<id>}), removed at the end.
 *
 * <ol>
 *   <li><b>Lag</b>: single-row inserts (one transaction each, id = sequence number) at {@code --rate}
 *       per second for {@code --seconds}. A poller reads the target's {@code max(id)} every {@value
 *       #POLL_MS} ms: the single-partition topic and single sink task apply changes in commit order,
 *       so id n visible means every id up to n is. A change's lag is the first poll that saw it minus its
 *       commit (both wall clock, one JVM; the poll interval bounds the error). Meanwhile {@code cdc-merge}
 *       runs back to back into Iceberg; after each merge's commit, {@code max(id)} of the Iceberg table
 *       gives the changes that became visible with it.
 *   <li><b>Sustained</b>: {@code --sustained} inserts as fast as one connection commits them, in
 *       transactions of 100; changes per second = the changes over the time from the first commit until
 *       the target shows the last (the source's own rate is printed too), and one {@code cdc-merge} of
 *       them all: changes over its duration.
 * </ol>
 */
final class CdcBenchmark {
  static final int POLL_MS = 20;
  private final int rate;
  private final int seconds;
  private final int sustained;
  private final Map<String, String> extra;

  CdcBenchmark(int rate, int seconds, int sustained, Map<String, String> extra) {
    this.rate = rate;
    this.seconds = seconds;
    this.sustained = sustained;
    this.extra = Map.copyOf(extra);
  }

  int run(PrintStream out) throws Exception {
    Workspace workspace = Workspace.fromEnvironment();
    LocalServices local = new LocalServices(workspace);
    LocalServices.Started stack = local.ensureRunning(System.err, null, false, true);
    String id = Long.toString(System.currentTimeMillis(), 36);
    String table = "public.bench_" + id;
    CdcDeployment cdc = new CdcDeployment(local.stack(), stack.endpoints(), workspace.repository().resolve("cdc/config"),
        new CdcDeployment.Names("baton-cdc-bench-" + id + "-source", "baton-cdc-bench-" + id + "-sink",
            "baton_cdc_bench_" + id, "cdcbench" + id));
    String iceberg = "bench_cdc_" + id + ".probe";
    Map<String, String> config = new java.util.LinkedHashMap<>(
        dev.baton.cli.config.Configuration.load(local.configFile()).values());
    config.putAll(extra);
    SparkSession spark = SparkSessions.create("baton-bench-cdc", config);
    ExecutorService threads = Executors.newFixedThreadPool(2);
    try (Connection source = cdc.sourceAdmin(); Connection target = cdc.target()) {
      source.setAutoCommit(true);
      try (Statement statement = source.createStatement()) {
        statement.execute("CREATE TABLE " + table + " (id bigint PRIMARY KEY, payload text NOT NULL,"
            + " written_at timestamptz NOT NULL)");
      }
      cdc.deploy(List.of(table));
      Stage merge = StageTypes.create("cdc-merge", Map.of("topic", cdc.names().topic(table), "table", iceberg));
      out.printf("bench cdc %s: rate %d changes/s for %d s, then %d changes as fast as possible (machine: %d cores)%n",
          id, rate, seconds, sustained, Runtime.getRuntime().availableProcessors());

      // 1. lag at a fixed rate
      int count = rate * seconds;
      long[] committedMs = new long[count + 1];
      long[] targetSeenMs = new long[count + 1];
      long[] icebergSeenMs = new long[count + 1];
      Future<?> poller = threads.submit(() -> {
        pollTarget(target, table, count, targetSeenMs);
        return null;
      });
      Future<Integer> merges = threads.submit(() -> mergeUntil(spark, merge, iceberg, count, icebergSeenMs));
      try (PreparedStatement insert = source.prepareStatement(
          "INSERT INTO " + table + " (id, payload, written_at) VALUES (?, ?, now())")) {
        long start = System.nanoTime();
        for (int i = 1; i <= count; i++) {
          insert.setLong(1, i);
          insert.setString(2, "change " + i);
          insert.executeUpdate();
          committedMs[i] = System.currentTimeMillis();
          long due = start + (long) (i * 1e9 / rate);
          long wait = due - System.nanoTime();
          if (wait > 0) {
            LockSupport.parkNanos(wait);
          }
        }
        double achieved = count / ((System.nanoTime() - start) / 1e9);
        out.printf("source: %d single-row transactions at %.0f/s%n", count, achieved);
      }
      poller.get();
      int mergeCount = merges.get();
      long[] targetLag = lags(committedMs, targetSeenMs);
      long[] icebergLag = lags(committedMs, icebergSeenMs);
      out.printf("commit -> visible in target (JDBC sink): p50 %d ms, p99 %d ms, max %d ms (poll every %d ms)%n",
          percentile(targetLag, 50), percentile(targetLag, 99), targetLag[targetLag.length - 1], POLL_MS);
      out.printf("commit -> visible in Iceberg (cdc-merge back to back, %d merges): p50 %d ms, p99 %d ms, max %d ms%n",
          mergeCount, percentile(icebergLag, 50), percentile(icebergLag, 99), icebergLag[icebergLag.length - 1]);

      // 2. sustained
      source.setAutoCommit(false);
      long sustainedStart = System.currentTimeMillis();
      int next = count + 1;
      try (PreparedStatement insert = source.prepareStatement(
          "INSERT INTO " + table + " (id, payload, written_at) VALUES (?, ?, now())")) {
        while (next <= count + sustained) {
          for (int i = 0; i < 100; i++, next++) {
            insert.setLong(1, next);
            insert.setString(2, "change " + next);
            insert.addBatch();
          }
          insert.executeBatch();
          source.commit();
        }
      }
      source.setAutoCommit(true);
      long last = next - 1;
      long sourceDoneMs = System.currentTimeMillis();
      long sustainedCount = last - count;
      while (maxId(target, table) < last) {
        Thread.sleep(POLL_MS);
      }
      long caughtUpMs = System.currentTimeMillis();
      long mergeStart = System.nanoTime();
      merge.run(new StageContext("bench-" + id, "bench-cdc", "merge", 1, Map.of()), spark);
      double mergeSeconds = (System.nanoTime() - mergeStart) / 1e9;
      double sourceRate = sustainedCount / ((sourceDoneMs - sustainedStart) / 1000.0);
      double pipeRate = sustainedCount / ((caughtUpMs - sustainedStart) / 1000.0);
      double mergeRate = sustainedCount / mergeSeconds;
      out.printf("sustained: %d changes; source %.0f/s, source -> target %.0f/s, one cdc-merge of them all %.1f s (%.0f/s)%n",
          sustainedCount, sourceRate, pipeRate, mergeSeconds, mergeRate);
      out.printf("baton_cdc target_lag_p50_ms=%d target_lag_p99_ms=%d iceberg_lag_p50_ms=%d iceberg_lag_p99_ms=%d"
              + " sustained_changes_s=%.0f merge_changes_s=%.0f%n",
          percentile(targetLag, 50), percentile(targetLag, 99), percentile(icebergLag, 50), percentile(icebergLag, 99),
          pipeRate, mergeRate);
      return 0;
    } finally {
      threads.shutdownNow(); // after a failure, the poller and the merges stop too
      try {
        cdc.undeploy(List.of(table));
        try (Connection source = cdc.sourceAdmin(); Statement statement = source.createStatement()) {
          statement.execute("DROP TABLE IF EXISTS " + table);
        }
        try (Connection target = cdc.target(); Statement statement = target.createStatement()) {
          statement.execute("DROP TABLE IF EXISTS " + table);
        }
        spark.sql("DROP TABLE IF EXISTS " + iceberg + " PURGE");
        spark.sql("DROP NAMESPACE IF EXISTS " + iceberg.substring(0, iceberg.indexOf('.')));
      } finally {
        spark.stop();
      }
    }
  }

  /** Records, for each id, when the target's {@code max(id)} first reached it; returns once it reached {@code count}. */
  private static void pollTarget(Connection target, String table, int count, long[] seenMs) throws Exception {
    long seen = 0;
    long deadline = System.nanoTime() + Duration.ofMinutes(10).toNanos();
    while (seen < count && System.nanoTime() < deadline) {
      long max = maxId(target, table);
      long now = System.currentTimeMillis();
      for (long i = seen + 1; i <= Math.min(max, count); i++) {
        seenMs[(int) i] = now;
      }
      seen = Math.max(seen, max);
      Thread.sleep(POLL_MS);
    }
  }

  /** Runs cdc-merge back to back until Iceberg holds id {@code count}; records when each id became visible. */
  private static int mergeUntil(SparkSession spark, Stage merge, String iceberg, int count, long[] seenMs) throws Exception {
    long seen = 0;
    int merges = 0;
    long deadline = System.nanoTime() + Duration.ofMinutes(10).toNanos();
    while (seen < count && System.nanoTime() < deadline) {
      merge.run(new StageContext("bench", "bench-cdc", "merge", 1, Map.of()), spark);
      merges++;
      long now = System.currentTimeMillis();
      if (!spark.catalog().tableExists(iceberg)) {
        continue;
      }
      Object max = spark.table(iceberg).agg(org.apache.spark.sql.functions.max("id")).first().get(0);
      long visible = max == null ? 0 : ((Number) max).longValue();
      for (long i = seen + 1; i <= Math.min(visible, count); i++) {
        seenMs[(int) i] = now;
      }
      seen = Math.max(seen, visible);
    }
    return merges;
  }

  private static long maxId(Connection target, String table) throws SQLException {
    try (Statement statement = target.createStatement();
        ResultSet rows = statement.executeQuery("SELECT coalesce(max(id), 0) FROM " + table)) {
      rows.next();
      return rows.getLong(1);
    } catch (SQLException e) {
      if ("42P01".equals(e.getSQLState())) {
        return 0; // the sink has not created the table yet
      }
      throw e;
    }
  }

  /** The lags (seen minus committed, ms) of the changes seen, sorted. */
  private static long[] lags(long[] committedMs, long[] seenMs) {
    return java.util.stream.IntStream.range(1, committedMs.length)
        .filter(i -> seenMs[i] > 0)
        .mapToLong(i -> Math.max(0, seenMs[i] - committedMs[i]))
        .sorted().toArray();
  }

  private static long percentile(long[] sorted, int percent) {
    if (sorted.length == 0) {
      return -1;
    }
    return sorted[Math.min(sorted.length - 1, (int) Math.ceil(percent / 100.0 * sorted.length) - 1)];
  }
}
