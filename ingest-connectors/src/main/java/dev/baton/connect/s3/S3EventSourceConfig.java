package dev.baton.connect.s3;

import dev.baton.schemas.Topics;
import java.util.Map;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.types.Password;

/**
 * Configuration of {@link S3EventSourceConnector}. Keys are Kafka Connect style lower.dot.case.
 *
 * <p>Modes: {@code listing} lists a bucket/prefix with ListObjectsV2 and emits one {@code
 * ObjectCreated} per object not seen before (for S3-compatible stores without notifications, and
 * the local stack). ({@code sqs}, reading S3/EventBridge notifications, comes next.)
 */
public final class S3EventSourceConfig extends AbstractConfig {

  public static final String MODE_CONFIG = "mode";
  public static final String MODE_DOC = "How object arrival is observed: 'listing' (poll ListObjectsV2).";
  public static final String MODE_DEFAULT = "listing";

  public static final String TOPIC_CONFIG = "topic";
  public static final String TOPIC_DOC = "Topic ObjectCreated events are written to, keyed by bucket/key.";
  public static final String TOPIC_DEFAULT = Topics.OBJECTS;

  public static final String S3_BUCKET_CONFIG = "s3.bucket";
  public static final String S3_BUCKET_DOC = "Bucket watched.";

  public static final String S3_PREFIX_CONFIG = "s3.prefix";
  public static final String S3_PREFIX_DOC = "Only keys starting with this prefix are watched; empty for the whole bucket.";
  public static final String S3_PREFIX_DEFAULT = "";

  public static final String S3_ENDPOINT_CONFIG = "s3.endpoint";
  public static final String S3_ENDPOINT_DOC =
      "S3 endpoint URL for S3-compatible stores (e.g. http://127.0.0.1:9000); empty for AWS's regional endpoint.";
  public static final String S3_ENDPOINT_DEFAULT = "";

  public static final String S3_REGION_CONFIG = "s3.region";
  public static final String S3_REGION_DOC = "AWS region of the bucket.";
  public static final String S3_REGION_DEFAULT = "us-east-1";

  public static final String S3_PATH_STYLE_ACCESS_CONFIG = "s3.path.style.access";
  public static final String S3_PATH_STYLE_ACCESS_DOC = "Use path-style addressing (required by most S3-compatible stores).";
  public static final boolean S3_PATH_STYLE_ACCESS_DEFAULT = false;

  public static final String S3_ACCESS_KEY_ID_CONFIG = "s3.access.key.id";
  public static final String S3_ACCESS_KEY_ID_DOC =
      "Static access key; empty to use the AWS default credentials chain (IAM role, IRSA, environment).";
  public static final String S3_SECRET_ACCESS_KEY_CONFIG = "s3.secret.access.key";
  public static final String S3_SECRET_ACCESS_KEY_DOC = "Static secret key, with s3.access.key.id.";

  public static final String LISTING_POLL_INTERVAL_MS_CONFIG = "listing.poll.interval.ms";
  public static final String LISTING_POLL_INTERVAL_MS_DOC = "Time between two listings of the bucket, ms.";
  public static final long LISTING_POLL_INTERVAL_MS_DEFAULT = 5_000;

  public static final String LISTING_GRACE_MS_CONFIG = "listing.grace.ms";
  public static final String LISTING_GRACE_MS_DOC =
      "How far behind the newest LastModified seen an object may appear and still be emitted, ms (covers"
          + " multipart uploads, whose LastModified is their start). Keys within the window are remembered in"
          + " the source offset.";
  public static final long LISTING_GRACE_MS_DEFAULT = 300_000;

  public static final String BATCH_MAX_RECORDS_CONFIG = "batch.max.records";
  public static final String BATCH_MAX_RECORDS_DOC = "Most records returned by one poll.";
  public static final int BATCH_MAX_RECORDS_DEFAULT = 1_000;

  /** The definition, with defaults, validators and documentation of every key. */
  public static final ConfigDef CONFIG_DEF =
      new ConfigDef()
          .define(MODE_CONFIG, Type.STRING, MODE_DEFAULT, ConfigDef.ValidString.in("listing"), Importance.HIGH, MODE_DOC)
          .define(TOPIC_CONFIG, Type.STRING, TOPIC_DEFAULT, new ConfigDef.NonEmptyString(), Importance.HIGH, TOPIC_DOC)
          .define(S3_BUCKET_CONFIG, Type.STRING, ConfigDef.NO_DEFAULT_VALUE, new ConfigDef.NonEmptyString(),
              Importance.HIGH, S3_BUCKET_DOC)
          .define(S3_PREFIX_CONFIG, Type.STRING, S3_PREFIX_DEFAULT, Importance.MEDIUM, S3_PREFIX_DOC)
          .define(S3_ENDPOINT_CONFIG, Type.STRING, S3_ENDPOINT_DEFAULT, Importance.MEDIUM, S3_ENDPOINT_DOC)
          .define(S3_REGION_CONFIG, Type.STRING, S3_REGION_DEFAULT, new ConfigDef.NonEmptyString(), Importance.MEDIUM,
              S3_REGION_DOC)
          .define(S3_PATH_STYLE_ACCESS_CONFIG, Type.BOOLEAN, S3_PATH_STYLE_ACCESS_DEFAULT, Importance.LOW,
              S3_PATH_STYLE_ACCESS_DOC)
          .define(S3_ACCESS_KEY_ID_CONFIG, Type.STRING, "", Importance.MEDIUM, S3_ACCESS_KEY_ID_DOC)
          .define(S3_SECRET_ACCESS_KEY_CONFIG, Type.PASSWORD, new Password(""), Importance.MEDIUM, S3_SECRET_ACCESS_KEY_DOC)
          .define(LISTING_POLL_INTERVAL_MS_CONFIG, Type.LONG, LISTING_POLL_INTERVAL_MS_DEFAULT, ConfigDef.Range.atLeast(100),
              Importance.MEDIUM, LISTING_POLL_INTERVAL_MS_DOC)
          .define(LISTING_GRACE_MS_CONFIG, Type.LONG, LISTING_GRACE_MS_DEFAULT, ConfigDef.Range.atLeast(0),
              Importance.LOW, LISTING_GRACE_MS_DOC)
          .define(BATCH_MAX_RECORDS_CONFIG, Type.INT, BATCH_MAX_RECORDS_DEFAULT, ConfigDef.Range.between(1, 100_000),
              Importance.LOW, BATCH_MAX_RECORDS_DOC);

  public S3EventSourceConfig(Map<String, String> props) {
    super(CONFIG_DEF, props);
  }

  public String mode() {
    return getString(MODE_CONFIG);
  }

  public String topic() {
    return getString(TOPIC_CONFIG);
  }

  public String bucket() {
    return getString(S3_BUCKET_CONFIG);
  }

  public String prefix() {
    return getString(S3_PREFIX_CONFIG);
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

  public long pollIntervalMs() {
    return getLong(LISTING_POLL_INTERVAL_MS_CONFIG);
  }

  public long graceMs() {
    return getLong(LISTING_GRACE_MS_CONFIG);
  }

  public int batchMaxRecords() {
    return getInt(BATCH_MAX_RECORDS_CONFIG);
  }
}
