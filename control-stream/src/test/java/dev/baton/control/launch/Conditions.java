package dev.baton.control.launch;

import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import okhttp3.mockwebserver.RecordedRequest;

/** Waits of the launcher tests: on a condition another thread or process makes true, polled. */
final class Conditions {
  private Conditions() {}

  /**
   * Polls {@code condition} every 50 ms.
   *
   * @throws AssertionError if it does not hold within {@code timeout}
   */
  static void await(BooleanSupplier condition, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("Condition not met within " + timeout);
      }
      Thread.sleep(50);
    }
  }

  /**
   * Waits until {@code name} is watched on the mock API server (the tests watch nothing themselves, so
   * the launcher's watch is then established): the mock does not replay a deletion to a watch that
   * starts after it, as a real API server does.
   *
   * @throws AssertionError if nobody watches it within {@code timeout}
   */
  static void awaitWatch(KubernetesMockServer server, String name, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      RecordedRequest request = server.takeRequest(1, TimeUnit.SECONDS);
      if (request != null && request.getPath().contains("watch=true") && request.getPath().contains(name)) {
        return;
      }
    }
    throw new AssertionError("Nobody watches " + name);
  }
}
