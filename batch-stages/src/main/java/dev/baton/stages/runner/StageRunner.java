package dev.baton.stages.runner;

import static java.util.Objects.requireNonNull;

import dev.baton.schemas.ControlEvents;
import dev.baton.schemas.event.StageCompleted;
import dev.baton.schemas.event.StageError;
import dev.baton.schemas.event.StageOutput;
import dev.baton.schemas.event.StageStatus;
import dev.baton.stages.StageTypes;
import dev.baton.stages.spi.Stage;
import dev.baton.stages.spi.StageContext;
import dev.baton.stages.spi.StageFailedException;
import dev.baton.stages.spi.StageResult;
import java.time.Clock;
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

  private final Consumer<dev.baton.schemas.event.ControlEvent> sink;
  private final Clock clock;

  /**
   * @param sink where the {@code StageCompleted} envelope goes, e.g. {@link ControlEventPublisher#publish}
   * @param clock clock for startedAt/finishedAt (UTC instants)
   */
  public StageRunner(Consumer<dev.baton.schemas.event.ControlEvent> sink, Clock clock) {
    this.sink = requireNonNull(sink, "Invalid sink: null");
    this.clock = requireNonNull(clock, "Invalid clock: null");
  }

  /**
   * Runs the attempt and publishes its completion. A stage failure does not throw: it is reported
   * as a FAILED {@code StageCompleted}, which is also returned.
   *
   * @param type stage type, see {@link StageTypes}
   * @param options the stage's YAML options, with {@code ${param}} placeholders
   * @throws IllegalStateException only if the completion cannot be published
   */
  public StageCompleted run(StageContext context, String type, Map<String, Object> options, SparkSession spark) {
    Instant started = clock.instant();
    StageCompleted.Builder completed =
        StageCompleted.newBuilder().setStage(context.stage()).setAttempt(context.attempt()).setStartedAt(started);
    try {
      Stage stage = StageTypes.create(type, StageParameters.substitute(options, context.params()));
      StageResult result = stage.run(context, spark);
      completed.setStatus(StageStatus.SUCCEEDED)
          .setOutputs(result.outputs().stream()
              .map(output -> new StageOutput(output.table(), output.snapshotId(), output.rows()))
              .toList())
          .setMetrics(result.metrics());
    } catch (StageFailedException e) {
      LOG.warn("Stage {} of run {} attempt {} failed: {}", context.stage(), context.runId(), context.attempt(), e.getMessage());
      completed.setStatus(StageStatus.FAILED).setOutputs(List.of()).setMetrics(Map.of())
          .setError(new StageError(e.type(), truncate(e.getMessage()), null));
    } catch (Exception | LinkageError | AssertionError e) {
      LOG.error("Stage {} of run {} attempt {} crashed", context.stage(), context.runId(), context.attempt(), e);
      completed.setStatus(StageStatus.FAILED).setOutputs(List.of()).setMetrics(Map.of())
          .setError(new StageError(e.getClass().getName(), truncate(describe(e)), null));
    }
    StageCompleted event = completed.setFinishedAt(clock.instant()).build();
    sink.accept(ControlEvents.completed(context.runId(), context.pipeline(), event));
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
