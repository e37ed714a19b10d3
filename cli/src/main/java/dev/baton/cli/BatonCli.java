package dev.baton.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code baton} command. */
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
      LocalCommand.class,
      BenchCommand.class,
      EventsCommand.class
    })
public final class BatonCli {

  public static void main(String[] args) {
    // S3-compatible endpoints (S3Proxy) reject the AWS SDK's default flexible checksums (x-amz-trailer)
    System.setProperty("aws.requestChecksumCalculation",
        System.getProperty("aws.requestChecksumCalculation", "when_required"));
    System.setProperty("aws.responseChecksumValidation",
        System.getProperty("aws.responseChecksumValidation", "when_required"));
    int exitCode = new CommandLine(new BatonCli()).execute(args);
    System.exit(exitCode);
  }
}
