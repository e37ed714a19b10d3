package dev.baton.stages.export;

import com.univocity.parsers.csv.CsvParser;
import com.univocity.parsers.csv.CsvParserSettings;
import dev.baton.stages.export.ExportManifest.FileEntry;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.StreamCapabilities;
import org.apache.hadoop.io.compress.CompressionCodec;
import org.apache.hadoop.io.compress.CompressionCodecFactory;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.util.HadoopInputFile;
import org.apache.spark.api.java.function.Function;
import org.apache.spark.util.SerializableConfiguration;

/**
 * What the manifest says of each file, computed where the files are (Spark tasks): size, SHA-256 and, for a
 * table export, rows; and the copy of a files export, which skips a file already at the target with the same size
 * and checksum.
 */
final class FileDigests {

  private FileDigests() {}

  /**
   * Reads one exported data file: bytes and SHA-256 of its bytes, and its rows (a Parquet footer's record count; a
   * CSV file's records, parsed as Spark's CSV writer wrote them, after decompression by the codec of its suffix).
   */
  static final class Describe implements Function<String, FileEntry> {
    private static final long serialVersionUID = 1L;
    private final SerializableConfiguration conf;
    private final String folder;
    private final String format;
    private final boolean header;
    private final char delimiter;

    Describe(Configuration conf, String folder, String format, boolean header, char delimiter) {
      this.conf = new SerializableConfiguration(conf);
      this.folder = folder;
      this.format = format;
      this.header = header;
      this.delimiter = delimiter;
    }

    @Override
    public FileEntry call(String key) throws IOException {
      Path path = new Path(new Path(folder), key);
      FileSystem fs = path.getFileSystem(conf.value());
      long length = fs.getFileStatus(path).getLen();
      MessageDigest sha = sha256();
      long rows;
      if (format.equals("parquet")) {
        try (ParquetFileReader reader = ParquetFileReader.open(HadoopInputFile.fromPath(path, conf.value()))) {
          rows = reader.getRecordCount();
        }
        try (InputStream in = new DigestInputStream(fs.open(path), sha)) {
          in.transferTo(OutputStream.nullOutputStream());
        }
      } else {
        try (DigestInputStream raw = new DigestInputStream(fs.open(path), sha)) {
          CompressionCodec codec = new CompressionCodecFactory(conf.value()).getCodec(path);
          InputStream text = codec == null ? raw : codec.createInputStream(raw);
          rows = csvRecords(text);
          raw.transferTo(OutputStream.nullOutputStream()); // a codec may stop before the file's last bytes
        }
      }
      return new FileEntry(key, length, rows, HexFormat.of().formatHex(sha.digest()));
    }

    /** Records as Spark's CSV writer writes them (univocity, quote {@code "}, escape {@code \}), header excluded. */
    private long csvRecords(InputStream text) {
      CsvParserSettings settings = new CsvParserSettings();
      settings.getFormat().setDelimiter(delimiter);
      settings.getFormat().setQuote('"');
      settings.getFormat().setQuoteEscape('\\');
      settings.getFormat().setLineSeparator("\n");
      settings.setHeaderExtractionEnabled(header);
      settings.setSkipEmptyLines(false); // a row of one null column is an empty line
      settings.setMaxCharsPerColumn(-1);
      settings.setMaxColumns(100_000);
      settings.setAutoClosingEnabled(false); // the caller reads the file's last bytes after the records
      CsvParser parser = new CsvParser(settings);
      parser.beginParsing(new InputStreamReader(text, StandardCharsets.UTF_8));
      long rows = 0;
      while (parser.parseNextRecord() != null) {
        rows++;
      }
      return rows;
    }
  }

  /** A file of a files export: where it is, relative to the source folder. */
  record Copied(FileEntry entry, boolean copied) implements Serializable {}

  /**
   * Copies one file of a files export from the source folder to the target folder, hashing its bytes on the way.
   * A target file of the same size is hashed first; when its SHA-256 equals the source's the copy is skipped (a
   * resumed export copies only what is missing or different).
   */
  static final class Copy implements Function<String, Copied> {
    private static final long serialVersionUID = 1L;
    private final SerializableConfiguration conf;
    private final String source;
    private final String target;

    Copy(Configuration conf, String source, String target) {
      this.conf = new SerializableConfiguration(conf);
      this.source = source;
      this.target = target;
    }

    @Override
    public Copied call(String key) throws IOException {
      Path from = new Path(new Path(source), key);
      Path to = new Path(new Path(target), key);
      FileSystem sourceFs = from.getFileSystem(conf.value());
      FileSystem targetFs = to.getFileSystem(conf.value());
      long length = sourceFs.getFileStatus(from).getLen();
      FileStatus existing = targetFs.exists(to) ? targetFs.getFileStatus(to) : null;
      if (existing != null && existing.getLen() == length) {
        String there = hash(targetFs, to);
        String here = hash(sourceFs, from);
        if (there.equals(here)) {
          return new Copied(new FileEntry(key, length, null, here), false);
        }
      }
      MessageDigest sha = sha256();
      FSDataOutputStream out = targetFs.create(to, true);
      boolean complete = false;
      try (InputStream in = new DigestInputStream(sourceFs.open(from), sha)) {
        long copied = in.transferTo(out);
        if (copied != length) {
          throw new IOException("Copied " + copied + " bytes of " + from + " whose length is " + length
              + " (it changed during the copy); not exported");
        }
        out.close();
        complete = true;
      } catch (IOException | RuntimeException | Error e) {
        if (!complete) {
          discard(out, targetFs, to, e);
        }
        throw e;
      }
      return new Copied(new FileEntry(key, length, null, HexFormat.of().formatHex(sha.digest())), true);
    }

    /**
     * Makes sure a copy that failed (an error, or its task killed: an interrupt) publishes nothing: an S3A stream is
     * aborted, so that its upload is never completed (closing it would publish the bytes written so far as the whole
     * object); a stream that cannot be aborted (a file system writing in place) is closed and its file deleted.
     * What fails here is added to {@code failure}.
     */
    private static void discard(FSDataOutputStream out, FileSystem fs, Path path, Throwable failure) {
      try {
        if (out.hasCapability(StreamCapabilities.ABORTABLE_STREAM)) {
          out.abort();
        } else {
          out.close();
          fs.delete(path, false);
        }
      } catch (IOException | RuntimeException e) {
        failure.addSuppressed(e);
      }
    }
  }

  static String hash(FileSystem fs, Path path) throws IOException {
    MessageDigest sha = sha256();
    try (InputStream in = new DigestInputStream(fs.open(path), sha)) {
      in.transferTo(OutputStream.nullOutputStream());
    }
    return HexFormat.of().formatHex(sha.digest());
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("This JVM has no SHA-256", e);
    }
  }

}
