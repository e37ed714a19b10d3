package dev.baton.control.launch;

import static java.util.Objects.requireNonNull;

import dev.baton.stages.runner.StageRunner;
import dev.baton.stages.spi.StageContext;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.apache.spark.sql.SparkSession;

/**
 * Runs stage attempts on a thread pool inside the controller's warm SparkSession, each in its
 * own FAIR scheduler pool named after the stage, so concurrent stages share the executors instead
 * of queueing behind each other. Good for the local stack and for small stages; no JVM start-up
 * per stage.
 *
 * <p>Idempotent per process: a launch key seen before is ignored. (A durable launch record, so a
 * restarted controller also recognises it, is the controller's job.)
 */
public final class InProcessLauncher implements Launcher {
  private final SparkSession spark;
  private final StageRunner runner;
  private final ThreadPoolExecutor executor;
  private final Set<String> launched = ConcurrentHashMap.newKeySet();

  /**
   * @param spark the session stages run in (must have {@code spark.scheduler.mode=FAIR} for pools to matter)
   * @param runner runs an attempt and publishes its completion
   * @param maxConcurrentStages attempts running at once; more wait in a queue
   */
  public InProcessLauncher(SparkSession spark, StageRunner runner, int maxConcurrentStages) {
    this.spark = requireNonNull(spark, "Invalid spark: null");
    this.runner = requireNonNull(runner, "Invalid runner: null");
    if (maxConcurrentStages < 1) {
      throw new IllegalArgumentException("Cannot create launcher: invalid maxConcurrentStages " + maxConcurrentStages);
    }
    this.executor = new ThreadPoolExecutor(maxConcurrentStages, maxConcurrentStages, 0, TimeUnit.MILLISECONDS,
        new LinkedBlockingQueue<>(), runnable -> {
          Thread thread = new Thread(runnable, "baton-stage");
          thread.setDaemon(true);
          return thread;
        });
    // start the threads now, from the caller's thread, so they do not inherit Spark local
    // properties of the streaming query thread that later calls launch()
    executor.prestartAllCoreThreads();
  }

  @Override
  public String name() {
    return "in-process";
  }

  @Override
  public void launch(LaunchRequest request) {
    if (!launched.add(request.launchKey())) {
      return;
    }
    executor.execute(() -> {
      var context = spark.sparkContext();
      context.setLocalProperty("spark.scheduler.pool", request.stage().name());
      context.setJobGroup(request.launchKey(), "baton stage " + request.launchKey(), false);
      try {
        runner.run(
            new StageContext(request.runId(), request.pipeline(), request.stage().name(), request.attempt(), request.params()),
            request.stage().type(), request.stage().options(), spark);
      } finally {
        context.clearJobGroup();
        context.setLocalProperty("spark.scheduler.pool", null);
      }
    });
  }

  @Override
  public void close() {
    executor.shutdownNow();
  }
}
