package dev.baton.stages.ingest;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import org.apache.spark.util.AccumulatorV2;

/**
 * The bad rows the tasks of an ingest's permissive pass over its input meet, gathered for the quarantine without
 * another pass: each row under its row id (Spark's {@code monotonically_increasing_id}, the same when a task is
 * re-executed over the same split), so a row a re-executed task reports again is kept once — Spark merges the
 * accumulator updates of every successful attempt of a shuffle-map task.
 *
 * <p>Bounded: once the rows held exceed {@code maxBytes} (their strings' lengths, 2 bytes a char), it drops them
 * and keeps only the fact that it overflowed; the caller then reads the input once more for the quarantine.
 * Its count is then an upper bound, never an undercount: a task attempt that fails adds nothing, and every split
 * is read by a successful one. A task's own copy overflows at {@code taskMaxBytes}, so that the tasks' results
 * together stay near {@code maxBytes} (each task's result counts against {@code spark.driver.maxResultSize}).
 */
final class BadRows extends AccumulatorV2<BadRows.Row, BadRows.Seen> {

  /** One bad row: its id, the file it came from, the record as read and why it is bad. */
  record Row(long id, String file, String record, String reason) implements Serializable {
    long bytes() {
      return 16L + 2L * (length(file) + length(record) + length(reason));
    }

    private static int length(String value) {
      return value == null ? 0 : value.length();
    }
  }

  /**
   * What the tasks saw: the rows by id while within the budget, whether the budget overflowed, and how many bad
   * rows were reported in all (duplicates of re-executed tasks included).
   */
  static final class Seen implements Serializable {
    private final LinkedHashMap<Long, Row> rows = new LinkedHashMap<>();
    private long bytes;
    private boolean overflowed;
    private long reported;

    /** The distinct rows seen; meaningful only when not {@link #overflowed()}. */
    List<Row> rows() {
      return new ArrayList<>(rows.values());
    }

    boolean overflowed() {
      return overflowed;
    }

    /** Bad rows reported, counting a re-executed task's rows again: 0 exactly when there are no bad rows. */
    long reported() {
      return reported;
    }
  }

  private final long maxBytes;
  private final long taskMaxBytes;
  private Seen seen = new Seen();

  /**
   * @param maxBytes the most the rows may hold (approximate: 2 bytes a char) before the accumulator overflows
   * @param taskMaxBytes the most one task's rows may hold before that task's copy overflows
   */
  BadRows(long maxBytes, long taskMaxBytes) {
    this.maxBytes = maxBytes;
    this.taskMaxBytes = taskMaxBytes;
  }

  @Override
  public boolean isZero() {
    return seen.reported == 0;
  }

  @Override
  public AccumulatorV2<Row, Seen> copy() {
    BadRows copy = new BadRows(maxBytes, taskMaxBytes);
    copy.merge(this);
    return copy;
  }

  @Override
  public void reset() {
    seen = new Seen();
  }

  /** In a task: one bad row. */
  @Override
  public void add(Row row) {
    seen.reported++;
    keep(row, taskMaxBytes);
  }

  /** On the driver (Spark's scheduler thread): a task's rows. */
  @Override
  public synchronized void merge(AccumulatorV2<Row, Seen> other) {
    Seen theirs = other.value();
    seen.reported += theirs.reported;
    if (theirs.overflowed) {
      overflow();
      return;
    }
    for (Row row : theirs.rows.values()) {
      keep(row, maxBytes);
    }
  }

  @Override
  public Seen value() {
    return seen;
  }

  /**
   * A copy of what the tasks saw so far, for the driver to read while a late task attempt (a speculative or
   * re-executed one) may still be merged.
   */
  synchronized Seen snapshot() {
    Seen copy = new Seen();
    copy.rows.putAll(seen.rows);
    copy.bytes = seen.bytes;
    copy.overflowed = seen.overflowed;
    copy.reported = seen.reported;
    return copy;
  }

  private void keep(Row row, long limit) {
    if (seen.overflowed || seen.rows.containsKey(row.id())) {
      return;
    }
    seen.rows.put(row.id(), row);
    seen.bytes += row.bytes();
    if (seen.bytes > limit) {
      overflow();
    }
  }

  private void overflow() {
    seen.overflowed = true;
    seen.rows.clear();
    seen.bytes = 0;
  }
}
