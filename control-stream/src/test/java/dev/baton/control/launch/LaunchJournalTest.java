package dev.baton.control.launch;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.control.launch.LaunchJournal.Recorded;
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
  void anEntryIsRecordedThenAcknowledgedThenEndedAndSurvivesANewInstance(@TempDir Path dir) {
    LaunchJournal journal = LaunchJournal.local(dir);
    JournaledLaunch ingest = launch("run-1", "ingest", 1);

    assertThat(journal.record(ingest)).isEqualTo(Recorded.NEW);
    // a replay before Kafka acknowledged StageLaunched: never launched, so launch it again under the key
    assertThat(LaunchJournal.local(dir).record(ingest)).isEqualTo(Recorded.NOT_ACKNOWLEDGED);
    assertThat(journal.unended()).as("unacknowledged entries never launched").isEmpty();

    journal.acknowledged(ingest);
    LaunchJournal afterRestart = LaunchJournal.local(dir);
    assertThat(afterRestart.record(ingest)).isEqualTo(Recorded.ACKNOWLEDGED);
    assertThat(afterRestart.unended()).containsExactly(ingest);

    afterRestart.ended("run-1", "ingest", 1);
    afterRestart.ended("run-1", "ingest", 1); // idempotent
    assertThat(LaunchJournal.local(dir).unended()).isEmpty();
    assertThat(afterRestart.record(launch("run-1", "ingest", 2))).isEqualTo(Recorded.NEW);
    assertThat(afterRestart.record(launch("run-2", "ingest", 1))).isEqualTo(Recorded.NEW);
  }

  @Test
  void unendedListsAcknowledgedAttemptsOldestFirstAndPruneRemovesOneRun(@TempDir Path dir) throws Exception {
    LaunchJournal journal = LaunchJournal.local(dir);
    JournaledLaunch late = launch("run-1", "report", 3);
    JournaledLaunch early = launch("run-2", "ingest", 1);
    for (JournaledLaunch entry : List.of(late, early)) {
      journal.record(entry);
      journal.acknowledged(entry);
    }
    assertThat(journal.unended()).containsExactly(early, late);

    journal.prune("run-1");
    journal.prune("run-never-seen");
    assertThat(journal.unended()).containsExactly(early);
    try (Stream<Path> files = Files.walk(dir)) {
      assertThat(files.filter(Files::isRegularFile).count()).as("run-2's entry and its marker").isEqualTo(2);
    }
    assertThat(journal.record(late)).as("a pruned run's key is free again").isEqualTo(Recorded.NEW);
  }

  @Test
  void manyLaunchesAreMarkedAcknowledgedTogether(@TempDir Path dir) {
    LaunchJournal journal = LaunchJournal.local(dir);
    List<JournaledLaunch> launches = new ArrayList<>();
    for (int i = 1; i <= 40; i++) {
      launches.add(launch("run-" + i, "ingest", 1));
      journal.record(launches.get(i - 1));
    }
    journal.acknowledged(launches);
    assertThat(journal.unended()).containsExactlyInAnyOrderElementsOf(launches);
    assertThat(launches).allSatisfy(l -> assertThat(journal.record(l)).isEqualTo(Recorded.ACKNOWLEDGED));

    journal.endedAndPruned(List.of(new LaunchJournal.Attempt("run-1", "ingest", 1),
        new LaunchJournal.Attempt("run-2", "ingest", 1)), List.of("run-3", "run-4"));
    assertThat(journal.unended()).containsExactlyInAnyOrderElementsOf(launches.subList(4, 40));
  }

  @Test
  void concurrentRecordersLetExactlyOneWin(@TempDir Path dir) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      List<Callable<Recorded>> attempts = new ArrayList<>();
      for (int i = 0; i < 64; i++) {
        LaunchJournal journal = LaunchJournal.local(dir);
        attempts.add(() -> journal.record(launch("run-9", "report", 1)));
      }
      long winners = 0;
      for (Future<Recorded> result : pool.invokeAll(attempts)) {
        winners += result.get() == Recorded.NEW ? 1 : 0;
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
