package dev.baton.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.baton.control.launch.EmrJobLauncher;
import dev.baton.control.launch.FakeEmrContainers;
import dev.baton.control.launch.FakeEmrServerless;
import dev.baton.control.launch.FakeEmrSteps;
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
import org.apache.spark.sql.Row;
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
 * A 3-stage pipeline of spark-app stages on each EMR launcher, through the real controller, with the
 * EMR APIs played locally ({@link FakeEmrServerless}, {@link FakeEmrSteps}, {@link FakeEmrContainers}: no
 * AWS account here). Each job's end arrives the way it does on AWS: for EMR Serverless the documented "EMR
 * Serverless Job Run State Change" EventBridge event (examples/events/emr-serverless-job-run-state-change.json,
 * which carries no job run name), for EMR steps the documented "EMR Step Status Change" event, for EMR on
 * EKS an "EMR Job Run State Change" (listed by AWS, payload undocumented: the fields id, virtualClusterId,
 * state), each put in an SQS queue (ElasticMQ) and read by the event connector in the local Connect
 * worker, which asks GetJobRun for the job run's name, DescribeStep for a failed step's details and
 * DescribeJobRun for an EMR on EKS job run's tags. In each pipeline a failed job stops the chain; a run
 * cancelled, or an attempt LOST at its timeout, cancels the job.
 */
class EmrLaunchersIT {
  private static final Duration RUN_TIMEOUT = Duration.ofMinutes(5);
  private static final ObjectMapper JSON = new ObjectMapper();

  private static LocalServices local;
  private static LocalEndpoints endpoints;
  private static Map<String, String> config;
  private static SparkSession spark;
  private static ControllerRuntime controller;
  private static FakeEmrServerless aws;
  private static FakeEmrSteps emr;
  private static FakeEmrContainers eks;
  private static SqsClient sqs;
  private static String queueUrl;
  private static final ScheduledExecutorService jobs = Executors.newSingleThreadScheduledExecutor();

  @BeforeAll
  static void startEverything() throws Exception {
    Path repository = Path.of(System.getProperty("baton.repo.dir")).toAbsolutePath();
    Path events = repository.resolve("examples/events");
    aws = new FakeEmrServerless(events);
    JsonNode stateChange = JSON.readTree(Files.readString(events.resolve("emr-serverless-job-run-state-change.json")));
    JsonNode stepChange = JSON.readTree(Files.readString(events.resolve("emr-step-status-change.json")));
    JsonNode eksChange = JSON.readTree(Files.readString(events.resolve("emr-containers-job-run-state-change.json")));
    emr = new FakeEmrSteps();
    eks = new FakeEmrContainers(events);
    // the AWS side: each job run goes RUNNING, then ends (FAILED when its step is the run's failAt), and
    // EventBridge puts the state change event in the queue
    aws.onStart(run -> jobs.schedule(() -> {
      if (run.startRequest.at("/jobDriver/sparkSubmit/entryPointArguments").toString().contains("--hang")) {
        return; // a job that never ends: its stage's timeout makes the attempt LOST
      }
      boolean fails = fails(run.startRequest.at("/jobDriver/sparkSubmit/entryPointArguments"));
      String state = fails ? "FAILED" : "SUCCESS";
      aws.setState(run.id, state, fails
          ? "Job failed, please check complete logs in configured logging destination. ExitCode: 1." : "");
      ObjectNode event = event(stateChange);
      ((ObjectNode) event.get("detail")).put("jobRunId", run.id).put("applicationId", FakeEmrServerless.APPLICATION_ID)
          .put("state", state).put("previousState", "RUNNING")
          .put("arn", "arn:aws:emr-serverless:us-east-1:123456789012:/applications/" + FakeEmrServerless.APPLICATION_ID
              + "/jobruns/" + run.id);
      sqs.sendMessage(request -> request.queueUrl(queueUrl).messageBody(event.toString()));
    }, 300, TimeUnit.MILLISECONDS));
    emr.onAdd(step -> jobs.schedule(() -> {
      boolean fails = fails(step.config.at("/HadoopJarStep/Args"));
      String state = fails ? "FAILED" : "COMPLETED";
      if (fails) {
        emr.setState(step.id, state, "Unknown Error", "Exception in thread \"main\" org.apache.spark.SparkException:"
            + " Job aborted", "s3://acme-logs/emr/" + FakeEmrSteps.CLUSTER_ID + "/steps/" + step.id + "/stderr.gz");
      } else {
        emr.setState(step.id, state, null, null, null);
      }
      ObjectNode event = event(stepChange);
      ((ObjectNode) event.get("detail")).put("stepId", step.id).put("name", step.name()).put("state", state)
          .put("severity", fails ? "ERROR" : "INFO").put("message", "Step " + step.id + " (" + step.name()
              + ") in Amazon EMR cluster " + FakeEmrSteps.CLUSTER_ID + " (baton-batch) " + (fails ? "failed" : "completed"));
      sqs.sendMessage(request -> request.queueUrl(queueUrl).messageBody(event.toString()));
    }, 300, TimeUnit.MILLISECONDS));
    eks.onStart(run -> jobs.schedule(() -> {
      boolean fails = fails(run.startRequest.at("/jobDriver/sparkSubmitJobDriver/entryPointArguments"));
      if (fails) {
        eks.setState(run.id, "FAILED", "USER_ERROR", "Job failed, please check complete logs. ExitCode: 1.");
      } else {
        eks.setState(run.id, "COMPLETED", null, null);
      }
      ObjectNode event = event(eksChange);
      ((ObjectNode) event.get("detail")).put("id", run.id).put("name", run.startRequest.path("name").asText())
          .put("virtualClusterId", FakeEmrContainers.VIRTUAL_CLUSTER_ID).put("state", fails ? "FAILED" : "COMPLETED");
      sqs.sendMessage(request -> request.queueUrl(queueUrl).messageBody(event.toString()));
    }, 300, TimeUnit.MILLISECONDS));

    Path home = Files.createTempDirectory(repository.resolve("cli/target"), "it-emr");
    Path pipelineDir = Files.createDirectories(home.resolve("pipelines"));
    Files.writeString(pipelineDir.resolve("serverless-chain.yaml"), chain("serverless-chain", "serverless"));
    Files.writeString(pipelineDir.resolve("steps-chain.yaml"), chain("steps-chain", "steps"));
    Files.writeString(pipelineDir.resolve("eks-chain.yaml"), chain("eks-chain", "eks"));
    // one stage whose job never ends, with a 5 s timeout of its own (the pipeline's setting, not a default)
    Files.writeString(pipelineDir.resolve("serverless-cancel.yaml"), """
        name: serverless-cancel
        defaults: {launcher: serverless}
        stages:
          - {name: stuck, type: spark-app, options: {resource: "s3://acme-jobs/qx-jobs.jar",
             mainClass: com.example.qx.QxJob, args: [--step, "1", --hang, "true"]}}
        """);
    Files.writeString(pipelineDir.resolve("serverless-hang.yaml"), """
        name: serverless-hang
        defaults: {launcher: serverless}
        stages:
          - {name: stuck, type: spark-app, timeoutMs: 5000, options: {resource: "s3://acme-jobs/qx-jobs.jar",
             mainClass: com.example.qx.QxJob, args: [--step, "1", --hang, "true"]}}
        """);
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
    connector.put("emr.endpoint", emr.endpoint().toString());
    connector.put("emr.containers.endpoint", eks.endpoint().toString());
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
    config.put("launchers.steps.type", "emr-steps");
    config.put("launchers.steps.cluster-id", FakeEmrSteps.CLUSTER_ID);
    config.put("launchers.steps.region", "us-east-1");
    config.put("launchers.steps.endpoint", emr.endpoint().toString());
    config.put("launchers.eks.type", "emr-containers");
    config.put("launchers.eks.virtual-cluster-id", FakeEmrContainers.VIRTUAL_CLUSTER_ID);
    config.put("launchers.eks.release-label", "emr-7.5.0-latest");
    config.put("launchers.eks.execution-role-arn", "arn:aws:iam::123456789012:role/baton-emr-eks-job");
    config.put("launchers.eks.region", "us-east-1");
    config.put("launchers.eks.endpoint", eks.endpoint().toString());
    config.put("launchers.eks.log-uri", "s3://acme-logs/emr-eks/");
    // completions from the connector, as for the other profiles (poll mode is EmrKillIT's and the contract tests')
    config.put("launchers.eks.completion", "events");
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
    if (emr != null) {
      emr.close();
    }
    if (eks != null) {
      eks.close();
    }
    jobs.shutdownNow();
    System.clearProperty("aws.accessKeyId");
    System.clearProperty("aws.secretAccessKey");
  }

  /** A pipeline of three spark-app stages (the Qx job's steps 1–3) on launcher profile {@code launcher}. */
  private static String chain(String name, String launcher) {
    StringBuilder chain = new StringBuilder("name: " + name + "\ndefaults: {launcher: " + launcher + "}\n"
        + "params:\n  - {name: failAt, type: long, default: 0}\nstages:\n");
    String[] stages = {"extract", "transform", "load"};
    for (int i = 0; i < stages.length; i++) {
      chain.append("  - {name: ").append(stages[i]).append(", type: spark-app")
          .append(i == 0 ? "" : ", dependsOn: [" + stages[i - 1] + "]")
          .append(", options: {resource: \"s3://acme-jobs/qx-jobs.jar\", mainClass: com.example.qx.QxJob, args: [--step, \"")
          .append(i + 1).append("\", --work, \"${batch}\", --fail-at, \"${failAt}\"]}}\n");
    }
    return chain.toString();
  }

  /** Whether the job of these arguments fails: its {@code --step} is its run's {@code --fail-at}. */
  private static boolean fails(JsonNode arguments) {
    List<String> values = new ArrayList<>();
    arguments.forEach(argument -> values.add(argument.asText()));
    return values.get(values.indexOf("--step") + 1).equals(values.get(values.indexOf("--fail-at") + 1));
  }

  /** A copy of an EventBridge event fixture with a new id and the current time. */
  private static ObjectNode event(JsonNode fixture) {
    ObjectNode event = fixture.deepCopy();
    return event.put("id", java.util.UUID.randomUUID().toString()).put("time", Instant.now().toString());
  }

  private RunWatcher.RunReport run(String pipeline, String triggerKey, Map<String, String> params) throws Exception {
    String runId = RunIds.of(pipeline, triggerKey);
    try (RunWatcher watcher = new RunWatcher(LocalServices.kafkaSettings(config))) {
      controller.publisher().publish(ControlEvents.requested(runId, pipeline,
          new RunRequested(triggerKey, params, "it", null), Instant.now()));
      return watcher.follow(runId, quiet(), RUN_TIMEOUT, () -> controller.controller().query().isActive());
    }
  }

  @Test
  void emrServerlessJobRunsCompletedByTheirDocumentedStateChangeEvents() throws Exception {
    String batch = Demo.newBatchId();
    int startsBefore = aws.requests("POST", false).size();
    RunWatcher.RunReport succeeded = run("serverless-chain", "it/" + batch, Map.of("batch", batch));
    RunWatcher.RunReport failed = run("serverless-chain", "it/" + batch + "-fail", Map.of("batch", batch, "failAt", "2"));

    assertThat(succeeded.completed().getStatus()).isEqualTo(RunStatus.SUCCEEDED);
    assertThat(succeeded.launches()).extracting(StageLaunched::getStage).containsExactly("extract", "transform", "load");
    assertThat(succeeded.launches()).extracting(StageLaunched::getLauncher).containsOnly("serverless");
    assertThat(succeeded.completions()).extracting(c -> c.getStage() + "=" + c.getStatus())
        .containsExactly("extract=SUCCEEDED", "transform=SUCCEEDED", "load=SUCCEEDED");
    // each completion is its job run's, named by GetJobRun (the documented event carries no name)
    List<FakeEmrServerless.JobRun> runs = new ArrayList<>();
    for (String stage : List.of("extract", "transform", "load")) {
      runs.add(aws.jobRunNamed("baton:serverless-chain:" + succeeded.runId() + ":" + stage + ":1").orElseThrow());
    }
    assertThat(succeeded.completions()).extracting(StageCompleted::getApplicationId)
        .containsExactly(runs.get(0).id, runs.get(1).id, runs.get(2).id);
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
    // the ledger keeps the job run's state details and id
    Row ledger = awaitLedgerAttempt(failed.runId(), "transform");
    assertThat(ledger.getString(0)).isEqualTo("FAILED");
    assertThat(ledger.getString(1)).isEqualTo("EMR_SERVERLESS_FAILED");
    assertThat(ledger.getString(2)).contains("Job failed, please check complete logs").contains("ExitCode: 1.");
    assertThat(ledger.getString(3)).isEqualTo("serverless");
    assertThat(ledger.getString(4)).isEqualTo(transform.getApplicationId());

    // one StartJobRun per attempt, each with its own client token: 3 + 2, and load never started
    List<dev.baton.control.launch.FakeAwsApi.Request> starts = aws.requests("POST", false);
    assertThat(starts).hasSize(startsBefore + 5);
    assertThat(starts.subList(startsBefore, starts.size())).extracting(r -> r.body().get("clientToken").asText())
        .doesNotHaveDuplicates()
        .contains(EmrJobLauncher.clientToken(failed.runId() + "/transform/1"));
    assertThat(aws.jobRunNamed("baton:serverless-chain:" + failed.runId() + ":load:1")).isEmpty();
  }

  @Test
  void emrStepsCompletedByTheirDocumentedStatusChangeEventsWithDescribeStepDetails() throws Exception {
    String batch = Demo.newBatchId();
    int addsBefore = emr.requests("AddJobFlowSteps").size();
    RunWatcher.RunReport succeeded = run("steps-chain", "it/" + batch, Map.of("batch", batch));
    RunWatcher.RunReport failed = run("steps-chain", "it/" + batch + "-fail", Map.of("batch", batch, "failAt", "2"));

    assertChainStoppedAtTransform("steps", succeeded, failed);
    List<FakeEmrSteps.Step> steps = emr.steps();
    assertThat(emr.requests("AddJobFlowSteps")).hasSize(addsBefore + 5);
    assertThat(succeeded.completions()).extracting(StageCompleted::getApplicationId)
        .containsExactly(steps.get(0).id, steps.get(1).id, steps.get(2).id);
    assertThat(steps.subList(0, 3)).extracting(FakeEmrSteps.Step::name).containsExactly(
        "baton:steps-chain:" + succeeded.runId() + ":extract:1", "baton:steps-chain:" + succeeded.runId() + ":transform:1",
        "baton:steps-chain:" + succeeded.runId() + ":load:1");
    StageCompleted transform = failed.completions().get(1);
    assertThat(transform.getError().getType()).isEqualTo("EMR_STEP_FAILED");
    assertThat(transform.getError().getMessage()).contains("Unknown Error: Exception in thread \"main\"");
    assertThat(transform.getError().getLogUri()).isEqualTo("s3://acme-logs/emr/" + FakeEmrSteps.CLUSTER_ID + "/steps/"
        + transform.getApplicationId() + "/stderr.gz");
  }

  @Test
  void emrOnEksJobRunsCompletedByTheirStateChangeEventsNamedByDescribeJobRunTags() throws Exception {
    String batch = Demo.newBatchId();
    int startsBefore = eks.requests("POST", false).size();
    RunWatcher.RunReport succeeded = run("eks-chain", "it/" + batch, Map.of("batch", batch));
    RunWatcher.RunReport failed = run("eks-chain", "it/" + batch + "-fail", Map.of("batch", batch, "failAt", "2"));

    assertChainStoppedAtTransform("eks", succeeded, failed);
    List<FakeEmrContainers.JobRun> runs = eks.jobRuns();
    assertThat(eks.requests("POST", false)).hasSize(startsBefore + 5);
    assertThat(succeeded.completions()).extracting(StageCompleted::getApplicationId)
        .containsExactly(runs.get(0).id, runs.get(1).id, runs.get(2).id);
    StageCompleted transform = failed.completions().get(1);
    assertThat(transform.getError().getType()).isEqualTo("EMR_CONTAINERS_FAILED");
    assertThat(transform.getError().getMessage()).endsWith(" FAILED: USER_ERROR Job failed, please check complete logs."
        + " ExitCode: 1.");
    assertThat(transform.getLogUri()).isEqualTo("s3://acme-logs/emr-eks/" + FakeEmrContainers.VIRTUAL_CLUSTER_ID
        + "/jobs/" + transform.getApplicationId() + "/");
  }

  @Test
  void aJobWhoseAttemptTimesOutIsLostAndItsJobRunCancelled() throws Exception {
    RunWatcher.RunReport report = run("serverless-hang", "it/" + Demo.newBatchId(), Map.of());

    assertThat(report.completed().getStatus()).isEqualTo(RunStatus.FAILED);
    assertThat(report.completed().getFailedStages()).containsExactly("stuck");
    FakeEmrServerless.JobRun stuck = aws.jobRunNamed("baton:serverless-hang:" + report.runId() + ":stuck:1").orElseThrow();
    // the LOST attempt's job run is cancelled, not left running next to a retry
    Polling.await(() -> stuck.state.equals("CANCELLED"), Duration.ofMinutes(1), "job run " + stuck.id + " cancelled");
    assertThat(aws.requests("DELETE", true)).anySatisfy(delete -> assertThat(delete.path()).endsWith("/" + stuck.id));
  }

  @Test
  void aCancelledRunCancelsItsRunningJobRun() throws Exception {
    String triggerKey = "it/" + Demo.newBatchId();
    String runId = RunIds.of("serverless-cancel", triggerKey);
    String name = "baton:serverless-cancel:" + runId + ":stuck:1";
    RunWatcher.RunReport report;
    try (RunWatcher watcher = new RunWatcher(LocalServices.kafkaSettings(config))) {
      controller.publisher().publish(ControlEvents.requested(runId, "serverless-cancel",
          new RunRequested(triggerKey, Map.of(), "it", null), Instant.now()));
      Polling.await(() -> aws.jobRunNamed(name).isPresent(), Duration.ofMinutes(1), "the job run of " + name);
      controller.publisher().publish(ControlEvents.operatorRequest(runId, "serverless-cancel",
          new dev.baton.schemas.event.RunCancelRequested("it", "wrong input"), Instant.now()));
      report = watcher.follow(runId, quiet(), RUN_TIMEOUT, () -> controller.controller().query().isActive());
    }

    assertThat(report.completed().getStatus()).isEqualTo(RunStatus.CANCELLED);
    FakeEmrServerless.JobRun stuck = aws.jobRunNamed(name).orElseThrow();
    Polling.await(() -> stuck.state.equals("CANCELLED"), Duration.ofMinutes(1), "job run " + stuck.id + " cancelled");
    assertThat(aws.requests("DELETE", true)).anySatisfy(delete -> assertThat(delete.path()).endsWith("/" + stuck.id));
  }

  /** The ledger's row of an attempt once it has a final status: status, error_type, error, launcher, application_id. */
  private static Row awaitLedgerAttempt(String runId, String stage) throws InterruptedException {
    String sql = "SELECT status, error_type, error, launcher, application_id FROM baton_system.stage_attempts"
        + " WHERE run_id = '" + runId + "' AND stage = '" + stage + "' AND status <> 'RUNNING'";
    Polling.await(() -> !spark.sql(sql).isEmpty(), Duration.ofMinutes(1), "a final ledger row of " + stage);
    return spark.sql(sql).first();
  }

  /** The run without failAt SUCCEEDED, its 3 stages in order; the one with failAt 2 FAILED at transform, load never launched. */
  private static void assertChainStoppedAtTransform(String launcher, RunWatcher.RunReport succeeded,
      RunWatcher.RunReport failed) {
    assertThat(succeeded.completed().getStatus()).isEqualTo(RunStatus.SUCCEEDED);
    assertThat(succeeded.launches()).extracting(StageLaunched::getStage).containsExactly("extract", "transform", "load");
    assertThat(succeeded.launches()).extracting(StageLaunched::getLauncher).containsOnly(launcher);
    assertThat(succeeded.completions()).extracting(c -> c.getStage() + "=" + c.getStatus())
        .containsExactly("extract=SUCCEEDED", "transform=SUCCEEDED", "load=SUCCEEDED");
    for (int i = 1; i < 3; i++) { // a stage is launched after its upstream's completion
      assertThat(succeeded.launches().get(i).getLaunchedAt())
          .isAfterOrEqualTo(succeeded.completions().get(i - 1).getFinishedAt());
    }
    assertThat(failed.completed().getStatus()).isEqualTo(RunStatus.FAILED);
    assertThat(failed.completed().getFailedStages()).containsExactly("transform");
    assertThat(failed.launches()).extracting(StageLaunched::getStage).containsExactly("extract", "transform");
    assertThat(failed.completions().get(1).getStatus()).isEqualTo(StageStatus.FAILED);
  }

  private static PrintStream quiet() {
    return new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
  }
}
