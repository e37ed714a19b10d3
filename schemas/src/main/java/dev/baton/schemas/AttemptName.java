package dev.baton.schemas;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The name that identifies one attempt of a stage outside Baton: {@code
 * baton:<pipeline>:<runId>:<stage>:<attempt>}, e.g. {@code
 * baton:sales:0c4bd3d8-4a6b-3b1e-9a49-6ad4e1c7f2a1:ingest:2}. Launchers give it to what they start (an application, a job run,
 * an EMR step), and the event connector reads it back from the state-change events of jobs started
 * elsewhere, so the completion reaches the right attempt. Pipeline and stage names are those a
 * pipeline allows ({@code [a-z0-9][a-z0-9_-]{0,63}}), the run id is a UUID, the attempt 1–9999.
 *
 * @param pipeline the pipeline's name
 * @param runId the run id (a UUID, see {@link RunIds})
 * @param stage the stage's name
 * @param attempt the attempt number, from 1
 */
public record AttemptName(String pipeline, String runId, String stage, int attempt) {
  private static final String NAME = "[a-z0-9][a-z0-9_-]{0,63}";
  private static final Pattern PATTERN = Pattern.compile(
      "baton:(?<pipeline>" + NAME + "):(?<runId>[0-9a-f-]{36}):(?<stage>" + NAME + "):(?<attempt>[1-9][0-9]{0,3})");

  /**
   * @throws IllegalArgumentException if a part does not fit the format (the message names the part)
   */
  public AttemptName {
    check("pipeline", pipeline, NAME);
    check("runId", runId, "[0-9a-f-]{36}");
    check("stage", stage, NAME);
    if (attempt < 1 || attempt > 9999) {
      throw new IllegalArgumentException("Invalid attempt in an attempt name: " + attempt + " (1 to 9999)");
    }
  }

  private static void check(String part, String value, String regex) {
    if (value == null || !value.matches(regex)) {
      throw new IllegalArgumentException("Invalid " + part + " in an attempt name: " + value + " (expected " + regex + ")");
    }
  }

  /**
   * The attempt named {@code name}, or empty if {@code name} is null or not {@code
   * baton:<pipeline>:<runId>:<stage>:<attempt>} as a whole.
   */
  public static Optional<AttemptName> parse(String name) {
    if (name == null) {
      return Optional.empty();
    }
    Matcher matcher = PATTERN.matcher(name);
    if (!matcher.matches()) {
      return Optional.empty();
    }
    return Optional.of(new AttemptName(matcher.group("pipeline"), matcher.group("runId"), matcher.group("stage"),
        Integer.parseInt(matcher.group("attempt"))));
  }

  /** The name: {@code baton:<pipeline>:<runId>:<stage>:<attempt>}. */
  @Override
  public String toString() {
    return "baton:" + pipeline + ":" + runId + ":" + stage + ":" + attempt;
  }

  /** The attempt's key in the controller: {@code <runId>/<stage>/<attempt>}. */
  public String launchKey() {
    return runId + "/" + stage + "/" + attempt;
  }
}
