package dev.baton.control.launch;

import static java.util.Objects.requireNonNull;

import dev.baton.schemas.AttemptName;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import software.amazon.awssdk.services.emr.EmrClient;
import software.amazon.awssdk.services.emr.model.ActionOnFailure;
import software.amazon.awssdk.services.emr.model.AddJobFlowStepsRequest;
import software.amazon.awssdk.services.emr.model.FailureDetails;
import software.amazon.awssdk.services.emr.model.HadoopJarStepConfig;
import software.amazon.awssdk.services.emr.model.Step;
import software.amazon.awssdk.services.emr.model.StepConfig;
import software.amazon.awssdk.services.emr.model.StepStatus;
import software.amazon.awssdk.services.emr.model.StepSummary;

/**
 * Steps of one EMR on EC2 cluster ({@code cluster-id}) through the EMR API: {@code AddJobFlowSteps} with
 * {@code command-runner.jar spark-submit --deploy-mode cluster …}, step name = the attempt name, {@code
 * ActionOnFailure=CONTINUE} (a failed stage must not terminate the cluster; Baton decides what follows);
 * {@code DescribeStep}, {@code ListSteps} matched by name, {@code CancelSteps}.
 * <a href="https://docs.aws.amazon.com/emr/latest/APIReference/API_AddJobFlowSteps.html">API reference</a>.
 *
 * <p>{@code AddJobFlowSteps} has no client token: {@link #start} first looks for a step of the attempt's
 * name and adds one only when there is none, and the AWS SDK does not send it again by itself; so the
 * launcher asking again after a lost answer finds the step the first request added (unless EMR had not
 * yet listed it: the one window this API leaves open).
 */
final class EmrStepJobs implements EmrJobs {
  /** How far back {@link #start} looks for a step of the attempt's name (ListSteps lists the newest first). */
  static final java.time.Duration START_LOOKBACK = java.time.Duration.ofDays(1);
  /** The jar that runs a command on the cluster's primary node (EMR 4.x and later). */
  static final String COMMAND_RUNNER = "command-runner.jar";

  private final EmrClient client;
  /** AddJobFlowSteps only: without the SDK's retries, which would add a second step after a lost answer. */
  private final EmrClient adder;
  private final String clusterId;
  private final String executionRoleArn;

  EmrStepJobs(EmrClient client, EmrClient adder, EmrLauncherSettings settings) {
    this.client = requireNonNull(client, "Invalid client: null");
    this.adder = requireNonNull(adder, "Invalid adder: null");
    this.clusterId = requireNonNull(settings.id("cluster-id"), "Invalid settings: no cluster-id");
    this.executionRoleArn = settings.id("execution-role-arn");
  }

  static EmrStepJobs create(EmrLauncherSettings settings) {
    return new EmrStepJobs(EmrClients.build(EmrClient.builder(), settings),
        EmrClients.build(EmrClient.builder(), settings, false), settings);
  }

  @Override
  public String kind() {
    return "EMR step";
  }

  @Override
  public String errorTypePrefix() {
    return "EMR_STEP_"; // as the event connector names a step's final state
  }

  /** {@code spark-submit --deploy-mode cluster <options> <entry point> <arguments>}: the step's command. */
  static List<String> command(JobSubmission submission) {
    List<String> command = new ArrayList<>(List.of("spark-submit", "--deploy-mode", "cluster"));
    command.addAll(submission.sparkSubmitOptions());
    command.add(submission.entryPoint());
    command.addAll(submission.arguments());
    return command;
  }

  @Override
  public String start(JobSubmission submission) {
    // a step of this attempt added by an earlier request of this start, or by a controller before a restart
    Optional<JobStatus> existing = find(submission.name(), Instant.now().minus(START_LOOKBACK));
    if (existing.isPresent()) {
      return existing.get().jobId();
    }
    AddJobFlowStepsRequest.Builder request = AddJobFlowStepsRequest.builder().jobFlowId(clusterId)
        .steps(StepConfig.builder().name(submission.name().toString()).actionOnFailure(ActionOnFailure.CONTINUE)
            .hadoopJarStep(HadoopJarStepConfig.builder().jar(COMMAND_RUNNER).args(command(submission)).build()).build());
    if (executionRoleArn != null) {
      request.executionRoleArn(executionRoleArn);
    }
    return adder.addJobFlowSteps(request.build()).stepIds().get(0);
  }

  /** Empty when EMR answers {@code InvalidRequestException} (its answer for a step id it does not know). */
  @Override
  public Optional<JobStatus> describe(String jobId) {
    Step step;
    try {
      step = client.describeStep(request -> request.clusterId(clusterId).stepId(jobId)).step();
    } catch (software.amazon.awssdk.services.emr.model.InvalidRequestException e) {
      return Optional.empty();
    }
    return Optional.of(status(step.id(), step.status()));
  }

  /**
   * ListSteps has no name or time filter; it lists the newest first, so the pages are read only down to
   * {@code createdAfter}.
   */
  @Override
  public Optional<JobStatus> find(AttemptName name, Instant createdAfter) {
    return client.listStepsPaginator(request -> request.clusterId(clusterId)).steps().stream()
        .takeWhile(step -> step.status() == null || step.status().timeline() == null
            || step.status().timeline().creationDateTime() == null
            || !step.status().timeline().creationDateTime().isBefore(createdAfter))
        .filter(step -> name.toString().equals(step.name()))
        .findFirst()
        .map(this::status);
  }

  @Override
  public void cancel(String jobId) {
    client.cancelSteps(request -> request.clusterId(clusterId).stepIds(jobId).stepCancellationOption("SEND_INTERRUPT"));
  }

  private JobStatus status(StepSummary step) {
    return status(step.id(), step.status());
  }

  private JobStatus status(String stepId, StepStatus status) {
    String state = status.stateAsString();
    Phase phase = switch (state) {
      case "COMPLETED" -> Phase.SUCCEEDED;
      case "FAILED", "INTERRUPTED" -> Phase.FAILED;
      case "CANCELLED" -> Phase.CANCELLED;
      default -> Phase.ACTIVE; // PENDING, CANCEL_PENDING, RUNNING and any new state
    };
    FailureDetails failure = status.failureDetails();
    String details = failure == null ? null
        : String.join(": ", java.util.stream.Stream.of(failure.reason(), failure.message())
            .filter(part -> part != null && !part.isBlank()).toList());
    return new JobStatus(stepId, phase, state, details, failure == null ? null : failure.logFile());
  }

  @Override
  public void close() {
    client.close();
    adder.close();
  }
}
