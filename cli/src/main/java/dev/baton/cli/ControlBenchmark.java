package dev.baton.cli;

import dev.baton.control.ControllerConfig;
import dev.baton.control.ledger.LedgerMaintenance;
import dev.baton.schemas.RunIds;
import dev.baton.control.pipeline.Pipelines;
import dev.baton.schemas.ControlEvents;
import dev.baton.schemas.EventSerde;
import dev.baton.schemas.event.ControlEvent;
import dev.baton.schemas.event.RunCompleted;
import dev.baton.schemas.event.RunRequested;
import dev.baton.schemas.event.StageCompleted;
import dev.baton.schemas.event.StageLaunched;
import dev.baton.stages.runner.ControlEventPublisher;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.streaming.StreamingQueryProgress;

/**
 * The controller benchmark behind {@code baton bench control}. Runs a real controller (the same
 * {@link ControllerRuntime} as {@code baton controller}) on the local stack, with an Iceberg catalog (so a ledger),
 * topics and a checkpoint of its own ({@link BenchIsolation}), with a 12-stage chain of {@code noop} stages (no Spark
 * job, no sleep), so what it measures is the controller: decoding, state, decisions, Kafka round trips.
 *
 * <p>Figures, all from the control topic's own events:
 *
 * <ul>
 *   <li>hop latency: a StageLaunched record's Kafka timestamp (CreateTime, set when the controller
 *       sent it, just before the launch) minus its upstream StageCompleted's {@code finishedAt}, ms;
 *   <li>chain overhead: RunRequested → RunCompleted (Kafka timestamps) minus the sum of the
 *       stages' own durations, ms;
 *   <li>events/s under load: control records of the load runs / (last RunCompleted − first RunRequested);
 *   <li>state per run: the state operator's memory and row count from the query progress.
 * </ul>
 */
final class ControlBenchmark {
  static final String PIPELINE = "bench-noop-12";
  private static final int STAGES = 12;

  private final int runs;
  private final int concurrency;
  private final int[] load;
  private final long triggerIntervalMs;
  private final int soakMinutes;
  private final Map<String, String> extra;
  private final Map<String, RunTrace> traces = new ConcurrentHashMap<>();
  private final AtomicLong recordsSeen = new AtomicLong();
  private final Semaphore completions = new Semaphore(0);
  private volatile boolean stopReading;

  /**
   * @param soakMinutes after the load phases, minutes of light load ({@code concurrency} runs in flight) with each
   *     ledger table's snapshots and data files printed about every minute ({@link #soak}); 0 = no soak phase
   * @throws IllegalArgumentException if {@code runs} or {@code concurrency} is below 1 or {@code soakMinutes} negative
   */
  ControlBenchmark(int runs, int concurrency, int[] load, long triggerIntervalMs, int soakMinutes,
      Map<String, String> extra) {
    if (runs < 1 || concurrency < 1 || soakMinutes < 0) {
      throw new IllegalArgumentException("Invalid benchmark: --runs and --concurrency must be at least 1,"
          + " --soak-minutes at least 0");
    }
    this.soakMinutes = soakMinutes;
    this.runs = runs;
    this.concurrency = concurrency;
    this.load = load.clone();
    this.triggerIntervalMs = triggerIntervalMs;
    this.extra = Map.copyOf(extra);
  }

  /** What the control topic said about one run. */
  static final class RunTrace {
    volatile long requestedAtMs;
    volatile long completedAtMs;
    final Map<String, Long> launchedAtMs = new ConcurrentHashMap<>(); // stage -> StageLaunched record time
    final Map<String, StageCompleted> completed = new ConcurrentHashMap<>();
    final AtomicLong records = new AtomicLong();
  }

  int run(PrintStream out) throws Exception {
    Workspace workspace = Workspace.fromEnvironment();
    LocalServices local = new LocalServices(workspace);
    LocalServices.Started stack = local.ensureRunning(System.err);
    String id = Demo.newBatchId().toLowerCase(java.util.Locale.ROOT);
    BenchIsolation isolation = BenchIsolation.create(workspace, local, stack, "control", id);
    Path dir = isolation.dir();
    Map<String, String> config = new LinkedHashMap<>(isolation.config());
    config.put(ControllerConfig.TRIGGER_INTERVAL_MS, String.valueOf(triggerIntervalMs));
    config.put(ControllerConfig.MAX_CONCURRENT_STAGES, "8");
    config.putAll(extra);
    ControllerConfig controllerConfig = ControllerConfig.fromConfig(config);
    Pipelines pipelines = Pipelines.load(writePipeline(dir.resolve("pipelines")));
    out.printf("Benchmark %s: %s%n", id, isolation.describe());

    SparkSession spark = SparkSessions.create("baton-bench-control", config);
    Map<String, String> kafka = LocalServices.kafkaSettings(config);
    try (ControllerRuntime runtime = ControllerRuntime.start(spark, config, pipelines);
        ControlEventPublisher publisher = new ControlEventPublisher(new HashMap<>(kafka), EventSerde.builtIn(),
            controllerConfig.controlTopic())) {
      Thread reader = startReader(kafka, controllerConfig.controlTopic(), runtime);
      try {
        // warm-up: JIT, Kafka connections, first state store versions
        List<String> warmUp = submitAndAwait(publisher, "warmup", 5, 5, runtime);
        out.printf("warm-up: %d runs%n", warmUp.size());

        long lightStart = System.nanoTime();
        List<String> light = submitAndAwait(publisher, "light", runs, concurrency, runtime);
        double lightSeconds = (System.nanoTime() - lightStart) / 1e9;
        List<Long> lightHops = hops(light);
        List<Long> overheads = new ArrayList<>();
        List<Long> stageTimes = new ArrayList<>();
        for (String runId : light) {
          RunTrace trace = traces.get(runId);
          long stageMs = trace.completed.values().stream()
              .mapToLong(c -> c.getFinishedAt().toEpochMilli() - c.getStartedAt().toEpochMilli()).sum();
          stageTimes.add(stageMs);
          overheads.add(trace.completedAtMs - trace.requestedAtMs - stageMs);
        }
        out.printf("%nLight load: %d runs x %d stages, %d in flight, %.1f s%n", runs, STAGES, concurrency, lightSeconds);
        out.printf("  hop latency over %d hops: p50 %d ms, p95 %d ms, p99 %d ms, max %d ms%n", lightHops.size(),
            percentile(lightHops, 50), percentile(lightHops, 95), percentile(lightHops, 99), percentile(lightHops, 100));
        out.printf("  12-stage chain: wall p50 %d ms = orchestration p50 %d ms + stage time p50 %d ms%n",
            percentile(overheads, 50) + percentile(stageTimes, 50), percentile(overheads, 50), percentile(stageTimes, 50));
        printProgress(out, runtime.controller().query().recentProgress());
        for (String phase : List.of("decide", "launch", "publish")) {
          double[] summary = runtime.metrics().batchPhaseSummary(phase);
          out.printf("    foreachBatch %-27s mean %5.0f ms  max %5.0f ms  (%d batches)%n", phase, summary[1], summary[2],
              (long) summary[0]);
        }

        double eventsPerSecond = sum(light, t -> t.records.get()) / lightSeconds;
        long loadHopP99 = -1;
        for (int size : load) {
          if (size <= 0) {
            continue;
          }
          long[] state = new long[2];
          Map<String, double[]> phasesBefore = phaseTotals(runtime);
          Thread sampler = sampleState(runtime, state);
          List<String> loaded;
          try {
            loaded = submitAndAwait(publisher, "load" + size, size, size, runtime);
          } finally {
            sampler.interrupt();
            sampler.join();
          }
          long first = loaded.stream().mapToLong(r -> traces.get(r).requestedAtMs).min().orElseThrow();
          long last = loaded.stream().mapToLong(r -> traces.get(r).completedAtMs).max().orElseThrow();
          long records = sum(loaded, t -> t.records.get());
          eventsPerSecond = records * 1000.0 / Math.max(1, last - first);
          List<Long> loadHops = hops(loaded);
          loadHopP99 = percentile(loadHops, 99);
          out.printf("%nLoad: %d runs submitted at once: %d control events in %.1f s = %.0f events/s%n", size, records,
              (last - first) / 1000.0, eventsPerSecond);
          out.printf("  hop latency over %d hops: p50 %d ms, p95 %d ms, p99 %d ms, max %d ms%n", loadHops.size(),
              percentile(loadHops, 50), percentile(loadHops, 95), percentile(loadHops, 99), percentile(loadHops, 100));
          out.printf("  state store at peak: %d runs, %d bytes of memory (%.0f bytes per run)%n", state[0], state[1],
              state[0] == 0 ? 0.0 : state[1] * 1.0 / state[0]);
          printProgress(out, runtime.controller().query().recentProgress());
          Map<String, double[]> phasesAfter = phaseTotals(runtime);
          phasesAfter.forEach((phase, after) -> {
            double batches = after[0] - phasesBefore.get(phase)[0];
            double totalMs = after[1] - phasesBefore.get(phase)[1];
            out.printf("    foreachBatch %-27s mean %5.0f ms  total %6.0f ms  (%d batches)%n", phase,
                batches == 0 ? 0.0 : totalMs / batches, totalMs, (long) batches);
          });
        }
        if (soakMinutes > 0) {
          soak(out, spark, publisher, runtime);
        }
        printLedgerTables(out, spark, runtime, controllerConfig);
        out.printf("%nhop_p50_ms=%d hop_p99_ms=%d chain12_overhead_ms=%d events_per_s=%.0f load_hop_p99_ms=%d%n",
            percentile(lightHops, 50), percentile(lightHops, 99), percentile(overheads, 50), eventsPerSecond, loadHopP99);
        return 0;
      } finally {
        stopReading = true;
        reader.join(10_000);
      }
    } finally {
      spark.stop();
      if (stack.startedNow()) {
        System.err.println("Stopping the local stack: " + local.stack().down());
      }
    }
  }

  /**
   * Once the ledger query has written everything the controller decided: each ledger table's
   * snapshots and live data files (what {@code controller.ledger-maintenance.*} keeps bounded) and the
   * maintenances this process made of it.
   */
  private static void printLedgerTables(PrintStream out, SparkSession spark, ControllerRuntime runtime,
      ControllerConfig config) throws Exception {
    runtime.controller().ledgerQuery().processAllAvailable();
    LedgerMaintenance.Settings settings = config.ledgerMaintenance();
    out.printf("%nLedger tables (maintenance %s, every %d ms: snapshots older than %d ms expire, the last %d kept):%n",
        settings.enabled() ? "on" : "off", settings.intervalMs(), settings.maxSnapshotAgeMs(),
        settings.minSnapshotsToKeep());
    for (String table : LedgerMaintenance.TABLES) {
      long[] files = snapshotsAndDataFiles(spark, table);
      out.printf("  %-28s %6d snapshots, %5d data files, %d maintenances (%d failed)%n", table, files[0], files[1],
          runtime.metrics().ledgerMaintenances(table, "succeeded"), runtime.metrics().ledgerMaintenances(table, "failed"));
    }
  }

  /** {snapshots, live data files} of the Iceberg table {@code table}, as its catalog has it now. */
  private static long[] snapshotsAndDataFiles(SparkSession spark, String table) throws Exception {
    org.apache.iceberg.Table iceberg = org.apache.iceberg.spark.Spark3Util.loadIcebergTable(spark, table);
    iceberg.refresh();
    long snapshots = 0;
    for (Object ignored : iceberg.snapshots()) {
      snapshots++;
    }
    long dataFiles = 0;
    try (var tasks = iceberg.newScan().planFiles()) {
      for (Object ignored : tasks) {
        dataFiles++;
      }
    }
    return new long[] {snapshots, dataFiles};
  }

  /**
   * The soak phase: rounds of {@code 10 × concurrency} runs ({@code concurrency} in flight; a round ends when all its
   * runs completed) until {@link #soakMinutes} have passed (the last round may end later), and after each round that
   * ends a minute or more after the previous line, a line with the runs completed and each ledger table's snapshots,
   * live data files and maintenances (succeeded, failed) so far — what shows whether the ledger's growth is bounded
   * over time (it commits one snapshot per ledger micro-batch while busy, whatever the number of runs).
   */
  private void soak(PrintStream out, SparkSession spark, ControlEventPublisher publisher, ControllerRuntime runtime)
      throws Exception {
    out.printf("%nSoak: %d runs in flight for %d min; about every minute: runs completed, then per ledger table"
        + " snapshots / data files / maintenances (failed)%n", concurrency, soakMinutes);
    long start = System.nanoTime();
    long end = start + TimeUnit.MINUTES.toNanos(soakMinutes);
    long nextSample = start + TimeUnit.MINUTES.toNanos(1);
    long completed = 0;
    for (int round = 0; System.nanoTime() < end; round++) {
      List<String> runIds = submitAndAwait(publisher, "soak" + round, 10 * concurrency, concurrency, runtime);
      completed += runIds.size();
      runIds.forEach(traces::remove); // the soak's traces are not used: the map would grow with the runs
      if (System.nanoTime() >= nextSample || System.nanoTime() >= end) {
        StringBuilder line = new StringBuilder(String.format(java.util.Locale.ROOT, "  %5.1f min %,8d runs",
            (System.nanoTime() - start) / 6e10, completed));
        for (String table : LedgerMaintenance.TABLES) {
          long[] files = snapshotsAndDataFiles(spark, table);
          line.append(String.format(java.util.Locale.ROOT, "   %s %d / %d / %d (%d)", table, files[0], files[1],
              runtime.metrics().ledgerMaintenances(table, "succeeded"),
              runtime.metrics().ledgerMaintenances(table, "failed")));
        }
        out.println(line);
        // a round longer than a minute: the next line a minute after this one, not one per round to catch up
        nextSample = Math.max(nextSample, System.nanoTime()) + TimeUnit.MINUTES.toNanos(1);
      }
    }
  }

  private static Path writePipeline(Path dir) throws IOException {
    StringBuilder yaml = new StringBuilder("name: " + PIPELINE + "\n"
        + "description: 12 no-op stages in a chain, for measuring the controller\n"
        + "defaults: {timeoutMs: 600000}\nstages:\n");
    for (int i = 1; i <= STAGES; i++) {
      yaml.append("  - {name: s").append(i).append(", type: noop")
          .append(i == 1 ? "" : ", dependsOn: [s" + (i - 1) + "]").append("}\n");
    }
    Files.createDirectories(dir);
    Files.writeString(dir.resolve(PIPELINE + ".yaml"), yaml.toString());
    return dir;
  }

  /** Submits {@code count} runs keeping at most {@code inFlight} unfinished; returns their ids once all completed. */
  private List<String> submitAndAwait(ControlEventPublisher publisher, String label, int count, int inFlight,
      ControllerRuntime runtime) throws InterruptedException, TimeoutException {
    Semaphore slots = new Semaphore(inFlight);
    List<String> runIds = new ArrayList<>();
    completions.drainPermits();
    for (int i = 0; i < count; i++) {
      while (!slots.tryAcquire(1, TimeUnit.SECONDS)) {
        // a slot frees when a run completes
        slots.release(completions.drainPermits());
        ensureAlive(runtime);
      }
      String triggerKey = label + "/" + i;
      String runId = RunIds.of(PIPELINE, triggerKey);
      traces.put(runId, new RunTrace());
      runIds.add(runId);
      publisher.publishAsync(ControlEvents.requested(runId, PIPELINE, new RunRequested(triggerKey, Map.of(), "bench", null),
          Instant.now()));
      slots.release(completions.drainPermits());
    }
    publisher.flush();
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(30);
    while (runIds.stream().anyMatch(r -> traces.get(r).completedAtMs == 0)) {
      if (System.nanoTime() > deadline) {
        throw new TimeoutException("Benchmark runs " + label + " did not complete within 30 min");
      }
      ensureAlive(runtime);
      completions.tryAcquire(1, TimeUnit.SECONDS);
    }
    return runIds;
  }

  private static void ensureAlive(ControllerRuntime runtime) {
    if (!runtime.controller().isActive()) {
      throw new IllegalStateException("The controller stopped: " + runtime.controller().query().exception());
    }
  }

  /** Reads the bench control topic from the beginning, recording each run's events. */
  private Thread startReader(Map<String, String> kafka, String topic, ControllerRuntime runtime) {
    EventSerde serde = EventSerde.builtIn();
    Thread thread = new Thread(() -> {
      try (KafkaConsumer<String, byte[]> consumer = consumer(kafka)) {
        List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
            .map(info -> new TopicPartition(info.topic(), info.partition())).toList();
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        while (!stopReading) {
          for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(100))) {
            recordsSeen.incrementAndGet();
            RunTrace trace = traces.get(record.key());
            if (trace == null) {
              continue; // not (yet) one of ours: RunRequested is registered before it is sent
            }
            trace.records.incrementAndGet();
            Object payload = serde.deserialize(record.value(), ControlEvent.class).getPayload();
            if (payload instanceof RunRequested) {
              trace.requestedAtMs = record.timestamp();
            } else if (payload instanceof StageLaunched launched) {
              trace.launchedAtMs.put(launched.getStage(), record.timestamp());
            } else if (payload instanceof StageCompleted completed) {
              trace.completed.put(completed.getStage(), completed);
            } else if (payload instanceof RunCompleted) {
              trace.completedAtMs = record.timestamp();
              completions.release();
            }
          }
        }
      }
    }, "bench-control-reader");
    thread.setDaemon(true);
    thread.start();
    return thread;
  }

  /** A consumer of a benchmark's topics: keys as text, values as bytes, no committed offsets, 5,000 records a poll. */
  static KafkaConsumer<String, byte[]> consumer(Map<String, String> kafka) {
    Map<String, Object> consumerConfig = new LinkedHashMap<>(kafka);
    consumerConfig.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
    consumerConfig.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    consumerConfig.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    consumerConfig.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5_000);
    return new KafkaConsumer<>(consumerConfig);
  }

  /** Samples the state operator's row count and memory every 500 ms into {@code peak} [rows, bytes]. */
  private static Thread sampleState(ControllerRuntime runtime, long[] peak) {
    Thread thread = new Thread(() -> {
      while (!Thread.currentThread().isInterrupted()) {
        StreamingQueryProgress progress = runtime.controller().query().lastProgress();
        if (progress != null && progress.stateOperators().length > 0) {
          var state = progress.stateOperators()[0];
          synchronized (peak) {
            if (state.memoryUsedBytes() > peak[1]) {
              peak[0] = state.numRowsTotal();
              peak[1] = state.memoryUsedBytes();
            }
          }
        }
        try {
          Thread.sleep(500); // sampling period, not synchronisation
        } catch (InterruptedException e) {
          return;
        }
      }
    }, "bench-state-sampler");
    thread.setDaemon(true);
    thread.start();
    return thread;
  }

  /** Hop latencies of the given runs: stage i's launch record time minus stage i-1's finish, ms. */
  private List<Long> hops(List<String> runIds) {
    List<Long> hops = new ArrayList<>();
    for (String runId : runIds) {
      RunTrace trace = traces.get(runId);
      for (int i = 2; i <= STAGES; i++) {
        Long launched = trace.launchedAtMs.get("s" + i);
        StageCompleted upstream = trace.completed.get("s" + (i - 1));
        if (launched != null && upstream != null) {
          hops.add(launched - upstream.getFinishedAt().toEpochMilli());
        }
      }
    }
    return hops;
  }

  private long sum(List<String> runIds, java.util.function.ToLongFunction<RunTrace> value) {
    return runIds.stream().mapToLong(r -> value.applyAsLong(traces.get(r))).sum();
  }

  /** The p-th percentile (nearest rank) of {@code values}; -1 when empty. */
  static long percentile(List<Long> values, int p) {
    if (values.isEmpty()) {
      return -1;
    }
    List<Long> sorted = values.stream().sorted().toList();
    int rank = (int) Math.ceil(p / 100.0 * sorted.size());
    return sorted.get(Math.max(0, Math.min(sorted.size() - 1, rank - 1)));
  }

  /** Per foreachBatch phase of the controller: {batches so far, total ms so far}. */
  private static Map<String, double[]> phaseTotals(ControllerRuntime runtime) {
    Map<String, double[]> totals = new LinkedHashMap<>();
    for (String phase : List.of("decide", "launch", "launch-journal", "publish", "journal-upkeep")) {
      double[] summary = runtime.metrics().batchPhaseSummary(phase);
      totals.put(phase, new double[] {summary[0], summary[0] * summary[1]});
    }
    return totals;
  }

  /** Median and max of each micro-batch phase (Spark's durationMs) over batches with input. */
  static void printProgress(PrintStream out, StreamingQueryProgress[] progress) {
    Map<String, List<Long>> durations = new java.util.TreeMap<>();
    int withInput = 0;
    for (StreamingQueryProgress p : progress) {
      if (p.numInputRows() == 0) {
        continue;
      }
      withInput++;
      p.durationMs().forEach((phase, ms) -> durations.computeIfAbsent(phase, k -> new ArrayList<>()).add(ms));
      if (p.stateOperators().length > 0) {
        var state = p.stateOperators()[0];
        durations.computeIfAbsent("state.allUpdates", k -> new ArrayList<>()).add(state.allUpdatesTimeMs());
        durations.computeIfAbsent("state.commit", k -> new ArrayList<>()).add(state.commitTimeMs());
        state.customMetrics().forEach((name, value) -> {
          if (name.endsWith("Latency") || name.endsWith("TimeMs")) {
            durations.computeIfAbsent("state." + name, k -> new ArrayList<>()).add((Long) value);
          }
        });
      }
    }
    out.printf("  controller micro-batches with input: %d of the last %d; time per phase:%n", withInput, progress.length);
    durations.forEach((phase, values) -> out.printf("    %-40s p50 %5d ms  max %5d ms%n", phase,
        percentile(values, 50), percentile(values, 100)));
  }
}
