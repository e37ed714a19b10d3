package dev.baton.stages.ingest;

import org.apache.parquet.hadoop.codec.ZstandardCodec;

/**
 * Hadoop codec for Zstandard text files ({@code .zst}) that needs no native Hadoop library: Parquet's
 * {@link ZstandardCodec} (zstd-jni, which Spark ships), under the extension {@code zstd} writes. Hadoop's own
 * {@code ZStandardCodec} claims {@code .zst} but fails without a libhadoop built with zstd ("native zStandard
 * library not available"), as Apache Spark's distribution and a local run have; Parquet's registers itself as
 * {@code .zstd}. Registered for the ingest reader only, through the read option {@code io.compression.codecs},
 * which Hadoop's {@code CompressionCodecFactory} applies after its built-in codecs (the later codec of an
 * extension wins). Not splittable, like gzip.
 */
final class ZstdCodec extends ZstandardCodec {

  /** The extension of files written by the {@code zstd} command line tool. */
  @Override
  public String getDefaultExtension() {
    return ".zst";
  }
}
