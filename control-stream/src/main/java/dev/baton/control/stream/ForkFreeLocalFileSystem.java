package dev.baton.control.stream;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.attribute.PosixFilePermission;
import java.util.EnumSet;
import java.util.Set;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RawLocalFileSystem;
import org.apache.hadoop.fs.permission.FsAction;
import org.apache.hadoop.fs.permission.FsPermission;

/**
 * Hadoop's local file system ({@code file:}) with permissions set through {@code java.nio}
 * instead of a forked {@code chmod} process. Without Hadoop's native library (not published to
 * Maven Central), {@link RawLocalFileSystem} forks {@code chmod} for every file it creates; the
 * controller's checkpoint writes several files per micro-batch, and each fork of a multi-GB JVM
 * costs tens of milliseconds (measured with {@code strace -e execve}: ~8 chmod per second at light
 * load). Enabled with {@code spark.hadoop.fs.file.impl=dev.baton.control.stream.ForkFreeLocalFileSystem}.
 */
public final class ForkFreeLocalFileSystem extends LocalFileSystem {

  public ForkFreeLocalFileSystem() {
    super(new NioPermissions());
  }

  /** {@link RawLocalFileSystem} whose {@code setPermission} does not fork. */
  static final class NioPermissions extends RawLocalFileSystem {
    @Override
    public void setPermission(Path path, FsPermission permission) throws IOException {
      Set<PosixFilePermission> posix = EnumSet.noneOf(PosixFilePermission.class);
      add(posix, permission.getUserAction(), PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE,
          PosixFilePermission.OWNER_EXECUTE);
      add(posix, permission.getGroupAction(), PosixFilePermission.GROUP_READ, PosixFilePermission.GROUP_WRITE,
          PosixFilePermission.GROUP_EXECUTE);
      add(posix, permission.getOtherAction(), PosixFilePermission.OTHERS_READ, PosixFilePermission.OTHERS_WRITE,
          PosixFilePermission.OTHERS_EXECUTE);
      Files.setPosixFilePermissions(pathToFile(path).toPath(), posix);
    }

    private static void add(Set<PosixFilePermission> posix, FsAction action, PosixFilePermission read,
        PosixFilePermission write, PosixFilePermission execute) {
      if (action.implies(FsAction.READ)) {
        posix.add(read);
      }
      if (action.implies(FsAction.WRITE)) {
        posix.add(write);
      }
      if (action.implies(FsAction.EXECUTE)) {
        posix.add(execute);
      }
    }
  }
}
