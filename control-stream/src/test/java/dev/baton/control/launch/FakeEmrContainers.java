package dev.baton.control.launch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The EMR on EKS ({@code emr-containers}) API of one virtual cluster, played locally: {@code
 * StartJobRun} (idempotent on {@code clientToken}; a name outside the documented {@code
 * [.\-_/#A-Za-z0-9]{1,64}} is a 400 ValidationException, as the service model says), {@code
 * DescribeJobRun} (an unknown id is ResourceNotFoundException with HTTP 400, per the model), {@code
 * ListJobRuns} (filtered by {@code name} and {@code createdAfter}, ISO 8601 times) and {@code
 * CancelJobRun}; job runs shaped as {@code examples/events/emr-containers-describe-job-run-response.json}.
 */
public final class FakeEmrContainers extends FakeAwsApi {
  public static final String VIRTUAL_CLUSTER_ID = "kzf1a2b3c4d5e6f7g8h9i0j1k";
  private static final Pattern JOB_RUNS = Pattern.compile("/virtualclusters/([0-9a-z]+)/jobruns");
  private static final Pattern JOB_RUN = Pattern.compile("/virtualclusters/([0-9a-z]+)/jobruns/([0-9a-z]+)");
  private static final Pattern NAME = Pattern.compile("[.\\-_/#A-Za-z0-9]{1,64}");

  /** One job run the fake knows. */
  public static final class JobRun {
    public final String id;
    public final JsonNode startRequest;
    public final Instant createdAt;
    public volatile String state = "PENDING";
    public volatile String failureReason;
    public volatile String stateDetails;

    JobRun(String id, JsonNode startRequest, Instant createdAt) {
      this.id = id;
      this.startRequest = startRequest;
      this.createdAt = createdAt;
    }
  }

  private final Map<String, JobRun> runs = new ConcurrentHashMap<>();
  private final List<java.util.function.Consumer<JobRun>> onStart = new java.util.concurrent.CopyOnWriteArrayList<>();
  private final AtomicInteger sequence = new AtomicInteger();
  private final JsonNode jobRunShape;

  /** @param fixtures the folder of the AWS fixtures ({@code examples/events}) */
  public FakeEmrContainers(Path fixtures) throws IOException {
    jobRunShape = JSON.readTree(Files.readString(fixtures.resolve("emr-containers-describe-job-run-response.json")))
        .get("jobRun");
  }

  /** Called with each job run StartJobRun creates (not with one a repeated token returns). */
  public void onStart(java.util.function.Consumer<JobRun> listener) {
    onStart.add(listener);
  }

  public void setState(String id, String state, String failureReason, String stateDetails) {
    JobRun run = runs.get(id);
    run.state = state;
    run.failureReason = failureReason;
    run.stateDetails = stateDetails;
  }

  /** The job runs created, oldest first. */
  public List<JobRun> jobRuns() {
    List<JobRun> all = new ArrayList<>(runs.values());
    all.sort(Comparator.comparing((JobRun run) -> run.createdAt).thenComparing(run -> run.id));
    return all;
  }

  /** The requests of one method, with or without a job run id in the path. */
  public List<Request> requests(String method, boolean withJobRunId) {
    return requests().stream().filter(request -> request.method().equals(method)
        && JOB_RUN.matcher(request.path()).matches() == withJobRunId).toList();
  }

  @Override
  protected void handle(HttpExchange exchange, Request request) throws IOException {
    Matcher one = JOB_RUN.matcher(request.path());
    Matcher all = JOB_RUNS.matcher(request.path());
    String cluster = one.matches() ? one.group(1) : all.matches() ? all.group(1) : null;
    if (cluster == null) {
      restJsonError(exchange, 400, "ValidationException", "Unsupported request " + request.path());
    } else if (!cluster.equals(VIRTUAL_CLUSTER_ID)) {
      restJsonError(exchange, 400, "ResourceNotFoundException", "Virtual cluster " + cluster + " doesn't exist.");
    } else if (request.method().equals("POST") && all.matches()) {
      start(exchange, request.body());
    } else if (request.method().equals("GET") && one.matches()) {
      JobRun run = runs.get(one.group(2));
      if (run == null) {
        restJsonError(exchange, 400, "ResourceNotFoundException", "Job run " + one.group(2) + " doesn't exist.");
      } else {
        answer(exchange, "application/json", JSON.createObjectNode().set("jobRun", jobRun(run)));
      }
    } else if (request.method().equals("GET") && all.matches()) {
      Map<String, String> query = query(request.query());
      Instant after = query.containsKey("createdAfter") ? Instant.parse(query.get("createdAfter")) : Instant.EPOCH;
      var list = JSON.createArrayNode();
      jobRuns().stream()
          .filter(run -> !run.createdAt.isBefore(after))
          .filter(run -> !query.containsKey("name") || query.get("name").equals(run.startRequest.path("name").asText()))
          .forEach(run -> list.add(jobRun(run)));
      answer(exchange, "application/json", JSON.createObjectNode().set("jobRuns", list));
    } else if (request.method().equals("DELETE") && one.matches()) {
      JobRun run = runs.get(one.group(2));
      if (run != null && !List.of("COMPLETED", "FAILED", "CANCELLED").contains(run.state)) {
        run.state = "CANCELLED";
      }
      answer(exchange, "application/json", JSON.createObjectNode().put("id", one.group(2))
          .put("virtualClusterId", VIRTUAL_CLUSTER_ID));
    } else {
      restJsonError(exchange, 400, "ValidationException", "Unsupported request " + request.method() + " " + request.path());
    }
  }

  private void start(HttpExchange exchange, JsonNode request) throws IOException {
    String name = request.path("name").asText();
    if (!NAME.matcher(name).matches()) {
      restJsonError(exchange, 400, "ValidationException", "1 validation error detected: Value '" + name
          + "' at 'name' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\.\\-_/#A-Za-z0-9]+");
      return;
    }
    String token = request.path("clientToken").asText();
    Optional<JobRun> existing = runs.values().stream()
        .filter(run -> run.startRequest.path("clientToken").asText().equals(token)).findFirst();
    JobRun run = existing.orElseGet(() -> {
      JobRun created = new JobRun(String.format("00000003%011d", sequence.incrementAndGet()), request, Instant.now());
      runs.put(created.id, created);
      onStart.forEach(listener -> listener.accept(created));
      return created;
    });
    answer(exchange, "application/json", JSON.createObjectNode().put("id", run.id).put("name", name)
        .put("arn", arn(run.id)).put("virtualClusterId", VIRTUAL_CLUSTER_ID));
  }

  private ObjectNode jobRun(JobRun run) {
    ObjectNode node = jobRunShape.deepCopy();
    node.put("id", run.id).put("name", run.startRequest.path("name").asText()).put("arn", arn(run.id))
        .put("state", run.state).put("clientToken", run.startRequest.path("clientToken").asText())
        .put("executionRoleArn", run.startRequest.path("executionRoleArn").asText())
        .put("releaseLabel", run.startRequest.path("releaseLabel").asText())
        .put("createdAt", run.createdAt.toString());
    node.set("jobDriver", run.startRequest.get("jobDriver"));
    node.set("configurationOverrides", run.startRequest.get("configurationOverrides"));
    node.set("tags", run.startRequest.get("tags"));
    for (String field : List.of("failureReason", "stateDetails", "finishedAt")) {
      node.remove(field);
    }
    if (run.failureReason != null) {
      node.put("failureReason", run.failureReason);
    }
    if (run.stateDetails != null) {
      node.put("stateDetails", run.stateDetails);
    }
    return node;
  }

  private static Map<String, String> query(String raw) {
    Map<String, String> query = new java.util.HashMap<>();
    if (raw != null) {
      for (String parameter : raw.split("&")) {
        int equals = parameter.indexOf('=');
        query.put(parameter.substring(0, equals),
            java.net.URLDecoder.decode(parameter.substring(equals + 1), java.nio.charset.StandardCharsets.UTF_8));
      }
    }
    return query;
  }

  private static String arn(String id) {
    return "arn:aws:emr-containers:us-east-1:123456789012:/virtualclusters/" + VIRTUAL_CLUSTER_ID + "/jobruns/" + id;
  }
}
