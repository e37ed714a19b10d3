package dev.baton.control.launch;

import static java.util.Objects.requireNonNull;

import dev.baton.schemas.AttemptName;
import java.time.Instant;
import java.util.Comparator;
import java.util.Optional;
import software.amazon.awssdk.services.emrcontainers.EmrContainersClient;
import software.amazon.awssdk.services.emrcontainers.model.CloudWatchMonitoringConfiguration;
import software.amazon.awssdk.services.emrcontainers.model.ConfigurationOverrides;
import software.amazon.awssdk.services.emrcontainers.model.JobDriver;
import software.amazon.awssdk.services.emrcontainers.model.JobRun;
import software.amazon.awssdk.services.emrcontainers.model.MonitoringConfiguration;
import software.amazon.awssdk.services.emrcontainers.model.ResourceNotFoundException;
import software.amazon.awssdk.services.emrcontainers.model.S3MonitoringConfiguration;
import software.amazon.awssdk.services.emrcontainers.model.SparkSubmitJobDriver;
import software.amazon.awssdk.services.emrcontainers.model.StartJobRunRequest;

/**
 * EMR on EKS job runs on one virtual cluster ({@code virtual-cluster-id}) through the {@code
 * emr-containers} API: {@code StartJobRun} ({@code clientToken}, {@code releaseLabel}, {@code
 * executionRoleArn}, tags, {@code jobDriver.sparkSubmitJobDriver}, S3 monitoring to {@code log-uri}, CloudWatch to {@code log-group}; no
 * {@code retryPolicyConfiguration}: Baton retries with a new attempt), {@code DescribeJobRun}, {@code
 * ListJobRuns} filtered by name, and {@code CancelJobRun}.
 * <a href="https://docs.aws.amazon.com/emr-on-eks/latest/APIReference/API_StartJobRun.html">API reference</a>.
 *
 * <p>A job run's name takes 1–64 characters of {@code [.\-_/#A-Za-z0-9]}, so it cannot be the attempt
 * name ({@code baton:…}, up to 177 characters): it is {@code baton-<client token>} ({@link #jobName}),
 * derived from the attempt as the token is, and the attempt is in the tags.
 */
final class EmrContainersJobs implements EmrJobs {
  private final EmrContainersClient client;
  private final String virtualClusterId;
  private final String releaseLabel;
  private final String executionRoleArn;
  private final String logUri;
  private final String logGroup;

  EmrContainersJobs(EmrContainersClient client, EmrLauncherSettings settings) {
    this.client = requireNonNull(client, "Invalid client: null");
    this.virtualClusterId = requireNonNull(settings.id("virtual-cluster-id"), "Invalid settings: no virtual-cluster-id");
    this.releaseLabel = requireNonNull(settings.id("release-label"), "Invalid settings: no release-label");
    this.executionRoleArn = requireNonNull(settings.id("execution-role-arn"), "Invalid settings: no execution-role-arn");
    this.logUri = settings.id("log-uri");
    this.logGroup = settings.id("log-group");
  }

  static EmrContainersJobs create(EmrLauncherSettings settings) {
    return new EmrContainersJobs(EmrClients.build(EmrContainersClient.builder(), settings), settings);
  }

  /** The job run name of an attempt: {@code baton-} and its client token (42 characters). */
  static String jobName(AttemptName name) {
    return "baton-" + EmrJobLauncher.clientToken(name.runId() + "/" + name.stage() + "/" + name.attempt());
  }

  @Override
  public String kind() {
    return "EMR on EKS job run";
  }

  @Override
  public String errorTypePrefix() {
    return "EMR_CONTAINERS_";
  }

  @Override
  public String start(JobSubmission submission) {
    StartJobRunRequest.Builder request = StartJobRunRequest.builder()
        .virtualClusterId(virtualClusterId)
        .clientToken(submission.clientToken())
        .name(jobName(submission.name()))
        .releaseLabel(releaseLabel)
        .executionRoleArn(executionRoleArn)
        .tags(submission.tags())
        .jobDriver(JobDriver.builder().sparkSubmitJobDriver(SparkSubmitJobDriver.builder()
            .entryPoint(submission.entryPoint())
            .entryPointArguments(submission.arguments())
            .sparkSubmitParameters(EmrJobs.sparkSubmitParameters(submission))
            .build()).build());
    if (logUri != null || logGroup != null) {
      MonitoringConfiguration.Builder monitoring = MonitoringConfiguration.builder();
      if (logUri != null) {
        monitoring.s3MonitoringConfiguration(S3MonitoringConfiguration.builder().logUri(logUri).build());
      }
      if (logGroup != null) {
        monitoring.cloudWatchMonitoringConfiguration(CloudWatchMonitoringConfiguration.builder().logGroupName(logGroup)
            .logStreamNamePrefix(submission.name().pipeline()).build());
      }
      request.configurationOverrides(ConfigurationOverrides.builder().monitoringConfiguration(monitoring.build()).build());
    }
    return client.startJobRun(request.build()).id();
  }

  @Override
  public Optional<JobStatus> describe(String jobId) {
    try {
      return Optional.of(status(client.describeJobRun(request -> request.virtualClusterId(virtualClusterId).id(jobId))
          .jobRun()));
    } catch (ResourceNotFoundException e) {
      return Optional.empty();
    }
  }

  @Override
  public Optional<JobStatus> find(AttemptName name, Instant createdAfter) {
    return client.listJobRunsPaginator(request -> request.virtualClusterId(virtualClusterId).name(jobName(name))
            .createdAfter(createdAfter))
        .jobRuns().stream()
        .max(Comparator.comparing(JobRun::createdAt, Comparator.nullsFirst(Comparator.naturalOrder())))
        .map(this::status);
  }

  @Override
  public void cancel(String jobId) {
    client.cancelJobRun(request -> request.virtualClusterId(virtualClusterId).id(jobId));
  }

  private JobStatus status(JobRun run) {
    String state = run.stateAsString();
    Phase phase = switch (state) {
      case "COMPLETED" -> Phase.SUCCEEDED;
      case "FAILED" -> Phase.FAILED;
      case "CANCELLED" -> Phase.CANCELLED;
      default -> Phase.ACTIVE; // PENDING, SUBMITTED, RUNNING, CANCEL_PENDING and any new state
    };
    String details = run.failureReasonAsString() == null ? run.stateDetails()
        : run.failureReasonAsString() + (run.stateDetails() == null ? "" : " " + run.stateDetails());
    // EMR on EKS writes a job run's logs under <logUri>/<virtual cluster id>/jobs/<job run id>/
    String logs = logUri == null ? null
        : logUri.replaceAll("/+$", "") + "/" + virtualClusterId + "/jobs/" + run.id() + "/";
    return new JobStatus(run.id(), phase, state, details, logs);
  }

  @Override
  public void close() {
    client.close();
  }
}
