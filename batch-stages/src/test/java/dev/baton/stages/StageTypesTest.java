package dev.baton.stages;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.baton.stages.noop.NoopStageFactory;
import dev.baton.stages.spi.InvalidStageOptionsException;
import dev.baton.stages.spi.StageContext;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StageTypesTest {

  @Test
  void batonsOwnTypesAndOnesAddedByAJarAreFoundOnTheClasspath() throws Exception {
    assertThat(StageTypes.names()).containsExactly("cdc-merge", "echo", "export", "external", "ingest", "maintenance", "noop", "quality", "spark-app", "sql");
    assertThat(StageTypes.runByBaton("external")).isFalse();
    assertThat(StageTypes.runsAsApplication("spark-app")).isTrue();
    assertThat(StageTypes.runsAsApplication("sql")).isFalse();
    assertThat(StageTypes.runByBaton("sql")).isTrue();
    assertThat(StageTypes.runByBaton("echo")).isTrue();
    assertThat(StageTypes.create("echo", Map.of("value", 7)).run(new StageContext("r", "p", "s", 1, Map.of()), null)
        .metrics()).containsEntry("value", 7.0);
  }

  @Test
  void unknownTypesAndBadOptionsAreRefusedWithTheirName() {
    assertThatThrownBy(() -> StageTypes.create("flink-app", Map.of()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'flink-app'").hasMessageContaining("ingest");
    assertThatThrownBy(() -> StageTypes.runByBaton("flink-app")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> StageTypes.create("spark-app", Map.of("resource", "job.jar")))
        .isInstanceOf(InvalidStageOptionsException.class).hasMessageContaining("mainClass");
    assertThatThrownBy(() -> StageTypes.create("spark-app", Map.of("resource", "job.py", "packages", List.of("x:y"))))
        .isInstanceOf(InvalidStageOptionsException.class).hasMessageContaining("packages[0]");
    assertThatThrownBy(() -> StageTypes.create("echo", Map.of()))
        .isInstanceOf(InvalidStageOptionsException.class).hasMessageContaining("value");
  }

  @Test
  void twoFactoriesOfOneTypeAreRefused() {
    assertThatThrownBy(() -> StageTypes.byType(List.of(new NoopStageFactory(), new NoopStageFactory())))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("'noop'");
  }
}
