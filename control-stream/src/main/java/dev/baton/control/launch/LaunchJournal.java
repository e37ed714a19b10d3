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
import java.util.Arrays;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.function.Supplier;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * A durable record of the launches made, so that a launch is made at most once per (runId, stage,
 * attempt) even when a micro-batch runs again after a controller crash ({@code foreachBatch} is
 * at-least-once), and so that a restarted controller knows which attempts the previous process had
 * under way ({@link #unended()}, for {@link Launcher#reconcile}).
 *
 * <p>The controller's launch path: {@link #recorded} (skip the launches an earlier run of the
 * micro-batch made), publish {@code StageLaunched}, wait for Kafka's acknowledgement, {@link #record}
 * (a create-if-absent of one object, atomic on both stores), then launch. So an attempt with an
 * entry may have been launched and is never launched again; an attempt without one never was (a crash
 * between Kafka's acknowledgement and the entry makes the replayed micro-batch publish its
 * {@code StageLaunched} a second time, and then launch it once). {@link #ended} marks an attempt whose
 * end was decided; {@link #prune} removes an ended run's entries.
 *
 * <p>Layout: {@code <location>/<uuid(runId)>/<uuid(launchKey)>.launch} (the entry as JSON), and
 * {@code .ended} beside it (name-based UUIDs, so any id makes a safe name);
 * {@code <location>/pipeline-versions/<hash>.json}: the archive of pipeline versions runs refer to
 * ({@link #recordPipelineVersion}). Requests of a batch of launches go to the store up to
 * {@value #PARALLEL_REQUESTS} at a time (on S3 each takes some milliseconds).
 * Stores: a local folder ({@link #local}) or an S3 prefix ({@link #s3}, conditional writes).
 */
public final class LaunchJournal {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String LAUNCH = ".launch";
  private static final String ENDED = ".ended";
  private static final String VERSIONS = "pipeline-versions";
  private static final int PARALLEL_REQUESTS = 8;
  private static final java.util.concurrent.ExecutorService REQUESTS =
      java.util.concurrent.Executors.newFixedThreadPool(PARALLEL_REQUESTS, runnable -> {
        Thread thread = new Thread(runnable, "baton-launch-journal");
        thread.setDaemon(true);
        return thread;
      });

  /** One attempt: {@code <runId>/<stage>/<attempt>}. */
  public record Attempt(String runId, String stage, int attempt) {}

  private final JournalStore store;

  LaunchJournal(JournalStore store) {
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
   * Records {@code launch} if it is not recorded yet, atomically: call it once Kafka acknowledged
   * the launch's {@code StageLaunched}, and launch only if it returns true.
   *
   * <p>An entry byte for byte the same as {@code launch} counts as recorded by this call: a create
   * whose answer was lost (a broken connection) and that the store retried finds the object its first
   * try wrote. Another writer's entry differs, at least in its controller epoch.
   *
   * @return true if this call recorded it; false if it was recorded before (it may have been launched)
   * @throws UncheckedIOException or an AWS SDK exception if the journal cannot be written
   */
  public boolean record(JournaledLaunch launch) {
    String name = base(launch.runId(), launch.launchKey()) + LAUNCH;
    byte[] entry = toJson(launch);
    return store.createIfAbsent(name, entry) || store.read(name).map(found -> Arrays.equals(found, entry)).orElse(false);
  }

  /**
   * {@link #record} for each of {@code launches}.
   *
   * @return the launch keys ({@link JournaledLaunch#launchKey()}) that were recorded before: never launch those
   * @throws UncheckedIOException or an AWS SDK exception if an entry cannot be written
   */
  public Set<String> record(Collection<JournaledLaunch> launches) {
    List<Boolean> created = inParallel(launches.stream().<Supplier<Boolean>>map(launch -> () -> record(launch))
        .toList());
    return keysWhere(launches, created, false);
  }

  /**
   * The launch keys of {@code launches} that are recorded: launched (or about to be) by an earlier
   * run of the same micro-batch.
   *
   * @throws UncheckedIOException or an AWS SDK exception if the journal cannot be read
   */
  public Set<String> recorded(Collection<JournaledLaunch> launches) {
    List<Boolean> exist = inParallel(launches.stream().<Supplier<Boolean>>map(launch ->
        () -> store.exists(base(launch.runId(), launch.launchKey()) + LAUNCH)).toList());
    return keysWhere(launches, exist, true);
  }

  private static Set<String> keysWhere(Collection<JournaledLaunch> launches, List<Boolean> flags, boolean wanted) {
    Set<String> keys = new HashSet<>();
    int i = 0;
    for (JournaledLaunch launch : launches) {
      if (flags.get(i++) == wanted) {
        keys.add(launch.launchKey());
      }
    }
    return keys;
  }

  /**
   * {@link #ended} for each of {@code endedAttempts} whose run is not in {@code endedRuns}, then
   * {@link #prune} for each of {@code endedRuns} (a micro-batch's worth at once).
   *
   * @throws UncheckedIOException or an AWS SDK exception if a mark or a deletion fails
   */
  public void endedAndPruned(Collection<Attempt> endedAttempts, Collection<String> endedRuns) {
    Set<String> pruned = new HashSet<>(endedRuns);
    inParallel(endedAttempts.stream().filter(a -> !pruned.contains(a.runId()))
        .<Supplier<Boolean>>map(a -> () -> ended(a.runId(), a.stage(), a.attempt())).toList());
    inParallel(pruned.stream().<Supplier<Boolean>>map(runId -> () -> {
      prune(runId);
      return true;
    }).toList());
  }

  private <T> List<T> inParallel(List<Supplier<T>> requests) {
    if (requests.size() <= 1) { // no hand-off to another thread for one request
      return requests.stream().map(Supplier::get).toList();
    }
    List<Future<T>> pending = new ArrayList<>();
    for (Supplier<T> request : requests) {
      pending.add(REQUESTS.submit(request::get));
    }
    List<T> results = new ArrayList<>();
    for (Future<T> request : pending) {
      try {
        results.add(request.get());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("Interrupted while using the launch journal " + location(), e);
      } catch (ExecutionException e) {
        throw e.getCause() instanceof RuntimeException runtime ? runtime
            : new IllegalStateException("Cannot use the launch journal " + location(), e.getCause());
      }
    }
    return results;
  }

  /**
   * Marks the attempt {@code runId/stage/attempt} as ended; idempotent. A mark for an attempt never
   * recorded changes nothing {@link #unended} reports, and goes with its run's {@link #prune}.
   *
   * @return true if this call marked it
   */
  public boolean ended(String runId, String stage, int attempt) {
    String base = base(runId, runId + "/" + stage + "/" + attempt);
    return store.createIfAbsent(base + ENDED, new byte[0]);
  }

  /**
   * The recorded launches not marked ended, oldest first: the attempts a previous controller process
   * may have left running.
   */
  public List<JournaledLaunch> unended() {
    Set<String> names = new HashSet<>(store.list(""));
    List<JournaledLaunch> open = new ArrayList<>();
    for (String name : names) {
      if (name.endsWith(LAUNCH)) {
        String base = name.substring(0, name.length() - LAUNCH.length());
        if (!names.contains(base + ENDED)) {
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
