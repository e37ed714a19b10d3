package dev.baton.cli.config;

import dev.baton.cli.BatonCli;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code baton config check|show}: the resolved configuration, and whether each service it names answers. */
@Command(name = "config", mixinStandardHelpOptions = true,
    description = "Check or show the configuration (--config FILE, BATON_CONFIG, or the local stack).",
    subcommands = {ConfigCommand.Check.class, ConfigCommand.Show.class})
public final class ConfigCommand {

  /** Exit code when a service does not answer as configured. */
  public static final int CHECK_FAILED = 1;

  @Command(name = "check", mixinStandardHelpOptions = true,
      description = "Resolve the configuration and connect to each service (Kafka metadata, catalog namespaces, S3"
          + " buckets, schema registry); one line per service: ok, or FAILED with the key to fix. Exit 0 only if all"
          + " are ok. Secrets are never printed.")
  static final class Check implements Callable<Integer> {
    @Option(names = "--timeout-ms", defaultValue = "15000",
        description = "Longest wait for each service, ms (default ${DEFAULT-VALUE}).")
    long timeoutMs;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
      PrintWriter out = spec.commandLine().getOut();
      Configuration configuration = BatonCli.configuration(System.err);
      out.println("configuration " + configuration.source());
      List<ServiceCheck> checks = ServiceCheck.all(configuration, Duration.ofMillis(timeoutMs));
      checks.forEach(check -> out.println(check.line()));
      return checks.stream().allMatch(ServiceCheck::ok) ? 0 : CHECK_FAILED;
    }
  }

  @Command(name = "show", mixinStandardHelpOptions = true,
      description = "Print the resolved configuration, one key=value per line, secrets as ****.")
  static final class Show implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
      PrintWriter out = spec.commandLine().getOut();
      Configuration configuration = BatonCli.configuration(System.err);
      out.println("# " + configuration.source());
      configuration.redacted().forEach((key, value) -> out.println(key + "=" + value));
      return 0;
    }
  }
}
