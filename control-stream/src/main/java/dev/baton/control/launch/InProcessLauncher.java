package dev.baton.control.launch;

import static java.util.Objects.requireNonNull;

import dev.baton.stages.StageTypes;
import dev.baton.stages.runner.StageRunner;
import dev.baton.stages.spi.StageContext;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Future;
import java.util.concurrent.FutureTask;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs stage attempts on a thread pool inside the controller's warm SparkSession, each in its
 * own FAIR scheduler pool named after the stage, so concurrent stages share the executors instead
 * of queueing behind each other. Good for the local stack and for small stages; no JVM start-up
 * per stage.
 *
 * <p>Each attempt runs in a Spark job group named after its launch key, so {@link #cancel} stops
 * its Spark jobs ({@code SparkContext.cancelJobGroup}) and interrupts its thread, or drops it from
 * the queue if it has not started. Launch idempotency across restarts is the launch journal's job
 * (in front of this launcher); an attempt queued or running here is not started twice.
 *
 * <p>Capacity is bounded: {@code maxConcurrentStages} attempts run, at most {@code maxQueuedStages}
 * more wait for a thread; {@link #launch} refuses any further attempt with an {@link
 * IllegalStateException} (as {@link Launcher#launch} allows) instead of queueing without limit.
 */
public final class InProcessLauncher implements Launcher {
  private static final Logger LOG = LoggerFactory.getLogger(InProcessLauncher.class);

  private final String name;
  private final SparkSession spark;
  private final StageRunner runner;
  private final ThreadPoolExecutor executor;
  private final int maxQueuedStages;
  /** Places for attempts running or queued; taken at launch, given back when the attempt is done or cancelled. */
  private final Semaphore capacity;
  /** Attempts queued or running, by launch key; removed when they end. */
  private final Map<String, Future<?>> active = new ConcurrentHashMap<>();

  /**
   * @param spark the session stages run in (must have {@code spark.scheduler.mode=FAIR} for pools to matter)
   * @param runner runs an attempt and publishes its completion
   * @param maxConcurrentStages attempts running at once, at least 1
   * @param maxQueuedStages attempts waiting for a thread at most, at least 0; beyond, launches are refused
   * @throws IllegalArgumentException if a bound is out of range
   */
  public InProcessLauncher(SparkSession spark, StageRunner runner, int maxConcurrentStages, int maxQueuedStages) {
    this(LauncherProfile.IN_PROCESS, spark, runner, maxConcurrentStages, maxQueuedStages);
  }

  /**
   * As {@link #InProcessLauncher(SparkSession, StageRunner, int, int)}, for the launcher profile {@code name}.
   */
  public InProcessLauncher(String name, SparkSession spark, StageRunner runner, int maxConcurrentStages,
      int maxQueuedStages) {
    this.name = requireNonNull(name, "Invalid name: null");
    this.spark = requireNonNull(spark, "Invalid spark: null");
    this.runner = requireNonNull(runner, "Invalid runner: null");
    if (maxConcurrentStages < 1) {
      throw new IllegalArgumentException("Cannot create launcher: invalid maxConcurrentStages " + maxConcurrentStages);
    }
    if (maxQueuedStages < 0) {
      throw new IllegalArgumentException("Cannot create launcher: invalid maxQueuedStages " + maxQueuedStages);
    }
    this.maxQueuedStages = maxQueuedStages;
    // the bound is a semaphore, not the executor's queue: a SynchronousQueue (no queue) refuses a task
    // whenever no idle thread is blocked in take() at that instant, even a just-started one
    this.capacity = new Semaphore(maxConcurrentStages + maxQueuedStages);
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
    return name;
  }

  /**
   * Queues the attempt; it runs when a thread is free. Launching an attempt that is queued or
   * running here again does nothing.
   *
   * @throws IllegalStateException {@code "Cannot launch attempt <key>: no capacity ..."} when {@code
   *     maxQueuedStages} attempts already wait, or {@code "... launcher is closed"} after {@link #close}
   */
  @Override
  public void launch(LaunchRequest request) {
    if (!StageTypes.runByBaton(request.stage().type())) {
      LOG.info("Attempt {} is of an external stage: waiting for its completion from outside", request.launchKey());
      return;
    }
    FutureTask<Void> attempt = new FutureTask<>(() -> run(request), null) {
      @Override
      protected void done() {
        capacity.release(); // once per task: ended, failed or cancelled (started or not)
      }
    };
    // registered before it can start, so the task's own removal at its end always finds it
    if (active.putIfAbsent(request.launchKey(), attempt) != null) {
      return;
    }
    if (executor.isShutdown()) {
      active.remove(request.launchKey(), attempt);
      throw new IllegalStateException("Cannot launch attempt " + request.launchKey() + ": the launcher is closed");
    }
    if (!capacity.tryAcquire()) {
      active.remove(request.launchKey(), attempt);
      throw new IllegalStateException("Cannot launch attempt " + request.launchKey() + ": no capacity ("
          + executor.getActiveCount() + " running, " + executor.getQueue().size() + " queued, at most "
          + maxQueuedStages + " queued: controller.max-queued-stages)");
    }
    try {
      executor.execute(attempt);
    } catch (RejectedExecutionException e) {
      active.remove(request.launchKey(), attempt);
      capacity.release();
      throw new IllegalStateException("Cannot launch attempt " + request.launchKey() + ": the launcher is closed", e);
    }
  }

  private void run(LaunchRequest request) {
    var context = spark.sparkContext();
    context.setLocalProperty("spark.scheduler.pool", request.stage().name());
    context.setJobGroup(request.launchKey(), "baton stage " + request.launchKey(), true);
    try {
      runner.run(
          new StageContext(request.runId(), request.pipeline(), request.stage().name(), request.attempt(), request.params(),
              request.stage().params()),
          request.stage().type(), request.stage().options(), spark);
    } catch (RuntimeException e) {
      // the runner reports stage failures itself; this is a failure to publish the completion,
      // which the controller recovers from through the attempt's timeout (LOST, then retry)
      if (Thread.currentThread().isInterrupted()) {
        LOG.warn("Cancelled attempt {} stopped before publishing its completion: {}", request.launchKey(), e.toString());
      } else {
        LOG.error("Attempt {} ended without a published completion", request.launchKey(), e);
      }
    } finally {
      context.clearJobGroup();
      context.setLocalProperty("spark.scheduler.pool", null);
      active.remove(request.launchKey());
    }
  }

  /**
   * {@link AttemptState#LOST} for a stage Baton runs: it ran in a thread of the controller process that
   * recorded it, which is gone (this launcher is new with its process). {@link AttemptState#RUNNING} for
   * an external stage, whose completion comes from outside and does not depend on the controller.
   */
  @Override
  public AttemptState reconcile(JournaledLaunch launch) {
    // a type no longer known here was one this launcher ran (it only ever ran known types)
    String type = launch.stageType();
    return !StageTypes.names().contains(type) || StageTypes.runByBaton(type) ? AttemptState.LOST : AttemptState.RUNNING;
  }

  @Override
  public void cancel(String launchKey) {
    Future<?> attempt = active.remove(launchKey);
    if (attempt == null) {
      return;
    }
    LOG.warn("Cancelling attempt {}", launchKey);
    attempt.cancel(true);
    executor.remove((Runnable) attempt); // a queued attempt frees its place in the queue now
    spark.sparkContext().cancelJobGroup(launchKey);
  }

  /** Attempts queued or running. */
  public int activeAttempts() {
    return active.size();
  }

  /** Attempts waiting for a thread. */
  int queuedAttempts() {
    return executor.getQueue().size();
  }

  /** Attempts running on a thread (approximate while a thread picks its next attempt). */
  int runningAttempts() {
    return executor.getActiveCount();
  }

  @Override
  public void close() {
    executor.shutdownNow();
  }
}
