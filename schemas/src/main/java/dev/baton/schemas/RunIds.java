package dev.baton.schemas;

import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.UUID;

/**
 * Run ids are deterministic from pipeline and trigger key, so a duplicated trigger (an object
 * event delivered twice, a RunRequested re-sent) maps to the same run.
 */
public final class RunIds {
  private RunIds() {}

  /**
   * The run id of {@code pipeline} triggered by {@code triggerKey}: a name-based UUID (RFC 4122
   * version 3) of {@code pipeline + '\0' + triggerKey}.
   */
  public static String of(String pipeline, String triggerKey) {
    Objects.requireNonNull(pipeline, "Invalid pipeline: null");
    Objects.requireNonNull(triggerKey, "Invalid triggerKey: null");
    return UUID.nameUUIDFromBytes((pipeline + '\0' + triggerKey).getBytes(StandardCharsets.UTF_8)).toString();
  }
}
