package dev.baton.stages.noop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.baton.stages.StageTypes;
import dev.baton.stages.spi.InvalidStageOptionsException;
import dev.baton.stages.spi.StageContext;
import dev.baton.stages.spi.StageFailedException;
import java.util.Map;
import org.junit.jupiter.api.Test;

class NoopStageTest {

  @Test
  void failsAtTheConfiguredRateReproducibly() throws Exception {
    var stage = StageTypes.create("noop", Map.of("failureRate", 0.1));
    int failures = 0;
    int attempts = 2_000;
    for (int i = 0; i < attempts; i++) {
      StageContext context = new StageContext("run-" + i, "p", "s", 1, Map.of());
      boolean failed = fails(stage, context);
      // the same attempt always has the same fate
      assertThat(fails(stage, context)).isEqualTo(failed);
      failures += failed ? 1 : 0;
    }
    // binomial(2000, 0.1): mean 200, sd 13.4; ±5 sd
    assertThat(failures).isBetween(133, 267);
  }

  @Test
  void takesADurationWithinTheRange() throws Exception {
    var stage = StageTypes.create("noop", Map.of("durationMs", 5, "maxDurationMs", 15));
    for (int i = 0; i < 20; i++) {
      var result = stage.run(new StageContext("run-" + i, "p", "s", 1, Map.of()), null);
      assertThat(result.metrics().get("durationMs")).isBetween(5.0, 15.0);
      assertThat(result.outputs()).isEmpty();
    }
  }

  @Test
  void rejectsInvalidOptionsWithTheField() {
    assertThatThrownBy(() -> StageTypes.create("noop", Map.of("failureRate", 1.5)))
        .isInstanceOf(InvalidStageOptionsException.class).hasMessageContaining("failureRate");
    assertThatThrownBy(() -> StageTypes.create("noop", Map.of("durationMs", 10, "maxDurationMs", 5)))
        .isInstanceOf(InvalidStageOptionsException.class).hasMessageContaining("maxDurationMs");
    assertThatThrownBy(() -> StageTypes.create("noop", Map.of("duration", 10)))
        .isInstanceOf(InvalidStageOptionsException.class).hasMessageContaining("duration");
  }

  private static boolean fails(dev.baton.stages.spi.Stage stage, StageContext context) throws Exception {
    try {
      stage.run(context, null);
      return false;
    } catch (StageFailedException e) {
      assertThat(e.type()).isEqualTo(NoopStage.INJECTED_FAILURE);
      return true;
    }
  }
}
