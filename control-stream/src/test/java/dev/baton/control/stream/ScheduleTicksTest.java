package dev.baton.control.stream;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.control.pipeline.PipelineParser;
import dev.baton.control.pipeline.Pipelines;
import dev.baton.control.pipeline.ScheduleTrigger;
import dev.baton.control.state.Input;
import dev.baton.schemas.RunIds;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.RowFactory;
import org.junit.jupiter.api.Test;

class ScheduleTicksTest {

  @Test
  void theRowOfSecondSCarriesTheTicksOfTheIntervalAfterItKeyedByTheirRuns() throws Exception {
    ScheduleTicks ticks = new ScheduleTicks(Pipelines.of(List.of(PipelineParser.parse("test", """
        name: every-10s
        trigger: {type: schedule, cron: "*/10 * * * * ?"}
        stages:
          - {name: s, type: noop}
        """), PipelineParser.parse("test", """
        name: unscheduled
        stages:
          - {name: s, type: noop}
        """))));
    long tick = Instant.parse("2026-12-04T10:00:10Z").getEpochSecond();
    List<ControllerInputRow> rows = new ArrayList<>();
    // the rows of seconds tick-9 .. tick+8, covering (tick-9, tick+9]: only the row of second tick-1, (tick-1, tick],
    // holds a tick
    for (long second = tick - 9; second <= tick + 8; second++) {
      ticks.call(RowFactory.create(second)).forEachRemaining(rows::add);
    }
    String triggerKey = "schedule/2026-12-04T10:00:10Z";
    assertThat(rows).singleElement().satisfies(row -> {
      assertThat(row.getRunId()).isEqualTo(RunIds.of("every-10s", triggerKey));
      assertThat(row.getPipeline()).isEqualTo("every-10s");
      assertThat(row.getOffset()).isEqualTo(tick - 1);
      assertThat(Json.read(row.getInput(), Input.class))
          .isEqualTo(new Input.ScheduleTick("every-10s", Instant.parse("2026-12-04T10:00:10Z").toEpochMilli()));
    });
    assertThat(ScheduleTrigger.triggerKey(Instant.ofEpochSecond(tick))).isEqualTo(triggerKey);
  }
}
