package dev.baton.control.launch;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
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
 * Reads, lists and deletes rely on S3's strong read-after-write consistency.
 */
final class S3JournalStore implements JournalStore {
  private static final int CONFLICT_RETRIES = 3;

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

  @Override
  public boolean createIfAbsent(String name, byte[] content) {
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
  public Optional<byte[]> read(String name) {
    try {
      return Optional.of(s3.getObjectAsBytes(b -> b.bucket(bucket).key(key(name))).asByteArray());
    } catch (NoSuchKeyException e) {
      return Optional.empty();
    }
  }

  @Override
  public List<String> list(String folder) {
    String listed = key(folder.isEmpty() ? "" : folder + "/");
    int strip = prefix.isEmpty() ? 0 : prefix.length() + 1;
    List<String> names = new ArrayList<>();
    for (S3Object object : s3.listObjectsV2Paginator(b -> b.bucket(bucket).prefix(listed)).contents()) {
      names.add(object.key().substring(strip));
    }
    return names;
  }

  @Override
  public void deleteAll(String folder) {
    List<String> names = list(folder);
    for (int from = 0; from < names.size(); from += 1000) { // DeleteObjects takes at most 1,000 keys
      List<ObjectIdentifier> keys = names.subList(from, Math.min(names.size(), from + 1000)).stream()
          .map(name -> ObjectIdentifier.builder().key(key(name)).build()).toList();
      DeleteObjectsResponse response =
          s3.deleteObjects(b -> b.bucket(bucket).delete(Delete.builder().objects(keys).quiet(true).build()));
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
