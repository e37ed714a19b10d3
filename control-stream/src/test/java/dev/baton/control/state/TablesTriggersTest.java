package dev.baton.control.state;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.control.pipeline.PipelineDefinition;
import dev.baton.control.pipeline.PipelineParser;
import dev.baton.control.pipeline.TablesTrigger;
import dev.baton.schemas.RunIds;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class TablesTriggersTest {

  private static PipelineDefinition report(String mode, long debounceMs) {
    return PipelineParser.parse("test", """
        name: report
        trigger: {type: tables, tables: [curated.orders, curated.customers], mode: %s, debounceMs: %d}
        stages:
          - {name: r, type: noop}
        """.formatted(mode, debounceMs));
  }

  private static Input.TablesUpdated update(String table, long snapshot) {
    return new Input.TablesUpdated("e-" + table + "-" + snapshot, "report", table, snapshot, "orders", "run-1");
  }

  private static TablesTriggerState apply(PipelineDefinition pipeline, TablesTriggerState state, String table,
      long snapshot, long now) {
    TablesTriggers.Result result = TablesTriggers.apply(pipeline, state, update(table, snapshot), now);
    assertThat(result.ignored()).isNull();
    return result.state();
  }

  @Test
  void anyStartsARunPerUpdateAndTheRunIdNamesTheSnapshots() {
    PipelineDefinition any = report("any", 0);
    TablesTriggerState state = apply(any, TablesTriggerState.empty(), "curated.orders", 101, 1_000);
    TablesTriggers.Result fired = TablesTriggers.fireIfDue(any, state, 1_000);
    String triggerKey = TablesTrigger.triggerKey(new TreeMap<>(Map.of("curated.orders", 101L)));
    assertThat(fired.commands()).singleElement().isInstanceOfSatisfying(Command.RequestRun.class, request -> {
      assertThat(request.runId()).isEqualTo(RunIds.of("report", triggerKey));
      assertThat(request.pipeline()).isEqualTo("report");
      assertThat(request.triggerKey()).isEqualTo(triggerKey).startsWith("tables/").hasSize("tables/".length() + 16);
      assertThat(request.params()).isEmpty();
    });
    assertThat(fired.state().pending()).isEmpty();
    // the same snapshot reported again: nothing pending, nothing started
    TablesTriggers.Result again = TablesTriggers.apply(any, fired.state(), update("curated.orders", 101), 2_000);
    assertThat(again.ignored()).isEqualTo("duplicate");
    assertThat(TablesTriggers.fireIfDue(any, again.state(), 2_000).commands()).isEmpty();
    // a new snapshot: a new run
    TablesTriggerState next = apply(any, again.state(), "curated.orders", 102, 3_000);
    assertThat(TablesTriggers.fireIfDue(any, next, 3_000).commands()).singleElement()
        .satisfies(c -> assertThat(((Command.RequestRun) c).triggerKey()).isNotEqualTo(triggerKey));
    // a table it does not watch
    assertThat(TablesTriggers.apply(any, next, update("curated.other", 1), 3_000).ignored()).isEqualTo("stale");
  }

  @Test
  void allWaitsForEveryTableAndTheDebounceForTheLastUpdate() {
    PipelineDefinition all = report("all", 30_000);
    TablesTriggerState state = apply(all, TablesTriggerState.empty(), "curated.orders", 101, 1_000);
    assertThat(TablesTriggers.dueAtMs(all, state)).isNull(); // customers missing
    state = apply(all, state, "curated.orders", 102, 5_000); // a newer orders snapshot replaces the pending one
    state = apply(all, state, "curated.customers", 7, 10_000);
    assertThat(TablesTriggers.dueAtMs(all, state)).isEqualTo(40_000L);
    assertThat(TablesTriggers.fireIfDue(all, state, 39_999).commands()).isEmpty();
    TablesTriggers.Result fired = TablesTriggers.fireIfDue(all, state, 40_000);
    assertThat(fired.commands()).singleElement().satisfies(c -> assertThat(((Command.RequestRun) c).triggerKey())
        .isEqualTo(TablesTrigger.triggerKey(new TreeMap<>(Map.of("curated.orders", 102L, "curated.customers", 7L)))));
    // after the run, both tables must update again
    TablesTriggerState after = apply(all, fired.state(), "curated.customers", 8, 50_000);
    assertThat(TablesTriggers.dueAtMs(all, after)).isNull();
  }

  @Test
  void onlyTheLastRecentSnapshotIdsAreRemembered() {
    PipelineDefinition any = report("any", 0);
    TablesTriggerState state = TablesTriggerState.empty();
    for (long snapshot = 1; snapshot <= TablesTriggerState.RECENT + 5; snapshot++) {
      state = TablesTriggers.fireIfDue(any, apply(any, state, "curated.orders", snapshot, snapshot), snapshot).state();
    }
    assertThat(state.recent().get("curated.orders")).hasSize(TablesTriggerState.RECENT).startsWith(6L);
    assertThat(state.seen("curated.orders", 6)).isTrue();
    assertThat(state.seen("curated.orders", 5)).isFalse();
  }
}
