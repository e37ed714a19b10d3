package dev.baton.stages;

import dev.baton.stages.external.ExternalStage;
import dev.baton.stages.ingest.IngestStage;
import dev.baton.stages.noop.NoopStage;
import dev.baton.stages.quality.QualityStage;
import dev.baton.stages.spi.InvalidStageOptionsException;
import dev.baton.stages.spi.Stage;
import dev.baton.stages.sql.SqlStage;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * The built-in stage types by name: {@code ingest}, {@code sql}, {@code quality}, {@code noop},
 * {@code external} (completed from outside, never run: {@link ExternalStage}).
 */
public final class StageTypes {

  private static final Map<String, Function<Map<String, Object>, Stage>> TYPES =
      Map.of(
          "ingest", IngestStage::fromOptions,
          "sql", SqlStage::fromOptions,
          "quality", QualityStage::fromOptions,
          "noop", NoopStage::fromOptions,
          ExternalStage.TYPE, ExternalStage::fromOptions);

  private StageTypes() {}

  /** Names of the known stage types, sorted. */
  public static Set<String> names() {
    return new TreeSet<>(TYPES.keySet());
  }

  /** Whether stages of {@code type} are run by Baton's launchers ({@code external} ones are not). */
  public static boolean isRunByBaton(String type) {
    return !ExternalStage.TYPE.equals(type);
  }

  /**
   * Creates a stage of {@code type} from its YAML options.
   *
   * @throws IllegalArgumentException if the type is unknown
   * @throws InvalidStageOptionsException if the options do not fit the type
   */
  public static Stage create(String type, Map<String, Object> options) {
    Function<Map<String, Object>, Stage> factory = TYPES.get(type);
    if (factory == null) {
      throw new IllegalArgumentException("Unknown stage type '" + type + "' (expected one of " + names() + ")");
    }
    return factory.apply(options);
  }
}
