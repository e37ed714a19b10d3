package dev.baton.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.catalog.CatalogConfig;
import dev.baton.control.RunIds;
import dev.baton.control.ledger.LedgerReader;
import dev.baton.schemas.ControlEvents;
import dev.baton.schemas.EventSerde;
import dev.baton.schemas.event.ControlEvent;
import dev.baton.schemas.event.RunRequested;
import dev.baton.schemas.event.RunStatus;
import dev.baton.schemas.event.StageLaunched;
import dev.baton.stages.runner.ControlEventPublisher;
import java.io.ByteArrayOutputStream;
import java.io.File;
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
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The controller process is killed with SIGKILL while a stage runs, and restarted on the same
 * checkpoint: the run still completes, the attempt that died with the process is declared LOST
 * and retried, and no (runId, stage, attempt) is launched twice.
 */
class ControllerKillIT {
  private static LocalServices local;
  private static Map<String, String> config;
  private static Path home;
  private static Path pipelines;
  private static Path repository;
  private static final List<Process> controllers = new ArrayList<>();

  @BeforeAll
  static void up() throws Exception {
    repository = Path.of(System.getProperty("baton.repo.dir")).toAbsolutePath();
    home = Files.createTempDirectory(repository.resolve("cli/target"), "it-kill");
    pipelines = Files.createDirectories(home.resolve("pipelines"));
    // four slow steps in a chain; an attempt silent for 20 s is LOST and retried
    StringBuilder yaml = new StringBuilder("""
        name: slow-chain
        defaults: {retry: {maxAttempts: 3, initialBackoffMs: 100, maxBackoffMs: 200}, timeoutMs: 20000}
        stages:
        """);
    for (int i = 1; i <= 4; i++) {
      yaml.append("  - name: step").append(i).append('\n')
          .append("    type: sql\n")
          .append(i == 1 ? "" : "    dependsOn: [step" + (i - 1) + "]\n")
          .append("    options: {table: curated.slow_step").append(i)
          .append(", query: \"SELECT sum(id % 7) AS s FROM range(0, 800000000)\"}\n");
    }
    Files.writeString(pipelines.resolve("slow-chain.yaml"), yaml.toString());
    local = new LocalServices(new Workspace(home, repository, pipelines));
    config = local.config(local.ensureRunning(quiet()).endpoints());
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
      publisher.publish(ControlEvents.requested(runId, "slow-chain", new RunRequested(triggerKey, Map.of(), "it"),
          Instant.now()));
    }

    // kill -9 while step2 runs
    awaitControlEvents(runId, events -> launches(events).contains("step2#1"), Duration.ofMinutes(3));
    first.destroyForcibly().waitFor();
    assertThat(first.exitValue()).isEqualTo(137); // 128 + SIGKILL

    startController(2);
    List<ControlEvent> events = awaitControlEvents(runId,
        all -> all.stream().anyMatch(e -> e.getPayload() instanceof dev.baton.schemas.event.RunCompleted),
        Duration.ofMinutes(4));

    dev.baton.schemas.event.RunCompleted completed = events.stream()
        .filter(e -> e.getPayload() instanceof dev.baton.schemas.event.RunCompleted)
        .map(e -> (dev.baton.schemas.event.RunCompleted) e.getPayload()).findFirst().orElseThrow();
    assertThat(completed.getStatus()).isEqualTo(RunStatus.SUCCEEDED);
    List<String> launches = launches(events);
    assertThat(launches).doesNotHaveDuplicates();
    assertThat(launches).contains("step1#1", "step2#1", "step2#2", "step3#1", "step4#1");
    assertThat(launches.indexOf("step3#1")).isGreaterThan(launches.indexOf("step2#2"));

    LedgerReader ledger = new LedgerReader(CatalogConfig.fromConfig(CatalogConfig.DEFAULT_NAME, config).create());
    assertThat(ledger.attempts(runId)).extracting(a -> a.stage() + "#" + a.attempt() + "=" + a.status())
        .contains("step2#1=LOST", "step2#2=SUCCEEDED", "step4#1=SUCCEEDED");
  }

  private static List<String> launches(List<ControlEvent> events) {
    return events.stream().filter(e -> e.getPayload() instanceof StageLaunched)
        .map(e -> ((StageLaunched) e.getPayload()).getStage() + "#" + ((StageLaunched) e.getPayload()).getAttempt())
        .toList();
  }

  /** Reads the run's control events from the start until {@code done} holds. */
  private static List<ControlEvent> awaitControlEvents(String runId,
      java.util.function.Predicate<List<ControlEvent>> done, Duration timeout) {
    EventSerde serde = EventSerde.builtIn();
    try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(Map.of(
        "bootstrap.servers", config.get("kafka.bootstrap.servers"),
        "key.deserializer", StringDeserializer.class,
        "value.deserializer", ByteArrayDeserializer.class))) {
      List<TopicPartition> partitions = consumer.partitionsFor("baton.control").stream()
          .map(info -> new TopicPartition(info.topic(), info.partition())).toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      List<ControlEvent> events = new ArrayList<>();
      long deadline = System.nanoTime() + timeout.toNanos();
      while (System.nanoTime() < deadline) {
        for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
          if (runId.equals(record.key())) {
            events.add(serde.deserialize(record.value(), ControlEvent.class));
          }
        }
        if (done.test(events)) {
          return events;
        }
      }
      throw new AssertionError("Timed out; control events of " + runId + " so far: " + launches(events));
    }
  }

  /** Starts {@code baton controller} in its own JVM, as ./baton does, and waits until its query runs. */
  private static Process startController(int number) throws IOException, InterruptedException {
    Path log = home.resolve("controller-" + number + ".log");
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(List.of(Files.readString(repository.resolve("cli/target/jvm.flags")).trim().split("\\s+")));
    command.add("-Daws.requestChecksumCalculation=when_required");
    command.add("-Dbaton.repo.dir=" + repository);
    command.add("-cp");
    command.add(repository.resolve("cli/target/classes") + File.pathSeparator
        + Files.readString(repository.resolve("cli/target/classpath.txt")).trim());
    command.add("dev.baton.cli.BatonCli");
    command.add("controller");
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(log.toFile());
    builder.environment().put("BATON_HOME", home.toString());
    builder.environment().put("BATON_PIPELINES", pipelines.toString());
    builder.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
    Process process = builder.start();
    controllers.add(process);
    long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
    while (System.nanoTime() < deadline) {
      if (Files.exists(log) && Files.readString(log).contains("Controller running for pipelines")) {
        return process;
      }
      if (!process.isAlive()) {
        throw new AssertionError("Controller " + number + " exited: " + Files.readString(log));
      }
      Thread.sleep(100); // polling a log file for a condition; no event to wait on across processes
    }
    throw new AssertionError("Controller " + number + " did not start: " + Files.readString(log));
  }

  private static PrintStream quiet() {
    return new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
  }
}
