package dev.baton.control.launch;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.UUID;

/**
 * A {@link LaunchJournal} on a local (or mounted) filesystem: one file per launch key, created
 * with {@code CREATE_NEW}, which is atomic and fails if the file exists. File names are
 * name-based UUIDs of the key, so any key is a valid name; the key itself is the content.
 * (For a checkpoint on S3, the same contract maps to a conditional PUT with {@code If-None-Match: *}.)
 */
public final class FileLaunchJournal implements LaunchJournal {
  private final Path directory;

  /**
   * @param directory the journal's folder, created when missing; keep it beside the controller's checkpoint
   * @throws UncheckedIOException if the folder cannot be created
   */
  public FileLaunchJournal(Path directory) {
    this.directory = requireNonNull(directory, "Invalid directory: null");
    try {
      Files.createDirectories(directory);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot create launch journal " + directory, e);
    }
  }

  @Override
  public boolean recordIfAbsent(String launchKey) {
    requireNonNull(launchKey, "Invalid launchKey: null");
    Path entry = directory.resolve(UUID.nameUUIDFromBytes(launchKey.getBytes(StandardCharsets.UTF_8)).toString());
    try {
      // CREATE_NEW is O_CREAT|O_EXCL: atomic, and fails when the entry exists
      Files.writeString(entry, launchKey, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
      return true;
    } catch (FileAlreadyExistsException e) {
      return false;
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot record launch " + launchKey + " in " + directory, e);
    }
  }
}
