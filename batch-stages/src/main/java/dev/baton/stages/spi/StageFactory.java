package dev.baton.stages.spi;

import java.util.Map;

/**
 * Makes the stages of one type from their YAML options. Implementations are found with {@link
 * java.util.ServiceLoader} (listed in {@code META-INF/services/dev.baton.stages.spi.StageFactory}):
 * Baton's own types are registered that way, and a jar on the classpath can add more. A factory must
 * have a public no-argument constructor, and be cheap to create: the pipeline parser calls {@link
 * #create} on every stage to validate its options.
 */
public interface StageFactory {

  /**
   * The stage type's name, as written in a pipeline's {@code type:}: lower case, e.g. {@code ingest}.
   */
  String type();

  /**
   * Whether Baton's launchers run stages of this type. False for a stage completed from outside
   * (an {@code external} stage: a legacy job's flag file, an EMR job named after the attempt): the
   * controller records its launch and waits for its completion. True by default.
   */
  default boolean runByBaton() {
    return true;
  }

  /**
   * Whether a stage of this type is a whole Spark application of its own (a user's unchanged jar or
   * Python file, which knows nothing of Baton): only a launcher that starts applications runs it, and
   * that launcher reports its completion from the application's final state. False by default: the
   * stage runs inside a session Baton's stage runner provides, and reports itself.
   */
  default boolean runsAsApplication() {
    return false;
  }

  /**
   * Creates a stage from its YAML options, after the run parameters' {@code ${name}} placeholders
   * were substituted.
   *
   * @param options option name to value (strings, numbers, booleans, lists and maps as YAML gives them)
   * @throws InvalidStageOptionsException if the options do not fit the type (its path names the option)
   */
  Stage create(Map<String, Object> options);
}
