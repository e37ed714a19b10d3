package dev.baton.cli;

import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * The {@code --events listing|sqs} option of {@code baton demo} and {@code baton local up}: how
 * landing-bucket objects reach Kafka locally. Checked when parsed, so a bad value is a usage error
 * (exit 2) before anything starts.
 */
final class EventsModeOption {
  @Spec(Spec.Target.MIXEE)
  CommandSpec spec;

  private String mode;

  @Option(names = "--events", paramLabel = "listing|sqs", description = "How landing-bucket objects reach Kafka:"
      + " listing (the connector lists the bucket) or sqs (S3 notifications → the local SQS queue → the connector,"
      + " as in AWS, where S3 itself sends them; locally the S3 endpoint does). Default: the last choice, else listing.")
  void set(String value) {
    try {
      LocalServices.checkEventsMode(value);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage());
    }
    mode = value;
  }

  /** The mode given, or null for the last one chosen. */
  String mode() {
    return mode;
  }
}
