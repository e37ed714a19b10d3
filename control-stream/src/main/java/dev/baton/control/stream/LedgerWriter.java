package dev.baton.control.stream;

import dev.baton.control.ledger.Ledger;
import dev.baton.control.state.Command;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.spark.api.java.function.VoidFunction2;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * The ledger query's {@code foreachBatch}: applies the ledger changelog (the {@code RecordRun} and
 * {@code RecordStageAttempt} decisions the controller query appended, as JSON, keyed by runId) to
 * the Iceberg ledger tables with one MERGE per table. In changelog order per partition, so for a
 * row decided twice the later decision wins; MERGE makes a replayed batch harmless.
 */
final class LedgerWriter implements VoidFunction2<Dataset<Row>, Long> {
  private static final long serialVersionUID = 1L;
  private static final Comparator<Row> CHANGELOG_ORDER =
      Comparator.<Row>comparingInt(row -> row.getAs("partition")).thenComparingLong(row -> row.getAs("offset"));

  private final transient Ledger ledger;

  LedgerWriter(Ledger ledger) {
    this.ledger = ledger;
  }

  /**
   * @throws IllegalStateException if a changelog record is not a ledger decision (the topic is
   *     internal: only the controller writes it); the query stops rather than drop a ledger row
   */
  @Override
  public void call(Dataset<Row> batch, Long batchId) {
    List<Row> rows = new ArrayList<>(batch.select("value", "partition", "offset").collectAsList());
    if (rows.isEmpty()) {
      return;
    }
    rows.sort(CHANGELOG_ORDER);
    List<Command.RecordRun> runs = new ArrayList<>();
    List<Command.RecordStageAttempt> attempts = new ArrayList<>();
    for (Row row : rows) {
      Command command = Json.read(row.getAs("value"), Command.class);
      if (command instanceof Command.RecordRun run) {
        runs.add(run);
      } else if (command instanceof Command.RecordStageAttempt attempt) {
        attempts.add(attempt);
      } else {
        throw new IllegalStateException("Cannot apply ledger changelog record at partition " + row.getAs("partition")
            + " offset " + row.getAs("offset") + ": " + command.getClass().getSimpleName() + " is not a ledger row");
      }
    }
    ledger.record(runs, attempts);
  }
}
