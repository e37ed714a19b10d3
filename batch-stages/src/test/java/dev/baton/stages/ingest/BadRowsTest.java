package dev.baton.stages.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class BadRowsTest {

  @Test
  void aRowReportedAgainByAReExecutedTaskIsKeptOnce() {
    BadRows driver = new BadRows(1 << 20, 1 << 20);
    BadRows first = task(0, 1, 2);
    BadRows retried = task(1, 2, 3);

    driver.merge(first);
    driver.merge(retried);

    assertThat(driver.value().reported()).isEqualTo(6);
    assertThat(driver.value().overflowed()).isFalse();
    assertThat(driver.value().rows()).extracting(BadRows.Row::id).containsExactly(0L, 1L, 2L, 3L);
  }

  @Test
  void overflowingTheBudgetDropsTheRowsButKeepsCounting() {
    // each row: 16 + 2 * (4 + 6 + 6) = 48 bytes; the budget holds two
    BadRows driver = new BadRows(100, 100);
    driver.merge(task(0, 1));
    assertThat(driver.value().overflowed()).isFalse();

    driver.merge(task(2));

    assertThat(driver.value().overflowed()).isTrue();
    assertThat(driver.value().rows()).isEmpty();
    assertThat(driver.value().reported()).isEqualTo(3);
    driver.merge(task(3));
    assertThat(driver.value().overflowed()).isTrue();
    assertThat(driver.value().reported()).isEqualTo(4);
  }

  @Test
  void aTaskThatOverflowedMakesTheDriverOverflow() {
    BadRows task = new BadRows(50, 50);
    task.add(row(0));
    task.add(row(1));
    BadRows driver = new BadRows(1 << 20, 1 << 20);

    driver.merge(task);

    assertThat(driver.value().overflowed()).isTrue();
    assertThat(driver.value().reported()).isEqualTo(2);
  }

  @Test
  void aTaskOverflowsAtItsShareOfTheBudget() {
    // each row 48 bytes: the driver could hold 20, a task only 2
    BadRows task = new BadRows(1_000, 100);
    task.add(row(0));
    task.add(row(1));
    assertThat(task.value().overflowed()).isFalse();
    task.add(row(2));
    assertThat(task.value().overflowed()).isTrue();

    BadRows driver = new BadRows(1_000, 100);
    driver.merge(task(0, 1));
    driver.merge(task(2, 3));
    assertThat(driver.snapshot().overflowed()).as("the driver merges up to the whole budget").isFalse();
    assertThat(driver.snapshot().rows()).hasSize(4);
  }

  private static BadRows task(long... ids) {
    BadRows task = new BadRows(1 << 20, 1 << 20);
    for (long id : ids) {
      task.add(row(id));
    }
    return task;
  }

  private static BadRows.Row row(long id) {
    return new BadRows.Row(id, "f.tb", "line " + id, "reason");
  }
}
