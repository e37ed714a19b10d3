package dev.baton.cli;

import dev.baton.control.ControllerConfig;
import dev.baton.control.pipeline.Pipelines;
import dev.baton.control.pipeline.ScheduleTrigger;
import dev.baton.schemas.EventSerde;
import dev.baton.schemas.RunIds;
import dev.baton.schemas.event.ControlEvent;
import dev.baton.schemas.event.StageCompleted;
import dev.baton.schemas.event.StageLaunched;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.spark.sql.SparkSession;

/**
 * The trigger benchmark behind {@code baton bench triggers}: a real controller ({@link ControllerRuntime}, with the
 * production trigger interval) on the local stack, in its own catalog, topics and checkpoint ({@link
 * BenchIsolation}), serving a pipeline whose schedule ticks every {@code everySeconds} seconds, and a pipeline whose
 * tables trigger watches a table another pipeline's {@code external} stage reports (in its StageCompleted) as
 * written; every measured stage is a {@code noop}. Figures, from the control topic:
 *
 * <ul>
 *   <li>tick → launch: the StageLaunched record's Kafka timestamp (set when the controller sent it, just before the
 *       launch) minus the tick, ms; tick → stage start: the stage's own {@code startedAt} minus the tick, ms;
 *   <li>table update → launch: the watching pipeline's StageLaunched record timestamp minus that of the
 *       StageCompleted reporting the new snapshot (both Kafka CreateTime, one clock), ms; and → its stage's start;
 *   <li>request → launch, side by side: a RunRequested's record timestamp to its run's StageLaunched record timestamp,
 *       ms, for a pipeline without {@code maxActiveRuns} and for one with {@code maxActiveRuns} whose slot is free
 *       (the run is queued and admitted first), requests alternating between the two, each after the previous run
 *       completed.
 * </ul>
 */
final class TriggersBenchmark {
  static final String PIPELINE = "bench-schedule";
  static final String WRITER = "bench-writer";
  static final String WATCHER = "bench-watcher";
  static final String TABLE = "bench.orders";
  static final String FREE = "bench-free";
  static final String LIMITED = "bench-limited";

  private final int ticks;
  private final int everySeconds;
  private final int updates;
  private final Map<String, String> extra;

  /**
   * @throws IllegalArgumentException if {@code ticks} or {@code updates} is below 1 or {@code everySeconds} outside
   *     1..59
   */
  TriggersBenchmark(int ticks, int everySeconds, int updates, Map<String, String> extra) {
    if (ticks < 1 || everySeconds < 1 || everySeconds > 59 || updates < 1) {
      throw new IllegalArgumentException("Invalid benchmark: --ticks and --updates must be at least 1,"
          + " --every-seconds 1 to 59");
    }
    this.ticks = ticks;
    this.everySeconds = everySeconds;
    this.updates = updates;
    this.extra = Map.copyOf(extra);
  }

  int run(PrintStream out) throws Exception {
    Workspace workspace = Workspace.fromEnvironment();
    LocalServices local = new LocalServices(workspace);
    LocalServices.Started stack = local.ensureRunning(System.err);
    String id = Demo.newBatchId().toLowerCase(java.util.Locale.ROOT);
    BenchIsolation isolation = BenchIsolation.create(workspace, local, stack, "schedule", id);
    Map<String, String> config = new LinkedHashMap<>(isolation.config());
    config.putAll(extra);
    ControllerConfig controllerConfig = ControllerConfig.fromConfig(config);
    String cron = "*/" + everySeconds + " * * * * ?";
    Path pipelines = Files.createDirectories(isolation.dir().resolve("pipelines"));
    Files.writeString(pipelines.resolve(PIPELINE + ".yaml"), "name: " + PIPELINE + "\n"
        + "description: one no-op stage every " + everySeconds + " s, for measuring schedule latency\n"
        + "trigger: {type: schedule, cron: \"" + cron + "\", catchUp: none}\n"
        + "stages:\n  - {name: s1, type: noop}\n");
    Files.writeString(pipelines.resolve(WRITER + ".yaml"), "name: " + WRITER + "\n"
        + "description: an outside job reporting new snapshots of " + TABLE + "\n"
        + "stages:\n  - {name: load, type: external}\n");
    Files.writeString(pipelines.resolve(WATCHER + ".yaml"), "name: " + WATCHER + "\n"
        + "description: one no-op stage per new snapshot of " + TABLE + ", for measuring tables trigger latency\n"
        + "trigger: {type: tables, tables: [" + TABLE + "], mode: any}\n"
        + "stages:\n  - {name: s1, type: noop}\n");
    Files.writeString(pipelines.resolve(FREE + ".yaml"), "name: " + FREE + "\n"
        + "description: one no-op stage per request\n"
        + "stages:\n  - {name: s1, type: noop}\n");
    Files.writeString(pipelines.resolve(LIMITED + ".yaml"), "name: " + LIMITED + "\n"
        + "description: one no-op stage per request, one run at a time (queued, then admitted)\n"
        + "maxActiveRuns: 1\n"
        + "stages:\n  - {name: s1, type: noop}\n");
    out.printf("Benchmark %s: %s; schedule '%s', controller trigger interval %d ms%n", id, isolation.describe(), cron,
        controllerConfig.triggerIntervalMs());

    SparkSession spark = SparkSessions.create("baton-bench-triggers", config);
    try (ControllerRuntime runtime = ControllerRuntime.start(spark, config, Pipelines.load(pipelines))) {
      ScheduleTrigger schedule = new ScheduleTrigger(cron, "UTC", null, null);
      // the first measured tick: two periods after the controller runs (its first micro-batches warm up)
      Instant first = schedule.next(Instant.now().plusSeconds(2L * everySeconds)).orElseThrow();
      List<Instant> measured =
          schedule.ticks(first.minusMillis(1), first.plusSeconds((long) everySeconds * (ticks - 1)));
      Instant last = measured.get(measured.size() - 1);
      Map<String, Instant> tickOfRun = new LinkedHashMap<>();
      for (Instant tick : measured) {
        tickOfRun.put(RunIds.of(PIPELINE, ScheduleTrigger.triggerKey(tick)), tick);
      }
      out.printf("measuring %d ticks, %s to %s%n", tickOfRun.size(), first, last);
      Map<String, Long> launchedAt = new LinkedHashMap<>();
      Map<String, Long> startedAt = new LinkedHashMap<>();
      readUntil(LocalServices.kafkaSettings(config), controllerConfig.controlTopic(), tickOfRun, launchedAt, startedAt,
          last.plusSeconds(120), runtime);
      List<Long> toLaunch = new ArrayList<>();
      List<Long> toStart = new ArrayList<>();
      tickOfRun.forEach((runId, tick) -> {
        toLaunch.add(launchedAt.get(runId) - tick.toEpochMilli());
        toStart.add(startedAt.get(runId) - tick.toEpochMilli());
      });
      out.printf("%ntick -> launch (StageLaunched record time) over %d ticks: p50 %d ms, p95 %d ms, p99 %d ms, max %d ms%n",
          toLaunch.size(), ControlBenchmark.percentile(toLaunch, 50), ControlBenchmark.percentile(toLaunch, 95),
          ControlBenchmark.percentile(toLaunch, 99), ControlBenchmark.percentile(toLaunch, 100));
      out.printf("tick -> stage start (its startedAt) over %d ticks: p50 %d ms, p95 %d ms, p99 %d ms, max %d ms%n",
          toStart.size(), ControlBenchmark.percentile(toStart, 50), ControlBenchmark.percentile(toStart, 95),
          ControlBenchmark.percentile(toStart, 99), ControlBenchmark.percentile(toStart, 100));
      ControlBenchmark.printProgress(out, runtime.controller().query().recentProgress());

      List<Long> updateToLaunch = new ArrayList<>();
      List<Long> updateToStart = new ArrayList<>();
      measureTableUpdates(config, controllerConfig, runtime, updateToLaunch, updateToStart);
      out.printf("%ntable update -> launch (StageCompleted record -> StageLaunched record) over %d updates: p50 %d ms,"
          + " p95 %d ms, p99 %d ms, max %d ms%n", updateToLaunch.size(), ControlBenchmark.percentile(updateToLaunch, 50),
          ControlBenchmark.percentile(updateToLaunch, 95), ControlBenchmark.percentile(updateToLaunch, 99),
          ControlBenchmark.percentile(updateToLaunch, 100));
      out.printf("table update -> stage start over %d updates: p50 %d ms, p95 %d ms, p99 %d ms, max %d ms%n",
          updateToStart.size(), ControlBenchmark.percentile(updateToStart, 50),
          ControlBenchmark.percentile(updateToStart, 95), ControlBenchmark.percentile(updateToStart, 99),
          ControlBenchmark.percentile(updateToStart, 100));

      Map<String, List<Long>> requestToLaunch = measureRequests(config, controllerConfig, runtime);
      List<Long> free = requestToLaunch.get(FREE);
      List<Long> limited = requestToLaunch.get(LIMITED);
      out.printf("%nrequest -> launch over %d requests each: without maxActiveRuns p50 %d ms, p99 %d ms; with"
          + " maxActiveRuns, slot free (queued, then admitted) p50 %d ms, p99 %d ms; p50 ratio %.2f%n", free.size(),
          ControlBenchmark.percentile(free, 50), ControlBenchmark.percentile(free, 99),
          ControlBenchmark.percentile(limited, 50), ControlBenchmark.percentile(limited, 99),
          ControlBenchmark.percentile(limited, 50) / (double) Math.max(1, ControlBenchmark.percentile(free, 50)));
      out.printf("%ntick_to_launch_p50_ms=%d tick_to_launch_p99_ms=%d tick_to_start_p50_ms=%d tick_to_start_p99_ms=%d"
          + " update_to_launch_p50_ms=%d update_to_launch_p99_ms=%d request_to_launch_p50_ms=%d"
          + " queued_request_to_launch_p50_ms=%d%n",
          ControlBenchmark.percentile(toLaunch, 50), ControlBenchmark.percentile(toLaunch, 99),
          ControlBenchmark.percentile(toStart, 50), ControlBenchmark.percentile(toStart, 99),
          ControlBenchmark.percentile(updateToLaunch, 50), ControlBenchmark.percentile(updateToLaunch, 99),
          ControlBenchmark.percentile(free, 50), ControlBenchmark.percentile(limited, 50));
      return 0;
    } finally {
      spark.stop();
    }
  }

  /**
   * {@code updates} times, one after the other: requests a run of the writer, waits for its external stage's launch,
   * publishes its StageCompleted with a new snapshot of the watched table, and waits for the watcher's run that
   * snapshot starts; adds update → launch and update → stage start, ms.
   */
  private void measureTableUpdates(Map<String, String> config, ControllerConfig controllerConfig,
      ControllerRuntime runtime, List<Long> toLaunch, List<Long> toStart) throws Exception {
    EventSerde serde = EventSerde.builtIn();
    String topic = controllerConfig.controlTopic();
    try (KafkaConsumer<String, byte[]> consumer = ControlBenchmark.consumer(LocalServices.kafkaSettings(config));
        dev.baton.stages.runner.ControlEventPublisher publisher = new dev.baton.stages.runner.ControlEventPublisher(
            new java.util.HashMap<>(LocalServices.kafkaSettings(config)), serde, topic)) {
      followFromNow(consumer, topic);
      for (long snapshot = 1; snapshot <= updates; snapshot++) {
        String writerRun = RunIds.of(WRITER, "u-" + snapshot);
        publisher.publish(dev.baton.schemas.ControlEvents.requested(writerRun, WRITER,
            new dev.baton.schemas.event.RunRequested("u-" + snapshot, Map.of(), "bench", null), Instant.now()));
        awaitRecord(consumer, serde, runtime, r -> r.key().equals(writerRun), p -> p instanceof StageLaunched);
        publisher.publish(dev.baton.schemas.ControlEvents.completed(writerRun, WRITER, StageCompleted.newBuilder()
            .setStage("load").setAttempt(1).setStatus(dev.baton.schemas.event.StageStatus.SUCCEEDED)
            .setStartedAt(Instant.now()).setFinishedAt(Instant.now())
            .setOutputs(List.of(new dev.baton.schemas.event.StageOutput(TABLE, snapshot, 1L))).build()));
        String watcherRun = RunIds.of(WATCHER,
            dev.baton.control.pipeline.TablesTrigger.triggerKey(new java.util.TreeMap<>(Map.of(TABLE, snapshot))));
        long updatedAt = awaitRecord(consumer, serde, runtime, r -> r.key().equals(writerRun),
            p -> p instanceof StageCompleted).timestamp();
        long launchedAt = awaitRecord(consumer, serde, runtime, r -> r.key().equals(watcherRun),
            p -> p instanceof StageLaunched).timestamp();
        ConsumerRecord<String, byte[]> completed = awaitRecord(consumer, serde, runtime, r -> r.key().equals(watcherRun),
            p -> p instanceof StageCompleted);
        toLaunch.add(launchedAt - updatedAt);
        StageCompleted watcherStage = (StageCompleted) serde.deserialize(completed.value(), ControlEvent.class).getPayload();
        toStart.add(watcherStage.getStartedAt().toEpochMilli() - updatedAt);
      }
    }
  }

  /**
   * {@code updates} requests to each of {@link #FREE} and {@link #LIMITED}, alternating, each after the previous run
   * completed: RunRequested record time → StageLaunched record time, ms, per pipeline.
   */
  private Map<String, List<Long>> measureRequests(Map<String, String> config, ControllerConfig controllerConfig,
      ControllerRuntime runtime) throws Exception {
    EventSerde serde = EventSerde.builtIn();
    String topic = controllerConfig.controlTopic();
    Map<String, List<Long>> toLaunch = new LinkedHashMap<>(Map.of(FREE, new ArrayList<>(), LIMITED, new ArrayList<>()));
    try (KafkaConsumer<String, byte[]> consumer = ControlBenchmark.consumer(LocalServices.kafkaSettings(config));
        dev.baton.stages.runner.ControlEventPublisher publisher = new dev.baton.stages.runner.ControlEventPublisher(
            new java.util.HashMap<>(LocalServices.kafkaSettings(config)), serde, topic)) {
      followFromNow(consumer, topic);
      for (int i = 1; i <= 2 * updates; i++) {
        String pipeline = i % 2 == 0 ? FREE : LIMITED;
        String runId = RunIds.of(pipeline, "r-" + i);
        publisher.publish(dev.baton.schemas.ControlEvents.requested(runId, pipeline,
            new dev.baton.schemas.event.RunRequested("r-" + i, Map.of(), "bench", null), Instant.now()));
        long requestedAt = awaitRecord(consumer, serde, runtime, r -> r.key().equals(runId),
            p -> p instanceof dev.baton.schemas.event.RunRequested).timestamp();
        long launchedAt = awaitRecord(consumer, serde, runtime, r -> r.key().equals(runId),
            p -> p instanceof StageLaunched).timestamp();
        awaitRecord(consumer, serde, runtime, r -> r.key().equals(runId),
            p -> p instanceof dev.baton.schemas.event.RunCompleted);
        toLaunch.get(pipeline).add(launchedAt - requestedAt);
      }
    }
    return toLaunch;
  }

  /** Assigns {@code consumer} every partition of {@code topic}, positioned at their current end. */
  private static void followFromNow(KafkaConsumer<String, byte[]> consumer, String topic) {
    List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
        .map(info -> new TopicPartition(info.topic(), info.partition())).toList();
    consumer.assign(partitions);
    consumer.seekToEnd(partitions);
    partitions.forEach(consumer::position); // resolve the end now, before anything is published
  }

  /** The next record of the control topic matching both predicates (within 60 s). */
  private static ConsumerRecord<String, byte[]> awaitRecord(KafkaConsumer<String, byte[]> consumer, EventSerde serde,
      ControllerRuntime runtime, java.util.function.Predicate<ConsumerRecord<String, byte[]>> record,
      java.util.function.Predicate<Object> payload) throws java.util.concurrent.TimeoutException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() < deadline) {
      if (!runtime.controller().isActive()) {
        throw new IllegalStateException("The controller stopped: " + runtime.controller().query().exception());
      }
      for (ConsumerRecord<String, byte[]> candidate : consumer.poll(Duration.ofMillis(50))) {
        if (record.test(candidate) && payload.test(serde.deserialize(candidate.value(), ControlEvent.class).getPayload())) {
          return candidate;
        }
      }
    }
    throw new java.util.concurrent.TimeoutException("Trigger benchmark: no matching control record within 60 s");
  }

  /**
   * Reads the control topic from the beginning until every run of {@code tickOfRun} has its StageLaunched record time
   * and its stage's startedAt.
   *
   * @throws java.util.concurrent.TimeoutException if that is not so by {@code deadline}
   * @throws IllegalStateException if the controller stops
   */
  private static void readUntil(Map<String, String> kafka, String topic, Map<String, Instant> tickOfRun,
      Map<String, Long> launchedAt, Map<String, Long> startedAt, Instant deadline, ControllerRuntime runtime)
      throws java.util.concurrent.TimeoutException {
    EventSerde serde = EventSerde.builtIn();
    try (KafkaConsumer<String, byte[]> consumer = ControlBenchmark.consumer(kafka)) {
      List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
          .map(info -> new TopicPartition(info.topic(), info.partition())).toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      while (startedAt.size() < tickOfRun.size() || launchedAt.size() < tickOfRun.size()) {
        if (Instant.now().isAfter(deadline)) {
          throw new java.util.concurrent.TimeoutException("Schedule benchmark: " + startedAt.size() + " of "
              + tickOfRun.size() + " ticks' stages started by " + deadline);
        }
        if (!runtime.controller().isActive()) {
          throw new IllegalStateException("The controller stopped: " + runtime.controller().query().exception());
        }
        for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(TimeUnit.SECONDS.toMillis(1)))) {
          if (!tickOfRun.containsKey(record.key())) {
            continue; // a warm-up tick's run
          }
          Object payload = serde.deserialize(record.value(), ControlEvent.class).getPayload();
          if (payload instanceof StageLaunched) {
            launchedAt.putIfAbsent(record.key(), record.timestamp());
          } else if (payload instanceof StageCompleted completed) {
            startedAt.putIfAbsent(record.key(), completed.getStartedAt().toEpochMilli());
          }
        }
      }
    }
  }
}
