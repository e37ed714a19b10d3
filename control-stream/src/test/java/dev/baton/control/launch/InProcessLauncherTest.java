package dev.baton.control.launch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.baton.control.pipeline.StageDefinition;
import dev.baton.schemas.event.ControlEvent;
import dev.baton.schemas.event.StageCompleted;
import dev.baton.schemas.event.StageStatus;
import dev.baton.stages.runner.StageRunner;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The in-process launcher on a real local SparkSession: its queue is bounded and says "no capacity". */
class InProcessLauncherTest {
  private static final StageDefinition SLOW = new StageDefinition("slow", "noop", List.of(), Map.of("durationMs", 600_000));
  private static final StageDefinition FAST = new StageDefinition("fast", "noop", List.of(), Map.of());

  private static SparkSession spark;

  @BeforeAll
  static void startSpark() {
    spark = SparkSession.builder().master("local[1]").appName("InProcessLauncherTest")
        .config("spark.ui.enabled", "false").config("spark.sql.shuffle.partitions", "1").getOrCreate();
  }

  @AfterAll
  static void stopSpark() {
    spark.stop();
  }

  @Test
  void aLaunchBeyondTheRunningAndQueuedAttemptsIsRefusedWithNoCapacityAndLosesNothing() {
    List<ControlEvent> completions = new CopyOnWriteArrayList<>();
    InProcessLauncher launcher = new InProcessLauncher(spark, new StageRunner(completions::add, Clock.systemUTC()), 1, 1);
    try {
      launcher.launch(request("r", SLOW, 1));
      await(() -> launcher.queuedAttempts() == 0 && launcher.runningAttempts() == 1, "slow#1 running"); // its thread took it
      launcher.launch(request("q", SLOW, 1)); // waits for the thread

      assertThatThrownBy(() -> launcher.launch(request("x", FAST, 1)))
          .isInstanceOf(IllegalStateException.class)
          .hasMessage("Cannot launch attempt x/fast/1: no capacity (1 running, 1 queued, at most 1 queued:"
              + " controller.max-queued-stages)");
      assertThat(launcher.activeAttempts()).isEqualTo(2); // the refused attempt is not held anywhere

      // capacity comes back when attempts end: cancelling frees the queued place and the thread (the queued one
      // first: cancelled after the running one, it could already have been taken by the freed thread)
      launcher.cancel("q/slow/1");
      launcher.cancel("r/slow/1");
      assertThat(launcher.activeAttempts()).isZero();
      // both places are free again, the thread's and the queue's: two slow attempts are taken (a third would not be)
      launcher.launch(request("s1", SLOW, 1));
      launcher.launch(request("s2", SLOW, 1));
      assertThat(launcher.activeAttempts()).isEqualTo(2);
      launcher.cancel("s2/slow/1");
      launcher.cancel("s1/slow/1");
      launcher.launch(request("x", FAST, 2));
      await(() -> completions.stream().anyMatch(event -> event.getRunId().equals("x")), "x/fast/2 completed");
      StageCompleted fast = completions.stream().filter(event -> event.getRunId().equals("x"))
          .map(event -> (StageCompleted) event.getPayload()).findFirst().orElseThrow();
      assertThat(fast.getAttempt()).isEqualTo(2);
      assertThat(fast.getStatus()).isEqualTo(StageStatus.SUCCEEDED);
      assertThat(completions).noneMatch(event -> event.getRunId().equals("q")); // dropped from the queue, never ran
    } finally {
      launcher.close();
    }
    assertThatThrownBy(() -> launcher.launch(request("y", FAST, 1)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("Cannot launch attempt y/fast/1: the launcher is closed");
  }

  @Test
  void withoutAQueueOnlyTheRunningAttemptsAreAccepted() {
    InProcessLauncher launcher = new InProcessLauncher(spark, new StageRunner(event -> {}, Clock.systemUTC()), 1, 0);
    try {
      launcher.launch(request("r", SLOW, 1));
      await(() -> launcher.queuedAttempts() == 0 && launcher.runningAttempts() == 1, "slow#1 running");
      launcher.launch(request("r", SLOW, 1)); // the same attempt again: already running, not refused
      assertThatThrownBy(() -> launcher.launch(request("q", SLOW, 1)))
          .hasMessageStartingWith("Cannot launch attempt q/slow/1: no capacity (1 running, 0 queued");
    } finally {
      launcher.cancel("r/slow/1");
      launcher.close();
    }
  }

  private static LaunchRequest request(String runId, StageDefinition stage, int attempt) {
    return new LaunchRequest(runId, "p", stage, attempt, Map.of(), null);
  }

  private static void await(BooleanSupplier condition, String what) {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for " + what);
      }
      try {
        Thread.sleep(10); // polling a condition no callback reports
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }
  }
}
