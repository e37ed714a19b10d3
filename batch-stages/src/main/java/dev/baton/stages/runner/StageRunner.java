package dev.baton.stages.runner;

import static java.util.Objects.requireNonNull;

import dev.baton.schemas.ControlEvents;
import dev.baton.schemas.event.StageCompleted;
import dev.baton.schemas.StageErrorCode;
import dev.baton.schemas.event.StageError;
import dev.baton.schemas.event.StageOutput;
import dev.baton.schemas.event.StageStatus;
import dev.baton.stages.StageTypes;
import dev.baton.stages.spi.InvalidStageOptionsException;
import dev.baton.stages.spi.Stage;
import dev.baton.stages.spi.StageContext;
import dev.baton.stages.spi.StageFailedException;
import dev.baton.stages.spi.StageResult;
import dev.baton.stages.write.RunTags;
import java.time.Clock;
import dev.failsafe.Failsafe;
import dev.failsafe.FailsafeException;
import dev.failsafe.RetryPolicy;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one stage attempt and reports it: builds the stage from its type and options (with run
 * parameters substituted), runs it, and publishes a {@code StageCompleted} event, SUCCEEDED with
 * the outputs or FAILED with the error. This event replaces the {@code _job_status} flag file.
 */
public final class StageRunner {
  private static final Logger LOG = LoggerFactory.getLogger(StageRunner.class);
  private static final int MAX_ERROR_MESSAGE_CHARS = 4_000;

  /** Attempts to publish a completion before giving up: 1 + 7 retries, 1 s doubling to 30 s (about 2.5 min). */
  public static final int PUBLISH_MAX_RETRIES = 7;

  private final Consumer<dev.baton.schemas.event.ControlEvent> sink;
  private final Clock clock;
  private final RetryPolicy<Object> publishRetries;
  private final String logUri;

  /**
   * @param sink where the {@code StageCompleted} envelope goes, e.g. {@link ControlEventPublisher#publish}
   * @param clock clock for startedAt/finishedAt (UTC instants)
   */
  public StageRunner(Consumer<dev.baton.schemas.event.ControlEvent> sink, Clock clock) {
    this(sink, clock, null);
  }

  /**
   * A runner whose completions also say where the attempt's log is ({@code StageCompleted.logUri}):
   * the runner of a stage that runs as its own application, whose output its launcher keeps.
   *
   * @param logUri e.g. {@code file:///home/me/.baton/stage-logs/...log}; null when unknown
   */
  public StageRunner(Consumer<dev.baton.schemas.event.ControlEvent> sink, Clock clock, String logUri) {
    this(sink, clock, Duration.ofSeconds(1), Duration.ofSeconds(30), logUri);
  }

  /** As the public constructor, with the publish back-off's first and longest delay. */
  StageRunner(Consumer<dev.baton.schemas.event.ControlEvent> sink, Clock clock, Duration firstRetry, Duration maxRetry) {
    this(sink, clock, firstRetry, maxRetry, null);
  }

  private StageRunner(Consumer<dev.baton.schemas.event.ControlEvent> sink, Clock clock, Duration firstRetry,
      Duration maxRetry, String logUri) {
    this.logUri = logUri;
    this.sink = requireNonNull(sink, "Invalid sink: null");
    this.clock = requireNonNull(clock, "Invalid clock: null");
    this.publishRetries = RetryPolicy.builder()
        .handle(RuntimeException.class)
        .withBackoff(firstRetry, maxRetry)
        .withMaxRetries(PUBLISH_MAX_RETRIES)
        .onRetry(event -> LOG.warn("Cannot publish a stage completion (attempt {}); retrying: {}",
            event.getAttemptCount(), event.getLastException().toString()))
        .build();
  }

  /**
   * Runs the attempt and publishes its completion. A stage failure does not throw: it is reported
   * as a FAILED {@code StageCompleted}, which is also returned. That includes a JVM {@link Error}
   * thrown by the stage ({@code OutOfMemoryError}, {@code StackOverflowError}: error type = its class
   * name), so the run's ledger says what happened instead of the attempt waiting for its timeout. A
   * publish that fails is retried ({@value #PUBLISH_MAX_RETRIES} times, back-off 1 s doubling to 30 s):
   * the stage's output is already committed, only its report is missing. The completion names the
   * Spark application the attempt ran in ({@code spark.app.id}).
   *
   * @param type stage type, see {@link StageTypes}
   * @param options the stage's YAML options, with {@code ${param}} placeholders
   * @throws IllegalStateException only if the completion cannot be published after the retries
   */
  public StageCompleted run(StageContext context, String type, Map<String, Object> options, SparkSession spark) {
    return run(context, () -> StageTypes.create(type, StageParameters.substitute(options, context.params())), spark);
  }

  /** Runs the stage {@code factory} makes; {@link #run(StageContext, String, Map, SparkSession)}'s contract. */
  StageCompleted run(StageContext context, java.util.concurrent.Callable<Stage> factory, SparkSession spark) {
    Instant started = clock.instant();
    StageCompleted.Builder completed = StageCompleted.newBuilder().setStage(context.stage())
        .setAttempt(context.attempt()).setStartedAt(started).setLogUri(logUri)
        .setApplicationId(spark == null ? null : spark.sparkContext().applicationId());
    boolean interrupted = false;
    try {
      Stage stage = factory.call();
      StageResult result = RunTags.during(context, () -> stage.run(context, spark));
      completed.setStatus(StageStatus.SUCCEEDED)
          .setOutputs(result.outputs().stream()
              .map(output -> new StageOutput(output.table(), output.snapshotId(), output.rows()))
              .toList())
          .setMetrics(result.metrics());
    } catch (StageFailedException e) {
      LOG.warn("Stage {} of run {} attempt {} failed: {}", context.stage(), context.runId(), context.attempt(), e.getMessage());
      completed.setStatus(StageStatus.FAILED).setOutputs(List.of()).setMetrics(Map.of())
          .setError(new StageError(e.type(), truncate(e.getMessage()), logUri));
    } catch (InvalidStageOptionsException e) {
      LOG.warn("Stage {} of run {} attempt {} has invalid options: {}", context.stage(), context.runId(),
          context.attempt(), e.getMessage());
      completed.setStatus(StageStatus.FAILED).setOutputs(List.of()).setMetrics(Map.of())
          .setError(new StageError(StageErrorCode.INVALID_OPTIONS.name(), truncate(e.getMessage()), logUri));
    } catch (Throwable e) { // Errors included: the alternative is an attempt nobody hears of until its timeout
      LOG.error("Stage {} of run {} attempt {} crashed", context.stage(), context.runId(), context.attempt(), e);
      completed.setStatus(StageStatus.FAILED).setOutputs(List.of()).setMetrics(Map.of())
          .setError(new StageError(e.getClass().getName(), truncate(describe(e)), logUri));
      interrupted = e instanceof InterruptedException; // restored once the completion is out
    }
    StageCompleted event = completed.setFinishedAt(clock.instant()).build();
    dev.baton.schemas.event.ControlEvent envelope = ControlEvents.completed(context.runId(), context.pipeline(), event);
    try {
      Failsafe.with(publishRetries).run(() -> sink.accept(envelope));
    } catch (FailsafeException e) {
      throw new IllegalStateException("Cannot publish the completion of stage " + context.stage() + " of run "
          + context.runId() + " attempt " + context.attempt() + " after " + (PUBLISH_MAX_RETRIES + 1) + " attempts",
          e.getCause() == null ? e : e.getCause());
    } catch (RuntimeException e) {
      throw new IllegalStateException("Cannot publish the completion of stage " + context.stage() + " of run "
          + context.runId() + " attempt " + context.attempt() + " after " + (PUBLISH_MAX_RETRIES + 1) + " attempts", e);
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
    return event;
  }

  private static String describe(Throwable e) {
    StringBuilder message = new StringBuilder(String.valueOf(e.getMessage()));
    Throwable cause = e.getCause();
    while (cause != null && cause != e) {
      message.append("; caused by ").append(cause.getClass().getName()).append(": ").append(cause.getMessage());
      e = cause;
      cause = cause.getCause();
    }
    return message.toString();
  }

  private static String truncate(String message) {
    String text = message == null ? "" : message;
    return text.length() <= MAX_ERROR_MESSAGE_CHARS ? text : text.substring(0, MAX_ERROR_MESSAGE_CHARS) + "…";
  }
}
