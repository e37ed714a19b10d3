package dev.baton.control.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PipelineVersionsTest {
  private static final String YAML = """
      name: p
      trigger: {type: objects, bucket: landing, prefix: in/, requiredFiles: [a.csv, b.csv, c.csv]}
      alerts: {slaMs: 60000, webhook: {url: "https://hooks.example.com/x", headers: {Authorization: "Bearer one"}}}
      stages:
        - {name: a, type: noop, options: {durationMs: 5, maxDurationMs: 10}}
        - {name: b, type: noop, dependsOn: [a], timeoutMs: 1000}
      """;

  @Test
  void theHashIsTwelveHexDigitsOfTheDefinitionInAnyOrderOfKeysAndFiles() {
    PipelineDefinition pipeline = PipelineParser.parse("p", YAML);
    PipelineDefinition reordered = PipelineParser.parse("p", YAML
        .replace("[a.csv, b.csv, c.csv]", "[c.csv, a.csv, b.csv]")
        .replace("{durationMs: 5, maxDurationMs: 10}", "{maxDurationMs: 10, durationMs: 5}"));

    assertThat(PipelineVersions.hash(pipeline)).matches("[0-9a-f]{12}").isEqualTo(PipelineVersions.hash(reordered));
    // a fixed value: the hash must not depend on the JVM (Set iteration order, say)
    assertThat(PipelineVersions.hash(pipeline)).isEqualTo("5b5f6dca9453");
  }

  @Test
  void anEditOfAStageTheTriggerOrTheSlaChangesTheHashAnEditOfTheWebhookDoesNot() {
    String hash = PipelineVersions.hash(PipelineParser.parse("p", YAML));

    assertThat(PipelineVersions.hash(PipelineParser.parse("p", YAML.replace("durationMs: 5,", "durationMs: 6,"))))
        .isNotEqualTo(hash);
    assertThat(PipelineVersions.hash(PipelineParser.parse("p", YAML.replace("timeoutMs: 1000", "timeoutMs: 2000"))))
        .isNotEqualTo(hash);
    assertThat(PipelineVersions.hash(PipelineParser.parse("p", YAML.replace(", c.csv]", "]")))).isNotEqualTo(hash);
    assertThat(PipelineVersions.hash(PipelineParser.parse("p", YAML.replace("slaMs: 60000", "slaMs: 60001"))))
        .isNotEqualTo(hash);
    assertThat(PipelineVersions.hash(PipelineParser.parse("p", YAML.replace("Bearer one", "Bearer two")))).isEqualTo(hash);
  }

  @Test
  void whatARunKeepsHasNoWebhook() {
    PipelineDefinition pipeline = PipelineParser.parse("p", YAML);

    PipelineDefinition kept = PipelineVersions.forRun(pipeline);

    assertThat(kept.webhook()).isNull();
    assertThat(kept).isEqualTo(new PipelineDefinition(pipeline.name(), pipeline.description(), pipeline.trigger(),
        pipeline.stages(), pipeline.slaMs(), null, pipeline.params()));
  }
}
