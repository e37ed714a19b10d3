package dev.baton.connect.s3;

import java.util.Optional;

/**
 * Looks up what EMR's EventBridge state change events do not carry: an EMR Serverless job run's
 * name (Baton's identity), state details and log location, and an EMR step's failure details.
 * Implemented with GetJobRun and DescribeStep by {@link AwsEmrLookup}.
 */
interface EmrLookup {

  /**
   * EMR Serverless GetJobRun.
   *
   * @param region the event's region
   * @return the job run, or empty when it does not exist (any more)
   * @throws software.amazon.awssdk.core.exception.SdkException when the lookup fails; a 4xx other
   *     than throttling will not pass by itself
   */
  Optional<JobRun> jobRun(String region, String applicationId, String jobRunId);

  /**
   * EMR DescribeStep.
   *
   * @param region the event's region
   * @return the step's failure details, or empty when the step or its failure details do not exist
   * @throws software.amazon.awssdk.core.exception.SdkException as {@link #jobRun}
   */
  Optional<StepFailure> stepFailure(String region, String clusterId, String stepId);

  /**
   * @param name the job run's name; null when it has none
   * @param stateDetails why it is in its state (for a failure, the error); null when none
   * @param logUri the S3 log location from its monitoring configuration; null when none
   */
  record JobRun(String name, String stateDetails, String logUri) {}

  /**
   * An EMR step's {@code Status.FailureDetails}.
   *
   * @param reason e.g. "Unknown Error" when EMR could not tell; null when none
   * @param message the error text EMR found as the root cause; null when none
   * @param logFile the log file holding the root cause; null when none
   */
  record StepFailure(String reason, String message, String logFile) {}
}
