package dev.baton.local.s3;

import static java.util.Objects.requireNonNull;

import java.io.PrintStream;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.jclouds.blobstore.BlobStore;
import org.jclouds.blobstore.domain.Blob;
import org.jclouds.blobstore.domain.BlobMetadata;
import org.jclouds.blobstore.domain.MultipartPart;
import org.jclouds.blobstore.domain.MultipartUpload;
import org.jclouds.blobstore.options.CopyOptions;
import org.jclouds.blobstore.options.PutOptions;
import org.jclouds.blobstore.util.ForwardingBlobStore;

/**
 * Sends an S3 event notification ({@link S3EventNotification}) after each object created in a
 * notified bucket, the way an S3 bucket notification to SQS does:
 *
 * <ul>
 *   <li>{@code putBlob} with options (S3 PUT): {@code ObjectCreated:Put};
 *   <li>{@code putBlob} without options (S3Proxy uses it for browser POST uploads only):
 *       {@code ObjectCreated:Post};
 *   <li>{@code completeMultipartUpload}: {@code ObjectCreated:CompleteMultipartUpload};
 *   <li>{@code copyBlob} (S3 copy): {@code ObjectCreated:Copy}.
 * </ul>
 *
 * <p>The message is sent after the blob store has stored the object and before S3Proxy answers the
 * client, so a client that got its 200 finds the message queued. S3Proxy stores a stub object named
 * {@value #MULTIPART_STUB_PREFIX}{@code <upload id>} while a multipart upload is open (filesystem
 * stores cannot list uploads) and hides it from listings; that stub is not notified.
 *
 * <p>Best effort: AWS delivers its notifications at least once, but a send that fails here is
 * reported on {@code errors} and dropped; the object stays stored and the client sees success.
 */
final class NotifyObjectCreated extends ForwardingBlobStore {

  /** Where the message bodies go, e.g. an SQS queue. */
  @FunctionalInterface
  interface Sender {
    /**
     * Sends one message body.
     *
     * @throws RuntimeException if the message may not have been sent
     */
    void send(String messageBody);
  }

  /** S3Proxy's reserved name prefix of multipart upload stubs (its {@code MULTIPART_STUB_PREFIX}). */
  static final String MULTIPART_STUB_PREFIX = ".s3proxy-mpu-stub-";

  private final Set<String> buckets;
  private final Sender sender;
  private final String destination;
  private final PrintStream errors;
  private final AtomicLong lastSequencer = new AtomicLong();

  /**
   * @param delegate the blob store that stores the objects
   * @param buckets the buckets whose created objects are notified
   * @param sender sends each message body
   * @param destination the sender's target (a queue URL), named in error reports
   * @param errors where failed sends are reported
   */
  NotifyObjectCreated(BlobStore delegate, Set<String> buckets, Sender sender, String destination, PrintStream errors) {
    super(delegate);
    this.buckets = Set.copyOf(requireNonNull(buckets, "Invalid buckets: null"));
    this.sender = requireNonNull(sender, "Invalid sender: null");
    this.destination = requireNonNull(destination, "Invalid destination: null");
    this.errors = requireNonNull(errors, "Invalid errors: null");
  }

  @Override
  public String putBlob(String container, Blob blob, PutOptions options) {
    String eTag = super.putBlob(container, blob, options);
    String key = blob.getMetadata().getName();
    if (!key.startsWith(MULTIPART_STUB_PREFIX)) {
      notifyCreated("ObjectCreated:Put", container, key, eTag);
    }
    return eTag;
  }

  @Override
  public String putBlob(String container, Blob blob) {
    String eTag = super.putBlob(container, blob);
    notifyCreated("ObjectCreated:Post", container, blob.getMetadata().getName(), eTag);
    return eTag;
  }

  @Override
  public String completeMultipartUpload(MultipartUpload upload, List<MultipartPart> parts) {
    String eTag = super.completeMultipartUpload(upload, parts);
    notifyCreated("ObjectCreated:CompleteMultipartUpload", upload.containerName(), upload.blobName(), eTag);
    return eTag;
  }

  @Override
  public String copyBlob(String fromContainer, String fromName, String toContainer, String toName, CopyOptions options) {
    String eTag = super.copyBlob(fromContainer, fromName, toContainer, toName, options);
    notifyCreated("ObjectCreated:Copy", toContainer, toName, eTag);
    return eTag;
  }

  private void notifyCreated(String eventName, String bucket, String key, String eTag) {
    if (!buckets.contains(bucket)) {
      return;
    }
    Instant now = Instant.now();
    try {
      // the stored size: request bodies may be chunk-encoded, so their declared length is not it
      BlobMetadata stored = delegate().blobMetadata(bucket, key);
      long size = stored == null || stored.getSize() == null ? 0 : stored.getSize();
      String storedETag = eTag != null ? eTag : stored == null ? null : stored.getETag();
      sender.send(S3EventNotification.objectCreated(eventName, bucket, key, size, storedETag, now, nextSequencer(now)));
    } catch (RuntimeException e) {
      errors.printf("ERROR [baton-s3-notifier] Cannot send %s for s3://%s/%s to %s: %s%n"
              + "ERROR [baton-s3-notifier] The object is stored, but no event notification was sent for it.%n",
          eventName, bucket, key, destination, e);
      errors.flush();
    }
  }

  /**
   * 16 upper-case hex digits of nanoseconds since the epoch, strictly increasing in this process
   * (and across restarts while the clock does not go back), so later events of a key sort after
   * earlier ones, as S3's sequencer does.
   */
  private String nextSequencer(Instant now) {
    long nanos = now.getEpochSecond() * 1_000_000_000L + now.getNano();
    return String.format("%016X", lastSequencer.updateAndGet(last -> Math.max(last + 1, nanos)));
  }
}
