package dev.baton.control.ledger;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.expressions.Evaluator;
import org.apache.iceberg.expressions.Expression;
import org.apache.iceberg.expressions.Expressions;
import org.apache.iceberg.io.CloseableIterable;

/**
 * Reads the ledger with Iceberg's Java API (no Spark, so operator commands answer in a second or
 * two). See {@link Ledger} for the tables.
 */
public final class LedgerReader {
  private final Catalog catalog;

  public LedgerReader(Catalog catalog) {
    this.catalog = requireNonNull(catalog, "Invalid catalog: null");
  }

  /**
   * One row of {@code baton_system.runs}.
   *
   * @param failedStages stages whose last attempt FAILED
   * @param params the run's parameters (empty for runs recorded before the column existed)
   * @param resumes how many times the run was resumed
   * @param pipelineVersion the content hash of the pipeline version the run decides on, or null for runs
   *     recorded before runs kept their version
   */
  public record RunRecord(String runId, String pipeline, String triggerKey, String status, Instant startedAt,
      Instant completedAt, List<String> failedStages, Map<String, String> params, int resumes,
      String pipelineVersion) {}

  /** One row of {@code baton_system.stage_attempts}. */
  public record AttemptRecord(String runId, String stage, int attempt, String status, Instant launchedAt,
      Instant completedAt, String errorType, String error) {}

  /**
   * Runs, newest first (those not started yet, WAITING or QUEUED, before all others).
   *
   * @param pipeline only this pipeline, or null for all
   * @param status only this status (RUNNING, SUCCEEDED, FAILED), or null for all
   * @param limit at most this many
   */
  public List<RunRecord> runs(String pipeline, String status, int limit) {
    Expression filter = Expressions.alwaysTrue();
    if (pipeline != null) {
      filter = Expressions.and(filter, Expressions.equal("pipeline", pipeline));
    }
    if (status != null) {
      filter = Expressions.and(filter, Expressions.equal("status", status));
    }
    List<RunRecord> runs = new ArrayList<>();
    for (Record record : read(Ledger.RUNS, filter)) {
      runs.add(toRun(record));
    }
    // not started yet (WAITING, QUEUED): the newest
    runs.sort(Comparator.comparing(RunRecord::startedAt, Comparator.nullsFirst(Comparator.reverseOrder())));
    return runs.subList(0, Math.min(limit, runs.size()));
  }

  /**
   * The runs whose id starts with {@code prefix} (a full id, or enough of it to be unique).
   */
  public List<RunRecord> runsByIdPrefix(String prefix) {
    List<RunRecord> runs = new ArrayList<>();
    Expression filter = Expressions.startsWith("run_id", prefix);
    for (Record record : read(Ledger.RUNS, filter)) {
      runs.add(toRun(record));
    }
    return runs;
  }

  /** Every attempt of a run, in launch order. */
  public List<AttemptRecord> attempts(String runId) {
    List<AttemptRecord> attempts = new ArrayList<>();
    for (Record r : read(Ledger.STAGE_ATTEMPTS, Expressions.equal("run_id", runId))) {
      attempts.add(new AttemptRecord((String) r.getField("run_id"), (String) r.getField("stage"),
          (Integer) r.getField("attempt"), (String) r.getField("status"), instant(r.getField("launched_at")),
          instant(r.getField("completed_at")), (String) r.getField("error_type"), (String) r.getField("error")));
    }
    attempts.sort(Comparator.comparing(AttemptRecord::launchedAt, Comparator.nullsLast(Comparator.naturalOrder()))
        .thenComparing(AttemptRecord::stage).thenComparingInt(AttemptRecord::attempt));
    return attempts;
  }

  private List<Record> read(String table, Expression filter) {
    Table icebergTable = catalog.loadTable(TableIdentifier.parse(table));
    List<Record> records = new ArrayList<>();
    try (CloseableIterable<Record> rows = IcebergGenerics.read(icebergTable).where(filter).build()) {
      for (Record row : rows) {
        // the scan filter prunes files; rows of the same file still need checking
        records.add(row.copy());
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read " + table, e);
    }
    Evaluator rowFilter = new Evaluator(icebergTable.schema().asStruct(), filter);
    return records.stream().filter(rowFilter::eval).toList();
  }

  @SuppressWarnings("unchecked")
  private static RunRecord toRun(Record r) {
    Object failed = r.getField("failed_stages");
    Object params = r.getField("params");
    Object resumes = r.getField("resumes");
    return new RunRecord((String) r.getField("run_id"), (String) r.getField("pipeline"),
        (String) r.getField("trigger_key"), (String) r.getField("status"), instant(r.getField("started_at")),
        instant(r.getField("completed_at")), failed == null ? List.of() : List.copyOf((List<String>) failed),
        params == null ? Map.of() : Map.copyOf((Map<String, String>) params), resumes == null ? 0 : (Integer) resumes,
        (String) r.getField("pipeline_version"));
  }

  private static Instant instant(Object value) {
    if (value == null) {
      return null;
    }
    if (value instanceof OffsetDateTime time) {
      return time.toInstant();
    }
    if (value instanceof java.time.LocalDateTime time) {
      return time.toInstant(java.time.ZoneOffset.UTC);
    }
    throw new IllegalStateException("Unexpected timestamp type " + value.getClass().getName());
  }
}
