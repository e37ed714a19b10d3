package dev.baton.cli;

import dev.baton.control.pipeline.InvalidRunParametersException;
import dev.baton.control.pipeline.PipelineDefinition;
import dev.baton.control.pipeline.Pipelines;
import dev.baton.control.pipeline.RunParameters;
import dev.baton.schemas.RunIds;
import dev.baton.schemas.ControlEvents;
import dev.baton.schemas.EventSerde;
import dev.baton.schemas.event.RunRequested;
import dev.baton.schemas.event.RunStatus;
import dev.baton.stages.runner.ControlEventPublisher;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code baton submit}: publishes a RunRequested. When the pipeline's definition is in the
 * workspace's pipelines folder ({@link Workspace#pipelines()}, the folder a local controller
 * serves), the parameters are checked against it first ({@link RunParameters#resolve}) and a
 * problem exits {@value #INVALID_PARAMETERS} naming the parameter, before anything is published.
 * Otherwise only the controller checks them: it rejects an invalid request to the dead-letter
 * topic, which {@code --wait} reports (exit {@value #INVALID_PARAMETERS}).
 */
@Command(name = "submit", mixinStandardHelpOptions = true,
    description = "Request a run of a pipeline (a RunRequested event on baton.control); the running controller starts it."
        + " Parameters are checked against the pipeline's params: when its definition is in the pipelines folder"
        + " (BATON_PIPELINES); otherwise the controller checks them (see --wait).")
final class SubmitCommand implements Callable<Integer> {
  /** Exit code of parameters the pipeline refuses (here or, with --wait, in the controller). */
  static final int INVALID_PARAMETERS = 2;

  @Parameters(index = "0", description = "Pipeline name.")
  String pipeline;

  @Option(names = "--param", description = "Run parameter k=v (repeatable), e.g. --param batch=20261123-1.")
  Map<String, String> params = new LinkedHashMap<>();

  @Option(names = "--trigger-key", description = "Identity of the request: the same key maps to the same run"
      + " (default: a new key per call).")
  String triggerKey;

  @picocli.CommandLine.Mixin
  RunsCommand.FollowOptions follow = new RunsCommand.FollowOptions();

  @Override
  public Integer call() throws Exception {
    String key = triggerKey != null ? triggerKey : "manual/" + Demo.newBatchId() + "/" + UUID.randomUUID();
    Path folder = Workspace.fromEnvironment().pipelines();
    Optional<PipelineDefinition> definition = localDefinition(folder);
    if (definition.isPresent()) {
      try {
        RunParameters.resolve(definition.get(), params, key);
      } catch (InvalidRunParametersException e) {
        System.err.println(e.getMessage());
        return INVALID_PARAMETERS;
      }
    } else {
      System.err.println("(pipeline " + pipeline + " is not in " + folder + ": its parameters are checked by the"
          + " controller only; --wait reports a rejection)");
    }
    Map<String, String> config = BatonCli.configuration(System.err).values();
    String runId = RunIds.of(pipeline, key);
    return RunsCommand.publish(config, runId, ControlEvents.requested(runId, pipeline,
        new RunRequested(key, params, System.getProperty("user.name"), null), Instant.now()), follow);
  }

  /** The pipeline's definition from {@code folder}, if a valid file there defines it. */
  private Optional<PipelineDefinition> localDefinition(Path folder) {
    if (!Files.isDirectory(folder)) {
      return Optional.empty();
    }
    try {
      return Pipelines.load(folder).get(pipeline);
    } catch (RuntimeException e) { // an invalid file in the folder: the controller's definitions decide
      System.err.println("(cannot load the pipelines in " + folder + ": " + e.getMessage().lines().findFirst().orElse("")
          + ")");
      return Optional.empty();
    }
  }
}
