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
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.spark.sql.SparkSession;

/**
 * The schedule benchmark behind {@code baton bench schedule}: a real controller ({@link ControllerRuntime}, with the
 * production trigger interval) on the local stack, in its own catalog, topics and checkpoint ({@link
 * BenchIsolation}), serving one pipeline whose schedule ticks every {@code everySeconds} seconds and whose one stage
 * is a {@code noop}. For each of {@code ticks} ticks it measures, from the control topic:
 *
 * <ul>
 *   <li>tick → launch: the StageLaunched record's Kafka timestamp (set when the controller sent it, just before the
 *       launch) minus the tick, ms;
 *   <li>tick → stage start: the stage's own {@code startedAt} (StageCompleted) minus the tick, ms.
 * </ul>
 */
final class ScheduleBenchmark {
  static final String PIPELINE = "bench-schedule";

  private final int ticks;
  private final int everySeconds;
  private final Map<String, String> extra;

  /** @throws IllegalArgumentException if {@code ticks} is below 1 or {@code everySeconds} outside 1..59 */
  ScheduleBenchmark(int ticks, int everySeconds, Map<String, String> extra) {
    if (ticks < 1 || everySeconds < 1 || everySeconds > 59) {
      throw new IllegalArgumentException("Invalid benchmark: --ticks must be at least 1, --every-seconds 1 to 59");
    }
    this.ticks = ticks;
    this.everySeconds = everySeconds;
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
    out.printf("Benchmark %s: %s; schedule '%s', controller trigger interval %d ms%n", id, isolation.describe(), cron,
        controllerConfig.triggerIntervalMs());

    SparkSession spark = SparkSessions.create("baton-bench-schedule", config);
    try (ControllerRuntime runtime = ControllerRuntime.start(spark, config, Pipelines.load(pipelines))) {
      ScheduleTrigger schedule = new ScheduleTrigger(cron, "UTC", null, null);
      // the first measured tick: two periods after the controller runs (its first micro-batches warm up)
      Instant first = schedule.next(Instant.now().plusSeconds(2L * everySeconds)).orElseThrow();
      Instant last = schedule.ticks(first.minusMillis(1), first.plusSeconds((long) everySeconds * (ticks - 1))).stream()
          .reduce((a, b) -> b).orElseThrow();
      Map<String, Instant> tickOfRun = new LinkedHashMap<>();
      for (Instant tick : schedule.ticks(first.minusMillis(1), last)) {
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
      out.printf("%ntick_to_launch_p50_ms=%d tick_to_launch_p99_ms=%d tick_to_start_p50_ms=%d tick_to_start_p99_ms=%d%n",
          ControlBenchmark.percentile(toLaunch, 50), ControlBenchmark.percentile(toLaunch, 99),
          ControlBenchmark.percentile(toStart, 50), ControlBenchmark.percentile(toStart, 99));
      return 0;
    } finally {
      spark.stop();
    }
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
    Map<String, Object> consumerConfig = new LinkedHashMap<>(kafka);
    consumerConfig.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
    consumerConfig.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    consumerConfig.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    EventSerde serde = EventSerde.builtIn();
    try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(consumerConfig)) {
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
