package dev.baton.connect.s3;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.baton.schemas.AttemptName;
import dev.baton.schemas.ControlEvents;
import dev.baton.schemas.event.ControlEvent;
import dev.baton.schemas.event.ObjectCreated;
import dev.baton.schemas.event.ObjectSource;
import dev.baton.schemas.event.StageCompleted;
import dev.baton.schemas.event.StageError;
import dev.baton.schemas.event.StageStatus;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import software.amazon.awssdk.awscore.exception.AwsServiceException;

/**
 * Parses the body of one SQS message into {@link ParsedEvent}s. Accepted bodies:
 * <ul>
 *   <li>S3 event notifications, {@code {"Records":[{"eventVersion":"2.x","eventSource":"aws:s3",
 *       "eventName":"ObjectCreated:*","s3":{"bucket":{"name"},"object":{"key","size","eTag",
 *       "versionId","sequencer"}}}]}} (docs.aws.amazon.com/AmazonS3/latest/userguide/notification-content-structure.html).
 *       Keys are URL-encoded in notifications ({@code +} is a space) and are decoded here. The
 *       {@code s3:TestEvent} S3 sends when notifications are configured is skipped, as are events
 *       other than {@code ObjectCreated:*}.
 *   <li>EventBridge events (the event itself is the body when a rule targets SQS):
 *       <ul>
 *         <li>{@code aws.s3} "Object Created" with {@code detail.bucket.name} and
 *             {@code detail.object.{key,size,etag,version-id,sequencer}}, {@code detail.reason}
 *             PutObject / CompleteMultipartUpload / CopyObject (docs.aws.amazon.com/AmazonS3/latest/userguide/ev-events.html);
 *             other S3 detail types are skipped;
 *         <li>{@code aws.emr-serverless} "EMR Serverless Job Run State Change" and {@code aws.emr}
 *             "EMR Step Status Change" (docs.aws.amazon.com/emr/latest/EMR-Serverless-UserGuide/using-eventbridge.html,
 *             docs.aws.amazon.com/emr/latest/ManagementGuide/emr-manage-cloudwatch-events.html): a
 *             terminal state (SUCCESS / COMPLETED, FAILED, INTERRUPTED, CANCELLED) becomes a
 *             {@code StageCompleted} when the job run name ({@code detail.jobRunName}, seen in real
 *             events though not documented; else looked up with GetJobRun, which also gives the
 *             state details and S3 log location) or step name ({@code detail.name}) is Baton's identity
 *             {@code baton:<pipeline>:<runId>:<stage>:<attempt>} ({@link AttemptName}) (the name Baton's EMR
 *             launchers give jobs, and the one to give jobs that report to Baton), else the event is
 *             unroutable (DLQ); non-terminal states are skipped;
 *         <li>{@code aws.emr-containers} "EMR Job Run State Change" / "EmrContainers Job Run State Change"
 *             (docs.aws.amazon.com/eventbridge/latest/ref/events-ref-emr-containers.html lists both; no payload is
 *             documented): a terminal state (COMPLETED, FAILED, CANCELLED) of job run {@code detail.id} of
 *             {@code detail.virtualClusterId} becomes a {@code StageCompleted} when DescribeJobRun's tags name
 *             a Baton attempt ({@code baton:pipeline}, {@code baton:run-id}, {@code baton:stage}, {@code
 *             baton:attempt}), else it is unroutable.
 *       </ul>
 *   <li>Either of the above wrapped in an SNS notification envelope ({@code "Type":"Notification"},
 *       {@code "Message"}: the event as a string), as delivered by S3 → SNS → SQS without raw delivery.
 * </ul>
 * Stateless and thread-safe.
 */
final class QueueMessageParser {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final boolean eventBridgeKeysEncoded;
  private final EmrLookup emr;

  /**
   * @param eventBridgeKeysEncoded whether keys in EventBridge "Object Created" events are URL-encoded
   *     like in S3 notifications (AWS does not document it; see {@code eventbridge.key.url.encoded})
   * @param emr looks up EMR Serverless job runs whose event carries no name, and failed EMR steps'
   *     failure details; null: no lookups
   */
  QueueMessageParser(boolean eventBridgeKeysEncoded, EmrLookup emr) {
    this.eventBridgeKeysEncoded = eventBridgeKeysEncoded;
    this.emr = emr;
  }

  /**
   * @param body the SQS message body
   * @return the events of the message, in order (never empty)
   * @throws MalformedEventException if the body is not one of the accepted shapes; the message names
   *     the offending field
   */
  List<ParsedEvent> parse(String body) {
    JsonNode root;
    try {
      root = JSON.readTree(body);
    } catch (JsonProcessingException e) {
      throw new MalformedEventException("body is not JSON: " + e.getOriginalMessage());
    }
    if (root == null || !root.isObject()) {
      throw new MalformedEventException("body is not a JSON object");
    }
    if ("Notification".equals(root.path("Type").asText()) && root.has("Message") && root.has("TopicArn")) {
      return parse(text(root, "Message"));
    }
    if (root.has("Records")) {
      return s3Notification(root.get("Records"));
    }
    if ("s3:TestEvent".equals(root.path("Event").asText())) {
      return List.of(new ParsedEvent.Skipped("s3:TestEvent for bucket " + root.path("Bucket").asText()));
    }
    if (root.has("detail-type") && root.has("source")) {
      return List.of(eventBridge(root));
    }
    throw new MalformedEventException("unknown message: neither an S3 notification (Records), an s3:TestEvent,"
        + " an EventBridge event (detail-type, source) nor an SNS notification");
  }

  private static List<ParsedEvent> s3Notification(JsonNode records) {
    if (!records.isArray() || records.isEmpty()) {
      throw new MalformedEventException("Records: expected a non-empty array");
    }
    List<ParsedEvent> events = new ArrayList<>();
    for (int i = 0; i < records.size(); i++) {
      String path = "Records[" + i + "]";
      JsonNode record = records.get(i);
      String version = text(record, "eventVersion", path);
      if (!version.startsWith("2.")) {
        throw new MalformedEventException(path + ".eventVersion: unsupported version '" + version + "' (expected 2.x)");
      }
      String source = text(record, "eventSource", path);
      if (!"aws:s3".equals(source)) {
        throw new MalformedEventException(path + ".eventSource: expected aws:s3, got '" + source + "'");
      }
      String eventName = text(record, "eventName", path);
      if (!eventName.startsWith("ObjectCreated:")) {
        events.add(new ParsedEvent.Skipped(path + ": " + eventName + " is not an object creation"));
        continue;
      }
      JsonNode s3 = record.path("s3");
      String bucket = text(s3.path("bucket"), "name", path + ".s3.bucket");
      JsonNode object = s3.path("object");
      String objectPath = path + ".s3.object";
      String key = decodeKey(text(object, "key", objectPath), objectPath + ".key");
      long size = number(object, "size", objectPath);
      String sequencer = optionalText(object, "sequencer");
      String etag = optionalText(object, "eTag");
      events.add(new ParsedEvent.ObjectEvent(ObjectCreated.newBuilder()
          .setEventId(objectEventId(bucket, key, sequencer, etag))
          .setBucket(bucket)
          .setKey(key)
          .setSize(size)
          .setEtag(etag)
          .setSequencer(sequencer)
          .setVersionId(optionalText(object, "versionId"))
          .setEventTime(instant(record, "eventTime", path))
          .setSource(ObjectSource.S3_NOTIFICATION)
          .build()));
    }
    return events;
  }

  private ParsedEvent eventBridge(JsonNode event) {
    String source = text(event, "source");
    String detailType = text(event, "detail-type");
    JsonNode detail = event.path("detail");
    if (!detail.isObject()) {
      throw new MalformedEventException("detail: expected an object");
    }
    return switch (source) {
      case "aws.s3" -> "Object Created".equals(detailType)
          ? objectCreated(event, detail)
          : new ParsedEvent.Skipped("EventBridge aws.s3 '" + detailType + "' is not an object creation");
      case "aws.emr-serverless" -> "EMR Serverless Job Run State Change".equals(detailType)
          ? emrServerlessJobRun(event, detail)
          : new ParsedEvent.Skipped("EventBridge aws.emr-serverless '" + detailType + "' is not a job run state change");
      case "aws.emr" -> "EMR Step Status Change".equals(detailType)
          ? emrStep(event, detail)
          : new ParsedEvent.Skipped("EventBridge aws.emr '" + detailType + "' is not a step status change");
      case "aws.emr-containers" -> EMR_CONTAINERS_STATE_CHANGES.contains(detailType)
          ? emrContainersJobRun(event, detail)
          : new ParsedEvent.Skipped("EventBridge aws.emr-containers '" + detailType + "' is not a job run state change");
      default -> throw new MalformedEventException("source: unsupported EventBridge source '" + source
          + "' (expected aws.s3, aws.emr-serverless, aws.emr, aws.emr-containers)");
    };
  }

  /** EventBridge "Object Created" (keys decoded when {@code eventBridgeKeysEncoded}). */
  private ParsedEvent objectCreated(JsonNode event, JsonNode detail) {
    String bucket = text(detail.path("bucket"), "name", "detail.bucket");
    JsonNode object = detail.path("object");
    String key = text(object, "key", "detail.object");
    if (eventBridgeKeysEncoded) {
      key = decodeKey(key, "detail.object.key");
    }
    String sequencer = optionalText(object, "sequencer");
    String etag = optionalText(object, "etag");
    return new ParsedEvent.ObjectEvent(ObjectCreated.newBuilder()
        .setEventId(objectEventId(bucket, key, sequencer, etag))
        .setBucket(bucket)
        .setKey(key)
        .setSize(number(object, "size", "detail.object"))
        .setEtag(etag)
        .setSequencer(sequencer)
        .setVersionId(optionalText(object, "version-id"))
        .setEventTime(instant(event, "time", ""))
        .setSource(ObjectSource.EVENTBRIDGE)
        .build());
  }

  /**
   * The same object version gets the same event id from either channel and from duplicates:
   * S3 sequencers order events of one key, so {@code bucket/key@sequencer} identifies a write.
   */
  static String objectEventId(String bucket, String key, String sequencer, String etag) {
    return "s3:" + bucket + "/" + key + "@" + (sequencer != null ? sequencer : "etag-" + etag);
  }

  private ParsedEvent emrServerlessJobRun(JsonNode event, JsonNode detail) {
    String state = text(detail, "state", "detail");
    String jobRunId = text(detail, "jobRunId", "detail");
    StageStatus status = switch (state) {
      case "SUCCESS" -> StageStatus.SUCCEEDED;
      case "FAILED" -> StageStatus.FAILED;
      case "CANCELLED" -> StageStatus.CANCELLED;
      default -> null;
    };
    String what = "EMR Serverless job run " + jobRunId;
    if (status == null) {
      return new ParsedEvent.Skipped(what + " is " + state + " (not terminal)");
    }
    // AWS documents no name in this event (real events carry jobRunName): else GetJobRun has it
    String name = optionalText(detail, "jobRunName");
    String arn = optionalText(detail, "arn");
    String message = what + " (" + arn + ") " + state;
    String logUri = null;
    if (name == null && emr != null) {
      Optional<EmrLookup.JobRun> run;
      try {
        run = emr.jobRun(text(event, "region"), text(detail, "applicationId", "detail"), jobRunId);
      } catch (AwsServiceException e) {
        if (willNotPass(e)) {
          return new ParsedEvent.Unroutable(what + ": GetJobRun failed with HTTP " + e.statusCode() + ": " + e.getMessage());
        }
        throw e;
      }
      if (run.isEmpty()) {
        return new ParsedEvent.Unroutable(what + " has no Baton identity: GetJobRun does not find it");
      }
      name = run.get().name();
      logUri = run.get().logUri();
      if (run.get().stateDetails() != null && !run.get().stateDetails().isBlank()) {
        message = what + " " + state + ": " + run.get().stateDetails();
      }
    }
    // the ARN names the job run, not its logs: the log location comes from GetJobRun when looked up
    return stageCompleted(event, what, name, status, "EMR_SERVERLESS_" + state, message, logUri, jobRunId);
  }

  /**
   * The EMR on EKS job run state changes: the EventBridge reference lists both detail-types for source
   * {@code aws.emr-containers} without saying which is sent, and AWS documents no payload; the fields read
   * ({@code detail.id}, {@code detail.virtualClusterId}, {@code detail.state}) are those the user guide
   * names ("the virtual cluster ID and the job run ID") plus the state.
   */
  static final java.util.Set<String> EMR_CONTAINERS_STATE_CHANGES =
      java.util.Set.of("EMR Job Run State Change", "EmrContainers Job Run State Change");

  /**
   * An EMR on EKS job run's end: its name cannot hold Baton's identity (the API allows no ':'), so
   * DescribeJobRun's tags ({@code baton:pipeline}, {@code baton:run-id}, {@code baton:stage}, {@code
   * baton:attempt}, set by Baton's emr-containers launcher) name the attempt; failure reason and state
   * details become the error.
   */
  private ParsedEvent emrContainersJobRun(JsonNode event, JsonNode detail) {
    String state = text(detail, "state", "detail");
    String jobRunId = text(detail, "id", "detail");
    String virtualClusterId = text(detail, "virtualClusterId", "detail");
    StageStatus status = switch (state) {
      case "COMPLETED" -> StageStatus.SUCCEEDED;
      case "FAILED" -> StageStatus.FAILED;
      case "CANCELLED" -> StageStatus.CANCELLED;
      default -> null;
    };
    String what = "EMR on EKS job run " + jobRunId + " of virtual cluster " + virtualClusterId;
    if (status == null) {
      return new ParsedEvent.Skipped(what + " is " + state + " (not terminal)");
    }
    if (emr == null) {
      return new ParsedEvent.Unroutable(what + ": its Baton identity is in its tags, and emr.lookup is off");
    }
    Optional<EmrLookup.EksJobRun> run;
    try {
      run = emr.eksJobRun(text(event, "region"), virtualClusterId, jobRunId);
    } catch (AwsServiceException e) {
      if (willNotPass(e)) {
        return new ParsedEvent.Unroutable(what + ": DescribeJobRun failed with HTTP " + e.statusCode() + ": " + e.getMessage());
      }
      throw e;
    }
    if (run.isEmpty()) {
      return new ParsedEvent.Unroutable(what + " has no Baton identity: DescribeJobRun does not find it");
    }
    Map<String, String> tags = run.get().tags();
    String name = Stream.of("baton:pipeline", "baton:run-id", "baton:stage", "baton:attempt").allMatch(tags::containsKey)
        ? "baton:" + tags.get("baton:pipeline") + ":" + tags.get("baton:run-id") + ":" + tags.get("baton:stage") + ":"
            + tags.get("baton:attempt")
        : null;
    String reason = Stream.of(run.get().failureReason(), run.get().stateDetails())
        .filter(part -> part != null && !part.isBlank()).collect(java.util.stream.Collectors.joining(" "));
    String message = what + " " + state + (reason.isEmpty() ? "" : ": " + reason);
    String logUri = run.get().logUri() == null ? null
        : run.get().logUri().replaceAll("/+$", "") + "/" + virtualClusterId + "/jobs/" + jobRunId + "/";
    return stageCompleted(event, what, name, status, "EMR_CONTAINERS_" + state, message, logUri, jobRunId);
  }

  private ParsedEvent emrStep(JsonNode event, JsonNode detail) {
    String state = text(detail, "state", "detail");
    String stepId = text(detail, "stepId", "detail");
    StageStatus status = switch (state) {
      case "COMPLETED" -> StageStatus.SUCCEEDED;
      case "FAILED", "INTERRUPTED" -> StageStatus.FAILED;
      case "CANCELLED" -> StageStatus.CANCELLED;
      default -> null;
    };
    String clusterId = optionalText(detail, "clusterId");
    String what = "EMR step " + stepId + " of cluster " + clusterId;
    if (status == null) {
      return new ParsedEvent.Skipped(what + " is " + state + " (not terminal)");
    }
    // the event has no failure details or log location: DescribeStep has them
    String message = Optional.ofNullable(optionalText(detail, "message")).orElse(what + " " + state);
    String logUri = null;
    if (status == StageStatus.FAILED && emr != null && clusterId != null) {
      try {
        Optional<EmrLookup.StepFailure> failure = emr.stepFailure(text(event, "region"), clusterId, stepId);
        if (failure.isPresent()) {
          message = message + " — " + Optional.ofNullable(failure.get().reason()).orElse("failure")
              + Optional.ofNullable(failure.get().message()).map(m -> ": " + m).orElse("");
          logUri = failure.get().logFile();
        }
      } catch (AwsServiceException e) {
        if (!willNotPass(e)) {
          throw e;
        }
        // the completion itself is in the event: report it without the details
        message = message + " (DescribeStep failed with HTTP " + e.statusCode() + ")";
      }
    }
    return stageCompleted(event, what, optionalText(detail, "name"), status, "EMR_STEP_" + state, message, logUri,
        stepId);
  }

  /** A 4xx other than a timeout or throttling: asking again will not help. */
  private static boolean willNotPass(AwsServiceException e) {
    return e.statusCode() / 100 == 4 && e.statusCode() != 408 && !e.isThrottlingException();
  }

  /** @param applicationId the job's id (job run id, step id): the ledger's {@code application_id} */
  private static ParsedEvent stageCompleted(JsonNode event, String what, String name, StageStatus status,
      String errorType, String errorMessage, String logUri, String applicationId) {
    Optional<AttemptName> parsed = AttemptName.parse(name);
    if (parsed.isEmpty()) {
      return new ParsedEvent.Unroutable(what + " has no Baton identity: its name "
          + (name == null ? "is missing" : "'" + name + "'") + " is not baton:<pipeline>:<runId>:<stage>:<attempt>");
    }
    AttemptName identity = parsed.get();
    Instant time = instant(event, "time", "");
    StageCompleted completed = StageCompleted.newBuilder()
        .setStage(identity.stage())
        .setAttempt(identity.attempt())
        .setStatus(status)
        .setStartedAt(time)
        .setFinishedAt(time)
        .setOutputs(List.of())
        .setMetrics(Map.of())
        .setApplicationId(applicationId)
        .setLogUri(logUri)
        .setError(status == StageStatus.SUCCEEDED ? null
            : StageError.newBuilder().setType(errorType).setMessage(errorMessage).setLogUri(logUri).build())
        .build();
    return new ParsedEvent.StageEvent(ControlEvents.completed(identity.runId(), identity.pipeline(), completed));
  }

  /** URL-decodes a notification key ({@code +} is a space; UTF-8 percent escapes). */
  static String decodeKey(String encoded, String path) {
    try {
      return URLDecoder.decode(encoded, StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      throw new MalformedEventException(path + ": not URL-encoded (" + e.getMessage() + "): " + encoded);
    }
  }

  private static String text(JsonNode node, String field) {
    return text(node, field, "");
  }

  private static String text(JsonNode node, String field, String path) {
    JsonNode value = node.get(field);
    String fieldPath = path.isEmpty() ? field : path + "." + field;
    if (value == null || value.isNull()) {
      throw new MalformedEventException(fieldPath + ": missing");
    }
    if (!value.isTextual() || value.asText().isEmpty()) {
      throw new MalformedEventException(fieldPath + ": expected a non-empty string, got " + value);
    }
    return value.asText();
  }

  private static String optionalText(JsonNode node, String field) {
    JsonNode value = node.get(field);
    return value == null || value.isNull() || value.asText().isEmpty() ? null : value.asText();
  }

  private static long number(JsonNode node, String field, String path) {
    JsonNode value = node.get(field);
    if (value == null || !value.canConvertToLong() || value.asLong() < 0) {
      throw new MalformedEventException(path + "." + field + ": expected a non-negative integer, got " + value);
    }
    return value.asLong();
  }

  private static Instant instant(JsonNode node, String field, String path) {
    String value = text(node, field, path);
    try {
      return Instant.parse(value);
    } catch (DateTimeParseException e) {
      throw new MalformedEventException((path.isEmpty() ? field : path + "." + field) + ": not an ISO-8601 instant: " + value);
    }
  }
}
