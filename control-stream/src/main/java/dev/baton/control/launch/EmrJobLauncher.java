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
import dev.failsafe.Failsafe;
import dev.failsafe.FailsafeException;
import dev.failsafe.RetryPolicy;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkClientException;

/**
 * Runs each stage attempt as a job of an EMR flavour ({@link EmrJobs}: EMR Serverless job runs, EMR on
 * EKS job runs, EMR on EC2 steps), named after the attempt ({@code baton:<pipeline>:<runId>:<stage>:<attempt>};
 * see each flavour for its naming) and, where the API takes tags, tagged with it.
 *
 * <p>Exactly once by construction: the job's client token is derived from the launch key ({@link
 * #clientToken}), so asking again for the same attempt (a lost answer, a controller restart) is the same
 * job and a new attempt is a new job (EMR steps have no token: see {@link EmrStepJobs}). A start whose
 * outcome is unknown or that may pass if asked again ({@link #askAgain}: no answer, throttling after the AWS
 * SDK's adaptive retries, a conflict, a server error) is asked again with the same token, with backoff, on
 * its own thread, until it is answered or the attempt is cancelled (its timeout makes it LOST, which cancels
 * it; without a stage timeout the default 6 h applies); it is never turned into a new attempt. A client-side
 * failure that will not pass (no credentials) is therefore logged at WARN on every try until then. An answered
 * refusal completes the attempt FAILED: 403 / {@code AccessDenied…} as {@link StageErrorCode#ACCESS_DENIED} and
 * {@code ValidationException} and other 4xx as {@link StageErrorCode#INVALID_REQUEST} (neither retried), with
 * AWS's message.
 *
 * <p>Completion: a built-in stage's runner publishes its own StageCompleted; a {@code spark-app} job's
 * comes from the job's EventBridge state change through the event connector ({@code completion=events})
 * or from this launcher polling the API ({@code completion=poll}), which then publishes {@code
 * SUCCEEDED}, {@code CANCELLED} (a job someone else cancelled) or {@code FAILED} with the error type the
 * connector gives ({@code EMR_SERVERLESS_FAILED}, …), the API's failure details and the job's log location.
 * Whatever the mode, a job the API no longer knows is LOST. {@link #cancel} (a cancelled run, a LOST attempt)
 * cancels the job, finding it by name if its start was never answered; {@link #reconcile} finds an earlier
 * controller's job by name.
 */
public final class EmrJobLauncher implements Launcher {
  private static final Logger LOG = LoggerFactory.getLogger(EmrJobLauncher.class);
  /** Tag keys of every job. */
  public static final String TAG_PIPELINE = "baton:pipeline";
  public static final String TAG_RUN_ID = "baton:run-id";
  public static final String TAG_STAGE = "baton:stage";
  public static final String TAG_ATTEMPT = "baton:attempt";
  /** How far before an attempt's journal record its job may have been created (clock skew), for finding it by name. */
  static final Duration FIND_MARGIN = Duration.ofMinutes(10);

  private final EmrLauncherSettings settings;
  private final EmrJobs jobs;
  private final Consumer<ControlEvent> sink;
  private final Clock clock;
  /** Polls and cancels. */
  private final ScheduledExecutorService executor;
  /** Starts, each on its own thread: a start asked again waits between its requests, and must not hold up polls. */
  private final java.util.concurrent.ExecutorService starts;
  /** Attempts started or adopted here whose job has not been seen to end, by launch key. */
  private final Map<String, Attempt> active = new ConcurrentHashMap<>();
  private final RetryPolicy<String> unanswered;

  /**
   * @param jobs the EMR flavour's API; closed by {@link #close}
   * @param sink where completions this launcher observes go (the control topic)
   * @param startRetryDelay first delay before asking again for a start that got no answer; doubles up to 60 s
   */
  public EmrJobLauncher(EmrLauncherSettings settings, EmrJobs jobs, Consumer<ControlEvent> sink, Clock clock,
      Duration startRetryDelay) {
    this.settings = requireNonNull(settings, "Invalid settings: null");
    this.jobs = requireNonNull(jobs, "Invalid jobs: null");
    this.sink = requireNonNull(sink, "Invalid sink: null");
    this.clock = requireNonNull(clock, "Invalid clock: null");
    ScheduledThreadPoolExecutor pool = new ScheduledThreadPoolExecutor(4, runnable -> {
      Thread thread = new Thread(runnable, "baton-" + settings.type() + "-" + settings.profile());
      thread.setDaemon(true);
      return thread;
    });
    pool.setRemoveOnCancelPolicy(true);
    this.executor = pool;
    this.starts = java.util.concurrent.Executors.newCachedThreadPool(runnable -> {
      Thread thread = new Thread(runnable, "baton-" + settings.type() + "-" + settings.profile() + "-start");
      thread.setDaemon(true);
      return thread;
    });
    Duration maxDelay = Duration.ofSeconds(60);
    this.unanswered = retryPolicy(startRetryDelay, maxDelay)
        .onRetry(event -> LOG.warn("{}: the start of a {} got no answer, was throttled or met a server error ({});"
                + " asking again with the same client token (retry {})",
            settings.profile(), jobs.kind(), event.getLastException().toString(), event.getAttemptCount()))
        .build();
  }

  /**
   * Whether a start's failure leaves it unknown whether the job exists, or says it may start if asked again:
   * any failure without an AWS answer ({@code SdkClientException}: no answer, a timeout, an answer that could
   * not be read — the SDK does not say whether the request left), throttling, a conflict or a server error.
   * Such a start is asked again with the same client token, which cannot start a second job; an AWS answer
   * other than those is a refusal.
   */
  static boolean askAgain(Throwable failure) {
    if (failure instanceof AwsServiceException service) {
      return service.isThrottlingException() || service.statusCode() == 409 || service.statusCode() >= 500;
    }
    return failure instanceof SdkClientException;
  }

  private static dev.failsafe.RetryPolicyBuilder<String> retryPolicy(Duration startRetryDelay, Duration maxDelay) {
    var retry = RetryPolicy.<String>builder().handleIf(EmrJobLauncher::askAgain);
    if (startRetryDelay.compareTo(maxDelay) < 0) {
      retry.withBackoff(startRetryDelay, maxDelay);
    } else {
      retry.withDelay(startRetryDelay);
    }
    return retry.withMaxRetries(-1);
  }

  EmrJobLauncher(EmrLauncherSettings settings, EmrJobs jobs, Consumer<ControlEvent> sink, Clock clock) {
    this(settings, jobs, sink, clock, Duration.ofSeconds(1));
  }

  /**
   * The launcher of an EMR profile, with the AWS SDK client of its type.
   *
   * @param sink where completions this launcher observes go (the control topic)
   * @throws org.apache.kafka.common.config.ConfigException naming {@code launchers.<name>.region} when the AWS
   *     client cannot be made (no region set or found)
   */
  public static EmrJobLauncher create(EmrLauncherSettings settings, Consumer<ControlEvent> sink) {
    EmrJobs jobs;
    try {
      jobs = switch (settings.type()) {
        case LauncherProfile.EMR_SERVERLESS -> EmrServerlessJobs.create(settings);
        case LauncherProfile.EMR_CONTAINERS -> EmrContainersJobs.create(settings);
        case LauncherProfile.EMR_STEPS -> EmrStepJobs.create(settings);
        default -> throw new IllegalArgumentException("Not an EMR launcher type: " + settings.type());
      };
    } catch (SdkClientException e) { // e.g. no region: neither set nor found by the SDK's region chain
      throw new org.apache.kafka.common.config.ConfigException(LauncherProfile.PREFIX + settings.profile() + ".region",
          settings.region(), "cannot make the AWS client of this profile: " + e.getMessage());
    }
    return new EmrJobLauncher(settings, jobs, sink, Clock.systemUTC());
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
   * The idempotency token of an attempt's job: a name-based UUID of {@code baton-launch:<launch key>}
   * (36 characters; EMR's client tokens take 1–64). Equal for the same (runId, stage, attempt) in any
   * process, different for every other attempt.
   */
  public static String clientToken(String launchKey) {
    return UUID.nameUUIDFromBytes(("baton-launch:" + launchKey).getBytes(StandardCharsets.UTF_8)).toString();
  }

  /** The tags of an attempt's job: pipeline, run id, stage and attempt ({@link #TAG_PIPELINE}, …). */
  public static Map<String, String> tags(AttemptName name) {
    Map<String, String> tags = new LinkedHashMap<>();
    tags.put(TAG_PIPELINE, name.pipeline());
    tags.put(TAG_RUN_ID, name.runId());
    tags.put(TAG_STAGE, name.stage());
    tags.put(TAG_ATTEMPT, Integer.toString(name.attempt()));
    return tags;
  }

  /**
   * Starts the attempt's job in the background (an external stage's attempt: nothing, its completion
   * comes from outside). Options that do not fit, or parameters missing or unsafe, complete the
   * attempt FAILED at once.
   *
   * @throws IllegalStateException after {@link #close}
   */
  @Override
  public void launch(LaunchRequest request) {
    if (!StageTypes.runByBaton(request.stage().type())) {
      LOG.info("Attempt {} is of an external stage: waiting for its completion from outside", request.launchKey());
      return;
    }
    if (starts.isShutdown()) {
      throw new IllegalStateException("Cannot launch attempt " + request.launchKey() + ": the launcher is closed");
    }
    Instant started = clock.instant();
    EmrJobs.JobSubmission submission;
    try {
      submission = submission(request);
    } catch (StageFailedException | InvalidStageOptionsException e) {
      publish(request, AttemptCompletions.refused(request, started, clock.instant(), e));
      return;
    }
    Attempt attempt = new Attempt(request, started);
    if (active.putIfAbsent(request.launchKey(), attempt) != null) {
      LOG.info("Attempt {} is already started here", request.launchKey());
      return;
    }
    starts.execute(() -> start(attempt, submission));
  }

  /** What the attempt's job is started with. */
  EmrJobs.JobSubmission submission(LaunchRequest request) {
    AttemptName name = request.attemptName();
    Map<String, String> sparkConf = new LinkedHashMap<>(settings.sparkConf());
    if (StageTypes.runsAsApplication(request.stage().type())) {
      SparkAppOptions app = SparkAppOptions.bind(request.stage().options(), request.params());
      sparkConf.putAll(app.conf());
      return new EmrJobs.JobSubmission(name, clientToken(request.launchKey()), app.resource(), app.mainClass(),
          app.args(), sparkConf, app.jars(), app.files(), app.pyFiles(), app.packages(), request.stage().timeoutMs(),
          tags(name));
    }
    List<String> arguments = StageRunnerArguments.of(name(), settings.stageConfig(), request, name, null);
    if (settings.stageRunnerJar() == null) {
      throw new StageFailedException(StageErrorCode.SUBMISSION_FAILED.name(), "Launcher profile " + name()
          + " has no stage runner jar for Baton's stage types: set " + LauncherProfile.PREFIX + name() + ".stage-runner-jar");
    }
    return new EmrJobs.JobSubmission(name, clientToken(request.launchKey()), settings.stageRunnerJar(),
        StageMain.class.getName(), arguments, sparkConf, List.of(), List.of(), List.of(), List.of(),
        request.stage().timeoutMs(), tags(name));
  }

  private void start(Attempt attempt, EmrJobs.JobSubmission submission) {
    String key = attempt.request.launchKey();
    String jobId;
    try {
      jobId = Failsafe.with(unanswered).get(context -> {
        if (attempt.cancelled || starts.isShutdown()) {
          throw new CancelledStart();
        }
        return jobs.start(submission);
      });
    } catch (CancelledStart e) {
      return; // cancel() looks for a job a lost answer may have started
    } catch (AwsServiceException e) {
      // AWS answered that it did not start the job (a refusal): the attempt ends, and its retry is a new one
      active.remove(key, attempt);
      if (!attempt.cancelled && !starts.isShutdown()) {
        publish(attempt.request, AttemptCompletions.ended(attempt.request, StageStatus.FAILED, attempt.started,
            clock.instant(), refusalType(e).name(), jobs.kind() + " for attempt " + submission.name() + " refused: "
                + describe(e), null, null));
      }
      return;
    } catch (FailsafeException | SdkClientException e) {
      if (!starts.isShutdown()) {
        LOG.error("{}: cannot start the {} of attempt {}", name(), jobs.kind(), key, e);
      }
      return; // interrupted by close(): a restarted controller reconciles the attempt
    } catch (RuntimeException e) {
      // whether the job exists is unknown: the attempt stays, its timeout makes it LOST and cancels it by name
      LOG.error("{}: the start of the {} of attempt {} failed unexpectedly; its timeout will recover it", name(),
          jobs.kind(), key, e);
      return;
    }
    attempt.jobId = jobId;
    LOG.info("Attempt {} is {} {}", key, jobs.kind(), jobId);
    if (attempt.cancelled) {
      cancelJob(attempt);
      return;
    }
    follow(attempt, settings.pollIntervalMs());
  }

  /** Polls the attempt's job every {@code poll-interval-ms}, the first time after {@code initialDelayMs}. */
  private void follow(Attempt attempt, long initialDelayMs) {
    try {
      attempt.poll = executor.scheduleWithFixedDelay(() -> poll(attempt), initialDelayMs, settings.pollIntervalMs(),
          TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.RejectedExecutionException e) {
      return; // closed meanwhile: a restarted controller reconciles the attempt
    }
    if (attempt.ended || attempt.cancelled) { // polled to its end, or cancelled, before the future was kept
      attempt.poll.cancel(false);
    }
  }

  /** Thrown inside the start's retry loop to leave it when the attempt was cancelled. */
  private static final class CancelledStart extends RuntimeException {
    CancelledStart() {
      super(null, null, false, false);
    }
  }

  private void poll(Attempt attempt) {
    try {
      pollOnce(attempt);
    } catch (RuntimeException e) { // never let an exception end the schedule silently
      LOG.error("{}: cannot follow the {} {} of attempt {}; asking again in {} ms", name(), jobs.kind(), attempt.jobId,
          attempt.request.launchKey(), settings.pollIntervalMs(), e);
    }
  }

  private void pollOnce(Attempt attempt) {
    if (attempt.cancelled || attempt.ended) {
      stopPolling(attempt);
      return;
    }
    Optional<EmrJobs.JobStatus> found;
    try {
      found = jobs.describe(attempt.jobId);
    } catch (AwsServiceException | SdkClientException e) {
      LOG.warn("{}: cannot ask for {} {} of attempt {} (asking again in {} ms): {}", name(), jobs.kind(),
          attempt.jobId, attempt.request.launchKey(), settings.pollIntervalMs(), e.toString());
      return;
    }
    if (found.isPresent() && found.get().phase() == EmrJobs.Phase.ACTIVE) {
      return;
    }
    attempt.ended = true;
    stopPolling(attempt);
    if (!active.remove(attempt.request.launchKey(), attempt)) {
      return; // cancelled meanwhile
    }
    LaunchRequest request = attempt.request;
    if (found.isEmpty()) {
      publish(request, AttemptCompletions.ended(request, StageStatus.LOST, attempt.started, clock.instant(),
          StageErrorCode.LOST.name(), jobs.kind() + " " + attempt.jobId + " of attempt " + request.attemptName()
              + " is not known to the API any more", attempt.jobId, null));
      return;
    }
    EmrJobs.JobStatus ended = found.get();
    LOG.info("Attempt {}: {} {} ended {}", request.launchKey(), jobs.kind(), ended.jobId(), ended.state());
    if (!settings.pollCompletions()) {
      return; // the job's state change event reaches the controller through the event connector
    }
    if (ended.phase() == EmrJobs.Phase.SUCCEEDED) {
      if (StageTypes.runsAsApplication(request.stage().type())) { // Baton's stage runner reported itself
        publish(request, AttemptCompletions.succeeded(request, attempt.started, clock.instant(), ended.jobId(),
            ended.logUri()));
      }
      return;
    }
    // as the event connector reports it: CANCELLED (by someone else: Baton's own cancel is not reported) or FAILED
    StageStatus status = ended.phase() == EmrJobs.Phase.CANCELLED ? StageStatus.CANCELLED : StageStatus.FAILED;
    publish(request, AttemptCompletions.ended(request, status, attempt.started, clock.instant(),
        jobs.errorTypePrefix() + ended.state(), jobs.kind() + " " + ended.jobId() + " " + ended.state()
            + (ended.details() == null || ended.details().isBlank() ? "" : ": " + ended.details()),
        ended.jobId(), ended.logUri()));
  }

  private static void stopPolling(Attempt attempt) {
    ScheduledFuture<?> poll = attempt.poll;
    if (poll != null) {
      poll.cancel(false);
    }
  }

  /**
   * RUNNING when a job named after the attempt exists (adopted: polled from now on, and with {@code
   * completion=poll} its end reported as for a launch), LOST when there is none; an external stage's
   * attempt: RUNNING.
   *
   * @throws software.amazon.awssdk.core.exception.SdkException if the API cannot be asked (the controller
   *     does not start: better than declaring a running job LOST)
   */
  @Override
  public AttemptState reconcile(JournaledLaunch launch) {
    if (StageTypes.names().contains(launch.stageType()) && !StageTypes.runByBaton(launch.stageType())) {
      return AttemptState.RUNNING;
    }
    LaunchRequest request = new LaunchRequest(launch.runId(), launch.pipeline(),
        new StageDefinition(launch.stage(), launch.stageType(), List.of(), Map.of()), launch.attempt(), Map.of(), null);
    AttemptName name = request.attemptName();
    Optional<EmrJobs.JobStatus> found = jobs.find(name, Instant.ofEpochMilli(launch.recordedAtMs()).minus(FIND_MARGIN));
    if (found.isEmpty()) {
      LOG.info("Attempt {}: no {} named {}: LOST", launch.launchKey(), jobs.kind(), name);
      return AttemptState.LOST;
    }
    LOG.info("Attempt {}: adopting {} {} ({})", launch.launchKey(), jobs.kind(), found.get().jobId(), found.get().state());
    Attempt attempt = new Attempt(request, Instant.ofEpochMilli(launch.recordedAtMs()));
    attempt.jobId = found.get().jobId();
    if (active.putIfAbsent(launch.launchKey(), attempt) == null) {
      follow(attempt, 0);
    }
    return AttemptState.RUNNING;
  }

  /** Cancels the attempt's job in the background (found by name when its start got no answer); nobody reports it. */
  @Override
  public void cancel(String launchKey) {
    Attempt attempt = active.remove(launchKey);
    if (attempt == null) {
      return;
    }
    LOG.warn("Cancelling attempt {}", launchKey);
    attempt.cancelled = true;
    stopPolling(attempt);
    try {
      executor.execute(() -> cancelJob(attempt));
    } catch (java.util.concurrent.RejectedExecutionException e) {
      LOG.error("Attempt {}: cannot cancel its {}: the launcher is closed; it may still run", launchKey, jobs.kind());
    }
  }

  private void cancelJob(Attempt attempt) {
    String jobId = attempt.jobId;
    AttemptName name = attempt.request.attemptName();
    try {
      if (jobId == null) {
        Optional<EmrJobs.JobStatus> found = jobs.find(name, attempt.started.minus(FIND_MARGIN));
        if (found.isEmpty()) {
          LOG.info("Attempt {}: no {} named {} to cancel", attempt.request.launchKey(), jobs.kind(), name);
          return;
        }
        jobId = found.get().jobId();
      }
      jobs.cancel(jobId);
      LOG.info("Attempt {}: cancelled {} {}", attempt.request.launchKey(), jobs.kind(), jobId);
    } catch (RuntimeException e) {
      LOG.error("Attempt {}: cannot cancel {} {}; it may still run: {}", attempt.request.launchKey(), jobs.kind(),
          jobId == null ? name : jobId, e.toString());
    }
  }

  /** Attempts whose job is started or adopted here and not seen to end. */
  public int activeAttempts() {
    return active.size();
  }

  /**
   * Stops starting and polling, and runs the cancels already asked for (at most 10 s); running jobs go on, and a
   * restarted controller reconciles them.
   */
  @Override
  public void close() {
    starts.shutdownNow();
    executor.shutdown(); // periodic polls stop; queued cancels still run
    try {
      if (!executor.awaitTermination(10, TimeUnit.SECONDS)) {
        LOG.warn("{}: cancels still running after 10 s; closing anyway", name());
        executor.shutdownNow();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      executor.shutdownNow();
    }
    jobs.close();
  }

  /** The code of an answered refusal ({@link EmrJobLauncher}). */
  static StageErrorCode refusalType(AwsServiceException e) {
    String code = e.awsErrorDetails() == null || e.awsErrorDetails().errorCode() == null ? ""
        : e.awsErrorDetails().errorCode();
    if (e.statusCode() == 403 || code.startsWith("AccessDenied")) {
      return StageErrorCode.ACCESS_DENIED;
    }
    if (e.statusCode() / 100 == 4 && e.statusCode() != 408 && e.statusCode() != 409 && !e.isThrottlingException()) {
      return StageErrorCode.INVALID_REQUEST;
    }
    return StageErrorCode.SUBMISSION_FAILED;
  }

  /** AWS's message, error code, HTTP status and request id. */
  static String describe(AwsServiceException e) {
    String message = e.awsErrorDetails() == null ? e.getMessage() : e.awsErrorDetails().errorMessage();
    String code = e.awsErrorDetails() == null ? null : e.awsErrorDetails().errorCode();
    return message + " (" + (code == null ? "" : code + ", ") + "HTTP " + e.statusCode()
        + (e.requestId() == null ? "" : ", request id " + e.requestId()) + ")";
  }

  private void publish(LaunchRequest request, StageCompleted completed) {
    AttemptCompletions.publish(LOG, sink, request, completed);
  }

  /** One attempt's job, as this launcher follows it. */
  private static final class Attempt {
    final LaunchRequest request;
    final Instant started;
    volatile String jobId;
    volatile boolean cancelled;
    /** Seen to end by a poll. */
    volatile boolean ended;
    volatile ScheduledFuture<?> poll;

    Attempt(LaunchRequest request, Instant started) {
      this.request = request;
      this.started = started;
    }
  }
}
