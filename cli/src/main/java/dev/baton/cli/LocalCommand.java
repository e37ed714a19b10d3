package dev.baton.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.baton.local.LocalEndpoints;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code baton local up|status|down}: the embedded local stack. */
@Command(name = "local", mixinStandardHelpOptions = true, description = "Manage the embedded local stack.",
    subcommands = {LocalCommand.Up.class, LocalCommand.Status.class, LocalCommand.Down.class})
final class LocalCommand {

  @Command(name = "up", mixinStandardHelpOptions = true, description = "Start the local services (harmless when running).")
  static final class Up implements Callable<Integer> {
    @Option(names = "--events", description = "How landing-bucket objects reach Kafka: listing (the connector lists"
        + " the bucket) or sqs (S3 notifications on the local SQS queue, as in AWS). Default: the last choice, else listing.")
    String events;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    /** A bad {@code --events} is a usage error (exit 2), found before anything starts. */
    private void checkEvents() {
      try {
        LocalServices.checkEventsMode(events);
      } catch (IllegalArgumentException e) {
        throw new picocli.CommandLine.ParameterException(spec.commandLine(), e.getMessage());
      }
    }

    @Override
    public Integer call() {
      checkEvents();
      LocalServices local = new LocalServices(Workspace.fromEnvironment());
      LocalEndpoints endpoints = local.stack().up(System.out);
      local.ensureRunning(System.err, events); // the stack is up: this only sets the landing connector
      System.out.println("State: " + endpoints.home());
      return 0;
    }
  }

  @Command(name = "status", mixinStandardHelpOptions = true, description = "Show the local services and their endpoints.")
  static final class Status implements Callable<Integer> {
    @Option(names = "--format", defaultValue = "text", description = "text or json")
    String format;

    @Override
    public Integer call() throws Exception {
      LocalServices local = new LocalServices(Workspace.fromEnvironment());
      Optional<LocalEndpoints> endpoints = local.stack().status();
      Map<String, Object> status = new LinkedHashMap<>();
      status.put("running", endpoints.isPresent());
      endpoints.ifPresent(e -> status.putAll(e.asMap()));
      status.put("services", local.stack().serviceStates());
      if (format.equals("json")) {
        System.out.println(new ObjectMapper().writeValueAsString(status));
      } else {
        status.forEach((key, value) -> System.out.printf("%-12s %s%n", key, value));
      }
      return endpoints.isPresent() ? 0 : 3;
    }
  }

  @Command(name = "down", mixinStandardHelpOptions = true, description = "Stop the services 'up' started; data stays.")
  static final class Down implements Callable<Integer> {
    @Override
    public Integer call() {
      LocalServices local = new LocalServices(Workspace.fromEnvironment());
      System.out.println("Stopped: " + local.stack().down());
      return 0;
    }
  }
}
