package dev.baton.control.stream;

import dev.baton.control.ControllerConfig;
import dev.baton.schemas.SchemaRegistries;

import static java.util.Objects.requireNonNull;

import dev.baton.control.launch.LaunchJournal;
import dev.baton.control.launch.Launchers;
import dev.baton.control.metrics.ControllerMetrics;
import dev.baton.control.ledger.Ledger;
import dev.baton.control.ledger.LedgerMaintenance;
import dev.baton.control.pipeline.PipelineDefinition;
import dev.baton.control.pipeline.PipelineVersions;
import dev.baton.control.pipeline.Pipelines;
import dev.baton.stages.runner.ControlEventPublisher;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeoutException;
import org.apache.spark.api.java.function.MapFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.streaming.GroupStateTimeout;
import org.apache.spark.sql.streaming.OutputMode;
import org.apache.spark.sql.streaming.StreamingQuery;
import org.apache.spark.sql.streaming.StreamingQueryException;
import org.apache.spark.sql.streaming.StreamingQueryListener;
import org.apache.spark.sql.streaming.Trigger;

/**
 * The controller: two Spark Structured Streaming queries in one session.
 *
 * <ul>
 *   <li>The control query, over {@code baton.objects} and {@code baton.control}: records are
 *       decoded and keyed by runId; {@code flatMapGroupsWithState} keeps each run's state in the
 *       state store and decides; {@code foreachBatch} launches stages and publishes events, and
 *       appends the ledger rows it decided to the ledger changelog topic. Nothing on this path
 *       waits for an Iceberg commit.
 *   <li>The ledger query, over the changelog: MERGEs the rows into the ledger tables every
 *       {@code controller.ledger-interval-ms}. The ledger therefore trails the control events by
 *       about that interval plus a MERGE. Between two MERGEs, every {@code
 *       controller.ledger-maintenance.interval-ms}, it also compacts the ledger tables and expires their
 *       old snapshots ({@link LedgerMaintenance}).
 * </ul>
 *
 * Each query keeps its offsets (and the control query its state) in its checkpoint, so a restarted
 * controller resumes where it stopped.
 */
public final class Controller implements AutoCloseable {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(Controller.class);
  private static final long LEDGER_RESTART_MAX_BACKOFF_MS = 60_000;

  private final SparkSession spark;
  private final StreamingQuery query;
  private final LedgerStarter ledgerStarter;
  private volatile StreamingQuery ledgerQuery;
  private final StreamingQueryListener listener;
  private final CommandExecutor executor;
  private volatile boolean closed;

  /** Starts the ledger query (again). */
  @FunctionalInterface
  private interface LedgerStarter {
    StreamingQuery start() throws TimeoutException;
  }

  private Controller(SparkSession spark, StreamingQuery query, LedgerStarter ledgerStarter, StreamingQuery ledgerQuery,
      StreamingQueryListener listener, CommandExecutor executor) {
    this.spark = spark;
    this.query = query;
    this.ledgerStarter = ledgerStarter;
    this.ledgerQuery = ledgerQuery;
    this.listener = listener;
    this.executor = executor;
  }

  /**
   * Settings of the whole SparkContext the controller runs in, stages included: FAIR scheduling
   * between stages, UTC timestamps, and {@link ForkFreeLocalFileSystem} for {@code file:} (no forked
   * {@code chmod} per file written; ~0.3 s per micro-batch on a local checkpoint, BENCHMARKS.md).
   * The control query's own tuning is not here: see {@link #querySessionConf(String)}.
   */
  public static Map<String, String> sparkDefaults() {
    Map<String, String> conf = new LinkedHashMap<>();
    conf.put("spark.hadoop.fs.file.impl", ForkFreeLocalFileSystem.class.getName());
    conf.put("spark.scheduler.mode", "FAIR");
    conf.put("spark.sql.session.timeZone", "UTC");
    return conf;
  }

  /**
   * SQL settings of the session the controller's two queries run in, a session of their own
   * ({@link SparkSession#newSession()}) so that stages in the same SparkContext keep theirs: RocksDB
   * state store with changelog checkpointing, 2 shuffle partitions (the state is small and keyed by
   * run), no micro-batch without new input (timers ride on the clock source's one row a second, so they fire
   * up to ~1 s plus a micro-batch's duration late; schedule ticks, at whole seconds, within a trigger
   * interval plus a micro-batch), and a checkpoint file manager for where the checkpoint is:
   * <ul>
   *   <li>a local path: the file-system one (the FileContext one forks {@code readlink} on every
   *       rename; ~0.3 s per micro-batch on a local checkpoint, BENCHMARKS.md);
   *   <li>an object store ({@code s3a://}, {@code s3://}, …): Spark's
   *       {@code AbortableStreamBasedCheckpointFileManager} (module spark-hadoop-cloud), which writes
   *       each checkpoint file in place and aborts the upload on failure instead of writing a temporary
   *       file and renaming it: S3 has no atomic rename (S3A renames by copy and delete). It needs a
   *       file system with abortable output streams, which S3A has since Hadoop 3.3.1.
   * </ul>
   *
   * @param checkpointLocation {@code controller.checkpoint-location}
   */
  public static Map<String, String> querySessionConf(String checkpointLocation) {
    Map<String, String> conf = new LinkedHashMap<>();
    conf.put("spark.sql.streaming.stateStore.providerClass",
        "org.apache.spark.sql.execution.streaming.state.RocksDBStateStoreProvider");
    conf.put("spark.sql.streaming.stateStore.rocksdb.changelogCheckpointing.enabled", "true");
    conf.put("spark.sql.streaming.checkpointFileManagerClass", LaunchJournal.isLocal(checkpointLocation)
        ? "org.apache.spark.sql.execution.streaming.FileSystemBasedCheckpointFileManager"
        : "org.apache.spark.internal.io.cloud.AbortableStreamBasedCheckpointFileManager");
    conf.put("spark.sql.shuffle.partitions", "2");
    // no micro-batch without new input: with its processing-time timeouts, the control query otherwise runs one on
    // every trigger (100 ms), which kept an idle controller busy on a whole core (1.02 of 2 cores here, 0.25 without;
    // BENCHMARKS.md). Timers still fire: the clock source adds input every second (see wakeUps)
    conf.put("spark.sql.streaming.noDataMicroBatches.enabled", "false");
    return conf;
  }

  /**
   * Reconciles the attempts the previous controller process left unended ({@link Reconciler}: an
   * attempt that died with it is reported LOST now), creates the ledger tables if needed and starts
   * both queries, in a new session of {@code
   * stageSession}'s SparkContext with {@link #querySessionConf(String)}: the launcher's stages keep
   * {@code stageSession}'s settings.
   *
   * @param stageSession the session stages run in (the in-process launcher's)
   * @param launchers the launcher of each profile the pipelines may name
   * @throws IllegalStateException if a query cannot start or an attempt cannot be reconciled (the cause says why)
   * @throws dev.baton.control.pipeline.PipelineValidationException if a pipeline names a launcher profile
   *     {@code launchers} lacks
   */
  public static Controller start(SparkSession stageSession, ControllerConfig config, Pipelines pipelines,
      Launchers launchers, LaunchJournal journal, ControlEventPublisher publisher, ControllerMetrics metrics) {
    requireNonNull(stageSession, "Invalid spark: null");
    launchers.check(pipelines);
    SparkSession spark = stageSession.newSession();
    querySessionConf(config.checkpointLocation()).forEach(spark.conf()::set);
    // Iceberg's worker pool registers a JVM shutdown hook when its class initialises: do it now, so
    // a SIGTERM during the ledger query's first commit does not fail that initialisation
    org.apache.iceberg.util.ThreadPools.getWorkerPool();
    // the ledger writes through the stages' session: one catalog instance commits for this JVM (the
    // local SQLite catalog refuses a second writer's stale snapshot, SQLITE_BUSY_SNAPSHOT)
    Ledger ledger = new Ledger(stageSession);
    ledger.createTablesIfMissing();
    // one for the process, so a restarted ledger query does not maintain again at once
    LedgerMaintenance maintenance =
        new LedgerMaintenance(stageSession, config.ledgerMaintenance(), metrics, java.time.Clock.systemUTC());
    Dataset<Row> records = kafka(spark, config, config.objectsTopic() + "," + config.controlTopic())
        .select("key", "value", "topic", "partition", "offset");
    Dataset<ControllerInputRow> inputs =
        records.flatMap(new InputDecoder(pipelines, config.objectsTopic(), config.schemaRegistry())
                .withAttemptPools(config.attemptPools()),
            Encoders.bean(ControllerInputRow.class))
            .union(wakeUps(spark, pipelines));
    Dataset<byte[]> commands =
        inputs.groupByKey((MapFunction<ControllerInputRow, String>) ControllerInputRow::getRunId, Encoders.STRING())
            .flatMapGroupsWithState(new RunStateFunction(pipelines, config.stateRetentionMs(),
                config.tombstoneRetentionMs(), config.waitingTimeoutMs(), config.objectsTopic())
                .withArchivedVersions(archivePipelineVersions(journal, pipelines))
                .withAttemptPools(config.attemptPools()),
                OutputMode.Update(), Encoders.BINARY(), Encoders.BINARY(), GroupStateTimeout.ProcessingTimeTimeout());
    createCheckpointRoot(spark, config.checkpointLocation());
    createCheckpointRoot(spark, config.ledgerCheckpointLocation());
    String epoch = java.util.UUID.randomUUID().toString();
    Reconciler.reconcile(journal, launchers, publisher, metrics, epoch);
    CommandExecutor executor = new CommandExecutor(pipelines, launchers, journal, epoch, publisher, config.dlqTopic(),
        config.alertsTopic(), config.ledgerTopic(), metrics, SchemaRegistries.serde(config.schemaRegistry()));
    StreamingQuery query = null;
    try {
      query = commands.writeStream()
          .queryName("baton-controller")
          .outputMode(OutputMode.Update())
          .option("checkpointLocation", config.checkpointLocation())
          .trigger(Trigger.ProcessingTime(config.triggerIntervalMs()))
          .foreachBatch(executor)
          .start();
      LedgerStarter ledgerStarter = () -> kafka(spark, config, config.ledgerTopic()).writeStream()
          .queryName("baton-ledger")
          .option("checkpointLocation", config.ledgerCheckpointLocation())
          .trigger(Trigger.ProcessingTime(config.ledgerIntervalMs()))
          .foreachBatch(new LedgerWriter(ledger, maintenance, publisher, config.dlqTopic()))
          .start();
      StreamingQuery ledgerQuery = ledgerStarter.start();
      java.util.UUID queryId = query.id();
      StreamingQueryListener listener = new StreamingQueryListener() {
        @Override
        public void onQueryStarted(QueryStartedEvent event) {}

        @Override
        public void onQueryProgress(QueryProgressEvent event) {
          if (event.progress().id().equals(queryId)) {
            metrics.inputRecords(event.progress().numInputRows());
          }
        }

        @Override
        public void onQueryIdle(QueryIdleEvent event) {}

        @Override
        public void onQueryTerminated(QueryTerminatedEvent event) {}
      };
      spark.streams().addListener(listener);
      return new Controller(spark, query, ledgerStarter, ledgerQuery, listener, executor);
    } catch (TimeoutException | RuntimeException e) {
      if (query != null) {
        stopQuietly(query, e);
      }
      throw new IllegalStateException("Cannot start the controller queries: " + e.getMessage(), e);
    }
  }

  /**
   * Archives the version of every pipeline loaded (in the launch journal's store, beside the
   * checkpoint) and returns every version archived so far, by hash: runs are stored with their
   * version's hash only ({@link RunStateFunction#withArchivedVersions}). An archived version this
   * build cannot read is left out, with a warning (its runs keep deciding on their own stored copy, or
   * the current definition).
   */
  private static Map<String, PipelineDefinition> archivePipelineVersions(LaunchJournal journal, Pipelines pipelines) {
    for (PipelineDefinition pipeline : pipelines.all()) {
      PipelineDefinition kept = PipelineVersions.forRun(pipeline);
      journal.recordPipelineVersion(PipelineVersions.hash(kept), Json.write(kept));
    }
    Map<String, PipelineDefinition> versions = new LinkedHashMap<>();
    journal.pipelineVersions().forEach((hash, json) -> {
      try {
        versions.put(hash, Json.read(json, PipelineDefinition.class));
      } catch (RuntimeException e) {
        LOG.warn("Pipeline version {} in {} cannot be read by this build, left out: {}", hash, journal.location(),
            e.getMessage());
      }
    });
    return versions;
  }

  /**
   * Creates the checkpoint's root folder on an object store, with a small marker file in it. The
   * abortable-stream checkpoint manager creates files through Hadoop's FileContext without creating
   * parents, and S3A then wants to see the parent: the query's first file ({@code metadata}) would fail
   * with FileNotFoundException. A directory marker alone is not seen by every S3 implementation (the
   * local S3 endpoint's filesystem store hides it); an object under the prefix always is. Nothing to
   * do on a local checkpoint.
   */
  private static void createCheckpointRoot(SparkSession spark, String location) {
    if (LaunchJournal.isLocal(location)) {
      return;
    }
    org.apache.hadoop.fs.Path root = new org.apache.hadoop.fs.Path(location);
    org.apache.hadoop.fs.Path marker = new org.apache.hadoop.fs.Path(root, "_baton_checkpoint");
    try {
      org.apache.hadoop.fs.FileSystem fs = root.getFileSystem(spark.sessionState().newHadoopConf());
      if (!fs.exists(marker)) {
        try (var out = fs.create(marker, true)) {
          out.write("Baton controller checkpoint\n".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
      }
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException("Cannot create the checkpoint folder " + location, e);
    }
  }

  /**
   * A source that makes a micro-batch due every whole second ({@link ClockSource}): the clock of the
   * controller's timers (attempt timeouts, retries, SLA, expiries), which a micro-batch fires, and of
   * its schedule triggers, whose ticks it yields ({@link ScheduleTicks}). The control query runs no
   * batch without new input ({@link #querySessionConf}); and even with them Spark runs one only when
   * the previous batch of the same process asks for it, so a controller restarted after its last batch
   * was committed would fire no timer until some new event arrived. Found by the kill IT.
   */
  private static Dataset<ControllerInputRow> wakeUps(SparkSession spark, Pipelines pipelines) {
    return spark.readStream().format(ClockSource.class.getName()).load()
        .flatMap(new ScheduleTicks(pipelines), Encoders.bean(ControllerInputRow.class));
  }

  /**
   * A Kafka source over {@code topics} (comma-separated) from the earliest offsets, at most {@link
   * ControllerConfig#maxOffsetsPerTrigger()} records per micro-batch, with the {@code kafka.*}
   * settings. {@code fetch.max.wait.ms} defaults to 10 ms instead of Kafka's 500: the
   * source reads a known offset range, and its last fetch otherwise waits the full 500 ms for more
   * data than the range holds — half a second on every micro-batch (measured, BENCHMARKS.md).
   */
  private static Dataset<Row> kafka(SparkSession spark, ControllerConfig config, String topics) {
    var reader = spark.readStream().format("kafka")
        .option("subscribe", topics)
        .option("startingOffsets", "earliest")
        .option("failOnDataLoss", "true")
        .option("maxOffsetsPerTrigger", String.valueOf(config.maxOffsetsPerTrigger()))
        .option("kafka.fetch.max.wait.ms", "10");
    for (Map.Entry<String, String> entry : config.kafka().entrySet()) {
      reader = reader.option("kafka." + entry.getKey(), entry.getValue());
    }
    return reader.load();
  }

  private static void stopQuietly(StreamingQuery query, Exception cause) {
    try {
      query.stop();
    } catch (TimeoutException | RuntimeException e) {
      cause.addSuppressed(e);
    }
  }

  /** The control query (progress, status, exception). */
  public StreamingQuery query() {
    return query;
  }

  /** The ledger query. */
  public StreamingQuery ledgerQuery() {
    return ledgerQuery;
  }

  private static boolean isBusy(StreamingQuery query) {
    return query.isActive() && query.status().isTriggerActive();
  }

  /** Whether both queries are running. */
  public boolean isActive() {
    return query.isActive() && ledgerQuery.isActive();
  }

  /**
   * Blocks until the control query stops, restarting the ledger query whenever it fails (with an
   * exponential back-off up to 60 s): launches must not stop because the catalog is unavailable;
   * the ledger catches up from its changelog when it is back.
   *
   * @throws StreamingQueryException if the control query stopped with an error
   * @throws InterruptedException if interrupted while waiting to restart the ledger query
   */
  public void awaitTermination() throws StreamingQueryException, InterruptedException {
    long backoffMs = 1_000;
    while (query.isActive()) {
      query.awaitTermination(500);
      StreamingQuery ledger = ledgerQuery;
      if (!ledger.isActive() && !closed && query.isActive()) {
        LOG.error("The ledger query stopped ({}); restarting it in {} ms — launches go on, the ledger catches up",
            ledger.exception().isDefined() ? ledger.exception().get().getMessage() : "no error", backoffMs);
        Thread.sleep(backoffMs); // the restart back-off
        backoffMs = Math.min(backoffMs * 2, LEDGER_RESTART_MAX_BACKOFF_MS);
        try {
          ledgerQuery = ledgerStarter.start();
        } catch (TimeoutException | RuntimeException e) {
          LOG.error("Cannot restart the ledger query; trying again later", e);
        }
      }
    }
    if (query.exception().isDefined()) {
      throw query.exception().get();
    }
  }

  /**
   * Stops both queries: the ledger query after giving a running micro-batch up to 10 s to finish (its
   * micro-batches are idempotent MERGEs, so one interrupted half-way runs again on the next start), then
   * the control query after giving a
   * running micro-batch up to 30 s to finish (best effort: a batch may still start in between). A
   * control micro-batch interrupted half-way is safe too: it was not committed, so the next start
   * runs it again, and the launch journal makes its repeated launches harmless (one not recorded in it
   * never started, and is launched then). Attempts still running here end with the process; the next start
   * reports them LOST ({@link Reconciler}). The checkpoints keep offsets and state for the next start.
   */
  /** Waits up to {@code seconds} for {@code query} to be between micro-batches (no callback exists for it: polls). */
  private static void awaitIdle(StreamingQuery query, int seconds) {
    try {
      long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(seconds);
      while (isBusy(query) && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Longest wait at a graceful stop for the ledger query to write what the last micro-batches recorded, s. */
  static final int LEDGER_FLUSH_SECONDS = 30;

  /**
   * Stops gracefully: the controller query between micro-batches (launched attempts are left to their
   * launchers), then the ledger query once it has written what the controller's last micro-batches
   * recorded (at most {@value #LEDGER_FLUSH_SECONDS} s; what is left then, the next controller writes),
   * so a run that ended just before the stop has its final rows in the ledger tables.
   */
  @Override
  public void close() {
    closed = true;
    spark.streams().removeListener(listener);
    try {
      awaitIdle(query, 30);
      executor.close();
      query.stop();
    } catch (TimeoutException e) {
      throw new IllegalStateException("Cannot stop the controller query: " + e.getMessage(), e);
    } finally {
      flushLedger();
      awaitIdle(ledgerQuery, 10); // stopping it mid-MERGE interrupts Iceberg's requests: an ERROR in the log
      try {
        ledgerQuery.stop();
      } catch (TimeoutException e) {
        throw new IllegalStateException("Cannot stop the ledger query: " + e.getMessage(), e);
      }
    }
  }

  private void flushLedger() {
    StreamingQuery ledger = ledgerQuery;
    if (!ledger.isActive()) {
      return;
    }
    Thread flush = new Thread(() -> {
      try {
        ledger.processAllAvailable();
      } catch (Exception e) { // StreamingQueryException, thrown from Scala undeclared
        LOG.warn("The ledger query stopped before it wrote the last records; the next controller writes them: {}",
            e.toString());
      }
    }, "baton-ledger-flush");
    flush.setDaemon(true);
    flush.start();
    try {
      flush.join(java.util.concurrent.TimeUnit.SECONDS.toMillis(LEDGER_FLUSH_SECONDS));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (flush.isAlive()) {
      LOG.warn("The ledger query did not write the last records within {} s; the next controller writes them",
          LEDGER_FLUSH_SECONDS);
    }
  }
}
