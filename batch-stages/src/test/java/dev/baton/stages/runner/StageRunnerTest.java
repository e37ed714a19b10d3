package dev.baton.stages.runner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.baton.schemas.event.ControlEvent;
import dev.baton.schemas.event.StageCompleted;
import dev.baton.schemas.event.StageStatus;
import dev.baton.stages.spi.Stage;
import dev.baton.stages.spi.StageContext;
import dev.baton.stages.spi.StageResult;
import dev.baton.stages.write.RunTags;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class StageRunnerTest {
  private static final StageContext CONTEXT = new StageContext("run-1", "p", "s1", 2, Map.of());
  private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-12-03T12:00:00Z"), ZoneOffset.UTC);

  private final List<ControlEvent> published = new CopyOnWriteArrayList<>();

  @Test
  void stackOverflowInAStageIsAFailedCompletionWithItsType() {
    StageRunner runner = new StageRunner(published::add, CLOCK, Duration.ofMillis(1), Duration.ofMillis(2));

    StageCompleted completed = runner.run(CONTEXT, () -> recursive(), null);

    assertThat(completed.getStatus()).isEqualTo(StageStatus.FAILED);
    assertThat(completed.getError().getType()).isEqualTo("java.lang.StackOverflowError");
    assertThat(completed.getAttempt()).isEqualTo(2);
    assertThat(published).singleElement().extracting(ControlEvent::getPayload).isEqualTo(completed);
  }

  @Test
  void outOfMemoryInAStageIsAFailedCompletionWithItsType() {
    StageRunner runner = new StageRunner(published::add, CLOCK, Duration.ofMillis(1), Duration.ofMillis(2));

    StageCompleted completed = runner.run(CONTEXT, () -> (Stage) (context, spark) -> {
      throw new OutOfMemoryError("Java heap space");
    }, null);

    assertThat(completed.getStatus()).isEqualTo(StageStatus.FAILED);
    assertThat(completed.getError().getType()).isEqualTo("java.lang.OutOfMemoryError");
    assertThat(completed.getError().getMessage()).isEqualTo("Java heap space");
    assertThat(published).hasSize(1);
  }

  @Test
  void aStageRunsWithItsRunAndStageAsTheTagsOfItsSnapshotsAndNoneAfter() {
    StageRunner runner = new StageRunner(published::add, CLOCK, Duration.ofMillis(1), Duration.ofMillis(2));
    Map<String, String> seen = new HashMap<>();

    runner.run(CONTEXT, () -> (Stage) (context, spark) -> {
      seen.putAll(RunTags.current());
      return new StageResult(List.of(), Map.of());
    }, null);

    assertThat(seen).containsExactlyInAnyOrderEntriesOf(
        Map.of(RunTags.RUN_ID_PROPERTY, "run-1", RunTags.STAGE_PROPERTY, "s1"));
    assertThat(RunTags.current()).as("after the attempt").isEmpty();
  }

  @Test
  void failedPublishIsRetriedUntilKafkaTakesIt() {
    AtomicInteger calls = new AtomicInteger();
    StageRunner runner = new StageRunner(event -> {
      if (calls.incrementAndGet() <= 3) {
        throw new IllegalStateException("Cannot publish: broker unavailable");
      }
      published.add(event);
    }, CLOCK, Duration.ofMillis(1), Duration.ofMillis(2));

    StageCompleted completed = runner.run(CONTEXT, () -> (Stage) (context, spark) -> new StageResult(List.of(), Map.of()),
        null);

    assertThat(completed.getStatus()).isEqualTo(StageStatus.SUCCEEDED);
    assertThat(calls).hasValue(4);
    assertThat(published).singleElement().extracting(ControlEvent::getPayload).isEqualTo(completed);
  }

  @Test
  void publishThatNeverSucceedsEndsWithAnErrorAfterTheRetries() {
    AtomicInteger calls = new AtomicInteger();
    StageRunner runner = new StageRunner(event -> {
      calls.incrementAndGet();
      throw new IllegalStateException("Cannot publish: broker unavailable");
    }, CLOCK, Duration.ofMillis(1), Duration.ofMillis(2));

    assertThatThrownBy(() -> runner.run(CONTEXT, () -> (Stage) (context, spark) -> new StageResult(List.of(), Map.of()),
        null))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("Cannot publish the completion of stage s1 of run run-1 attempt 2 after 8 attempts")
        .hasRootCauseMessage("Cannot publish: broker unavailable");
    assertThat(calls).hasValue(StageRunner.PUBLISH_MAX_RETRIES + 1);
  }

  private static Stage recursive() {
    return (context, spark) -> {
      depth(0);
      return new StageResult(List.of(), Map.of());
    };
  }

  private static int depth(int n) {
    return depth(n + 1) + 1;
  }
}
