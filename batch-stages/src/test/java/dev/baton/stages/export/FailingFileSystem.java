package dev.baton.stages.export;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.net.URI;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RawLocalFileSystem;
import org.apache.hadoop.fs.permission.FsPermission;
import org.apache.hadoop.util.Progressable;

/**
 * The local file system under the scheme {@value #SCHEME}, dying like a killed attempt: after a set number of
 * renames or creates of files whose names match a pattern, every further one throws; or, after a set number of bytes
 * written to such files, every further write throws. The files already written stay on disk, as a killed process
 * leaves them. Register with {@code spark.hadoop.fs.failing.impl}.
 */
public final class FailingFileSystem extends RawLocalFileSystem {
  static final String SCHEME = "failing";

  private static final AtomicInteger renamesLeft = new AtomicInteger(Integer.MAX_VALUE);
  private static final AtomicInteger createsLeft = new AtomicInteger(Integer.MAX_VALUE);
  private static final AtomicLong bytesLeft = new AtomicLong(Long.MAX_VALUE);
  private static volatile Pattern names = Pattern.compile(".*");

  /** After {@code renames} renames to a name matching {@code pattern}, the next ones fail. */
  static void failRenamesAfter(int renames, String pattern) {
    names = Pattern.compile(pattern);
    renamesLeft.set(renames);
    createsLeft.set(Integer.MAX_VALUE);
    bytesLeft.set(Long.MAX_VALUE);
  }

  /** After {@code creates} creates of a file whose name matches {@code pattern}, the next ones fail. */
  static void failCreatesAfter(int creates, String pattern) {
    names = Pattern.compile(pattern);
    createsLeft.set(creates);
    renamesLeft.set(Integer.MAX_VALUE);
    bytesLeft.set(Long.MAX_VALUE);
  }

  /** After {@code bytes} bytes written to files whose names match {@code pattern}, the next writes fail. */
  static void failWritesAfter(long bytes, String pattern) {
    names = Pattern.compile(pattern);
    bytesLeft.set(bytes);
    createsLeft.set(Integer.MAX_VALUE);
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
    return failingWrites(f, super.create(f, overwrite, bufferSize, replication, blockSize, progress));
  }

  @Override
  public FSDataOutputStream create(Path f, FsPermission permission, boolean overwrite, int bufferSize,
      short replication, long blockSize, Progressable progress) throws IOException {
    failCreate(f);
    return failingWrites(f, super.create(f, permission, overwrite, bufferSize, replication, blockSize, progress));
  }

  private FSDataOutputStream failingWrites(Path f, FSDataOutputStream out) {
    if (!names.matcher(f.getName()).matches()) {
      return out;
    }
    return new FSDataOutputStream(new FilterOutputStream(out) {
      @Override
      public void write(int b) throws IOException {
        count(1);
        out.write(b);
      }

      @Override
      public void write(byte[] b, int off, int len) throws IOException {
        count(len);
        out.write(b, off, len);
      }

      private void count(int bytes) throws IOException {
        if (bytesLeft.addAndGet(-bytes) < 0) {
          throw new IOException("Injected failure: killed while writing " + f);
        }
      }
    }, statistics);
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
