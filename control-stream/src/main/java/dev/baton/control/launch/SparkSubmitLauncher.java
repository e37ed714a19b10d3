package dev.baton.control.launch;

import static java.util.Objects.requireNonNull;

import dev.baton.control.pipeline.StageDefinition;
import dev.baton.schemas.AttemptName;
import dev.baton.schemas.event.ControlEvent;
import dev.baton.schemas.event.StageCompleted;
import dev.baton.schemas.event.StageStatus;
import dev.baton.schemas.StageErrorCode;
import dev.baton.stages.StageTypes;
import dev.baton.stages.runner.StageMain;
import dev.baton.stages.sparkapp.SparkAppOptions;
import dev.baton.stages.spi.InvalidStageOptionsException;
import dev.baton.stages.spi.StageFailedException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.FutureTask;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Stream;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import org.apache.spark.launcher.SparkAppHandle;
import org.apache.spark.launcher.SparkLauncher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs each stage attempt as its own Spark application through {@code spark-submit}, with Spark's
 * {@link SparkLauncher} ({@code startApplication} and a {@link SparkAppHandle.Listener}; no command
 * line is built here). A built-in stage type runs {@link StageMain} from the stage runner jar, which
 * publishes the attempt's {@code StageCompleted} itself; the application is named after the attempt
 * ({@link AttemptName}, {@code baton:<pipeline>:<runId>:<stage>:<attempt>}), its output (stdout and
 * stderr) goes to {@code <log-dir>/<pipeline>/<runId>/<stage>-<attempt>.log}. A {@code spark-app}
 * stage's application is the user's own jar or Python file, launched unchanged with its options
 * ({@link SparkAppOptions}); it knows nothing of Baton, so this launcher reports its completion:
 * SUCCEEDED when it ends FINISHED, else FAILED with the job's last exception from its log.
 *
 * <p>An application that ends without reporting its attempt (its JVM crashed, ran out of memory, was
 * killed, or could not reach Kafka: final state FAILED, KILLED or LOST rather than FINISHED) is
 * reported here: {@code StageCompleted} FAILED with error type {@code APPLICATION_<state>}, the
 * application id, the log's location and its last lines. A cancelled attempt's application is killed
 * ({@link SparkAppHandle#kill}) and reported by nobody (the controller has already moved on).
 *
 * <p>Applications outlive the controller: {@link #close} stops waiting for them but leaves them
 * running, and a later controller's {@link #reconcile} finds a local one by its name on its process's
 * command line: Baton's stage runner is adopted (it reports itself), a user's application is stopped
 * and LOST (only its launcher could see its outcome); an attempt with no process left is LOST. At most {@code max-concurrent}
 * applications run at once; further attempts queue (at most {@value #MAX_QUEUED} of them).
 */
public final class SparkSubmitLauncher implements Launcher {
  private static final Logger LOG = LoggerFactory.getLogger(SparkSubmitLauncher.class);
  /** Attempts waiting for a free application slot at most; beyond, launches are refused. */
  static final int MAX_QUEUED = 10_000;
  /** Log lines quoted in the error of an application that ended without reporting its attempt. */
  static final int LOG_TAIL_LINES = 20;
  /** Longest wait for an orphaned application to stop after SIGTERM, s. */
  static final int ORPHAN_STOP_SECONDS = 20;
  /** Longest wait for an application's process to exit after it reported FINISHED, minutes. */
  static final int EXIT_WAIT_MINUTES = 10;
  /** Longest wait, after that process exited, for Spark's handle to turn FINISHED into FAILED, ms. */
  static final int EXIT_STATE_WAIT_MS = 2_000;
  /** Log lines searched for the exception that ended an application. */
  static final int LOG_SCAN_LINES = 500;
  private static final java.util.regex.Pattern EXCEPTION_LINE = java.util.regex.Pattern.compile(
      "^(Exception in thread |Caused by: |[a-zA-Z_$][\\w$]*(\\.[a-zA-Z_$][\\w$]*)+(Exception|Error)(: |$))");

  private final SparkSubmitSettings settings;
  /** The driver pods, when attempts are submitted to Kubernetes in cluster mode; else null. */
  private final KubernetesDrivers drivers;
  /** The Kubernetes client this launcher closes, or null. */
  private final KubernetesClient ownedClient;
  private final Consumer<ControlEvent> sink;
  private final Clock clock;
  private final ThreadPoolExecutor executor;
  private final Semaphore capacity;
  /** Attempts queued or running, by launch key. */
  private final Map<String, Attempt> active = new ConcurrentHashMap<>();

  /**
   * @param settings the profile's settings
   * @param sink where completions of attempts whose application did not report them go (the control topic)
   * @param clock for the completions' times
   */
  public SparkSubmitLauncher(SparkSubmitSettings settings, Consumer<ControlEvent> sink, Clock clock) {
    this(settings, settings.kubernetesCluster() ? new KubernetesClientBuilder().withConfig(new ConfigBuilder()
        .withMasterUrl(settings.master().substring("k8s://".length())).build()).build() : null, true, sink, clock);
  }

  /**
   * @param kubernetes a client of the cluster's API server, for a profile submitting to Kubernetes in cluster
   *     mode; else null
   * @param ownsClient whether {@link #close} closes {@code kubernetes}
   */
  SparkSubmitLauncher(SparkSubmitSettings settings, KubernetesClient kubernetes, boolean ownsClient,
      Consumer<ControlEvent> sink, Clock clock) {
    this.ownedClient = ownsClient ? kubernetes : null;
    this.drivers = kubernetes == null ? null : new KubernetesDrivers(kubernetes, settings.namespace());
    this.settings = requireNonNull(settings, "Invalid settings: null");
    this.sink = requireNonNull(sink, "Invalid sink: null");
    this.clock = requireNonNull(clock, "Invalid clock: null");
    this.capacity = new Semaphore(settings.maxConcurrent() + MAX_QUEUED);
    this.executor = new ThreadPoolExecutor(settings.maxConcurrent(), settings.maxConcurrent(), 0, TimeUnit.MILLISECONDS,
        new LinkedBlockingQueue<>(), runnable -> {
          Thread thread = new Thread(runnable, "baton-spark-submit");
          thread.setDaemon(true);
          return thread;
        });
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
   * Queues the attempt; its application starts when fewer than {@code max-concurrent} run. Launching
   * an attempt queued or running here again does nothing; an external stage's attempt is not started
   * (its completion comes from outside).
   *
   * @throws IllegalStateException when {@value #MAX_QUEUED} attempts already wait, or after {@link #close}
   */
  @Override
  public void launch(LaunchRequest request) {
    if (!StageTypes.runByBaton(request.stage().type())) {
      LOG.info("Attempt {} is of an external stage: waiting for its completion from outside", request.launchKey());
      return;
    }
    Attempt attempt = new Attempt(request);
    if (active.putIfAbsent(request.launchKey(), attempt) != null) {
      return;
    }
    if (!capacity.tryAcquire()) {
      active.remove(request.launchKey(), attempt);
      throw new IllegalStateException("Cannot launch attempt " + request.launchKey() + ": no capacity ("
          + executor.getQueue().size() + " attempts wait for one of " + settings.maxConcurrent() + " application slots of"
          + " launcher " + name() + ")");
    }
    try {
      executor.execute(attempt.task);
    } catch (RejectedExecutionException e) {
      active.remove(request.launchKey(), attempt);
      capacity.release();
      throw new IllegalStateException("Cannot launch attempt " + request.launchKey() + ": the launcher is closed", e);
    }
  }

  /** The application of one attempt, from queued to its final state. */
  private final class Attempt {
    final LaunchRequest request;
    final AttemptName name;
    final FutureTask<Void> task;
    volatile SparkAppHandle handle;
    volatile boolean cancelled;
    /** Watch an existing driver pod instead of submitting (a restarted controller adopting it). */
    final boolean adopt;

    Attempt(LaunchRequest request) {
      this(request, false);
    }

    Attempt(LaunchRequest request, boolean adopt) {
      this.request = request;
      this.adopt = adopt;
      this.name = request.attemptName();
      this.task = new FutureTask<>(this::run, null) {
        @Override
        protected void done() {
          capacity.release();
          active.remove(request.launchKey(), Attempt.this);
        }
      };
    }

    private void run() {
      if (cancelled) {
        return;
      }
      Instant started = clock.instant();
      Path log = settings.logFile(name);
      CountDownLatch ended = new CountDownLatch(1);
      Semaphore stateChanged = new Semaphore(0);
      String pod = KubernetesDrivers.podName(name);
      if (drivers != null && (adopt || drivers.driver(pod).isPresent())) {
        // launched before (a restarted controller's relaunch or reconciliation): never submit it twice
        LOG.info("Attempt {}: driver pod {} exists; watching it instead of submitting again", request.launchKey(), pod);
        watchDriver(started, pod);
        return;
      }
      SparkLauncher launcher;
      try {
        launcher = launcher(log);
      } catch (StageFailedException e) { // a parameter the options refer to is missing or unsafe
        report(started, e.type(), e.getMessage(), null, null);
        return;
      } catch (InvalidStageOptionsException e) {
        report(started, StageErrorCode.INVALID_OPTIONS.name(), e.getMessage(), null, null);
        return;
      }
      try {
        Files.createDirectories(log.getParent());
        handle = launcher.startApplication(new SparkAppHandle.Listener() {
          @Override
          public void stateChanged(SparkAppHandle changed) {
            LOG.debug("Attempt {}: application {} is {}", request.launchKey(), changed.getAppId(), changed.getState());
            stateChanged.release();
            if (changed.getState().isFinal()) {
              ended.countDown();
            }
          }

          @Override
          public void infoChanged(SparkAppHandle changed) {
            LOG.info("Attempt {} runs as Spark application {}", request.launchKey(), changed.getAppId());
          }
        });
        LOG.info("Attempt {} submitted as application {} (master {}); log: {}", request.launchKey(), name,
            settings.master(), log);
        if (handle.getState().isFinal()) {
          ended.countDown();
        }
        ended.await();
        awaitExit(stateChanged);
      } catch (InterruptedException e) {
        // close(): leave the application running, it reports itself; a later controller reconciles it
        Thread.currentThread().interrupt();
        return;
      } catch (IOException | RuntimeException e) {
        report(started, StageErrorCode.SUBMISSION_FAILED.name(), "Cannot start the Spark application of attempt " + name + ": " + e, null, log);
        return;
      }
      SparkAppHandle.State state = handle.getState();
      if (cancelled) {
        LOG.info("Attempt {}: application {} of the cancelled attempt ended {}", request.launchKey(), handle.getAppId(), state);
        return;
      }
      if (drivers != null) { // spark-submit only created the driver pod: the pod says how the attempt ends
        // spark-submit exits 0 once the pod is created (LOST or FINISHED to the handle: no application reports
        // to it from the cluster); non-zero when it could not create it
        boolean failed = state == SparkAppHandle.State.FAILED || state == SparkAppHandle.State.KILLED;
        if (failed && drivers.driver(pod).isEmpty()) {
          List<String> lines = tail(log);
          report(started, StageErrorCode.SUBMISSION_FAILED.name(), "spark-submit ended " + state + " without creating"
              + " driver pod " + pod + lastError(lines).map(error -> ": " + error).orElse("") + " (log: " + log + ")",
              null, log);
          return;
        }
        watchDriver(started, pod);
        return;
      }
      if (state == SparkAppHandle.State.FINISHED && reportsItself()) {
        LOG.info("Attempt {}: application {} finished; its stage runner reported the attempt", request.launchKey(),
            handle.getAppId());
        return;
      }
      if (state == SparkAppHandle.State.FINISHED) {
        LOG.info("Attempt {}: application {} finished", request.launchKey(), handle.getAppId());
        publish(AttemptCompletions.succeeded(request, started, clock.instant(), handle.getAppId(), log.toUri().toString()));
        return;
      }
      List<String> lines = tail(log);
      report(started, "APPLICATION_" + state, "Spark application " + Optional.ofNullable(handle.getAppId()).orElse(name.toString())
          + " ended " + state + " without reporting the attempt" + lastError(lines).map(error -> ": " + error).orElse("")
          + " (log: " + log + "); its last lines:\n" + String.join("\n", lines.subList(Math.max(0,
              lines.size() - LOG_TAIL_LINES), lines.size())), handle.getAppId(), log);
    }

    /**
     * Waits for the attempt's driver pod to end and reports what the application could not: FAILED
     * with the driver container's exit code and message ({@code APPLICATION_FAILED}), LOST when the pod
     * is gone, and for a user's application ({@code spark-app}) SUCCEEDED when it succeeded. Baton's
     * stage runner reports a succeeded attempt itself.
     */
    private void watchDriver(Instant started, String pod) {
      String logUri = "k8s:///api/v1/namespaces/" + settings.namespace() + "/pods/" + pod + "/log";
      Optional<Pod> ended;
      try {
        ended = drivers.awaitEnd(pod, Long.MAX_VALUE / 4);
      } catch (RuntimeException e) {
        if (cancelled || Thread.currentThread().isInterrupted()) {
          return; // cancelled (pod deleted) or close(): a later controller reconciles it
        }
        publish(AttemptCompletions.ended(request, StageStatus.LOST, started, clock.instant(), StageErrorCode.LOST.name(),
            "Cannot watch driver pod " + pod + ": " + e, pod, logUri));
        return;
      }
      if (cancelled) {
        return;
      }
      String applicationId = ended.map(p -> p.getMetadata().getLabels() == null ? null
          : p.getMetadata().getLabels().get("spark-app-selector")).orElse(pod);
      if (ended.isEmpty()) {
        LOG.warn("Attempt {}: driver pod {} is gone", request.launchKey(), pod);
        publish(AttemptCompletions.ended(request, StageStatus.LOST, started, clock.instant(), StageErrorCode.LOST.name(),
            "Driver pod " + pod + " in namespace " + settings.namespace() + " disappeared before it ended", pod, logUri));
      } else if (KubernetesDrivers.succeeded(ended.get())) {
        if (!reportsItself()) {
          publish(AttemptCompletions.succeeded(request, started, clock.instant(), applicationId, logUri));
        }
      } else {
        publish(AttemptCompletions.ended(request, StageStatus.FAILED, started, clock.instant(), StageErrorCode.APPLICATION_FAILED.name(),
            "Driver pod " + pod + " Failed: " + KubernetesDrivers.failure(ended.get()), applicationId, logUri));
      }
    }

    /**
     * Waits for the application's spark-submit process to exit after its final state: a driver in
     * client mode reports FINISHED when its SparkContext stops, which a job's {@code finally} does
     * before its exception ends the JVM with a non-zero status; Spark's handle turns FINISHED into
     * FAILED only when it sees that status. So: wait for the process (at most {@value
     * #EXIT_WAIT_MINUTES} min), then for the handle to take the exit status in (a state change, at
     * most {@value #EXIT_STATE_WAIT_MS} ms).
     */
    private void awaitExit(Semaphore stateChanged) throws InterruptedException {
      Optional<ProcessHandle> process;
      try (Stream<ProcessHandle> children = ProcessHandle.current().children()) {
        process = children.filter(child -> runs(child, name.toString())).findFirst();
      }
      if (process.isEmpty() || handle.getState() != SparkAppHandle.State.FINISHED) {
        return;
      }
      try {
        process.get().onExit().get(EXIT_WAIT_MINUTES, TimeUnit.MINUTES);
      } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
        LOG.warn("Attempt {}: application {} finished but its process {} is still there after {} min", request.launchKey(),
            handle.getAppId(), process.get().pid(), EXIT_WAIT_MINUTES);
        return;
      }
      stateChanged.drainPermits();
      if (handle.getState() == SparkAppHandle.State.FINISHED) {
        stateChanged.tryAcquire(EXIT_STATE_WAIT_MS, TimeUnit.MILLISECONDS); // FAILED if it exited non-zero
      }
    }

    /** Whether the application publishes the attempt's completion itself: Baton's stage runner does, a user's job does not. */
    private boolean reportsItself() {
      return !StageTypes.runsAsApplication(request.stage().type());
    }

    /** Publishes the FAILED completion of an attempt whose application did not (or could not) report it. */
    private void report(Instant started, String errorType, String message, String applicationId, Path log) {
      publish(AttemptCompletions.ended(request, StageStatus.FAILED, started, clock.instant(), errorType, message,
          applicationId, log == null ? null : log.toUri().toString()));
    }

    private void publish(StageCompleted completed) {
      AttemptCompletions.publish(LOG, sink, request, completed);
    }

    /**
     * The spark-submit of this attempt: Baton's stage runner for a built-in stage type, the user's
     * application for a {@code spark-app} stage (options with the run's parameters substituted).
     *
     * @throws StageFailedException if a parameter the options refer to is missing or unsafe, or a
     *     built-in stage has no configuration file to read
     * @throws InvalidStageOptionsException if the substituted options do not fit
     */
    private SparkLauncher launcher(Path log) {
      SparkLauncher launcher = new SparkLauncher(settings.environment())
          .setSparkHome(settings.sparkHome().toString())
          .setMaster(settings.master())
          .setDeployMode(settings.deployMode())
          .setAppName(name.toString())
          .redirectError()
          .redirectOutput(log.toFile());
      settings.sparkConf().forEach(launcher::setConf);
      if (drivers != null) {
        // the driver pod's deterministic name (a relaunch finds it), the attempt's labels on every pod, and
        // no waiting in spark-submit: its exit status says nothing of the driver's (SPARK-26365)
        launcher.setConf("spark.kubernetes.namespace", settings.namespace())
            .setConf("spark.kubernetes.driver.pod.name", KubernetesDrivers.podName(name))
            .setConf("spark.kubernetes.submission.waitAppCompletion", "false");
        KubernetesDrivers.labels(name).forEach((key, value) -> {
          launcher.setConf("spark.kubernetes.driver.label." + key, value);
          launcher.setConf("spark.kubernetes.executor.label." + key, value);
        });
      }
      if (reportsItself()) {
        launcher.setAppResource(settings.stageRunnerJar()).setMainClass(StageMain.class.getName())
            .addAppArgs(StageRunnerArguments.of(name(), settings.stageConfig(), request, name, log.toUri().toString())
                .toArray(String[]::new));
        return launcher;
      }
      SparkAppOptions app = SparkAppOptions.bind(request.stage().options(), request.params());
      launcher.setAppResource(app.resource());
      if (app.mainClass() != null) {
        launcher.setMainClass(app.mainClass());
      }
      app.conf().forEach(launcher::setConf);
      app.jars().forEach(launcher::addJar);
      app.files().forEach(launcher::addFile);
      app.pyFiles().forEach(launcher::addPyFile);
      if (!app.packages().isEmpty()) {
        launcher.setConf("spark.jars.packages", String.join(",", app.packages()));
      }
      launcher.addAppArgs(app.args().toArray(String[]::new));
      return launcher;
    }
  }

  /**
   * What became of an attempt an earlier controller launched here, found by its process on this
   * machine (its command line names the attempt):
   *
   * <ul>
   *   <li>a built-in stage type's application still running: RUNNING, adopted (Baton's stage runner
   *       reports the attempt itself);
   *   <li>a {@code spark-app} application still running: its outcome reached only the launcher that
   *       started it (the job reports nothing), so it is stopped (SIGTERM, then SIGKILL after {@value
   *       #ORPHAN_STOP_SECONDS} s) and LOST: the retry policy launches a new attempt, never a second
   *       application of this one;
   *   <li>no such process: LOST; an external stage's attempt: RUNNING (its completion comes from outside).
   * </ul>
   */
  @Override
  public AttemptState reconcile(JournaledLaunch launch) {
    boolean known = StageTypes.names().contains(launch.stageType());
    if (known && !StageTypes.runByBaton(launch.stageType())) {
      return AttemptState.RUNNING;
    }
    AttemptName attempt = new AttemptName(launch.pipeline(), launch.runId(), launch.stage(), launch.attempt());
    if (drivers != null) {
      String pod = KubernetesDrivers.podName(attempt);
      if (drivers.driver(pod).isEmpty()) {
        return AttemptState.LOST;
      }
      // adopted: watched here from now on, and reported as a launched attempt would be
      LOG.info("Attempt {}: driver pod {} exists; adopting it", launch.launchKey(), pod);
      Attempt adopted = new Attempt(new LaunchRequest(launch.runId(), launch.pipeline(),
          new StageDefinition(launch.stage(), launch.stageType(), List.of(), Map.of()), launch.attempt(), Map.of(), null), true);
      if (active.putIfAbsent(launch.launchKey(), adopted) == null && capacity.tryAcquire()) {
        executor.execute(adopted.task);
      }
      return AttemptState.RUNNING;
    }
    String attemptName = attempt.toString();
    Optional<ProcessHandle> process = applicationProcess(attemptName);
    if (process.isEmpty()) {
      return AttemptState.LOST;
    }
    if (known && !StageTypes.runsAsApplication(launch.stageType())) {
      LOG.info("Attempt {} still runs as process {}: adopting it (it reports itself)", launch.launchKey(),
          process.get().pid());
      return AttemptState.RUNNING;
    }
    LOG.warn("Attempt {} still runs as process {}, an application whose outcome only its launcher saw: stopping it"
        + " (the attempt is LOST; its retry is a new attempt)", launch.launchKey(), process.get().pid());
    stop(process.get());
    return AttemptState.LOST;
  }

  /** Stops an orphaned application: SIGTERM (Spark's shutdown hooks run), SIGKILL if it is still there. */
  private static void stop(ProcessHandle process) {
    process.destroy();
    try {
      process.onExit().get(ORPHAN_STOP_SECONDS, TimeUnit.SECONDS);
    } catch (java.util.concurrent.TimeoutException e) {
      process.destroyForcibly();
      process.onExit().join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while stopping process " + process.pid(), e);
    } catch (java.util.concurrent.ExecutionException e) {
      throw new IllegalStateException("Cannot stop process " + process.pid() + ": " + e.getCause(), e.getCause());
    }
  }

  /** A live process of this machine whose command line has {@code attemptName} as an argument. */
  public static Optional<ProcessHandle> applicationProcess(String attemptName) {
    try (Stream<ProcessHandle> processes = ProcessHandle.allProcesses()) {
      return processes.filter(ProcessHandle::isAlive).filter(process -> runs(process, attemptName)).findFirst();
    }
  }

  /** Whether {@code process}'s command line has {@code attemptName} as an argument (the application's name). */
  private static boolean runs(ProcessHandle process, String attemptName) {
    return process.info().arguments().map(args -> Arrays.asList(args).contains(attemptName)).orElse(false);
  }

  /** Kills the attempt's application (or drops it from the queue); nobody reports it. */
  @Override
  public void cancel(String launchKey) {
    Attempt attempt = active.get(launchKey);
    if (attempt == null) {
      return;
    }
    LOG.warn("Cancelling attempt {}", launchKey);
    attempt.cancelled = true;
    executor.remove(attempt.task);
    SparkAppHandle handle = attempt.handle;
    if (handle != null) {
      handle.kill();
    }
    if (drivers != null) {
      drivers.delete(KubernetesDrivers.podName(attempt.name));
    }
  }

  /** Attempts queued or running. */
  public int activeAttempts() {
    return active.size();
  }

  /** Stops waiting for applications and refuses launches; the applications keep running (a later controller reconciles them). */
  @Override
  public void close() {
    executor.shutdownNow();
    if (ownedClient != null) {
      ownedClient.close();
    }
  }

  /** The last {@value #LOG_SCAN_LINES} lines of {@code log}, or one line saying why it cannot be read. */
  private static List<String> tail(Path log) {
    Deque<String> lines = new ArrayDeque<>();
    try (Stream<String> all = Files.lines(log, StandardCharsets.UTF_8)) {
      all.forEach(line -> {
        lines.addLast(line);
        if (lines.size() > LOG_SCAN_LINES) {
          lines.removeFirst();
        }
      });
    } catch (IOException | UncheckedIOException e) {
      return List.of("(cannot read " + log + ": " + e.getMessage() + ")");
    }
    return List.copyOf(lines);
  }

  /**
   * The last line of {@code lines} that starts a Java exception report ({@code Exception in thread ...},
   * {@code org.example.FooException: message}, {@code Caused by: ...}), which says why a JVM failed.
   */
  static Optional<String> lastError(List<String> lines) {
    for (int i = lines.size() - 1; i >= 0; i--) {
      String line = lines.get(i);
      if (EXCEPTION_LINE.matcher(line).find()) {
        return Optional.of(line.strip());
      }
    }
    return Optional.empty();
  }

}
