package dev.baton.stages.noop;

import dev.baton.stages.spi.InvalidStageOptionsException;

/**
 * Options of a {@code noop} stage.
 *
 * @param durationMs shortest time the attempt takes, ms (default 0)
 * @param maxDurationMs longest time, ms; the attempt takes a duration drawn uniformly from
 *     {@code [durationMs, maxDurationMs]} (default: {@code durationMs})
 * @param failureRate probability in {@code [0, 1]} that an attempt fails with error type {@value
 *     NoopStage#INJECTED_FAILURE} (default 0)
 * @param executionLog a local file to which each execution appends the line {@code
 *     <runId>/<stage>/<attempt>} when it starts (default: none) — the stage's own side effect, by which
 *     a test counts how often an attempt really ran
 */
public record NoopOptions(Long durationMs, Long maxDurationMs, Double failureRate, String executionLog) {
  public NoopOptions {
    durationMs = durationMs == null ? 0L : durationMs;
    if (durationMs < 0) {
      throw new InvalidStageOptionsException("durationMs", "must be >= 0, got " + durationMs);
    }
    maxDurationMs = maxDurationMs == null ? durationMs : maxDurationMs;
    if (maxDurationMs < durationMs) {
      throw new InvalidStageOptionsException("maxDurationMs", "must be >= durationMs (" + durationMs + "), got " + maxDurationMs);
    }
    failureRate = failureRate == null ? 0.0 : failureRate;
    if (failureRate < 0 || failureRate > 1 || failureRate.isNaN()) {
      throw new InvalidStageOptionsException("failureRate", "must be in [0, 1], got " + failureRate);
    }
  }
}
