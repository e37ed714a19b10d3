package dev.baton.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.baton.control.launch.EmrJobLauncher;
import dev.baton.control.launch.FakeEmrServerless;
import dev.baton.control.pipeline.Pipelines;
import dev.baton.local.LocalEndpoints;
import dev.baton.schemas.ControlEvents;
import dev.baton.schemas.RunIds;
import dev.baton.schemas.event.RunRequested;
import dev.baton.schemas.event.RunStatus;
import dev.baton.schemas.event.StageCompleted;
import dev.baton.schemas.event.StageLaunched;
import dev.baton.schemas.event.StageStatus;
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
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * A 3-stage pipeline of spark-app stages on the emr-serverless launcher, through the real controller,
 * with EMR Serverless played by {@link FakeEmrServerless} (no AWS account here) and each job run's end
 * delivered the way it arrives on AWS: the documented "EMR Serverless Job Run State Change" EventBridge
 * event (examples/events/emr-serverless-job-run-state-change.json, which carries no job run name) in an
 * SQS queue (ElasticMQ), read by the event connector in the local Connect worker, which asks GetJobRun
 * for the name and publishes the StageCompleted.
 */
class EmrServerlessLauncherIT {
  private static final Duration RUN_TIMEOUT = Duration.ofMinutes(5);
  private static final ObjectMapper JSON = new ObjectMapper();

  private static LocalServices local;
  private static LocalEndpoints endpoints;
  private static Map<String, String> config;
  private static SparkSession spark;
  private static ControllerRuntime controller;
  private static FakeEmrServerless aws;
  private static SqsClient sqs;
  private static String queueUrl;
  private static final ScheduledExecutorService jobs = Executors.newSingleThreadScheduledExecutor();

  @BeforeAll
  static void startEverything() throws Exception {
    Path repository = Path.of(System.getProperty("baton.repo.dir")).toAbsolutePath();
    Path events = repository.resolve("examples/events");
    aws = new FakeEmrServerless(events);
    JsonNode stateChange = JSON.readTree(Files.readString(events.resolve("emr-serverless-job-run-state-change.json")));
    // the AWS side: each job run goes RUNNING, then ends (FAILED when its step is the run's failAt), and
    // EventBridge puts the state change event in the queue
    aws.onStart(run -> jobs.schedule(() -> {
      List<String> arguments = new ArrayList<>();
      run.startRequest.at("/jobDriver/sparkSubmit/entryPointArguments").forEach(a -> arguments.add(a.asText()));
      String step = arguments.get(arguments.indexOf("--step") + 1);
      String failAt = arguments.get(arguments.indexOf("--fail-at") + 1);
      String state = step.equals(failAt) ? "FAILED" : "SUCCESS";
      aws.setState(run.id, state, state.equals("FAILED")
          ? "Job failed, please check complete logs in configured logging destination. ExitCode: 1." : "");
      ObjectNode event = stateChange.deepCopy();
      event.put("id", java.util.UUID.randomUUID().toString()).put("time", Instant.now().toString());
      ((ObjectNode) event.get("detail")).put("jobRunId", run.id).put("applicationId", FakeEmrServerless.APPLICATION_ID)
          .put("state", state).put("previousState", "RUNNING")
          .put("arn", "arn:aws:emr-serverless:us-east-1:123456789012:/applications/" + FakeEmrServerless.APPLICATION_ID
              + "/jobruns/" + run.id);
      sqs.sendMessage(request -> request.queueUrl(queueUrl).messageBody(event.toString()));
    }, 300, TimeUnit.MILLISECONDS));

    Path home = Files.createTempDirectory(repository.resolve("cli/target"), "it-emr");
    Path pipelineDir = Files.createDirectories(home.resolve("pipelines"));
    StringBuilder chain = new StringBuilder("""
        name: emr-chain
        defaults: {launcher: serverless}
        params:
          - {name: failAt, type: long, default: 0}
        stages:
        """);
    String[] stages = {"extract", "transform", "load"};
    for (int i = 0; i < stages.length; i++) {
      chain.append("  - {name: ").append(stages[i]).append(", type: spark-app")
          .append(i == 0 ? "" : ", dependsOn: [" + stages[i - 1] + "]")
          .append(", options: {resource: \"s3://acme-jobs/qx-jobs.jar\", mainClass: com.example.qx.QxJob, args: [--step, \"")
          .append(i + 1).append("\", --work, \"${batch}\", --fail-at, \"${failAt}\"]}}\n");
    }
    Files.writeString(pipelineDir.resolve("emr-chain.yaml"), chain.toString());
    local = new LocalServices(new Workspace(home, repository, pipelineDir));
    endpoints = local.ensureRunning(quiet()).endpoints();
    sqs = SqsClient.builder().httpClientBuilder(ApacheHttpClient.builder()).region(Region.of(endpoints.region()))
        .endpointOverride(endpoints.sqsEndpoint())
        .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local"))).build();
    queueUrl = sqs.createQueue(request -> request.queueName("it-emr-events")).queueUrl();
    // the connector as on AWS: EventBridge → SQS → Connect; GetJobRun names the job run of a nameless event
    Map<String, String> connector = new HashMap<>(LocalServices.sqsConfig(endpoints));
    connector.put("sqs.queue.url", queueUrl);
    connector.put("s3.bucket", "export");
    connector.put("sqs.wait.time.seconds", "1");
    connector.put("emr.lookup", "true");
    connector.put("emr.serverless.endpoint", aws.endpoint().toString());
    connector.put("emr.access.key.id", "it-emr");
    connector.put("emr.secret.access.key", "it-emr-secret");
    local.stack().putConnector(endpoints, "it-emr-events", connector);

    config = new HashMap<>(local.config(endpoints));
    config.put("spark.master", "local[2]");
    config.put("launchers.serverless.type", "emr-serverless");
    config.put("launchers.serverless.application-id", FakeEmrServerless.APPLICATION_ID);
    config.put("launchers.serverless.execution-role-arn", "arn:aws:iam::123456789012:role/baton-emr-serverless-job");
    config.put("launchers.serverless.region", "us-east-1");
    config.put("launchers.serverless.endpoint", aws.endpoint().toString());
    config.put("launchers.serverless.log-uri", "s3://acme-logs/emr-serverless/");
    System.setProperty("aws.accessKeyId", "it-emr"); // the controller's AWS SDK default chain
    System.setProperty("aws.secretAccessKey", "it-emr-secret");
    spark = SparkSessions.create("baton-it-emr", config);
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
    if (sqs != null) {
      sqs.close();
    }
    if (aws != null) {
      aws.close();
    }
    jobs.shutdownNow();
    System.clearProperty("aws.accessKeyId");
    System.clearProperty("aws.secretAccessKey");
  }

  private RunWatcher.RunReport run(String triggerKey, Map<String, String> params) throws Exception {
    String runId = RunIds.of("emr-chain", triggerKey);
    try (RunWatcher watcher = new RunWatcher(LocalServices.kafkaSettings(config))) {
      controller.publisher().publish(ControlEvents.requested(runId, "emr-chain",
          new RunRequested(triggerKey, params, "it", null), Instant.now()));
      return watcher.follow(runId, quiet(), RUN_TIMEOUT, () -> controller.controller().query().isActive());
    }
  }

  @Test
  void aThreeStageChainRunsAsJobRunsCompletedByTheirStateChangeEventsAndAFailedJobStopsIt() throws Exception {
    String batch = Demo.newBatchId();
    int startsBefore = aws.requests("POST", false).size();
    RunWatcher.RunReport succeeded = run("it/" + batch, Map.of("batch", batch));
    RunWatcher.RunReport failed = run("it/" + batch + "-fail", Map.of("batch", batch, "failAt", "2"));

    assertThat(succeeded.completed().getStatus()).isEqualTo(RunStatus.SUCCEEDED);
    assertThat(succeeded.launches()).extracting(StageLaunched::getStage).containsExactly("extract", "transform", "load");
    assertThat(succeeded.launches()).extracting(StageLaunched::getLauncher).containsOnly("serverless");
    assertThat(succeeded.completions()).extracting(c -> c.getStage() + "=" + c.getStatus())
        .containsExactly("extract=SUCCEEDED", "transform=SUCCEEDED", "load=SUCCEEDED");
    // each completion is its job run's, named by GetJobRun (the documented event carries no name)
    List<FakeEmrServerless.JobRun> runs = aws.jobRuns();
    assertThat(succeeded.completions()).extracting(StageCompleted::getApplicationId)
        .containsExactly(runs.get(0).id, runs.get(1).id, runs.get(2).id);
    assertThat(runs.subList(0, 3)).extracting(run -> run.name).containsExactly(
        "baton:emr-chain:" + succeeded.runId() + ":extract:1", "baton:emr-chain:" + succeeded.runId() + ":transform:1",
        "baton:emr-chain:" + succeeded.runId() + ":load:1");
    // strictly in order: a stage's job run starts after its upstream's completion
    for (int i = 1; i < 3; i++) {
      assertThat(runs.get(i).createdAt).isAfterOrEqualTo(succeeded.completions().get(i - 1).getFinishedAt());
    }

    assertThat(failed.completed().getStatus()).isEqualTo(RunStatus.FAILED);
    assertThat(failed.completed().getFailedStages()).containsExactly("transform");
    assertThat(failed.launches()).extracting(StageLaunched::getStage).containsExactly("extract", "transform");
    StageCompleted transform = failed.completions().get(1);
    assertThat(transform.getStatus()).isEqualTo(StageStatus.FAILED);
    assertThat(transform.getError().getType()).isEqualTo("EMR_SERVERLESS_FAILED");
    assertThat(transform.getError().getMessage()).contains("ExitCode: 1.");
    assertThat(transform.getError().getLogUri()).isEqualTo("s3://acme-logs/emr-serverless/");

    // one StartJobRun per attempt, each with its own client token: 3 + 2, and load never started
    List<dev.baton.control.launch.FakeAwsApi.Request> starts = aws.requests("POST", false);
    assertThat(starts).hasSize(startsBefore + 5);
    assertThat(starts.subList(startsBefore, starts.size())).extracting(r -> r.body().get("clientToken").asText())
        .doesNotHaveDuplicates()
        .contains(EmrJobLauncher.clientToken(failed.runId() + "/transform/1"));
    assertThat(aws.jobRunNamed("baton:emr-chain:" + failed.runId() + ":load:1")).isEmpty();
  }

  private static PrintStream quiet() {
    return new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
  }
}
