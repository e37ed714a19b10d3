package dev.baton.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.control.pipeline.Pipelines;
import dev.baton.schemas.ControlEvents;
import dev.baton.schemas.RunIds;
import dev.baton.schemas.event.RunRequested;
import dev.baton.schemas.event.RunStatus;
import dev.baton.schemas.event.StageCompleted;
import dev.baton.schemas.event.StageLaunched;
import dev.baton.schemas.event.StageStatus;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The field's legacy chain: examples/pipelines/qx-chain.yaml runs the unchanged Qx job
 * (examples/qx, no Baton dependency) as twelve spark-app stages through the spark-submit launcher,
 * each its own JVM. When step 5's job fails, stage 5 is FAILED with the job's own error and stages
 * 6–12 are never launched.
 */
class QxChainIT {
  private static final Duration RUN_TIMEOUT = Duration.ofMinutes(10);

  private static LocalServices local;
  private static Map<String, String> config;
  private static SparkSession spark;
  private static ControllerRuntime controller;
  private static Path repository;

  @BeforeAll
  static void startEverything() throws Exception {
    repository = Path.of(System.getProperty("baton.repo.dir")).toAbsolutePath();
    Path home = Files.createTempDirectory(repository.resolve("cli/target"), "it-qx");
    Path pipelineDir = Files.createDirectories(home.resolve("pipelines"));
    // the example as shipped, its jar path (relative to a checkout) made absolute: this JVM runs in cli/
    Path jar = repository.resolve("examples/qx/target/qx-jobs.jar");
    assertThat(jar).as("built by the examples/qx module").isRegularFile();
    Files.writeString(pipelineDir.resolve("qx-chain.yaml"), Files.readString(repository.resolve(
        "examples/pipelines/qx-chain.yaml")).replace("resource: examples/qx/target/qx-jobs.jar", "resource: " + jar));
    local = new LocalServices(new Workspace(home, repository, pipelineDir));
    config = new HashMap<>(local.config(local.ensureRunning(quiet()).endpoints()));
    config.put("spark.master", "local[2]");
    spark = SparkSessions.create("baton-it-qx", config);
    controller = ControllerRuntime.start(spark, config, Pipelines.load(pipelineDir));
  }

  @AfterAll
  static void stopEverything() {
    if (controller != null) {
      controller.close();
    }
    if (spark != null) {
      spark.stop();
    }
    if (local != null) {
      local.stack().down();
    }
  }

  @Test
  void aFailingStepStopsTheChainWithTheJobsOwnError() throws Exception {
    String batch = Demo.newBatchId();
    String triggerKey = "it/" + batch;
    String runId = RunIds.of("qx-chain", triggerKey);
    RunWatcher.RunReport report;
    try (RunWatcher watcher = new RunWatcher(LocalServices.kafkaSettings(config))) {
      controller.publisher().publish(ControlEvents.requested(runId, "qx-chain",
          new RunRequested(triggerKey, Map.of("batch", batch, "failAt", "5"), "it", null), Instant.now()));
      report = watcher.follow(runId, quiet(), RUN_TIMEOUT, () -> controller.controller().query().isActive());
    }

    assertThat(report.completed().getStatus()).isEqualTo(RunStatus.FAILED);
    assertThat(report.completed().getFailedStages()).containsExactly("q5");
    assertThat(report.launches()).extracting(StageLaunched::getStage).containsExactly("q1", "q2", "q3", "q4", "q5");
    assertThat(report.launches()).extracting(StageLaunched::getLauncher).containsOnly("spark-submit");
    assertThat(report.completions()).extracting(StageCompleted::getStage).containsExactly("q1", "q2", "q3", "q4", "q5");
    assertThat(report.completions().subList(0, 4)).extracting(StageCompleted::getStatus).containsOnly(StageStatus.SUCCEEDED);
    // each step its own application
    assertThat(report.completions()).extracting(StageCompleted::getApplicationId).doesNotContainNull().doesNotHaveDuplicates();
    StageCompleted failed = report.completions().get(4);
    assertThat(failed.getStatus()).isEqualTo(StageStatus.FAILED);
    assertThat(failed.getError().getType()).isEqualTo("APPLICATION_FAILED");
    assertThat(failed.getError().getMessage())
        .contains("java.lang.IllegalStateException: Qx step 5 failed on purpose (--fail-at 5)");
    assertThat(Path.of(java.net.URI.create(failed.getLogUri()))).isRegularFile();

    // what step 4 wrote, checked independently: ids 0..9999, each value = id + (2 + 3 + 4)
    long rows = 10_000;
    long expectedSum = rows * (rows - 1) / 2 + rows * (2 + 3 + 4);
    Path q4 = Path.of(System.getProperty("java.io.tmpdir"), "qx", batch, "q4");
    var sum = spark.read().parquet(q4.toString()).selectExpr("count(*)", "sum(value)", "sum(value - id)").first();
    assertThat(sum.getLong(0)).isEqualTo(rows);
    assertThat(sum.getLong(1)).isEqualTo(expectedSum);
    assertThat(sum.getLong(2)).isEqualTo(rows * 9);
    assertThat(Path.of(System.getProperty("java.io.tmpdir"), "qx", batch, "q5")).doesNotExist();
  }

  private static PrintStream quiet() {
    return new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
  }
}
