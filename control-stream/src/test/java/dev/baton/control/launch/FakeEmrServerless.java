package dev.baton.control.launch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The EMR Serverless API of one application, played by a local HTTP server for the real AWS SDK
 * client: {@code StartJobRun} (idempotent on {@code clientToken}, as AWS documents), {@code GetJobRun},
 * {@code ListJobRuns} (newest first, {@code createdAtAfter}) and {@code CancelJobRun}, answering with the
 * shapes of the API reference, taken from the fixtures in {@code examples/events/} ({@code
 * emr-serverless-start-job-run-response.json}, {@code emr-serverless-get-job-run-response-failed.json},
 * {@code emr-serverless-list-job-runs-response.json}, {@code emr-serverless-cancel-job-run-response.json};
 * their README names the pages) and AWS's REST-JSON error shape ({@code x-amzn-ErrorType}, {@code
 * {"message": …}}). A test scripts failures of the next StartJobRun requests ({@link #failNextStart}) and
 * moves job runs through their states ({@link #setState}).
 */
public final class FakeEmrServerless extends FakeAwsApi {
  public static final String APPLICATION_ID = "00fkq2m8u3gbv60b";
  private static final Pattern JOB_RUNS = Pattern.compile("/applications/([0-9a-z]+)/jobruns");
  private static final Pattern JOB_RUN = Pattern.compile("/applications/([0-9a-z]+)/jobruns/([0-9a-z]+)");

  /** What the next StartJobRun does instead of answering normally. */
  public enum StartFailure {
    /** 400 {@code ThrottlingException} (the SDK's adaptive retry mode retries it). */
    THROTTLING,
    /** 400 {@code ValidationException}. */
    VALIDATION,
    /** 403 {@code AccessDeniedException}. */
    ACCESS_DENIED,
    /** The job run is created, then the connection is closed without an answer: a lost response. */
    LOST_RESPONSE,
    /** The job run is created, then the answer is 500 {@code InternalServerException}. */
    SERVER_ERROR
  }

  /** One job run the fake knows. */
  public static final class JobRun {
    public final String id;
    public final String name;
    public final String clientToken;
    public final JsonNode startRequest;
    public final Instant createdAt;
    public volatile String state = "SUBMITTED";
    public volatile String stateDetails = "";

    JobRun(String id, String name, String clientToken, JsonNode startRequest, Instant createdAt) {
      this.id = id;
      this.name = name;
      this.clientToken = clientToken;
      this.startRequest = startRequest;
      this.createdAt = createdAt;
    }
  }

  private final Map<String, JobRun> runs = new ConcurrentHashMap<>(); // by id
  private final Deque<StartFailure> startFailures = new ConcurrentLinkedDeque<>();
  private final AtomicInteger sequence = new AtomicInteger();
  private final List<Consumer<JobRun>> onStart = new CopyOnWriteArrayList<>();
  private final JsonNode jobRunShape;

  /**
   * @param fixtures the folder of the AWS fixtures ({@code examples/events})
   */
  public FakeEmrServerless(Path fixtures) throws IOException {
    jobRunShape = JSON.readTree(Files.readString(fixtures.resolve("emr-serverless-get-job-run-response-failed.json")))
        .get("jobRun");
  }

  /** Makes the next StartJobRun requests fail, in this order. */
  public void failNextStart(StartFailure... failures) {
    startFailures.addAll(List.of(failures));
  }

  /** Called with each job run StartJobRun creates (not with one a repeated token returns). */
  public void onStart(Consumer<JobRun> listener) {
    onStart.add(listener);
  }

  public void setState(String jobRunId, String state, String stateDetails) {
    JobRun run = runs.get(jobRunId);
    run.state = state;
    run.stateDetails = stateDetails;
  }

  /** Forgets a job run, as AWS does some time after it ended: GetJobRun answers 404. */
  public void forget(String jobRunId) {
    runs.remove(jobRunId);
  }

  /** The requests of one operation: {@code POST}, {@code GET}, {@code DELETE} with or without a job run id. */
  public List<Request> requests(String method, boolean withJobRunId) {
    return requests().stream().filter(request -> request.method().equals(method)
        && JOB_RUN.matcher(request.path()).matches() == withJobRunId).toList();
  }

  /** The job runs created, oldest first. */
  public List<JobRun> jobRuns() {
    List<JobRun> all = new ArrayList<>(runs.values());
    all.sort(java.util.Comparator.comparing((JobRun run) -> run.createdAt).thenComparing(run -> run.id));
    return all;
  }

  public Optional<JobRun> jobRunNamed(String name) {
    return jobRuns().stream().filter(run -> name.equals(run.name)).reduce((first, second) -> second);
  }

  @Override
  protected void handle(HttpExchange exchange, Request request) throws IOException {
    String path = request.path();
    String method = request.method();
    Matcher one = JOB_RUN.matcher(path);
    Matcher all = JOB_RUNS.matcher(path);
    if (one.matches() && !one.group(1).equals(APPLICATION_ID) || all.matches() && !all.group(1).equals(APPLICATION_ID)) {
      error(exchange, 404, "ResourceNotFoundException", "Application does not exist");
    } else if (method.equals("POST") && all.matches()) {
      start(exchange, request.body());
    } else if (method.equals("GET") && one.matches()) {
      JobRun run = runs.get(one.group(2));
      if (run == null) {
        error(exchange, 404, "ResourceNotFoundException", "Job run " + one.group(2) + " does not exist");
      } else {
        answer(exchange, JSON.createObjectNode().set("jobRun", jobRun(run)));
      }
    } else if (method.equals("GET") && all.matches()) {
      list(exchange);
    } else if (method.equals("DELETE") && one.matches()) {
      JobRun run = runs.get(one.group(2));
      if (run == null) {
        error(exchange, 404, "ResourceNotFoundException", "Job run " + one.group(2) + " does not exist");
      } else {
        if (!List.of("SUCCESS", "FAILED", "CANCELLED").contains(run.state)) {
          run.state = "CANCELLED";
          run.stateDetails = "Job run cancelled by user request";
        }
        answer(exchange, JSON.createObjectNode().put("applicationId", APPLICATION_ID).put("jobRunId", run.id));
      }
    } else {
      error(exchange, 400, "ValidationException", "Unsupported request " + method + " " + path);
    }
  }

  private void start(HttpExchange exchange, JsonNode request) throws IOException {
    StartFailure failure = startFailures.poll();
    if (failure == StartFailure.THROTTLING) {
      error(exchange, 400, "ThrottlingException", "Rate exceeded");
      return;
    }
    if (failure == StartFailure.VALIDATION) {
      error(exchange, 400, "ValidationException", "Job driver entry point must be an S3 URI");
      return;
    }
    if (failure == StartFailure.ACCESS_DENIED) {
      error(exchange, 403, "AccessDeniedException", "User: arn:aws:sts::123456789012:assumed-role/baton-controller/s"
          + " is not authorized to perform: iam:PassRole on resource: arn:aws:iam::123456789012:role/baton-emr-serverless-job");
      return;
    }
    String token = request.path("clientToken").asText();
    // StartJobRun is idempotent on clientToken: the same token is the same job run
    JobRun run = runs.values().stream().filter(existing -> existing.clientToken.equals(token)).findFirst().orElse(null);
    if (run == null) {
      String id = String.format("00fkq%011d", sequence.incrementAndGet());
      run = new JobRun(id, request.path("name").asText(null), token, request, Instant.now());
      runs.put(id, run);
      JobRun created = run;
      onStart.forEach(listener -> listener.accept(created));
    }
    if (failure == StartFailure.LOST_RESPONSE) {
      noAnswer(exchange);
      return;
    }
    if (failure == StartFailure.SERVER_ERROR) {
      error(exchange, 500, "InternalServerException", "Internal server error");
      return;
    }
    answer(exchange, JSON.createObjectNode().put("applicationId", APPLICATION_ID).put("jobRunId", run.id)
        .put("arn", arn(run.id)));
  }

  private void list(HttpExchange exchange) throws IOException {
    String query = exchange.getRequestURI().getQuery();
    Instant after = Instant.EPOCH;
    if (query != null) {
      for (String parameter : query.split("&")) {
        if (parameter.startsWith("createdAtAfter=")) {
          after = Instant.parse(parameter.substring("createdAtAfter=".length()));
        }
      }
    }
    Instant createdAfter = after;
    var summaries = JSON.createArrayNode();
    List<JobRun> newestFirst = new ArrayList<>(jobRuns());
    java.util.Collections.reverse(newestFirst);
    for (JobRun run : newestFirst) {
      if (!run.createdAt.isBefore(createdAfter)) {
        ObjectNode summary = JSON.createObjectNode().put("applicationId", APPLICATION_ID).put("id", run.id);
        if (run.name != null) {
          summary.put("name", run.name);
        }
        summary.put("mode", "BATCH").put("arn", arn(run.id)).put("createdBy", jobRunShape.get("createdBy").asText())
            .put("createdAt", run.createdAt.toEpochMilli() / 1000.0).put("updatedAt", run.createdAt.toEpochMilli() / 1000.0)
            .put("executionRole", run.startRequest.path("executionRoleArn").asText()).put("state", run.state)
            .put("stateDetails", run.stateDetails).put("releaseLabel", "emr-7.5.0").put("type", "Spark")
            .put("attempt", 1);
        summaries.add(summary);
      }
    }
    answer(exchange, JSON.createObjectNode().set("jobRuns", summaries));
  }

  /** The fixture's JobRun with this job run's values. */
  private ObjectNode jobRun(JobRun run) {
    ObjectNode node = jobRunShape.deepCopy();
    node.put("jobRunId", run.id).put("arn", arn(run.id)).put("state", run.state).put("stateDetails", run.stateDetails)
        .put("createdAt", run.createdAt.toEpochMilli() / 1000.0)
        .put("executionRole", run.startRequest.path("executionRoleArn").asText());
    if (run.name == null) {
      node.remove("name");
    } else {
      node.put("name", run.name);
    }
    node.set("jobDriver", run.startRequest.get("jobDriver"));
    if (run.startRequest.has("configurationOverrides")) {
      node.set("configurationOverrides", run.startRequest.get("configurationOverrides"));
    } else {
      node.remove("configurationOverrides");
    }
    node.set("tags", run.startRequest.get("tags"));
    return node;
  }

  private static String arn(String id) {
    return "arn:aws:emr-serverless:us-east-1:123456789012:/applications/" + APPLICATION_ID + "/jobruns/" + id;
  }

  private static void answer(HttpExchange exchange, JsonNode body) throws IOException {
    answer(exchange, "application/json", body);
  }

  private static void error(HttpExchange exchange, int status, String type, String message) throws IOException {
    restJsonError(exchange, status, type, message);
  }

}
