package dev.baton.stages;

import dev.baton.stages.spi.InvalidStageOptionsException;
import dev.baton.stages.spi.Stage;
import dev.baton.stages.spi.StageFactory;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.TreeMap;

/**
 * The stage types known to this JVM: every {@link StageFactory} on the classpath ({@link
 * ServiceLoader}). Baton's own are {@code ingest}, {@code sql}, {@code quality}, {@code export}, {@code cdc-merge}, {@code
 * maintenance}, {@code noop}, {@code spark-app} and {@code external} (completed from outside, never run).
 */
public final class StageTypes {

  private static final Map<String, StageFactory> FACTORIES =
      byType(ServiceLoader.load(StageFactory.class, StageTypes.class.getClassLoader()));

  private StageTypes() {}

  /** @throws IllegalStateException if two factories have the same type */
  static Map<String, StageFactory> byType(Iterable<StageFactory> found) {
    Map<String, StageFactory> factories = new TreeMap<>();
    for (StageFactory factory : found) {
      StageFactory other = factories.putIfAbsent(factory.type(), factory);
      if (other != null) {
        throw new IllegalStateException("Two stage factories for type '" + factory.type() + "': "
            + other.getClass().getName() + " and " + factory.getClass().getName());
      }
    }
    return Map.copyOf(factories);
  }

  /** Names of the known stage types, sorted. */
  public static Set<String> names() {
    return new java.util.TreeSet<>(FACTORIES.keySet());
  }

  /**
   * Whether stages of {@code type} are run by Baton's launchers ({@link StageFactory#runByBaton()}).
   *
   * @throws IllegalArgumentException if the type is unknown
   */
  public static boolean runByBaton(String type) {
    return factory(type).runByBaton();
  }

  /**
   * Whether stages of {@code type} are whole Spark applications of their own ({@link
   * StageFactory#runsAsApplication()}).
   *
   * @throws IllegalArgumentException if the type is unknown
   */
  public static boolean runsAsApplication(String type) {
    return factory(type).runsAsApplication();
  }

  /**
   * Creates a stage of {@code type} from its YAML options.
   *
   * @throws IllegalArgumentException if the type is unknown
   * @throws InvalidStageOptionsException if the options do not fit the type
   */
  public static Stage create(String type, Map<String, Object> options) {
    return factory(type).create(options);
  }

  private static StageFactory factory(String type) {
    StageFactory factory = FACTORIES.get(type);
    if (factory == null) {
      throw new IllegalArgumentException("Unknown stage type '" + type + "' (expected one of " + names() + ")");
    }
    return factory;
  }
}
