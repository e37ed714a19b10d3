package dev.baton.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.control.launch.EmrJobLauncher;
import dev.baton.control.launch.FakeEmrServerless;
import dev.baton.schemas.AttemptName;
import dev.baton.schemas.ControlEvents;
import dev.baton.schemas.EventSerde;
import dev.baton.schemas.RunIds;
import dev.baton.schemas.event.ControlEvent;
import dev.baton.schemas.event.RunCompleted;
import dev.baton.schemas.event.RunRequested;
import dev.baton.schemas.event.RunStatus;
import dev.baton.schemas.event.StageCompleted;
import dev.baton.stages.runner.ControlEventPublisher;
import java.io.ByteArrayOutputStream;
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
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * SIGKILL of a controller (its own JVM) while an emr-serverless stage's job run runs, its end coming
 * while no controller is up: the restarted controller finds the job run by the attempt's name
 * (ListJobRuns), follows it and reports its end; no attempt is started twice and none is LOST. EMR
 * Serverless is played by {@link FakeEmrServerless}; completions by polling ({@code completion=poll}).
 */
class EmrKillIT {
  private static Path repository;
  private static Path home;
  private static Path pipelines;
  private static LocalServices local;
  private static Map<String, String> config;
  private static Path configFile;
  private static FakeEmrServerless aws;
  private static final List<Process> controllers = new ArrayList<>();

  @BeforeAll
  static void up() throws Exception {
    repository = Path.of(System.getProperty("baton.repo.dir")).toAbsolutePath();
    home = Files.createTempDirectory(repository.resolve("cli/target"), "it-emr-kill");
    pipelines = Files.createDirectories(home.resolve("pipelines"));
    Files.writeString(pipelines.resolve("emr-kill.yaml"), """
        name: emr-kill
        defaults: {launcher: serverless}
        stages:
          - {name: first, type: spark-app, options: {resource: "s3://acme-jobs/qx-jobs.jar", mainClass: com.example.qx.QxJob}}
          - {name: second, type: spark-app, dependsOn: [first], options: {resource: "s3://acme-jobs/qx-jobs.jar",
             mainClass: com.example.qx.QxJob}}
        """);
    aws = new FakeEmrServerless(repository.resolve("examples/events"));
    local = new LocalServices(new Workspace(home, repository, pipelines));
    config = local.config(local.ensureRunning(quiet()).endpoints());
    // the local stack's configuration file plus the EMR Serverless profile
    configFile = home.resolve("baton-emr.properties");
    Files.writeString(configFile, Files.readString(local.configFile()) + String.join("\n", "",
        "launchers.serverless.type=emr-serverless",
        "launchers.serverless.application-id=" + FakeEmrServerless.APPLICATION_ID,
        "launchers.serverless.execution-role-arn=arn:aws:iam::123456789012:role/baton-emr-serverless-job",
        "launchers.serverless.region=us-east-1",
        "launchers.serverless.endpoint=" + aws.endpoint(),
        "launchers.serverless.completion=poll",
        // 1 s instead of 30 s: the test waits for two polls, not for the cadence
        "launchers.serverless.poll-interval-ms=1000", ""));
  }

  @AfterAll
  static void down() {
    controllers.forEach(Process::destroyForcibly);
    if (local != null) {
      local.stack().down();
    }
    if (aws != null) {
      aws.close();
    }
  }

  @Test
  void aJobRunThatEndsWhileNoControllerRunsIsFoundByNameAndReportedOnce() throws Exception {
    Process first = startController(1);
    String triggerKey = "emr-kill/" + Demo.newBatchId();
    String runId = RunIds.of("emr-kill", triggerKey);
    try (ControlEventPublisher publisher =
        new ControlEventPublisher(new HashMap<>(LocalServices.kafkaSettings(config)), EventSerde.builtIn())) {
      publisher.publish(ControlEvents.requested(runId, "emr-kill",
          new RunRequested(triggerKey, Map.of(), "it", null), Instant.now()));
    }
    String firstName = new AttemptName("emr-kill", runId, "first", 1).toString();
    Polling.await(() -> aws.jobRunNamed(firstName).isPresent(), Duration.ofMinutes(2), "the job run of " + firstName);

    first.destroyForcibly().waitFor();
    assertThat(first.exitValue()).isEqualTo(137); // 128 + SIGKILL
    FakeEmrServerless.JobRun job = aws.jobRunNamed(firstName).orElseThrow();
    aws.setState(job.id, "SUCCESS", ""); // it ends while no controller runs
    int listsBefore = aws.requests("GET", false).size();

    startController(2);
    String secondName = new AttemptName("emr-kill", runId, "second", 1).toString();
    Polling.await(() -> aws.jobRunNamed(secondName).isPresent(), Duration.ofMinutes(2), "the job run of " + secondName);
    aws.setState(aws.jobRunNamed(secondName).orElseThrow().id, "SUCCESS", "");
    List<ControlEvent> events = TopicReader.controlEvents(config, runId,
        all -> all.stream().anyMatch(e -> e.getPayload() instanceof RunCompleted), Duration.ofMinutes(3));

    RunCompleted completed = events.stream().filter(e -> e.getPayload() instanceof RunCompleted)
        .map(e -> (RunCompleted) e.getPayload()).findFirst().orElseThrow();
    assertThat(completed.getStatus()).isEqualTo(RunStatus.SUCCEEDED);
    assertThat(TopicReader.launches(events)).containsExactly("first#1", "second#1");
    List<StageCompleted> completions = events.stream().filter(e -> e.getPayload() instanceof StageCompleted)
        .map(e -> (StageCompleted) e.getPayload()).toList();
    assertThat(completions).extracting(c -> c.getStage() + "#" + c.getAttempt() + "=" + c.getStatus())
        .containsExactly("first#1=SUCCEEDED", "second#1=SUCCEEDED");
    assertThat(completions.get(0).getApplicationId()).isEqualTo(job.id);
    // the restarted controller asked ListJobRuns for it, and nobody started an attempt twice
    assertThat(aws.requests("GET", false).size()).isGreaterThan(listsBefore);
    assertThat(aws.requests("POST", false)).extracting(r -> r.body().get("clientToken").asText())
        .containsExactly(EmrJobLauncher.clientToken(runId + "/first/1"), EmrJobLauncher.clientToken(runId + "/second/1"));
  }

  private static Process startController(int number) throws Exception {
    Process process = BatonRun.startController(repository, home, pipelines, home.resolve("controller-" + number + ".log"),
        "Controller " + number, Map.of("AWS_ACCESS_KEY_ID", "it-emr", "AWS_SECRET_ACCESS_KEY", "it-emr-secret"),
        "--config", configFile.toString());
    controllers.add(process);
    return process;
  }

  private static PrintStream quiet() {
    return new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
  }
}
