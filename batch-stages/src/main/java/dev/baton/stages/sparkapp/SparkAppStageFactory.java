package dev.baton.stages.sparkapp;

import dev.baton.stages.spi.BoundOptionsStageFactory;
import dev.baton.stages.spi.StageFailedException;

/**
 * The {@code spark-app} stage type (options: {@link SparkAppOptions}): a user's Spark application,
 * launched unchanged as its own application; its completion comes from the launcher (the
 * application's final state), since the job knows nothing of Baton.
 */
public final class SparkAppStageFactory extends BoundOptionsStageFactory<SparkAppOptions> {

  /** Error type of a {@code spark-app} stage handed to a launcher that does not start applications. */
  public static final String NOT_AN_APPLICATION_LAUNCHER = dev.baton.schemas.StageErrorCode.NOT_AN_APPLICATION_LAUNCHER.name();

  public SparkAppStageFactory() {
    super("spark-app", SparkAppOptions.class, options -> (context, spark) -> {
      throw new StageFailedException(NOT_AN_APPLICATION_LAUNCHER, "A spark-app stage is an application of its own:"
          + " run it with a launcher that starts applications (a spark-submit launcher profile), not inside a session");
    });
  }

  @Override
  public boolean runsAsApplication() {
    return true;
  }
}
