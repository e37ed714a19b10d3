package dev.baton.connect.s3;

import dev.baton.schemas.Topics;
import java.nio.file.FileSystems;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.types.Password;

/**
 * Configuration of {@link S3EventSourceConnector}. Keys are Kafka Connect style lower.dot.case;
 * every key, its default, validator and documentation is in {@link #CONFIG_DEF}.
 *
 * <p>Modes:
 * <ul>
 *   <li>{@code sqs}: long-polls an SQS queue fed by S3 event notifications or EventBridge rules
 *       (S3 "Object Created", EMR / EMR Serverless job state changes) and deletes each message once
 *       Kafka acknowledged what it became;
 *   <li>{@code listing}: lists {@code s3.bucket} under each of {@code s3.prefixes} with
 *       ListObjectsV2 (S3-compatible stores without notifications), a watermark in the source offsets.
 * </ul>
 *
 * <p>Keys that only some settings require ({@code s3.bucket} for listing, {@code sqs.queue.url}
 * for sqs, {@code flag.pipeline} and {@code flag.stages} with {@code flag.key.pattern}) are checked by
 * {@link #dependentErrors(Map)}, which {@link S3EventSourceConnector#validate} reports per field.
 */
public final class S3EventSourceConfig extends AbstractConfig {

  public static final String MODE_LISTING = "listing";
  public static final String MODE_SQS = "sqs";

  public static final String MODE_CONFIG = "mode";
  public static final String MODE_DOC = "How object arrival is observed: 'sqs' (S3 notifications or EventBridge events"
      + " from an SQS queue) or 'listing' (poll ListObjectsV2).";
  public static final String MODE_DEFAULT = MODE_LISTING;

  public static final String TOPIC_CONFIG = "topic";
  public static final String TOPIC_DOC = "Topic ObjectCreated events are written to, keyed by bucket/key.";
  public static final String TOPIC_DEFAULT = Topics.OBJECTS;

  public static final String CONTROL_TOPIC_CONFIG = "control.topic";
  public static final String CONTROL_TOPIC_DOC =
      "Topic StageCompleted events (from EMR job state changes and flag files) are written to, keyed by runId.";
  public static final String CONTROL_TOPIC_DEFAULT = Topics.CONTROL;

  public static final String DLQ_TOPIC_CONFIG = "dlq.topic";
  public static final String DLQ_TOPIC_DOC = "Topic for messages that cannot be parsed or routed: the original bytes,"
      + " with the reason in header baton.dlq.reason and the origin in baton.dlq.source.";
  public static final String DLQ_TOPIC_DEFAULT = Topics.DLQ;

  public static final String S3_BUCKET_CONFIG = "s3.bucket";
  public static final String S3_BUCKET_DOC =
      "Bucket watched. Required by 'listing'; in 'sqs' mode, when set, events of other buckets are dropped.";

  public static final String S3_PREFIXES_CONFIG = "s3.prefixes";
  public static final String S3_PREFIXES_DOC = "Comma-separated key prefixes. 'listing' lists each one (split across"
      + " tasks); in 'sqs' mode only keys under one of them are kept. Empty: the whole bucket.";

  public static final String KEY_INCLUDE_GLOBS_CONFIG = "key.include.globs";
  public static final String KEY_INCLUDE_GLOBS_DOC = "Comma-separated globs (java.nio PathMatcher syntax: '*' within a"
      + " path segment, '**' across '/'); when set, only keys matching one of them are kept.";

  public static final String KEY_EXCLUDE_GLOBS_CONFIG = "key.exclude.globs";
  public static final String KEY_EXCLUDE_GLOBS_DOC = "Comma-separated globs; keys matching one of them are dropped"
      + " (e.g. '**/_SUCCESS,**/*.tmp').";

  public static final String S3_ENDPOINT_CONFIG = "s3.endpoint";
  public static final String S3_ENDPOINT_DOC =
      "S3 endpoint URL for S3-compatible stores (e.g. http://127.0.0.1:9000); empty for AWS's regional endpoint.";

  public static final String S3_REGION_CONFIG = "s3.region";
  public static final String S3_REGION_DOC = "AWS region of the bucket.";
  public static final String REGION_DEFAULT = "us-east-1";

  public static final String S3_PATH_STYLE_ACCESS_CONFIG = "s3.path.style.access";
  public static final String S3_PATH_STYLE_ACCESS_DOC = "Use path-style addressing (required by most S3-compatible stores).";

  public static final String S3_ACCESS_KEY_ID_CONFIG = "s3.access.key.id";
  public static final String S3_ACCESS_KEY_ID_DOC =
      "Static access key for S3; empty to use the AWS default credentials chain (IAM role, IRSA, environment).";
  public static final String S3_SECRET_ACCESS_KEY_CONFIG = "s3.secret.access.key";
  public static final String S3_SECRET_ACCESS_KEY_DOC = "Static secret key, with s3.access.key.id.";

  public static final String SQS_QUEUE_URL_CONFIG = "sqs.queue.url";
  public static final String SQS_QUEUE_URL_DOC =
      "URL of the queue S3 notifications / EventBridge events are delivered to. Required by 'sqs'.";

  public static final String SQS_ENDPOINT_CONFIG = "sqs.endpoint";
  public static final String SQS_ENDPOINT_DOC = "SQS endpoint URL for SQS-compatible servers (e.g. ElasticMQ);"
      + " empty for AWS's regional endpoint.";

  public static final String SQS_REGION_CONFIG = "sqs.region";
  public static final String SQS_REGION_DOC = "AWS region of the queue.";

  public static final String SQS_ACCESS_KEY_ID_CONFIG = "sqs.access.key.id";
  public static final String SQS_ACCESS_KEY_ID_DOC =
      "Static access key for SQS; empty to use the AWS default credentials chain.";
  public static final String SQS_SECRET_ACCESS_KEY_CONFIG = "sqs.secret.access.key";
  public static final String SQS_SECRET_ACCESS_KEY_DOC = "Static secret key, with sqs.access.key.id.";

  public static final String SQS_WAIT_TIME_SECONDS_CONFIG = "sqs.wait.time.seconds";
  public static final String SQS_WAIT_TIME_SECONDS_DOC = "ReceiveMessage long-poll wait, s (0-20). A task stops only"
      + " between receives, and Connect waits task.shutdown.graceful.timeout.ms (5 s) for it: keep it below that.";
  /**
   * Shorter than AWS's 20 s maximum: Connect stops a task between two polls and gives it
   * {@code task.shutdown.graceful.timeout.ms} (5 s by default).
   */
  public static final int SQS_WAIT_TIME_SECONDS_DEFAULT = 5;

  public static final String SQS_MAX_MESSAGES_CONFIG = "sqs.max.messages";
  public static final String SQS_MAX_MESSAGES_DOC = "Messages asked for per ReceiveMessage (1-10).";
  public static final int SQS_MAX_MESSAGES_DEFAULT = 10;

  public static final String SQS_VISIBILITY_TIMEOUT_SECONDS_CONFIG = "sqs.visibility.timeout.seconds";
  public static final String SQS_VISIBILITY_TIMEOUT_SECONDS_DOC = "Visibility timeout requested per ReceiveMessage, s:"
      + " how long a received message stays hidden before SQS re-delivers it when Kafka has not acknowledged it."
      + " 0: the queue's own setting.";
  public static final int SQS_VISIBILITY_TIMEOUT_SECONDS_DEFAULT = 0;

  public static final String SQS_DELETE_LINGER_MS_CONFIG = "sqs.delete.linger.ms";
  public static final String SQS_DELETE_LINGER_MS_DOC = "How long the deletes of messages Kafka acknowledged wait to"
      + " fill one DeleteMessageBatch of 10, ms (fewer SQS requests). Must stay well below the visibility timeout:"
      + " a message not deleted in time is delivered again (a duplicate, never a loss).";
  public static final long SQS_DELETE_LINGER_MS_DEFAULT = 100;

  public static final String POLL_INTERVAL_MS_CONFIG = "poll.interval.ms";
  public static final String POLL_INTERVAL_MS_DOC = "listing: time between two listings, ms; sqs: back-off after a"
      + " failed ReceiveMessage, ms (an idle queue is waited on by the long poll instead).";
  public static final long POLL_INTERVAL_MS_DEFAULT = 5_000;

  public static final String LISTING_GRACE_MS_CONFIG = "listing.grace.ms";
  public static final String LISTING_GRACE_MS_DOC =
      "How far behind the newest LastModified seen an object may appear and still be emitted, ms (covers"
          + " objects that become visible after newer ones, and a listing's own duration: keep it above the time one"
          + " listing takes). Keys within the window are remembered in the source offset. Multipart uploads, whose"
          + " LastModified is their start, are tracked with ListMultipartUploads whatever their duration.";
  public static final long LISTING_GRACE_MS_DEFAULT = 300_000;

  public static final String BATCH_MAX_RECORDS_CONFIG = "batch.max.records";
  public static final String BATCH_MAX_RECORDS_DOC = "Most records returned by one poll (sqs: a poll may exceed it by"
      + " the records of one message, which are never split).";
  public static final int BATCH_MAX_RECORDS_DEFAULT = 1_000;

  public static final String EVENTBRIDGE_KEY_URL_ENCODED_CONFIG = "eventbridge.key.url.encoded";
  public static final String EVENTBRIDGE_KEY_URL_ENCODED_DOC = "Whether object keys in EventBridge 'Object Created'"
      + " events are URL-encoded like in S3 notifications ('+' for a space) and must be decoded. AWS documents the"
      + " encoding for notifications only; AWS Lambda Powertools decodes EventBridge keys too, hence the default.";

  public static final String EMR_LOOKUP_CONFIG = "emr.lookup";
  public static final String EMR_LOOKUP_DOC = "Complete EMR state change events with the EMR APIs: GetJobRun for an"
      + " EMR Serverless job run whose event carries no name (AWS documents none; also its state details and S3 log"
      + " location), DescribeStep for a failed EMR step (failure reason, message, log file). Needs"
      + " emr-serverless:GetJobRun and elasticmapreduce:DescribeStep; DescribeJobRun for an EMR on EKS job run (its"
      + " tags name the attempt; emr-containers:DescribeJobRun). False: nameless job run events and EMR on EKS events"
      + " go to the DLQ, step failures carry the event's message only.";

  public static final String EMR_ENDPOINT_CONFIG = "emr.endpoint";
  public static final String EMR_ENDPOINT_DOC = "EMR endpoint URL (e.g. a VPC endpoint); empty for the regional"
      + " endpoint of the event's region.";

  public static final String EMR_ACCESS_KEY_ID_CONFIG = "emr.access.key.id";
  public static final String EMR_ACCESS_KEY_ID_DOC =
      "Static access key for the EMR lookups; empty to use the AWS default credentials chain.";
  public static final String EMR_SECRET_ACCESS_KEY_CONFIG = "emr.secret.access.key";
  public static final String EMR_SECRET_ACCESS_KEY_DOC = "Static secret key, with emr.access.key.id.";

  public static final String EMR_CONTAINERS_ENDPOINT_CONFIG = "emr.containers.endpoint";
  public static final String EMR_CONTAINERS_ENDPOINT_DOC = "EMR on EKS endpoint URL (e.g. a VPC endpoint); empty"
      + " for the regional endpoint of the event's region.";

  public static final String EMR_SERVERLESS_ENDPOINT_CONFIG = "emr.serverless.endpoint";
  public static final String EMR_SERVERLESS_ENDPOINT_DOC = "EMR Serverless endpoint URL (e.g. a VPC endpoint); empty"
      + " for the regional endpoint of the event's region.";

  public static final String FLAG_KEY_PATTERN_CONFIG = "flag.key.pattern";
  public static final String FLAG_KEY_PATTERN_DOC = "Legacy flag files: keys matching this pattern are read and turned"
      + " into StageCompleted instead of ObjectCreated. Literal text with placeholders {batch} (one path segment, the"
      + " run's batch folder), {n} (the job number, 1-based index into flag.stages) and optionally {attempt};"
      + " e.g. 'orders/{batch}/_job_status{n}'. Empty: no flag files.";

  public static final String FLAG_PIPELINE_CONFIG = "flag.pipeline";
  public static final String FLAG_PIPELINE_DOC = "Pipeline whose runs the flag files report on; the run is the one"
      + " triggered by the flag file's batch folder. Required with flag.key.pattern.";

  public static final String FLAG_STAGES_CONFIG = "flag.stages";
  public static final String FLAG_STAGES_DOC = "Comma-separated stage names: _job_status{n} reports on the n-th."
      + " Required with flag.key.pattern.";

  public static final String FLAG_MAX_BYTES_CONFIG = "flag.max.bytes";
  public static final String FLAG_MAX_BYTES_DOC = "Bytes of a flag file read (status line + log excerpt).";
  public static final int FLAG_MAX_BYTES_DEFAULT = 65_536;

  private static final ConfigDef.Validator GLOBS = (name, value) -> {
    for (Object glob : (List<?>) value) {
      try {
        FileSystems.getDefault().getPathMatcher("glob:" + glob);
      } catch (IllegalArgumentException e) { // incl. PatternSyntaxException
        throw new ConfigException(name, glob, "invalid glob: " + e.getMessage());
      }
    }
  };

  private static final ConfigDef.Validator FLAG_PATTERN = (name, value) -> {
    String pattern = (String) value;
    if (pattern != null && !pattern.isBlank()) {
      try {
        FlagFilePattern.compile(pattern);
      } catch (IllegalArgumentException e) {
        throw new ConfigException(name, pattern, e.getMessage());
      }
    }
  };

  /** The definition, with defaults, validators and documentation of every key. */
  public static final ConfigDef CONFIG_DEF =
      new ConfigDef()
          .define(MODE_CONFIG, Type.STRING, MODE_DEFAULT, ConfigDef.ValidString.in(MODE_LISTING, MODE_SQS),
              Importance.HIGH, MODE_DOC)
          .define(TOPIC_CONFIG, Type.STRING, TOPIC_DEFAULT, new ConfigDef.NonEmptyString(), Importance.HIGH, TOPIC_DOC)
          .define(CONTROL_TOPIC_CONFIG, Type.STRING, CONTROL_TOPIC_DEFAULT, new ConfigDef.NonEmptyString(),
              Importance.MEDIUM, CONTROL_TOPIC_DOC)
          .define(DLQ_TOPIC_CONFIG, Type.STRING, DLQ_TOPIC_DEFAULT, new ConfigDef.NonEmptyString(), Importance.MEDIUM,
              DLQ_TOPIC_DOC)
          .define(S3_BUCKET_CONFIG, Type.STRING, "", Importance.HIGH, S3_BUCKET_DOC)
          .define(S3_PREFIXES_CONFIG, Type.LIST, "", Importance.MEDIUM, S3_PREFIXES_DOC)
          .define(KEY_INCLUDE_GLOBS_CONFIG, Type.LIST, "", GLOBS, Importance.MEDIUM, KEY_INCLUDE_GLOBS_DOC)
          .define(KEY_EXCLUDE_GLOBS_CONFIG, Type.LIST, "", GLOBS, Importance.MEDIUM, KEY_EXCLUDE_GLOBS_DOC)
          .define(S3_ENDPOINT_CONFIG, Type.STRING, "", Importance.MEDIUM, S3_ENDPOINT_DOC)
          .define(S3_REGION_CONFIG, Type.STRING, REGION_DEFAULT, new ConfigDef.NonEmptyString(), Importance.MEDIUM,
              S3_REGION_DOC)
          .define(S3_PATH_STYLE_ACCESS_CONFIG, Type.BOOLEAN, false, Importance.LOW, S3_PATH_STYLE_ACCESS_DOC)
          .define(S3_ACCESS_KEY_ID_CONFIG, Type.STRING, "", Importance.MEDIUM, S3_ACCESS_KEY_ID_DOC)
          .define(S3_SECRET_ACCESS_KEY_CONFIG, Type.PASSWORD, new Password(""), Importance.MEDIUM, S3_SECRET_ACCESS_KEY_DOC)
          .define(SQS_QUEUE_URL_CONFIG, Type.STRING, "", Importance.HIGH, SQS_QUEUE_URL_DOC)
          .define(SQS_ENDPOINT_CONFIG, Type.STRING, "", Importance.MEDIUM, SQS_ENDPOINT_DOC)
          .define(SQS_REGION_CONFIG, Type.STRING, REGION_DEFAULT, new ConfigDef.NonEmptyString(), Importance.MEDIUM,
              SQS_REGION_DOC)
          .define(SQS_ACCESS_KEY_ID_CONFIG, Type.STRING, "", Importance.MEDIUM, SQS_ACCESS_KEY_ID_DOC)
          .define(SQS_SECRET_ACCESS_KEY_CONFIG, Type.PASSWORD, new Password(""), Importance.MEDIUM,
              SQS_SECRET_ACCESS_KEY_DOC)
          .define(SQS_WAIT_TIME_SECONDS_CONFIG, Type.INT, SQS_WAIT_TIME_SECONDS_DEFAULT, ConfigDef.Range.between(0, 20),
              Importance.LOW, SQS_WAIT_TIME_SECONDS_DOC)
          .define(SQS_MAX_MESSAGES_CONFIG, Type.INT, SQS_MAX_MESSAGES_DEFAULT, ConfigDef.Range.between(1, 10),
              Importance.LOW, SQS_MAX_MESSAGES_DOC)
          .define(SQS_VISIBILITY_TIMEOUT_SECONDS_CONFIG, Type.INT, SQS_VISIBILITY_TIMEOUT_SECONDS_DEFAULT,
              ConfigDef.Range.between(0, 43_200), Importance.LOW, SQS_VISIBILITY_TIMEOUT_SECONDS_DOC)
          .define(SQS_DELETE_LINGER_MS_CONFIG, Type.LONG, SQS_DELETE_LINGER_MS_DEFAULT,
              ConfigDef.Range.between(0, 600_000), Importance.LOW, SQS_DELETE_LINGER_MS_DOC)
          .define(POLL_INTERVAL_MS_CONFIG, Type.LONG, POLL_INTERVAL_MS_DEFAULT, ConfigDef.Range.atLeast(100),
              Importance.MEDIUM, POLL_INTERVAL_MS_DOC)
          .define(LISTING_GRACE_MS_CONFIG, Type.LONG, LISTING_GRACE_MS_DEFAULT, ConfigDef.Range.atLeast(0),
              Importance.LOW, LISTING_GRACE_MS_DOC)
          .define(BATCH_MAX_RECORDS_CONFIG, Type.INT, BATCH_MAX_RECORDS_DEFAULT, ConfigDef.Range.between(1, 100_000),
              Importance.LOW, BATCH_MAX_RECORDS_DOC)
          .define(EVENTBRIDGE_KEY_URL_ENCODED_CONFIG, Type.BOOLEAN, true, Importance.LOW,
              EVENTBRIDGE_KEY_URL_ENCODED_DOC)
          .define(EMR_LOOKUP_CONFIG, Type.BOOLEAN, true, Importance.LOW, EMR_LOOKUP_DOC)
          .define(EMR_ENDPOINT_CONFIG, Type.STRING, "", Importance.LOW, EMR_ENDPOINT_DOC)
          .define(EMR_SERVERLESS_ENDPOINT_CONFIG, Type.STRING, "", Importance.LOW, EMR_SERVERLESS_ENDPOINT_DOC)
          .define(EMR_CONTAINERS_ENDPOINT_CONFIG, Type.STRING, "", Importance.LOW, EMR_CONTAINERS_ENDPOINT_DOC)
          .define(EMR_ACCESS_KEY_ID_CONFIG, Type.STRING, "", Importance.LOW, EMR_ACCESS_KEY_ID_DOC)
          .define(EMR_SECRET_ACCESS_KEY_CONFIG, Type.PASSWORD, new Password(""), Importance.LOW, EMR_SECRET_ACCESS_KEY_DOC)
          .define(FLAG_KEY_PATTERN_CONFIG, Type.STRING, "", FLAG_PATTERN, Importance.MEDIUM, FLAG_KEY_PATTERN_DOC)
          .define(FLAG_PIPELINE_CONFIG, Type.STRING, "", Importance.MEDIUM, FLAG_PIPELINE_DOC)
          .define(FLAG_STAGES_CONFIG, Type.LIST, "", Importance.MEDIUM, FLAG_STAGES_DOC)
          .define(FLAG_MAX_BYTES_CONFIG, Type.INT, FLAG_MAX_BYTES_DEFAULT, ConfigDef.Range.between(16, 1 << 20),
              Importance.LOW, FLAG_MAX_BYTES_DOC);

  /** Keys of earlier versions, to their new names: refused, so an old config does not silently change meaning. */
  private static final Map<String, String> RENAMED =
      Map.of("s3.prefix", S3_PREFIXES_CONFIG, "listing.poll.interval.ms", POLL_INTERVAL_MS_CONFIG);

  /**
   * @throws ConfigException if a key has an invalid value, or a key the others require is missing
   */
  public S3EventSourceConfig(Map<String, String> props) {
    super(CONFIG_DEF, props);
    Map<String, String> errors = dependentErrors(originalsStrings());
    if (!errors.isEmpty()) {
      Map.Entry<String, String> first = errors.entrySet().iterator().next();
      throw new ConfigException(first.getKey(), props.get(first.getKey()), first.getValue());
    }
  }

  /**
   * Errors of keys that other keys make required, by key (empty when none). Assumes each value on
   * its own passed its validator.
   */
  static Map<String, String> dependentErrors(Map<String, String> props) {
    Map<String, String> errors = new LinkedHashMap<>();
    String mode = props.getOrDefault(MODE_CONFIG, MODE_DEFAULT);
    if (MODE_LISTING.equals(mode) && blank(props.get(S3_BUCKET_CONFIG))) {
      errors.put(S3_BUCKET_CONFIG, "is required in mode 'listing'");
    }
    if (MODE_SQS.equals(mode) && blank(props.get(SQS_QUEUE_URL_CONFIG))) {
      errors.put(SQS_QUEUE_URL_CONFIG, "is required in mode 'sqs'");
    }
    if (MODE_SQS.equals(mode) && "all".equals(props.get("errors.tolerance"))) {
      // Connect then acknowledges a record whose write failed (commitRecord with null metadata),
      // and the SQS message would be deleted although Kafka never stored its event
      errors.put(MODE_CONFIG, "mode 'sqs' needs errors.tolerance=none: with 'all' a failed Kafka write would delete"
          + " its SQS message");
    }
    RENAMED.forEach((old, current) -> {
      if (props.containsKey(old)) {
        errors.putIfAbsent(current, old + " was renamed to " + current);
      }
    });
    if (!blank(props.get(FLAG_KEY_PATTERN_CONFIG))) {
      if (blank(props.get(FLAG_PIPELINE_CONFIG))) {
        errors.put(FLAG_PIPELINE_CONFIG, "is required with flag.key.pattern");
      }
      if (blank(props.get(FLAG_STAGES_CONFIG))) {
        errors.put(FLAG_STAGES_CONFIG, "is required with flag.key.pattern");
      }
    }
    return errors;
  }

  private static boolean blank(String value) {
    return value == null || value.isBlank();
  }

  public String mode() {
    return getString(MODE_CONFIG);
  }

  public String topic() {
    return getString(TOPIC_CONFIG);
  }

  public String controlTopic() {
    return getString(CONTROL_TOPIC_CONFIG);
  }

  public String dlqTopic() {
    return getString(DLQ_TOPIC_CONFIG);
  }

  /** The bucket watched; empty when not set (sqs mode: any bucket). */
  public String bucket() {
    return getString(S3_BUCKET_CONFIG);
  }

  /** The prefixes watched; {@code [""]} (the whole bucket) when none is set. */
  public List<String> prefixes() {
    List<String> prefixes = getList(S3_PREFIXES_CONFIG);
    return prefixes.isEmpty() ? List.of("") : List.copyOf(prefixes);
  }

  public List<String> includeGlobs() {
    return getList(KEY_INCLUDE_GLOBS_CONFIG);
  }

  public List<String> excludeGlobs() {
    return getList(KEY_EXCLUDE_GLOBS_CONFIG);
  }

  public String endpoint() {
    return getString(S3_ENDPOINT_CONFIG);
  }

  public String region() {
    return getString(S3_REGION_CONFIG);
  }

  public boolean pathStyleAccess() {
    return getBoolean(S3_PATH_STYLE_ACCESS_CONFIG);
  }

  public String accessKeyId() {
    return getString(S3_ACCESS_KEY_ID_CONFIG);
  }

  public Password secretAccessKey() {
    return getPassword(S3_SECRET_ACCESS_KEY_CONFIG);
  }

  public String sqsQueueUrl() {
    return getString(SQS_QUEUE_URL_CONFIG);
  }

  public String sqsEndpoint() {
    return getString(SQS_ENDPOINT_CONFIG);
  }

  public String sqsRegion() {
    return getString(SQS_REGION_CONFIG);
  }

  public String sqsAccessKeyId() {
    return getString(SQS_ACCESS_KEY_ID_CONFIG);
  }

  public Password sqsSecretAccessKey() {
    return getPassword(SQS_SECRET_ACCESS_KEY_CONFIG);
  }

  /** Long-poll wait, s. */
  public int sqsWaitTimeSeconds() {
    return getInt(SQS_WAIT_TIME_SECONDS_CONFIG);
  }

  public int sqsMaxMessages() {
    return getInt(SQS_MAX_MESSAGES_CONFIG);
  }

  /** Visibility timeout per receive, s; 0 for the queue's own. */
  public int sqsVisibilityTimeoutSeconds() {
    return getInt(SQS_VISIBILITY_TIMEOUT_SECONDS_CONFIG);
  }

  /** ms. */
  public long sqsDeleteLingerMs() {
    return getLong(SQS_DELETE_LINGER_MS_CONFIG);
  }

  /** ms. */
  public long pollIntervalMs() {
    return getLong(POLL_INTERVAL_MS_CONFIG);
  }

  /** ms. */
  public long graceMs() {
    return getLong(LISTING_GRACE_MS_CONFIG);
  }

  public int batchMaxRecords() {
    return getInt(BATCH_MAX_RECORDS_CONFIG);
  }

  public boolean eventBridgeKeysUrlEncoded() {
    return getBoolean(EVENTBRIDGE_KEY_URL_ENCODED_CONFIG);
  }

  public boolean emrLookup() {
    return getBoolean(EMR_LOOKUP_CONFIG);
  }

  public String emrEndpoint() {
    return getString(EMR_ENDPOINT_CONFIG);
  }

  public String emrAccessKeyId() {
    return getString(EMR_ACCESS_KEY_ID_CONFIG);
  }

  public Password emrSecretAccessKey() {
    return getPassword(EMR_SECRET_ACCESS_KEY_CONFIG);
  }

  public String emrContainersEndpoint() {
    return getString(EMR_CONTAINERS_ENDPOINT_CONFIG);
  }

  public String emrServerlessEndpoint() {
    return getString(EMR_SERVERLESS_ENDPOINT_CONFIG);
  }

  /** The flag-file pattern; empty when flag files are off. */
  public String flagKeyPattern() {
    return getString(FLAG_KEY_PATTERN_CONFIG);
  }

  public String flagPipeline() {
    return getString(FLAG_PIPELINE_CONFIG);
  }

  public List<String> flagStages() {
    return getList(FLAG_STAGES_CONFIG);
  }

  /** Bytes. */
  public int flagMaxBytes() {
    return getInt(FLAG_MAX_BYTES_CONFIG);
  }
}
