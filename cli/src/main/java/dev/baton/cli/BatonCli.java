package dev.baton.cli;

import dev.baton.cli.config.ConfigCommand;
import dev.baton.cli.config.Configuration;
import java.io.PrintStream;
import java.nio.file.Path;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The {@code baton} command.
 *
 * <p>Configuration: {@code baton --config FILE COMMAND ...} (or the environment variable {@code
 * BATON_CONFIG}) names a configuration file ({@link Configuration#load}); every command then uses
 * only the services it names and never starts or needs the local stack. Without either, commands
 * use the local stack of the workspace, starting it when it is not running.
 */
@Command(
    name = "baton",
    mixinStandardHelpOptions = true,
    version = "baton 0.1.0",
    description = "Event-driven control plane for data-lake batch pipelines.",
    subcommands = {
      DemoCommand.class,
      SqlCommand.class,
      ControllerCommand.class,
      ValidateCommand.class,
      RunsCommand.class,
      SubmitCommand.class,
      BackfillCommand.class,
      LocalCommand.class,
      BenchCommand.class,
      EventsCommand.class,
      TopicsCommand.class,
      ConfigCommand.class
    })
public final class BatonCli {
  /** Environment variable naming the configuration file when {@code --config} is not given. */
  public static final String CONFIG_ENV = "BATON_CONFIG";
  /** Exit code of a configuration that cannot be loaded or is invalid. */
  public static final int CONFIG_ERROR = 2;
  /** Exit code when a service refused the configured identity: Kafka authentication or authorization (ACLs). */
  public static final int NOT_AUTHORIZED = 4;

  /** The configuration file of the command being executed (null: none given). */
  private static volatile Path selectedConfigFile;

  @Option(names = "--config", paramLabel = "FILE",
      description = "Configuration file (properties: kafka.*, iceberg.catalog.*, s3.*, spark.*, controller.*, topics.*,"
          + " schema.registry.*; secrets by reference, e.g. $${env:NAME}). Also the environment variable BATON_CONFIG. Without it, commands use"
          + " the local stack.")
  Path configFile;

  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }

  /**
   * The command line: remembers the {@code --config} of each execution for {@link #configuration},
   * and prints configuration errors as one line (exit {@value #CONFIG_ERROR}) instead of a stack trace.
   */
  public static CommandLine commandLine() {
    BatonCli root = new BatonCli();
    CommandLine commandLine = new CommandLine(root);
    commandLine.setExecutionStrategy(parseResult -> {
      selectedConfigFile = root.configFile;
      return new CommandLine.RunLast().execute(parseResult);
    });
    commandLine.setExecutionExceptionHandler((exception, command, parseResult) -> {
      if (exception instanceof ConfigException) {
        command.getErr().println("Invalid configuration: " + exception.getMessage());
        return CONFIG_ERROR;
      }
      for (Throwable cause = exception; cause != null; cause = cause.getCause()) {
        if (cause instanceof AuthorizationException || cause instanceof AuthenticationException) {
          command.getErr().println("Kafka refused " + (cause instanceof AuthorizationException ? "authorization" : "authentication")
              + " (the principal of kafka.sasl.jaas.config in " + configFile() + " lacks the ACL or the password is wrong): "
              + cause.getClass().getSimpleName() + ": " + cause.getMessage());
          return NOT_AUTHORIZED;
        }
      }
      throw exception;
    });
    return commandLine;
  }

  /** The configuration file given by {@code --config}, else by {@value #CONFIG_ENV}, else null. */
  static Path configFile() {
    if (selectedConfigFile != null) {
      return selectedConfigFile;
    }
    String fromEnvironment = System.getenv(CONFIG_ENV);
    return fromEnvironment == null || fromEnvironment.isBlank() ? null : Path.of(fromEnvironment.strip());
  }

  /**
   * The configuration of this execution: the file given by {@code --config} or {@value
   * #CONFIG_ENV}; without one, the local stack of the workspace, started (and said so on {@code
   * stderr}) when it is not running.
   *
   * @throws ConfigException if the file cannot be read or resolved
   */
  public static Configuration configuration(PrintStream stderr) {
    Path file = configFile();
    if (file != null) {
      return Configuration.load(file);
    }
    return LocalServices.runningConfig(stderr);
  }

  /**
   * Refuses {@code --config} for a command that manages the local stack itself ({@code local}); the
   * environment's {@value #CONFIG_ENV}, meant for the other commands, is left alone.
   *
   * @throws CommandLine.ParameterException if {@code --config} names a file
   */
  static void refuseConfigOption(CommandLine.Model.CommandSpec spec) {
    if (selectedConfigFile != null) {
      throw new CommandLine.ParameterException(spec.commandLine(), "baton " + spec.qualifiedName(" ").replaceFirst("^baton ", "")
          + " manages the local stack and does not take --config (" + selectedConfigFile + ")");
    }
  }

  /**
   * Refuses a configuration file for a command that runs only on the local stack.
   *
   * @throws CommandLine.ParameterException if {@code --config} or {@value #CONFIG_ENV} names one
   */
  static void requireLocalStack(CommandLine.Model.CommandSpec spec) {
    Path file = configFile();
    if (file != null) {
      throw new CommandLine.ParameterException(spec.commandLine(), "baton " + spec.name() + " runs on the local stack"
          + " only and does not take a configuration file (" + file + " given by --config or " + CONFIG_ENV + ")");
    }
  }
}
