package dev.baton.stages.noop;

import dev.baton.stages.spi.Stage;
import dev.baton.stages.spi.StageContext;
import dev.baton.stages.spi.StageFailedException;
import dev.baton.stages.spi.StageResult;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.spark.sql.SparkSession;

/**
 * The {@code noop} stage: writes nothing, takes a configurable time and fails at a configurable
 * rate. For measuring the controller's own overhead (no Spark job at all) and for chaos tests.
 *
 * <p>Duration and failure are drawn from a hash of (runId, stage, attempt), so an attempt's fate
 * is reproducible and independent of which controller process runs it; a retry draws again.
 */
final class NoopStage implements Stage {
  static final String INJECTED_FAILURE = NoopStageFactory.INJECTED_FAILURE;

  private final NoopOptions options;

  NoopStage(NoopOptions options) {
    this.options = options;
  }

  @Override
  public StageResult run(StageContext context, SparkSession spark) {
    String identity = context.runId() + "/" + context.stage() + "/" + context.attempt();
    if (options.executionLog() != null) {
      try {
        // one write(2) of one short line with O_APPEND: lines of concurrent attempts do not interleave
        Files.writeString(Path.of(options.executionLog()), identity + "\n", StandardOpenOption.CREATE,
            StandardOpenOption.APPEND);
      } catch (IOException e) {
        throw new UncheckedIOException("Cannot append to execution log " + options.executionLog(), e);
      }
    }
    long durationMs = options.durationMs()
        + (long) Math.floor(draw(identity + "/duration") * (options.maxDurationMs() - options.durationMs() + 1));
    if (durationMs > 0) {
      try {
        Thread.sleep(durationMs); // the stage's simulated work, not synchronisation
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new StageFailedException("INTERRUPTED", "noop stage " + identity + " interrupted");
      }
    }
    if (draw(identity + "/failure") < options.failureRate()) {
      throw new StageFailedException(INJECTED_FAILURE,
          "injected failure of " + identity + " (failureRate " + options.failureRate() + ")");
    }
    return new StageResult(List.of(), Map.of("durationMs", (double) durationMs));
  }

  /** Uniform in [0, 1), a pure function of {@code seed}. */
  static double draw(String seed) {
    UUID hash = UUID.nameUUIDFromBytes(seed.getBytes(StandardCharsets.UTF_8));
    // the two top bits of the low half are the UUID variant (always 10): use the 53 bits below them
    return ((hash.getLeastSignificantBits() & 0x3FFF_FFFF_FFFF_FFFFL) >>> 9) * 0x1.0p-53;
  }
}
