package dev.baton.stages.export;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The {@value ExportFolder#MANIFEST} an export writes into its folder after every data file and before {@value
 * ExportFolder#SUCCESS}: what the receiving side checks the folder against. Serialized as JSON with these field
 * names; fields that do not apply to the export are left out.
 *
 * @param table the table exported ({@code <namespace>.<table>}); absent for a query or a files export
 * @param snapshotId the table's snapshot exported (for an incremental export, the last one included); absent when
 *     the table has no snapshot, for a query and for a files export
 * @param fromSnapshotId incremental export: rows appended after this snapshot (exclusive) are included; absent for
 *     a first or a full export
 * @param snapshots query export: each Iceberg table pinned to a snapshot ({@link QuerySnapshots}), by its Iceberg name
 *     ({@code <catalog>.<namespace>.<table>}), with the snapshot id read; absent for a table or files export and
 *     when the query pinned no table
 * @param source files export: the folder copied
 * @param format {@code parquet}, {@code csv} or, for a files export, {@code files}
 * @param runId the run whose attempt wrote the folder
 * @param rows data rows in all files; absent for a files export (objects are copied, not read)
 * @param files every data file, keys relative to the folder, sorted by key
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ExportManifest(
    String table,
    Long snapshotId,
    Long fromSnapshotId,
    Map<String, Long> snapshots,
    String source,
    String format,
    String runId,
    Long rows,
    List<FileEntry> files) {

  public ExportManifest {
    requireNonNull(format, "Invalid format: null");
    files = List.copyOf(requireNonNull(files, "Invalid files: null"));
    snapshots = snapshots == null || snapshots.isEmpty() ? null : Collections.unmodifiableMap(new TreeMap<>(snapshots));
  }

  /** The manifest of a table export: {@code snapshotId} null when the table has none. */
  static ExportManifest ofTable(String table, Long snapshotId, Long fromSnapshotId, String format, String runId,
      long rows, List<FileEntry> files) {
    return new ExportManifest(requireNonNull(table, "Invalid table: null"), snapshotId, fromSnapshotId, null, null,
        format, runId, rows, files);
  }

  /** The manifest of a query export, with the snapshots its tables were pinned to (empty: none pinned). */
  static ExportManifest ofQuery(Map<String, Long> snapshots, String format, String runId, long rows,
      List<FileEntry> files) {
    return new ExportManifest(null, null, null, snapshots, null, format, runId, rows, files);
  }

  /** The manifest of a files export of the folder {@code source}. */
  static ExportManifest ofFiles(String source, String runId, List<FileEntry> files) {
    return new ExportManifest(null, null, null, null, requireNonNull(source, "Invalid source: null"), "files", runId,
        null, files);
  }

  /**
   * One data file of the export.
   *
   * @param key path relative to the export folder, {@code /}-separated, e.g. {@code l_returnflag=A/part-00000.snappy.parquet}
   * @param bytes size in bytes
   * @param rows data rows in the file (a CSV header line is not a row); absent for a files export
   * @param sha256 SHA-256 of the file's bytes, lower-case hex
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record FileEntry(String key, long bytes, Long rows, String sha256) implements java.io.Serializable {
    public FileEntry {
      requireNonNull(key, "Invalid key: null");
      requireNonNull(sha256, "Invalid sha256: null");
    }
  }
}
