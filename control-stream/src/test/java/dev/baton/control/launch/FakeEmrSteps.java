package dev.baton.control.launch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The EMR API (AWS JSON 1.1, {@code X-Amz-Target: ElasticMapReduce.<operation>}) of one cluster,
 * played locally: {@code AddJobFlowSteps} (not idempotent: every call adds steps, as AWS documents),
 * {@code ListSteps} (newest first, shaped as {@code examples/events/emr-list-steps-response.json}),
 * {@code DescribeStep} and {@code CancelSteps}. {@link #loseNextAddAnswer} adds the step and leaves the
 * request unanswered.
 */
public final class FakeEmrSteps extends FakeAwsApi {
  public static final String CLUSTER_ID = "j-2AXXXXXXGAPLF";

  /** One step the fake knows. */
  public static final class Step {
    public final String id;
    public final JsonNode config;
    public final Instant createdAt;
    public volatile String state = "PENDING";
    public volatile JsonNode failureDetails;

    Step(String id, JsonNode config, Instant createdAt) {
      this.id = id;
      this.config = config;
      this.createdAt = createdAt;
    }

    public String name() {
      return config.path("Name").asText();
    }
  }

  private final List<Step> steps = new CopyOnWriteArrayList<>();
  private final AtomicInteger sequence = new AtomicInteger();
  private final Deque<Boolean> loseAnswers = new ConcurrentLinkedDeque<>();
  private final List<java.util.function.Consumer<Step>> onAdd = new CopyOnWriteArrayList<>();

  public FakeEmrSteps() throws IOException {}

  /** Called with each step AddJobFlowSteps adds. */
  public void onAdd(java.util.function.Consumer<Step> listener) {
    onAdd.add(listener);
  }

  /** The next AddJobFlowSteps adds its step but is not answered. */
  public void loseNextAddAnswer() {
    loseAnswers.add(true);
  }

  public List<Step> steps() {
    return List.copyOf(steps);
  }

  public void setState(String stepId, String state, String reason, String message, String logFile) {
    Step step = steps.stream().filter(s -> s.id.equals(stepId)).findFirst().orElseThrow();
    step.state = state;
    step.failureDetails = reason == null ? null
        : JSON.createObjectNode().put("Reason", reason).put("Message", message).put("LogFile", logFile);
  }

  /** The requests of one operation, e.g. {@code AddJobFlowSteps}. */
  public List<Request> requests(String operation) {
    return requests().stream().filter(r -> ("ElasticMapReduce." + operation).equals(r.target())).toList();
  }

  @Override
  protected void handle(HttpExchange exchange, Request request) throws IOException {
    String operation = request.target() == null ? "" : request.target().replace("ElasticMapReduce.", "");
    JsonNode body = request.body();
    String cluster = body.path(operation.equals("AddJobFlowSteps") ? "JobFlowId" : "ClusterId").asText();
    if (!cluster.equals(CLUSTER_ID)) {
      json11Error(exchange, 400, "InvalidRequestException", "Cluster id '" + cluster + "' is not valid.");
      return;
    }
    switch (operation) {
      case "AddJobFlowSteps" -> {
        var ids = JSON.createArrayNode();
        for (JsonNode config : body.path("Steps")) {
          Step step = new Step(String.format("s-%013d", sequence.incrementAndGet()), config, Instant.now());
          steps.add(step);
          ids.add(step.id);
          onAdd.forEach(listener -> listener.accept(step));
        }
        if (loseAnswers.poll() != null) {
          noAnswer(exchange);
        } else {
          answer(exchange, "application/x-amz-json-1.1", JSON.createObjectNode().set("StepIds", ids));
        }
      }
      case "ListSteps" -> {
        var list = JSON.createArrayNode();
        List<Step> newestFirst = new ArrayList<>(steps);
        java.util.Collections.reverse(newestFirst);
        newestFirst.forEach(step -> list.add(summary(step)));
        answer(exchange, "application/x-amz-json-1.1", JSON.createObjectNode().set("Steps", list));
      }
      case "DescribeStep" -> {
        Step step = steps.stream().filter(s -> s.id.equals(body.path("StepId").asText())).findFirst().orElse(null);
        if (step == null) {
          json11Error(exchange, 400, "InvalidRequestException", "Step id '" + body.path("StepId").asText() + "' is not valid.");
        } else {
          answer(exchange, "application/x-amz-json-1.1", JSON.createObjectNode().set("Step", summary(step)));
        }
      }
      case "CancelSteps" -> {
        var infos = JSON.createArrayNode();
        for (JsonNode id : body.path("StepIds")) {
          steps.stream().filter(s -> s.id.equals(id.asText())).findFirst().ifPresent(step -> {
            if (List.of("PENDING", "RUNNING").contains(step.state)) {
              step.state = "CANCELLED";
            }
          });
          infos.add(JSON.createObjectNode().put("StepId", id.asText()).put("Status", "SUBMITTED"));
        }
        answer(exchange, "application/x-amz-json-1.1", JSON.createObjectNode().set("CancelStepsInfoList", infos));
      }
      default -> json11Error(exchange, 400, "UnknownOperationException", "Unsupported operation " + operation);
    }
  }

  private static ObjectNode summary(Step step) {
    ObjectNode jar = (ObjectNode) step.config.path("HadoopJarStep");
    ObjectNode config = JSON.createObjectNode().put("Jar", jar.path("Jar").asText());
    config.set("Properties", JSON.createObjectNode()); // a map here, a list of KeyValue in the request
    config.set("Args", jar.path("Args"));
    ObjectNode status = JSON.createObjectNode().put("State", step.state);
    status.set("StateChangeReason", JSON.createObjectNode());
    if (step.failureDetails != null) {
      status.set("FailureDetails", step.failureDetails);
    }
    status.set("Timeline", JSON.createObjectNode().put("CreationDateTime", step.createdAt.toEpochMilli() / 1000.0));
    ObjectNode summary = JSON.createObjectNode().put("Id", step.id).put("Name", step.name());
    summary.set("Config", config);
    summary.put("ActionOnFailure", step.config.path("ActionOnFailure").asText());
    summary.set("Status", status);
    return summary;
  }
}
