package dev.baton.stages.export;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RemoteIterator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The folder one export writes, and its completion protocol: data files under deterministic names, then {@value
 * #MANIFEST}, then {@value #SUCCESS}. A receiving side that finds {@value #SUCCESS} finds a manifest listing exactly
 * the folder's data files with their sizes and checksums. An attempt first removes both markers (success first),
 * so a folder being rewritten never looks complete.
 *
 * <p>Names starting with {@code _} or {@code .} are not data (Hadoop's convention: {@code _SUCCESS}, checksum
 * files); Spark writes into {@value #STAGING} and the files are then renamed to {@code part-NNNNN<suffix>}.
 */
final class ExportFolder {

  /** The manifest, written after every data file. */
  static final String MANIFEST = "_manifest.json";
  /** The empty marker written last. */
  static final String SUCCESS = "_SUCCESS";
  /** Where Spark writes an attempt's files before they get their final names. */
  static final String STAGING = "_staging";

  private static final Logger LOG = LoggerFactory.getLogger(ExportFolder.class);
  private static final Pattern DATA_FILE_NAME = Pattern.compile("part-\\d{5,}(\\..*)?");
  private static final ObjectMapper JSON = JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();

  private final Path folder;
  private final FileSystem fs;

  /**
   * @param folder the export's folder
   * @param conf Hadoop configuration reaching its file system
   * @throws IOException if the file system cannot be created (unknown scheme, bad credentials)
   */
  ExportFolder(Path folder, Configuration conf) throws IOException {
    this.folder = requireNonNull(folder, "Invalid folder: null");
    this.fs = folder.getFileSystem(conf);
  }

  Path path() {
    return folder;
  }

  Path staging() {
    return new Path(folder, STAGING);
  }

  /** Removes {@value #SUCCESS}, then {@value #MANIFEST}, then what an earlier attempt left in {@value #STAGING}. */
  void retractCompletion() throws IOException {
    fs.delete(new Path(folder, SUCCESS), false);
    fs.delete(new Path(folder, MANIFEST), false);
    fs.delete(staging(), true);
  }

  /**
   * Gives the files Spark wrote into {@value #STAGING} their final names: in the order of their staged paths
   * (partition folders, then Spark's task numbers), {@code [<partition folders>/]part-NNNNN<suffix>} where the suffix
   * is Spark's ({@code .snappy.parquet}, {@code .csv.gz}); an existing file of that name (an earlier attempt's) is
   * replaced. Then deletes the data files of earlier attempts that this one did not write, and the staging folder.
   *
   * @return the final keys, relative to the folder, sorted
   */
  List<String> publishStaged() throws IOException {
    TreeMap<String, Path> staged = new TreeMap<>();
    for (Path file : dataFiles(staging())) {
      staged.put(relative(staging(), file), file);
    }
    List<String> keys = new ArrayList<>();
    int index = 0;
    for (var entry : staged.entrySet()) {
      String relative = entry.getKey();
      int slash = relative.lastIndexOf('/');
      String name = relative.substring(slash + 1);
      String key = relative.substring(0, slash + 1) + String.format("part-%05d", index++) + suffix(name);
      Path target = new Path(folder, key);
      fs.mkdirs(target.getParent());
      fs.delete(target, false);
      if (!fs.rename(entry.getValue(), target)) {
        throw new IOException("Cannot rename " + entry.getValue() + " to " + target);
      }
      keys.add(key);
    }
    deleteStale(Set.copyOf(keys));
    fs.delete(staging(), true);
    java.util.Collections.sort(keys);
    return keys;
  }

  /**
   * The format's suffix of a name Spark gave a file, e.g. {@code .snappy.parquet} of {@code
   * part-00003-<uuid>.c001.snappy.parquet} (Spark's {@code .cNNN} file counter is dropped).
   */
  static String suffix(String sparkName) {
    int dot = sparkName.indexOf('.');
    return dot < 0 ? "" : sparkName.substring(dot).replaceFirst("^\\.c\\d+(?=\\.|$)", "");
  }

  /** Deletes the folder's {@code part-NNNNN} data files not in {@code keep}: an earlier attempt wrote more files. */
  private void deleteStale(Set<String> keep) throws IOException {
    for (Path file : dataFiles(folder)) {
      String key = relative(folder, file);
      if (!keep.contains(key) && DATA_FILE_NAME.matcher(file.getName()).matches()) {
        LOG.info("Deleting {}: written by an earlier attempt of this export, not by this one", file);
        if (!fs.delete(file, false)) {
          throw new IOException("Cannot delete " + file);
        }
      }
    }
  }

  /** Writes {@value #MANIFEST}, then {@value #SUCCESS}. */
  void complete(ExportManifest manifest) throws IOException {
    try (OutputStream out = fs.create(new Path(folder, MANIFEST), true)) {
      JSON.writeValue(out, manifest);
    }
    fs.create(new Path(folder, SUCCESS), true).close();
  }

  /** Files below {@code root} whose relative path has no segment starting with {@code _} or {@code .}. */
  private List<Path> dataFiles(Path root) throws IOException {
    List<Path> files = new ArrayList<>();
    if (!fs.exists(root)) {
      return files;
    }
    RemoteIterator<LocatedFileStatus> listing = fs.listFiles(root, true);
    while (listing.hasNext()) {
      Path file = listing.next().getPath();
      if (!hidden(relative(root, file))) {
        files.add(file);
      }
    }
    return files;
  }

  /** Whether a relative path is not data: a segment starts with {@code _} or {@code .}. */
  static boolean hidden(String relative) {
    for (String segment : relative.split("/")) {
      if (segment.startsWith("_") || segment.startsWith(".")) {
        return true;
      }
    }
    return false;
  }

  /** {@code file}'s path below {@code root}, {@code /}-separated. */
  static String relative(Path root, Path file) {
    String base = root.toUri().getPath();
    String path = file.toUri().getPath();
    if (!base.endsWith("/")) {
      base = base + "/";
    }
    if (!path.startsWith(base)) {
      throw new IllegalStateException(file + " is not below " + root);
    }
    return path.substring(base.length());
  }
}
