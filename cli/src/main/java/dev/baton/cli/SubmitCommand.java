package dev.baton.cli;

import dev.baton.schemas.RunIds;
import dev.baton.schemas.ControlEvents;
import dev.baton.schemas.EventSerde;
import dev.baton.schemas.event.RunRequested;
import dev.baton.schemas.event.RunStatus;
import dev.baton.stages.runner.ControlEventPublisher;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code baton submit}: publishes a RunRequested. */
@Command(name = "submit", mixinStandardHelpOptions = true,
    description = "Request a run of a pipeline (a RunRequested event on baton.control); the running controller starts it.")
final class SubmitCommand implements Callable<Integer> {

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
    Map<String, String> config = BatonCli.configuration(System.err).values();
    String key = triggerKey != null ? triggerKey : "manual/" + Demo.newBatchId() + "/" + UUID.randomUUID();
    String runId = RunIds.of(pipeline, key);
    return RunsCommand.publish(config, runId, ControlEvents.requested(runId, pipeline,
        new RunRequested(key, params, System.getProperty("user.name"), null), Instant.now()), follow);
  }
}
