package dev.baton.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.control.pipeline.Pipelines;
import dev.baton.schemas.ControlEvents;
import dev.baton.schemas.EventSerde;
import dev.baton.schemas.RunIds;
import dev.baton.schemas.event.Alert;
import dev.baton.schemas.event.AlertKind;
import dev.baton.schemas.event.RunRequested;
import dev.baton.schemas.event.RunStatus;
import dev.baton.schemas.event.StageStatus;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A controller whose in-process launcher has no room: one thread, no queue. The attempt it refuses
 * is not lost and does not hang: it completes FAILED with error type NO_CAPACITY and its retry
 * policy launches it again. A trigger of the run after it ended raises a TRIGGER_AFTER_END alert.
 */
class LaunchCapacityIT {
  private static final Duration RUN_TIMEOUT = Duration.ofMinutes(3);

  private static LocalServices local;
  private static Map<String, String> config;
  private static SparkSession spark;
  private static ControllerRuntime controller;

  @BeforeAll
  static void startEverything() throws Exception {
    Path repository = Path.of(System.getProperty("baton.repo.dir")).toAbsolutePath();
    Path home = Files.createTempDirectory(repository.resolve("cli/target"), "it-capacity");
    Path pipelineDir = Files.createDirectories(home.resolve("pipelines"));
    // two roots launched in one micro-batch; b finds no thread free while a runs, and retries
    Files.writeString(pipelineDir.resolve("capacity.yaml"), """
        name: capacity
        stages:
          - {name: a, type: noop, options: {durationMs: 1500}}
          - {name: b, type: noop, retry: {maxAttempts: 10, initialBackoffMs: 500, maxBackoffMs: 2000}}
        """);
    local = new LocalServices(new Workspace(home, repository, pipelineDir));
    config = new HashMap<>(local.config(local.ensureRunning(quiet()).endpoints()));
    config.put("spark.master", "local[2]");
    config.put("controller.max-concurrent-stages", "1");
    config.put("controller.max-queued-stages", "0");
    spark = SparkSessions.create("baton-it-capacity", config);
    controller = ControllerRuntime.start(spark, config, Pipelines.load(pipelineDir));
  }

  @AfterAll
  static void stopEverything() {
    if (controller != null) {
      controller.close();
    }
    if (spark != null) {
      spark.stop();
    }
    if (local != null) {
      local.stack().down();
    }
  }

  @Test
  void anAttemptRefusedForLackOfCapacityCompletesFailedAndIsRetried() throws Exception {
    String triggerKey = "it/" + Demo.newBatchId();
    String runId = RunIds.of("capacity", triggerKey);
    RunWatcher.RunReport report;
    try (RunWatcher watcher = new RunWatcher(LocalServices.kafkaSettings(config))) {
      controller.publisher().publish(ControlEvents.requested(runId, "capacity",
          new RunRequested(triggerKey, Map.of(), "it", null), Instant.now()));
      report = watcher.follow(runId, quiet(), RUN_TIMEOUT, () -> controller.controller().query().isActive());
    }

    assertThat(report.completed().getStatus()).isEqualTo(RunStatus.SUCCEEDED);
    assertThat(report.completions()).filteredOn(completed -> completed.getStage().equals("b")
            && completed.getAttempt() == 1)
        .singleElement().satisfies(refused -> {
          assertThat(refused.getStatus()).isEqualTo(StageStatus.FAILED);
          assertThat(refused.getError().getType()).isEqualTo("NO_CAPACITY");
          assertThat(refused.getError().getMessage()).startsWith("Cannot launch attempt " + runId + "/b/1: no capacity");
        });
    assertThat(report.completions()).anySatisfy(completed -> {
      assertThat(completed.getStage()).isEqualTo("b");
      assertThat(completed.getAttempt()).isGreaterThan(1);
      assertThat(completed.getStatus()).isEqualTo(StageStatus.SUCCEEDED);
    });
    assertThat(controller.controller().query().isActive()).isTrue(); // the refusal did not fail the micro-batch

    // the same trigger again, after the run ended: nothing starts, an alert says so
    controller.publisher().publish(ControlEvents.requested(runId, "capacity",
        new RunRequested(triggerKey, Map.of(), "it-again", null), Instant.now()));
    EventSerde serde = EventSerde.builtIn();
    List<Alert> alerts = TopicReader.readUntil(config, "baton.alerts", records -> records.stream()
            .anyMatch(record -> runId.equals(record.key())
                && serde.deserialize(record.value(), Alert.class).getKind() == AlertKind.TRIGGER_AFTER_END),
            Duration.ofSeconds(60)).stream()
        .filter(record -> runId.equals(record.key())).map(record -> serde.deserialize(record.value(), Alert.class))
        .toList();
    assertThat(alerts).filteredOn(alert -> alert.getKind() == AlertKind.TRIGGER_AFTER_END).singleElement()
        .satisfies(alert -> assertThat(alert.getMessage()).contains("which ended SUCCEEDED"));
  }

  private static PrintStream quiet() {
    return new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
  }
}
