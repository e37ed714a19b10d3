package dev.baton.control.launch;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.baton.control.pipeline.StageDefinition;
import dev.baton.schemas.AttemptName;
import dev.baton.schemas.StageErrorCode;
import dev.baton.schemas.event.ControlEvent;
import dev.baton.schemas.event.StageCompleted;
import dev.baton.schemas.event.StageStatus;
import dev.baton.stages.runner.StageMain;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The emr-serverless launcher against the EMR Serverless API played by {@link FakeEmrServerless}
 * (no AWS account here: the real AWS SDK client, the documented request and response shapes).
 */
class EmrServerlessLauncherContractTest {
  private static final String RUN_ID = "0c4bd3d8-4a6b-3b1e-9a49-6ad4e1c7f2a1";
  private static final String ROLE = "arn:aws:iam::123456789012:role/baton-emr-serverless-job";
  private static final Duration TIMEOUT = Duration.ofMinutes(1);
  private static final Map<String, Object> QX = Map.of("resource", "s3://acme-jobs/qx.jar", "mainClass", "com.acme.Qx",
      "args", List.of("--step", "5", "--day", "${batch}"), "conf", Map.of("spark.executor.memory", "4g"));

  private FakeEmrServerless aws;
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

  @BeforeEach
  void start() throws Exception {
    aws = new FakeEmrServerless(Path.of("..", "examples", "events"));
  }

  @AfterEach
  void stop() {
    aws.close();
  }

  private EmrJobLauncher launcher(String completion, Duration startRetryDelay) {
    Map<String, String> config = new HashMap<>(Map.of("launchers.serverless.type", "emr-serverless",
        "launchers.serverless.application-id", FakeEmrServerless.APPLICATION_ID,
        "launchers.serverless.execution-role-arn", ROLE, "launchers.serverless.region", "us-east-1",
        "launchers.serverless.endpoint", aws.endpoint().toString(),
        "launchers.serverless.log-uri", "s3://acme-logs/emr-serverless/",
        "launchers.serverless.completion", completion,
        // a short poll: the contract is what is asked and reported, not how often
        "launchers.serverless.poll-interval-ms", "200",
        "launchers.serverless.stage-config", "baton.properties",
        "launchers.serverless.stage-runner-jar", "s3://acme-jobs/baton-stage-runner.jar"));
    config.put("launchers.serverless.conf.spark.files", "s3://acme-config/baton.properties");
    config.put("launchers.serverless.log-group", "/baton/emr-serverless");
    LauncherProfile profile = LauncherProfile.fromConfig(config).get("serverless");
    EmrLauncherSettings settings = EmrLauncherSettings.from(profile, true);
    return new EmrJobLauncher(settings, EmrServerlessJobs.create(settings), published::add, Clock.systemUTC(),
        startRetryDelay);
  }

  private EmrJobLauncher launcher(String completion) {
    return launcher(completion, Duration.ofMillis(100));
  }

  private static LaunchRequest request(String stage, String type, Map<String, Object> options, int attempt, Long timeoutMs) {
    return new LaunchRequest(RUN_ID, "p", new StageDefinition(stage, type, List.of(), options,
        dev.baton.control.pipeline.RetryPolicy.NONE, timeoutMs, Map.of(), null), attempt, Map.of("batch", "b1"), "3f2a9c81d0e4");
  }

  private static LaunchRequest sparkApp(String stage, int attempt) {
    return request(stage, "spark-app", QX, attempt, null);
  }

  private FakeEmrServerless.JobRun awaitJobRun(LaunchRequest request) throws InterruptedException {
    String name = new AttemptName("p", RUN_ID, request.stage().name(), request.attempt()).toString();
    Conditions.await(() -> aws.jobRunNamed(name).isPresent(), TIMEOUT);
    return aws.jobRunNamed(name).orElseThrow();
  }

  private StageCompleted awaitCompletion() throws InterruptedException {
    Conditions.await(() -> !published.isEmpty(), TIMEOUT);
    assertThat(published).hasSize(1);
    return (StageCompleted) published.get(0).getPayload();
  }

  @Test
  void aSparkAppAttemptIsOneJobRunNamedAndTaggedAfterItsAttemptAndItsFailureIsPolledWithStateDetails() throws Exception {
    try (EmrJobLauncher launcher = launcher("poll")) {
      LaunchRequest request = request("qx5", "spark-app", QX, 1, 90 * 60_000L + 1);
      launcher.launch(request);

      FakeEmrServerless.JobRun run = awaitJobRun(request);
      JsonNode start = run.startRequest;
      assertThat(start.get("name").asText()).isEqualTo("baton:p:" + RUN_ID + ":qx5:1");
      assertThat(start.get("clientToken").asText()).isEqualTo(EmrJobLauncher.clientToken(request.launchKey()))
          .matches("[A-Za-z0-9._-]{1,64}"); // the API's pattern
      assertThat(start.get("executionRoleArn").asText()).isEqualTo(ROLE);
      assertThat(new com.fasterxml.jackson.databind.ObjectMapper().convertValue(start.get("tags"), Map.class))
          .isEqualTo(Map.of("baton:pipeline", "p", "baton:run-id", RUN_ID, "baton:stage", "qx5", "baton:attempt", "1"));
      assertThat(start.get("executionTimeoutMinutes").asLong()).isEqualTo(91); // 90 min + 1 ms, rounded up
      JsonNode submit = start.get("jobDriver").get("sparkSubmit");
      assertThat(submit.get("entryPoint").asText()).isEqualTo("s3://acme-jobs/qx.jar");
      assertThat(submit.get("entryPointArguments").toString()).isEqualTo("[\"--step\",\"5\",\"--day\",\"b1\"]");
      assertThat(submit.get("sparkSubmitParameters").asText()).isEqualTo("--class com.acme.Qx"
          + " --conf spark.executor.memory=4g --conf spark.files=s3://acme-config/baton.properties");
      assertThat(start.at("/configurationOverrides/monitoringConfiguration/s3MonitoringConfiguration/logUri").asText())
          .isEqualTo("s3://acme-logs/emr-serverless/");
      JsonNode cloudWatch = start.at("/configurationOverrides/monitoringConfiguration/cloudWatchLoggingConfiguration");
      assertThat(cloudWatch.get("enabled").asBoolean()).isTrue();
      assertThat(cloudWatch.get("logGroupName").asText()).isEqualTo("/baton/emr-serverless");
      assertThat(cloudWatch.get("logStreamNamePrefix").asText()).isEqualTo("p");
      assertThat(published).isEmpty();

      aws.setState(run.id, "FAILED", "Job failed, please check complete logs in configured logging destination. ExitCode: 1.");
      StageCompleted completed = awaitCompletion();

      assertThat(completed.getStage()).isEqualTo("qx5");
      assertThat(completed.getStatus()).isEqualTo(StageStatus.FAILED);
      assertThat(completed.getError().getType()).isEqualTo("EMR_SERVERLESS_FAILED");
      assertThat(StageErrorCode.of(completed.getError().getType())).isEqualTo(StageErrorCode.EXTERNAL_JOB_FAILED);
      assertThat(completed.getError().getMessage()).isEqualTo("EMR Serverless job run " + run.id
          + " FAILED: Job failed, please check complete logs in configured logging destination. ExitCode: 1.");
      assertThat(completed.getApplicationId()).isEqualTo(run.id);
      assertThat(completed.getLogUri()).isEqualTo("s3://acme-logs/emr-serverless/applications/"
          + FakeEmrServerless.APPLICATION_ID + "/jobs/" + run.id + "/");
      assertThat(launcher.activeAttempts()).isZero();
    }
  }

  @Test
  void aBuiltInStageRunsBatonsStageRunnerWhichReportsItsOwnSuccess() throws Exception {
    try (EmrJobLauncher launcher = launcher("poll")) {
      LaunchRequest request = request("load", "noop", Map.of(), 1, null);
      launcher.launch(request);

      FakeEmrServerless.JobRun run = awaitJobRun(request);
      JsonNode submit = run.startRequest.get("jobDriver").get("sparkSubmit");
      assertThat(submit.get("entryPoint").asText()).isEqualTo("s3://acme-jobs/baton-stage-runner.jar");
      assertThat(submit.get("sparkSubmitParameters").asText()).startsWith("--class " + StageMain.class.getName());
      List<String> arguments = new java.util.ArrayList<>();
      submit.get("entryPointArguments").forEach(argument -> arguments.add(argument.asText()));
      assertThat(arguments).containsSequence("--config", "baton.properties")
          .containsSequence("--attempt", "baton:p:" + RUN_ID + ":load:1")
          .containsSequence("--pipeline-version", "3f2a9c81d0e4");
      assertThat(run.startRequest.has("executionTimeoutMinutes")).isFalse();

      aws.setState(run.id, "SUCCESS", "");
      Conditions.await(() -> launcher.activeAttempts() == 0, TIMEOUT);
      assertThat(published).as("the stage runner publishes its own StageCompleted, with its outputs").isEmpty();
    }
  }

  @Test
  void theClientTokenIsTheSameForTheSameAttemptAfterARestartAndNewForTheNextAttempt() throws Exception {
    LaunchRequest first = sparkApp("qx5", 1);
    try (EmrJobLauncher before = launcher("events")) {
      before.launch(first);
      awaitJobRun(first);
    }
    try (EmrJobLauncher after = launcher("events")) { // a new controller process launching the attempt again
      after.launch(first);
      Conditions.await(() -> aws.requests("POST", false).size() == 2, TIMEOUT);
      LaunchRequest second = sparkApp("qx5", 2);
      after.launch(second);
      awaitJobRun(second);
    }

    List<String> tokens = aws.requests("POST", false).stream().map(r -> r.body().get("clientToken").asText()).toList();
    assertThat(tokens).hasSize(3);
    assertThat(tokens.get(0)).isEqualTo(tokens.get(1)).isNotEqualTo(tokens.get(2));
    assertThat(aws.jobRuns()).extracting(run -> run.name).containsExactly("baton:p:" + RUN_ID + ":qx5:1",
        "baton:p:" + RUN_ID + ":qx5:2");
  }

  @Test
  void reconcileAdoptsTheJobRunOfAnEarlierControllerByNameAndDeclaresAMissingOneLost() throws Exception {
    LaunchRequest started = sparkApp("qx5", 1);
    long recordedAt = System.currentTimeMillis();
    try (EmrJobLauncher before = launcher("poll")) {
      before.launch(started);
      awaitJobRun(started);
    }
    try (EmrJobLauncher after = launcher("poll")) {
      Launcher.AttemptState adopted = after.reconcile(new JournaledLaunch(RUN_ID, "p", "qx5", 1, "spark-app",
          "serverless", "epoch-1", recordedAt));
      Launcher.AttemptState missing = after.reconcile(new JournaledLaunch(RUN_ID, "p", "qx6", 1, "spark-app",
          "serverless", "epoch-1", recordedAt));

      assertThat(adopted).isEqualTo(Launcher.AttemptState.RUNNING);
      assertThat(missing).isEqualTo(Launcher.AttemptState.LOST);
      assertThat(aws.requests("GET", false)).isNotEmpty()
          .allSatisfy(list -> assertThat(list.query()).contains("createdAtAfter="));
      // adopted: polled, and its end reported as for a launch
      aws.setState(aws.jobRunNamed("baton:p:" + RUN_ID + ":qx5:1").orElseThrow().id, "SUCCESS", "");
      StageCompleted completed = awaitCompletion();
      assertThat(completed.getStage()).isEqualTo("qx5");
      assertThat(completed.getStatus()).isEqualTo(StageStatus.SUCCEEDED);
    }
    assertThat(aws.requests("POST", false)).hasSize(1);
  }

  @Test
  void throttlingIsRetriedByTheSdkThenByTheLauncherWithTheSameTokenAndStartsOneJobRun() throws Exception {
    // more than the SDK's 3 attempts: the launcher asks again after them, with the same token
    FakeEmrServerless.StartFailure throttled = FakeEmrServerless.StartFailure.THROTTLING;
    aws.failNextStart(throttled, throttled, throttled, throttled);
    try (EmrJobLauncher launcher = launcher("events")) {
      LaunchRequest request = sparkApp("qx5", 1);
      launcher.launch(request);
      awaitJobRun(request);
    }

    assertThat(aws.requests("POST", false)).hasSize(5)
        .extracting(r -> r.body().get("clientToken").asText()).containsOnly(EmrJobLauncher.clientToken(RUN_ID + "/qx5/1"));
    assertThat(aws.jobRuns()).hasSize(1);
    assertThat(published).isEmpty();
  }

  @Test
  void aLostResponseIsAskedAgainWithTheSameTokenNeverANewOne() throws Exception {
    // more losses than the SDK's own 3 attempts: the launcher's own retry takes over, with the same token
    FakeEmrServerless.StartFailure lost = FakeEmrServerless.StartFailure.LOST_RESPONSE;
    aws.failNextStart(lost, lost, lost, lost);
    try (EmrJobLauncher launcher = launcher("poll")) {
      LaunchRequest request = sparkApp("qx5", 1);
      launcher.launch(request);
      Conditions.await(() -> aws.requests("POST", false).size() == 5, TIMEOUT);
      Conditions.await(() -> !aws.requests("GET", true).isEmpty(), TIMEOUT); // answered at last, and polled
    }

    assertThat(aws.requests("POST", false)).extracting(r -> r.body().get("clientToken").asText())
        .containsOnly(EmrJobLauncher.clientToken(RUN_ID + "/qx5/1"));
    assertThat(aws.jobRuns()).hasSize(1);
    assertThat(published).as("a start without an answer is not a failed attempt").isEmpty();
  }

  @Test
  void aServerErrorAfterTheJobRunWasCreatedIsAskedAgainWithTheSameTokenNotFailed() throws Exception {
    FakeEmrServerless.StartFailure error = FakeEmrServerless.StartFailure.SERVER_ERROR;
    aws.failNextStart(error, error, error, error); // the SDK's 3 attempts, then the launcher's own
    try (EmrJobLauncher launcher = launcher("poll")) {
      launcher.launch(sparkApp("qx5", 1));
      Conditions.await(() -> aws.requests("POST", false).size() == 5, TIMEOUT);
      Conditions.await(() -> !aws.requests("GET", true).isEmpty(), TIMEOUT); // answered at last, and polled
    }

    assertThat(aws.requests("POST", false)).extracting(r -> r.body().get("clientToken").asText())
        .containsOnly(EmrJobLauncher.clientToken(RUN_ID + "/qx5/1"));
    assertThat(aws.jobRuns()).hasSize(1);
    assertThat(published).as("not a failed attempt, whose retry would start a second job").isEmpty();
  }

  @Test
  void aValidationExceptionAndAnAccessDeniedFailTheAttemptWithAwsMessageAndAreNotRetried() throws Exception {
    aws.failNextStart(FakeEmrServerless.StartFailure.VALIDATION, FakeEmrServerless.StartFailure.ACCESS_DENIED);
    try (EmrJobLauncher launcher = launcher("events")) {
      launcher.launch(sparkApp("qx5", 1));
      Conditions.await(() -> published.size() == 1, TIMEOUT);
      launcher.launch(sparkApp("qx6", 1));
      Conditions.await(() -> published.size() == 2, TIMEOUT);
    }

    StageCompleted invalid = (StageCompleted) published.get(0).getPayload();
    assertThat(invalid.getStatus()).isEqualTo(StageStatus.FAILED);
    assertThat(invalid.getError().getType()).isEqualTo("INVALID_REQUEST");
    assertThat(invalid.getError().getMessage()).contains("refused: Job driver entry point must be an S3 URI")
        .contains("ValidationException, HTTP 400, request id ");
    StageCompleted denied = (StageCompleted) published.get(1).getPayload();
    assertThat(denied.getError().getType()).isEqualTo("ACCESS_DENIED");
    assertThat(denied.getError().getMessage()).contains("is not authorized to perform: iam:PassRole")
        .contains("AccessDeniedException, HTTP 403");
    assertThat(StageErrorCode.of(invalid.getError().getType()).kind()).isEqualTo(StageErrorCode.Kind.USER);
    assertThat(StageErrorCode.of(invalid.getError().getType()).retryable()).isFalse();
    assertThat(StageErrorCode.of(denied.getError().getType()).retryable()).isFalse();
    assertThat(aws.requests("POST", false)).as("one request each: the SDK does not retry them").hasSize(2);
    assertThat(aws.jobRuns()).isEmpty();
  }

  @Test
  void cancelCancelsTheJobRunAndNobodyReportsIt() throws Exception {
    try (EmrJobLauncher launcher = launcher("poll")) {
      LaunchRequest request = sparkApp("qx5", 1);
      launcher.launch(request);
      FakeEmrServerless.JobRun run = awaitJobRun(request);
      Conditions.await(() -> !aws.requests("GET", true).isEmpty(), TIMEOUT);

      launcher.cancel(request.launchKey());

      Conditions.await(() -> run.state.equals("CANCELLED"), TIMEOUT);
      assertThat(aws.requests("DELETE", true)).singleElement()
          .satisfies(delete -> assertThat(delete.path()).endsWith("/jobruns/" + run.id));
      assertThat(launcher.activeAttempts()).isZero();
    }
    assertThat(published).isEmpty();
  }

  @Test
  void cancellingAnAttemptWhoseStartWasNeverAnsweredFindsItsJobRunByName() throws Exception {
    aws.failNextStart(FakeEmrServerless.StartFailure.LOST_RESPONSE, FakeEmrServerless.StartFailure.LOST_RESPONSE,
        FakeEmrServerless.StartFailure.LOST_RESPONSE);
    // the launcher's own retry waits an hour: the attempt is LOST (its timeout) long before
    try (EmrJobLauncher launcher = launcher("events", Duration.ofHours(1))) {
      LaunchRequest request = sparkApp("qx5", 1);
      launcher.launch(request);
      FakeEmrServerless.JobRun run = awaitJobRun(request);
      Conditions.await(() -> aws.requests("POST", false).size() == 3, TIMEOUT);

      launcher.cancel(request.launchKey());

      Conditions.await(() -> run.state.equals("CANCELLED"), TIMEOUT);
      assertThat(aws.requests("GET", false)).as("ListJobRuns").isNotEmpty();
    }
    assertThat(aws.requests("POST", false)).hasSize(3);
    assertThat(published).isEmpty();
  }

  @Test
  void withEventCompletionsTheLauncherReportsNoEndButAJobRunTheApiForgotIsLost() throws Exception {
    try (EmrJobLauncher launcher = launcher("events")) {
      LaunchRequest succeeds = sparkApp("qx5", 1);
      launcher.launch(succeeds);
      FakeEmrServerless.JobRun run = awaitJobRun(succeeds);
      aws.setState(run.id, "SUCCESS", "");
      Conditions.await(() -> launcher.activeAttempts() == 0, TIMEOUT);
      assertThat(published).as("the connector reports it from the state change event").isEmpty();

      LaunchRequest vanishes = sparkApp("qx6", 1);
      launcher.launch(vanishes);
      FakeEmrServerless.JobRun gone = awaitJobRun(vanishes);
      aws.forget(gone.id);
      StageCompleted lost = awaitCompletion();
      assertThat(lost.getStage()).isEqualTo("qx6");
      assertThat(lost.getStatus()).isEqualTo(StageStatus.LOST);
      assertThat(lost.getError().getMessage()).contains(gone.id).contains("is not known to the API any more");
    }
  }

  @Test
  void sparkSettingsWithWhitespaceFailTheAttemptAtOnceWithTheOption() throws Exception {
    try (EmrJobLauncher launcher = launcher("events")) {
      launcher.launch(request("qx5", "spark-app", Map.of("resource", "s3://acme-jobs/qx.jar", "mainClass", "com.acme.Qx",
          "conf", Map.of("spark.driver.extraJavaOptions", "-Da=1 -Db=2")), 1, null));
    }
    StageCompleted completed = (StageCompleted) published.get(0).getPayload();
    assertThat(completed.getError().getType()).isEqualTo("INVALID_OPTIONS");
    assertThat(completed.getError().getMessage()).startsWith("conf.spark.driver.extraJavaOptions: cannot hold whitespace")
        .doesNotContain("-Da=1");
    assertThat(aws.requests()).isEmpty();
  }
}
