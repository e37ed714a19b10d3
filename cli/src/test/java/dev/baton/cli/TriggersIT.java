package dev.baton.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.control.ledger.LedgerReader;
import dev.baton.control.pipeline.ScheduleTrigger;
import dev.baton.control.pipeline.TablesTrigger;
import dev.baton.schemas.ControlEvents;
import dev.baton.schemas.EventSerde;
import dev.baton.schemas.RunIds;
import dev.baton.schemas.event.ControlEvent;
import dev.baton.schemas.event.RunCompleted;
import dev.baton.schemas.event.RunRequested;
import dev.baton.schemas.event.StageCompleted;
import dev.baton.schemas.event.StageOutput;
import dev.baton.schemas.event.StageStatus;
import dev.baton.stages.runner.ControlEventPublisher;
import dev.baton.schemas.event.RunStatus;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import dev.baton.catalog.CatalogConfig;
import dev.baton.cli.config.S3Settings;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Triggers on the real controller (its own JVM, the local stack).
 *
 * <ul>
 *   <li>A schedule trigger, a tick every 5 s: the controller is stopped across three ticks and started
 *       again on its checkpoint, then killed with SIGKILL just after a tick and started again. Every tick
 *       from the first to the last gets exactly one run, whose stage executed once (the stage's own
 *       execution log), with the tick's parameters.
 *   <li>A pipeline trigger: an upstream run's success starts the downstream run once, with its
 *       parameters mapped, also when every event of the upstream run and the downstream request are
 *       delivered again several times.
 *   <li>A tables trigger: a producer's StageCompleted naming a new snapshot of a watched table starts
 *       the watching pipeline's run once, also when delivered four times; a newer snapshot, another run.
 *   <li>A backfill over a prefix in a bucket nothing watches, holding 30 complete batches (and one lacking its
 *       {@code _SUCCESS}) of which 10 succeeded before: the dry run plans 20 runs and submits none; the
 *       backfill, SIGKILLed half-way and run again, ends with exactly 30 runs, each executed once, never more
 *       than {@code --max-active} active at once (from the control topic's request and completion times, and
 *       from the ledger sampled during the backfill).
 *   <li>{@code maxActiveRuns: 2} and 50 requests published at once: every run executes once, never more than
 *       2 hold a slot at once (from the control topic's admission and completion times; at most 2 RUNNING in
 *       the ledger sampled all along, the rest QUEUED), and runs are admitted in trigger order.
 *   <li>{@code controller.max-concurrent-attempts.type.external=1}: attempts of two pipelines' external stages
 *       launch one at a time, each after the previous one's completion, the pipeline with the higher {@code
 *       priority} first, then in trigger order; the waiting ones are QUEUED in the ledger.
 * </ul>
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class) // the schedule test counts every tick of its own controllers
class TriggersIT {
  private static final String PIPELINE = "every-5s";
  private static final long PERIOD_MS = 5_000;

  private static LocalServices local;
  private static Map<String, String> config;
  private static Path home;
  private static Path pipelines;
  private static Path repository;
  private static Path executionLog;
  private static final List<Process> controllers = new ArrayList<>();
  private static TopicReader.Tail control;
  private static final Map<String, Map<String, List<ControlEvent>>> controlEvents = new HashMap<>();

  @BeforeAll
  static void up() throws Exception {
    repository = Path.of(System.getProperty("baton.repo.dir")).toAbsolutePath();
    home = Files.createTempDirectory(repository.resolve("cli/target"), "it-schedule");
    pipelines = Files.createDirectories(home.resolve("pipelines"));
    executionLog = home.resolve("executions.log");
    Files.writeString(pipelines.resolve(PIPELINE + ".yaml"), """
        name: %s
        trigger: {type: schedule, cron: "*/5 * * * * ?", catchUp: all}
        defaults: {retry: {maxAttempts: 3, initialBackoffMs: 100, maxBackoffMs: 1000}}  # an attempt killed with its controller is LOST
        stages:
          - {name: s1, type: noop, options: {executionLog: '%s'}}
        """.formatted(PIPELINE, executionLog));
    Files.writeString(pipelines.resolve("upstream.yaml"), """
        name: upstream
        params: [{name: region, default: EMEA}]
        stages:
          - {name: s1, type: noop, options: {executionLog: '%s'}}
        """.formatted(executionLog));
    Files.writeString(pipelines.resolve("downstream.yaml"), """
        name: downstream
        trigger: {type: pipeline, pipeline: upstream, params: {area: region}}
        params: [{name: area, default: WORLD}]
        stages:
          - {name: s1, type: noop, options: {executionLog: '%s'}}
        """.formatted(executionLog));
    Files.writeString(pipelines.resolve("writer.yaml"), """
        name: writer
        stages:
          - {name: load, type: external}
        """);
    Files.writeString(pipelines.resolve("watcher.yaml"), """
        name: watcher
        trigger: {type: tables, tables: [curated.orders], mode: any}
        stages:
          - {name: s1, type: noop, options: {executionLog: '%s'}}
        """.formatted(executionLog));
    Files.writeString(pipelines.resolve("landed.yaml"), """
        name: landed
        trigger: {type: objects, bucket: archive, prefix: orders/, requiredFiles: [data.csv, _SUCCESS]}
        stages:
          - {name: s1, type: noop, options: {durationMs: 1000, executionLog: '%s'}}
        """.formatted(executionLog));
    Files.writeString(pipelines.resolve("limited.yaml"), """
        name: limited
        maxActiveRuns: 2
        stages:
          - {name: s1, type: noop, options: {durationMs: 300, executionLog: '%s'}}
        """.formatted(executionLog));
    Files.writeString(pipelines.resolve("low.yaml"), """
        name: low
        stages:
          - {name: x, type: external}
        """);
    Files.writeString(pipelines.resolve("high.yaml"), """
        name: high
        priority: 5
        stages:
          - {name: x, type: external}
        """);
    local = new LocalServices(new Workspace(home, repository, pipelines));
    config = local.config(local.ensureRunning(quiet()).endpoints());
    control = new TopicReader.Tail(config, "baton.control");
  }

  /** A test that failed half-way leaves no controller behind for the next (it would go on reading the topics). */
  @AfterEach
  void stopControllers() throws InterruptedException {
    for (Process controller : controllers) {
      controller.destroyForcibly().waitFor();
    }
  }

  @AfterAll
  static void down() {
    controllers.forEach(Process::destroyForcibly);
    if (control != null) {
      control.close();
    }
    if (local != null) {
      local.stack().down();
    }
  }

  @Test
  @Order(1)
  void everyTickRunsOnceAcrossAStopAcrossThreeTicksAndAKillAtATick() throws Exception {
    Instant firstStart = Instant.now();
    Process first = startController(1);
    awaitRuns(runs -> succeeded(runs) >= 2, "two ticks' runs");

    // down across three ticks: the clock source replays their seconds when the controller is back, and their runs
    // start (decided less than 60 s late, so on time whatever catchUp says: its modes are RunTransitionsScheduleTest's)
    BatonRun.stopController(first);
    Instant downFrom = Instant.now();
    Instant downUntil = downFrom.plusMillis(3 * PERIOD_MS + 1_000);
    awaitClock(downUntil);
    Process second = startController(2);
    List<Instant> downTicks = new ScheduleTrigger("*/5 * * * * ?", "UTC", null, null).ticks(downFrom, downUntil);
    assertThat(downTicks).hasSizeGreaterThanOrEqualTo(3);
    awaitRuns(runs -> downTicks.stream().allMatch(tick -> succeeded(runs.get(runId(tick)))), "the down time's ticks");

    // SIGKILL as soon as the micro-batch deciding a tick has launched its run, before it is committed (mostly):
    // the restarted controller replays that micro-batch
    Instant killedTick = Instant.ofEpochMilli((System.currentTimeMillis() / PERIOD_MS + 2) * PERIOD_MS);
    awaitClock(killedTick);
    Path log2 = home.resolve("controller-2.log");
    int launchesBefore = launchLines(log2).size();
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (launchLines(log2).size() == launchesBefore && System.nanoTime() < deadline) {
      Thread.sleep(5); // polling the controller's log for the launch line: no event reaches across processes
    }
    second.destroyForcibly().waitFor();
    List<String> launches = launchLines(log2);
    assertThat(launches.size()).as("controller 2 launched the tick's run before the kill").isGreaterThan(launchesBefore);
    Process third = startController(3);
    Instant after = killedTick.plusMillis(2 * PERIOD_MS);
    awaitRuns(runs -> succeeded(runs.get(runId(killedTick))) && succeeded(runs.get(runId(after))),
        "the killed tick's run and a later one");
    BatonRun.stopController(third);
    // what the kill hit, for the record: controller 3 replays the uncommitted micro-batch (same batch id)
    System.out.println("TriggersIT: killed at tick " + killedTick + " after: " + launches.get(launches.size() - 1)
        + "; controller 3's first launch: " + Files.readAllLines(home.resolve("controller-3.log")).stream()
            .filter(line -> line.contains("LaunchStage=") || line.contains("Not launching")).findFirst().orElse("none"));

    // every tick from the first run's to the last run's has exactly one run, which succeeded
    Map<String, List<ControlEvent>> runs = runs();
    Map<Instant, String> candidates = new TreeMap<>();
    for (long ms = firstStart.toEpochMilli() / PERIOD_MS * PERIOD_MS; ms <= System.currentTimeMillis(); ms += PERIOD_MS) {
      candidates.put(Instant.ofEpochMilli(ms), runId(Instant.ofEpochMilli(ms)));
    }
    assertThat(candidates.values()).as("runs of %s that are no 5 s tick", PIPELINE).containsAll(runs.keySet());
    List<Instant> ticks = candidates.entrySet().stream().filter(e -> runs.containsKey(e.getValue()))
        .map(Map.Entry::getKey).toList();
    List<Instant> everyTick = new ArrayList<>();
    for (Instant tick = ticks.get(0); !tick.isAfter(ticks.get(ticks.size() - 1)); tick = tick.plusMillis(PERIOD_MS)) {
      everyTick.add(tick);
    }
    assertThat(ticks).as("ticks with a run").containsExactlyElementsOf(everyTick).containsAll(downTicks).contains(killedTick);
    for (Instant tick : ticks) {
      List<ControlEvent> events = runs.get(runId(tick));
      assertThat(succeeded(events)).as("run of %s succeeded: %s", tick, events).isTrue();
      assertThat(events.stream().filter(e -> e.getPayload() instanceof RunCompleted).count())
          .as("RunCompleted of the run of %s", tick).isEqualTo(1);
    }
    // the stage's own side effect: no attempt executed twice; an attempt killed with its controller is retried
    Map<String, Long> executions = Files.readAllLines(executionLog).stream()
        .collect(Collectors.groupingBy(line -> line, Collectors.counting()));
    assertThat(executions).allSatisfy((attempt, count) -> assertThat(count).as(attempt).isEqualTo(1));
    for (Instant tick : ticks.stream().filter(tick -> !tick.equals(killedTick)).toList()) {
      assertThat(executions).as("executions of the run of %s", tick).containsKey(runId(tick) + "/s1/1");
    }
    // the killed tick's attempt 1 ran when the kill came after it started; when it came after the launch was
    // journaled but before the in-process attempt ran, controller 3 finds attempt 1 LOST and attempt 2 runs it
    assertThat(executions.keySet()).as("executions of the killed tick's run, %s", killedTick)
        .anyMatch(attempt -> attempt.startsWith(runId(killedTick) + "/s1/"));
    // the ledger: the tick's parameters
    String killedRun = runId(killedTick);
    LedgerReader.RunRecord record = Polling.awaitLedgerRun(config, killedRun, "SUCCEEDED");
    assertThat(record.triggerKey()).isEqualTo("schedule/" + killedTick);
    assertThat(record.params()).containsEntry("scheduledTime", killedTick.toString())
        .containsEntry("date", killedTick.atZone(java.time.ZoneOffset.UTC).toLocalDate().toString());
  }

  @Test
  @Order(2)
  void anUpstreamSuccessAndANewTableSnapshotEachStartTheirRunOnceUnderADuplicateStorm() throws Exception {
    // this controller's external stages share one slot (the attempt pool's test, last in this chain)
    Map<String, String> pooled = new HashMap<>(config);
    pooled.put("controller.max-concurrent-attempts.type.external", "1");
    Path pooledConfig = home.resolve("pooled.properties");
    LocalServices.writeConfigFile(pooled, pooledConfig, home.resolve("pooled-secrets.properties"));
    Process controller = startController(4, "--config", pooledConfig.toString());
    String upstreamRun = RunIds.of("upstream", "storm-1");
    String triggerKey = "pipeline/upstream/" + upstreamRun;
    String downstreamRun = RunIds.of("downstream", triggerKey);
    try (ControlEventPublisher publisher = new ControlEventPublisher(new HashMap<>(LocalServices.kafkaSettings(config)),
        EventSerde.builtIn())) {
      for (int i = 0; i < 5; i++) { // the same request five times
        publisher.publish(ControlEvents.requested(upstreamRun, "upstream",
            new RunRequested("storm-1", Map.of("region", "APAC"), "it", null), Instant.now()));
      }
      awaitRuns("downstream", runs -> succeeded(runs.get(downstreamRun)), "the downstream run");
      // the storm: every event of both runs delivered three more times
      List<ControlEvent> delivered = new ArrayList<>(runs("upstream").get(upstreamRun));
      delivered.addAll(runs("downstream").get(downstreamRun));
      for (int i = 0; i < 3; i++) {
        delivered.forEach(publisher::publish);
      }
    }
    // the controller has read the storm when it has counted the repeated requests of the downstream run as ignored
    Path log = home.resolve("controller-4.log");
    String ignoredRequest = "Ignored duplicate RunRequested of run " + downstreamRun;
    Polling.await(() -> logLines(log, ignoredRequest).size() >= 3, Duration.ofMinutes(2),
        "repeated requests of " + downstreamRun + " counted as ignored");

    Map<String, List<ControlEvent>> downstream = runs("downstream");
    assertThat(downstream).as("runs of downstream").containsOnlyKeys(downstreamRun);
    List<ControlEvent> events = downstream.get(downstreamRun);
    assertThat(TopicReader.launches(events).stream().distinct()).as("launches of the downstream run").containsOnly("s1#1");
    assertThat(Files.readAllLines(executionLog)).filteredOn(line -> line.startsWith(downstreamRun + "/"))
        .containsExactly(downstreamRun + "/s1/1");
    assertThat(Files.readAllLines(executionLog)).filteredOn(line -> line.startsWith(upstreamRun + "/"))
        .containsExactly(upstreamRun + "/s1/1");
    LedgerReader.RunRecord record = Polling.awaitLedgerRun(config, downstreamRun, "SUCCEEDED");
    assertThat(record.triggerKey()).isEqualTo(triggerKey);
    assertThat(record.params()).containsEntry("area", "APAC");

    aNewSnapshotOfAWatchedTableStartsTheWatchingPipelineOnceUnderADuplicateStorm(controller, log);
  }

  /** On the controller of the pipeline trigger's test (one controller start less for CI). */
  private void aNewSnapshotOfAWatchedTableStartsTheWatchingPipelineOnceUnderADuplicateStorm(Process controller, Path log)
      throws Exception {
    List<String> watcherRuns = new ArrayList<>();
    try (ControlEventPublisher publisher = new ControlEventPublisher(new HashMap<>(LocalServices.kafkaSettings(config)),
        EventSerde.builtIn())) {
      for (long snapshot : List.of(101L, 102L)) {
        String writerRun = RunIds.of("writer", "w-" + snapshot);
        publisher.publish(ControlEvents.requested(writerRun, "writer", new RunRequested("w-" + snapshot, Map.of(), "it",
            null), Instant.now()));
        awaitRuns("writer", runs -> runs.containsKey(writerRun) && TopicReader.launches(runs.get(writerRun))
            .contains("load#1"), "the writer's external stage launched");
        // the outside job reports its commit, four times
        ControlEvent completed = ControlEvents.completed(writerRun, "writer", StageCompleted.newBuilder().setStage("load")
            .setAttempt(1).setStatus(StageStatus.SUCCEEDED).setStartedAt(Instant.now().minusSeconds(1))
            .setFinishedAt(Instant.now()).setOutputs(List.of(new StageOutput("curated.orders", snapshot, 10L))).build());
        for (int i = 0; i < 4; i++) {
          publisher.publish(completed);
        }
        String watcherRun = RunIds.of("watcher",
            TablesTrigger.triggerKey(new java.util.TreeMap<>(Map.of("curated.orders", snapshot))));
        watcherRuns.add(watcherRun);
        awaitRuns("watcher", runs -> succeeded(runs.get(watcherRun)), "the watcher's run for snapshot " + snapshot);
      }
    }
    String ignoredUpdate = "Ignored duplicate TablesUpdated of run tables:watcher";
    Polling.await(() -> logLines(log, ignoredUpdate).size() >= 6, Duration.ofMinutes(2),
        "repeated table updates counted as ignored");
    assertThat(logLines(log, ignoredUpdate)).as("repeated table updates counted as ignored").hasSize(6);
    assertThat(runs("watcher")).as("runs of watcher").containsOnlyKeys(watcherRuns);
    for (String watcherRun : watcherRuns) {
      assertThat(Files.readAllLines(executionLog)).filteredOn(line -> line.startsWith(watcherRun + "/"))
          .containsExactly(watcherRun + "/s1/1");
    }
    aBackfillOverAPrefixRunsEachBatchOnceWithinMaxActiveAndResumesAfterAKill();
    fiftyTriggersOfAPipelineWithMaxActiveRunsTwoRunAtMostTwoAtOnceInTriggerOrder();
    attemptsOfAPoolWithOneSlotLaunchOneAtATimeHigherPriorityFirst();
    BatonRun.stopController(controller);
  }

  /** On the controller of the pipeline trigger's test too. */
  private void aBackfillOverAPrefixRunsEachBatchOnceWithinMaxActiveAndResumesAfterAKill() throws Exception {
    int maxActive = 3;
    List<String> batches = new ArrayList<>();
    try (S3Client s3 = S3Settings.client(config)) {
      s3.createBucket(b -> b.bucket("archive"));
      for (int i = 0; i <= 30; i++) {
        String batch = String.format("b%02d", i);
        s3.putObject(b -> b.bucket("archive").key("orders/" + batch + "/data.csv"), RequestBody.fromString(batch));
        if (i < 30) { // b30 lacks its _SUCCESS: incomplete
          s3.putObject(b -> b.bucket("archive").key("orders/" + batch + "/_SUCCESS"), RequestBody.empty());
          batches.add(batch);
        }
      }
    }
    List<String> expectedRuns = batches.stream().map(batch -> RunIds.of("landed", "archive/orders/" + batch + "/")).toList();

    // 10 batches done before (b00 to b09), requested with their live trigger's keys
    try (ControlEventPublisher publisher = new ControlEventPublisher(new HashMap<>(LocalServices.kafkaSettings(config)),
        EventSerde.builtIn())) {
      for (int i = 0; i < 10; i++) {
        publisher.publish(ControlEvents.requested(expectedRuns.get(i), "landed", new RunRequested(
            "archive/orders/" + batches.get(i) + "/", Map.of("batch", batches.get(i)), "it", null), Instant.now()));
      }
    }
    for (String runId : expectedRuns.subList(0, 10)) {
      Polling.awaitLedgerRun(config, runId, "SUCCEEDED");
    }

    BatonRun dryRun = backfill("--prefix", "orders/", "--dry-run");
    assertThat(dryRun.exitCode()).as(dryRun.out() + dryRun.err()).isZero();
    assertThat(count(dryRun, "batches found")).isEqualTo(30);
    assertThat(count(dryRun, "incomplete (files missing, not started)")).isEqualTo(1);
    assertThat(count(dryRun, "already SUCCEEDED, skipped")).isEqualTo(10);
    assertThat(count(dryRun, "to submit")).isEqualTo(20);
    assertThat(dryRun.out()).contains("incomplete batch b30: missing [_SUCCESS]");
    assertThat(runs("landed")).as("runs after the dry run").hasSize(10);

    // the rest, the backfill killed once 5 of its runs succeeded, then run again; the ledger sampled all along
    LedgerSampler ledger = new LedgerSampler("landed");
    Path interruptedLog = home.resolve("backfill-interrupted.log");
    Process interrupted = backfillProcess("--prefix", "orders/", "--max-active", String.valueOf(maxActive))
        .redirectErrorStream(true).redirectOutput(interruptedLog.toFile()).start();
    try {
      Polling.await(() -> succeeded(runs("landed")) >= 15 || !interrupted.isAlive(), Duration.ofMinutes(2),
          "5 runs of the backfill succeeded");
      interrupted.destroyForcibly().waitFor();
      assertThat(succeeded(runs("landed"))).as("runs when the backfill was killed (its log: %s)",
          Files.readString(interruptedLog)).isLessThan(30);
      BatonRun resumed = backfill("--prefix", "orders/", "--max-active", String.valueOf(maxActive));
      assertThat(resumed.exitCode()).as(resumed.out() + resumed.err()).isZero();
      assertThat(count(resumed, "batches found")).isEqualTo(30);
      assertThat(count(resumed, "already SUCCEEDED, skipped")).isGreaterThanOrEqualTo(15);
      assertThat(resumed.err()).as("the progress bar").contains("backfill");
    } finally {
      ledger.stop();
    }

    Map<String, List<ControlEvent>> runs = runs("landed");
    assertThat(runs.keySet()).as("runs of landed").containsExactlyInAnyOrderElementsOf(expectedRuns);
    for (String runId : expectedRuns) {
      assertThat(succeeded(runs.get(runId))).as("run %s succeeded", runId).isTrue();
      assertThat(Files.readAllLines(executionLog)).filteredOn(line -> line.startsWith(runId + "/"))
          .as("executions of %s", runId).containsExactly(runId + "/s1/1");
    }
    // the backfill's runs, active from their first request to their completion by the events' own times: at most
    // maxActive at once (the 10 requested before all at once are not the backfill's)
    List<long[]> intervals = new ArrayList<>();
    expectedRuns.subList(10, 30).stream().map(runs::get).forEach(events -> intervals.add(new long[] {
        events.stream().filter(e -> e.getPayload() instanceof RunRequested).mapToLong(e -> e.getTime().toEpochMilli())
            .min().orElseThrow(),
        events.stream().filter(e -> e.getPayload() instanceof RunCompleted).mapToLong(e -> e.getTime().toEpochMilli())
            .min().orElseThrow()}));
    assertThat(mostOverlapping(intervals)).as("runs active at once, from the control topic").isBetween(2, maxActive);
    assertThat(ledger.most("RUNNING") + ledger.most("WAITING")).as("runs RUNNING or WAITING at once in the ledger")
        .isBetween(1, maxActive);
  }

  /** On the controller of the pipeline trigger's test too. */
  private void fiftyTriggersOfAPipelineWithMaxActiveRunsTwoRunAtMostTwoAtOnceInTriggerOrder() throws Exception {
    List<String> runIds = new ArrayList<>();
    LedgerSampler ledger = new LedgerSampler("limited");
    try (ControlEventPublisher publisher = new ControlEventPublisher(new HashMap<>(LocalServices.kafkaSettings(config)),
        EventSerde.builtIn())) {
      Instant base = Instant.now();
      for (int i = 0; i < 50; i++) { // published in one go, triggered 1 ms apart: the order the queue keeps
        String key = String.format("limited-%02d", i);
        runIds.add(RunIds.of("limited", key));
        publisher.publish(ControlEvents.requested(runIds.get(i), "limited", new RunRequested(key, Map.of(), "it", null),
            base.plusMillis(i)));
      }
      awaitRuns("limited", runs -> runIds.stream().allMatch(runId -> succeeded(runs.get(runId))), "the 50 runs");
      Polling.awaitLedgerRun(config, runIds.get(49), "SUCCEEDED");
    } finally {
      ledger.stop();
    }
    Map<String, List<ControlEvent>> runs = runs("limited");
    assertThat(runs.keySet()).containsExactlyInAnyOrderElementsOf(runIds);
    List<Long> admittedAt = new ArrayList<>();
    List<long[]> intervals = new ArrayList<>();
    for (String runId : runIds) {
      List<ControlEvent> events = runs.get(runId);
      assertThat(events).filteredOn(e -> e.getPayload() instanceof RunCompleted).as("completions of %s", runId).hasSize(1);
      assertThat(Files.readAllLines(executionLog)).filteredOn(line -> line.startsWith(runId + "/"))
          .as("executions of %s", runId).containsExactly(runId + "/s1/1");
      long admitted = events.stream().filter(e -> e.getPayload() instanceof dev.baton.schemas.event.RunAdmitted)
          .mapToLong(e -> e.getTime().toEpochMilli()).min().orElseThrow();
      admittedAt.add(admitted);
      intervals.add(new long[] {admitted, events.stream().filter(e -> e.getPayload() instanceof RunCompleted)
          .mapToLong(e -> e.getTime().toEpochMilli()).min().orElseThrow()});
    }
    assertThat(admittedAt).as("admission times in trigger order").isSorted();
    assertThat(mostOverlapping(intervals)).as("runs holding a slot at once, from the control topic").isEqualTo(2);
    assertThat(ledger.most("RUNNING")).as("runs RUNNING at once in the ledger").isBetween(1, 2);
    assertThat(ledger.most("QUEUED")).as("runs QUEUED at once in the ledger").isGreaterThan(2);
  }

  /**
   * On the controller of the pipeline trigger's test too, whose external stages share one slot: an attempt holds it
   * until its completion (published here, as the outside job would), and the queued ones start higher priority first,
   * then in the order they became ready.
   */
  private void attemptsOfAPoolWithOneSlotLaunchOneAtATimeHigherPriorityFirst() throws Exception {
    List<String> order = List.of("low/1", "low/2", "low/3", "high/1", "high/2"); // trigger order
    Map<String, String> runIds = new java.util.LinkedHashMap<>();
    order.forEach(name -> runIds.put(name, RunIds.of(name.split("/")[0], "pool-" + name)));
    try (ControlEventPublisher publisher = new ControlEventPublisher(new HashMap<>(LocalServices.kafkaSettings(config)),
        EventSerde.builtIn())) {
      // low/1 first, alone: it takes the slot; the others queue behind it
      request(publisher, "low/1", runIds);
      awaitRuns("low", runs -> TopicReader.launches(runs.getOrDefault(runIds.get("low/1"), List.of())).contains("x#1"),
          "low/1 launched");
      for (String name : order.subList(1, order.size())) {
        request(publisher, name, runIds);
        // queued in a micro-batch of its own, so the attempts became ready in trigger order (within a micro-batch,
        // the slots order them by id)
        String pipeline = name.split("/")[0];
        awaitRuns(pipeline, runs -> runs.getOrDefault(runIds.get(name), List.of()).stream()
            .anyMatch(e -> e.getPayload() instanceof dev.baton.schemas.event.AttemptQueued), name + " queued");
      }
      String lastQueued = runIds.get("low/3");
      Polling.await(() -> ledgerAttemptStatus(lastQueued).equals("QUEUED"), Duration.ofMinutes(1),
          "low/3's attempt QUEUED in the ledger");
      // each launched attempt in turn completes; the next one launches only then
      List<String> launched = new ArrayList<>(List.of("low/1"));
      for (int i = 0; i < order.size(); i++) {
        String current = launched.get(i);
        assertThat(launchedNow(runIds)).as("attempts launched and not completed, before %s completes", current)
            .containsExactly(current);
        publisher.publish(ControlEvents.completed(runIds.get(current), current.split("/")[0], StageCompleted.newBuilder()
            .setStage("x").setAttempt(1).setStatus(StageStatus.SUCCEEDED).setStartedAt(Instant.now().minusSeconds(1))
            .setFinishedAt(Instant.now()).setOutputs(List.of()).build()));
        if (i + 1 < order.size()) {
          Polling.await(() -> launchedNow(runIds).size() == 1, Duration.ofMinutes(1), "the next attempt after " + current);
          launched.add(launchedNow(runIds).get(0));
        }
      }
      assertThat(launched).as("launch order").containsExactly("low/1", "high/1", "high/2", "low/2", "low/3");
    }
    for (Map.Entry<String, String> run : runIds.entrySet()) {
      String pipeline = run.getKey().split("/")[0];
      awaitRuns(pipeline, runs -> succeeded(runs.get(run.getValue())), run.getKey() + " succeeded");
    }
  }

  private static void request(ControlEventPublisher publisher, String name, Map<String, String> runIds) {
    String pipeline = name.split("/")[0];
    publisher.publish(ControlEvents.requested(runIds.get(name), pipeline, new RunRequested("pool-" + name, Map.of(), "it",
        null), Instant.now()));
  }

  /** Of {@code runIds}, those whose attempt 1 of x was launched and has not completed, from the control topic. */
  private static List<String> launchedNow(Map<String, String> runIds) {
    Map<String, List<ControlEvent>> runs = new HashMap<>(runs("low"));
    runs.putAll(runs("high"));
    List<String> launched = new ArrayList<>();
    runIds.forEach((name, runId) -> {
      List<ControlEvent> events = runs.getOrDefault(runId, List.of());
      if (TopicReader.launches(events).contains("x#1") && events.stream().noneMatch(e -> e.getPayload() instanceof StageCompleted)) {
        launched.add(name);
      }
    });
    return launched;
  }

  private static String ledgerAttemptStatus(String runId) {
    return new LedgerReader(CatalogConfig.fromConfig(CatalogConfig.DEFAULT_NAME, config).create()).attempts(runId).stream()
        .map(LedgerReader.AttemptRecord::status).findFirst().orElse("none");
  }

  /** Samples a pipeline's runs per status in the ledger every 200 ms, in a thread of its own, until stopped. */
  private static final class LedgerSampler {
    private final Map<String, Integer> most = new java.util.concurrent.ConcurrentHashMap<>();
    private final AtomicBoolean sampling = new AtomicBoolean(true);
    private final Thread thread;

    LedgerSampler(String pipeline) {
      thread = new Thread(() -> {
        while (sampling.get()) {
          Map<String, Integer> counts = new HashMap<>();
          new LedgerReader(CatalogConfig.fromConfig(CatalogConfig.DEFAULT_NAME, config).create())
              .runs(pipeline, null, Integer.MAX_VALUE).forEach(run -> counts.merge(run.status(), 1, Integer::sum));
          counts.forEach((status, count) -> most.merge(status, count, Math::max));
          try {
            Thread.sleep(200); // the sampling interval
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
          }
        }
      }, "ledger-sampler-" + pipeline);
      thread.start();
    }

    /** The most runs seen at once with {@code status}. */
    int most(String status) {
      return most.getOrDefault(status, 0);
    }

    void stop() throws InterruptedException {
      sampling.set(false);
      thread.join();
    }
  }

  /** The most intervals {@code [start, end)} (epoch ms) that hold one instant. */
  private static int mostOverlapping(List<long[]> intervals) {
    TreeMap<Long, Integer> changes = new TreeMap<>();
    for (long[] interval : intervals) {
      changes.merge(interval[0], 1, Integer::sum);
      changes.merge(interval[1], -1, Integer::sum);
    }
    int active = 0;
    int most = 0;
    for (int change : changes.values()) {
      active += change;
      most = Math.max(most, active);
    }
    return most;
  }

  /** {@code baton backfill landed <args>} in its own JVM, on this test's workspace; returns once it exits. */
  private static BatonRun backfill(String... args) throws IOException, InterruptedException {
    Path out = Files.createTempFile(home, "backfill", ".out");
    Path err = Files.createTempFile(home, "backfill", ".err");
    Process process = backfillProcess(args).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
    if (!process.waitFor(5, java.util.concurrent.TimeUnit.MINUTES)) {
      process.destroyForcibly();
      throw new AssertionError("baton backfill " + String.join(" ", args) + " did not end within 5 minutes: "
          + Files.readString(out) + Files.readString(err));
    }
    return new BatonRun(process.exitValue(), Files.readString(out), Files.readString(err));
  }

  private static ProcessBuilder backfillProcess(String... args) throws IOException {
    List<String> cliArgs = new ArrayList<>(List.of("backfill", "landed"));
    cliArgs.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(BatonRun.javaCommand(repository, List.of(), cliArgs.toArray(String[]::new)));
    builder.environment().put("BATON_HOME", home.toString());
    builder.environment().put("BATON_PIPELINES", pipelines.toString());
    return builder;
  }

  /** The count of a row of a backfill's summary table. */
  private static int count(BatonRun run, String row) {
    return run.out().lines().filter(line -> line.startsWith(row + " ") && line.substring(row.length()).trim().matches("\\d+"))
        .map(line -> Integer.parseInt(line.substring(row.length()).trim())).findFirst()
        .orElseThrow(() -> new AssertionError("no row '" + row + "' in: " + run.out()));
  }

  /** The lines of a controller's log holding every one of {@code fragments}, in order. */
  private static List<String> logLines(Path log, String... fragments) {
    try {
      return Files.readAllLines(log).stream().filter(line -> java.util.Arrays.stream(fragments).allMatch(line::contains))
          .toList();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException("Cannot read " + log, e);
    }
  }

  /** Lines of a controller's log saying a micro-batch launched a stage (the controller ITs' DEBUG line). */
  private static List<String> launchLines(Path log) {
    return logLines(log, "Micro-batch", "LaunchStage=");
  }

  private static String runId(Instant tick) {
    return RunIds.of(PIPELINE, ScheduleTrigger.triggerKey(tick));
  }

  private static boolean succeeded(List<ControlEvent> events) {
    return events != null && events.stream().anyMatch(e -> e.getPayload() instanceof RunCompleted completed
        && completed.getStatus() == RunStatus.SUCCEEDED);
  }

  private static long succeeded(Map<String, List<ControlEvent>> runs) {
    return runs.values().stream().filter(TriggersIT::succeeded).count();
  }

  private static Map<String, List<ControlEvent>> runs() {
    return runs(PIPELINE);
  }

  /**
   * A pipeline's control events by runId, from the start of the control topic: the records written since the last
   * call are read and decoded once, by one consumer for the whole class.
   */
  private static Map<String, List<ControlEvent>> runs(String pipeline) {
    EventSerde serde = EventSerde.builtIn();
    for (ConsumerRecord<String, byte[]> record : control.readNew()) {
      ControlEvent event = serde.deserialize(record.value(), ControlEvent.class);
      controlEvents.computeIfAbsent(event.getPipeline(), p -> new HashMap<>())
          .computeIfAbsent(event.getRunId(), k -> new ArrayList<>()).add(event);
    }
    Map<String, List<ControlEvent>> runs = new HashMap<>();
    controlEvents.getOrDefault(pipeline, Map.of()).forEach((runId, events) -> runs.put(runId, List.copyOf(events)));
    return runs;
  }

  private static void awaitRuns(Predicate<Map<String, List<ControlEvent>>> done, String what) throws InterruptedException {
    awaitRuns(PIPELINE, done, what);
  }

  private static void awaitRuns(String pipeline, Predicate<Map<String, List<ControlEvent>>> done, String what)
      throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
    while (System.nanoTime() < deadline) {
      if (done.test(runs(pipeline))) {
        return;
      }
      Thread.sleep(500); // polling the control topic for a condition
    }
    throw new AssertionError("Not within 2 minutes: " + what + "; runs: " + runs(pipeline).keySet());
  }

  /** Waits until the wall clock passes {@code instant}: the ticks are wall-clock times. */
  private static void awaitClock(Instant instant) throws InterruptedException {
    long waitMs = instant.toEpochMilli() - System.currentTimeMillis();
    if (waitMs > 0) {
      Thread.sleep(waitMs); // the condition is the time itself
    }
  }

  private static Process startController(int number, String... args) throws IOException, InterruptedException {
    Process process = BatonRun.startController(repository, home, pipelines,
        home.resolve("controller-" + number + ".log"), "Controller " + number, args);
    controllers.add(process);
    return process;
  }

  private static PrintStream quiet() {
    return new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
  }
}
