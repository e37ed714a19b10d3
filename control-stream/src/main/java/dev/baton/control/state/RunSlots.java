package dev.baton.control.state;

import dev.baton.control.pipeline.PipelineDefinition;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The run slots of a pipeline with {@code maxActiveRuns} (controller state key {@code slots:<pipeline>}):
 * the runs holding a slot, and the QUEUED runs waiting for one, oldest trigger first. Runs join the queue
 * by their {@code RunQueued} ({@link Input.RunQueued}) and leave a slot (or the queue) by their {@code
 * RunCompleted} ({@link Input.RunEnded}); {@link #admit} gives free slots to the queue's head, each by a
 * {@code RunAdmitted}. Immutable and pure: the run-state function keeps it in the state store.
 *
 * <p>Exactly once: the slots change only with the controller's checkpointed state; a {@code RunQueued}
 * delivered again (a replayed micro-batch re-publishes it with the same event id) finds its run already
 * queued or active, or its event id among the last {@value #REMEMBERED_QUEUED} applied (the run may have
 * ended in between), and is ignored; a run admitted twice ignores the second {@code RunAdmitted}.
 *
 * @param active runIds holding a slot, in admission order
 * @param queue runs waiting, in admission order: by trigger time, then runId
 * @param recentlyQueued the event ids of the last {@value #REMEMBERED_QUEUED} {@code RunQueued} applied, oldest first
 */
public record RunSlots(List<String> active, List<Queued> queue, List<String> recentlyQueued) {

  /** Prefix of the state key of a pipeline's run slots. */
  public static final String STATE_KEY_PREFIX = "slots:";
  /** How many {@code RunQueued} event ids are remembered, so a late copy of one is not queued again. */
  public static final int REMEMBERED_QUEUED = 256;

  public RunSlots {
    active = List.copyOf(active);
    queue = List.copyOf(queue);
    recentlyQueued = recentlyQueued == null ? List.of() : List.copyOf(recentlyQueued);
  }

  /**
   * A QUEUED run.
   *
   * @param triggeredAtMs when its trigger happened, epoch ms
   * @param resumes its resume count (its {@code RunAdmitted}'s event id names it)
   */
  public record Queued(String runId, long triggeredAtMs, int resumes) {}

  /**
   * What an input or an admission did.
   *
   * @param ignored null, or why the input changed nothing ({@code duplicate}: the run is queued or active
   *     already, or the event was applied before; {@code stale}: a run that ended without holding a slot or being queued, e.g. one started
   *     before the pipeline had {@code maxActiveRuns})
   */
  public record Result(RunSlots slots, List<Command> commands, String ignored) {}

  /** No run active or queued. */
  public static RunSlots empty() {
    return new RunSlots(List.of(), List.of(), List.of());
  }

  /** The state key of {@code pipeline}'s run slots. */
  public static String stateKey(String pipeline) {
    return STATE_KEY_PREFIX + pipeline;
  }

  /** Applies a {@link Input.RunQueued} or {@link Input.RunEnded}. */
  public Result apply(Input input) {
    if (input instanceof Input.RunQueued queued) {
      if (recentlyQueued.contains(queued.eventId()) || active.contains(queued.runId())
          || queue.stream().anyMatch(q -> q.runId().equals(queued.runId()))) {
        return new Result(this, List.of(), "duplicate");
      }
      List<Queued> next = new ArrayList<>(queue);
      next.add(new Queued(queued.runId(), queued.triggeredAtMs(), queued.resumes()));
      next.sort(Comparator.comparingLong(Queued::triggeredAtMs).thenComparing(Queued::runId));
      List<String> remembered = new ArrayList<>(recentlyQueued);
      remembered.add(queued.eventId());
      if (remembered.size() > REMEMBERED_QUEUED) {
        remembered.remove(0);
      }
      return new Result(new RunSlots(active, next, remembered), List.of(), null);
    }
    if (input instanceof Input.RunEnded ended) {
      if (active.contains(ended.runId())) {
        List<String> next = new ArrayList<>(active);
        next.remove(ended.runId());
        return new Result(new RunSlots(next, queue, recentlyQueued), List.of(), null);
      }
      List<Queued> next = new ArrayList<>(queue);
      if (next.removeIf(q -> q.runId().equals(ended.runId()))) { // cancelled while QUEUED
        return new Result(new RunSlots(active, next, recentlyQueued), List.of(), null);
      }
      return new Result(this, List.of(), "stale");
    }
    throw new IllegalArgumentException("Not an input of run slots: " + input.getClass().getSimpleName());
  }

  /**
   * Admits the queue's head while slots are free ({@code pipeline.maxActiveRuns()}; every queued run when the
   * pipeline no longer has a limit).
   *
   * @param nowMs the controller's processing time, epoch ms (the {@code RunAdmitted}s' time)
   */
  public Result admit(PipelineDefinition pipeline, long nowMs) {
    int limit = pipeline.maxActiveRuns() == null ? Integer.MAX_VALUE : pipeline.maxActiveRuns();
    List<String> nextActive = new ArrayList<>(active);
    List<Queued> nextQueue = new ArrayList<>(queue);
    List<Command> commands = new ArrayList<>();
    while (nextActive.size() < limit && !nextQueue.isEmpty()) {
      Queued head = nextQueue.remove(0);
      nextActive.add(head.runId());
      commands.add(new Command.PublishRunAdmitted(head.runId(), pipeline.name(), nextActive.size(), head.resumes(), nowMs));
    }
    return new Result(new RunSlots(nextActive, nextQueue, recentlyQueued), commands, null);
  }
}
