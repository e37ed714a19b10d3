package dev.baton.control.launch;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.control.pipeline.StageDefinition;
import dev.baton.schemas.AttemptName;
import dev.baton.schemas.event.ControlEvent;
import dev.baton.schemas.event.StageCompleted;
import dev.baton.schemas.event.StageStatus;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The Spark Operator launcher against a real Kubernetes API served locally by fabric8's mock server
 * in CRUD mode: the {@code SparkApplication} resource it creates, its outcome from the status the
 * test sets (as the operator would), adoption after a restart, deletion on cancel. Without a cluster
 * and the operator, what remains untested is the operator turning the resource into pods.
 */
@EnableKubernetesMockClient(crud = true, https = false)
class SparkOperatorLauncherTest {
  private static final String RUN_ID = "0c4bd3d8-4a6b-3b1e-9a49-6ad4e1c7f2a1";
  private static final String PIPELINE_VERSION = "3f2a9c81d0e4";
  private static final Duration TIMEOUT = Duration.ofMinutes(1);

  KubernetesMockServer server;
  KubernetesClient client;

  private final List<ControlEvent> published = new CopyOnWriteArrayList<>();

  private SparkOperatorLauncher launcher() {
    LauncherProfile profile = LauncherProfile.fromConfig(Map.of("launchers.op.type", "spark-operator",
        "launchers.op.namespace", "baton", "launchers.op.image", "baton-spark:0.1.0",
        "launchers.op.stage-config", "/etc/baton/baton.properties",
        "launchers.op.conf.spark.executor.memory", "4g")).get("op");
    return new SparkOperatorLauncher(SparkOperatorSettings.from(profile, true), client, false, published::add,
        Clock.systemUTC());
  }

  private Resource<GenericKubernetesResource> application(String stage, int attempt) {
    return client.genericKubernetesResources(SparkOperatorLauncher.RESOURCE)
        .inNamespace("baton").withName(KubernetesDrivers.podName(new AttemptName("p", RUN_ID, stage, attempt)));
  }

  private GenericKubernetesResource awaitApplication(String stage, int attempt) {
    return application(stage, attempt).waitUntilCondition(app -> app != null, TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
  }

  private void setState(String stage, int attempt, String state, String errorMessage) {
    application(stage, attempt).editStatus(app -> {
      app.getAdditionalProperties().put("status", Map.of("sparkApplicationId", "spark-4f1c", "applicationState",
          errorMessage == null ? Map.of("state", state) : Map.of("state", state, "errorMessage", errorMessage)));
      return app;
    });
  }

  private static LaunchRequest request(String stage, String type, Map<String, Object> options, int attempt) {
    return new LaunchRequest(RUN_ID, "p", new StageDefinition(stage, type, List.of(), options), attempt,
        Map.of("batch", "b1"), PIPELINE_VERSION);
  }

  @Test
  @SuppressWarnings("unchecked")
  void aBuiltInStageIsASparkApplicationOfTheStageRunnerAndItsFailureIsReported() throws Exception {
    try (SparkOperatorLauncher launcher = launcher()) {
      launcher.launch(request("load", "noop", Map.of(), 1));

      GenericKubernetesResource app = awaitApplication("load", 1);
      assertThat(app.getMetadata().getLabels()).containsEntry(KubernetesDrivers.RUN_LABEL, RUN_ID)
          .containsEntry(KubernetesDrivers.STAGE_LABEL, "load").containsEntry(KubernetesDrivers.ATTEMPT_LABEL, "1");
      Map<String, Object> spec = (Map<String, Object>) app.getAdditionalProperties().get("spec");
      assertThat(spec).containsEntry("type", "Java").containsEntry("mode", "cluster")
          .containsEntry("mainClass", "dev.baton.stages.runner.StageMain")
          .containsEntry("mainApplicationFile", "local:///opt/baton/baton-stage-runner.jar")
          .containsEntry("image", "baton-spark:0.1.0").containsEntry("restartPolicy", Map.of("type", "Never"))
          .containsEntry("sparkConf", Map.of("spark.executor.memory", "4g"));
      assertThat((List<String>) spec.get("arguments")).containsSequence("--attempt", "baton:p:" + RUN_ID + ":load:1")
          .containsSequence("--pipeline-version", PIPELINE_VERSION);
      assertThat((Map<String, Object>) spec.get("driver")).containsEntry("serviceAccount", "baton-spark");

      setState("load", 1, "RUNNING", null);
      setState("load", 1, "FAILED", "driver container failed with ExitCode: 1, Reason: Error");

      Conditions.await(() -> !published.isEmpty(), TIMEOUT);
      StageCompleted completed = (StageCompleted) published.get(0).getPayload();
      assertThat(completed.getStatus()).isEqualTo(StageStatus.FAILED);
      assertThat(completed.getError().getType()).isEqualTo("APPLICATION_FAILED");
      assertThat(completed.getError().getMessage()).isEqualTo("SparkApplication " + app.getMetadata().getName()
          + " FAILED: driver container failed with ExitCode: 1, Reason: Error");
      assertThat(completed.getApplicationId()).isEqualTo("spark-4f1c");
    }
  }

  @Test
  void aUsersApplicationSucceedsWithItsResourceAndIsAdoptedAfterARestart() throws Exception {
    Map<String, Object> app = Map.of("resource", "s3a://jobs/qx.py", "args", List.of("--day", "${batch}"));
    JournaledLaunch journaled = new JournaledLaunch(RUN_ID, "p", "qx", 1, "spark-app", "op", "epoch-1", 0L);
    try (SparkOperatorLauncher first = launcher()) {
      assertThat(first.reconcile(journaled)).isEqualTo(Launcher.AttemptState.LOST);
      first.launch(request("qx", "spark-app", app, 1));
      GenericKubernetesResource created = awaitApplication("qx", 1);
      @SuppressWarnings("unchecked")
      Map<String, Object> spec = (Map<String, Object>) created.getAdditionalProperties().get("spec");
      assertThat(spec).containsEntry("type", "Python").containsEntry("mainApplicationFile", "s3a://jobs/qx.py")
          .containsEntry("arguments", List.of("--day", "b1")).doesNotContainKey("mainClass");
    }
    try (SparkOperatorLauncher second = launcher()) {
      assertThat(second.reconcile(journaled)).isEqualTo(Launcher.AttemptState.RUNNING);
      second.launch(request("qx", "spark-app", app, 1)); // the same attempt again: the existing resource is kept

      setState("qx", 1, "COMPLETED", null);

      Conditions.await(() -> !published.isEmpty(), TIMEOUT);
      assertThat(published).singleElement().satisfies(event ->
          assertThat(((StageCompleted) event.getPayload()).getStatus()).isEqualTo(StageStatus.SUCCEEDED));
      Conditions.await(() -> second.activeAttempts() == 0, TIMEOUT);
    }
  }

  @Test
  void cancelDeletesTheApplicationAndADeletedOneIsLost() throws Exception {
    try (SparkOperatorLauncher launcher = launcher()) {
      launcher.launch(request("load", "noop", Map.of(), 1));
      awaitApplication("load", 1);
      launcher.cancel(RUN_ID + "/load/1");
      application("load", 1).waitUntilCondition(app -> app == null, TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);

      launcher.launch(request("load", "noop", Map.of(), 2));
      assertThat(application("load", 2).get()).isNotNull(); // created by launch() itself
      // the mock does not replay a deletion to a watch that starts later, as a real API server does
      Conditions.awaitWatch(server, KubernetesDrivers.podName(new AttemptName("p", RUN_ID, "load", 2)), Duration.ofMinutes(2));
      application("load", 2).delete(); // by someone else

      Conditions.await(() -> !published.isEmpty(), TIMEOUT);
      assertThat(published).singleElement().satisfies(event -> {
        StageCompleted completed = (StageCompleted) event.getPayload();
        assertThat(completed.getAttempt()).isEqualTo(2);
        assertThat(completed.getStatus()).isEqualTo(StageStatus.LOST);
      });
    }
  }

  @Test
  void badOptionsCompleteTheAttemptFailedWithoutAResource() throws Exception {
    try (SparkOperatorLauncher launcher = launcher()) {
      launcher.launch(request("qx", "spark-app", Map.of("resource", "job.jar", "args", List.of("${missing}")), 1));

      Conditions.await(() -> !published.isEmpty(), TIMEOUT);
      assertThat(((StageCompleted) published.get(0).getPayload()).getError().getType()).isEqualTo("MISSING_PARAMETER");
      assertThat(application("qx", 1).get()).isNull();
    }
  }


}
