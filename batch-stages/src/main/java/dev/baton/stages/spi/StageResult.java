package dev.baton.stages.spi;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Map;

/**
 * What a successful stage attempt produced.
 *
 * @param outputs tables written, with the snapshot committed and rows written
 * @param metrics named figures, e.g. {@code rowsRead}, {@code badRows}; units in the name
 */
public record StageResult(List<TableOutput> outputs, Map<String, Double> metrics) {
  public StageResult {
    outputs = List.copyOf(requireNonNull(outputs, "Invalid outputs: null"));
    metrics = Map.copyOf(requireNonNull(metrics, "Invalid metrics: null"));
  }

  /**
   * One table written by an attempt.
   *
   * @param table {@code <namespace>.<table>}
   * @param snapshotId the Iceberg snapshot the attempt committed, or null when unknown
   * @param rows rows written by the attempt, or null when unknown
   */
  public record TableOutput(String table, Long snapshotId, Long rows) {
    public TableOutput {
      requireNonNull(table, "Invalid table: null");
    }
  }
}
