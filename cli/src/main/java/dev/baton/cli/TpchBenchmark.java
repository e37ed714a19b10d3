package dev.baton.cli;

import dev.baton.control.pipeline.ObjectTrigger;
import dev.baton.control.pipeline.PipelineDefinition;
import dev.baton.control.pipeline.Pipelines;
import dev.baton.control.pipeline.StageDefinition;
import dev.baton.examples.tpch.PricingSummaryReference;
import dev.baton.examples.tpch.PricingSummaryRow;
import dev.baton.examples.tpch.TpchFiles;
import dev.baton.schemas.event.RunStatus;
import dev.baton.schemas.event.StageCompleted;
import dev.baton.schemas.event.StageLaunched;
import dev.baton.stages.ingest.IngestStageFactory;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * {@code baton bench tpch}: the {@code tpch-12} pipeline run by Baton's controller against a hand-written Spark
 * application doing the same work — the eight ingests (Spark's CSV reader with the pipeline's schemas, written
 * without a shuffle as Baton's ingest writes, one after the other), the enrichment join, the six quality rules as one
 * query, Q1 and the profit report (the pipeline's own SQL), and Q1 written as Parquet to the export bucket — on the
 * same storage (input and tables through the local S3 endpoint), one after the other in each run, which goes first
 * alternating. Baton runs what the pipeline allows at once (the eight ingests, the two reports) as its controller
 * decides; the hand-written application runs its steps in sequence. Both sides' Q1 are checked against Q1 computed
 * in plain Java, and their {@code profit_by_nation} against each other.
 *
 * <p>Nothing of the user's is touched: the benchmark has its own Iceberg catalog ({@code
 * <BATON_HOME>/bench/tpch-<id>/catalog.db}, warehouse {@code s3://warehouse/bench-<id>/}, so its ledger too), topics
 * {@code baton.bench-<id>.*}, checkpoint, input folder {@code s3://warehouse/bench-<id>/landing/tpch/} (deleted at
 * the end; not the {@code landing} bucket, whose objects the local stack's connector announces on the user's objects
 * topic) and export folder {@code s3://export/bench-<id>/}. Both sides run in this JVM's one SparkSession ({@code
 * local[*]}); the controller is started for each Baton run and stopped before the hand-written one, so neither
 * competes with the other. The Baton run is started by a {@code RunRequested} (the input is already uploaded); the
 * object-event path's latency is what {@code baton demo} reports.
 *
 * <p>Before the measured runs, both sides run once, unmeasured, on TPC-H at the warm-up scale factor (by default the
 * measured one), so that the first measured run (Baton's) does not alone pay the JVM's warm-up at that scale (class
 * loading, code generation, JIT of the paths a run of that size takes) and the tables' and ledger's creation.
 *
 * <p>Figures per run: Baton = controller start + {@code RunRequested} → {@code RunCompleted} (as the control topic's
 * consumer sees them); hand-written = the application's work. Last line: {@code baton_s=… handwritten_s=… ratio=…
 * run_only_ratio=…} (medians; ratio = Baton's time over the hand-written one's).
 */
final class TpchBenchmark {

  /** {@code raw.} / {@code curated.} table references in the pipeline's SQL, rewritten for the hand-written tables. */
  private static final Pattern NAMESPACES = Pattern.compile("\\b(raw|curated)\\.");
  private static final String HAND_PREFIX = "hand_";
  /** The quality rules of {@code tpch-12} that the hand-written application checks in one query. */
  private static final String QUALITY_RULES = "[{type=row-count, min=1}, {type=not-null, column=customer_nation},"
      + " {type=not-null, column=supplier_nation}, {type=unique, columns=[l_orderkey, l_linenumber]},"
      + " {type=value-range, column=l_discount, min=0, max=0.1}, {type=value-range, column=l_quantity, min=1, max=50}]";
  private static final PrintStream QUIET = new PrintStream(java.io.OutputStream.nullOutputStream());

  private final double scaleFactor;
  private final int runs;
  private final Map<String, String> extra;
  private final double warmUpScaleFactor;

  /**
   * @param size the measured scale factor, number of runs and extra configuration
   * @param warmUpScaleFactor TPC-H scale factor of the unmeasured warm-up run of both sides (positive, finite)
   */
  TpchBenchmark(DataBenchmark.Size size, double warmUpScaleFactor) {
    if (!DataBenchmark.Size.isScaleFactor(warmUpScaleFactor)) {
      throw new IllegalArgumentException("Cannot benchmark: warm-up scale factor " + warmUpScaleFactor
          + " must be positive");
    }
    this.warmUpScaleFactor = warmUpScaleFactor;
    this.scaleFactor = size.scaleFactor();
    this.runs = size.runs();
    this.extra = size.extra();
  }

  int run(PrintStream out) throws Exception {
    Workspace workspace = Workspace.fromEnvironment();
    LocalServices local = new LocalServices(workspace);
    LocalServices.Started stack = local.ensureRunning(System.err);
    String id = Demo.newBatchId().toLowerCase(Locale.ROOT).replace('-', '_');
    BenchIsolation isolation = BenchIsolation.create(workspace, local, stack, "tpch", id);
    Map<String, String> config = new LinkedHashMap<>(isolation.config());
    config.putAll(extra);
    PipelineDefinition pipeline = benchPipeline(workspace, id);
    Pipelines pipelines = Pipelines.of(List.of(pipeline));
    Path data = Demo.generate(workspace.home(), scaleFactor, out);
    Path warmUpData = Demo.generate(workspace.home(), warmUpScaleFactor, QUIET);
    out.printf("Benchmark %s: %s%n", id, isolation.describe());

    SparkSession spark = SparkSessions.create("baton-bench-tpch", config);
    try {
      spark.sql("CREATE NAMESPACE IF NOT EXISTS " + HAND_PREFIX + "raw");
      spark.sql("CREATE NAMESPACE IF NOT EXISTS " + HAND_PREFIX + "curated");
      // unmeasured, both sides: class loading, code generation, JIT, the ledger's and the tables' creation
      long warmUpStart = System.nanoTime();
      upload(spark, pipeline, warmUpData, "warmup");
      runBaton(spark, config, pipelines, pipeline, "warmup", QUIET);
      runHandWritten(spark, pipeline, "warmup", "s3://export/bench-" + id + "/handwritten/warmup/", QUIET);
      out.printf("Warm-up (both sides once, TPC-H SF %s, not measured): %.1f s%n", warmUpScaleFactor,
          (System.nanoTime() - warmUpStart) / 1e9);
      List<Double> batonSeconds = new ArrayList<>();
      List<Double> batonRunSeconds = new ArrayList<>();
      List<Double> handSeconds = new ArrayList<>();
      for (int run = 1; run <= runs; run++) {
        String batch = "run" + run;
        upload(spark, pipeline, data, batch);
        String exportFolder = "s3://export/bench-" + id + "/handwritten/" + batch + "/";
        double[] baton; // {controller start s, run s}
        double hand;
        if (run % 2 == 1) {
          baton = runBaton(spark, config, pipelines, pipeline, batch, out);
          hand = runHandWritten(spark, pipeline, batch, exportFolder, out);
        } else {
          hand = runHandWritten(spark, pipeline, batch, exportFolder, out);
          baton = runBaton(spark, config, pipelines, pipeline, batch, out);
        }
        batonSeconds.add(baton[0] + baton[1]);
        batonRunSeconds.add(baton[1]);
        handSeconds.add(hand);
        out.printf("run %d: Baton %.1f s (controller start %.1f s + run %.1f s); hand-written %.1f s; ratio %.2f%s%n",
            run, baton[0] + baton[1], baton[0], baton[1], hand, (baton[0] + baton[1]) / hand,
            run % 2 == 1 ? "" : " (hand-written first)");
      }
      List<PricingSummaryRow> reference = PricingSummaryReference.compute(scaleFactor);
      for (String table : List.of("curated.pricing_summary", HAND_PREFIX + "curated.pricing_summary")) {
        List<String> differences = Demo.q1Differences(
            spark.sql("SELECT * FROM " + table + " ORDER BY l_returnflag, l_linestatus").collectAsList(), reference);
        if (!differences.isEmpty()) {
          throw new IllegalStateException(table + " differs from Q1 computed in plain Java: " + differences);
        }
      }
      String lastBatch = "'run" + runs + "'";
      long profitDifferences = spark.sql("(SELECT * FROM curated.profit_by_nation WHERE batch_id = " + lastBatch
          + " EXCEPT ALL SELECT * FROM " + HAND_PREFIX + "curated.profit_by_nation WHERE batch_id = " + lastBatch
          + ") UNION ALL (SELECT * FROM " + HAND_PREFIX + "curated.profit_by_nation WHERE batch_id = " + lastBatch
          + " EXCEPT ALL SELECT * FROM curated.profit_by_nation WHERE batch_id = " + lastBatch + ")").count();
      if (profitDifferences > 0) {
        throw new IllegalStateException(profitDifferences + " rows of profit_by_nation differ between the two sides");
      }
      out.println("Both sides' pricing_summary equal Q1 computed in plain Java from the generator's rows, and their"
          + " profit_by_nation are equal");
      double batonMedian = DataBenchmark.median(batonSeconds);
      double runMedian = DataBenchmark.median(batonRunSeconds);
      double handMedian = DataBenchmark.median(handSeconds);
      out.printf("%nMedians of %d runs: Baton %.1f s (the run alone %.1f s), hand-written %.1f s; peak RSS of this JVM"
          + " %,d MB%n", runs, batonMedian, runMedian, handMedian, DataBenchmark.peakRssBytes() / (1024 * 1024));
      out.printf("baton_s=%.1f handwritten_s=%.1f ratio=%.2f run_only_ratio=%.2f%n", batonMedian, handMedian,
          batonMedian / handMedian, runMedian / handMedian);
      // the uploaded input (1.1 GB per run at SF 1); tables and exports stay, in the benchmark's own catalog and folder
      org.apache.hadoop.fs.Path landing = new org.apache.hadoop.fs.Path("s3://" + pipeline.trigger().bucket() + "/"
          + pipeline.trigger().prefix());
      landing.getFileSystem(spark.sparkContext().hadoopConfiguration()).delete(landing, true);
      return 0;
    } finally {
      spark.stop();
      if (stack.startedNow()) {
        System.err.println("Stopping the local stack: " + local.stack().down());
      }
    }
  }

  /** The eight {@code .tbl} files of {@code data} into the batch folder {@code batch} of the pipeline's trigger. */
  private static void upload(SparkSession spark, PipelineDefinition pipeline, Path data, String batch)
      throws java.io.IOException {
    for (String table : TpchFiles.TABLES) {
      DataBenchmark.upload(spark, data.resolve(table + ".tbl"), pipeline.trigger().bucket(),
          pipeline.trigger().prefix() + batch + "/" + table + ".tbl", QUIET);
    }
  }

  /**
   * The workspace's {@code tpch-12} with the benchmark's own trigger folder ({@code
   * s3://warehouse/bench-<id>/landing/tpch/}) and export folder ({@code s3://export/bench-<id>/tpch/...}); stages,
   * SQL and tables unchanged (the catalog is the benchmark's).
   */
  private static PipelineDefinition benchPipeline(Workspace workspace, String id) {
    PipelineDefinition original = Pipelines.load(workspace.pipelines()).get(Demo.PIPELINE).orElseThrow(
        () -> new IllegalStateException("No pipeline " + Demo.PIPELINE + " in " + workspace.pipelines()));
    List<StageDefinition> stages = new ArrayList<>();
    for (StageDefinition stage : original.stages()) {
      Map<String, Object> options = stage.options();
      if (stage.type().equals("export") && options.get("target") instanceof String target) {
        options = new LinkedHashMap<>(options);
        options.put("target", target.replaceFirst("^s3://export/", "s3://export/bench-" + id + "/"));
      }
      stages.add(new StageDefinition(stage.name(), stage.type(), stage.dependsOn(), options, stage.retry(),
          stage.timeoutMs(), stage.params(), stage.launcher()));
    }
    ObjectTrigger trigger = original.trigger();
    return new PipelineDefinition(original.name(), original.description(),
        // the input outside the landing bucket, which the local stack's connector watches for the user's controller
        new ObjectTrigger("warehouse", "bench-" + id + "/landing/" + trigger.prefix(), trigger.requiredFiles()), stages,
        original.slaMs(), original.webhook(), original.params());
  }

  /**
   * Starts the controller, requests the run of {@code batch}, waits for its end and stops the controller.
   *
   * @return {controller start s, RunRequested → RunCompleted s}
   * @throws IllegalStateException if the run did not succeed
   */
  private static double[] runBaton(SparkSession spark, Map<String, String> config, Pipelines pipelines,
      PipelineDefinition pipeline, String batch, PrintStream out) {
    long start = System.nanoTime();
    MicroBatchTimes batchTimes = new MicroBatchTimes();
    try (ControllerRuntime runtime = ControllerRuntime.start(spark, config, pipelines)) {
      double started = (System.nanoTime() - start) / 1e9;
      // the controller's queries run in a session of their own (Controller.start): listen there, from now on
      SparkSession controllerSession = runtime.controller().query().sparkSession();
      controllerSession.streams().addListener(batchTimes);
      try {
        long requested = System.nanoTime();
        RunWatcher.RunReport report = Demo.request(config, runtime.publisher(), pipeline, batch,
            QUIET, Duration.ofHours(1),
            () -> runtime.controller().query().isActive());
        double runSeconds = (System.nanoTime() - requested) / 1e9;
        if (report.completed().getStatus() != RunStatus.SUCCEEDED) {
          throw new IllegalStateException("The Baton run of " + batch + " ended " + report.completed().getStatus()
              + ": " + report.completed());
        }
        printStages(out, report);
        try {
          spark.sparkContext().listenerBus().waitUntilEmpty(); // progress events reach listeners asynchronously
        } catch (java.util.concurrent.TimeoutException e) {
          throw new IllegalStateException("Spark's listener bus did not deliver the controller's progress events", e);
        }
        out.printf(Locale.ROOT, "  controller's streaming queries from just after its start to the run's end"
            + " (micro-batches, their summed wall time): control %s, ledger %s%n",
            batchTimes.of(runtime.controller().query().id()),
            batchTimes.of(runtime.controller().ledgerQuery().id()));
        return new double[] {started, runSeconds};
      } finally {
        controllerSession.streams().removeListener(batchTimes);
      }
    } catch (java.util.concurrent.TimeoutException e) {
      throw new IllegalStateException("The Baton run of " + batch + " did not end within an hour", e);
    }
  }

  /** Micro-batches and their summed {@code batchDuration} per streaming query, from the queries' progress events. */
  private static final class MicroBatchTimes extends org.apache.spark.sql.streaming.StreamingQueryListener {
    private final Map<java.util.UUID, long[]> byQuery = new java.util.concurrent.ConcurrentHashMap<>();

    @Override
    public void onQueryStarted(QueryStartedEvent event) {}

    @Override
    public void onQueryProgress(QueryProgressEvent event) {
      long[] totals = byQuery.computeIfAbsent(event.progress().id(), id -> new long[2]);
      synchronized (totals) {
        totals[0]++;
        totals[1] += event.progress().batchDuration();
      }
    }

    @Override
    public void onQueryTerminated(QueryTerminatedEvent event) {}

    /** "N batches, S s" of the query {@code id}: the progress events delivered so far. */
    String of(java.util.UUID id) {
      long[] totals = byQuery.getOrDefault(id, new long[2]);
      synchronized (totals) {
        return String.format(Locale.ROOT, "%d batches, %.1f s", totals[0], totals[1] / 1e3);
      }
    }
  }

  /** Each stage's start offset from the first launch and its own duration, s. */
  private static void printStages(PrintStream out, RunWatcher.RunReport report) {
    long first = report.launches().stream().mapToLong(l -> l.getLaunchedAt().toEpochMilli()).min().orElse(0);
    StringBuilder line = new StringBuilder("  Baton stages (launched at +s, ran s):");
    for (StageLaunched launched : report.launches()) {
      StageCompleted completed = report.completions().stream()
          .filter(c -> c.getStage().equals(launched.getStage()) && c.getAttempt() == launched.getAttempt())
          .findFirst().orElse(null);
      line.append(String.format(Locale.ROOT, " %s +%.1f %s", launched.getStage(),
          (launched.getLaunchedAt().toEpochMilli() - first) / 1e3, completed == null ? "?"
              : String.format(Locale.ROOT, "%.1f",
                  (completed.getFinishedAt().toEpochMilli() - completed.getStartedAt().toEpochMilli()) / 1e3)));
    }
    out.println(line);
  }

  /**
   * The hand-written application: what a Spark developer would write for the same work, in one program, each step
   * after the previous one. Tables in the namespaces {@code hand_raw} and {@code hand_curated}.
   *
   * @return its wall time, s (each step's printed to {@code out})
   * @throws IllegalStateException if a quality check fails
   */
  private static double runHandWritten(SparkSession spark, PipelineDefinition pipeline, String batch,
      String exportFolder, PrintStream out) throws Exception {
    long start = System.nanoTime();
    String batchPrefix = pipeline.trigger().prefix() + batch + "/";
    StringBuilder steps = new StringBuilder("  hand-written steps (s):");
    for (StageDefinition stage : pipeline.stages()) {
      long stepStart = System.nanoTime();
      Map<String, Object> options = stage.options();
      switch (stage.type()) {
        case "ingest" -> {
          String path = ((String) options.get("path")).replace("${bucket}", pipeline.trigger().bucket())
              .replace("${batchPrefix}", batchPrefix);
          StructType schema = IngestStageFactory.declaredSchema(options);
          String table = HAND_PREFIX + options.get("table");
          spark.sql("CREATE TABLE IF NOT EXISTS " + table + " (" + schema.add("batch_id", DataTypes.StringType, false)
              .toDDL() + ") USING iceberg PARTITIONED BY (batch_id)");
          Dataset<Row> rows = spark.read().schema(schema.add("_trailing", DataTypes.StringType, true))
              .option("sep", (String) options.get("delimiter")).csv(path).drop("_trailing")
              .withColumn("batch_id", functions.lit(batch));
          // no shuffle before the write, as Baton's ingest (one partition value per write): the stricter baseline
          rows.writeTo(table).option("distribution-mode", "none").overwritePartitions();
        }
        case "sql" -> {
          String table = HAND_PREFIX + options.get("table");
          Dataset<Row> result = spark.sql(NAMESPACES.matcher((String) options.get("query")).replaceAll(HAND_PREFIX + "$1.")
              .replace(":batch", "'" + batch + "'"));
          if ("overwrite".equals(options.get("mode"))) {
            result.writeTo(table).using("iceberg").createOrReplace();
          } else if (spark.catalog().tableExists(table)) {
            result.writeTo(table).overwritePartitions();
          } else {
            result.writeTo(table).partitionedBy(functions.col("batch_id")).using("iceberg").create();
          }
        }
        case "quality" -> {
          if (!String.valueOf(options.get("rules")).equals(QUALITY_RULES)) {
            throw new IllegalStateException("The hand-written checks are tpch-12's six rules " + QUALITY_RULES
                + "; stage " + stage.name() + " has " + options.get("rules"));
          }
          Row checks = spark.sql("SELECT count(*), count_if(customer_nation IS NULL), count_if(supplier_nation IS NULL),"
              + " count(*) - count(DISTINCT l_orderkey, l_linenumber), count_if(l_discount NOT BETWEEN 0 AND 0.10),"
              + " count_if(l_quantity NOT BETWEEN 1 AND 50) FROM " + HAND_PREFIX + "curated.lineitem_enriched"
              + " WHERE batch_id = '" + batch + "'").first();
          if (checks.getLong(0) < 1 || checks.getLong(1) + checks.getLong(2) + checks.getLong(3) + checks.getLong(4)
              + checks.getLong(5) > 0) {
            throw new IllegalStateException("The hand-written quality checks failed: " + checks);
          }
        }
        case "export" -> spark.table(HAND_PREFIX + options.get("table")).write().mode("overwrite").parquet(exportFolder);
        default -> throw new IllegalStateException("The hand-written application has no step for stage "
            + stage.name() + " of type " + stage.type());
      }
      steps.append(String.format(Locale.ROOT, " %s %.1f", stage.name(), (System.nanoTime() - stepStart) / 1e9));
    }
    out.println(steps);
    return (System.nanoTime() - start) / 1e9;
  }
}
