package dev.baton.control.launch;

import dev.baton.schemas.AttemptName;
import dev.baton.schemas.StageErrorCode;
import dev.baton.stages.runner.StageInvocation;
import dev.baton.stages.runner.StageMain;
import dev.baton.stages.spi.StageFailedException;
import java.util.List;

/** The arguments of Baton's stage runner ({@link StageMain}) for an attempt, as a launcher that starts applications passes them. */
final class StageRunnerArguments {
  private StageRunnerArguments() {}

  /**
   * @param profile the launcher profile's name (for the error)
   * @param stageConfig the profile's {@code stage-config}, or null
   * @param logUri where the launcher keeps the attempt's log, or null
   * @throws StageFailedException {@code SUBMISSION_FAILED} when the profile has no configuration file for the runner
   */
  static List<String> of(String profile, String stageConfig, LaunchRequest request, AttemptName attempt, String logUri) {
    if (stageConfig == null) {
      throw new StageFailedException(StageErrorCode.SUBMISSION_FAILED.name(), "Launcher profile " + profile
          + " has no configuration file for Baton's stage runner: set " + LauncherProfile.PREFIX + profile + ".stage-config");
    }
    return StageMain.arguments(stageConfig, attempt, request.pipelineVersion(), new StageInvocation(request.stage().type(), request.stage().options(),
        request.stage().params(), request.params()), logUri);
  }
}
