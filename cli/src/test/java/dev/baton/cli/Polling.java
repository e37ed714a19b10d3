package dev.baton.cli;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/**
 * Waiting for a condition the ITs cannot be told about (another process's state, a fake AWS API's, a
 * ledger table): polled every 100 ms.
 */
final class Polling {
  private Polling() {}

  /**
   * Returns once {@code condition} holds.
   *
   * @throws AssertionError saying {@code what} did not happen within {@code timeout}
   */
  static void await(BooleanSupplier condition, Duration timeout, String what) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("Not within " + timeout + ": " + what);
      }
      Thread.sleep(100); // polling: no event reaches the test from where the condition changes
    }
  }
}
