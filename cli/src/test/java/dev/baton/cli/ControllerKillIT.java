package dev.baton.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.catalog.CatalogConfig;
import dev.baton.cli.config.S3Settings;
import dev.baton.control.ControllerConfig;
import dev.baton.control.launch.JournaledLaunch;
import dev.baton.control.launch.LaunchJournal;
import dev.baton.control.ledger.LedgerReader;
import dev.baton.local.LocalStack;
import dev.baton.schemas.RunIds;
import dev.baton.schemas.ControlEvents;
import dev.baton.schemas.EventSerde;
import dev.baton.schemas.event.ControlEvent;
import dev.baton.schemas.event.RunRequested;
import dev.baton.schemas.event.RunStatus;
import dev.baton.schemas.event.StageLaunched;
import dev.baton.stages.runner.ControlEventPublisher;
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
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The controller process is killed with SIGKILL while a stage runs, and restarted on the same
 * checkpoint: the run still completes, the attempt that died with the process is declared LOST
 * and retried, and no (runId, stage, attempt) is launched twice.
 *
 * <p>Production defaults: no attempt timeout is set (the 6 h default applies), so a lost attempt is
 * recovered only by the restarted controller's reconciliation; and the launch journal is on S3 (the
 * local S3 endpoint, S3 conditional writes), as for a controller pod without a persistent volume.
 * (The checkpoint stays local: S3A checkpoints through the local S3 endpoint fail, as its filesystem
 * store hides the empty directories S3A creates.)
 */
class ControllerKillIT {
  private static LocalServices local;
  private static Map<String, String> config;
  private static Path home;
  private static Path pipelines;
  private static Path repository;
  /** The stack's configuration file with the controller's launch journal on S3. */
  private static Path configFile;
  /** Where the chaos pipeline's stages log each execution (their own side effect). */
  private static Path executionLog;
  private static final List<Process> controllers = new ArrayList<>();

  @BeforeAll
  static void up() throws Exception {
    repository = Path.of(System.getProperty("baton.repo.dir")).toAbsolutePath();
    home = Files.createTempDirectory(repository.resolve("cli/target"), "it-kill");
    pipelines = Files.createDirectories(home.resolve("pipelines"));
    executionLog = home.resolve("executions.log");
    // four slow steps in a chain (10 s each, waiting rather than computing: the kill and the restart, not the CPU,
    // are what is tested); the default attempt timeout (6 h)
    StringBuilder yaml = new StringBuilder("""
        name: slow-chain
        defaults: {retry: {maxAttempts: 3, initialBackoffMs: 100, maxBackoffMs: 200}}
        stages:
        """);
    for (int i = 1; i <= 4; i++) {
      yaml.append("  - name: step").append(i).append('\n')
          .append("    type: noop\n")
          .append(i == 1 ? "" : "    dependsOn: [step" + (i - 1) + "]\n")
          .append("    options: {durationMs: 10000, executionLog: '").append(home.resolve("slow-chain.log")).append("'}\n");
    }
    Files.writeString(pipelines.resolve("slow-chain.yaml"), yaml.toString());
    Files.writeString(pipelines.resolve(CHAOS + ".yaml"), chaosPipeline());
    local = new LocalServices(new Workspace(home, repository, pipelines));
    config = local.config(local.ensureRunning(quiet()).endpoints());
    String journal = LocalStack.WAREHOUSE.replace("s3://", "s3a://") + "it-kill-" + home.getFileName() + "/launches";
    configFile = home.resolve("controller-journal-on-s3.properties");
    List<String> lines = new ArrayList<>(Files.readAllLines(local.configFile()));
    lines.add(ControllerConfig.LAUNCH_JOURNAL_LOCATION + "=" + journal);
    Files.write(configFile, lines);
  }

  /** Each test starts its own controllers on the shared checkpoint: never leave one running for the next. */
  @AfterEach
  void stopControllers() throws InterruptedException {
    for (Process controller : controllers) {
      controller.destroyForcibly().waitFor();
    }
  }

  @AfterAll
  static void down() {
    controllers.forEach(Process::destroyForcibly);
    if (local != null) {
      local.stack().down();
    }
  }

  @Test
  void aRunSurvivesSigkillOfTheControllerAndNoAttemptIsLaunchedTwice() throws Exception {
    Process first = startController(1);
    String triggerKey = "kill-it/" + Demo.newBatchId();
    String runId = RunIds.of("slow-chain", triggerKey);
    try (ControlEventPublisher publisher =
        new ControlEventPublisher(new HashMap<>(LocalServices.kafkaSettings(config)), EventSerde.builtIn())) {
      publisher.publish(ControlEvents.requested(runId, "slow-chain", new RunRequested(triggerKey, Map.of(), "it", null),
          Instant.now()));
    }

    // kill -9 while step2 runs: once its StageLaunched is out and the stage itself has started (its own log line),
    // so the launch is journaled and the attempt can only end as LOST
    awaitControlEvents(runId, events -> TopicReader.launches(events).contains("step2#1"), Duration.ofMinutes(3));
    Polling.await(() -> linesOf(home.resolve("slow-chain.log")).contains(runId + "/step2/1"), Duration.ofMinutes(1),
        "step2#1 running");
    first.destroyForcibly().waitFor();
    assertThat(first.exitValue()).isEqualTo(137); // 128 + SIGKILL

    Instant restarted = Instant.now();
    Process second = startController(2);
    List<ControlEvent> events;
    try {
      events = awaitControlEvents(runId,
          all -> all.stream().anyMatch(e -> e.getPayload() instanceof dev.baton.schemas.event.RunCompleted),
          Duration.ofMinutes(4));
    } catch (AssertionError e) {
      throw new AssertionError(e.getMessage() + "; controller 2 threads: " + threadDump(second, "controller-2"), e);
    }

    dev.baton.schemas.event.RunCompleted completed = events.stream()
        .filter(e -> e.getPayload() instanceof dev.baton.schemas.event.RunCompleted)
        .map(e -> (dev.baton.schemas.event.RunCompleted) e.getPayload()).findFirst().orElseThrow();
    assertThat(completed.getStatus()).isEqualTo(RunStatus.SUCCEEDED);
    List<String> launches = TopicReader.launches(events);
    assertThat(launches).doesNotHaveDuplicates();
    assertThat(launches).contains("step1#1", "step2#1", "step2#2", "step3#1", "step4#1");
    assertThat(launches.indexOf("step3#1")).isGreaterThan(launches.indexOf("step2#2"));
    // with the default 6 h timeout, only the restarted controller's reconciliation can retry it this soon
    Instant retried = events.stream().filter(e -> e.getPayload() instanceof StageLaunched l
            && l.getStage().equals("step2") && l.getAttempt() == 2)
        .map(e -> ((StageLaunched) e.getPayload()).getLaunchedAt()).findFirst().orElseThrow();
    assertThat(Duration.between(restarted, retried)).as("lost attempt retried after the restart")
        .isLessThan(Duration.ofSeconds(30));

    Polling.awaitLedgerRun(config, runId, "SUCCEEDED");
    assertThat(ledger().attempts(runId)).extracting(a -> a.stage() + "#" + a.attempt() + "=" + a.status())
        .contains("step2#1=LOST", "step2#2=SUCCEEDED", "step4#1=SUCCEEDED");
    assertThat(ledger().attempts(runId)).filteredOn(a -> a.stage().equals("step2") && a.attempt() == 1)
        .singleElement().satisfies(a -> assertThat(a.error()).contains("the controller process that launched it"));
  }

  /**
   * The launch journal on the local S3 endpoint: a second recorder of a key, from another journal
   * instance, is refused by the conditional write (412); prune removes a run. (S3Proxy checks and
   * writes in two steps, so concurrent conditional writes are not atomic there as they are on Amazon
   * S3: the recorders here take turns. The controller is the journal's only writer.)
   */
  @Test
  void theLaunchJournalOnS3RecordsEachKeyOnce() {
    String location = LocalStack.WAREHOUSE + "it-kill-" + home.getFileName() + "/journal-test";
    JournaledLaunch launch = new JournaledLaunch("run-s3", "sales", "ingest", 1, "sql", "in-process", "e1", 1L);
    try (S3Client s3 = S3Settings.client(config)) {
      assertThat(LaunchJournal.s3(s3, location).recorded(List.of(launch))).isEmpty();
      List<Boolean> outcomes = new ArrayList<>();
      for (int i = 0; i < 5; i++) { // five controllers: the epochs differ
        outcomes.add(LaunchJournal.s3(s3, location).record(new JournaledLaunch(launch.runId(), launch.pipeline(),
            launch.stage(), launch.attempt(), launch.stageType(), launch.launcher(), i == 0 ? "e1" : "e1-" + i, 1L)));
      }
      assertThat(outcomes).containsExactly(true, false, false, false, false);
      assertThat(LaunchJournal.s3(s3, location).record(launch)).as("the same entry again: a retried create").isTrue();

      LaunchJournal journal = LaunchJournal.s3(s3, location);
      assertThat(journal.recorded(List.of(launch))).containsExactly(launch.launchKey());
      assertThat(journal.unended()).containsExactly(launch);
      assertThat(journal.ended("run-s3", "ingest", 1)).isTrue();
      assertThat(journal.unended()).isEmpty();
      journal.prune("run-s3");
      assertThat(journal.recorded(List.of(launch))).isEmpty();
      assertThat(journal.record(launch)).isTrue();
    }
  }

  /** The chaos pipeline: 12 no-op stages (20–300 ms, 10% injected failures) in a DAG with two diamonds. */
  private static final String CHAOS = "chaos-12";
  private static final Map<String, List<String>> CHAOS_UPSTREAM = chaosUpstream();

  private static Map<String, List<String>> chaosUpstream() {
    Map<String, List<String>> upstream = new java.util.LinkedHashMap<>();
    upstream.put("s1", List.of());
    upstream.put("s2", List.of("s1"));
    upstream.put("s3", List.of("s1"));
    upstream.put("s4", List.of("s2", "s3"));
    upstream.put("s5", List.of("s4"));
    upstream.put("s6", List.of("s4"));
    upstream.put("s7", List.of("s5", "s6"));
    for (int i = 8; i <= 12; i++) {
      upstream.put("s" + i, List.of("s" + (i - 1)));
    }
    return upstream;
  }

  private static String chaosPipeline() {
    StringBuilder yaml = new StringBuilder("name: " + CHAOS + "\n"
        + "defaults: {retry: {maxAttempts: 6, initialBackoffMs: 50, maxBackoffMs: 500}}\nstages:\n");
    CHAOS_UPSTREAM.forEach((stage, upstream) -> yaml.append("  - {name: ").append(stage)
        .append(", type: noop, dependsOn: [").append(String.join(", ", upstream))
        .append("], options: {durationMs: 20, maxDurationMs: 300, failureRate: 0.1, executionLog: '")
        .append(executionLog).append("'}}\n"));
    return yaml.toString();
  }

  /**
   * 50 concurrent runs of a 12-stage pipeline with 10% injected failures; the controller process
   * is SIGKILLed at random moments (10 times; {@code -Dbaton.chaos.kills=20} in the scale profile)
   * and restarted on the same checkpoint each time. Then, from the control topic and the ledger:
   * every run ended; no (run, stage, attempt) launched or executed twice; no stage launched before
   * all its upstream stages SUCCEEDED in the same run; nothing launched in a failed run after its
   * failure, nor downstream of the stage that failed it.
   */
  @Test
  void fiftyRunsSurviveRepeatedSigkillsWithExactlyOnceLaunches() throws Exception {
    int kills = Integer.getInteger("baton.chaos.kills", 10);
    long seed = Long.getLong("baton.chaos.seed", System.nanoTime());
    System.out.println("Chaos IT: " + kills + " kills, seed " + seed + " (-Dbaton.chaos.seed to repeat the kill times)");
    java.util.Random random = new java.util.Random(seed);
    String batch = Demo.newBatchId();
    List<String> runIds = new ArrayList<>();
    Process controller = startController(100);
    try (ControlEventPublisher publisher =
        new ControlEventPublisher(new HashMap<>(LocalServices.kafkaSettings(config)), EventSerde.builtIn())) {
      for (int i = 0; i < 50; i++) {
        String triggerKey = "chaos/" + batch + "/" + i;
        String runId = RunIds.of(CHAOS, triggerKey);
        runIds.add(runId);
        publisher.publishAsync(ControlEvents.requested(runId, CHAOS, new RunRequested(triggerKey, Map.of(), "chaos-it", null),
            Instant.now()));
      }
      publisher.flush();
    }
    java.util.Set<String> ours = new java.util.HashSet<>(runIds);
    for (int kill = 1; kill <= kills; kill++) {
      Thread.sleep(1_000 + random.nextInt(5_000)); // the random moment of the kill, not synchronisation
      controller.destroyForcibly().waitFor();
      assertThat(controller.exitValue()).isEqualTo(137); // 128 + SIGKILL
      controller = startController(100 + kill);
    }
    EventSerde serde = EventSerde.builtIn();
    List<ConsumerRecord<String, byte[]>> records = TopicReader.readUntil(config, "baton.control",
        all -> all.stream().filter(r -> ours.contains(r.key()))
            .filter(r -> serde.deserialize(r.value(), ControlEvent.class).getPayload() instanceof dev.baton.schemas.event.RunCompleted)
            .map(ConsumerRecord::key).distinct().count() == runIds.size(),
        Duration.ofMinutes(8));

    // "<runId>/<stage>/<attempt>" per execution, appended by the noop stage itself when it starts
    Map<String, Map<String, Long>> executions = new java.util.HashMap<>();
    for (String line : Files.readAllLines(executionLog)) {
      int stageAt = line.lastIndexOf('/', line.lastIndexOf('/') - 1);
      String attemptKey = line.substring(stageAt + 1).replace('/', '#');
      executions.computeIfAbsent(line.substring(0, stageAt), k -> new java.util.HashMap<>())
          .merge(attemptKey, 1L, Long::sum);
    }
    Map<String, Map<String, String>> firstCompletions = new java.util.HashMap<>();
    int repeatedLaunchEvents = 0;
    Map<String, java.util.Set<String>> launchedAttempts = new java.util.HashMap<>();
    Map<String, List<ConsumerRecord<String, byte[]>>> byRun = new java.util.HashMap<>();
    records.stream().filter(r -> ours.contains(r.key())).forEach(r -> byRun.computeIfAbsent(r.key(), k -> new ArrayList<>()).add(r));
    int succeeded = 0;
    int attemptsLaunched = 0;
    int retriesLaunched = 0;
    for (String runId : runIds) {
      List<ConsumerRecord<String, byte[]>> events = byRun.get(runId); // one partition: offset order
      Map<String, Long> launchOffsets = new java.util.HashMap<>();
      Map<String, String> firstCompletion = new java.util.HashMap<>();
      Map<String, Long> firstSuccessOffset = new java.util.HashMap<>();
      Map<String, String> lastOutcome = new java.util.HashMap<>();
      dev.baton.schemas.event.RunCompleted last = null;
      long lastCompletedOffset = -1;
      for (ConsumerRecord<String, byte[]> record : events) {
        Object payload = serde.deserialize(record.value(), ControlEvent.class).getPayload();
        if (payload instanceof StageLaunched launched) {
          String key = launched.getStage() + "#" + launched.getAttempt();
          if (launchOffsets.containsKey(key)) {
            // the one allowed repeat: StageLaunched was acknowledged but the kill came before the
            // journal recorded it, so the replayed micro-batch published it again; it launched only then
            // (the execution log below proves at most one execution), and before any completion of it
            assertThat(firstCompletion).as("%s %s StageLaunched again after its completion", runId, key)
                .doesNotContainKey(key);
            repeatedLaunchEvents++;
            continue;
          }
          launchOffsets.put(key, record.offset());
          for (String upstream : CHAOS_UPSTREAM.get(launched.getStage())) {
            assertThat(firstSuccessOffset.get(upstream)).as("%s %s launched before upstream %s SUCCEEDED", runId, key, upstream)
                .isNotNull().isLessThan(record.offset());
          }
          assertThat(last == null || last.getStatus() != RunStatus.FAILED)
              .as("%s %s launched after the run FAILED", runId, key).isTrue();
        } else if (payload instanceof dev.baton.schemas.event.StageCompleted completed) {
          String key = completed.getStage() + "#" + completed.getAttempt();
          firstCompletion.putIfAbsent(key, completed.getStatus().name());
          lastOutcome.put(completed.getStage(), completed.getStatus().name());
          if (completed.getStatus() == dev.baton.schemas.event.StageStatus.SUCCEEDED) {
            firstSuccessOffset.putIfAbsent(completed.getStage(), record.offset());
          }
        } else if (payload instanceof dev.baton.schemas.event.RunCompleted completed) {
          last = completed;
          lastCompletedOffset = record.offset();
        }
      }
      assertThat(last).as("run %s ended", runId).isNotNull();
      // counted from the stages' own side effect: each attempt ran at most once, and only if launched
      Map<String, Long> ran = executions.getOrDefault(runId, Map.of());
      ran.forEach((key, times) -> assertThat(times).as("%s %s executed %d times", runId, key, times).isEqualTo(1));
      assertThat(launchOffsets.keySet()).as("%s: launched attempts", runId).containsAll(ran.keySet());
      firstCompletions.put(runId, firstCompletion);
      launchedAttempts.put(runId, launchOffsets.keySet());
      attemptsLaunched += launchOffsets.size();
      retriesLaunched += (int) launchOffsets.keySet().stream().filter(key -> !key.endsWith("#1")).count();
      if (last.getStatus() == RunStatus.SUCCEEDED) {
        succeeded++;
        assertThat(firstSuccessOffset.keySet()).as("%s SUCCEEDED with every stage", runId).hasSize(12);
      } else {
        assertThat(last.getStatus()).isEqualTo(RunStatus.FAILED);
        assertThat(last.getFailedStages()).isNotEmpty();
        for (String failed : last.getFailedStages()) {
          for (String downstream : downstreamOf(failed)) {
            assertThat(launchOffsets.keySet()).as("%s: %s is downstream of failed %s", runId, downstream, failed)
                .noneMatch(key -> key.startsWith(downstream + "#"));
          }
        }
      }
      final long completedAt = lastCompletedOffset;
      assertThat(launchOffsets.values()).as("%s: no launch after the run completed", runId).allMatch(o -> o < completedAt);
    }
    System.out.printf("Chaos IT: %d kills, %d of %d runs SUCCEEDED, %d attempts launched (%d retries), %d"
        + " StageLaunched republished by a replayed micro-batch%n", kills, succeeded, runIds.size(), attemptsLaunched,
        retriesLaunched, repeatedLaunchEvents);
    // every attempt a kill catches running is LOST and counts against the stage's 6 attempts, so some
    // runs may fail; most must not
    assertThat(succeeded).as("most runs succeed despite the kills").isGreaterThan(runIds.size() / 2);
    assertThat(retriesLaunched).as("failures and kills made retries").isPositive();
    // the ledger agrees with the control topic, run by run and attempt by attempt: one row per
    // launched attempt, with the outcome the controller applied (the attempt's first completion; a
    // later one is stale) unless the run's failure cancelled the attempt first
    for (String runId : runIds) {
      dev.baton.schemas.event.RunCompleted last = byRun.get(runId).stream()
          .map(r -> serde.deserialize(r.value(), ControlEvent.class).getPayload())
          .filter(p -> p instanceof dev.baton.schemas.event.RunCompleted)
          .map(p -> (dev.baton.schemas.event.RunCompleted) p).reduce((a, b) -> b).orElseThrow();
      Polling.awaitLedgerRun(config, runId, last.getStatus().name());
      Map<String, String> recorded = new java.util.HashMap<>();
      ledger().attempts(runId).forEach(a -> recorded.put(a.stage() + "#" + a.attempt(), a.status()));
      assertThat(recorded.keySet()).as("%s: ledger attempts vs launches", runId)
          .containsExactlyInAnyOrderElementsOf(launchedAttempts.get(runId));
      firstCompletions.get(runId).forEach((key, status) -> {
        if (!"CANCELLED".equals(recorded.get(key))) {
          assertThat(recorded.get(key)).as("%s %s in the ledger", runId, key).isEqualTo(status);
        }
      });
    }
  }

  /** Stages that depend on {@code stage}, directly or not. */
  private static java.util.Set<String> downstreamOf(String stage) {
    java.util.Set<String> downstream = new java.util.LinkedHashSet<>();
    boolean grew = true;
    while (grew) {
      grew = false;
      for (var entry : CHAOS_UPSTREAM.entrySet()) {
        if (!downstream.contains(entry.getKey())
            && entry.getValue().stream().anyMatch(u -> u.equals(stage) || downstream.contains(u))) {
          grew = downstream.add(entry.getKey()) || grew;
        }
      }
    }
    return downstream;
  }

  private static LedgerReader ledger() {
    return new LedgerReader(CatalogConfig.fromConfig(CatalogConfig.DEFAULT_NAME, config).create());
  }

  /** Reads the run's control events from the start until {@code done} holds. */
  private static List<ControlEvent> awaitControlEvents(String runId,
      java.util.function.Predicate<List<ControlEvent>> done, Duration timeout) {
    return TopicReader.controlEvents(config, runId, done, timeout);
  }

  /** Writes the process's thread dump (jcmd Thread.print) next to its log and returns the file. */
  private static Path threadDump(Process process, String name) {
    Path file = home.resolve(name + ".threads.txt");
    try {
      new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
          String.valueOf(process.pid()), "Thread.print").redirectErrorStream(true).redirectOutput(file.toFile())
          .start().waitFor();
    } catch (IOException e) {
      return Path.of("(no thread dump: " + e.getMessage() + ")");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return file;
  }

  /** Starts {@code baton controller} in its own JVM, as ./baton does, and waits until its query runs. */
  /** The lines of a file; none while it does not exist. */
  private static List<String> linesOf(Path file) {
    try {
      return Files.exists(file) ? Files.readAllLines(file) : List.of();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static Process startController(int number) throws IOException, InterruptedException {
    Process process = BatonRun.startController(repository, home, pipelines,
        home.resolve("controller-" + number + ".log"), "Controller " + number, "--config", configFile.toString());
    controllers.add(process);
    return process;
  }

  private static PrintStream quiet() {
    return new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
  }
}
