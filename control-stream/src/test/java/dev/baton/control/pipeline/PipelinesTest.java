package dev.baton.control.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class PipelinesTest {

  private static PipelineDefinition triggeredBy(String name, String upstream, String params) {
    return PipelineParser.parse(name, """
        name: %s
        trigger: {type: pipeline, pipeline: %s, params: %s}
        params: [{name: p, default: x}]
        stages:
          - {name: s, type: noop}
        """.formatted(name, upstream, params));
  }

  private static PipelineDefinition plain(String name) {
    return PipelineParser.parse(name, """
        name: %s
        params: [{name: region, default: EMEA}]
        stages:
          - {name: s, type: noop}
        """.formatted(name));
  }

  @Test
  void pipelineTriggersNameDefinedPipelinesAndTheirParameters() {
    Pipelines pipelines = Pipelines.of(List.of(plain("a"), triggeredBy("b", "a", "{p: region}"),
        triggeredBy("c", "a", "{}"), triggeredBy("d", "b", "{p: p}")));
    assertThat(pipelines.triggeredBy("a")).extracting(PipelineDefinition::name).containsExactly("b", "c");
    assertThat(pipelines.triggeredBy("b")).extracting(PipelineDefinition::name).containsExactly("d");
    assertThat(pipelines.triggeredBy("d")).isEmpty();

    assertThatThrownBy(() -> Pipelines.of(List.of(plain("a"), triggeredBy("b", "nope", "{}"),
        triggeredBy("c", "a", "{p: regoin}"))))
        .isInstanceOfSatisfying(PipelineValidationException.class, e -> assertThat(e.errors()).containsExactly(
            "b: trigger.pipeline: unknown pipeline 'nope' (defined: a, b, c)",
            "c: trigger.params.p: pipeline 'a' has no parameter 'regoin' (it has: batch, bucket, batchPrefix, triggerKey,"
                + " region)"));
  }

  @Test
  void aCycleOfPipelineTriggersIsRefusedNamingTheCycle() {
    assertThatThrownBy(() -> Pipelines.of(List.of(triggeredBy("a", "c", "{}"), triggeredBy("b", "a", "{}"),
        triggeredBy("c", "b", "{}"), triggeredBy("d", "c", "{}"))))
        .isInstanceOfSatisfying(PipelineValidationException.class, e -> assertThat(e.errors()).containsExactly(
            "a: trigger: a cycle of triggers, each pipeline started by runs of the next one (its success or the tables it writes): a -> c -> b -> a",
            "b: trigger: a cycle of triggers, each pipeline started by runs of the next one (its success or the tables it writes): b -> a -> c -> b",
            "c: trigger: a cycle of triggers, each pipeline started by runs of the next one (its success or the tables it writes): c -> b -> a -> c"));
    assertThatThrownBy(() -> Pipelines.of(List.of(triggeredBy("self", "self", "{}"))))
        .isInstanceOfSatisfying(PipelineValidationException.class, e -> assertThat(e.errors()).containsExactly(
            "self: trigger: a cycle of triggers, each pipeline started by runs of the next one (its success or the tables it writes): self -> self"));
  }

  @Test
  void aCycleThroughTheTablesAPipelineWritesIsRefusedAndItsOwnTablesAreNoCycle() {
    PipelineDefinition orders = PipelineParser.parse("orders", """
        name: orders
        trigger: {type: pipeline, pipeline: report}
        stages:
          - {name: load, type: sql, options: {query: "select 1 as x", table: curated.orders}}
        """);
    PipelineDefinition report = PipelineParser.parse("report", """
        name: report
        trigger: {type: tables, tables: [curated.orders, curated.report]}
        stages:
          - {name: r, type: sql, options: {query: "select 1 as x", table: curated.report}}
        """);
    assertThatThrownBy(() -> Pipelines.of(List.of(orders, report)))
        .isInstanceOfSatisfying(PipelineValidationException.class, e -> assertThat(e.errors()).containsExactly(
            "orders: trigger: a cycle of triggers, each pipeline started by runs of the next one (its success or the"
                + " tables it writes): orders -> report -> orders",
            "report: trigger: a cycle of triggers, each pipeline started by runs of the next one (its success or the"
                + " tables it writes): report -> orders -> report"));
    Pipelines alone = Pipelines.of(List.of(report, plain("other")));
    assertThat(alone.watching("curated.report", "report")).isEmpty();
    assertThat(alone.watching("curated.report", "other")).extracting(PipelineDefinition::name).containsExactly("report");
  }
}
