package dev.baton.control.metrics;

import com.sun.net.httpserver.HttpServer;
import dev.baton.stages.maintenance.TableMaintenance;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The controller's metrics (Micrometer), served in the Prometheus text format by {@link #serve}.
 * Counts are since this controller process started.
 *
 * <ul>
 *   <li>{@code baton_controller_input_records_total}: Kafka records read by the query
 *   <li>{@code baton_controller_launches_total}, {@code baton_controller_launches_deduplicated_total}
 *       (launches the journal refused because a replayed micro-batch had made them), {@code
 *       baton_controller_launches_refused_total} (attempts the launcher refused, no capacity: completed
 *       FAILED with error type NO_CAPACITY)
 *   <li>{@code baton_controller_dead_letters_total}, {@code baton_controller_alerts_total{kind}},
 *       {@code baton_controller_runs_completed_total{status}}
 *   <li>{@code baton_controller_hop_latency_seconds}: from the moment a stage became runnable (its
 *       last upstream finished, or its retry back-off ended) to its launch — histogram
 *   <li>{@code baton_controller_runs_active}: runs RUNNING as seen by this process; {@code
 *       baton_controller_runs_queued}: runs QUEUED for a slot of their pipeline's {@code maxActiveRuns}
 *   <li>{@code baton_controller_events_ignored_total{reason}}: inputs that changed nothing, {@code
 *       duplicate} (delivered again) or {@code stale} (an attempt no longer current, a run already ended)
 *   <li>{@code baton_controller_attempts_cancelled_total}: running attempts stopped (run cancelled, attempt LOST)
 *   <li>{@code baton_controller_webhook_failures_total}: alert webhook POSTs that failed for good
 *   <li>{@code baton_controller_batch_seconds{phase}}: where a micro-batch's {@code foreachBatch} spends
 *       its time: {@code decide} (running the query's Spark job: decode, state, decisions, collected
 *       to the driver), {@code launch} (journal, StageLaunched acknowledged, launches), of which {@code
 *       launch-journal} is the journal's share, {@code publish} (ledger changelog, RunCompleted, alerts,
 *       dead letters acknowledged), and {@code journal-upkeep} (ended marks and prunes, in the background
 *       after the micro-batch)
 *   <li>{@code baton_controller_ledger_maintenance_seconds{table, outcome}}: maintenances of a ledger
 *       table or of a {@code baton_system} table stages write ({@code succeeded} or {@code failed}) and their
 *       duration; {@code
 *       baton_controller_ledger_maintenance_files_total{table, action}}: the files they rewrote or deleted,
 *       by action {@code rewritten-data-files}, {@code added-data-files}, {@code deleted-expired-files}, {@code
 *       deleted-orphan-files}; {@code baton_controller_ledger_expired_snapshots_total{table}}; {@code
 *       baton_controller_ledger_snapshots{table}}: the snapshots a ledger table kept after its last maintenance
 * </ul>
 */
public final class ControllerMetrics implements AutoCloseable {
  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final Counter inputRecords = Counter.builder("baton.controller.input.records")
      .description("Kafka records read by the controller query").register(registry);
  private final Counter launches = Counter.builder("baton.controller.launches")
      .description("Stage attempts launched").register(registry);
  private final Counter deduplicatedLaunches = Counter.builder("baton.controller.launches.deduplicated")
      .description("Launches not repeated because the launch journal had them (replayed micro-batch)").register(registry);
  private final Counter deadLetters = Counter.builder("baton.controller.dead.letters")
      .description("Records written to the dead-letter topic").register(registry);
  private final Timer hopLatency = Timer.builder("baton.controller.hop.latency")
      .description("From a stage becoming runnable to its launch")
      .publishPercentileHistogram()
      .minimumExpectedValue(Duration.ofMillis(10))
      .maximumExpectedValue(Duration.ofSeconds(60))
      .register(registry);
  private final Set<String> activeRuns = ConcurrentHashMap.newKeySet();
  private final Set<String> queuedRuns = ConcurrentHashMap.newKeySet();
  private final Map<String, AtomicLong> ledgerSnapshots = new ConcurrentHashMap<>();
  private HttpServer server;

  public ControllerMetrics() {
    Gauge.builder("baton.controller.runs.active", activeRuns, Set::size)
        .description("Runs RUNNING as seen by this controller process").register(registry);
    Gauge.builder("baton.controller.runs.queued", queuedRuns, Set::size)
        .description("Runs QUEUED for a slot of their pipeline's maxActiveRuns, as seen by this controller process")
        .register(registry);
  }

  public void inputRecords(long count) {
    inputRecords.increment(count);
  }

  /** A launch made; {@code latencyMs} from the stage becoming runnable. */
  public void launched(long latencyMs) {
    launches.increment();
    hopLatency.record(Duration.ofMillis(Math.max(0, latencyMs)));
  }

  public void launchDeduplicated() {
    deduplicatedLaunches.increment();
  }

  /** The launcher refused an attempt (no capacity, or closed). */
  public void launchRefused() {
    registry.counter("baton.controller.launches.refused").increment();
  }

  public void deadLetter() {
    deadLetters.increment();
  }

  /** Time one phase of a micro-batch's {@code foreachBatch} took, ms. */
  public void batchPhase(String phase, long millis) {
    registry.timer("baton.controller.batch", "phase", phase).record(Duration.ofMillis(millis));
  }

  /** Mean and max time of a micro-batch phase so far, ms: {@code [count, mean, max]}. */
  public double[] batchPhaseSummary(String phase) {
    Timer timer = registry.find("baton.controller.batch").tag("phase", phase).timer();
    if (timer == null) {
      return new double[] {0, 0, 0};
    }
    return new double[] {timer.count(), timer.mean(java.util.concurrent.TimeUnit.MILLISECONDS),
        timer.max(java.util.concurrent.TimeUnit.MILLISECONDS)};
  }

  /** An input changed nothing; {@code reason} is {@code duplicate} or {@code stale}. */
  public void ignored(String reason) {
    registry.counter("baton.controller.events.ignored", "reason", reason).increment();
  }

  /** An attempt of an earlier controller process was reconciled at start: {@code outcome} RUNNING or LOST. */
  public void reconciled(String outcome) {
    registry.counter("baton.controller.attempts.reconciled", "outcome", outcome).increment();
  }

  /** A running attempt was asked to stop. */
  public void attemptCancelled() {
    registry.counter("baton.controller.attempts.cancelled").increment();
  }

  /** An alert webhook POST failed after all its attempts. */
  public void webhookFailed() {
    registry.counter("baton.controller.webhook.failures").increment();
  }

  public void alert(String kind) {
    registry.counter("baton.controller.alerts", "kind", kind).increment();
  }

  /**
   * A run's recorded status: RUNNING adds it to the active runs and QUEUED to the queued ones, anything else
   * removes it; an ended status counts the run completed.
   */
  public void runStatus(String runId, String status) {
    boolean wasQueued = queuedRuns.remove(runId);
    if ("RUNNING".equals(status)) {
      activeRuns.add(runId);
    } else if ("QUEUED".equals(status)) {
      queuedRuns.add(runId);
    } else if (activeRuns.remove(runId) || wasQueued || !"WAITING".equals(status)) {
      registry.counter("baton.controller.runs.completed", "status", status).increment();
    }
  }

  /** A ledger table was maintained in {@code millis} ms ({@link dev.baton.control.ledger.LedgerMaintenance}). */
  public void ledgerMaintained(TableMaintenance.Report report, long millis) {
    String table = report.table();
    registry.timer("baton.controller.ledger.maintenance", "table", table, "outcome", "succeeded")
        .record(Duration.ofMillis(millis));
    ledgerFiles(table, "rewritten-data-files", report.rewrittenDataFiles());
    ledgerFiles(table, "added-data-files", report.addedDataFiles());
    registry.counter("baton.controller.ledger.expired.snapshots", "table", table).increment(report.expiredSnapshots());
    ledgerFiles(table, "deleted-expired-files", report.deletedExpiredFiles());
    ledgerFiles(table, "deleted-orphan-files", report.deletedOrphanFiles());
    ledgerSnapshots.computeIfAbsent(table, name -> {
      AtomicLong kept = new AtomicLong();
      Gauge.builder("baton.controller.ledger.snapshots", kept, AtomicLong::get)
          .description("Snapshots a ledger table kept after its last maintenance").tag("table", name).register(registry);
      return kept;
    }).set(report.snapshotsAfter());
  }

  /** Maintenances of a ledger table so far with {@code outcome} {@code succeeded} or {@code failed}. */
  public long ledgerMaintenances(String table, String outcome) {
    Timer timer = registry.find("baton.controller.ledger.maintenance").tag("table", table).tag("outcome", outcome).timer();
    return timer == null ? 0 : timer.count();
  }

  /** The maintenance of a ledger table failed after {@code millis} ms. */
  public void ledgerMaintenanceFailed(String table, long millis) {
    registry.timer("baton.controller.ledger.maintenance", "table", table, "outcome", "failed")
        .record(Duration.ofMillis(millis));
  }

  private void ledgerFiles(String table, String action, long count) {
    registry.counter("baton.controller.ledger.maintenance.files", "table", table, "action", action).increment(count);
  }

  /** The metrics in the Prometheus text exposition format. */
  public String scrape() {
    return registry.scrape();
  }

  /**
   * Serves {@code GET /metrics} on 127.0.0.1 or all interfaces.
   *
   * @param port TCP port; 0 picks a free one
   * @return the port bound
   * @throws UncheckedIOException if the port cannot be bound
   */
  public int serve(String host, int port) {
    try {
      server = HttpServer.create(new InetSocketAddress(host, port), 0);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot serve metrics on " + host + ":" + port, e);
    }
    server.createContext("/metrics", exchange -> {
      byte[] body = scrape().getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().set("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
      exchange.sendResponseHeaders(200, body.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    });
    server.start();
    return server.getAddress().getPort();
  }

  @Override
  public void close() {
    if (server != null) {
      server.stop(0);
    }
    registry.close();
  }
}
