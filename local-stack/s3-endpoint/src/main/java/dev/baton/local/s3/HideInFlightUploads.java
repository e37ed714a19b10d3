package dev.baton.local.s3;

import java.util.List;
import java.util.regex.Pattern;
import org.jclouds.blobstore.BlobStore;
import org.jclouds.blobstore.domain.PageSet;
import org.jclouds.blobstore.domain.StorageMetadata;
import org.jclouds.blobstore.domain.internal.PageSetImpl;
import org.jclouds.blobstore.options.ListContainerOptions;
import org.jclouds.blobstore.util.ForwardingBlobStore;

/**
 * Makes listings behave like S3's: the filesystem blob stores write an upload to a temporary
 * {@code <key>-<random UUID>} file beside the key and rename it when complete, and list those
 * temporary files. S3 never lists an object before its upload completes, and a bucket watcher
 * must not see half-written objects, so they are left out of listings here. (A real key ending in
 * {@code -<UUID>} would be hidden too; local use only.)
 */
final class HideInFlightUploads extends ForwardingBlobStore {
  private static final Pattern TEMPORARY_UPLOAD =
      Pattern.compile(".*-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$");

  HideInFlightUploads(BlobStore delegate) {
    super(delegate);
  }

  @Override
  public PageSet<? extends StorageMetadata> list(String container) {
    return withoutTemporaryUploads(super.list(container));
  }

  @Override
  public PageSet<? extends StorageMetadata> list(String container, ListContainerOptions options) {
    return withoutTemporaryUploads(super.list(container, options));
  }

  private static PageSet<? extends StorageMetadata> withoutTemporaryUploads(PageSet<? extends StorageMetadata> page) {
    List<StorageMetadata> kept = page.stream()
        .filter(entry -> entry.getName() == null || !TEMPORARY_UPLOAD.matcher(entry.getName()).matches())
        .map(StorageMetadata.class::cast)
        .toList();
    return new PageSetImpl<>(kept, page.getNextMarker());
  }
}
