package dev.baton.local.s3;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * Builds the message body AWS S3 sends to an SQS queue when an object is created, with one record,
 * following <a
 * href="https://docs.aws.amazon.com/AmazonS3/latest/userguide/notification-content-structure.html">
 * the event message structure</a> (event version 2.1):
 *
 * <pre>{@code
 * {"Records":[{"eventVersion":"2.1","eventSource":"aws:s3","awsRegion":"us-east-1",
 *   "eventTime":"2026-01-31T12:00:00.123Z","eventName":"ObjectCreated:Put",
 *   "s3":{"s3SchemaVersion":"1.0","configurationId":"baton-local",
 *     "bucket":{"name":"landing","arn":"arn:aws:s3:::landing"},
 *     "object":{"key":"in/a+b.csv","size":1024,"eTag":"d41d8cd98f00b204e9800998ecf8427e",
 *       "sequencer":"1880A2B3C4D5E6F7"}}}]}
 * }</pre>
 *
 * <p>Only the fields above are written: no {@code userIdentity}, {@code requestParameters},
 * {@code responseElements}, {@code ownerIdentity} or {@code versionId}.
 */
final class S3EventNotification {
  /** The region named in every record. */
  static final String REGION = "us-east-1";
  /** The {@code s3.configurationId} of every record: the name of the (local) notification rule. */
  static final String CONFIGURATION_ID = "baton-local";

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final DateTimeFormatter EVENT_TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

  private S3EventNotification() {}

  /**
   * The message body for one created object.
   *
   * @param eventName e.g. {@code ObjectCreated:Put}, {@code ObjectCreated:CompleteMultipartUpload}
   * @param bucket the bucket name
   * @param key the object key, unencoded (it is encoded here, see {@link #encodeKey})
   * @param size the object's size in bytes
   * @param eTag the object's ETag; surrounding double quotes are removed, as in AWS's records
   * @param eventTime when the object was created (written in UTC with milliseconds)
   * @param sequencer orders events of one key: a larger value is a later event (hex, compared
   *     as strings of equal length)
   */
  static String objectCreated(
      String eventName, String bucket, String key, long size, String eTag, Instant eventTime, String sequencer) {
    requireNonNull(eventName, "Invalid eventName: null");
    requireNonNull(bucket, "Invalid bucket: null");
    requireNonNull(key, "Invalid key: null");
    requireNonNull(eventTime, "Invalid eventTime: null");
    requireNonNull(sequencer, "Invalid sequencer: null");
    ObjectNode record = JSON.createObjectNode();
    record.put("eventVersion", "2.1");
    record.put("eventSource", "aws:s3");
    record.put("awsRegion", REGION);
    record.put("eventTime", EVENT_TIME.format(eventTime));
    record.put("eventName", eventName);
    ObjectNode s3 = record.putObject("s3");
    s3.put("s3SchemaVersion", "1.0");
    s3.put("configurationId", CONFIGURATION_ID);
    ObjectNode bucketNode = s3.putObject("bucket");
    bucketNode.put("name", bucket);
    bucketNode.put("arn", "arn:aws:s3:::" + bucket);
    ObjectNode object = s3.putObject("object");
    object.put("key", encodeKey(key));
    object.put("size", size);
    if (eTag != null) {
      object.put("eTag", unquote(eTag));
    }
    object.put("sequencer", sequencer);
    ObjectNode message = JSON.createObjectNode();
    message.putArray("Records").add(record);
    try {
      return JSON.writeValueAsString(message);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("Cannot write S3 event notification for " + bucket + "/" + key, e);
    }
  }

  /**
   * Encodes a key the way S3 writes it into event records: URL form encoding of its UTF-8 bytes
   * (a space becomes {@code +}, {@code é} becomes {@code %C3%A9}), except that {@code /} is kept.
   * Readers decode it with {@code URLDecoder.decode(key, UTF_8)}.
   */
  static String encodeKey(String key) {
    return URLEncoder.encode(key, StandardCharsets.UTF_8).replace("%2F", "/");
  }

  private static String unquote(String eTag) {
    return eTag.length() >= 2 && eTag.startsWith("\"") && eTag.endsWith("\"")
        ? eTag.substring(1, eTag.length() - 1)
        : eTag;
  }
}
