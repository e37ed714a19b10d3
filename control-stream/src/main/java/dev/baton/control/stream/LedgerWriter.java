package dev.baton.control.stream;

import dev.baton.control.ledger.Ledger;
import dev.baton.control.ledger.LedgerMaintenance;
import dev.baton.control.state.Command;
import dev.baton.stages.runner.ControlEventPublisher;
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
 * row decided twice the later decision wins; MERGE makes a replayed batch harmless. After the MERGEs,
 * when due, it maintains the ledger tables ({@link LedgerMaintenance}): on this query's thread, so a
 * maintenance never runs during a MERGE.
 */
final class LedgerWriter implements VoidFunction2<Dataset<Row>, Long> {
  private static final long serialVersionUID = 1L;
  private static final Comparator<Row> CHANGELOG_ORDER =
      Comparator.<Row>comparingInt(row -> row.getAs("partition")).thenComparingLong(row -> row.getAs("offset"));

  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(LedgerWriter.class);

  private final transient Ledger ledger;
  private final transient LedgerMaintenance maintenance;
  private final transient ControlEventPublisher publisher;
  private final String dlqTopic;

  LedgerWriter(Ledger ledger, LedgerMaintenance maintenance, ControlEventPublisher publisher, String dlqTopic) {
    this.ledger = ledger;
    this.maintenance = maintenance;
    this.publisher = publisher;
    this.dlqTopic = dlqTopic;
  }

  /**
   * A changelog record that is not a ledger decision (only the controller should write this topic)
   * goes to the dead-letter topic with the reason, so one bad record cannot stop the ledger.
   *
   * @throws IllegalStateException if Kafka does not acknowledge such a dead letter (the batch runs again)
   */
  @Override
  public void call(Dataset<Row> batch, Long batchId) {
    List<Row> rows = new ArrayList<>(batch.select("key", "value", "topic", "partition", "offset").collectAsList());
    if (rows.isEmpty()) {
      return;
    }
    rows.sort(CHANGELOG_ORDER);
    List<Command.RecordRun> runs = new ArrayList<>();
    List<Command.RecordStageAttempt> attempts = new ArrayList<>();
    for (Row row : rows) {
      Object command;
      try {
        command = Json.read(row.getAs("value"), Command.class);
      } catch (RuntimeException e) {
        command = e;
      }
      if (command instanceof Command.RecordRun run) {
        runs.add(run);
      } else if (command instanceof Command.RecordStageAttempt attempt) {
        attempts.add(attempt);
      } else {
        String reason = "not a ledger row: " + (command instanceof Exception e ? e.getMessage() : command.getClass().getSimpleName());
        LOG.error("Ledger changelog record {}-{}@{} goes to the dead-letter topic: {}", row.getAs("topic"),
            row.getAs("partition"), row.getAs("offset"), reason);
        try {
          DeadLetters.publish(publisher, dlqTopic, reason, row.getAs("topic"), row.<Integer>getAs("partition"),
              row.<Long>getAs("offset"), row.getAs("key"), row.getAs("value")).get();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException("Interrupted while writing a dead letter", e);
        } catch (java.util.concurrent.ExecutionException e) {
          throw new IllegalStateException("Cannot write a dead letter: " + e.getCause(), e.getCause());
        }
      }
    }
    ledger.record(runs, attempts);
    maintenance.maintainIfDue();
  }
}
