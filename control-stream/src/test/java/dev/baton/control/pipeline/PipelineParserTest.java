package dev.baton.control.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import dev.baton.stages.spi.ParamType;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PipelineParserTest {

  private static final String VALID = """
      name: two-step
      trigger: {type: objects, bucket: landing, prefix: in/, requiredFiles: [a.csv]}
      stages:
        - name: ingest_a
          type: ingest
          options:
            path: s3://${bucket}/${batchPrefix}a.csv
            table: raw.a
            schema: [{name: id, type: bigint}]
        - name: report
          type: sql
          dependsOn: [ingest_a]
          options: {query: "SELECT * FROM raw.a", table: curated.report}
      """;

  @Test
  void parsesTheReferencePipeline() {
    PipelineDefinition pipeline = PipelineParser.parse(referencePipeline());

    assertThat(pipeline.name()).isEqualTo("tpch-12");
    assertThat(pipeline.stages()).hasSize(13);
    assertThat(pipeline.stages().stream().filter(s -> s.type().equals("ingest")).count()).isEqualTo(8);
    assertThat(pipeline.stage("export_pricing_summary").orElseThrow().dependsOn()).containsExactly("pricing_summary");
    assertThat(pipeline.stage("enrich_lineitem").orElseThrow().dependsOn()).hasSize(8);
    assertThat(pipeline.trigger().requiredFiles()).hasSize(8).contains("lineitem.tbl");
  }

  @Test
  void parsesAValidPipeline() {
    PipelineDefinition pipeline = PipelineParser.parse("test", VALID);

    assertThat(pipeline.stages()).extracting(StageDefinition::name).containsExactly("ingest_a", "report");
    assertThat(pipeline.stage("report").orElseThrow().dependsOn()).containsExactly("ingest_a");
  }

  @Test
  void unknownUpstreamIsReportedWithItsPath() {
    String yaml = VALID.replace("dependsOn: [ingest_a]", "dependsOn: [ingest_a, orders]");

    assertThatThrownBy(() -> PipelineParser.parse("test", yaml))
        .isInstanceOfSatisfying(PipelineValidationException.class, e ->
            assertThat(e.errors()).containsExactly("stages[1].dependsOn[1]: unknown stage 'orders'"));
  }

  @Test
  void badAlertSettingsAreReportedWithTheirPath() {
    String yaml = VALID.replace("name: two-step", "name: two-step\nalerts: {slaMs: 0, webhook: {url: \"ftp://x/y\", maxAttempts: 0}}");

    assertThatThrownBy(() -> PipelineParser.parse("test", yaml))
        .isInstanceOfSatisfying(PipelineValidationException.class, e ->
            assertThat(e.errors()).containsExactly("alerts.webhook.url: expected an http or https URL (got 'ftp://x/y')",
                "alerts.slaMs: must be at least 1 (got 0)"));
    String contentType = VALID.replace("name: two-step",
        "name: two-step\nalerts: {webhook: {url: \"http://hooks.local/x\", headers: {Content-Type: text/plain}}}");
    assertThatThrownBy(() -> PipelineParser.parse("test", contentType))
        .isInstanceOfSatisfying(PipelineValidationException.class, e ->
            assertThat(e.errors()).containsExactly("alerts.webhook.headers: header Content-Type is always application/json"));
    String missingUrl = VALID.replace("name: two-step", "name: two-step\nalerts: {webhook: {maxAttempts: 2}}");
    assertThatThrownBy(() -> PipelineParser.parse("test", missingUrl))
        .isInstanceOfSatisfying(PipelineValidationException.class, e ->
            assertThat(e.errors()).containsExactly("alerts.webhook.url: is required"));
  }

  @Test
  void cyclesAreRejected() {
    String yaml = VALID.replace("    type: ingest\n", "    type: ingest\n    dependsOn: [report]\n");

    assertThatThrownBy(() -> PipelineParser.parse("test", yaml))
        .isInstanceOfSatisfying(PipelineValidationException.class, e ->
            assertThat(e.errors()).containsExactly("stages: dependency cycle ingest_a -> report -> ingest_a"));
  }

  @Test
  void unknownKeysAreRejectedWithTheirPath() {
    String topLevel = VALID.replace("name: two-step", "name: two-step\nowner: me");
    assertThatThrownBy(() -> PipelineParser.parse("test", topLevel))
        .isInstanceOfSatisfying(PipelineValidationException.class, e ->
            assertThat(e.errors()).singleElement().asString().startsWith("owner: unknown field (known: alerts, defaults, description, maxActiveRuns, name, params, priority, stages, trigger)"));

    String inOptions = VALID.replace("schema: [{name: id, type: bigint}]", "schema: [{name: id, typ: bigint}]");
    assertThatThrownBy(() -> PipelineParser.parse("test", inOptions))
        .isInstanceOfSatisfying(PipelineValidationException.class, e ->
            assertThat(e.errors()).containsExactly("stages[0].options.schema[0].typ: unknown field (known: name, type)"));
  }

  @Test
  void maxActiveRunsIsAPositiveLimit() {
    assertThat(PipelineParser.parse("test", VALID.replace("name: two-step", "name: two-step\nmaxActiveRuns: 2"))
        .maxActiveRuns()).isEqualTo(2);
    assertThat(PipelineParser.parse("test", VALID).maxActiveRuns()).isNull();
    assertThatThrownBy(() -> PipelineParser.parse("test", VALID.replace("name: two-step", "name: two-step\nmaxActiveRuns: 0")))
        .isInstanceOfSatisfying(PipelineValidationException.class, e ->
            assertThat(e.errors()).containsExactly("maxActiveRuns: must be at least 1 (got 0)"));
  }

  @Test
  void everyProblemIsReportedAtOnce() {
    String yaml = """
        name: Bad Name
        stages:
          - {name: a, type: ingest, options: {path: x, table: nodot, schema: [{name: id, type: bigint}]}}
          - {name: a, type: spark-magic}
          - {name: b, type: sql, options: {query: "select 1", table: t.x, mode: upsert}}
          - {name: c, type: quality, options: {table: t.x, rules: [{type: value-range, column: v, min: 1, max: 2}, {type: unique}]}}
          - {name: d, type: ingest, options: {path: p, table: t.d, schema: [{name: id, type: "decimal(x)"}]}}
        """;

    assertThatThrownBy(() -> PipelineParser.parse("bad.yaml", yaml))
        .isInstanceOfSatisfying(PipelineValidationException.class, e -> assertThat(e.errors()).containsExactly(
            "name: expected lower-case letters, digits, '_' or '-' (got 'Bad Name')",
            "stages[1].name: duplicate stage 'a'",
            "stages[0].options.table: expected <namespace>.<table>, got 'nodot'",
            "stages[1].type: unknown stage type 'spark-magic' (expected one of [cdc-merge, export, external, ingest, maintenance, noop, quality, spark-app, sql])",
            "stages[2].options.mode: unknown mode 'upsert' (expected overwrite, append or overwrite-partitions)",
            "stages[3].options.rules[1].columns: is required for unique",
            "stages[4].options.schema[0].type: unknown type 'decimal(x)'"))
        .hasMessageStartingWith("Invalid pipeline bad.yaml:\n  name: ");
  }

  @Test
  void theLauncherIsInheritedFromDefaultsAndOverriddenPerStage() {
    assertThat(PipelineParser.parse("test", VALID).stages()).extracting(StageDefinition::launcher).containsOnlyNulls();

    PipelineDefinition pipeline = PipelineParser.parse("test", VALID.replace("stages:\n", "defaults: {launcher: k8s}\nstages:\n")
        .replace("    dependsOn: [ingest_a]\n", "    dependsOn: [ingest_a]\n    launcher: in-process\n"));

    assertThat(pipeline.stage("ingest_a").orElseThrow().launcher()).isEqualTo("k8s");
    assertThat(pipeline.stage("report").orElseThrow().launcher()).isEqualTo("in-process");
    assertThatThrownBy(() -> PipelineParser.parse("test", VALID.replace("stages:\n", "defaults: {launcher: K8S}\nstages:\n")
        .replace("    dependsOn: [ingest_a]\n", "    dependsOn: [ingest_a]\n    launcher: \"a b\"\n")))
        .isInstanceOfSatisfying(PipelineValidationException.class, e -> assertThat(e.errors()).containsExactly(
            "defaults.launcher: expected a launcher profile name: lower-case letters, digits, '_' or '-' (got 'K8S')",
            "stages[1].launcher: expected a launcher profile name: lower-case letters, digits, '_' or '-' (got 'a b')"));
  }

  @Test
  void retryAndTimeoutAreInheritedFromDefaultsAndOverriddenPerStage() {
    PipelineDefinition pipeline = PipelineParser.parse("test", VALID.replace("stages:\n",
        "defaults: {retry: {maxAttempts: 3, initialBackoffMs: 500}, timeoutMs: 60000}\nstages:\n")
        .replace("    dependsOn: [ingest_a]\n", "    dependsOn: [ingest_a]\n    retry: {maxAttempts: 1}\n    timeoutMs: 5000\n"));

    StageDefinition ingest = pipeline.stage("ingest_a").orElseThrow();
    assertThat(ingest.retry()).isEqualTo(new RetryPolicy(3, 500, 60_000, List.of("*")));
    assertThat(ingest.timeoutMs()).isEqualTo(60_000L);
    StageDefinition report = pipeline.stage("report").orElseThrow();
    assertThat(report.retry().maxAttempts()).isEqualTo(1);
    assertThat(report.retry().initialBackoffMs()).isEqualTo(500);
    assertThat(report.timeoutMs()).isEqualTo(5_000L);

    assertThat(PipelineParser.parse("test", VALID).stage("report").orElseThrow().retry()).isEqualTo(RetryPolicy.NONE);
    assertThatThrownBy(() -> PipelineParser.parse("test",
        VALID.replace("    dependsOn: [ingest_a]\n", "    dependsOn: [ingest_a]\n    retry: {maxAttempts: 0}\n")))
        .isInstanceOfSatisfying(PipelineValidationException.class, e ->
            assertThat(e.errors()).containsExactly("stages[1].retry.maxAttempts: must be at least 1 (got 0)"));
  }

  @Test
  void malformedYamlNamesTheLine() {
    assertThatThrownBy(() -> PipelineParser.parse("x.yaml", "name: a\nstages: [\n"))
        .isInstanceOfSatisfying(PipelineValidationException.class, e ->
            assertThat(e.errors()).singleElement().asString().matches("(?s)line \\d+: not valid YAML: .*"));
  }

  static Path referencePipeline() {
    Path here = Path.of("").toAbsolutePath();
    Path repo = here.getFileName().toString().equals("control-stream") ? here.getParent() : here;
    return repo.resolve("examples/pipelines/tpch-12.yaml");
  }

  @Test
  void triggerMatchesBatchFolders() {
    ObjectTrigger trigger = PipelineParser.parse("test", VALID).trigger();

    assertThat(trigger.match("landing", "in/b1/a.csv")).contains(new ObjectTrigger.BatchFile("b1", "a.csv"));
    assertThat(trigger.match("landing", "in/a.csv")).isEmpty();
    assertThat(trigger.match("other", "in/b1/a.csv")).isEmpty();
    assertThat(trigger.match("landing", "in/b1/")).isEmpty();
    assertThatThrownBy(() -> trigger.match("landing", "in/b'1/a.csv"))
        .hasMessageStartingWith("Invalid batch id 'b'1' in key in/b'1/a.csv");
    assertThat(List.of(trigger.triggerKey("b1"))).containsExactly("landing/in/b1/");
    // S3 keys may hold '..' as a folder name; Hadoop would resolve it out of the prefix
    assertThatThrownBy(() -> trigger.match("landing", "in/../a.csv")).hasMessageStartingWith("Invalid batch id '..'");
    assertThatThrownBy(() -> trigger.match("landing", "in/.hidden/a.csv")).hasMessageStartingWith("Invalid batch id '.hidden'");
  }

  private static final String WITH_PARAMS = """
      name: by-region
      params:
        - {name: region, type: string, pattern: "[A-Z]{2,8}", required: true, description: sales region}
        - {name: asOf, type: date, default: 2026-12-01}
        - {name: minAmount, type: long, default: 0}
      stages:
        - name: report
          type: sql
          options:
            table: curated.report
            query: "SELECT * FROM raw.sales WHERE region = :region AND day <= :asOf AND amount >= :minAmount AND batch_id = :batch"
        - name: gate
          type: quality
          dependsOn: [report]
          options: {table: curated.report, filter: "region = :region", rules: [{type: row-count, min: 1}]}
      """;

  @Test
  void declaredParametersAreParsedWithTheirTypesAndEachStageKnowsWhichItUses() {
    PipelineDefinition pipeline = PipelineParser.parse("test", WITH_PARAMS);

    assertThat(pipeline.params()).containsExactly(
        new ParamDefinition("region", ParamType.STRING, "[A-Z]{2,8}", true, null, "sales region"),
        new ParamDefinition("asOf", ParamType.DATE, null, false, "2026-12-01", null),
        new ParamDefinition("minAmount", ParamType.LONG, null, false, "0", null));
    assertThat(pipeline.stage("report").orElseThrow().params()).containsExactly(Map.entry("region", ParamType.STRING),
        Map.entry("asOf", ParamType.DATE), Map.entry("minAmount", ParamType.LONG), Map.entry("batch", ParamType.STRING));
    assertThat(pipeline.stage("gate").orElseThrow().params()).containsExactly(Map.entry("region", ParamType.STRING));
    PipelineDefinition reference = PipelineParser.parse(referencePipeline());
    assertThat(reference.stage("ingest_region").orElseThrow().params()).containsOnlyKeys("bucket", "batchPrefix", "batch");
    assertThat(reference.stage("quality_gate").orElseThrow().params()).containsOnlyKeys("batch");
  }

  @Test
  void textSubstitutionInSqlOptionsIsRefusedWithTheFieldPath() {
    String yaml = VALID.replace("\"SELECT * FROM raw.a\"", "\"SELECT * FROM raw.a WHERE batch_id = '${batch}'\"");

    assertThatThrownBy(() -> PipelineParser.parse("test", yaml))
        .isInstanceOfSatisfying(PipelineValidationException.class, e -> assertThat(e.errors()).containsExactly(
            "stages[1].options.query: text substitution '${batch}' is not allowed in SQL; use the named parameter"
                + " marker :batch (bound as a typed value, never spliced into the SQL text)"));
  }

  @Test
  void aReferenceToAnUndeclaredParameterIsReportedWithItsOption() {
    String yaml = WITH_PARAMS.replace("filter: \"region = :region\"", "filter: \"region = :regoin\"");
    String ingest = VALID.replace("path: s3://${bucket}/${batchPrefix}a.csv", "path: s3://${bucket}/${folder}/a.csv");

    assertThatThrownBy(() -> PipelineParser.parse("test", yaml))
        .isInstanceOfSatisfying(PipelineValidationException.class, e -> assertThat(e.errors()).containsExactly(
            "stages[1].options.filter: unknown parameter 'regoin' (declared: region, asOf, minAmount;"
                + " built-in: batch, bucket, batchPrefix, triggerKey)"));
    assertThatThrownBy(() -> PipelineParser.parse("test", ingest))
        .isInstanceOfSatisfying(PipelineValidationException.class, e -> assertThat(e.errors()).containsExactly(
            "stages[0].options.path: unknown parameter 'folder' (declared: none; built-in: batch, bucket, batchPrefix,"
                + " triggerKey)"));
  }

  @Test
  void badParameterDeclarationsAreReportedWithTheirPath() {
    String yaml = WITH_PARAMS.replace("""
          - {name: asOf, type: date, default: 2026-12-01}
          - {name: minAmount, type: long, default: 0}
        """, """
          - {name: asOf, type: date, default: 2026-13-01}
          - {name: minAmount, type: int}
          - {name: batch}
          - {name: "my-param"}
          - {name: code, pattern: "[A-Z", defualt: X}
          - {name: flag, type: boolean, required: true, default: false}
          - {name: region}
        """);

    assertThatThrownBy(() -> PipelineParser.parse("test", yaml))
        .isInstanceOfSatisfying(PipelineValidationException.class, e -> assertThat(e.errors()).containsExactly(
            "params[1].default: expected a date (yyyy-MM-dd), got '2026-13-01'",
            "params[2].type: unknown type 'int' (expected one of string, long, boolean, date, timestamp)",
            "params[3].name: 'batch' is a built-in parameter (batch, bucket, batchPrefix, triggerKey) and cannot be declared",
            "params[4].name: expected an identifier: a letter or '_', then letters, digits or '_' (got 'my-param')",
            "params[5].defualt: unknown field (known: default, description, name, pattern, required, type)",
            "params[5].pattern: not a regular expression: Unclosed character class (got '[A-Z')",
            "params[6].default: a required parameter has no default (drop one of required and default)",
            "params[7].name: duplicate parameter 'region'",
            "stages[0].options.query: unknown parameter 'minAmount' (declared: region, asOf; built-in: batch, bucket,"
                + " batchPrefix, triggerKey)"));
  }

  @Test
  void anObjectTriggeredPipelineCannotRequireAParameterWithoutADefault() {
    String yaml = VALID.replace("stages:", "params: [{name: region, required: true}]\nstages:");

    assertThatThrownBy(() -> PipelineParser.parse("test", yaml))
        .isInstanceOfSatisfying(PipelineValidationException.class, e -> assertThat(e.errors()).containsExactly(
            "params[0].required: runs of a pipeline with an object trigger start from files, without request parameters;"
                + " give it a default instead"));
  }

  @Test
  void aTriggerPrefixThatLeavesItsFolderIsRefused() {
    assertThatThrownBy(() -> PipelineParser.parse("test", VALID.replace("prefix: in/", "prefix: in/../")))
        .isInstanceOfSatisfying(PipelineValidationException.class, e -> assertThat(e.errors()).containsExactly(
            "trigger.prefix: 'in/../' has a '..' path segment"));
  }

  private static final String SCHEDULED = """
      name: nightly
      trigger: {type: schedule, cron: "0 2 * * *", timeZone: Europe/Berlin, catchUp: all, start: 2026-12-01}
      stages:
        - {name: load, type: sql, options: {query: "select * from raw.t where d = :date", table: curated.t}}
      """;

  @Test
  void aScheduleTriggerIsParsedWithItsZoneCatchUpAndStart() {
    PipelineDefinition pipeline = PipelineParser.parse("test", SCHEDULED);
    assertThat(pipeline.trigger()).isNull();
    assertThat(pipeline.schedule()).isEqualTo(new ScheduleTrigger("0 2 * * *", "Europe/Berlin",
        ScheduleTrigger.CatchUp.ALL, java.time.Instant.parse("2026-11-30T23:00:00Z").toEpochMilli()));
    // defaults: UTC, latest, no start
    assertThat(PipelineParser.parse("test", SCHEDULED.replace(", timeZone: Europe/Berlin, catchUp: all, start: 2026-12-01", ""))
        .schedule()).isEqualTo(new ScheduleTrigger("0 2 * * *", "UTC", ScheduleTrigger.CatchUp.LATEST, null));
  }

  @Test
  void aBadScheduleIsRefusedWithThePathOfEachOffendingField() {
    String bad = SCHEDULED.replace("cron: \"0 2 * * *\"", "cron: \"0 25 * * *\"").replace("Europe/Berlin", "Mars/Olympus")
        .replace("catchUp: all", "catchUp: some").replace("start: 2026-12-01", "start: soon, bucket: landing");
    assertThatThrownBy(() -> PipelineParser.parse("test", bad))
        .isInstanceOfSatisfying(PipelineValidationException.class, e -> assertThat(e.errors()).satisfiesExactly(
            error -> assertThat(error).isEqualTo("trigger.bucket: a trigger of type schedule has no bucket"),
            error -> assertThat(error).startsWith("trigger.cron: '0 25 * * *' is not a valid Unix cron expression: "),
            error -> assertThat(error).isEqualTo("trigger.timeZone: expected an IANA time zone id such as Europe/Berlin or UTC"
                + " (got 'Mars/Olympus')"),
            error -> assertThat(error).isEqualTo("trigger.catchUp: expected none, all or latest (got 'some')"),
            error -> assertThat(error).startsWith("trigger.start: expected an ISO-8601 date")));
    assertThatThrownBy(() -> PipelineParser.parse("test", VALID.replace("requiredFiles: [a.csv]", "requiredFiles: [a.csv], cron: \"0 2 * * *\"")))
        .isInstanceOfSatisfying(PipelineValidationException.class, e -> assertThat(e.errors()).containsExactly(
            "trigger.cron: a trigger of type objects has no cron"));
    assertThatThrownBy(() -> PipelineParser.parse("test", SCHEDULED.replace("stages:", "params: [{name: region, required: true}]\nstages:")))
        .isInstanceOfSatisfying(PipelineValidationException.class, e -> assertThat(e.errors()).containsExactly(
            "params[0].required: runs of a pipeline with a schedule trigger start from ticks, without request parameters;"
                + " give it a default instead"));
  }

  @Test
  void aPipelineTriggerNamesItsUpstreamAndMapsParametersThisPipelineHas() {
    String yaml = """
        name: report
        trigger: {type: pipeline, pipeline: orders, params: {area: region, day: date}}
        params: [{name: area, default: WORLD}, {name: day, type: date, default: "2026-01-01"}]
        stages:
          - {name: r, type: noop}
        """;
    assertThat(PipelineParser.parse("test", yaml).upstream())
        .isEqualTo(new PipelineTrigger("orders", Map.of("area", "region", "day", "date")));
    assertThatThrownBy(() -> PipelineParser.parse("test", yaml.replace("area: region", "zone: region")
        .replace("pipeline: orders", "pipeline: Orders!, cron: \"* * * * *\"")))
        .isInstanceOfSatisfying(PipelineValidationException.class, e -> assertThat(e.errors()).containsExactly(
            "trigger.cron: a trigger of type pipeline has no cron",
            "trigger.pipeline: expected the upstream pipeline's name: lower-case letters, digits, '_' or '-' (got 'Orders!')"));
    assertThatThrownBy(() -> PipelineParser.parse("test", yaml.replace("area: region", "zone: region")))
        .isInstanceOfSatisfying(PipelineValidationException.class, e -> assertThat(e.errors()).containsExactly(
            "trigger.params.zone: unknown parameter of this pipeline (declared: area, day; built-in: batch, bucket, batchPrefix,"
                + " triggerKey)"));
  }

  @Test
  void scheduledTimeAndDateAreBuiltInOnlyForScheduledPipelines() {
    String declaresDate = """
        name: daily
        params: [{name: date, type: date, default: "2026-12-01"}]
        stages:
          - {name: load, type: sql, options: {query: "select * from raw.t where d = :date", table: curated.t}}
        """;
    assertThat(PipelineParser.parse("test", declaresDate).params()).extracting(ParamDefinition::name).containsExactly("date");
    assertThatThrownBy(() -> PipelineParser.parse("test", declaresDate.replace("params:", "trigger: {type: schedule, cron: \"0 2 * * *\"}\nparams:")))
        .isInstanceOfSatisfying(PipelineValidationException.class, e -> assertThat(e.errors()).containsExactly(
            "params[0].name: 'date' is a built-in parameter (batch, bucket, batchPrefix, triggerKey, scheduledTime, date)"
                + " and cannot be declared"));
    assertThatThrownBy(() -> PipelineParser.parse("test", declaresDate.replace("params: [{name: date, type: date, default: \"2026-12-01\"}]\n", "")))
        .isInstanceOfSatisfying(PipelineValidationException.class, e -> assertThat(e.errors()).containsExactly(
            "stages[0].options.query: unknown parameter 'date' (declared: none; built-in: batch, bucket, batchPrefix,"
                + " triggerKey)"));
  }
}
