package dev.baton.stages.export;

import java.io.IOException;
import java.net.URI;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RawLocalFileSystem;
import org.apache.hadoop.fs.permission.FsPermission;
import org.apache.hadoop.util.Progressable;

/**
 * The local file system under the scheme {@value #SCHEME}, dying like a killed attempt: after a set number of
 * renames or creates of files whose names match a pattern, every further one throws. The files already written stay
 * on disk, as a killed process leaves them. Register with {@code spark.hadoop.fs.failing.impl}.
 */
public final class FailingFileSystem extends RawLocalFileSystem {
  static final String SCHEME = "failing";

  private static final AtomicInteger renamesLeft = new AtomicInteger(Integer.MAX_VALUE);
  private static final AtomicInteger createsLeft = new AtomicInteger(Integer.MAX_VALUE);
  private static volatile Pattern names = Pattern.compile(".*");

  /** After {@code renames} renames to a name matching {@code pattern}, the next ones fail. */
  static void failRenamesAfter(int renames, String pattern) {
    names = Pattern.compile(pattern);
    renamesLeft.set(renames);
    createsLeft.set(Integer.MAX_VALUE);
  }

  /** After {@code creates} creates of a file whose name matches {@code pattern}, the next ones fail. */
  static void failCreatesAfter(int creates, String pattern) {
    names = Pattern.compile(pattern);
    createsLeft.set(creates);
    renamesLeft.set(Integer.MAX_VALUE);
  }

  @Override
  public URI getUri() {
    return URI.create(SCHEME + ":///");
  }

  @Override
  public String getScheme() {
    return SCHEME;
  }

  @Override
  public boolean rename(Path src, Path dst) throws IOException {
    if (names.matcher(dst.getName()).matches() && renamesLeft.getAndDecrement() <= 0) {
      throw new IOException("Injected failure: killed before renaming " + src + " to " + dst);
    }
    return super.rename(src, dst);
  }

  @Override
  public FSDataOutputStream create(Path f, boolean overwrite, int bufferSize, short replication, long blockSize,
      Progressable progress) throws IOException {
    failCreate(f);
    return super.create(f, overwrite, bufferSize, replication, blockSize, progress);
  }

  @Override
  public FSDataOutputStream create(Path f, FsPermission permission, boolean overwrite, int bufferSize,
      short replication, long blockSize, Progressable progress) throws IOException {
    failCreate(f);
    return super.create(f, permission, overwrite, bufferSize, replication, blockSize, progress);
  }

  private static void failCreate(Path f) throws IOException {
    if (names.matcher(f.getName()).matches() && createsLeft.getAndDecrement() <= 0) {
      throw new IOException("Injected failure: killed before creating " + f);
    }
  }

  // statuses without the local file system's lazily loaded permissions, which only work for file: URIs

  @Override
  public FileStatus getFileStatus(Path f) throws IOException {
    return plain(super.getFileStatus(f));
  }

  @Override
  public FileStatus[] listStatus(Path f) throws IOException {
    FileStatus[] statuses = super.listStatus(f);
    for (int i = 0; i < statuses.length; i++) {
      statuses[i] = plain(statuses[i]);
    }
    return statuses;
  }

  private static FileStatus plain(FileStatus status) {
    return new FileStatus(status.getLen(), status.isDirectory(), 1, status.getBlockSize(),
        status.getModificationTime(), status.getPath());
  }
}
