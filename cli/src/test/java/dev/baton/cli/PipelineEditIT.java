package dev.baton.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.catalog.CatalogConfig;
import dev.baton.control.ledger.LedgerReader;
import dev.baton.control.pipeline.PipelineParser;
import dev.baton.control.pipeline.PipelineVersions;
import dev.baton.schemas.ControlEvents;
import dev.baton.schemas.EventSerde;
import dev.baton.schemas.RunIds;
import dev.baton.schemas.event.Alert;
import dev.baton.schemas.event.ControlEvent;
import dev.baton.schemas.event.RunCompleted;
import dev.baton.schemas.event.RunRequested;
import dev.baton.schemas.event.RunStatus;
import dev.baton.schemas.event.StageCompleted;
import dev.baton.schemas.event.StageStatus;
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
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Pipelines edited while runs are open, on the real controller: runs are started, the controller is
 * stopped, the pipelines' YAML is edited (a stage removed; an option changed and a stage added; the
 * pipeline deleted) and the controller started again on the same checkpoint. Each run's first stage
 * is {@code external}, so the test completes it itself after the restart, as an outside job would.
 */
class PipelineEditIT {
  private static final String REMOVED_V1 = """
      name: edit-removed
      stages:
        - {name: s1, type: external}
        - {name: s2, type: noop, dependsOn: [s1]}
        - {name: s3, type: noop, dependsOn: [s2]}
      """;
  private static final String REMOVED_V2 = """
      name: edit-removed
      stages:
        - {name: s1, type: external}
        - {name: s2, type: noop, dependsOn: [s1]}
      """;
  private static final String CHANGED_V1 = """
      name: edit-changed
      stages:
        - {name: s1, type: external}
        - {name: s2, type: noop, dependsOn: [s1], options: {failureRate: 0.0}}
      """;
  /** s2 now always fails (and is not retried); a new stage s3 after s1. */
  private static final String CHANGED_V2 = """
      name: edit-changed
      stages:
        - {name: s1, type: external}
        - {name: s2, type: noop, dependsOn: [s1], options: {failureRate: 1.0}}
        - {name: s3, type: noop, dependsOn: [s1]}
      """;
  private static final String DELETED_V1 = """
      name: edit-deleted
      stages:
        - {name: s1, type: external}
        - {name: s2, type: noop, dependsOn: [s1]}
      """;

  private static LocalServices local;
  private static Map<String, String> config;
  private static Path home;
  private static Path pipelines;
  private static Path repository;
  private static final List<Process> controllers = new ArrayList<>();

  @BeforeAll
  static void up() throws Exception {
    repository = Path.of(System.getProperty("baton.repo.dir")).toAbsolutePath();
    home = Files.createTempDirectory(repository.resolve("cli/target"), "it-edit");
    pipelines = Files.createDirectories(home.resolve("pipelines"));
    Files.writeString(pipelines.resolve("edit-removed.yaml"), REMOVED_V1);
    Files.writeString(pipelines.resolve("edit-changed.yaml"), CHANGED_V1);
    Files.writeString(pipelines.resolve("edit-deleted.yaml"), DELETED_V1);
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
  void runsOpenWhileTheirPipelinesAreEditedFinishPerTheirOwnVersionAndADeletedPipelinesRunFails() throws Exception {
    String batch = Demo.newBatchId();
    Map<String, String> runs = new HashMap<>(); // pipeline -> runId
    Process first = startController(1);
    try (ControlEventPublisher publisher = publisher()) {
      for (String pipeline : List.of("edit-removed", "edit-changed", "edit-deleted")) {
        String triggerKey = "edit-it/" + batch;
        runs.put(pipeline, RunIds.of(pipeline, triggerKey));
        publisher.publish(ControlEvents.requested(runs.get(pipeline), pipeline,
            new RunRequested(triggerKey, Map.of(), "it", null), Instant.now()));
      }
    }
    for (String runId : runs.values()) {
      awaitControlEvents(runId, events -> TopicReader.launches(events).contains("s1#1"), Duration.ofMinutes(2));
    }

    // stop the controller, edit the pipelines, start it again on the same checkpoint
    BatonRun.stopController(first);
    Files.writeString(pipelines.resolve("edit-removed.yaml"), REMOVED_V2);
    Files.writeString(pipelines.resolve("edit-changed.yaml"), CHANGED_V2);
    Files.delete(pipelines.resolve("edit-deleted.yaml"));
    Process second = startController(2);
    // the outside jobs of the first stages report (for the deleted pipeline: the run's next input)
    try (ControlEventPublisher publisher = publisher()) {
      runs.forEach((pipeline, runId) -> publisher.publish(ControlEvents.completed(runId, pipeline,
          StageCompleted.newBuilder().setStage("s1").setAttempt(1).setStatus(StageStatus.SUCCEEDED)
              .setStartedAt(Instant.now().minusSeconds(1)).setFinishedAt(Instant.now()).build())));
    }
    Map<String, List<ControlEvent>> events = new HashMap<>();
    for (Map.Entry<String, String> run : runs.entrySet()) {
      events.put(run.getKey(), awaitControlEvents(run.getValue(), all -> completed(all) != null, Duration.ofMinutes(2)));
    }
    assertThat(second.isAlive()).as("controller 2 still runs (its log: %s)", home.resolve("controller-2.log")).isTrue();

    // a removed stage still runs in the run started before
    assertThat(completed(events.get("edit-removed")).getStatus()).isEqualTo(RunStatus.SUCCEEDED);
    assertThat(TopicReader.launches(events.get("edit-removed"))).containsExactly("s1#1", "s2#1", "s3#1");
    // the changed option is not applied (s2 would always fail) and the added stage does not join
    assertThat(completed(events.get("edit-changed")).getStatus()).isEqualTo(RunStatus.SUCCEEDED);
    assertThat(TopicReader.launches(events.get("edit-changed"))).containsExactly("s1#1", "s2#1");
    // the run of the deleted pipeline fails, saying why
    assertThat(completed(events.get("edit-deleted")).getStatus()).isEqualTo(RunStatus.FAILED);
    String reason = "pipeline 'edit-deleted' is no longer defined (deleted while the run was open)";
    assertThat(alerts(runs.get("edit-deleted"))).extracting(a -> a.getKind() + ": " + a.getMessage())
        .containsExactly("RUN_FAILED: Run " + runs.get("edit-deleted") + " of edit-deleted failed: " + reason);

    // the ledger: each run's pipeline version, the attempts of its version
    LedgerReader.RunRecord removed = Polling.awaitLedgerRun(config, runs.get("edit-removed"), "SUCCEEDED");
    assertThat(removed.pipelineVersion()).isEqualTo(hash(REMOVED_V1)).isNotEqualTo(hash(REMOVED_V2));
    assertThat(ledger().attempts(runs.get("edit-removed"))).extracting(a -> a.stage() + "#" + a.attempt() + "=" + a.status())
        .containsExactly("s1#1=SUCCEEDED", "s2#1=SUCCEEDED", "s3#1=SUCCEEDED");
    assertThat(Polling.awaitLedgerRun(config, runs.get("edit-changed"), "SUCCEEDED").pipelineVersion()).isEqualTo(hash(CHANGED_V1));
    assertThat(Polling.awaitLedgerRun(config, runs.get("edit-deleted"), "FAILED").pipelineVersion()).isEqualTo(hash(DELETED_V1));
    assertThat(ledger().attempts(runs.get("edit-deleted")))
        .extracting(a -> a.stage() + "#" + a.attempt() + "=" + a.status() + " " + a.errorType() + ": " + a.error())
        .containsExactly("s1#1=CANCELLED PIPELINE_DELETED: " + reason);
  }

  private static String hash(String yaml) {
    return PipelineVersions.hash(PipelineParser.parse("it", yaml));
  }

  private static ControlEventPublisher publisher() {
    return new ControlEventPublisher(new HashMap<>(LocalServices.kafkaSettings(config)), EventSerde.builtIn());
  }

  private static RunCompleted completed(List<ControlEvent> events) {
    return events.stream().filter(e -> e.getPayload() instanceof RunCompleted).map(e -> (RunCompleted) e.getPayload())
        .reduce((a, b) -> b).orElse(null);
  }

  /** Reads the run's control events from the start until {@code done} holds. */
  private static List<ControlEvent> awaitControlEvents(String runId, Predicate<List<ControlEvent>> done, Duration timeout) {
    return TopicReader.controlEvents(config, runId, done, timeout);
  }

  /** The run's alerts, once the topic holds one. */
  private static List<Alert> alerts(String runId) {
    EventSerde serde = EventSerde.builtIn();
    return TopicReader.readUntil(config, "baton.alerts", records -> records.stream().anyMatch(r -> runId.equals(r.key())),
            Duration.ofSeconds(60)).stream()
        .filter(r -> runId.equals(r.key())).map(r -> serde.deserialize(r.value(), Alert.class)).toList();
  }

  private static LedgerReader ledger() {
    return new LedgerReader(CatalogConfig.fromConfig(CatalogConfig.DEFAULT_NAME, config).create());
  }

  /** Starts {@code baton controller} in its own JVM, as ./baton does, and waits until its query runs. */
  private static Process startController(int number) throws IOException, InterruptedException {
    Process process = BatonRun.startController(repository, home, pipelines,
        home.resolve("controller-" + number + ".log"), "Controller " + number);
    controllers.add(process);
    return process;
  }

  private static PrintStream quiet() {
    return new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
  }
}
