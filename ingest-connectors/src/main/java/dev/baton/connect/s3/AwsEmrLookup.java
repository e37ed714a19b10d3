package dev.baton.connect.s3;

import java.util.Optional;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.awscore.client.builder.AwsClientBuilder;
import software.amazon.awssdk.awscore.client.builder.AwsSyncClientBuilder;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.services.emr.EmrClient;
import software.amazon.awssdk.services.emrcontainers.EmrContainersClient;
import software.amazon.awssdk.services.emr.model.FailureDetails;
import software.amazon.awssdk.services.emr.model.Step;
import software.amazon.awssdk.services.emrserverless.EmrServerlessClient;
import software.amazon.awssdk.services.emrserverless.model.ResourceNotFoundException;

/**
 * {@link EmrLookup} with the AWS SDK v2:
 * <ul>
 *   <li>EMR Serverless GetJobRun ({@code GET /applications/{applicationId}/jobruns/{jobRunId}},
 *       docs.aws.amazon.com/emr-serverless/latest/APIReference/API_GetJobRun.html): {@code jobRun.name},
 *       {@code jobRun.stateDetails},
 *       {@code jobRun.configurationOverrides.monitoringConfiguration.s3MonitoringConfiguration.logUri};
 *       needs {@code emr-serverless:GetJobRun};
 *   <li>EMR DescribeStep (docs.aws.amazon.com/emr/latest/APIReference/API_DescribeStep.html):
 *       {@code Step.Status.FailureDetails.{Reason,Message,LogFile}}; needs
 *       {@code elasticmapreduce:DescribeStep}.
 * </ul>
 * One client per API and region (the event's), with the given credentials (default: the AWS chain); at most
 * {@link #MAX_REGIONS} regions' clients per API are kept open, the least recently used is closed
 * when another region needs one. Thread-confined (one per task, used by its poll thread); {@link
 * #close()} closes every client.
 */
final class AwsEmrLookup implements EmrLookup, AutoCloseable {
  /** Most regions whose clients are kept open, per API. */
  static final int MAX_REGIONS = 8;

  private final RegionalClients<EmrServerlessClient> serverlessClients;
  private final RegionalClients<EmrClient> emrClients;
  private final RegionalClients<EmrContainersClient> containersClients;

  /**
   * @param serverlessEndpoint EMR Serverless endpoint override (e.g. a VPC endpoint); empty for the region's
   * @param emrEndpoint EMR endpoint override; empty for the region's
   * @param containersEndpoint EMR on EKS endpoint override; empty for the region's
   * @param credentials the credentials of the three APIs (static ones from {@code emr.access.key.id}, else the
   *     default chain)
   */
  AwsEmrLookup(String serverlessEndpoint, String emrEndpoint, String containersEndpoint,
      AwsCredentialsProvider credentials) {
    this(new RegionalClients<>("EMR Serverless", MAX_REGIONS,
            region -> client(EmrServerlessClient.builder(), region, serverlessEndpoint, credentials)),
        new RegionalClients<>("EMR", MAX_REGIONS, region -> client(EmrClient.builder(), region, emrEndpoint, credentials)),
        new RegionalClients<>("EMR on EKS", MAX_REGIONS,
            region -> client(EmrContainersClient.builder(), region, containersEndpoint, credentials)));
  }

  /** With the given client caches (closed by {@link #close()}). */
  AwsEmrLookup(RegionalClients<EmrServerlessClient> serverlessClients, RegionalClients<EmrClient> emrClients,
      RegionalClients<EmrContainersClient> containersClients) {
    this.serverlessClients = serverlessClients;
    this.emrClients = emrClients;
    this.containersClients = containersClients;
  }

  /** The EMR Serverless client of a region; {@code endpoint} empty for the region's. */
  static EmrServerlessClient serverlessClient(String region, String endpoint) {
    return client(EmrServerlessClient.builder(), region, endpoint, DefaultCredentialsProvider.create());
  }

  /** The EMR client of a region; {@code endpoint} empty for the region's. */
  static EmrClient emrClient(String region, String endpoint) {
    return client(EmrClient.builder(), region, endpoint, DefaultCredentialsProvider.create());
  }

  @Override
  public Optional<EmrLookup.JobRun> jobRun(String region, String applicationId, String jobRunId) {
    EmrServerlessClient client = serverlessClients.get(region);
    software.amazon.awssdk.services.emrserverless.model.JobRun run; // not EmrLookup.JobRun
    try {
      run = client.getJobRun(request -> request.applicationId(applicationId).jobRunId(jobRunId)).jobRun();
    } catch (ResourceNotFoundException e) {
      return Optional.empty();
    }
    String logUri = null;
    if (run.configurationOverrides() != null && run.configurationOverrides().monitoringConfiguration() != null
        && run.configurationOverrides().monitoringConfiguration().s3MonitoringConfiguration() != null) {
      logUri = run.configurationOverrides().monitoringConfiguration().s3MonitoringConfiguration().logUri();
    }
    return Optional.of(new EmrLookup.JobRun(run.name(), run.stateDetails(), logUri));
  }

  @Override
  public Optional<StepFailure> stepFailure(String region, String clusterId, String stepId) {
    EmrClient client = emrClients.get(region);
    Step step = client.describeStep(request -> request.clusterId(clusterId).stepId(stepId)).step();
    FailureDetails failure = step == null || step.status() == null ? null : step.status().failureDetails();
    return failure == null ? Optional.empty()
        : Optional.of(new StepFailure(failure.reason(), failure.message(), failure.logFile()));
  }

  private static <B extends AwsClientBuilder<B, C> & AwsSyncClientBuilder<B, C>, C> C client(B builder, String region,
      String endpoint, AwsCredentialsProvider credentials) {
    return AwsClients.build(builder, UrlConnectionHttpClient.builder(), region, endpoint, credentials);
  }

  @Override
  public Optional<EksJobRun> eksJobRun(String region, String virtualClusterId, String jobRunId) {
    software.amazon.awssdk.services.emrcontainers.model.JobRun run; // not EmrLookup.JobRun
    try {
      run = containersClients.get(region).describeJobRun(request -> request.virtualClusterId(virtualClusterId)
          .id(jobRunId)).jobRun();
    } catch (software.amazon.awssdk.services.emrcontainers.model.ResourceNotFoundException e) {
      return Optional.empty();
    }
    String logUri = null;
    if (run.configurationOverrides() != null && run.configurationOverrides().monitoringConfiguration() != null
        && run.configurationOverrides().monitoringConfiguration().s3MonitoringConfiguration() != null) {
      logUri = run.configurationOverrides().monitoringConfiguration().s3MonitoringConfiguration().logUri();
    }
    return Optional.of(new EksJobRun(run.hasTags() ? run.tags() : java.util.Map.of(), run.failureReasonAsString(),
        run.stateDetails(), logUri));
  }

  @Override
  public void close() {
    serverlessClients.close();
    emrClients.close();
    containersClients.close();
  }
}
