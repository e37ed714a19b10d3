package dev.baton.control.launch;

import static java.util.Objects.requireNonNull;

import dev.failsafe.Failsafe;
import dev.failsafe.FailsafeException;
import dev.failsafe.RetryPolicy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.Delete;
import software.amazon.awssdk.services.s3.model.DeleteObjectsResponse;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.ObjectIdentifier;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * A {@link JournalStore} under an S3 prefix. Create is a conditional PUT with {@code If-None-Match: *}
 * (Amazon S3 User Guide, "How to prevent object overwrites with conditional writes"): S3 answers 412
 * Precondition Failed when the key exists, so two writers cannot both create it; a 409
 * ConditionalRequestConflict (a concurrent delete or write of the key) is retried as the guide says.
 * Reads, lists and deletes rely on S3's strong read-after-write consistency. A request that fails on
 * the client side (connection reset, broken pipe) after the SDK's own retries is tried again up to
 * {@value #IO_RETRIES} times (0.2 s doubling to 5 s): a micro-batch that cannot write its journal fails, and
 * with it the controller query. Every write is idempotent (a create that did happen answers 412 the
 * second time), so a retry is safe.
 */
final class S3JournalStore implements JournalStore {
  private static final Logger LOG = LoggerFactory.getLogger(S3JournalStore.class);
  private static final int CONFLICT_RETRIES = 3;
  private static final int IO_RETRIES = 5;
  private static final RetryPolicy<Object> IO_FAILURES = RetryPolicy.builder()
      .handle(SdkClientException.class)
      .withBackoff(Duration.ofMillis(200), Duration.ofSeconds(5))
      .withMaxRetries(IO_RETRIES)
      .onRetry(e -> LOG.warn("Launch journal request failed, retrying ({}): {}", e.getAttemptCount(),
          e.getLastException().toString()))
      .build();

  private final S3Client s3;
  private final String bucket;
  private final String prefix;

  /**
   * @param s3 the client (not closed here)
   * @param bucket the bucket
   * @param prefix the journal's prefix in the bucket, without leading or trailing {@code /}; may be empty
   */
  S3JournalStore(S3Client s3, String bucket, String prefix) {
    this.s3 = requireNonNull(s3, "Invalid s3: null");
    this.bucket = requireNonNull(bucket, "Invalid bucket: null");
    this.prefix = requireNonNull(prefix, "Invalid prefix: null");
  }

  private String key(String name) {
    return prefix.isEmpty() ? name : prefix + "/" + name;
  }

  private static <T> T retried(dev.failsafe.function.CheckedSupplier<T> request) {
    try {
      return Failsafe.with(IO_FAILURES).get(request);
    } catch (FailsafeException e) {
      throw e.getCause() instanceof RuntimeException runtime ? runtime : e;
    }
  }

  @Override
  public boolean createIfAbsent(String name, byte[] content) {
    return retried(() -> createOnce(name, content));
  }

  private boolean createOnce(String name, byte[] content) {
    for (int attempt = 1; ; attempt++) {
      try {
        s3.putObject(b -> b.bucket(bucket).key(key(name)).ifNoneMatch("*"), RequestBody.fromBytes(content));
        return true;
      } catch (S3Exception e) {
        if (e.statusCode() == 412) {
          return false;
        }
        if (e.statusCode() != 409 || attempt > CONFLICT_RETRIES) {
          throw e;
        }
      }
    }
  }

  @Override
  public boolean exists(String name) {
    try {
      retried(() -> s3.headObject(b -> b.bucket(bucket).key(key(name))));
      return true;
    } catch (S3Exception e) {
      if (e.statusCode() == 404) { // HEAD has no body: NoSuchKeyException or a plain 404, by SDK version
        return false;
      }
      throw e;
    }
  }

  @Override
  public Optional<byte[]> read(String name) {
    try {
      return Optional.of(retried(() -> s3.getObjectAsBytes(b -> b.bucket(bucket).key(key(name))).asByteArray()));
    } catch (NoSuchKeyException e) {
      return Optional.empty();
    }
  }

  @Override
  public List<String> list(String folder) {
    String listed = key(folder.isEmpty() ? "" : folder + "/");
    int strip = prefix.isEmpty() ? 0 : prefix.length() + 1;
    return retried(() -> {
      List<String> names = new ArrayList<>();
      for (S3Object object : s3.listObjectsV2Paginator(b -> b.bucket(bucket).prefix(listed)).contents()) {
        names.add(object.key().substring(strip));
      }
      return names;
    });
  }

  @Override
  public void deleteAll(String folder) {
    List<String> names = list(folder);
    for (int from = 0; from < names.size(); from += 1000) { // DeleteObjects takes at most 1,000 keys
      List<ObjectIdentifier> keys = names.subList(from, Math.min(names.size(), from + 1000)).stream()
          .map(name -> ObjectIdentifier.builder().key(key(name)).build()).toList();
      DeleteObjectsResponse response = retried(() ->
          s3.deleteObjects(b -> b.bucket(bucket).delete(Delete.builder().objects(keys).quiet(true).build())));
      if (response.hasErrors() && !response.errors().isEmpty()) {
        throw new IllegalStateException("Cannot delete " + folder + " from launch journal " + location() + ": "
            + response.errors().get(0).key() + " " + response.errors().get(0).code() + " "
            + response.errors().get(0).message());
      }
    }
  }

  @Override
  public String location() {
    return "s3://" + bucket + "/" + prefix;
  }
}
