package dev.baton.control.pipeline;

import dev.baton.stages.runner.StageParameters;
import dev.baton.stages.spi.ParamType;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * Decides the parameters of a run from what its request (or its trigger files) gave, so that only
 * validated values ever reach a stage. The rules, each violation reported as {@code <name>: <reason>}:
 *
 * <ul>
 *   <li>a parameter is either {@linkplain #BUILT_IN built-in} or declared in the pipeline's {@code
 *       params:}; any other name is unknown;
 *   <li>a declared parameter's value is of its type and fully matches its pattern ({@link
 *       ParamDefinition#check}); an absent one takes its default; a {@code required} one must be set;
 *   <li>built-ins: {@code batch} is one path segment ({@link ObjectTrigger#BATCH_ID}); {@code
 *       triggerKey} is always the run's trigger key; on a pipeline with an object trigger, {@code
 *       bucket} is the trigger's bucket and {@code batchPrefix} is {@code <trigger prefix><batch>/} (a
 *       request may repeat these values, not change them); without a trigger, {@code bucket} is an S3
 *       bucket name and {@code batchPrefix} a relative folder ending with {@code /};
 *   <li>every parameter a stage refers to ({@code ${name}} or SQL {@code :name}) has a value, and a
 *       value substituted into an option is {@linkplain StageParameters#unsafeForSubstitution safe} there;
 *   <li>built-ins of a pipeline with a schedule trigger ({@link #SCHEDULE_BUILT_IN}): {@code scheduledTime}
 *       is an ISO-8601 instant and {@code date} an ISO-8601 date; for a run whose trigger key names a tick
 *       ({@link ScheduleTrigger#triggerKey}), they are the tick's instant ({@code 2026-12-04T01:00:00Z}) and
 *       its local date in the schedule's zone (a request may repeat these values, not change them);
 *   <li>no value holds a control character or exceeds {@value #MAX_VALUE_CHARS} characters.
 * </ul>
 */
public final class RunParameters {

  /** The batch id of an object-triggered run: the folder below the trigger's prefix. */
  public static final String BATCH = "batch";
  /** The bucket the trigger watches. */
  public static final String BUCKET = "bucket";
  /** {@code <trigger prefix><batch>/}: the batch's folder, relative to the bucket. */
  public static final String BATCH_PREFIX = "batchPrefix";
  /** The run's trigger key (its identity; the runId derives from it). */
  public static final String TRIGGER_KEY = "triggerKey";
  /** The scheduled time of a schedule-triggered run: its tick, an ISO-8601 instant in UTC. */
  public static final String SCHEDULED_TIME = "scheduledTime";
  /** The local date (ISO-8601, {@code yyyy-MM-dd}) of a schedule-triggered run's tick, in the schedule's zone. */
  public static final String DATE = "date";
  /** The parameters every pipeline knows without declaring them. */
  public static final List<String> BUILT_IN = List.of(BATCH, BUCKET, BATCH_PREFIX, TRIGGER_KEY);
  /** The parameters a pipeline with a schedule trigger knows besides {@link #BUILT_IN}. */
  public static final List<String> SCHEDULE_BUILT_IN = List.of(SCHEDULED_TIME, DATE);

  /** The built-in parameters of a pipeline: {@link #BUILT_IN}, and {@link #SCHEDULE_BUILT_IN} when it has a schedule. */
  public static List<String> builtIn(boolean scheduled) {
    if (!scheduled) {
      return BUILT_IN;
    }
    List<String> all = new ArrayList<>(BUILT_IN);
    all.addAll(SCHEDULE_BUILT_IN);
    return List.copyOf(all);
  }
  /** Longest value, in characters (S3 keys are at most 1,024 bytes). */
  public static final int MAX_VALUE_CHARS = 1024;

  private static final Pattern BUCKET_NAME = Pattern.compile("[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]");

  private RunParameters() {}

  /**
   * The parameters of a run of {@code pipeline}: the given values, checked, plus defaults and the
   * built-ins the trigger determines.
   *
   * @param given what the request (and, for a run waiting for its files, the trigger files) set
   * @param triggerKey the run's trigger key
   * @return every parameter of the run, name to value
   * @throws InvalidRunParametersException listing every problem, {@code <name>: <reason>}
   */
  public static Map<String, String> resolve(PipelineDefinition pipeline, Map<String, String> given, String triggerKey) {
    Set<String> errors = new LinkedHashSet<>();
    Map<String, ParamDefinition> declared = new LinkedHashMap<>();
    pipeline.params().forEach(param -> declared.put(param.name(), param));
    Map<String, String> params = new LinkedHashMap<>();
    List<String> builtIn = builtIn(pipeline.schedule() != null);
    for (Map.Entry<String, String> entry : new TreeMap<>(given).entrySet()) { // sorted: the same errors in the same order
      String name = entry.getKey();
      String value = entry.getValue();
      if (!builtIn.contains(name) && !declared.containsKey(name)) {
        errors.add(name + ": unknown parameter (declared: " + (declared.isEmpty() ? "none" : String.join(", ", declared.keySet()))
            + "; built-in: " + String.join(", ", builtIn) + ")");
        continue;
      }
      if (value == null) {
        errors.add(name + ": has no value");
        continue;
      }
      Optional<String> problem = textProblem(value);
      if (problem.isEmpty() && declared.containsKey(name)) {
        problem = declared.get(name).check(value);
      }
      if (problem.isPresent()) {
        errors.add(name + ": " + problem.get());
        continue;
      }
      params.put(name, value);
    }

    String requestedKey = params.get(TRIGGER_KEY);
    if (requestedKey != null && !requestedKey.equals(triggerKey)) {
      errors.add(TRIGGER_KEY + ": is the run's trigger key '" + triggerKey + "' and cannot be set to '" + requestedKey + "'");
    }
    Optional<String> keyProblem = triggerKey == null ? Optional.of("is missing")
        : textProblem(triggerKey).or(() -> StageParameters.unsafeForSubstitution(triggerKey));
    keyProblem.ifPresent(problem -> errors.add(TRIGGER_KEY + ": " + problem));
    params.put(TRIGGER_KEY, triggerKey);

    String batch = params.get(BATCH);
    boolean batchValid = batch != null && ObjectTrigger.BATCH_ID.matcher(batch).matches();
    if (batch != null && !batchValid) {
      errors.add(BATCH + ": expected one path segment of letters, digits, '.', '_', '=' or '-', not starting with '.',"
          + " at most 128 characters (got '" + batch + "')");
      params.remove(BATCH);
    }
    ObjectTrigger trigger = pipeline.trigger();
    String bucket = params.get(BUCKET);
    String batchPrefix = params.get(BATCH_PREFIX);
    if (trigger != null) {
      if (bucket != null && !bucket.equals(trigger.bucket())) {
        errors.add(BUCKET + ": is the trigger's bucket '" + trigger.bucket() + "' (got '" + bucket + "')");
      }
      params.put(BUCKET, trigger.bucket());
      if (batchValid) {
        String expected = trigger.prefix() + batch + "/";
        if (batchPrefix != null && !batchPrefix.equals(expected)) {
          errors.add(BATCH_PREFIX + ": is the trigger's prefix and the batch, '" + expected + "' (got '" + batchPrefix + "')");
        }
        params.put(BATCH_PREFIX, expected);
      } else if (batchPrefix != null) {
        errors.add(BATCH_PREFIX + ": is the trigger's prefix and the batch, and cannot be set without a valid batch"
            + " (got '" + batchPrefix + "')");
        params.remove(BATCH_PREFIX);
      }
    } else {
      if (bucket != null && (!BUCKET_NAME.matcher(bucket).matches() || bucket.contains(".."))) {
        errors.add(BUCKET + ": expected an S3 bucket name (3-63 lower-case letters, digits, '.', '-') (got '" + bucket + "')");
        params.remove(BUCKET);
      }
      if (batchPrefix != null) {
        Optional<String> unsafe = StageParameters.unsafeForSubstitution(batchPrefix);
        if (unsafe.isPresent() || !batchPrefix.endsWith("/")) {
          errors.add(BATCH_PREFIX + ": expected a relative folder ending with '/' (got '" + batchPrefix + "'"
              + unsafe.map(reason -> ", which " + reason).orElse("") + ")");
          params.remove(BATCH_PREFIX);
        }
      }
    }

    scheduleBuiltIns(pipeline, triggerKey, params, errors);

    for (ParamDefinition param : declared.values()) {
      if (!params.containsKey(param.name()) && !given.containsKey(param.name())) {
        if (param.defaultValue() != null) {
          params.put(param.name(), param.defaultValue());
        } else if (param.required()) {
          errors.add(param.name() + ": is required");
        }
      }
    }
    for (StageDefinition stage : pipeline.stages()) {
      for (String name : stage.params().keySet()) {
        if (!params.containsKey(name) && !given.containsKey(name) && !errors.contains(name + ": is required")) {
          errors.add(name + ": is required (stage " + stage.name() + " refers to it)");
        }
      }
      StageParameters.placeholders(stage.options()).forEach((name, path) -> {
        String value = params.get(name);
        if (value != null) {
          StageParameters.unsafeForSubstitution(value).ifPresent(problem -> errors.add(name + ": cannot be substituted"
              + " into " + stage.name() + " option " + path + ": '" + value + "' " + problem));
        }
      });
    }
    if (!errors.isEmpty()) {
      throw new InvalidRunParametersException(pipeline.name(), new ArrayList<>(errors));
    }
    return params;
  }

  /** {@code scheduledTime} and {@code date}: of their types, and the tick's own when the trigger key names one. */
  private static void scheduleBuiltIns(PipelineDefinition pipeline, String triggerKey, Map<String, String> params,
      Set<String> errors) {
    if (pipeline.schedule() == null) {
      return; // not built-ins of this pipeline: declared ones, checked as declared
    }
    Map<String, ParamType> types = Map.of(SCHEDULED_TIME, ParamType.TIMESTAMP, DATE, ParamType.DATE);
    for (Map.Entry<String, ParamType> builtIn : new TreeMap<>(types).entrySet()) {
      String value = params.get(builtIn.getKey());
      if (value == null) {
        continue;
      }
      try {
        builtIn.getValue().parse(value);
      } catch (IllegalArgumentException e) {
        errors.add(builtIn.getKey() + ": " + e.getMessage());
        params.remove(builtIn.getKey());
      }
    }
    Optional<java.time.Instant> tick = ScheduleTrigger.tickOf(triggerKey);
    if (tick.isEmpty()) {
      return;
    }
    Map<String, String> derived = new LinkedHashMap<>();
    derived.put(DATE, pipeline.schedule().date(tick.get()).toString());
    derived.put(SCHEDULED_TIME, java.time.format.DateTimeFormatter.ISO_INSTANT.format(tick.get()));
    derived.forEach((name, expected) -> {
      String value = params.get(name);
      if (value != null && !value.equals(expected)) {
        errors.add(name + ": is the scheduled tick's, '" + expected + "' (got '" + value + "')");
      }
      params.put(name, expected);
    });
  }

  private static Optional<String> textProblem(String value) {
    if (value.length() > MAX_VALUE_CHARS) {
      return Optional.of("longer than " + MAX_VALUE_CHARS + " characters (" + value.length() + ")");
    }
    for (int i = 0; i < value.length(); i++) {
      if (Character.isISOControl(value.charAt(i))) {
        return Optional.of("contains a control character (U+" + String.format("%04X", (int) value.charAt(i)) + ")");
      }
    }
    return Optional.empty();
  }
}
