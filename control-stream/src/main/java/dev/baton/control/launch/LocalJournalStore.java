package dev.baton.control.launch;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/** A {@link JournalStore} in a local (or mounted) folder; create is {@code O_CREAT|O_EXCL}, atomic. */
final class LocalJournalStore implements JournalStore {
  private final Path root;

  LocalJournalStore(Path root) {
    this.root = requireNonNull(root, "Invalid root: null");
    try {
      Files.createDirectories(root);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot create launch journal " + root, e);
    }
  }

  @Override
  public boolean createIfAbsent(String name, byte[] content) {
    Path file = root.resolve(name);
    try {
      Files.createDirectories(file.getParent());
      Files.write(file, content, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
      return true;
    } catch (FileAlreadyExistsException e) {
      return false;
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot write " + name + " in launch journal " + root, e);
    }
  }

  @Override
  public boolean exists(String name) {
    return Files.exists(root.resolve(name));
  }

  @Override
  public Optional<byte[]> read(String name) {
    try {
      return Optional.of(Files.readAllBytes(root.resolve(name)));
    } catch (NoSuchFileException e) {
      return Optional.empty();
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read " + name + " in launch journal " + root, e);
    }
  }

  @Override
  public List<String> list(String prefix) {
    Path folder = prefix.isEmpty() ? root : root.resolve(prefix);
    if (!Files.isDirectory(folder)) {
      return List.of();
    }
    try (Stream<Path> files = Files.walk(folder)) {
      return files.filter(Files::isRegularFile).map(file -> root.relativize(file).toString().replace('\\', '/'))
          .sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot list launch journal " + folder, e);
    }
  }

  @Override
  public void deleteAll(String prefix) {
    Path folder = root.resolve(prefix);
    if (!Files.exists(folder)) {
      return;
    }
    try (Stream<Path> files = Files.walk(folder)) {
      for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(file);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot delete " + prefix + " from launch journal " + root, e);
    }
  }

  @Override
  public String location() {
    return root.toString();
  }
}
