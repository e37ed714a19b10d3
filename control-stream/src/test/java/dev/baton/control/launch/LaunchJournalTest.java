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
    return launch(runId, stage, attempt, "epoch-1");
  }

  private static JournaledLaunch launch(String runId, String stage, int attempt, String controllerEpoch) {
    return new JournaledLaunch(runId, "sales", stage, attempt, "sql", "in-process", controllerEpoch, 1_000L * attempt);
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
    assertThat(afterRestart.record(launch("run-1", "ingest", 1, "epoch-2"))).as("the replay's own entry").isFalse();
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
    // two recorded before, by another controller
    JournaledLaunch earlier7 = launch("run-7", "ingest", 1, "epoch-0");
    JournaledLaunch earlier30 = launch("run-30", "ingest", 1, "epoch-0");
    journal.record(earlier7);
    journal.record(earlier30);
    assertThat(journal.recorded(launches)).containsExactlyInAnyOrder("run-7/ingest/1", "run-30/ingest/1");
    assertThat(journal.record(launches)).as("recorded before this call")
        .containsExactlyInAnyOrder("run-7/ingest/1", "run-30/ingest/1");
    assertThat(journal.recorded(launches)).hasSize(40);
    launches.set(6, earlier7);
    launches.set(29, earlier30);
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
        String controllerEpoch = "epoch-" + i; // each recorder another controller
        attempts.add(() -> journal.record(launch("run-9", "report", 1, controllerEpoch)));
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
  void aCreateRetriedAfterItsAnswerWasLostStillCountsAsThisCallsRecord(@TempDir Path dir) {
    // what S3JournalStore does when a PUT succeeded but its response was lost: the retry answers 412
    JournalStore local = new LocalJournalStore(dir);
    JournalStore retriedCreates = new JournalStore() {
      @Override
      public boolean createIfAbsent(String name, byte[] content) {
        local.createIfAbsent(name, content);
        return false;
      }

      @Override
      public boolean exists(String name) {
        return local.exists(name);
      }

      @Override
      public java.util.Optional<byte[]> read(String name) {
        return local.read(name);
      }

      @Override
      public List<String> list(String prefix) {
        return local.list(prefix);
      }

      @Override
      public void deleteAll(String prefix) {
        local.deleteAll(prefix);
      }

      @Override
      public String location() {
        return local.location();
      }
    };
    LaunchJournal journal = new LaunchJournal(retriedCreates);
    assertThat(journal.record(launch("run-1", "ingest", 1))).as("its own first try").isTrue();
    assertThat(journal.record(launch("run-1", "ingest", 1, "epoch-2"))).as("another controller's").isFalse();
    assertThat(journal.record(List.of(launch("run-2", "ingest", 1)))).isEmpty();
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
