package dev.baton.connect.s3;

import java.util.Optional;

/**
 * Looks up what an EMR Serverless job run state change event does not carry: the job run's name
 * (Baton's identity), its state details and where its logs are. Implemented with GetJobRun by
 * {@link EmrServerlessJobRuns}.
 */
interface JobRunLookup {

  /**
   * @param region the event's region
   * @return the job run, or empty when it does not exist (any more)
   * @throws software.amazon.awssdk.core.exception.SdkException when the lookup fails; a 4xx other
   *     than throttling will not pass by itself
   */
  Optional<JobRun> find(String region, String applicationId, String jobRunId);

  /**
   * @param name the job run's name; null when it has none
   * @param stateDetails why it is in its state (for a failure, the error); null when none
   * @param logUri the S3 log location from its monitoring configuration; null when none
   */
  record JobRun(String name, String stateDetails, String logUri) {}
}
