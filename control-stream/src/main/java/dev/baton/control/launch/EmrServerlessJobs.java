package dev.baton.control.launch;

import static java.util.Objects.requireNonNull;

import dev.baton.schemas.AttemptName;
import java.time.Instant;
import java.util.Comparator;
import java.util.Optional;
import software.amazon.awssdk.services.emrserverless.EmrServerlessClient;
import software.amazon.awssdk.services.emrserverless.model.CloudWatchLoggingConfiguration;
import software.amazon.awssdk.services.emrserverless.model.ConfigurationOverrides;
import software.amazon.awssdk.services.emrserverless.model.JobDriver;
import software.amazon.awssdk.services.emrserverless.model.JobRun;
import software.amazon.awssdk.services.emrserverless.model.JobRunSummary;
import software.amazon.awssdk.services.emrserverless.model.MonitoringConfiguration;
import software.amazon.awssdk.services.emrserverless.model.ResourceNotFoundException;
import software.amazon.awssdk.services.emrserverless.model.S3MonitoringConfiguration;
import software.amazon.awssdk.services.emrserverless.model.SparkSubmit;
import software.amazon.awssdk.services.emrserverless.model.StartJobRunRequest;

/**
 * EMR Serverless job runs of one application ({@code application-id}) through the {@code emr-serverless}
 * API: {@code StartJobRun} (name = the attempt, {@code clientToken}, {@code executionRoleArn}, tags, {@code
 * jobDriver.sparkSubmit}, S3 monitoring to {@code log-uri}, {@code executionTimeoutMinutes} from the
 * stage's timeout; CloudWatch logging to {@code log-group}), {@code GetJobRun}, {@code ListJobRuns} (no name filter: runs created since a time,
 * matched by name here) and {@code CancelJobRun}.
 * <a href="https://docs.aws.amazon.com/emr-serverless/latest/APIReference/API_StartJobRun.html">API reference</a>.
 */
final class EmrServerlessJobs implements EmrJobs {
  private final EmrServerlessClient client;
  private final String applicationId;
  private final String executionRoleArn;
  private final String logUri;
  private final String logGroup;

  EmrServerlessJobs(EmrServerlessClient client, EmrLauncherSettings settings) {
    this.client = requireNonNull(client, "Invalid client: null");
    this.applicationId = requireNonNull(settings.id("application-id"), "Invalid settings: no application-id");
    this.executionRoleArn = requireNonNull(settings.id("execution-role-arn"), "Invalid settings: no execution-role-arn");
    this.logUri = settings.id("log-uri");
    this.logGroup = settings.id("log-group");
  }

  static EmrServerlessJobs create(EmrLauncherSettings settings) {
    return new EmrServerlessJobs(EmrClients.build(EmrServerlessClient.builder(), settings), settings);
  }

  @Override
  public String kind() {
    return "EMR Serverless job run";
  }

  @Override
  public String errorTypePrefix() {
    return "EMR_SERVERLESS_"; // as the event connector names a job run's final state
  }

  @Override
  public String start(JobSubmission submission) {
    StartJobRunRequest.Builder request = StartJobRunRequest.builder()
        .applicationId(applicationId)
        .clientToken(submission.clientToken())
        .name(submission.name().toString())
        .executionRoleArn(executionRoleArn)
        .tags(submission.tags())
        .jobDriver(JobDriver.builder().sparkSubmit(SparkSubmit.builder()
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
        monitoring.cloudWatchLoggingConfiguration(CloudWatchLoggingConfiguration.builder().enabled(true)
            .logGroupName(logGroup).logStreamNamePrefix(submission.name().pipeline()).build());
      }
      request.configurationOverrides(ConfigurationOverrides.builder().monitoringConfiguration(monitoring.build()).build());
    }
    if (submission.timeoutMs() != null) {
      request.executionTimeoutMinutes(Math.max(1, (submission.timeoutMs() + 59_999) / 60_000));
    }
    return client.startJobRun(request.build()).jobRunId();
  }

  @Override
  public Optional<JobStatus> describe(String jobId) {
    JobRun run;
    try {
      run = client.getJobRun(request -> request.applicationId(applicationId).jobRunId(jobId)).jobRun();
    } catch (ResourceNotFoundException e) {
      return Optional.empty();
    }
    return Optional.of(status(run.jobRunId(), run.stateAsString(), run.stateDetails()));
  }

  @Override
  public Optional<JobStatus> find(AttemptName name, Instant createdAfter) {
    return client.listJobRunsPaginator(request -> request.applicationId(applicationId).createdAtAfter(createdAfter))
        .jobRuns().stream()
        .filter(run -> name.toString().equals(run.name()))
        .max(Comparator.comparing(JobRunSummary::createdAt))
        .map(run -> status(run.id(), run.stateAsString(), run.stateDetails()));
  }

  @Override
  public void cancel(String jobId) {
    client.cancelJobRun(request -> request.applicationId(applicationId).jobRunId(jobId));
  }

  private JobStatus status(String jobRunId, String state, String details) {
    Phase phase = switch (state) {
      case "SUCCESS" -> Phase.SUCCEEDED;
      case "FAILED" -> Phase.FAILED;
      case "CANCELLED" -> Phase.CANCELLED;
      default -> Phase.ACTIVE; // SUBMITTED, PENDING, SCHEDULED, RUNNING, CANCELLING, QUEUED and any new state
    };
    // where EMR Serverless writes a job run's logs under the monitoring logUri
    String logs = logUri == null ? null
        : logUri.replaceAll("/+$", "") + "/applications/" + applicationId + "/jobs/" + jobRunId + "/";
    return new JobStatus(jobRunId, phase, state, details, logs);
  }

  @Override
  public void close() {
    client.close();
  }
}
