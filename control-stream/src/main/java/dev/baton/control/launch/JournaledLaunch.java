package dev.baton.control.launch;

import static java.util.Objects.requireNonNull;

/**
 * A launch as the {@link LaunchJournal} keeps it: enough for a later controller process to ask the
 * launcher what became of the attempt ({@link Launcher#reconcile}) and to report it on the control topic.
 *
 * @param runId the run
 * @param pipeline the run's pipeline
 * @param stage the stage's name
 * @param attempt the attempt number, from 1
 * @param stageType the stage's type ({@code sql}, {@code external}, …): whether Baton runs it or waits for it
 * @param launcher {@link Launcher#name()} of the launcher it was handed to
 * @param controllerEpoch the id of the controller process that recorded it (a new one per start)
 * @param recordedAtMs when it was recorded, epoch ms
 */
public record JournaledLaunch(String runId, String pipeline, String stage, int attempt, String stageType,
    String launcher, String controllerEpoch, long recordedAtMs) {

  public JournaledLaunch {
    requireNonNull(runId, "Invalid runId: null");
    requireNonNull(pipeline, "Invalid pipeline: null");
    requireNonNull(stage, "Invalid stage: null");
    requireNonNull(stageType, "Invalid stageType: null");
    requireNonNull(launcher, "Invalid launcher: null");
    requireNonNull(controllerEpoch, "Invalid controllerEpoch: null");
    if (attempt < 1) {
      throw new IllegalArgumentException("Cannot journal launch: invalid attempt " + attempt);
    }
  }

  /** {@code <runId>/<stage>/<attempt>}, the key launches are idempotent on. */
  public String launchKey() {
    return runId + "/" + stage + "/" + attempt;
  }
}
