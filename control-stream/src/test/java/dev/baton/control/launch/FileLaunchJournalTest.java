package dev.baton.control.launch;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileLaunchJournalTest {

  @Test
  void aLaunchKeyIsRecordedOnceEvenAcrossInstances(@TempDir Path dir) {
    assertThat(new FileLaunchJournal(dir).recordIfAbsent("run-1/ingest/1")).isTrue();

    FileLaunchJournal afterRestart = new FileLaunchJournal(dir);
    assertThat(afterRestart.recordIfAbsent("run-1/ingest/1")).isFalse();
    assertThat(afterRestart.recordIfAbsent("run-1/ingest/2")).isTrue();
    assertThat(afterRestart.recordIfAbsent("run-2/ingest/1")).isTrue();
  }

  @Test
  void concurrentRecordersLetExactlyOneWin(@TempDir Path dir) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      List<Callable<Boolean>> attempts = new ArrayList<>();
      for (int i = 0; i < 64; i++) {
        FileLaunchJournal journal = new FileLaunchJournal(dir);
        attempts.add(() -> journal.recordIfAbsent("run-9/report/1"));
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
}
