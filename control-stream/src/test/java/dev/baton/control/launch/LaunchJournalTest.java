package dev.baton.control.launch;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LaunchJournalTest {

  private static JournaledLaunch launch(String runId, String stage, int attempt) {
    return new JournaledLaunch(runId, "sales", stage, attempt, "sql", "in-process", "epoch-1", 1_000L * attempt);
  }

  @Test
  void anEntryIsRecordedOnceThenEndedAndSurvivesANewInstance(@TempDir Path dir) {
    LaunchJournal journal = LaunchJournal.local(dir);
    JournaledLaunch ingest = launch("run-1", "ingest", 1);
    assertThat(journal.recorded(List.of(ingest))).as("never launched").isEmpty();

    assertThat(journal.record(ingest)).isTrue();
    LaunchJournal afterRestart = LaunchJournal.local(dir);
    assertThat(afterRestart.recorded(List.of(ingest))).as("a replay must not launch it again")
        .containsExactly("run-1/ingest/1");
    assertThat(afterRestart.record(ingest)).isFalse();
    assertThat(afterRestart.unended()).containsExactly(ingest);

    assertThat(afterRestart.ended("run-1", "ingest", 1)).isTrue();
    assertThat(afterRestart.ended("run-1", "ingest", 1)).as("idempotent").isFalse();
    assertThat(LaunchJournal.local(dir).unended()).isEmpty();
    assertThat(afterRestart.record(launch("run-1", "ingest", 2))).isTrue();
    assertThat(afterRestart.record(launch("run-2", "ingest", 1))).isTrue();
  }

  @Test
  void unendedListsRecordedAttemptsOldestFirstAndPruneRemovesOneRun(@TempDir Path dir) throws Exception {
    LaunchJournal journal = LaunchJournal.local(dir);
    JournaledLaunch late = launch("run-1", "report", 3);
    JournaledLaunch early = launch("run-2", "ingest", 1);
    journal.record(late);
    journal.record(early);
    assertThat(journal.unended()).containsExactly(early, late);

    journal.prune("run-1");
    journal.prune("run-never-seen");
    assertThat(journal.unended()).containsExactly(early);
    try (Stream<Path> files = Files.walk(dir)) {
      assertThat(files.filter(Files::isRegularFile).count()).as("run-2's entry").isEqualTo(1);
    }
    assertThat(journal.record(late)).as("a pruned run's key is free again").isTrue();
  }

  @Test
  void aMicroBatchOfLaunchesIsCheckedRecordedEndedAndPrunedTogether(@TempDir Path dir) {
    LaunchJournal journal = LaunchJournal.local(dir);
    List<JournaledLaunch> launches = new ArrayList<>();
    for (int i = 1; i <= 40; i++) {
      launches.add(launch("run-" + i, "ingest", 1));
    }
    journal.record(launches.get(6));
    journal.record(launches.get(29));
    assertThat(journal.recorded(launches)).containsExactlyInAnyOrder("run-7/ingest/1", "run-30/ingest/1");
    assertThat(journal.record(launches)).as("recorded before this call")
        .containsExactlyInAnyOrder("run-7/ingest/1", "run-30/ingest/1");
    assertThat(journal.recorded(launches)).hasSize(40);
    assertThat(journal.unended()).containsExactlyInAnyOrderElementsOf(launches);

    journal.endedAndPruned(List.of(new LaunchJournal.Attempt("run-1", "ingest", 1),
        new LaunchJournal.Attempt("run-2", "ingest", 1), new LaunchJournal.Attempt("run-3", "ingest", 1)),
        List.of("run-3", "run-4"));
    assertThat(journal.unended()).containsExactlyInAnyOrderElementsOf(launches.subList(4, 40));
    assertThat(journal.ended("run-3", "ingest", 1)).as("no mark written for an attempt of a pruned run").isTrue();
  }

  @Test
  void concurrentRecordersLetExactlyOneWin(@TempDir Path dir) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      List<Callable<Boolean>> attempts = new ArrayList<>();
      for (int i = 0; i < 64; i++) {
        LaunchJournal journal = LaunchJournal.local(dir);
        attempts.add(() -> journal.record(launch("run-9", "report", 1)));
      }
      long winners = 0;
      for (Future<Boolean> result : pool.invokeAll(attempts)) {
        winners += result.get() ? 1 : 0;
      }
      assertThat(winners).isEqualTo(1);
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void locationsAreClassified() {
    assertThat(LaunchJournal.isLocal("/var/baton/checkpoint")).isTrue();
    assertThat(LaunchJournal.isLocal("relative/checkpoint")).isTrue();
    assertThat(LaunchJournal.isLocal("file:///var/baton")).isTrue();
    assertThat(LaunchJournal.isLocal("s3://ops/checkpoint")).isFalse();
    assertThat(LaunchJournal.isS3("s3a://ops/checkpoint")).isTrue();
    assertThat(LaunchJournal.isLocal("hdfs://nn/checkpoint")).isFalse();
    assertThat(LaunchJournal.isS3("hdfs://nn/checkpoint")).isFalse();
  }
}
