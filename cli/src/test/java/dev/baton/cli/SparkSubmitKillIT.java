package dev.baton.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.control.launch.SparkSubmitLauncher;
import dev.baton.schemas.AttemptName;
import dev.baton.schemas.ControlEvents;
import dev.baton.schemas.EventSerde;
import dev.baton.schemas.RunIds;
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
 * SIGKILL of a controller (its own JVM, as ./baton runs it) while a spark-submit stage's application
 * runs: the application outlives the controller; the restarted controller finds it by the attempt's
 * name, stops it (a user's job reports nothing, only its launcher saw its outcome) and reports the
 * attempt LOST, and the retry is a new attempt. No (runId, stage, attempt) ever has two applications.
 */
class SparkSubmitKillIT {
  private static Path repository;
  private static Path home;
  private static Path pipelines;
  private static LocalServices local;
  private static Map<String, String> config;
  private static final List<Process> controllers = new ArrayList<>();

  @BeforeAll
  static void up() throws Exception {
    repository = Path.of(System.getProperty("baton.repo.dir")).toAbsolutePath();
    home = Files.createTempDirectory(repository.resolve("cli/target"), "it-submit-kill");
    pipelines = Files.createDirectories(home.resolve("pipelines"));
    Path jar = repository.resolve("examples/qx/target/qx-jobs.jar");
    StringBuilder yaml = new StringBuilder("""
        name: qx-kill
        defaults: {launcher: spark-submit, retry: {maxAttempts: 3, initialBackoffMs: 100, maxBackoffMs: 200}}
        stages:
        """);
    for (int step = 1; step <= 3; step++) {
      yaml.append("  - name: q").append(step).append("\n    type: spark-app\n")
          .append(step == 1 ? "" : "    dependsOn: [q" + (step - 1) + "]\n")
          .append("    options:\n      resource: ").append(jar).append("\n      mainClass: com.example.qx.QxJob\n")
          // step 2 runs long enough to be killed mid-way (a retry of it runs the same)
          .append("      args: [--step, \"").append(step).append("\", --work, \"${batch}\"")
          .append(step == 2 ? ", --hold-ms, \"40000\"" : "").append("]\n");
    }
    Files.writeString(pipelines.resolve("qx-kill.yaml"), yaml.toString());
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
  void aKilledControllersApplicationIsStoppedAndRetriedAsANewAttemptNeverTwice() throws Exception {
    Process first = startController(1);
    String batch = Demo.newBatchId();
    String triggerKey = "submit-kill/" + batch;
    String runId = RunIds.of("qx-kill", triggerKey);
    try (ControlEventPublisher publisher =
        new ControlEventPublisher(new HashMap<>(LocalServices.kafkaSettings(config)), EventSerde.builtIn())) {
      publisher.publish(ControlEvents.requested(runId, "qx-kill",
          new RunRequested(triggerKey, Map.of("batch", batch), "it", null), Instant.now()));
    }
    String q2 = new AttemptName("qx-kill", runId, "q2", 1).toString();
    awaitControlEvents(runId, events -> TopicReader.launches(events).contains("q2#1"), Duration.ofMinutes(3));
    awaitProcess(q2);
    // its SparkContext up (before, the application fails on its own: it cannot reach its dead launcher)
    Path q2Log = home.resolve("controller/checkpoint-stage-logs/qx-kill/" + runId + "/q2-1.log");
    awaitLog(q2Log, "Starting executor ID driver");

    first.destroyForcibly().waitFor();
    assertThat(first.exitValue()).isEqualTo(137); // 128 + SIGKILL
    assertThat(SparkSubmitLauncher.applicationProcess(q2)).as("the application outlives its controller").isPresent();

    startController(2);
    List<ControlEvent> events = awaitControlEvents(runId,
        all -> all.stream().anyMatch(e -> e.getPayload() instanceof RunCompleted), Duration.ofMinutes(5));

    RunCompleted completed = events.stream().filter(e -> e.getPayload() instanceof RunCompleted)
        .map(e -> (RunCompleted) e.getPayload()).findFirst().orElseThrow();
    assertThat(completed.getStatus()).isEqualTo(RunStatus.SUCCEEDED);
    assertThat(SparkSubmitLauncher.applicationProcess(q2)).as("stopped by the restarted controller").isEmpty();
    List<String> launches = TopicReader.launches(events);
    assertThat(launches).doesNotHaveDuplicates().containsExactly("q1#1", "q2#1", "q2#2", "q3#1");
    List<StageCompleted> completions = events.stream().filter(e -> e.getPayload() instanceof StageCompleted)
        .map(e -> (StageCompleted) e.getPayload()).toList();
    assertThat(completions).extracting(c -> c.getStage() + "#" + c.getAttempt() + "=" + c.getStatus())
        .containsExactly("q1#1=SUCCEEDED", "q2#1=LOST", "q2#2=SUCCEEDED", "q3#1=SUCCEEDED");
    // one application per attempt that ran to its end, each its own
    assertThat(completions).filteredOn(c -> c.getStatus() == StageStatus.SUCCEEDED)
        .extracting(StageCompleted::getApplicationId).doesNotContainNull().doesNotHaveDuplicates();
    assertThat(completions.get(1).getError().getMessage()).contains("the controller process that launched it");
    // q2#1 was stopped before it wrote anything; q2#2 did the step
    assertThat(Files.readString(q2Log)).doesNotContain("Qx step 2 wrote");
    assertThat(Files.readString(q2Log.resolveSibling("q2-2.log"))).contains("Qx step 2 wrote");
  }

  private static List<ControlEvent> awaitControlEvents(String runId, Predicate<List<ControlEvent>> done, Duration timeout) {
    return TopicReader.controlEvents(config, runId, done, timeout);
  }

  private static void awaitProcess(String attemptName) throws InterruptedException {
    Polling.await(() -> SparkSubmitLauncher.applicationProcess(attemptName).isPresent(), Duration.ofMinutes(1),
        "a process running " + attemptName);
  }

  private static void awaitLog(Path log, String line) throws IOException, InterruptedException {
    long deadline = System.nanoTime() + Duration.ofMinutes(1).toNanos();
    while (!Files.exists(log) || !Files.readString(log).contains(line)) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError(log + " does not say '" + line + "'");
      }
      Thread.sleep(100); // polling another process's log: no event reaches across processes
    }
  }

  private static Process startController(int number) throws IOException, InterruptedException {
    Process process = BatonRun.startController(repository, home, pipelines,
        home.resolve("controller-" + number + ".log"), "Controller " + number, "--config", local.configFile().toString());
    controllers.add(process);
    return process;
  }

  private static PrintStream quiet() {
    return new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
  }
}
