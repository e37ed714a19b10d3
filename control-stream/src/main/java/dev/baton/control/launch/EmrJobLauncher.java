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
 * EKS job runs, EMR on EC2 steps), named after the attempt ({@code baton:<pipeline>:<runId>:<stage>:<attempt>})
 * and tagged with it.
 *
 * <p>Exactly once by construction: the job's client token is derived from the launch key ({@link
 * #clientToken}), so asking again for the same attempt (a lost answer, a controller restart) is the same
 * job and a new attempt is a new job. A start that gets no answer (a timeout, a reset connection), or
 * is still throttled after the AWS SDK's adaptive retries, is asked again with the same token, with
 * backoff, until it is answered or the attempt is cancelled; it is never turned into a new attempt. An answered refusal completes the attempt FAILED: {@code
 * ValidationException} and other 4xx as {@link StageErrorCode#INVALID_REQUEST} (USER, not retried), {@code
 * AccessDenied…} as {@link StageErrorCode#ACCESS_DENIED} (not retried), a conflict or 5xx left after the
 * AWS SDK's own retries as {@link StageErrorCode#SUBMISSION_FAILED}; the ledger keeps AWS's message.
 *
 * <p>Completion: a built-in stage's runner publishes its own StageCompleted; a {@code spark-app} job's
 * comes from the job's EventBridge state change through the event connector ({@code completion=events})
 * or from this launcher polling the API ({@code completion=poll}), which then publishes {@code
 * SUCCEEDED}, or {@code FAILED} with the error type the connector would give ({@code EMR_SERVERLESS_FAILED},
 * …) and the API's failure details and log location. Whatever the mode, a job the API no longer knows is
 * LOST. {@link #cancel} (a cancelled run, a LOST attempt) cancels the job, finding it by name if its start
 * was never answered; {@link #reconcile} finds an earlier controller's job by name.
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
  private final ScheduledExecutorService executor;
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
    Duration maxDelay = Duration.ofSeconds(60);
    // no answer, or throttling the AWS SDK's own retries did not outlast: asked again, with the same token
    var retry = RetryPolicy.<String>builder().handleIf(failure -> failure instanceof SdkClientException
        || failure instanceof AwsServiceException service && service.isThrottlingException());
    if (startRetryDelay.compareTo(maxDelay) < 0) {
      retry.withBackoff(startRetryDelay, maxDelay);
    } else {
      retry.withDelay(startRetryDelay);
    }
    this.unanswered = retry
        .withMaxRetries(-1)
        .onRetry(event -> LOG.warn("{}: the start of a {} got no answer or was throttled ({}); asking again with the"
                + " same client token (retry {})",
            settings.profile(), jobs.kind(), event.getLastException().toString(), event.getAttemptCount()))
        .build();
  }

  EmrJobLauncher(EmrLauncherSettings settings, EmrJobs jobs, Consumer<ControlEvent> sink, Clock clock) {
    this(settings, jobs, sink, clock, Duration.ofSeconds(1));
  }

  /**
   * The launcher of an EMR profile, with the AWS SDK client of its type.
   *
   * @param sink where completions this launcher observes go (the control topic)
   */
  public static EmrJobLauncher create(EmrLauncherSettings settings, Consumer<ControlEvent> sink) {
    EmrJobs jobs = switch (settings.type()) {
      case LauncherProfile.EMR_SERVERLESS -> EmrServerlessJobs.create(settings);
      case LauncherProfile.EMR_CONTAINERS -> EmrContainersJobs.create(settings);
      case LauncherProfile.EMR_STEPS -> EmrStepJobs.create(settings);
      default -> throw new IllegalArgumentException("Not an EMR launcher type: " + settings.type());
    };
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
    if (executor.isShutdown()) {
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
    executor.execute(() -> start(attempt, submission));
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
        if (attempt.cancelled || executor.isShutdown()) {
          throw new CancelledStart();
        }
        return jobs.start(submission);
      });
    } catch (CancelledStart e) {
      return; // cancel() looks for a job a lost answer may have started
    } catch (AwsServiceException e) {
      active.remove(key, attempt);
      if (!attempt.cancelled) {
        publish(attempt.request, AttemptCompletions.ended(attempt.request, StageStatus.FAILED, attempt.started,
            clock.instant(), refusalType(e).name(), jobs.kind() + " for attempt " + submission.name() + " refused: "
                + describe(e), null, null));
      }
      return;
    } catch (FailsafeException e) {
      if (!executor.isShutdown()) {
        LOG.error("{}: cannot start the {} of attempt {}", name(), jobs.kind(), key, e);
      }
      return; // interrupted by close(): a restarted controller reconciles the attempt
    }
    attempt.jobId = jobId;
    LOG.info("Attempt {} is {} {}", key, jobs.kind(), jobId);
    if (attempt.cancelled) {
      cancelJob(attempt);
      return;
    }
    attempt.poll = executor.scheduleWithFixedDelay(() -> poll(attempt), settings.pollIntervalMs(),
        settings.pollIntervalMs(), TimeUnit.MILLISECONDS);
  }

  /** Thrown inside the start's retry loop to leave it when the attempt was cancelled. */
  private static final class CancelledStart extends RuntimeException {
    CancelledStart() {
      super(null, null, false, false);
    }
  }

  private void poll(Attempt attempt) {
    if (attempt.cancelled) {
      return;
    }
    Optional<EmrJobs.JobStatus> status;
    try {
      status = jobs.describe(attempt.jobId);
    } catch (AwsServiceException | SdkClientException e) {
      LOG.warn("{}: cannot ask for {} {} of attempt {} (asking again in {} ms): {}", name(), jobs.kind(),
          attempt.jobId, attempt.request.launchKey(), settings.pollIntervalMs(), e.toString());
      return;
    }
    if (status.isPresent() && status.get().phase() == EmrJobs.Phase.ACTIVE) {
      return;
    }
    if (!active.remove(attempt.request.launchKey(), attempt)) {
      return; // cancelled meanwhile
    }
    attempt.poll.cancel(false);
    LaunchRequest request = attempt.request;
    if (status.isEmpty()) {
      publish(request, AttemptCompletions.ended(request, StageStatus.LOST, attempt.started, clock.instant(),
          StageErrorCode.LOST.name(), jobs.kind() + " " + attempt.jobId + " of attempt " + request.attemptName()
              + " is not known to the API any more", attempt.jobId, null));
      return;
    }
    EmrJobs.JobStatus ended = status.get();
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
    publish(request, AttemptCompletions.ended(request, StageStatus.FAILED, attempt.started, clock.instant(),
        jobs.errorTypePrefix() + ended.state(), jobs.kind() + " " + ended.jobId() + " " + ended.state()
            + (ended.details() == null || ended.details().isBlank() ? "" : ": " + ended.details()),
        ended.jobId(), ended.logUri()));
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
      attempt.poll = executor.scheduleWithFixedDelay(() -> poll(attempt), 0, settings.pollIntervalMs(),
          TimeUnit.MILLISECONDS);
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
    if (attempt.poll != null) {
      attempt.poll.cancel(false);
    }
    if (!executor.isShutdown()) {
      executor.execute(() -> cancelJob(attempt));
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
    } catch (AwsServiceException | SdkClientException e) {
      LOG.error("Attempt {}: cannot cancel {} {}; it may still run: {}", attempt.request.launchKey(), jobs.kind(),
          jobId == null ? name : jobId, e.toString());
    }
  }

  /** Attempts whose job is started or adopted here and not seen to end. */
  public int activeAttempts() {
    return active.size();
  }

  /** Stops polling and starting; running jobs go on, and a restarted controller reconciles them. */
  @Override
  public void close() {
    executor.shutdownNow();
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
    volatile ScheduledFuture<?> poll;

    Attempt(LaunchRequest request, Instant started) {
      this.request = request;
      this.started = started;
    }
  }
}
