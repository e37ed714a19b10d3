package dev.baton.stages.ingest;

import java.net.URI;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.RawLocalFileSystem;
import org.apache.hadoop.fs.StorageStatistics;

/**
 * The local file system under the scheme {@value #SCHEME}, so the bytes Spark reads from an input
 * given as {@code counting:///path} are counted apart from everything else on local disk (the
 * warehouse, Spark's own files). Register with {@code spark.hadoop.fs.counting.impl}.
 */
public final class CountingFileSystem extends RawLocalFileSystem {
  static final String SCHEME = "counting";

  @Override
  public URI getUri() {
    return URI.create(SCHEME + ":///");
  }

  @Override
  public String getScheme() {
    return SCHEME;
  }

  /** Bytes read so far through this scheme, by every task of this JVM. */
  static long bytesRead() {
    StorageStatistics statistics = FileSystem.getGlobalStorageStatistics().get(SCHEME);
    if (statistics == null) {
      return 0;
    }
    Long bytes = statistics.getLong("bytesRead");
    return bytes == null ? 0 : bytes;
  }
}
