package dev.baton.control.launch;

/**
 * Executes stage attempts. {@link #launch} returns as soon as the attempt is under way; the
 * attempt's outcome arrives later as a {@code StageCompleted} event on the control topic, published
 * by the stage runner (or, for external jobs, by whatever watches them).
 *
 * <p>Implementations must be idempotent on {@link LaunchRequest#launchKey()}: launching the same
 * (runId, stage, attempt) twice starts it once.
 */
public interface Launcher extends AutoCloseable {

  /** Short name recorded in {@code StageLaunched.launcher}, e.g. {@code in-process}. */
  String name();

  /**
   * Whether this launcher starts Spark applications, and so can run stages that are applications of
   * their own ({@code spark-app}: {@code StageTypes#runsAsApplication}). False by default.
   */
  default boolean startsApplications() {
    return false;
  }

  /**
   * Starts the attempt without waiting for it to finish.
   *
   * @throws IllegalStateException if the launcher cannot accept the attempt (closed, no capacity)
   */
  void launch(LaunchRequest request);

  /**
   * Stops the attempt {@code launchKey} ({@code runId/stage/attempt}) if it is queued or running;
   * does nothing when it has finished or was never launched here. Returns without waiting; a
   * stopped attempt may still report a (stale) completion, which the controller ignores.
   */
  void cancel(String launchKey);

  /** What {@link #reconcile} found of an attempt launched by an earlier controller process. */
  enum AttemptState {
    /** It may still be running (or its completion may still come from outside): keep waiting for it. */
    RUNNING,
    /** It cannot finish any more (it died with the process that ran it): declare it LOST now. */
    LOST
  }

  /**
   * Says what became of {@code launch}, an attempt an earlier controller process launched and whose
   * end the journal has not seen. Called once per such attempt when the controller starts, before
   * its queries run, so that an attempt that died with its controller is retried within seconds
   * rather than after its timeout. Must not block for long (at most one status request).
   *
   * @throws RuntimeException if the launcher cannot tell (the controller then fails to start, and
   *     says which attempt)
   */
  AttemptState reconcile(JournaledLaunch launch);

  /** Stops accepting launches and releases resources; running attempts may be interrupted. */
  @Override
  void close();
}
