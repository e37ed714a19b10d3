package dev.baton.stages;

import dev.baton.stages.spi.InvalidStageOptionsException;
import dev.baton.stages.spi.Stage;
import dev.baton.stages.spi.StageFactory;
import dev.baton.stages.spi.StageResult;
import java.util.List;
import java.util.Map;

/** A stage type from outside Baton's own (registered in this module's test resources): returns its {@code value} as a metric. */
public final class EchoStageFactory implements StageFactory {

  @Override
  public String type() {
    return "echo";
  }

  @Override
  public Stage create(Map<String, Object> options) {
    if (!(options.get("value") instanceof Number value)) {
      throw new InvalidStageOptionsException("value", "is required and must be a number");
    }
    return (context, spark) -> new StageResult(List.of(), Map.of("value", value.doubleValue()));
  }
}
