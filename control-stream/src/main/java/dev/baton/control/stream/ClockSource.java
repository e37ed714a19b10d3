package dev.baton.control.stream;

import java.util.Map;
import java.util.Set;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.expressions.GenericInternalRow;
import org.apache.spark.sql.connector.catalog.SupportsRead;
import org.apache.spark.sql.connector.catalog.Table;
import org.apache.spark.sql.connector.catalog.TableCapability;
import org.apache.spark.sql.connector.catalog.TableProvider;
import org.apache.spark.sql.connector.expressions.Transform;
import org.apache.spark.sql.connector.read.InputPartition;
import org.apache.spark.sql.connector.read.PartitionReader;
import org.apache.spark.sql.connector.read.PartitionReaderFactory;
import org.apache.spark.sql.connector.read.Scan;
import org.apache.spark.sql.connector.read.ScanBuilder;
import org.apache.spark.sql.connector.read.streaming.MicroBatchStream;
import org.apache.spark.sql.connector.read.streaming.Offset;
import org.apache.spark.sql.connector.read.streaming.ReadLimit;
import org.apache.spark.sql.connector.read.streaming.SupportsAdmissionControl;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.sql.util.CaseInsensitiveStringMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A streaming source of the wall clock's whole seconds: one row per second that has fully passed, in
 * a micro-batch of the control query ({@code spark.readStream().format(ClockSource.class.getName())}).
 * Its row {@code second} (column {@code second}, epoch seconds) stands for the interval {@code
 * (second s, second + 1 s]}: the rows tile time, each in exactly one committed micro-batch, and the row
 * of the second ending at {@code T} is available from {@code T} on, so a micro-batch follows it within
 * the control query's trigger interval (ProcessingTime triggers are aligned to multiples of the
 * interval since the epoch). The offset is the epoch second, kept in the checkpoint like any
 * source's: a controller down for an hour gets that hour's rows in its first micro-batch.
 *
 * <p>The offset never goes back: a wall clock stepped back (or a restart on a host whose clock is
 * behind) gives no rows until it passes the committed second again, so no second is delivered twice.
 * One micro-batch covers at most {@value #MAX_SECONDS_PER_BATCH} seconds: after a long down time the
 * seconds are worked off in bounded micro-batches, as {@code controller.max-offsets-per-trigger} bounds
 * Kafka's.
 *
 * <p>Spark's {@code rate} source, which the controller used before, counts seconds from the moment it
 * was first started instead, so its rows ended up to a second after each whole second. Its offsets are
 * small numbers (seconds since that start); a checkpoint that still holds one resumes from the
 * current second (with a warning): the seconds it was down are not replayed that once.
 */
public final class ClockSource implements TableProvider {
  private static final Logger LOG = LoggerFactory.getLogger(ClockSource.class);
  /** Offsets below this (2001-09-09) are not epoch seconds: the {@code rate} source's, from an older checkpoint. */
  static final long MIN_EPOCH_SECOND = 1_000_000_000L;
  /** Most seconds one micro-batch covers (one hour). */
  static final long MAX_SECONDS_PER_BATCH = 3_600;
  static final StructType SCHEMA = new StructType().add("second", DataTypes.LongType, false);

  @Override
  public StructType inferSchema(CaseInsensitiveStringMap options) {
    return SCHEMA;
  }

  @Override
  public Table getTable(StructType schema, Transform[] partitioning, Map<String, String> properties) {
    return new ClockTable();
  }

  private static final class ClockTable implements Table, SupportsRead {
    @Override
    public String name() {
      return "baton-clock";
    }

    @Override
    public StructType schema() {
      return SCHEMA;
    }

    @Override
    public Set<TableCapability> capabilities() {
      return Set.of(TableCapability.MICRO_BATCH_READ);
    }

    @Override
    public ScanBuilder newScanBuilder(CaseInsensitiveStringMap options) {
      return () -> new Scan() {
        @Override
        public StructType readSchema() {
          return SCHEMA;
        }

        @Override
        public MicroBatchStream toMicroBatchStream(String checkpointLocation) {
          return new ClockStream();
        }
      };
    }
  }

  /** An epoch second, as a source offset. */
  static final class SecondOffset extends Offset {
    final long second;

    SecondOffset(long second) {
      this.second = second;
    }

    @Override
    public String json() {
      return Long.toString(second);
    }
  }

  /** The seconds {@code [fromSecond, toSecond)}. */
  record SecondRange(long fromSecond, long toSecond) implements InputPartition {}

  /** Reads a {@link SecondRange}: one row per second. */
  static final class SecondReaderFactory implements PartitionReaderFactory {
    private static final long serialVersionUID = 1L;

    @Override
    public PartitionReader<InternalRow> createReader(InputPartition partition) {
      SecondRange range = (SecondRange) partition;
      return new PartitionReader<>() {
        private long next = range.fromSecond() - 1;

        @Override
        public boolean next() {
          next++;
          return next < range.toSecond();
        }

        @Override
        public InternalRow get() {
          return new GenericInternalRow(new Object[] {next});
        }

        @Override
        public void close() {}
      };
    }
  }

  static final class ClockStream implements MicroBatchStream, SupportsAdmissionControl {
    private boolean legacyWarned;
    private boolean behindWarned;

    /** The current second; without a start, as Spark asks only for a query's very first micro-batch. */
    @Override
    public Offset latestOffset() {
      return new SecondOffset(Math.floorDiv(System.currentTimeMillis(), 1000L));
    }

    /**
     * The current second, but never before {@code start} (a clock stepped back) and at most {@value
     * #MAX_SECONDS_PER_BATCH} seconds after it; a legacy {@code start} (below {@value #MIN_EPOCH_SECOND}) is
     * ignored.
     */
    @Override
    public Offset latestOffset(Offset start, ReadLimit limit) {
      long now = ((SecondOffset) latestOffset()).second;
      if (start == null || ((SecondOffset) start).second < MIN_EPOCH_SECOND) {
        return new SecondOffset(now);
      }
      long from = ((SecondOffset) start).second;
      if (now < from && !behindWarned) {
        behindWarned = true;
        LOG.warn("The wall clock ({} s) is behind the controller's committed clock second ({} s): no timer or schedule"
            + " tick fires until it passes it again", now, from);
      } else if (now >= from) {
        behindWarned = false;
      }
      return new SecondOffset(Math.max(from, Math.min(now, from + MAX_SECONDS_PER_BATCH)));
    }

    @Override
    public ReadLimit getDefaultReadLimit() {
      return ReadLimit.allAvailable();
    }

    @Override
    public InputPartition[] planInputPartitions(Offset start, Offset end) {
      long from = ((SecondOffset) start).second;
      long to = ((SecondOffset) end).second;
      if (from < MIN_EPOCH_SECOND) {
        if (!legacyWarned) {
          legacyWarned = true;
          LOG.warn("The checkpoint's wake-up offset {} is the rate source's (a controller before the clock source):"
              + " resuming from the current second; schedule ticks of the time the controller was down are not"
              + " replayed this once", from);
        }
        from = to;
      }
      return from >= to ? new InputPartition[0] : new InputPartition[] {new SecondRange(from, to)};
    }

    @Override
    public PartitionReaderFactory createReaderFactory() {
      return new SecondReaderFactory();
    }

    @Override
    public Offset initialOffset() {
      return latestOffset();
    }

    @Override
    public Offset reportLatestOffset() {
      return latestOffset();
    }

    @Override
    public Offset deserializeOffset(String json) {
      return new SecondOffset(Long.parseLong(json.trim()));
    }

    @Override
    public void commit(Offset end) {}

    @Override
    public void stop() {}
  }
}
