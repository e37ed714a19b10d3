package dev.baton.connect.s3;

import java.util.Optional;

/**
 * Looks up what EMR's EventBridge state change events do not carry: an EMR Serverless job run's
 * name (Baton's identity), state details and log location, an EMR step's failure details, and an EMR
 * on EKS job run's tags (Baton's identity), failure reason and log location. Implemented with
 * GetJobRun, DescribeStep and DescribeJobRun by {@link AwsEmrLookup}.
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
   * EMR on EKS DescribeJobRun.
   *
   * @param region the event's region
   * @return the job run, or empty when it does not exist (any more)
   * @throws software.amazon.awssdk.core.exception.SdkException as {@link #jobRun}
   */
  Optional<EksJobRun> eksJobRun(String region, String virtualClusterId, String jobRunId);

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

  /**
   * An EMR on EKS job run as DescribeJobRun gives it.
   *
   * @param tags its tags (Baton's launcher puts the attempt in {@code baton:pipeline}, {@code baton:run-id},
   *     {@code baton:stage}, {@code baton:attempt}); empty when none
   * @param failureReason {@code INTERNAL_ERROR}, {@code USER_ERROR}, {@code VALIDATION_ERROR}, {@code
   *     CLUSTER_UNAVAILABLE}; null when none
   * @param stateDetails why it is in its state; null when none
   * @param logUri the S3 log location from its monitoring configuration; null when none
   */
  record EksJobRun(java.util.Map<String, String> tags, String failureReason, String stateDetails, String logUri) {}
}
