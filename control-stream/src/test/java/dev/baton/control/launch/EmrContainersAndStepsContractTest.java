package dev.baton.control.launch;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.baton.control.pipeline.StageDefinition;
import dev.baton.schemas.AttemptName;
import dev.baton.schemas.event.ControlEvent;
import dev.baton.schemas.event.StageCompleted;
import dev.baton.schemas.event.StageStatus;
import dev.baton.stages.runner.StageMain;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The emr-containers (EMR on EKS) and emr-steps (EMR on EC2) launchers against their APIs played by
 * {@link FakeEmrContainers} and {@link FakeEmrSteps} (the real AWS SDK clients, the documented shapes).
 */
class EmrContainersAndStepsContractTest {
  private static final String RUN_ID = "0c4bd3d8-4a6b-3b1e-9a49-6ad4e1c7f2a1";
  private static final Duration TIMEOUT = Duration.ofMinutes(1);
  private static final Map<String, Object> QX = Map.of("resource", "s3://acme-jobs/qx.jar", "mainClass", "com.acme.Qx",
      "args", List.of("--step", "5", "--day", "${batch}"));

  private final List<ControlEvent> published = new CopyOnWriteArrayList<>();

  @BeforeAll
  static void credentials() {
    System.setProperty("aws.accessKeyId", "contract-test");
    System.setProperty("aws.secretAccessKey", "contract-test-secret");
  }

  @AfterAll
  static void clearCredentials() {
    System.clearProperty("aws.accessKeyId");
    System.clearProperty("aws.secretAccessKey");
  }

  private EmrJobLauncher launcher(String type, FakeAwsApi aws, Map<String, String> settings) {
    Map<String, String> config = new HashMap<>(Map.of("launchers.emr.type", type, "launchers.emr.region", "us-east-1",
        "launchers.emr.endpoint", aws.endpoint().toString(), "launchers.emr.poll-interval-ms", "200",
        "launchers.emr.stage-config", "baton.properties"));
    settings.forEach((key, value) -> config.put("launchers.emr." + key, value));
    EmrLauncherSettings emr = EmrLauncherSettings.from(LauncherProfile.fromConfig(config).get("emr"), true);
    EmrJobs jobs = type.equals(LauncherProfile.EMR_CONTAINERS) ? EmrContainersJobs.create(emr) : EmrStepJobs.create(emr);
    return new EmrJobLauncher(emr, jobs, published::add, Clock.systemUTC(), Duration.ofMillis(100));
  }

  private EmrJobLauncher eks(FakeEmrContainers aws) {
    return launcher(LauncherProfile.EMR_CONTAINERS, aws, Map.of(
        "virtual-cluster-id", FakeEmrContainers.VIRTUAL_CLUSTER_ID, "release-label", "emr-7.5.0-latest",
        "execution-role-arn", "arn:aws:iam::123456789012:role/baton-emr-eks-job", "log-uri", "s3://acme-logs/emr-eks/",
        "log-group", "/baton/emr-eks", "stage-runner-jar", "s3://acme-jobs/baton-stage-runner.jar"));
  }

  private EmrJobLauncher steps(FakeEmrSteps aws, String completion) {
    return launcher(LauncherProfile.EMR_STEPS, aws, Map.of("cluster-id", FakeEmrSteps.CLUSTER_ID,
        "stage-runner-jar", "s3://acme-jobs/baton-stage-runner.jar", "completion", completion));
  }

  private static LaunchRequest request(String stage, String type, Map<String, Object> options, int attempt) {
    return new LaunchRequest(RUN_ID, "p", new StageDefinition(stage, type, List.of(), options), attempt,
        Map.of("batch", "b1"), null);
  }

  private StageCompleted awaitCompletion() throws InterruptedException {
    Conditions.await(() -> !published.isEmpty(), TIMEOUT);
    assertThat(published).hasSize(1);
    return (StageCompleted) published.get(0).getPayload();
  }

  private static List<String> strings(JsonNode array) {
    List<String> values = new ArrayList<>();
    array.forEach(value -> values.add(value.asText()));
    return values;
  }

  @Test
  void anEksJobRunIsNamedFromItsTokenWithoutARetryPolicyAndItsFailureIsPolledWithTheReason() throws Exception {
    try (FakeEmrContainers aws = new FakeEmrContainers(Path.of("..", "examples", "events"));
        EmrJobLauncher launcher = eks(aws)) {
      LaunchRequest request = request("qx5", "spark-app", QX, 1);
      launcher.launch(request);
      Conditions.await(() -> aws.jobRuns().size() == 1, TIMEOUT);

      FakeEmrContainers.JobRun run = aws.jobRuns().get(0);
      JsonNode start = run.startRequest;
      String token = EmrJobLauncher.clientToken(request.launchKey());
      assertThat(start.get("clientToken").asText()).isEqualTo(token);
      assertThat(start.get("name").asText()).isEqualTo("baton-" + token); // the API refuses ':' in names
      assertThat(start.get("releaseLabel").asText()).isEqualTo("emr-7.5.0-latest");
      assertThat(start.has("retryPolicyConfiguration")).as("Baton retries, with a new attempt").isFalse();
      assertThat(start.get("tags").get("baton:stage").asText()).isEqualTo("qx5");
      JsonNode driver = start.get("jobDriver").get("sparkSubmitJobDriver");
      assertThat(driver.get("entryPoint").asText()).isEqualTo("s3://acme-jobs/qx.jar");
      assertThat(strings(driver.get("entryPointArguments"))).containsExactly("--step", "5", "--day", "b1");
      assertThat(driver.get("sparkSubmitParameters").asText()).isEqualTo("--class com.acme.Qx");
      assertThat(start.at("/configurationOverrides/monitoringConfiguration/cloudWatchMonitoringConfiguration/logGroupName")
          .asText()).isEqualTo("/baton/emr-eks");

      aws.setState(run.id, "FAILED", "USER_ERROR", "ExitCode: 1. java.lang.OutOfMemoryError: Java heap space");
      StageCompleted completed = awaitCompletion(); // completion=poll is the emr-containers default

      assertThat(completed.getStatus()).isEqualTo(StageStatus.FAILED);
      assertThat(completed.getError().getType()).isEqualTo("EMR_CONTAINERS_FAILED");
      assertThat(completed.getError().getMessage()).isEqualTo("EMR on EKS job run " + run.id
          + " FAILED: USER_ERROR ExitCode: 1. java.lang.OutOfMemoryError: Java heap space");
      assertThat(completed.getLogUri()).isEqualTo("s3://acme-logs/emr-eks/" + FakeEmrContainers.VIRTUAL_CLUSTER_ID
          + "/jobs/" + run.id + "/");
    }
  }

  @Test
  void anEksJobRunIsAdoptedByNameAfterARestartAndCancelledOnRequest() throws Exception {
    try (FakeEmrContainers aws = new FakeEmrContainers(Path.of("..", "examples", "events"))) {
      long recordedAt = System.currentTimeMillis();
      try (EmrJobLauncher before = eks(aws)) {
        before.launch(request("load", "noop", Map.of(), 1));
        Conditions.await(() -> aws.jobRuns().size() == 1, TIMEOUT);
      }
      FakeEmrContainers.JobRun run = aws.jobRuns().get(0);
      JsonNode driver = run.startRequest.get("jobDriver").get("sparkSubmitJobDriver");
      assertThat(driver.get("entryPoint").asText()).isEqualTo("s3://acme-jobs/baton-stage-runner.jar");
      assertThat(driver.get("sparkSubmitParameters").asText()).isEqualTo("--class " + StageMain.class.getName());

      try (EmrJobLauncher after = eks(aws)) {
        assertThat(after.reconcile(new JournaledLaunch(RUN_ID, "p", "load", 1, "noop", "emr", "e1", recordedAt)))
            .isEqualTo(Launcher.AttemptState.RUNNING);
        assertThat(after.reconcile(new JournaledLaunch(RUN_ID, "p", "load", 2, "noop", "emr", "e1", recordedAt)))
            .isEqualTo(Launcher.AttemptState.LOST);
        assertThat(aws.requests("GET", false)).extracting(FakeAwsApi.Request::query)
            .anySatisfy(query -> assertThat(query).contains("name=" + EmrContainersJobs.jobName(
                new AttemptName("p", RUN_ID, "load", 1))));

        after.cancel(RUN_ID + "/load/1");
        Conditions.await(() -> run.state.equals("CANCELLED"), TIMEOUT);
      }
      assertThat(aws.requests("POST", false)).hasSize(1);
      assertThat(published).isEmpty();
    }
  }

  @Test
  void anEksJobRunsBatonsStagesInBatonsImageWithItsPodTemplates() throws Exception {
    String image = "123456789012.dkr.ecr.us-east-1.amazonaws.com/baton-emr:0.1.0";
    try (FakeEmrContainers aws = new FakeEmrContainers(Path.of("..", "examples", "events"));
        EmrJobLauncher launcher = launcher(LauncherProfile.EMR_CONTAINERS, aws, Map.of(
            "virtual-cluster-id", FakeEmrContainers.VIRTUAL_CLUSTER_ID, "release-label", "emr-7.5.0-latest",
            "execution-role-arn", "arn:aws:iam::123456789012:role/baton-emr-eks-job", "image", image,
            "driver-pod-template", "s3://acme-jobs/pod-templates/driver.yaml",
            "executor-pod-template", "s3://acme-jobs/pod-templates/executor.yaml",
            "stage-runner-jar", "local:///usr/lib/baton/baton-stage-runner.jar"))) {
      launcher.launch(request("load", "noop", Map.of(), 1));
      Conditions.await(() -> aws.jobRuns().size() == 1, TIMEOUT);

      JsonNode driver = aws.jobRuns().get(0).startRequest.get("jobDriver").get("sparkSubmitJobDriver");
      assertThat(driver.get("entryPoint").asText()).isEqualTo("local:///usr/lib/baton/baton-stage-runner.jar");
      assertThat(driver.get("sparkSubmitParameters").asText()).isEqualTo("--class " + StageMain.class.getName()
          + " --conf spark.kubernetes.container.image=" + image
          + " --conf spark.kubernetes.driver.podTemplateFile=s3://acme-jobs/pod-templates/driver.yaml"
          + " --conf spark.kubernetes.executor.podTemplateFile=s3://acme-jobs/pod-templates/executor.yaml");
    }
  }

  @Test
  void aStepRunsSparkSubmitThroughCommandRunnerAndContinuesOnFailure() throws Exception {
    try (FakeEmrSteps aws = new FakeEmrSteps(); EmrJobLauncher launcher = steps(aws, "poll")) {
      LaunchRequest request = request("load", "noop", Map.of(), 1);
      launcher.launch(request);
      Conditions.await(() -> aws.steps().size() == 1, TIMEOUT);

      FakeEmrSteps.Step step = aws.steps().get(0);
      assertThat(step.name()).isEqualTo("baton:p:" + RUN_ID + ":load:1");
      assertThat(step.config.get("ActionOnFailure").asText()).isEqualTo("CONTINUE");
      assertThat(step.config.at("/HadoopJarStep/Jar").asText()).isEqualTo("command-runner.jar");
      List<String> args = strings(step.config.at("/HadoopJarStep/Args"));
      assertThat(args).startsWith("spark-submit", "--deploy-mode", "cluster", "--class", StageMain.class.getName())
          .containsSequence("s3://acme-jobs/baton-stage-runner.jar", "--config", "baton.properties")
          .containsSequence("--attempt", "baton:p:" + RUN_ID + ":load:1");

      aws.setState(step.id, "FAILED", "Unknown Error", "Exception in thread \"main\" org.apache.spark.SparkException",
          "s3://acme-logs/emr/j-2AXXXXXXGAPLF/steps/" + step.id + "/stderr.gz");
      StageCompleted completed = awaitCompletion();

      assertThat(completed.getError().getType()).isEqualTo("EMR_STEP_FAILED");
      assertThat(completed.getError().getMessage()).isEqualTo("EMR step " + step.id
          + " FAILED: Unknown Error: Exception in thread \"main\" org.apache.spark.SparkException");
      assertThat(completed.getLogUri()).isEqualTo("s3://acme-logs/emr/j-2AXXXXXXGAPLF/steps/" + step.id + "/stderr.gz");
      assertThat(completed.getApplicationId()).isEqualTo(step.id);
    }
  }

  @Test
  void aStepIsAddedOnceAcrossALostAnswerAndARestartAndCancelledOnRequest() throws Exception {
    try (FakeEmrSteps aws = new FakeEmrSteps()) {
      LaunchRequest request = request("qx5", "spark-app", QX, 1);
      aws.loseNextAddAnswer(); // the step is added, the answer lost: asking again finds it by name
      try (EmrJobLauncher before = steps(aws, "events")) {
        before.launch(request);
        Conditions.await(() -> aws.requests("DescribeStep").size() >= 1, TIMEOUT); // answered: polled
      }
      try (EmrJobLauncher after = steps(aws, "events")) { // a restarted controller launching it again
        after.launch(request);
        Conditions.await(() -> aws.requests("ListSteps").size() >= 3, TIMEOUT);
        Conditions.await(() -> aws.requests("DescribeStep").size() >= 2, TIMEOUT);
        after.cancel(request.launchKey());
        Conditions.await(() -> aws.steps().get(0).state.equals("CANCELLED"), TIMEOUT);
      }

      assertThat(aws.steps()).hasSize(1);
      assertThat(aws.requests("AddJobFlowSteps")).hasSize(1);
      // (a second CancelSteps of the same step may come from the start finishing as the cancel happens)
      assertThat(aws.requests("CancelSteps")).isNotEmpty().allSatisfy(cancel -> {
        assertThat(cancel.body().get("StepIds").get(0).asText()).isEqualTo(aws.steps().get(0).id);
        assertThat(cancel.body().get("StepCancellationOption").asText()).isEqualTo("SEND_INTERRUPT");
      });
      assertThat(published).isEmpty();
    }
  }
}
