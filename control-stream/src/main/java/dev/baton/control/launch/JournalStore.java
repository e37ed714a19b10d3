package dev.baton.control.launch;

import java.util.List;
import java.util.Optional;

/**
 * Where a {@link LaunchJournal} keeps its entries: named byte objects with an atomic create. Names
 * are {@code /}-separated relative paths of safe characters.
 */
interface JournalStore {

  /**
   * Creates {@code name} with {@code content} unless it exists, atomically.
   *
   * @return true if this call created it, false if it existed
   */
  boolean createIfAbsent(String name, byte[] content);

  /** Whether {@code name} exists. */
  boolean exists(String name);

  /** The content of {@code name}, or empty if it does not exist. */
  Optional<byte[]> read(String name);

  /** Every name under {@code prefix} (a folder, {@code ""} for all), at any depth. */
  List<String> list(String prefix);

  /** Deletes every name under {@code prefix}; nothing when there is none. */
  void deleteAll(String prefix);

  /** Where the store is, for messages. */
  String location();
}
