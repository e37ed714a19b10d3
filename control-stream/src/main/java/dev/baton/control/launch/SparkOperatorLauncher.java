package dev.baton.control.launch;

import static java.util.Objects.requireNonNull;

import dev.baton.control.pipeline.StageDefinition;
import dev.baton.schemas.AttemptName;
import dev.baton.schemas.StageErrorCode;
import dev.baton.schemas.event.ControlEvent;
import dev.baton.schemas.event.StageCompleted;
import dev.baton.schemas.event.StageStatus;
import dev.baton.stages.StageTypes;
import dev.baton.stages.runner.StageMain;
import dev.baton.stages.sparkapp.SparkAppOptions;
import dev.baton.stages.spi.InvalidStageOptionsException;
import dev.baton.stages.spi.StageFailedException;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs each stage attempt as a {@code SparkApplication} of the Kubeflow Spark Operator ({@code
 * sparkoperator.k8s.io/v1beta2}): creates the resource under the attempt's deterministic name
 * ({@link KubernetesDrivers#podName}) with the attempt's labels, watches its {@code
 * status.applicationState.state} and deletes it on cancel. A built-in stage type runs Baton's stage
 * runner from the image ({@code local:///opt/baton/baton-stage-runner.jar}), which reports itself; a
 * {@code spark-app} stage runs the user's application, and the state reports it: {@code COMPLETED}
 * is SUCCEEDED, {@code FAILED} and {@code SUBMISSION_FAILED} are FAILED with the operator's error
 * message, a resource that disappears is LOST. Creating a resource that exists (a relaunch after a
 * controller restart) adopts it; {@link #reconcile} adopts one that exists and reports LOST otherwise.
 *
 * <p>Resource shape: <a href="https://github.com/kubeflow/spark-operator/blob/master/docs/api-docs.md">the
 * operator's v1beta2 API</a> ({@code spec.type}, {@code mode: cluster}, {@code image}, {@code mainClass},
 * {@code mainApplicationFile}, {@code arguments}, {@code sparkVersion}, {@code sparkConf}, {@code
 * restartPolicy}, {@code driver}/{@code executor} with {@code serviceAccount} and {@code labels}).
 */
public final class SparkOperatorLauncher implements Launcher {
  private static final Logger LOG = LoggerFactory.getLogger(SparkOperatorLauncher.class);
  /** The custom resource's API version and kind. */
  public static final String API_VERSION = "sparkoperator.k8s.io/v1beta2";
  public static final String KIND = "SparkApplication";
  /** The resource, named explicitly (no discovery request, and no dependence on the CRD being listed). */
  public static final ResourceDefinitionContext RESOURCE = new ResourceDefinitionContext.Builder()
      .withGroup("sparkoperator.k8s.io").withVersion("v1beta2").withKind(KIND).withPlural("sparkapplications")
      .withNamespaced(true).build();
  /** Final application states ({@code status.applicationState.state}). */
  static final List<String> FINAL_STATES = List.of("COMPLETED", "FAILED", "SUBMISSION_FAILED");

  private final SparkOperatorSettings settings;
  private final KubernetesClient client;
  private final boolean ownsClient;
  private final Consumer<ControlEvent> sink;
  private final Clock clock;
  private final ExecutorService watchers = Executors.newCachedThreadPool(runnable -> {
    Thread thread = new Thread(runnable, "baton-spark-operator");
    thread.setDaemon(true);
    return thread;
  });
  /** Attempts watched here, by launch key. */
  private final Map<String, Watch> active = new ConcurrentHashMap<>();

  /**
   * @param client a client of the cluster's API server
   * @param ownsClient whether {@link #close} closes it
   * @param sink where completions of applications that do not report themselves go
   */
  public SparkOperatorLauncher(SparkOperatorSettings settings, KubernetesClient client, boolean ownsClient,
      Consumer<ControlEvent> sink, Clock clock) {
    this.settings = requireNonNull(settings, "Invalid settings: null");
    this.client = requireNonNull(client, "Invalid client: null");
    this.ownsClient = ownsClient;
    this.sink = requireNonNull(sink, "Invalid sink: null");
    this.clock = requireNonNull(clock, "Invalid clock: null");
  }

  @Override
  public String name() {
    return settings.profile();
  }

  /** True: it starts Spark applications, so it also runs {@code spark-app} stages. */
  @Override
  public boolean startsApplications() {
    return true;
  }

  /**
   * Creates the attempt's {@code SparkApplication} (or adopts the one of that name) and watches it.
   * Options that do not fit, or parameters missing or unsafe, complete the attempt FAILED at once.
   *
   * @throws IllegalStateException after {@link #close}
   */
  @Override
  public void launch(LaunchRequest request) {
    if (!StageTypes.runByBaton(request.stage().type())) {
      LOG.info("Attempt {} is of an external stage: waiting for its completion from outside", request.launchKey());
      return;
    }
    if (watchers.isShutdown()) {
      throw new IllegalStateException("Cannot launch attempt " + request.launchKey() + ": the launcher is closed");
    }
    Instant started = clock.instant();
    AttemptName name = request.attemptName();
    GenericKubernetesResource application;
    try {
      application = application(request, name);
    } catch (StageFailedException | InvalidStageOptionsException e) {
      publish(request, AttemptCompletions.refused(request, started, clock.instant(), e));
      return;
    }
    try {
      resource(name).create(application);
      LOG.info("Attempt {} created SparkApplication {}/{}", request.launchKey(), settings.namespace(),
          application.getMetadata().getName());
    } catch (KubernetesClientException e) {
      if (e.getCode() != 409) {
        publish(request, AttemptCompletions.ended(request, StageStatus.FAILED, started, clock.instant(),
            StageErrorCode.SUBMISSION_FAILED.name(), "Cannot create SparkApplication "
                + application.getMetadata().getName() + ": " + e.getMessage(), null, null));
        return;
      }
      LOG.info("Attempt {}: SparkApplication {} exists; watching it instead of creating it again", request.launchKey(),
          application.getMetadata().getName());
    }
    watch(request, started);
  }

  private void watch(LaunchRequest request, Instant started) {
    Watch watch = new Watch(request, started);
    if (active.putIfAbsent(request.launchKey(), watch) == null) {
      watch.future = watchers.submit(watch::run);
    }
  }

  /** Watches one attempt's application to its final state. */
  private final class Watch {
    final LaunchRequest request;
    final Instant started;
    volatile boolean cancelled;
    volatile Future<?> future;

    Watch(LaunchRequest request, Instant started) {
      this.request = request;
      this.started = started;
    }

    void run() {
      AttemptName name = request.attemptName();
      String resourceName = KubernetesDrivers.podName(name);
      try {
        GenericKubernetesResource ended = KubernetesDrivers.awaitEnd(resource(name), app -> finalState(app).isPresent(),
            Long.MAX_VALUE / 4).orElse(null);
        if (cancelled) {
          return;
        }
        String logUri = "k8s:///apis/" + API_VERSION + "/namespaces/" + settings.namespace() + "/sparkapplications/"
            + resourceName;
        if (ended == null) {
          publish(request, AttemptCompletions.ended(request, StageStatus.LOST, started, clock.instant(),
              StageErrorCode.LOST.name(), "SparkApplication " + resourceName + " in namespace " + settings.namespace()
                  + " disappeared before it ended", resourceName, logUri));
          return;
        }
        String state = finalState(ended).orElseThrow();
        String applicationId = status(ended, "sparkApplicationId").orElse(resourceName);
        if (state.equals("COMPLETED")) {
          if (StageTypes.runsAsApplication(request.stage().type())) {
            publish(request, AttemptCompletions.succeeded(request, started, clock.instant(), applicationId, logUri));
          }
          return;
        }
        String errorMessage = applicationState(ended).map(s -> s.get("errorMessage")).map(String::valueOf).orElse("");
        publish(request, AttemptCompletions.ended(request, StageStatus.FAILED, started, clock.instant(),
            state.equals("SUBMISSION_FAILED") ? StageErrorCode.SUBMISSION_FAILED.name() : StageErrorCode.APPLICATION_FAILED.name(),
            "SparkApplication " + resourceName + " " + state + (errorMessage.isEmpty() ? "" : ": " + errorMessage),
            applicationId, logUri));
      } catch (RuntimeException e) {
        if (!cancelled && !Thread.currentThread().isInterrupted()) {
          publish(request, AttemptCompletions.ended(request, StageStatus.LOST, started, clock.instant(),
              StageErrorCode.LOST.name(), "Cannot watch SparkApplication " + resourceName + ": " + e, resourceName, null));
        }
      } finally {
        active.remove(request.launchKey(), this);
      }
    }
  }

  /** The attempt's {@code SparkApplication}. */
  GenericKubernetesResource application(LaunchRequest request, AttemptName name) {
    Map<String, Object> spec = new LinkedHashMap<>();
    Map<String, String> sparkConf = new LinkedHashMap<>(settings.sparkConf());
    List<String> arguments;
    if (StageTypes.runsAsApplication(request.stage().type())) {
      SparkAppOptions app = SparkAppOptions.bind(request.stage().options(), request.params());
      spec.put("type", app.resource().endsWith(".py") ? "Python" : "Java");
      if (app.mainClass() != null) {
        spec.put("mainClass", app.mainClass());
      }
      spec.put("mainApplicationFile", app.resource());
      arguments = app.args();
      sparkConf.putAll(app.conf());
      if (!app.jars().isEmpty() || !app.files().isEmpty() || !app.pyFiles().isEmpty() || !app.packages().isEmpty()) {
        Map<String, Object> deps = new LinkedHashMap<>();
        deps.put("jars", app.jars());
        deps.put("files", app.files());
        deps.put("pyFiles", app.pyFiles());
        deps.put("packages", app.packages());
        spec.put("deps", deps);
      }
    } else {
      arguments = StageRunnerArguments.of(name(), settings.stageConfig(), request, name, null);
      spec.put("type", "Java");
      spec.put("mainClass", StageMain.class.getName());
      spec.put("mainApplicationFile", settings.stageRunnerJar());
    }
    Map<String, String> labels = KubernetesDrivers.labels(name);
    spec.put("mode", "cluster");
    spec.put("image", settings.image());
    spec.put("sparkVersion", settings.sparkVersion());
    spec.put("arguments", new ArrayList<>(arguments));
    spec.put("sparkConf", sparkConf);
    spec.put("restartPolicy", Map.of("type", "Never")); // Baton's retry policy decides, with a new attempt
    spec.put("driver", Map.of("serviceAccount", settings.serviceAccount(), "labels", labels));
    spec.put("executor", Map.of("serviceAccount", settings.serviceAccount(), "labels", labels));
    return new GenericKubernetesResourceBuilder().withApiVersion(API_VERSION).withKind(KIND)
        .withNewMetadata().withName(KubernetesDrivers.podName(name)).withNamespace(settings.namespace())
        .withLabels(labels).endMetadata()
        .addToAdditionalProperties("spec", spec).build();
  }

  /**
   * RUNNING when the attempt's {@code SparkApplication} exists (adopted: watched here from now on, its
   * outcome reported as for a launch), LOST when it does not; an external stage's attempt: RUNNING.
   */
  @Override
  public AttemptState reconcile(JournaledLaunch launch) {
    if (StageTypes.names().contains(launch.stageType()) && !StageTypes.runByBaton(launch.stageType())) {
      return AttemptState.RUNNING;
    }
    LaunchRequest request = new LaunchRequest(launch.runId(), launch.pipeline(),
        new StageDefinition(launch.stage(), launch.stageType(), List.of(), Map.of()), launch.attempt(), Map.of(), null);
    if (resource(request.attemptName()).get() == null) {
      return AttemptState.LOST;
    }
    LOG.info("Attempt {}: its SparkApplication exists; adopting it", launch.launchKey());
    watch(request, Instant.ofEpochMilli(launch.recordedAtMs()));
    return AttemptState.RUNNING;
  }

  /** Deletes the attempt's {@code SparkApplication} (the operator deletes its pods); nobody reports it. */
  @Override
  public void cancel(String launchKey) {
    Watch watch = active.remove(launchKey);
    if (watch == null) {
      return;
    }
    LOG.warn("Cancelling attempt {}", launchKey);
    watch.cancelled = true;
    resource(watch.request.attemptName()).delete();
    if (watch.future != null) {
      watch.future.cancel(true);
    }
  }

  /** Attempts watched. */
  public int activeAttempts() {
    return active.size();
  }

  @Override
  public void close() {
    watchers.shutdownNow();
    if (ownsClient) {
      client.close();
    }
  }

  private Resource<GenericKubernetesResource> resource(AttemptName name) {
    return client.genericKubernetesResources(RESOURCE).inNamespace(settings.namespace())
        .withName(KubernetesDrivers.podName(name));
  }

  private void publish(LaunchRequest request, StageCompleted completed) {
    AttemptCompletions.publish(LOG, sink, request, completed);
  }

  @SuppressWarnings("unchecked")
  private static Optional<Map<String, Object>> applicationState(GenericKubernetesResource application) {
    Object status = application.getAdditionalProperties().get("status");
    if (!(status instanceof Map<?, ?> map) || !(map.get("applicationState") instanceof Map<?, ?> state)) {
      return Optional.empty();
    }
    return Optional.of((Map<String, Object>) state);
  }

  private static Optional<String> status(GenericKubernetesResource application, String field) {
    Object status = application.getAdditionalProperties().get("status");
    return status instanceof Map<?, ?> map && map.get(field) != null ? Optional.of(String.valueOf(map.get(field)))
        : Optional.empty();
  }

  /** The application's state if it is final: COMPLETED, FAILED or SUBMISSION_FAILED. */
  static Optional<String> finalState(GenericKubernetesResource application) {
    return applicationState(application).map(state -> String.valueOf(state.get("state"))).filter(FINAL_STATES::contains);
  }
}
