package dev.baton.connect.s3;

import java.net.URI;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.emrserverless.EmrServerlessClient;
import software.amazon.awssdk.services.emrserverless.EmrServerlessClientBuilder;
import software.amazon.awssdk.services.emrserverless.model.ResourceNotFoundException;

/**
 * {@link JobRunLookup} with EMR Serverless GetJobRun ({@code GET /applications/{applicationId}/jobruns/{jobRunId}},
 * docs.aws.amazon.com/emr-serverless/latest/APIReference/API_GetJobRun.html): {@code jobRun.name},
 * {@code jobRun.stateDetails} and
 * {@code jobRun.configurationOverrides.monitoringConfiguration.s3MonitoringConfiguration.logUri}.
 * One client per region (the event's), AWS default credentials chain; needs
 * {@code emr-serverless:GetJobRun}. Thread-safe.
 */
final class EmrServerlessJobRuns implements JobRunLookup, AutoCloseable {
  private final String endpoint;
  private final Map<String, EmrServerlessClient> clients = new ConcurrentHashMap<>();

  /** @param endpoint endpoint override (e.g. a VPC endpoint); empty for the region's */
  EmrServerlessJobRuns(String endpoint) {
    this.endpoint = endpoint;
  }

  @Override
  public Optional<JobRunLookup.JobRun> find(String region, String applicationId, String jobRunId) {
    EmrServerlessClient client = clients.computeIfAbsent(region, this::client);
    software.amazon.awssdk.services.emrserverless.model.JobRun run; // not JobRunLookup.JobRun
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
    return Optional.of(new JobRunLookup.JobRun(run.name(), run.stateDetails(), logUri));
  }

  private EmrServerlessClient client(String region) {
    EmrServerlessClientBuilder builder = EmrServerlessClient.builder()
        .httpClientBuilder(UrlConnectionHttpClient.builder())
        .region(Region.of(region))
        .credentialsProvider(DefaultCredentialsProvider.create());
    if (!endpoint.isBlank()) {
      builder.endpointOverride(URI.create(endpoint));
    }
    return builder.build();
  }

  @Override
  public void close() {
    clients.values().forEach(EmrServerlessClient::close);
  }
}
