package dev.baton.control.stream;

import dev.baton.control.ControllerConfig;

import static java.util.Objects.requireNonNull;

import dev.baton.control.launch.LaunchJournal;
import dev.baton.control.launch.Launcher;
import dev.baton.control.metrics.ControllerMetrics;
import dev.baton.control.ledger.Ledger;
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
 * The controller: one Spark Structured Streaming query over {@code baton.objects} and {@code
 * baton.control}. Records are decoded and keyed by runId; {@code flatMapGroupsWithState} keeps each
 * run's state in the state store and decides; {@code foreachBatch} launches stages, publishes
 * events and writes the ledger. Offsets and state live in the checkpoint, so a restarted controller
 * resumes where it stopped.
 */
public final class Controller implements AutoCloseable {
  private final StreamingQuery query;

  private Controller(StreamingQuery query) {
    this.query = query;
  }

  /**
   * Spark settings the controller's session should have: RocksDB state store, few shuffle
   * partitions (state is small and keyed by run), FAIR scheduling between stages, UTC timestamps.
   */
  public static Map<String, String> sparkDefaults() {
    Map<String, String> conf = new LinkedHashMap<>();
    conf.put("spark.sql.streaming.stateStore.providerClass",
        "org.apache.spark.sql.execution.streaming.state.RocksDBStateStoreProvider");
    conf.put("spark.sql.shuffle.partitions", "2");
    conf.put("spark.scheduler.mode", "FAIR");
    conf.put("spark.sql.session.timeZone", "UTC");
    return conf;
  }

  /**
   * Creates the ledger tables if needed and starts the query.
   *
   * @throws IllegalStateException if the query cannot start (the cause says why)
   */
  public static Controller start(SparkSession spark, ControllerConfig config, Pipelines pipelines, Launcher launcher,
      LaunchJournal journal, ControlEventPublisher publisher, ControllerMetrics metrics) {
    requireNonNull(spark, "Invalid spark: null");
    Ledger ledger = new Ledger(spark);
    ledger.createTablesIfMissing();
    var reader = spark.readStream().format("kafka")
        .option("subscribe", config.objectsTopic() + "," + config.controlTopic())
        .option("startingOffsets", "earliest")
        .option("failOnDataLoss", "true");
    for (Map.Entry<String, String> entry : config.kafka().entrySet()) {
      reader = reader.option("kafka." + entry.getKey(), entry.getValue());
    }
    Dataset<Row> records = reader.load().select("key", "value", "topic", "partition", "offset");
    Dataset<ControllerInputRow> inputs =
        records.flatMap(new InputDecoder(pipelines, config.objectsTopic()),
            Encoders.bean(ControllerInputRow.class));
    Dataset<byte[]> commands =
        inputs.groupByKey((MapFunction<ControllerInputRow, String>) ControllerInputRow::getRunId, Encoders.STRING())
            .flatMapGroupsWithState(new RunStateFunction(pipelines),
                OutputMode.Update(), Encoders.BINARY(), Encoders.BINARY(), GroupStateTimeout.ProcessingTimeTimeout());
    try {
      StreamingQuery query = commands.writeStream()
          .queryName("baton-controller")
          .outputMode(OutputMode.Update())
          .option("checkpointLocation", config.checkpointLocation())
          .trigger(Trigger.ProcessingTime(config.triggerIntervalMs()))
          .foreachBatch(new CommandExecutor(pipelines, launcher, journal, publisher, ledger, config.dlqTopic(),
              config.alertsTopic(), metrics))
          .start();
      spark.streams().addListener(new StreamingQueryListener() {
        @Override
        public void onQueryStarted(QueryStartedEvent event) {}

        @Override
        public void onQueryProgress(QueryProgressEvent event) {
          if (event.progress().id().equals(query.id())) {
            metrics.inputRecords(event.progress().numInputRows());
          }
        }

        @Override
        public void onQueryIdle(QueryIdleEvent event) {}

        @Override
        public void onQueryTerminated(QueryTerminatedEvent event) {}
      });
      return new Controller(query);
    } catch (TimeoutException e) {
      throw new IllegalStateException("Cannot start the controller query: " + e.getMessage(), e);
    }
  }

  /** The running query (progress, status, exception). */
  public StreamingQuery query() {
    return query;
  }

  /**
   * Blocks until the query stops.
   *
   * @throws StreamingQueryException if it stopped with an error
   */
  public void awaitTermination() throws StreamingQueryException {
    query.awaitTermination();
  }

  /**
   * Stops the query, after letting a running micro-batch finish (up to 30 s) so its launches and
   * ledger writes are not interrupted half-way; the checkpoint keeps offsets and state for the next start.
   */
  @Override
  public void close() {
    try {
      long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(30);
      while (query.isActive() && query.status().isTriggerActive() && System.nanoTime() < deadline) {
        Thread.sleep(20); // no callback exists for "between micro-batches"; poll the status
      }
      query.stop();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while stopping the controller query", e);
    } catch (TimeoutException e) {
      throw new IllegalStateException("Cannot stop the controller query: " + e.getMessage(), e);
    }
  }
}
