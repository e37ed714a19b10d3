package dev.baton.control.state;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Predicate;

/**
 * Slots shared by runs or attempts, kept in the controller's state: the run slots of a pipeline with
 * {@code maxActiveRuns} (state key {@code slots:<pipeline>}, one entry per run) and the attempt slots of a
 * launcher profile or stage type with {@code controller.max-concurrent-attempts.*} (state key {@code
 * attempts:<pool>}, one entry per attempt). An entry joins the queue by its queued event ({@code RunQueued},
 * {@code AttemptQueued}), gets a slot by {@link #admit} (its admitted event starts it), and leaves its slot or
 * the queue when it ends ({@code RunCompleted}, {@code StageCompleted}). Admission order: higher pipeline
 * {@code priority} first, then the older trigger (or readiness), then the id. Immutable and pure.
 *
 * <p>Exactly once: slots change only with the controller's checkpointed state; a queued event delivered again
 * (a replayed micro-batch re-publishes it with the same event id) finds its entry queued or active, or its
 * event id among the last {@value #REMEMBERED_QUEUED} applied (the entry may have ended in between), and is
 * ignored; whatever is admitted twice ignores the second admission.
 *
 * @param active ids holding a slot, in admission order
 * @param queue entries waiting, in admission order
 * @param recentlyQueued the event ids of the last {@value #REMEMBERED_QUEUED} queued events applied, oldest first
 */
public record Slots(List<String> active, List<Entry> queue, List<String> recentlyQueued) {

  /** Prefix of the state key of a pipeline's run slots. */
  public static final String RUNS_KEY_PREFIX = "slots:";
  /** Prefix of the state key of an attempt pool's slots. */
  public static final String ATTEMPTS_KEY_PREFIX = "attempts:";
  /** How many queued event ids are remembered, so a late copy of one is not queued again. */
  public static final int REMEMBERED_QUEUED = 256;

  private static final Comparator<Entry> ADMISSION_ORDER = Comparator.comparingInt((Entry e) -> -e.priority())
      .thenComparingLong(Entry::atMs).thenComparing(Entry::id);

  public Slots {
    active = List.copyOf(active);
    queue = List.copyOf(queue);
    recentlyQueued = recentlyQueued == null ? List.of() : List.copyOf(recentlyQueued);
  }

  /**
   * A queued run or attempt.
   *
   * @param id the runId, or {@code <runId>/<stage>/<attempt>}
   * @param stage the attempt's stage, or null for a run
   * @param attempt the attempt's number, or 0 for a run
   * @param priority its pipeline's priority: higher is admitted first
   * @param atMs when its trigger happened (a run) or it became ready to launch (an attempt), epoch ms
   * @param resumes a run's resume count (its {@code RunAdmitted}'s event id names it); 0 for an attempt
   */
  public record Entry(String id, String runId, String pipeline, String stage, int attempt, int priority, long atMs,
      int resumes) {}

  /**
   * What an input did.
   *
   * @param ignored null, or why it changed nothing ({@code duplicate}: queued or active already, or the event
   *     was applied before; {@code stale}: an end of something that held no slot and was not queued, e.g. started
   *     before the limit existed)
   */
  public record Result(Slots slots, String ignored) {}

  /**
   * An admission round.
   *
   * @param admitted the entries that got a slot, in admission order
   */
  public record Admission(Slots slots, List<Entry> admitted) {}

  /** No entry active or queued. */
  public static Slots empty() {
    return new Slots(List.of(), List.of(), List.of());
  }

  /** The state key of {@code pipeline}'s run slots. */
  public static String runsKey(String pipeline) {
    return RUNS_KEY_PREFIX + pipeline;
  }

  /** The state key of attempt pool {@code pool}'s slots. */
  public static String attemptsKey(String pool) {
    return ATTEMPTS_KEY_PREFIX + pool;
  }

  /** The id of an attempt's entry. */
  public static String attemptId(String runId, String stage, int attempt) {
    return runId + "/" + stage + "/" + attempt;
  }

  /** Queues {@code entry}, unless it is queued or active already or {@code eventId} was applied before. */
  public Result queue(String eventId, Entry entry) {
    if (recentlyQueued.contains(eventId) || active.contains(entry.id())
        || queue.stream().anyMatch(q -> q.id().equals(entry.id()))) {
      return new Result(this, "duplicate");
    }
    List<Entry> next = new ArrayList<>(queue);
    next.add(entry);
    next.sort(ADMISSION_ORDER);
    List<String> remembered = new ArrayList<>(recentlyQueued);
    remembered.add(eventId);
    if (remembered.size() > REMEMBERED_QUEUED) {
      remembered.remove(0);
    }
    return new Result(new Slots(active, next, remembered), null);
  }

  /** Frees the slots of, and unqueues, the entries whose id {@code ended} matches. */
  public Result release(Predicate<String> ended) {
    List<String> nextActive = new ArrayList<>(active);
    List<Entry> nextQueue = new ArrayList<>(queue);
    boolean changed = nextActive.removeIf(ended) | nextQueue.removeIf(entry -> ended.test(entry.id()));
    return changed ? new Result(new Slots(nextActive, nextQueue, recentlyQueued), null) : new Result(this, "stale");
  }

  /** Admits the queue's head while fewer than {@code limit} entries hold a slot. */
  public Admission admit(int limit) {
    List<String> nextActive = new ArrayList<>(active);
    List<Entry> nextQueue = new ArrayList<>(queue);
    List<Entry> admitted = new ArrayList<>();
    while (nextActive.size() < limit && !nextQueue.isEmpty()) {
      Entry head = nextQueue.remove(0);
      nextActive.add(head.id());
      admitted.add(head);
    }
    return new Admission(new Slots(nextActive, nextQueue, recentlyQueued), admitted);
  }
}
