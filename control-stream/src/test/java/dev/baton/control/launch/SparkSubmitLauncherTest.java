package dev.baton.control.launch;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.control.pipeline.StageDefinition;
import dev.baton.schemas.AttemptName;
import dev.baton.schemas.event.ControlEvent;
import dev.baton.schemas.event.StageCompleted;
import dev.baton.schemas.event.StageStatus;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The spark-submit launcher against real spark-submit runs of the stage runner, from the Spark home
 * Baton's build lays out (batch-stages/target/spark-home), without Kafka: what the launcher itself
 * must do when an application cannot report its attempt, and when it is cancelled.
 */
class SparkSubmitLauncherTest {
  private static final Path SPARK_HOME = Path.of(System.getProperty("user.dir")).resolveSibling("batch-stages/target/spark-home");
  private static final String RUN_ID = "0c4bd3d8-4a6b-3b1e-9a49-6ad4e1c7f2a1";

  @TempDir
  Path dir;

  private final List<ControlEvent> published = new CopyOnWriteArrayList<>();

  private SparkSubmitLauncher launcher(Path stageConfig) {
    assertThat(SPARK_HOME.resolve("bin/spark-submit")).as("the Spark home the batch-stages build lays out").isExecutable();
    LauncherProfile profile = LauncherProfile.fromConfig(Map.of()).get(LauncherProfile.SPARK_SUBMIT);
    return new SparkSubmitLauncher(SparkSubmitSettings.from(profile, SPARK_HOME, stageConfig, dir.resolve("logs"), Map.of()),
        published::add, Clock.systemUTC());
  }

  private static LaunchRequest request(String stage, int attempt) {
    return new LaunchRequest(RUN_ID, "p", new StageDefinition(stage, "noop", List.of(), Map.of()), attempt, Map.of(), null);
  }

  @Test
  void anApplicationThatCannotReportItsAttemptIsReportedFailedWithItsLog() throws Exception {
    Path config = Files.writeString(dir.resolve("baton.properties"), "kafka.bootstrap.servers=127.0.0.1:1\n");
    try (SparkSubmitLauncher launcher = launcher(config)) {
      Files.delete(config); // the application cannot read it: it exits 1 before it could publish anything

      launcher.launch(request("a", 1));

      Conditions.await(() -> !published.isEmpty(), Duration.ofMinutes(2));
      StageCompleted completed = (StageCompleted) published.get(0).getPayload();
      assertThat(completed.getStage()).isEqualTo("a");
      assertThat(completed.getStatus()).isEqualTo(StageStatus.FAILED);
      assertThat(completed.getError().getType()).isEqualTo("APPLICATION_FAILED");
      assertThat(completed.getError().getMessage()).contains("ended FAILED without reporting the attempt")
          .contains("Cannot read configuration file " + config + ": no such file");
      Path log = dir.resolve("logs/p/" + RUN_ID + "/a-1.log");
      assertThat(completed.getLogUri()).isEqualTo(log.toUri().toString());
      assertThat(completed.getError().getLogUri()).isEqualTo(log.toUri().toString());
      assertThat(Files.readString(log)).contains("org.apache.kafka.common.config.ConfigException");
      Conditions.await(() -> launcher.activeAttempts() == 0, Duration.ofSeconds(30));
    }
  }

  @Test
  void aRunningApplicationIsFoundByItsNameAndACancelledOneIsKilledAndNotReported() throws Exception {
    // Kafka unreachable: the noop stage runs, then its runner retries the publish for minutes
    Path config = Files.writeString(dir.resolve("baton.properties"),
        "kafka.bootstrap.servers=127.0.0.1:1\nkafka.max.block.ms=600000\n");
    String name = new AttemptName("p", RUN_ID, "b", 1).toString();
    JournaledLaunch journaled = new JournaledLaunch(RUN_ID, "p", "b", 1, "noop", "spark-submit", "epoch-1", 0L);
    try (SparkSubmitLauncher launcher = launcher(config)) {
      assertThat(launcher.reconcile(journaled)).isEqualTo(Launcher.AttemptState.LOST);

      launcher.launch(request("b", 1));
      launcher.launch(request("b", 1)); // the same attempt again: one application

      Conditions.await(() -> SparkSubmitLauncher.applicationProcess(name).isPresent(), Duration.ofMinutes(1));
      assertThat(launcher.reconcile(journaled)).isEqualTo(Launcher.AttemptState.RUNNING);
      Path log = dir.resolve("logs/p/" + RUN_ID + "/b-1.log");
      Conditions.await(() -> read(log).contains("Running attempt " + name), Duration.ofMinutes(1));

      launcher.cancel(RUN_ID + "/b/1");

      Conditions.await(() -> SparkSubmitLauncher.applicationProcess(name).isEmpty(), Duration.ofMinutes(1));
      Conditions.await(() -> launcher.activeAttempts() == 0, Duration.ofSeconds(30));
      assertThat(published).isEmpty();
      assertThat(launcher.reconcile(journaled)).isEqualTo(Launcher.AttemptState.LOST);
    } finally {
      SparkSubmitLauncher.applicationProcess(name).ifPresent(ProcessHandle::destroyForcibly);
    }
  }

  private static String read(Path file) {
    try {
      return Files.exists(file) ? Files.readString(file) : "";
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }


}
