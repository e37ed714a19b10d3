package dev.baton.control.launch;

import static java.util.Objects.requireNonNull;

import dev.baton.schemas.AttemptName;
import dev.baton.stages.spi.InvalidStageOptionsException;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One EMR flavour's job API as {@link EmrJobLauncher} uses it: start a Spark job for an attempt,
 * describe it, find it by the attempt's name, cancel it. Implementations call AWS through the AWS SDK
 * v2 and let its exceptions through ({@code AwsServiceException} for an answer, {@code
 * SdkClientException} for none); the launcher classifies them.
 */
interface EmrJobs extends AutoCloseable {

  /** What one job is called in messages, e.g. {@code EMR Serverless job run}. */
  String kind();

  /** The prefix of the error types of failed jobs, as the event connector names them, e.g. {@code EMR_SERVERLESS_}. */
  String errorTypePrefix();

  /**
   * Starts the job. Idempotent: the same {@link JobSubmission#clientToken()} (or, where the API
   * has no token, the same name) yields the same job.
   *
   * @return the job's id
   */
  String start(JobSubmission submission);

  /** The job's status, or empty when the API does not know the job. */
  Optional<JobStatus> describe(String jobId);

  /**
   * The job named {@code name} created at or after {@code createdAfter}, the newest if several; empty
   * when there is none.
   */
  Optional<JobStatus> find(AttemptName name, Instant createdAfter);

  /** Asks the API to stop the job; a job that has ended is left as it is. */
  void cancel(String jobId);

  @Override
  void close();

  /**
   * Everything one attempt's job is started with.
   *
   * @param name the attempt, whose {@link AttemptName#toString()} names the job
   * @param clientToken the idempotency token, derived from the attempt ({@link EmrJobLauncher#clientToken})
   * @param entryPoint the application's jar or Python file (an {@code s3://} URI or a path in the image)
   * @param mainClass the main class of a jar, null for Python
   * @param arguments the application's arguments
   * @param sparkConf Spark settings (profile, then the stage's)
   * @param jars {@code --jars}
   * @param files {@code --files}
   * @param pyFiles {@code --py-files}
   * @param packages {@code --packages}
   * @param timeoutMs the stage's timeout, ms; null for none
   * @param tags the job's tags ({@link EmrJobLauncher#tags})
   * @throws InvalidStageOptionsException naming the option when a Spark setting, jar, file or package holds whitespace
   */
  record JobSubmission(AttemptName name, String clientToken, String entryPoint, String mainClass,
      List<String> arguments, Map<String, String> sparkConf, List<String> jars, List<String> files,
      List<String> pyFiles, List<String> packages, Long timeoutMs, Map<String, String> tags) {
    public JobSubmission {
      requireNonNull(name, "Invalid name: null");
      requireNonNull(clientToken, "Invalid clientToken: null");
      requireNonNull(entryPoint, "Invalid entryPoint: null");
      arguments = List.copyOf(arguments);
      sparkConf = Map.copyOf(sparkConf);
      jars = List.copyOf(jars);
      files = List.copyOf(files);
      pyFiles = List.copyOf(pyFiles);
      packages = List.copyOf(packages);
      tags = Map.copyOf(tags);
      // EMR Serverless and EMR on EKS take spark-submit's options as one space-separated string
      requireNoWhitespace("mainClass", mainClass == null ? List.of() : List.of(mainClass));
      sparkConf.forEach((key, value) -> requireNoWhitespace("conf." + key, List.of(key, value)));
      requireNoWhitespace("jars", jars);
      requireNoWhitespace("files", files);
      requireNoWhitespace("pyFiles", pyFiles);
      requireNoWhitespace("packages", packages);
    }

    private static void requireNoWhitespace(String option, List<String> values) {
      for (String value : values) {
        if (value.chars().anyMatch(Character::isWhitespace)) {
          // the value is not repeated: a Spark setting may hold a secret
          throw new InvalidStageOptionsException(option, "cannot hold whitespace on EMR, which takes spark-submit's"
              + " options as one space-separated string");
        }
      }
    }

    /**
     * {@code spark-submit}'s options for this job, in its syntax: {@code --class}, one {@code --conf
     * key=value} per setting (sorted by key), {@code --jars}, {@code --files}, {@code --py-files}, {@code
     * --packages} (comma-separated). The entry point and arguments are not included.
     */
    List<String> sparkSubmitOptions() {
      List<String> options = new java.util.ArrayList<>();
      if (mainClass != null) {
        options.addAll(List.of("--class", mainClass));
      }
      new java.util.TreeMap<>(sparkConf).forEach((key, value) -> options.addAll(List.of("--conf", key + "=" + value)));
      addList(options, "--jars", jars);
      addList(options, "--files", files);
      addList(options, "--py-files", pyFiles);
      addList(options, "--packages", packages);
      return options;
    }

    private static void addList(List<String> options, String option, List<String> values) {
      if (!values.isEmpty()) {
        options.addAll(List.of(option, String.join(",", values)));
      }
    }
  }

  /** {@link JobSubmission#sparkSubmitOptions()} as one space-separated string ({@code sparkSubmitParameters}). */
  static String sparkSubmitParameters(JobSubmission submission) {
    return String.join(" ", submission.sparkSubmitOptions());
  }

  /** Where a job is in its life. */
  enum Phase {
    /** Not ended: submitted, queued, pending, running, being cancelled. */
    ACTIVE,
    SUCCEEDED,
    FAILED,
    CANCELLED
  }

  /**
   * One job as the API describes it.
   *
   * @param jobId the job's id (job run id, step id)
   * @param phase where it is
   * @param state the API's own state, e.g. {@code FAILED}
   * @param details why it ended, as the API says (state details, failure reason and message), or null
   * @param logUri where its logs are, or null when the API does not say
   */
  record JobStatus(String jobId, Phase phase, String state, String details, String logUri) {
    public JobStatus {
      requireNonNull(jobId, "Invalid jobId: null");
      requireNonNull(phase, "Invalid phase: null");
      requireNonNull(state, "Invalid state: null");
    }
  }
}
