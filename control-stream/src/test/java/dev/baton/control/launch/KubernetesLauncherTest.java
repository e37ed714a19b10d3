package dev.baton.control.launch;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.control.pipeline.StageDefinition;
import dev.baton.schemas.AttemptName;
import dev.baton.schemas.event.ControlEvent;
import dev.baton.schemas.event.StageCompleted;
import dev.baton.schemas.event.StageStatus;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import io.fabric8.mockwebserver.Context;
import java.util.HashMap;
import okhttp3.mockwebserver.MockWebServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The spark-submit launcher in Kubernetes cluster mode, against a real Kubernetes API served locally
 * by fabric8's mock server in CRUD mode (with server-side apply creating, as a real API server does:
 * {@link ServerSideApplyCrudDispatcher}): Spark's own submission client (a real spark-submit from the
 * Spark home Baton's build lays out) creates the driver pod; the test plays the kubelet by setting
 * the pod's phase. What it cannot show without a cluster: that the pod is scheduled, pulls the image,
 * runs, and that Spark's driver starts its executors.
 */
class KubernetesLauncherTest {
  private static final Path REPOSITORY = Path.of(System.getProperty("user.dir")).getParent();
  private static final Path SPARK_HOME = REPOSITORY.resolve("batch-stages/target/spark-home");
  private static final String RUN_ID = "0c4bd3d8-4a6b-3b1e-9a49-6ad4e1c7f2a1";
  private static final String PIPELINE_VERSION = "3f2a9c81d0e4";
  private static final Duration POD_TIMEOUT = Duration.ofMinutes(2);

  private KubernetesMockServer server;
  private KubernetesClient client;

  @BeforeEach
  void startApiServer() {
    server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(),
        new ServerSideApplyCrudDispatcher(), false);
    server.init();
    client = server.createClient();
  }

  @AfterEach
  void stopApiServer() {
    client.close();
    server.destroy();
  }

  @TempDir
  Path dir;

  private final List<ControlEvent> published = new CopyOnWriteArrayList<>();

  private SparkSubmitLauncher launcher(Path logDir) {
    assertThat(SPARK_HOME.resolve("bin/spark-submit")).as("the Spark home the batch-stages build lays out").isExecutable();
    String master = "k8s://" + client.getMasterUrl().toString().replaceAll("/$", "");
    LauncherProfile profile = LauncherProfile.fromConfig(Map.of(
        "launchers.k8s.type", "spark-submit",
        "launchers.k8s.master", master,
        "launchers.k8s.deploy-mode", "cluster",
        "launchers.k8s.namespace", "baton",
        "launchers.k8s.stage-config", "/etc/baton/baton.properties",
        "launchers.k8s.stage-runner-jar", "local:///opt/baton/baton-stage-runner.jar",
        "launchers.k8s.conf.spark.kubernetes.container.image", "baton-spark:test",
        "launchers.k8s.conf.spark.kubernetes.driver.podTemplateFile",
        REPOSITORY.resolve("deploy/spark-image/pod-templates/driver.yaml").toString(),
        "launchers.k8s.conf.spark.kubernetes.authenticate.driver.serviceAccountName", "baton-spark",
        "launchers.k8s.conf.spark.kubernetes.authenticate.executor.serviceAccountName", "baton-spark")).get("k8s");
    SparkSubmitSettings settings = SparkSubmitSettings.from(profile, SPARK_HOME, null, logDir, Map.of());
    return new SparkSubmitLauncher(settings, client, false, published::add, Clock.systemUTC());
  }

  private static LaunchRequest request(String type, Map<String, Object> options) {
    return new LaunchRequest(RUN_ID, "p", new StageDefinition("load_orders", type, List.of(), options), 1,
        Map.of("batch", "b1"), PIPELINE_VERSION);
  }

  /** Polls for the pod (no watch: the only watches of a driver pod are then the launcher's, see Conditions.awaitWatch). */
  private Pod awaitPod(String name) throws InterruptedException {
    Conditions.await(() -> client.pods().inNamespace("baton").withName(name).get() != null, POD_TIMEOUT);
    return client.pods().inNamespace("baton").withName(name).get();
  }

  private void setPhase(String name, String phase, int exitCode, String message) {
    client.pods().inNamespace("baton").withName(name).editStatus(pod -> {
      pod.setStatus(new PodStatusBuilder().withPhase(phase).withContainerStatuses(new ContainerStatusBuilder()
          .withName(KubernetesDrivers.DRIVER_CONTAINER).withNewState().withNewTerminated().withExitCode(exitCode)
          .withReason(exitCode == 0 ? "Completed" : "Error").withMessage(message).endTerminated().endState().build())
          .build());
      return pod;
    });
  }

  @Test
  void theDriverPodIsCreatedFromTheTemplateAndItsFailureIsReportedAlthoughSparkSubmitExitedZero() throws Exception {
    AttemptName attempt = new AttemptName("p", RUN_ID, "load_orders", 1);
    String podName = KubernetesDrivers.podName(attempt);
    try (SparkSubmitLauncher launcher = launcher(dir.resolve("logs"))) {
      launcher.launch(request("noop", Map.of()));

      Pod pod = awaitPod(podName);
      assertThat(pod.getMetadata().getName()).isEqualTo(podName).startsWith("baton-p-load-orders-").endsWith("-1");
      assertThat(pod.getMetadata().getLabels()).containsAllEntriesOf(Map.of(KubernetesDrivers.PIPELINE_LABEL, "p",
          KubernetesDrivers.RUN_LABEL, RUN_ID, KubernetesDrivers.STAGE_LABEL, "load_orders",
          KubernetesDrivers.ATTEMPT_LABEL, "1", "app.kubernetes.io/component", "spark-driver"));
      assertThat(pod.getSpec().getServiceAccountName()).isEqualTo("baton-spark");
      assertThat(pod.getSpec().getSecurityContext().getFsGroup()).isEqualTo(185L); // from the baked template
      assertThat(pod.getSpec().getContainers()).singleElement().satisfies(container -> {
        assertThat(container.getName()).isEqualTo(KubernetesDrivers.DRIVER_CONTAINER);
        assertThat(container.getImage()).isEqualTo("baton-spark:test");
        assertThat(container.getArgs()).contains("local:///opt/baton/baton-stage-runner.jar", "--attempt",
            attempt.toString(), "--config", "/etc/baton/baton.properties");
        assertThat(container.getArgs()).containsSequence("--pipeline-version", PIPELINE_VERSION);
        assertThat(container.getEnv()).anySatisfy(env -> assertThat(env.getName()).isEqualTo("AWS_STS_REGIONAL_ENDPOINTS"));
      });
      // spark-submit is done (it does not wait: SPARK-26365) and nothing was reported yet
      Conditions.await(() -> Files.exists(dir.resolve("logs/p/" + RUN_ID + "/load_orders-1.log")), POD_TIMEOUT);
      assertThat(published).isEmpty();

      setPhase(podName, "Failed", 1, "java.lang.OutOfMemoryError: Java heap space");

      Conditions.await(() -> !published.isEmpty(), POD_TIMEOUT);
      StageCompleted completed = (StageCompleted) published.get(0).getPayload();
      assertThat(completed.getStatus()).isEqualTo(StageStatus.FAILED);
      assertThat(completed.getError().getType()).isEqualTo("APPLICATION_FAILED");
      assertThat(completed.getError().getMessage()).isEqualTo("Driver pod " + podName
          + " Failed: driver container exited 1 (Error): java.lang.OutOfMemoryError: Java heap space");
      assertThat(completed.getLogUri()).isEqualTo("k8s:///api/v1/namespaces/baton/pods/" + podName + "/log");
      Conditions.await(() -> launcher.activeAttempts() == 0, POD_TIMEOUT);
    }
  }

  @Test
  void aRestartedControllerAdoptsTheExistingDriverPodInsteadOfSubmittingAgain() throws Exception {
    AttemptName attempt = new AttemptName("p", RUN_ID, "load_orders", 1);
    String podName = KubernetesDrivers.podName(attempt);
    JournaledLaunch journaled = new JournaledLaunch(RUN_ID, "p", "load_orders", 1, "spark-app", "k8s", "epoch-1", 0L);
    Pod pod;
    Map<String, Object> app = Map.of("resource", "local:///opt/jobs/qx-jobs.jar", "mainClass", "com.example.qx.QxJob",
        "args", List.of("--step", "5", "--work", "${batch}"));
    try (SparkSubmitLauncher first = launcher(dir.resolve("logs-1"))) {
      assertThat(first.reconcile(journaled)).isEqualTo(Launcher.AttemptState.LOST); // no pod yet
      first.launch(request("spark-app", app));
      pod = awaitPod(podName);
      assertThat(pod.getSpec().getContainers().get(0).getArgs()).containsSequence("--step", "5", "--work", "b1");
    } // the controller stops; the pod runs on

    try (SparkSubmitLauncher second = launcher(dir.resolve("logs-2"))) {
      assertThat(second.reconcile(journaled)).isEqualTo(Launcher.AttemptState.RUNNING);
      second.launch(request("spark-app", app)); // the replayed launch of the same attempt: adopted, not submitted

      setPhase(podName, "Succeeded", 0, null);

      Conditions.await(() -> !published.isEmpty(), POD_TIMEOUT);
      assertThat(published).singleElement().satisfies(event -> {
        StageCompleted completed = (StageCompleted) event.getPayload();
        assertThat(completed.getStatus()).isEqualTo(StageStatus.SUCCEEDED);
        assertThat(completed.getApplicationId())
            .isEqualTo(pod.getMetadata().getLabels().get("spark-app-selector")).startsWith("spark-");
      });
      assertThat(dir.resolve("logs-2")).doesNotExist(); // no spark-submit ran
      assertThat(client.pods().inNamespace("baton").withLabel(KubernetesDrivers.RUN_LABEL, RUN_ID).list().getItems())
          .hasSize(1);
    }
  }

  @Test
  void aDriverPodThatDisappearsIsLostAndCancelDeletesIt() throws Exception {
    AttemptName attempt = new AttemptName("p", RUN_ID, "load_orders", 1);
    String podName = KubernetesDrivers.podName(attempt);
    try (SparkSubmitLauncher launcher = launcher(dir.resolve("logs"))) {
      launcher.launch(request("noop", Map.of()));
      awaitPod(podName);
      // the launcher watches the pod once spark-submit is done; the mock does not replay a deletion
      // to a watch that starts later, as a real API server does
      Conditions.awaitWatch(server, podName, Duration.ofMinutes(2));

      client.pods().inNamespace("baton").withName(podName).delete();

      Conditions.await(() -> !published.isEmpty(), POD_TIMEOUT);
      StageCompleted completed = (StageCompleted) published.get(0).getPayload();
      assertThat(completed.getStatus()).as(String.valueOf(completed.getError())).isEqualTo(StageStatus.LOST);
      assertThat(completed.getError().getMessage()).contains("Driver pod " + podName + " in namespace baton disappeared");

      published.clear();
      launcher.launch(new LaunchRequest(RUN_ID, "p", new StageDefinition("load_orders", "noop", List.of(), Map.of()), 2,
          Map.of(), PIPELINE_VERSION));
      String second = KubernetesDrivers.podName(new AttemptName("p", RUN_ID, "load_orders", 2));
      awaitPod(second);
      launcher.cancel(RUN_ID + "/load_orders/2");
      client.pods().inNamespace("baton").withName(second)
          .waitUntilCondition(pod -> pod == null, POD_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      Conditions.await(() -> launcher.activeAttempts() == 0, POD_TIMEOUT);
      assertThat(published).isEmpty(); // a cancelled attempt is reported by nobody
    }
  }

  @Test
  void podNamesAreDeterministicDnsLabels() {
    AttemptName longNames = new AttemptName("a".repeat(64), RUN_ID, "stage_" + "b".repeat(58), 9999);
    String name = KubernetesDrivers.podName(longNames);
    assertThat(name).hasSizeLessThanOrEqualTo(63).matches("[a-z0-9]([-a-z0-9]*[a-z0-9])?")
        .isEqualTo(KubernetesDrivers.podName(longNames)).endsWith("-9999");
    assertThat(KubernetesDrivers.podName(new AttemptName("p", RUN_ID, "s", 1)))
        .isNotEqualTo(KubernetesDrivers.podName(new AttemptName("p", "1c4bd3d8-4a6b-3b1e-9a49-6ad4e1c7f2a1", "s", 1)));
  }


}
