package dev.baton.stages.spi;

import static java.util.Objects.requireNonNull;

import java.util.Map;
import java.util.function.Function;

/**
 * A {@link StageFactory} whose stages are built from an options record bound with {@link
 * StageOptions#bind}: subclasses name the type, the record and the stage's constructor, and keep the
 * public no-argument constructor {@link java.util.ServiceLoader} needs.
 *
 * @param <O> the options record
 */
public abstract class BoundOptionsStageFactory<O> implements StageFactory {
  private final String type;
  private final Class<O> optionsType;
  private final Function<O, Stage> constructor;

  /**
   * @param type the stage type's name
   * @param optionsType the record the YAML options bind to
   * @param constructor makes a stage from bound options
   */
  protected BoundOptionsStageFactory(String type, Class<O> optionsType, Function<O, Stage> constructor) {
    this.type = requireNonNull(type, "Invalid type: null");
    this.optionsType = requireNonNull(optionsType, "Invalid optionsType: null");
    this.constructor = requireNonNull(constructor, "Invalid constructor: null");
  }

  @Override
  public final String type() {
    return type;
  }

  /** Binds and validates the options ({@link StageOptions#bind}), then makes the stage. */
  @Override
  public final Stage create(Map<String, Object> options) {
    return constructor.apply(StageOptions.bind(options, optionsType));
  }
}
