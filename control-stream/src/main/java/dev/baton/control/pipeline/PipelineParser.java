package dev.baton.control.pipeline;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.baton.stages.StageTypes;
import dev.baton.stages.runner.StageParameters;
import dev.baton.stages.spi.InvalidStageOptionsException;
import dev.baton.stages.spi.ParamType;
import dev.baton.stages.spi.Stage;
import dev.baton.stages.spi.StageOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Parses pipeline YAML ({@code pipelines/*.yaml}) with Jackson into a {@link PipelineDefinition}
 * and validates it, reporting every problem with the path of the offending field.
 *
 * <pre>{@code
 * name: tpch-12
 * trigger: {type: objects, bucket: landing, prefix: tpch/, requiredFiles: [region.tbl, ...]}
 *   # or {type: schedule, cron: "0 2 * * *", timeZone: Europe/Berlin, catchUp: latest, start: 2026-12-01}
 *   # or {type: pipeline, pipeline: daily-orders, params: {asOf: date}}  # when a daily-orders run SUCCEEDED
 *   # or {type: tables, tables: [curated.orders, curated.customers], mode: all, debounceMs: 30000}
 * stages:
 *   - name: ingest_region
 *     type: ingest
 *     dependsOn: []
 *     options: {...}      # type-specific, see the stage type's options record
 * params:              # run parameters a request may set, besides the built-ins (RunParameters)
 *   - {name: asOf, type: date, required: true}
 *   - {name: region, type: string, pattern: "[A-Z]{2,8}", default: EMEA, description: sales region}
 * defaults: {retry: {maxAttempts: 3, initialBackoffMs: 1000, maxBackoffMs: 60000}, timeoutMs: 3600000,
 *            launcher: k8s}  # a launcher profile of the configuration (launchers.k8s.*); a stage may override it
 * maxActiveRuns: 2    # at most 2 runs RUNNING at once; more triggers wait QUEUED and start oldest first
 * priority: 10        # attempts waiting for a slot of a pool (controller.max-concurrent-attempts.*): higher first
 * alerts:
 *   slaMs: 7200000      # SLA_MISSED alert when a run is still unfinished 2 h after it started
 *   webhook: {url: https://hooks.example.com/baton, headers: {Authorization: Bearer x}, maxAttempts: 5}
 * }</pre>
 *
 * <p>Run parameters reach stages two ways, both checked here: SQL options ({@code sql.query},
 * {@code quality.filter}) use named parameter markers ({@code WHERE batch_id = :batch}), bound as
 * typed literals, and refuse {@code ${...}}; other options may hold {@code ${name}} placeholders
 * (an ingest's {@code path}), substituted with validated values. Either way the name must be
 * declared in {@code params:} or built-in.
 */
public final class PipelineParser {

  private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9_-]{0,63}");
  private static final Pattern PARAM_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,63}");
  private static final List<String> PARAM_FIELDS = List.of("default", "description", "name", "pattern", "required", "type");
  /**
   * Attempt timeout when neither the stage nor the defaults set one: 6 h. Never "no limit": an
   * attempt that hangs, or ended without a completion reaching Kafka, is only recovered through its
   * timeout (LOST, then retry); one that died with its controller is reported LOST by the restarted
   * controller at once ({@code Launcher#reconcile}).
   */
  public static final long DEFAULT_TIMEOUT_MS = 6L * 60 * 60 * 1000;
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  private PipelineParser() {}

  /**
   * Parses and validates a pipeline file.
   *
   * @throws PipelineValidationException listing every problem, {@code <path>: <reason>}
   * @throws UncheckedIOException if the file cannot be read
   */
  public static PipelineDefinition parse(Path file) {
    try {
      return parse(file.toString(), Files.readString(file));
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read pipeline " + file, e);
    }
  }

  /**
   * Parses and validates pipeline YAML text.
   *
   * @param source where the text came from, for messages
   * @throws PipelineValidationException listing every problem, {@code <path>: <reason>}
   */
  @SuppressWarnings("unchecked")
  public static PipelineDefinition parse(String source, String yaml) {
    Map<String, Object> tree;
    try {
      tree = YAML.readValue(yaml, Map.class);
    } catch (JsonProcessingException e) {
      String where = e.getLocation() == null ? "" : "line " + e.getLocation().getLineNr() + ": ";
      throw new PipelineValidationException(source, List.of(where + "not valid YAML: " + e.getOriginalMessage()));
    }
    if (tree == null) {
      throw new PipelineValidationException(source, List.of("(root): empty document"));
    }
    PipelineSpec spec;
    try {
      spec = StageOptions.bind(tree, PipelineSpec.class);
    } catch (InvalidStageOptionsException e) {
      throw new PipelineValidationException(source, List.of(e.getMessage()));
    }
    List<String> errors = new ArrayList<>();
    if (spec.name() == null || !NAME.matcher(spec.name()).matches()) {
      errors.add("name: expected lower-case letters, digits, '_' or '-' (got '" + spec.name() + "')");
    }
    ObjectTrigger trigger = null;
    ScheduleTrigger schedule = null;
    PipelineTrigger pipelineTrigger = null;
    TablesTrigger tablesTrigger = null;
    String triggerType = spec.trigger() == null ? null : spec.trigger().type();
    if ("schedule".equals(triggerType)) {
      schedule = schedule(spec.trigger(), errors);
    } else if ("tables".equals(triggerType)) {
      tablesTrigger = tables(spec.trigger(), errors);
    } else if ("pipeline".equals(triggerType)) {
      pipelineTrigger = upstream(spec.trigger(), errors);
    } else {
      trigger = trigger(spec.trigger(), errors);
    }
    List<ParamDefinition> params = params(spec.params(), RunParameters.builtIn("schedule".equals(triggerType)),
        trigger != null ? "an object trigger start from files"
        : "schedule".equals(triggerType) ? "a schedule trigger start from ticks"
        : "tables".equals(triggerType) ? "a tables trigger start from table updates" : null, errors);
    Map<String, ParamType> paramTypes = new LinkedHashMap<>();
    List<String> builtIn = RunParameters.builtIn("schedule".equals(triggerType)); // also when the schedule is invalid
    RunParameters.BUILT_IN.forEach(name -> paramTypes.put(name, ParamType.STRING));
    if ("schedule".equals(triggerType)) {
      paramTypes.put(RunParameters.SCHEDULED_TIME, ParamType.TIMESTAMP);
      paramTypes.put(RunParameters.DATE, ParamType.DATE);
    }
    params.forEach(param -> paramTypes.put(param.name(), param.type()));
    List<StageSpec> stageSpecs = spec.stages() == null ? List.of() : spec.stages();
    if (stageSpecs.isEmpty()) {
      errors.add("stages: at least one stage is required");
    }
    Set<String> names = new HashSet<>();
    for (int i = 0; i < stageSpecs.size(); i++) {
      StageSpec stage = stageSpecs.get(i);
      if (stage.name() == null || !NAME.matcher(stage.name()).matches()) {
        errors.add("stages[" + i + "].name: expected lower-case letters, digits, '_' or '-' (got '" + stage.name() + "')");
      } else if (!names.add(stage.name())) {
        errors.add("stages[" + i + "].name: duplicate stage '" + stage.name() + "'");
      }
    }
    String defaultLauncher = spec.defaults() == null ? null : spec.defaults().launcher();
    checkLauncherName(defaultLauncher, "defaults.launcher", errors);
    List<StageDefinition> stages = new ArrayList<>();
    for (int i = 0; i < stageSpecs.size(); i++) {
      StageSpec stage = stageSpecs.get(i);
      List<String> dependsOn = stage.dependsOn() == null ? List.of() : stage.dependsOn();
      // parameter name -> option path, placeholders first (they are substituted before the stage is built)
      Map<String, String> references = new LinkedHashMap<>(
          StageParameters.placeholders(stage.options() == null ? Map.of() : stage.options()));
      for (int j = 0; j < dependsOn.size(); j++) {
        String upstream = dependsOn.get(j);
        if (!names.contains(upstream)) {
          errors.add("stages[" + i + "].dependsOn[" + j + "]: unknown stage '" + upstream + "'");
        } else if (upstream.equals(stage.name())) {
          errors.add("stages[" + i + "].dependsOn[" + j + "]: a stage cannot depend on itself");
        }
      }
      if (stage.type() == null) {
        errors.add("stages[" + i + "].type: is required (one of " + StageTypes.names() + ")");
      } else if (!StageTypes.names().contains(stage.type())) {
        errors.add("stages[" + i + "].type: unknown stage type '" + stage.type() + "' (expected one of " + StageTypes.names() + ")");
      } else {
        try {
          Stage created = StageTypes.create(stage.type(), stage.options() == null ? Map.of() : stage.options());
          references.putAll(created.parameters());
        } catch (InvalidStageOptionsException e) {
          errors.add("stages[" + i + "].options" + (e.path().isEmpty() ? "" : e.path().startsWith("[") ? e.path() : "." + e.path())
              + ": " + e.reason());
        }
      }
      Map<String, ParamType> stageParams = new LinkedHashMap<>();
      for (Map.Entry<String, String> reference : references.entrySet()) {
        ParamType type = paramTypes.get(reference.getKey());
        if (type == null) {
          errors.add("stages[" + i + "].options." + reference.getValue() + ": unknown parameter '" + reference.getKey()
              + "' (declared: " + (params.isEmpty() ? "none" : String.join(", ", params.stream().map(ParamDefinition::name).toList()))
              + "; built-in: " + String.join(", ", builtIn) + ")");
        } else {
          stageParams.put(reference.getKey(), type);
        }
      }
      RetryPolicy retry = retryPolicy(spec.defaults() == null ? null : spec.defaults().retry(), stage.retry(),
          "stages[" + i + "].retry", errors);
      Long timeoutMs = stage.timeoutMs() != null ? stage.timeoutMs()
          : spec.defaults() != null && spec.defaults().timeoutMs() != null ? spec.defaults().timeoutMs()
          : DEFAULT_TIMEOUT_MS;
      if (timeoutMs != null && timeoutMs < 1) {
        errors.add((stage.timeoutMs() != null ? "stages[" + i + "].timeoutMs" : "defaults.timeoutMs")
            + ": must be at least 1 (got " + timeoutMs + ")");
      }
      String launcher = stage.launcher() != null ? stage.launcher() : defaultLauncher;
      checkLauncherName(stage.launcher(), "stages[" + i + "].launcher", errors);
      if (stage.name() != null) {
        stages.add(new StageDefinition(stage.name(), String.valueOf(stage.type()), dependsOn,
            stage.options() == null ? Map.of() : (Map<String, Object>) deepCopy(stage.options()), retry, timeoutMs,
            stageParams, launcher));
      }
    }
    if (pipelineTrigger != null) {
      Set<String> known = new HashSet<>(builtIn);
      params.forEach(param -> known.add(param.name()));
      for (String name : pipelineTrigger.params().keySet()) {
        if (!known.contains(name)) {
          errors.add("trigger.params." + name + ": unknown parameter of this pipeline (declared: " + (params.isEmpty()
              ? "none" : String.join(", ", params.stream().map(ParamDefinition::name).toList())) + "; built-in: "
              + String.join(", ", builtIn) + ")");
        }
      }
    }
    if (errors.isEmpty()) {
      findCycle(stages).ifPresent(cycle -> errors.add("stages: dependency cycle " + String.join(" -> ", cycle)));
    }
    if (!errors.isEmpty()) {
      throw new PipelineValidationException(source, errors);
    }
    Long slaMs = spec.alerts() == null ? null : spec.alerts().slaMs();
    WebhookDefinition webhook = webhook(spec.alerts() == null ? null : spec.alerts().webhook(), errors);
    if (slaMs != null && slaMs < 1) {
      errors.add("alerts.slaMs: must be at least 1 (got " + slaMs + ")");
    }
    if (!errors.isEmpty()) {
      throw new PipelineValidationException(source, errors);
    }
    if (spec.maxActiveRuns() != null && spec.maxActiveRuns() < 1) {
      errors.add("maxActiveRuns: must be at least 1 (got " + spec.maxActiveRuns() + ")");
    }
    if (!errors.isEmpty()) {
      throw new PipelineValidationException(source, errors);
    }
    return new PipelineDefinition(spec.name(), spec.description(), trigger, stages, slaMs, webhook, params, schedule,
        pipelineTrigger, tablesTrigger, spec.maxActiveRuns(), spec.priority());
  }

  /**
   * A launcher profile name's syntax; whether the configuration defines it is checked by the controller
   * at start ({@code Launchers#check}), which knows the configuration.
   */
  private static void checkLauncherName(String launcher, String path, List<String> errors) {
    if (launcher != null && !NAME.matcher(launcher).matches()) {
      errors.add(path + ": expected a launcher profile name: lower-case letters, digits, '_' or '-' (got '" + launcher + "')");
    }
  }

  /**
   * {@code params:}: each declaration checked, its default included.
   *
   * @param builtIn the pipeline's built-in parameters, which cannot be declared
   * @param startedWithoutRequest why runs start without request parameters ("a schedule trigger start from
   *     ticks"), or null when they start only on request
   */
  private static List<ParamDefinition> params(List<Map<String, Object>> specs, List<String> builtIn,
      String startedWithoutRequest, List<String> errors) {
    List<ParamDefinition> params = new ArrayList<>();
    if (specs == null) {
      return params;
    }
    Set<String> names = new HashSet<>();
    for (int i = 0; i < specs.size(); i++) {
      String path = "params[" + i + "]";
      Map<String, Object> spec = specs.get(i) == null ? Map.of() : specs.get(i);
      int before = errors.size();
      for (String key : spec.keySet()) {
        if (!PARAM_FIELDS.contains(key)) {
          errors.add(path + "." + key + ": unknown field (known: " + String.join(", ", PARAM_FIELDS) + ")");
        }
      }
      Object name = spec.get("name");
      if (!(name instanceof String text) || !PARAM_NAME.matcher(text).matches()) {
        errors.add(path + ".name: expected an identifier: a letter or '_', then letters, digits or '_' (got '" + name + "')");
      } else if (builtIn.contains(text)) {
        errors.add(path + ".name: '" + text + "' is a built-in parameter (" + String.join(", ", builtIn)
            + ") and cannot be declared");
      } else if (!names.add(text)) {
        errors.add(path + ".name: duplicate parameter '" + text + "'");
      }
      Object typeName = spec.getOrDefault("type", ParamType.STRING.yamlName());
      ParamType type = ParamType.fromYamlName(String.valueOf(typeName)).orElse(null);
      if (type == null) {
        errors.add(path + ".type: unknown type '" + typeName + "' (expected one of " + ParamType.yamlNames() + ")");
      }
      Object pattern = spec.get("pattern");
      if (pattern != null) {
        try {
          Pattern.compile(String.valueOf(pattern));
        } catch (java.util.regex.PatternSyntaxException e) {
          errors.add(path + ".pattern: not a regular expression: " + e.getDescription() + " (got '" + pattern + "')");
        }
      }
      Object required = spec.getOrDefault("required", Boolean.FALSE);
      if (!(required instanceof Boolean)) {
        errors.add(path + ".required: expected true or false (got '" + required + "')");
      }
      Object defaultValue = spec.get("default");
      if (defaultValue instanceof Map || defaultValue instanceof List) {
        errors.add(path + ".default: expected a single value");
      } else if (defaultValue != null && Boolean.TRUE.equals(required)) {
        errors.add(path + ".default: a required parameter has no default (drop one of required and default)");
      }
      if (Boolean.TRUE.equals(required) && defaultValue == null && startedWithoutRequest != null) {
        errors.add(path + ".required: runs of a pipeline with " + startedWithoutRequest + ", without request"
            + " parameters; give it a default instead");
      }
      if (errors.size() > before) {
        continue;
      }
      ParamDefinition param = new ParamDefinition((String) name, type, pattern == null ? null : String.valueOf(pattern),
          (Boolean) required, defaultValue == null ? null : String.valueOf(defaultValue),
          spec.get("description") == null ? null : String.valueOf(spec.get("description")));
      if (param.defaultValue() != null) {
        param.check(param.defaultValue()).ifPresent(problem -> errors.add(path + ".default: " + problem));
      }
      params.add(param);
    }
    return params;
  }

  private static WebhookDefinition webhook(WebhookSpec spec, List<String> errors) {
    if (spec == null) {
      return null;
    }
    if (spec.url() == null || spec.url().isBlank()) {
      errors.add("alerts.webhook.url: is required");
      return null;
    }
    try {
      java.net.URI uri = new java.net.URI(spec.url());
      if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme()) || uri.getHost() == null) {
        errors.add("alerts.webhook.url: expected an http or https URL (got '" + spec.url() + "')");
        return null;
      }
    } catch (java.net.URISyntaxException e) {
      errors.add("alerts.webhook.url: not a URL: " + e.getMessage());
      return null;
    }
    if (spec.headers() != null) {
      try {
        dev.baton.control.alert.AlertWebhook.validateHeaders(java.net.URI.create(spec.url()), spec.headers());
      } catch (IllegalArgumentException e) {
        errors.add("alerts.webhook.headers: " + e.getMessage().replace("Cannot configure alert webhook: ", ""));
        return null;
      }
    }
    int maxAttempts = spec.maxAttempts() == null ? 5 : spec.maxAttempts();
    if (maxAttempts < 1) {
      errors.add("alerts.webhook.maxAttempts: must be at least 1 (got " + maxAttempts + ")");
      return null;
    }
    return new WebhookDefinition(spec.url(), spec.headers(), maxAttempts);
  }

  /** The stage's retry policy: its own fields, else the defaults', else no retry. */
  private static RetryPolicy retryPolicy(RetrySpec defaults, RetrySpec stage, String stagePath, List<String> errors) {
    RetrySpec none = new RetrySpec(null, null, null, null);
    RetrySpec d = defaults == null ? none : defaults;
    RetrySpec s = stage == null ? none : stage;
    int maxAttempts = s.maxAttempts() != null ? s.maxAttempts()
        : d.maxAttempts() != null ? d.maxAttempts() : RetryPolicy.NONE.maxAttempts();
    long initial = s.initialBackoffMs() != null ? s.initialBackoffMs()
        : d.initialBackoffMs() != null ? d.initialBackoffMs() : RetryPolicy.NONE.initialBackoffMs();
    long max = s.maxBackoffMs() != null ? s.maxBackoffMs()
        : d.maxBackoffMs() != null ? d.maxBackoffMs() : Math.max(initial, RetryPolicy.NONE.maxBackoffMs());
    List<String> retryable = s.retryableErrors() != null ? s.retryableErrors()
        : d.retryableErrors() != null ? d.retryableErrors() : RetryPolicy.NONE.retryableErrors();
    String where = s.maxAttempts() != null || s.initialBackoffMs() != null || s.maxBackoffMs() != null
        ? stagePath : "defaults.retry";
    if (maxAttempts < 1) {
      errors.add(where + ".maxAttempts: must be at least 1 (got " + maxAttempts + ")");
      return RetryPolicy.NONE;
    }
    if (initial < 0) {
      errors.add(where + ".initialBackoffMs: must not be negative (got " + initial + ")");
      return RetryPolicy.NONE;
    }
    if (max < initial) {
      errors.add(where + ".maxBackoffMs: must be at least initialBackoffMs " + initial + " (got " + max + ")");
      return RetryPolicy.NONE;
    }
    return new RetryPolicy(maxAttempts, initial, max, retryable);
  }

  private static ObjectTrigger trigger(TriggerSpec spec, List<String> errors) {
    if (spec == null) {
      return null;
    }
    if (!"objects".equals(spec.type())) {
      errors.add("trigger.type: unknown trigger type '" + spec.type() + "' (expected objects, schedule, pipeline or tables)");
      return null;
    }
    refuseFieldsNotOf("objects", spec, errors);
    if (spec.bucket() == null || spec.bucket().isBlank()) {
      errors.add("trigger.bucket: is required");
    }
    if (spec.prefix() != null && !spec.prefix().isEmpty() && !spec.prefix().endsWith("/")) {
      errors.add("trigger.prefix: must end with '/' (got '" + spec.prefix() + "')");
    } else if (spec.prefix() != null) {
      StageParameters.unsafeForSubstitution(spec.prefix())
          .ifPresent(problem -> errors.add("trigger.prefix: '" + spec.prefix() + "' " + problem));
    }
    if (spec.requiredFiles() == null || spec.requiredFiles().isEmpty()) {
      errors.add("trigger.requiredFiles: at least one file is required");
      return null;
    }
    return spec.bucket() == null ? null : new ObjectTrigger(spec.bucket(), spec.prefix(), new LinkedHashSet<>(spec.requiredFiles()));
  }

  /** The constant {@code text} names (any case), null when absent; an error at {@code path} when it names none. */
  private static <E extends Enum<E>> E enumValue(Class<E> type, String text, String path, String expected,
      List<String> errors) {
    if (text == null) {
      return null;
    }
    for (E value : type.getEnumConstants()) {
      if (value.name().equalsIgnoreCase(text)) {
        return value;
      }
    }
    errors.add(path + ": expected " + expected + " (got '" + text + "')");
    return null;
  }

  /** The fields of the other trigger types, those a trigger of type {@code type} must not have, by name. */
  private static Map<String, Object> fieldsNotOf(String type, TriggerSpec spec) {
    Map<String, Object> fields = new java.util.TreeMap<>();
    if (!type.equals("objects")) {
      fields.put("bucket", spec.bucket());
      fields.put("prefix", spec.prefix());
      fields.put("requiredFiles", spec.requiredFiles());
    }
    if (!type.equals("schedule")) {
      fields.put("cron", spec.cron());
      fields.put("timeZone", spec.timeZone());
      fields.put("catchUp", spec.catchUp());
      fields.put("start", spec.start());
    }
    if (!type.equals("pipeline")) {
      fields.put("pipeline", spec.pipeline());
      fields.put("params", spec.params());
    }
    if (!type.equals("tables")) {
      fields.put("tables", spec.tables());
      fields.put("mode", spec.mode());
      fields.put("debounceMs", spec.debounceMs());
    }
    return fields;
  }

  private static void refuseFieldsNotOf(String type, TriggerSpec spec, List<String> errors) {
    fieldsNotOf(type, spec).forEach((name, value) -> {
      if (value != null) {
        errors.add("trigger." + name + ": a trigger of type " + type + " has no " + name);
      }
    });
  }

  private static final Pattern TABLE_NAME = Pattern.compile("[A-Za-z0-9_]+\\.[A-Za-z0-9_]+");

  /** {@code trigger: {type: tables, tables: [ns.t, ...], mode: any|all, debounceMs: N}}. */
  private static TablesTrigger tables(TriggerSpec spec, List<String> errors) {
    int before = errors.size();
    refuseFieldsNotOf("tables", spec, errors);
    List<String> tables = spec.tables() == null ? List.of() : spec.tables();
    if (tables.isEmpty()) {
      errors.add("trigger.tables: at least one table is required");
    }
    for (int i = 0; i < tables.size(); i++) {
      if (tables.get(i) == null || !TABLE_NAME.matcher(tables.get(i)).matches()) {
        errors.add("trigger.tables[" + i + "]: expected <namespace>.<table> (got '" + tables.get(i) + "')");
      }
    }
    TablesTrigger.Mode mode = enumValue(TablesTrigger.Mode.class, spec.mode(), "trigger.mode", "any or all", errors);
    if (spec.debounceMs() != null && spec.debounceMs() < 0) {
      errors.add("trigger.debounceMs: must not be negative (got " + spec.debounceMs() + ")");
    }
    return errors.size() > before ? null
        : new TablesTrigger(new java.util.TreeSet<>(tables), mode, spec.debounceMs() == null ? 0 : spec.debounceMs());
  }

  /** {@code trigger: {type: pipeline, pipeline: NAME, params: {...}}}: the upstream's name and the mapping's names. */
  private static PipelineTrigger upstream(TriggerSpec spec, List<String> errors) {
    int before = errors.size();
    refuseFieldsNotOf("pipeline", spec, errors);
    if (spec.pipeline() == null || !NAME.matcher(spec.pipeline()).matches()) {
      errors.add("trigger.pipeline: expected the upstream pipeline's name: lower-case letters, digits, '_' or '-' (got '"
          + spec.pipeline() + "')");
    }
    Map<String, String> params = spec.params() == null ? Map.of() : spec.params();
    params.forEach((name, upstreamName) -> {
      if (upstreamName == null || !PARAM_NAME.matcher(upstreamName).matches()) {
        errors.add("trigger.params." + name + ": expected the name of a parameter of the upstream run (got '"
            + upstreamName + "')");
      }
    });
    return errors.size() > before ? null : new PipelineTrigger(spec.pipeline(), params);
  }

  /** {@code trigger: {type: schedule, ...}}: the expression, zone, catch-up and start checked. */
  private static ScheduleTrigger schedule(TriggerSpec spec, List<String> errors) {
    int before = errors.size();
    refuseFieldsNotOf("schedule", spec, errors);
    ScheduleTrigger.cronProblem(spec.cron()).ifPresent(problem -> errors.add("trigger.cron: " + problem));
    java.time.ZoneId zone = java.time.ZoneId.of("UTC");
    if (spec.timeZone() != null) {
      try {
        zone = java.time.ZoneId.of(spec.timeZone());
      } catch (java.time.DateTimeException e) {
        errors.add("trigger.timeZone: expected an IANA time zone id such as Europe/Berlin or UTC (got '"
            + spec.timeZone() + "')");
      }
    }
    ScheduleTrigger.CatchUp catchUp = enumValue(ScheduleTrigger.CatchUp.class, spec.catchUp(), "trigger.catchUp",
        "none, all or latest", errors);
    Long startAtMs = null;
    if (spec.start() != null) {
      try {
        startAtMs = ScheduleTrigger.parseStart(spec.start(), zone);
      } catch (java.time.DateTimeException e) {
        errors.add("trigger.start: expected an ISO-8601 date (2026-12-01), local date-time (2026-12-01T02:00) or"
            + " instant (2026-12-01T01:00:00Z) (got '" + spec.start() + "')");
      }
    }
    if (errors.size() > before) {
      return null;
    }
    return new ScheduleTrigger(spec.cron().trim(), zone.getId(), catchUp, startAtMs);
  }

  /** A cycle as a list of stage names (first repeated at the end), if the DAG has one. */
  private static java.util.Optional<List<String>> findCycle(List<StageDefinition> stages) {
    Map<String, StageDefinition> byName = new HashMap<>();
    stages.forEach(stage -> byName.put(stage.name(), stage));
    Map<String, Integer> color = new HashMap<>(); // absent = unvisited, 1 = on stack, 2 = done
    for (StageDefinition stage : stages) {
      List<String> path = new ArrayList<>();
      if (visit(stage.name(), byName, color, path)) {
        return java.util.Optional.of(path);
      }
    }
    return java.util.Optional.empty();
  }

  private static boolean visit(String name, Map<String, StageDefinition> byName, Map<String, Integer> color, List<String> path) {
    Integer state = color.get(name);
    if (state != null && state == 2) {
      return false;
    }
    if (state != null && state == 1) {
      List<String> cycle = new ArrayList<>(path.subList(path.indexOf(name), path.size()));
      cycle.add(name);
      path.clear();
      path.addAll(cycle);
      return true;
    }
    color.put(name, 1);
    path.add(name);
    for (String upstream : byName.get(name).dependsOn()) {
      if (visit(upstream, byName, color, path)) {
        return true;
      }
    }
    path.remove(path.size() - 1);
    color.put(name, 2);
    return false;
  }

  /** Deep copy into serializable JDK collections (YAML trees may hold nulls, which Map.copyOf rejects). */
  private static Object deepCopy(Object value) {
    if (value instanceof Map<?, ?> map) {
      Map<String, Object> copy = new java.util.LinkedHashMap<>();
      map.forEach((k, v) -> copy.put(String.valueOf(k), deepCopy(v)));
      return java.util.Collections.unmodifiableMap(copy);
    }
    if (value instanceof List<?> list) {
      List<Object> copy = new ArrayList<>();
      list.forEach(item -> copy.add(deepCopy(item)));
      return java.util.Collections.unmodifiableList(copy);
    }
    return value;
  }

  /** The document as written, before validation. */
  record PipelineSpec(String name, String description, TriggerSpec trigger, DefaultsSpec defaults,
      List<StageSpec> stages, AlertsSpec alerts, List<Map<String, Object>> params, Integer maxActiveRuns,
      Integer priority) {}

  /** {@code alerts:} as written. */
  record AlertsSpec(Long slaMs, WebhookSpec webhook) {}

  /** {@code alerts.webhook:} as written. */
  record WebhookSpec(String url, Map<String, String> headers, Integer maxAttempts) {}

  /** {@code defaults:} as written: what stages inherit. */
  record DefaultsSpec(RetrySpec retry, Long timeoutMs, String launcher) {}

  /** {@code retry:} as written; absent fields are inherited. */
  record RetrySpec(Integer maxAttempts, Long initialBackoffMs, Long maxBackoffMs, List<String> retryableErrors) {}

  /** {@code trigger:} as written. */
  record TriggerSpec(String type, String bucket, String prefix, List<String> requiredFiles, String cron,
      String timeZone, String catchUp, String start, String pipeline, Map<String, String> params, List<String> tables,
      String mode, Long debounceMs) {}

  /** {@code stages[i]} as written. */
  record StageSpec(String name, String type, List<String> dependsOn, Map<String, Object> options, RetrySpec retry,
      Long timeoutMs, String launcher) {}
}
