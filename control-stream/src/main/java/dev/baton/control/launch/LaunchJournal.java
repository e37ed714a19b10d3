package dev.baton.control.launch;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * A durable record of the launches made, so that a launch is made at most once per (runId, stage,
 * attempt) even when a micro-batch runs again after a controller crash ({@code foreachBatch} is
 * at-least-once), and so that a restarted controller knows which attempts the previous process had
 * under way ({@link #unended()}, for {@link Launcher#reconcile}).
 *
 * <p>An entry goes through three steps, each a create-if-absent of one object (atomic on both stores):
 * <ol>
 *   <li>{@link #record}: before {@code StageLaunched} is published;
 *   <li>{@link #acknowledged}: after Kafka acknowledged {@code StageLaunched}, before the launch;
 *   <li>{@link #ended}: when the attempt's end (completion, LOST, cancellation) has been decided.
 * </ol>
 * A recorded but unacknowledged entry therefore never launched: a replayed micro-batch publishes and
 * launches it again under the same key ({@link Recorded#NOT_ACKNOWLEDGED}). An acknowledged entry may
 * have been launched: it is never launched again. {@link #prune} removes an ended run's entries.
 *
 * <p>Layout: {@code <location>/<uuid(runId)>/<uuid(launchKey)>.launch} (the entry as JSON),
 * {@code .acked} and {@code .ended} beside it (name-based UUIDs, so any id makes a safe name);
 * {@code <location>/pipeline-versions/<hash>.json}: the archive of pipeline versions runs refer to
 * ({@link #recordPipelineVersion}).
 * Stores: a local folder ({@link #local}) or an S3 prefix ({@link #s3}, conditional writes).
 */
public final class LaunchJournal {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String LAUNCH = ".launch";
  private static final String ACKED = ".acked";
  private static final String ENDED = ".ended";
  private static final String VERSIONS = "pipeline-versions";
  private static final int PARALLEL_WRITES = 8;
  private static final java.util.concurrent.ExecutorService WRITERS =
      java.util.concurrent.Executors.newFixedThreadPool(PARALLEL_WRITES, runnable -> {
        Thread thread = new Thread(runnable, "baton-launch-journal");
        thread.setDaemon(true);
        return thread;
      });

  /** What {@link #record} found. */
  public enum Recorded {
    /** Recorded by this call: publish {@code StageLaunched}, then launch. */
    NEW,
    /** Recorded before, but {@code StageLaunched} was never acknowledged, so it never launched: do both again. */
    NOT_ACKNOWLEDGED,
    /** Recorded and acknowledged before: it may have launched; never launch it again. */
    ACKNOWLEDGED
  }

  /** One attempt: {@code <runId>/<stage>/<attempt>}. */
  public record Attempt(String runId, String stage, int attempt) {}

  private final JournalStore store;

  private LaunchJournal(JournalStore store) {
    this.store = store;
  }

  /**
   * A journal in a local (or mounted) folder, created when missing.
   *
   * @throws UncheckedIOException if the folder cannot be created
   */
  public static LaunchJournal local(Path directory) {
    return new LaunchJournal(new LocalJournalStore(requireNonNull(directory, "Invalid directory: null")));
  }

  /**
   * A journal under an S3 prefix.
   *
   * @param s3 the client (the caller closes it)
   * @param location {@code s3://bucket/prefix} or {@code s3a://bucket/prefix}
   * @throws IllegalArgumentException if {@code location} is not such a URI
   */
  public static LaunchJournal s3(S3Client s3, String location) {
    URI uri = URI.create(requireNonNull(location, "Invalid location: null"));
    if (!isS3(location) || uri.getHost() == null) {
      throw new IllegalArgumentException("Cannot open launch journal: not an s3:// or s3a:// location: " + location);
    }
    String prefix = uri.getPath() == null ? "" : uri.getPath().replaceAll("^/+|/+$", "");
    return new LaunchJournal(new S3JournalStore(s3, uri.getHost(), prefix));
  }

  /** Whether {@code location} is an {@code s3://} or {@code s3a://} URI. */
  public static boolean isS3(String location) {
    return location.startsWith("s3://") || location.startsWith("s3a://");
  }

  /** Whether {@code location} is on this machine: a path or a {@code file:} URI. */
  public static boolean isLocal(String location) {
    return !location.matches("^[A-Za-z][A-Za-z0-9+.-]*:.*") || location.startsWith("file:");
  }

  /**
   * Records {@code launch} if it is not recorded yet, atomically.
   *
   * @throws UncheckedIOException or an AWS SDK exception if the journal cannot be read or written
   */
  public Recorded record(JournaledLaunch launch) {
    String base = base(launch.runId(), launch.launchKey());
    if (store.createIfAbsent(base + LAUNCH, toJson(launch))) {
      return Recorded.NEW;
    }
    return store.read(base + ACKED).isPresent() ? Recorded.ACKNOWLEDGED : Recorded.NOT_ACKNOWLEDGED;
  }

  /** Marks {@code launch}'s {@code StageLaunched} as acknowledged by Kafka; idempotent. */
  public void acknowledged(JournaledLaunch launch) {
    store.createIfAbsent(base(launch.runId(), launch.launchKey()) + ACKED, new byte[0]);
  }

  /**
   * {@link #acknowledged} for each of {@code launches}, up to {@value #PARALLEL_WRITES} at a time: on
   * S3 each is a request of some milliseconds, and until an entry is marked, a controller crash makes
   * the replayed micro-batch publish its {@code StageLaunched} again (harmless, but noise).
   *
   * @throws UncheckedIOException or an AWS SDK exception if a mark cannot be written
   */
  public void acknowledged(java.util.Collection<JournaledLaunch> launches) {
    inParallel(launches.stream().<Runnable>map(launch -> () -> acknowledged(launch)).toList());
  }

  /**
   * {@link #ended} for each of {@code endedAttempts}, then {@link #prune} for each of {@code
   * endedRuns}, each step up to {@value #PARALLEL_WRITES} at a time (a micro-batch's worth at once).
   *
   * @throws UncheckedIOException or an AWS SDK exception if a mark or a deletion fails
   */
  public void endedAndPruned(java.util.Collection<Attempt> endedAttempts, java.util.Collection<String> endedRuns) {
    inParallel(endedAttempts.stream().<Runnable>map(a -> () -> ended(a.runId(), a.stage(), a.attempt())).toList());
    inParallel(endedRuns.stream().<Runnable>map(runId -> () -> prune(runId)).toList());
  }

  private void inParallel(List<Runnable> writes) {
    if (writes.size() <= 1) {
      writes.forEach(Runnable::run);
      return;
    }
    List<java.util.concurrent.Future<?>> pending = new ArrayList<>();
    for (Runnable write : writes) {
      pending.add(WRITERS.submit(write));
    }
    for (java.util.concurrent.Future<?> write : pending) {
      try {
        write.get();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("Interrupted while writing to the launch journal", e);
      } catch (java.util.concurrent.ExecutionException e) {
        throw e.getCause() instanceof RuntimeException runtime ? runtime
            : new IllegalStateException("Cannot write to the launch journal " + location(), e.getCause());
      }
    }
  }

  /** Marks the attempt {@code runId/stage/attempt} as ended; idempotent, and nothing if it was never recorded. */
  public void ended(String runId, String stage, int attempt) {
    String base = base(runId, runId + "/" + stage + "/" + attempt);
    store.createIfAbsent(base + ENDED, new byte[0]);
  }

  /**
   * The acknowledged launches not marked ended, oldest first: the attempts a previous controller
   * process may have left running. Recorded but unacknowledged entries are not included: they never
   * launched, and the micro-batch that recorded them runs again.
   */
  public List<JournaledLaunch> unended() {
    Set<String> names = new HashSet<>(store.list(""));
    List<JournaledLaunch> open = new ArrayList<>();
    for (String name : names) {
      if (name.endsWith(LAUNCH)) {
        String base = name.substring(0, name.length() - LAUNCH.length());
        if (names.contains(base + ACKED) && !names.contains(base + ENDED)) {
          store.read(name).map(LaunchJournal::fromJson).ifPresent(open::add);
        }
      }
    }
    open.sort(java.util.Comparator.comparingLong(JournaledLaunch::recordedAtMs));
    return open;
  }

  /** Removes every entry of {@code runId} (an ended run: no micro-batch launches for it any more). */
  public void prune(String runId) {
    store.deleteAll(uuid(runId));
  }

  /**
   * Keeps {@code definition} (JSON) of the pipeline version {@code hash}, if not kept yet. Runs store
   * only the hash of the version they decide on; the controller archives each version it loads here,
   * beside the launches, before any run can refer to it. Versions are never pruned (one small file
   * per pipeline edit).
   *
   * @param hash the version's content hash (hex)
   * @throws IllegalArgumentException if {@code hash} is not hex
   */
  public void recordPipelineVersion(String hash, byte[] definition) {
    if (!hash.matches("[0-9a-f]{1,64}")) {
      throw new IllegalArgumentException("Cannot record pipeline version: invalid hash " + hash);
    }
    store.createIfAbsent(VERSIONS + "/" + hash + ".json", definition);
  }

  /** Every archived pipeline version: hash to definition (JSON). */
  public java.util.Map<String, byte[]> pipelineVersions() {
    java.util.Map<String, byte[]> versions = new java.util.TreeMap<>();
    for (String name : store.list(VERSIONS)) {
      String hash = name.substring(name.lastIndexOf('/') + 1).replaceFirst("\\.json$", "");
      store.read(name).ifPresent(bytes -> versions.put(hash, bytes));
    }
    return versions;
  }

  /** Where the journal is, for messages. */
  public String location() {
    return store.location();
  }

  private static String base(String runId, String launchKey) {
    return uuid(runId) + "/" + uuid(launchKey);
  }

  private static String uuid(String id) {
    return UUID.nameUUIDFromBytes(id.getBytes(StandardCharsets.UTF_8)).toString();
  }

  private static byte[] toJson(JournaledLaunch launch) {
    try {
      return JSON.writeValueAsBytes(launch);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("Cannot write journal entry " + launch.launchKey(), e);
    }
  }

  private static JournaledLaunch fromJson(byte[] bytes) {
    try {
      return JSON.readValue(bytes, JournaledLaunch.class);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read a launch journal entry: " + new String(bytes, StandardCharsets.UTF_8), e);
    }
  }
}
