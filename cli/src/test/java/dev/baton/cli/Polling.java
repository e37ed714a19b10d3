package dev.baton.cli;

import dev.baton.catalog.CatalogConfig;
import dev.baton.control.ledger.LedgerReader;
import java.time.Duration;
import java.util.List;
import java.util.Map;
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

  /**
   * The ledger trails the control topic by its write interval: polls (every 250 ms, up to 60 s) until the run's row in
   * {@code baton_system.runs} has {@code status}, with a new catalog each time (one instance caches the table it
   * loaded, and would not see the ledger's next MERGE).
   *
   * @param config the stack's configuration (its catalog)
   * @throws AssertionError naming the row found, if it does not have {@code status} within 60 s
   */
  static LedgerReader.RunRecord awaitLedgerRun(Map<String, String> config, String runId, String status)
      throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    List<LedgerReader.RunRecord> found = List.of();
    while (System.nanoTime() < deadline) {
      found = new LedgerReader(CatalogConfig.fromConfig(CatalogConfig.DEFAULT_NAME, config).create()).runsByIdPrefix(runId);
      if (found.size() == 1 && found.get(0).status().equals(status)) {
        return found.get(0);
      }
      Thread.sleep(250); // polling the ledger for a condition
    }
    throw new AssertionError("Ledger row of " + runId + " is " + found + ", expected " + status);
  }
}
