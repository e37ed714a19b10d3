package dev.baton.control.pipeline;

import dev.baton.schemas.StageErrorCode;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.UUID;

/**
 * When and how often a failed stage attempt is launched again.
 *
 * <p>Back-off before attempt {@code n + 1} after {@code n} failed attempts is "full jitter"
 * (AWS Architecture Blog, "Exponential Backoff And Jitter"): a delay drawn uniformly from {@code [0,
 * min(maxBackoffMs, initialBackoffMs * 2^(n-1)))}. The draw is a hash of (runId, stage, n), so a
 * replayed decision picks the same delay.
 *
 * @param maxAttempts attempts in all, at least 1 (1 = no retry)
 * @param initialBackoffMs back-off cap after the first failure, ms
 * @param maxBackoffMs largest back-off cap, ms
 * @param retryableErrors error types ({@code StageCompleted.error.type}) or {@link StageErrorCode} names
 *     that are retried; {@code "*"} means every error whose code is {@linkplain StageErrorCode#retryable()
 *     retryable} (all but the USER errors, which fail the same way on the same input: those are retried
 *     only when listed by name)
 */
public record RetryPolicy(int maxAttempts, long initialBackoffMs, long maxBackoffMs, List<String> retryableErrors)
    implements Serializable {

  /** No retries: one attempt. */
  public static final RetryPolicy NONE = new RetryPolicy(1, 1_000, 60_000, List.of("*"));

  public RetryPolicy {
    if (maxAttempts < 1) {
      throw new IllegalArgumentException("Cannot create retry policy: invalid maxAttempts " + maxAttempts);
    }
    if (initialBackoffMs < 0 || maxBackoffMs < initialBackoffMs) {
      throw new IllegalArgumentException(
          "Cannot create retry policy: invalid back-off " + initialBackoffMs + ".." + maxBackoffMs + " ms");
    }
    retryableErrors = List.copyOf(retryableErrors);
  }

  /** Whether a failure of type {@code errorType} after {@code attempt} attempts is retried. */
  public boolean retries(String errorType, int attempt) {
    if (attempt >= maxAttempts) {
      return false;
    }
    StageErrorCode code = StageErrorCode.of(errorType);
    if ((errorType != null && retryableErrors.contains(errorType)) || retryableErrors.contains(code.name())) {
      return true;
    }
    return retryableErrors.contains("*") && code.retryable();
  }

  /** The back-off before the next attempt after {@code failedAttempts} failed attempts, ms. */
  public long backoffMs(String runId, String stage, int failedAttempts) {
    double cap = Math.min((double) maxBackoffMs, initialBackoffMs * Math.pow(2, Math.max(0, failedAttempts - 1)));
    UUID draw = UUID.nameUUIDFromBytes((runId + "/" + stage + "/" + failedAttempts).getBytes(StandardCharsets.UTF_8));
    // uniform in [0, 1) from the 53 bits below the UUID variant bits (the top two of the low half, always 10)
    double unit = ((draw.getLeastSignificantBits() & 0x3FFF_FFFF_FFFF_FFFFL) >>> 9) * 0x1.0p-53;
    return (long) Math.floor(unit * cap);
  }
}
