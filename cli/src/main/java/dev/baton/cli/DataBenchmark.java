package dev.baton.cli;

import dev.baton.cli.config.S3Settings;
import dev.baton.control.pipeline.PipelineDefinition;
import dev.baton.control.pipeline.Pipelines;
import dev.baton.stages.StageTypes;
import dev.baton.stages.ingest.IngestStageFactory;
import dev.baton.stages.spi.StageContext;
import dev.baton.stages.spi.StageResult;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.iceberg.DistributionMode;
import org.apache.iceberg.spark.SparkWriteOptions;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerJobEnd;
import org.apache.spark.scheduler.SparkListenerJobStart;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * {@code baton bench ingest} and {@code baton bench export}: TPC-H {@code lineitem} through the stages, on the local
 * stack (input uploaded to the local S3 endpoint, or for the ingest benchmark read from the local file, tables in
 * its warehouse), in the benchmark's own namespace {@code
 * bench_<id>} and folders {@code s3://warehouse/bench-<id>/landing/} (the input: not the {@code landing} bucket,
 * whose objects the local stack's connector announces on the user's objects topic) and {@code
 * s3://export/bench-<id>/}. Runs alternate with their baseline in one session, so both see the same machine state;
 * figures are medians.
 */
final class DataBenchmark {

  /** The exports' target file size: 8 MiB, so that SF 1 gives some 20 files to copy, kill and resume. */
  static final long FILE_SIZE_BYTES = 8L * 1024 * 1024;

  /** How long a killed copy may take to reach half its objects, and then to stop, ms. */
  static final long KILL_TIMEOUT_MS = 600_000;

  /**
   * How big a data benchmark is.
   *
   * @param scaleFactor TPC-H scale factor, positive and finite
   * @param runs measured runs of each side, at least 1
   * @param extra Baton configuration added to the local stack's
   */
  record Size(double scaleFactor, int runs, Map<String, String> extra) {
    Size {
      if (!isScaleFactor(scaleFactor) || runs < 1) {
        throw new IllegalArgumentException("Cannot benchmark: scale factor " + scaleFactor + " and runs " + runs
            + " must be positive");
      }
      extra = Map.copyOf(extra);
    }

    /** Whether {@code value} can be a TPC-H scale factor here: positive and finite (NaN and ∞ are not). */
    static boolean isScaleFactor(double value) {
      return value > 0 && Double.isFinite(value);
    }
  }

  private final double scaleFactor;
  private final int runs;
  private final Map<String, String> extra;

  DataBenchmark(Size size) {
    this.scaleFactor = size.scaleFactor();
    this.runs = size.runs();
    this.extra = size.extra();
  }

  /**
   * Counts summed over every task and job that ended, read before and after a measured run: tasks, bytes spilled,
   * the tasks' run and GC time (ms), and the jobs' wall time (ms; the time the driver spent in Spark jobs).
   */
  private static final class TaskTotals extends SparkListener {
    private final Map<Integer, Long> jobStarts = new HashMap<>();
    private long tasks;
    private long memorySpilled;
    private long diskSpilled;
    private long runTimeMs;
    private long gcTimeMs;
    private long jobTimeMs;

    @Override
    public synchronized void onTaskEnd(SparkListenerTaskEnd end) {
      tasks++;
      if (end.taskMetrics() != null) {
        memorySpilled += end.taskMetrics().memoryBytesSpilled();
        diskSpilled += end.taskMetrics().diskBytesSpilled();
        runTimeMs += end.taskMetrics().executorRunTime();
        gcTimeMs += end.taskMetrics().jvmGCTime();
      }
    }

    @Override
    public synchronized void onJobStart(SparkListenerJobStart start) {
      jobStarts.put(start.jobId(), start.time());
    }

    @Override
    public synchronized void onJobEnd(SparkListenerJobEnd end) {
      Long started = jobStarts.remove(end.jobId());
      if (started != null) {
        jobTimeMs += end.time() - started;
      }
    }

    synchronized long[] snapshot() {
      return new long[] {tasks, memorySpilled, diskSpilled, runTimeMs, gcTimeMs, jobTimeMs};
    }
  }

  /**
   * One measured run: wall seconds, tasks, bytes spilled to disk, the tasks' run and GC seconds and the seconds the
   * driver spent in Spark jobs (the rest of the wall time is the driver's own: planning, commits, metadata).
   */
  private record Measure(double seconds, long tasks, long diskSpilled, double taskSeconds, double gcSeconds,
      double jobSeconds) {
    String times() {
      return String.format(Locale.ROOT, "in Spark jobs %.1f s, outside them %.1f s; tasks ran %.1f s, GC %.1f s",
          jobSeconds, seconds - jobSeconds, taskSeconds, gcSeconds);
    }
  }

  private interface Body {
    void run() throws Exception;
  }

  private interface Session {
    int run(SparkSession spark, Map<String, String> config, String id, PrintStream out) throws Exception;
  }

  private int withStack(String name, PrintStream out, Session session) throws Exception {
    Workspace workspace = Workspace.fromEnvironment();
    LocalServices local = new LocalServices(workspace);
    LocalServices.Started stack = local.ensureRunning(System.err);
    String id = Demo.newBatchId().toLowerCase(Locale.ROOT).replace('-', '_');
    Map<String, String> config = new LinkedHashMap<>(local.config(stack.endpoints()));
    config.putAll(extra);
    SparkSession spark = SparkSessions.create("baton-bench-" + name, config);
    try {
      return session.run(spark, config, id, out);
    } finally {
      spark.stop();
      if (stack.startedNow()) {
        System.err.println("Stopping the local stack: " + local.stack().down());
      }
    }
  }

  private static Measure measure(SparkSession spark, TaskTotals totals, Body body) throws Exception {
    long[] before = totals.snapshot();
    long start = System.nanoTime();
    body.run();
    double seconds = (System.nanoTime() - start) / 1e9;
    waitForListener(spark);
    long[] after = totals.snapshot();
    return new Measure(seconds, after[0] - before[0], after[2] - before[2], (after[3] - before[3]) / 1e3,
        (after[4] - before[4]) / 1e3, (after[5] - before[5]) / 1e3);
  }

  /** Lets the listener bus deliver the run's last task-end events (it is asynchronous). */
  private static void waitForListener(SparkSession spark) throws java.util.concurrent.TimeoutException {
    spark.sparkContext().listenerBus().waitUntilEmpty();
  }

  static double median(List<Double> values) {
    List<Double> sorted = new ArrayList<>(values);
    sorted.sort(null);
    int n = sorted.size();
    return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
  }

  /** Peak resident set of this JVM so far, bytes ({@code VmHWM} of {@code /proc/self/status}), or -1 off Linux. */
  static long peakRssBytes() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("VmHWM:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
        }
      }
    } catch (IOException | NumberFormatException e) {
      return -1;
    }
    return -1;
  }

  /**
   * Copies {@code file} to {@code s3://bucket/key} through the session's Hadoop S3A file system, which uploads
   * large files in parts (a single S3 PUT stops at 5 GB; lineitem at SF 10 is 7.6 GB).
   */
  static void upload(SparkSession spark, Path file, String bucket, String key, PrintStream out) throws IOException {
    long start = System.nanoTime();
    org.apache.hadoop.fs.Path target = new org.apache.hadoop.fs.Path("s3://" + bucket + "/" + key);
    target.getFileSystem(spark.sparkContext().hadoopConfiguration())
        .copyFromLocalFile(false, true, new org.apache.hadoop.fs.Path(file.toUri()), target);
    out.printf("Uploaded %s (%,d bytes) to %s in %.1f s%n", file.getFileName(), Files.size(file), target,
        (System.nanoTime() - start) / 1e9);
  }

  /**
   * Returns what {@code body} returns, then runs every clean-up step, even after one failed. A step's failure is
   * added as suppressed to the body's failure when there is one, else thrown once all steps have run (later ones
   * suppressed in it).
   */
  private static int cleaningUp(List<Body> cleanUp, Callable<Integer> body) throws Exception {
    Exception failure = null;
    try {
      return body.call();
    } catch (Exception e) {
      failure = e;
      throw e;
    } finally {
      Exception first = null;
      for (Body step : cleanUp) {
        try {
          step.run();
        } catch (Exception e) {
          if (failure != null) {
            failure.addSuppressed(e);
          } else if (first == null) {
            first = e;
          } else {
            first.addSuppressed(e);
          }
        }
      }
      if (first != null) {
        throw first;
      }
    }
  }

  /** Deletes {@code uri} (a Hadoop file system path: {@code s3://…}) through the session's Hadoop configuration. */
  private static void delete(SparkSession spark, String uri, boolean recursive) throws IOException {
    org.apache.hadoop.fs.Path path = new org.apache.hadoop.fs.Path(uri);
    path.getFileSystem(spark.sparkContext().hadoopConfiguration()).delete(path, recursive);
  }

  /** TPC-H {@code lineitem} alone at the benchmark's scale, generated unless already there. */
  private Path lineitem(PrintStream out) {
    return Demo.generate(Workspace.fromEnvironment().home(), scaleFactor, List.of("lineitem"), out)
        .resolve("lineitem.tbl");
  }

  /** Counts {@code table}'s rows, then drops it and deletes its files ({@code PURGE}). */
  private static long countAndPurge(SparkSession spark, String table) {
    long rows = spark.table(table).count();
    spark.sql("DROP TABLE " + table + " PURGE");
    return rows;
  }

  /** The {@code ingest_lineitem} stage of {@code tpch-12}, reading {@code path} into {@code table}. */
  private static Map<String, Object> lineitemIngest(String path, String table) {
    PipelineDefinition pipeline = Pipelines.load(Workspace.fromEnvironment().pipelines()).get(Demo.PIPELINE)
        .orElseThrow(() -> new IllegalStateException("No pipeline " + Demo.PIPELINE + " in "
            + Workspace.fromEnvironment().pipelines()));
    Map<String, Object> options = new LinkedHashMap<>(pipeline.stage("ingest_lineitem").orElseThrow().options());
    options.put("path", path);
    options.put("table", table);
    return options;
  }

  /**
   * Baton's ingest stage against a hand-written Spark job doing the same read and Iceberg write (Spark's CSV reader
   * with the declared schema, the batch column added, {@code overwritePartitions} without a shuffle, as Baton's ingest
   * writes a batch, into an identical table it creates), one after the other in each run, Baton first in odd runs and
   * the hand-written job first in even ones. Each side writes into a new table, whose rows are counted before it is
   * dropped with its files, so that only one output is on disk at a time; the two counts must be equal. The uploaded
   * input, the tables and the namespace are removed at the end, even after a failure; the generated local file is
   * kept for the next run at this scale. Last line: {@code baton_mb_s=… handwritten_mb_s=… ratio=…}.
   *
   * @param localInput read {@code lineitem} from the local file instead of uploading it to the local S3 endpoint
   */
  int ingest(PrintStream out, boolean localInput) throws Exception {
    return withStack("ingest", out, (spark, config, id, log) -> {
      Path lineitem = lineitem(log);
      long bytes = Files.size(lineitem);
      // not in the landing bucket: the local stack's connector would announce it on the user's objects topic
      String key = "bench-" + id + "/landing/lineitem.tbl";
      String path = localInput ? lineitem.toUri().toString() : "s3://warehouse/" + key;
      if (!localInput) {
        upload(spark, lineitem, "warehouse", key, log);
      }
      String namespace = "bench_" + id;
      String batonTable = namespace + ".lineitem_baton";
      String handTable = namespace + ".lineitem_handwritten";
      List<Body> cleanUp = List.of(
          () -> spark.sql("DROP TABLE IF EXISTS " + batonTable + " PURGE"),
          () -> spark.sql("DROP TABLE IF EXISTS " + handTable + " PURGE"),
          () -> spark.sql("DROP NAMESPACE IF EXISTS " + namespace),
          () -> {
            if (!localInput) {
              delete(spark, path, false);
            }
          });
      return cleaningUp(cleanUp, () -> {
        Map<String, Object> options = lineitemIngest(path, batonTable);
        StructType declared = IngestStageFactory.declaredSchema(options);
        StructType readSchema = declared.add("_trailing", DataTypes.StringType, true);
        spark.sql("CREATE NAMESPACE IF NOT EXISTS " + namespace);
        TaskTotals totals = new TaskTotals();
        spark.sparkContext().addSparkListener(totals);
        int cores = spark.sparkContext().defaultParallelism();
        int inputTasks = spark.read().schema(readSchema).option("sep", "|").csv(path).rdd().getNumPartitions();
        log.printf("Input %s: %,d bytes, %d read tasks (spark.sql.files.maxPartitionBytes %s), %d cores%n", path,
            bytes, inputTasks, spark.conf().get("spark.sql.files.maxPartitionBytes"), cores);
        List<Double> baton = new ArrayList<>();
        List<Double> hand = new ArrayList<>();
        long rows = -1;
        for (int run = 1; run <= runs; run++) {
          String batch = "run" + run;
          Body batonIngest = () -> {
            StageResult result = StageTypes.create("ingest", options)
                .run(new StageContext("bench-" + id + "-" + batch, "bench", "ingest_lineitem", 1,
                    Map.of("batch", batch)), spark);
            if (result.metrics().getOrDefault("badRows", 0.0) > 0) {
              throw new IllegalStateException("Bad rows in the benchmark's input: " + result.metrics());
            }
          };
          Body handWritten = () -> {
            spark.sql("CREATE TABLE " + handTable + " (" + declared.add("batch_id", DataTypes.StringType, false)
                .toDDL() + ") USING iceberg PARTITIONED BY (batch_id) TBLPROPERTIES ("
                + dev.baton.catalog.TableProperties.tblPropertiesSql() + ")");
            spark.read().schema(readSchema).option("sep", "|").option("dateFormat", "yyyy-MM-dd").csv(path)
                .drop("_trailing").withColumn("batch_id", functions.lit(batch))
                .writeTo(handTable).option(SparkWriteOptions.DISTRIBUTION_MODE, DistributionMode.NONE.modeName())
                .overwritePartitions();
          };
          // alternating which goes first, so neither always pays the JVM's warm-up or follows the other's garbage
          Measure stage;
          Measure job;
          long batonRows;
          long handRows;
          if (run % 2 == 1) {
            stage = measure(spark, totals, batonIngest);
            batonRows = countAndPurge(spark, batonTable);
            job = measure(spark, totals, handWritten);
            handRows = countAndPurge(spark, handTable);
          } else {
            job = measure(spark, totals, handWritten);
            handRows = countAndPurge(spark, handTable);
            stage = measure(spark, totals, batonIngest);
            batonRows = countAndPurge(spark, batonTable);
          }
          if (batonRows != handRows || batonRows <= 0) {
            throw new IllegalStateException("The two tables differ in run " + run + ": " + batonRows + " rows in "
                + batonTable + ", " + handRows + " in " + handTable);
          }
          rows = batonRows;
          baton.add(bytes / 1e6 / stage.seconds());
          hand.add(bytes / 1e6 / job.seconds());
          log.printf("run %d: Baton ingest %.1f s (%.1f MB/s, %d tasks, %,d bytes spilled to disk);"
              + " hand-written %.1f s (%.1f MB/s, %d tasks, %,d bytes spilled to disk); %,d rows each%s%n", run,
              stage.seconds(), baton.get(baton.size() - 1), stage.tasks(), stage.diskSpilled(), job.seconds(),
              hand.get(hand.size() - 1), job.tasks(), job.diskSpilled(), rows,
              run % 2 == 1 ? "" : " (hand-written first)");
          log.printf("  Baton: %s; hand-written: %s%n", stage.times(), job.times());
        }
        double batonMbs = median(baton);
        double handMbs = median(hand);
        log.printf("%nMedians of %d runs: Baton %.1f MB/s (%.1f MB/s per core), hand-written %.1f MB/s (%.1f MB/s per"
            + " core); both tables %,d rows per run; peak RSS of this JVM %,d MB%n", runs, batonMbs, batonMbs / cores,
            handMbs, handMbs / cores, rows, peakRssBytes() / (1024 * 1024));
        log.printf("Input kept for the next run at this scale: %s (%,d bytes)%n", lineitem, bytes);
        log.printf("baton_mb_s=%.1f handwritten_mb_s=%.1f ratio=%.2f%n", batonMbs, handMbs, batonMbs / handMbs);
        return 0;
      });
    });
  }

  /**
   * Baton's export stage: {@code lineitem} (ingested once into the benchmark's namespace) as Parquet and as CSV to the
   * local S3 endpoint's export bucket, against a plain Spark write of the same table to the same store (what the
   * manifest protocol costs: the renames and the second read for checksums); then a files export copying the
   * Parquet folder, and a second copy killed once half its objects are there (its Spark job cancelled, its tasks
   * interrupted) and resumed. The table, its namespace and the exported folders are removed at the end, even after a
   * failure. Last line:
   * {@code export_mb_s=… plain_write_mb_s=… ratio=… copy_mb_s=… resume_s=…}.
   */
  int export(PrintStream out) throws Exception {
    return withStack("export", out, (spark, config, id, log) -> {
      Path lineitem = lineitem(log);
      String namespace = "bench_" + id;
      String table = namespace + ".lineitem";
      String root = "s3://export/bench-" + id + "/";
      List<Body> cleanUp = List.of(
          () -> spark.sql("DROP TABLE IF EXISTS " + table + " PURGE"),
          () -> spark.sql("DROP NAMESPACE IF EXISTS " + namespace),
          () -> delete(spark, root, true));
      return cleaningUp(cleanUp, () -> {
        spark.sql("CREATE NAMESPACE IF NOT EXISTS " + namespace);
        StageTypes.create("ingest", lineitemIngest(lineitem.toUri().toString(), table))
            .run(new StageContext("bench-" + id, "bench", "ingest_lineitem", 1, Map.of("batch", "b1")), spark);
        long rows = spark.table(table).count();
        log.printf("Table %s: %,d rows; exports under %s%n", table, rows, root);
        TaskTotals totals = new TaskTotals();
        spark.sparkContext().addSparkListener(totals);
        List<Double> parquet = new ArrayList<>();
        List<Double> plain = new ArrayList<>();
        List<Double> csv = new ArrayList<>();
        List<Double> copy = new ArrayList<>();
        List<Double> resume = new ArrayList<>();
        for (int run = 1; run <= runs; run++) {
          String folder = root + "run" + run + "/";
          Map<String, Double> exported = new LinkedHashMap<>();
          Map<String, Object> parquetOptions =
              Map.of("table", table, "target", folder + "parquet/", "targetFileSizeBytes", FILE_SIZE_BYTES);
          Measure stage = measure(spark, totals, () -> exported.putAll(runExport(spark, id, 1, parquetOptions)));
          Measure write = measure(spark, totals, () -> spark.table(table).write().parquet(folder + "plain/"));
          Map<String, Double> csvExported = new LinkedHashMap<>();
          Map<String, Object> csvOptions = Map.of("table", table, "target", folder + "csv/", "format", "csv",
              "targetFileSizeBytes", FILE_SIZE_BYTES);
          Measure csvStage = measure(spark, totals, () -> csvExported.putAll(runExport(spark, id, 1, csvOptions)));
          Map<String, Object> files =
              Map.of("mode", "files", "source", folder + "parquet/", "target", folder + "copy/");
          Measure copied = measure(spark, totals, () -> runExport(spark, id, 1, files));
          Map<String, Object> killedFiles =
              Map.of("mode", "files", "source", folder + "parquet/", "target", folder + "killed/");
          int total;
          try (S3Client s3 = S3Settings.client(config)) {
            total = objects(s3, folder + "parquet/");
          }
          int left = killMidCopy(spark, config, killedFiles, total, id);
          Map<String, Double> resumed = new LinkedHashMap<>();
          Measure again = measure(spark, totals, () -> resumed.putAll(runExport(spark, id, 2, killedFiles)));
          // the resume skips the objects the killed copy completed (also those that landed after the count) and
          // copies the rest
          if (resumed.get("filesSkipped") + resumed.get("filesCopied") != total || resumed.get("filesCopied") < 1) {
            throw new IllegalStateException("The resume of a copy killed with " + left + " of " + total
                + " objects there did not copy exactly the missing ones: " + resumed);
          }
          double bytes = exported.get("bytesExported");
          double csvBytes = csvExported.get("bytesExported");
          parquet.add(bytes / 1e6 / stage.seconds());
          plain.add(bytes / 1e6 / write.seconds());
          csv.add(csvBytes / 1e6 / csvStage.seconds());
          copy.add(bytes / 1e6 / copied.seconds());
          resume.add(again.seconds());
          log.printf("run %d: Parquet export %.1f s (%,.0f bytes, %.1f MB/s); plain Spark write %.1f s; CSV export"
              + " %.1f s (%,.0f bytes, %.1f MB/s); files copy %.1f s (%.1f MB/s); a copy killed with %d of its %d"
              + " objects there resumed in %.1f s, %.0f copied, %.0f skipped%n", run, stage.seconds(), bytes,
              parquet.get(run - 1), write.seconds(), csvStage.seconds(), csvBytes, csv.get(run - 1),
              copied.seconds(), copy.get(run - 1), left, total, again.seconds(), resumed.get("filesCopied"),
              resumed.get("filesSkipped"));
        }
        log.printf("%nMedians of %d runs: Parquet export %.1f MB/s, plain Spark Parquet write %.1f MB/s (of the same"
            + " bytes), CSV export %.1f MB/s, files copy %.1f MB/s, resume %.1f s; peak RSS of this JVM %,d MB%n", runs,
            median(parquet), median(plain), median(csv), median(copy), median(resume), peakRssBytes() / (1024 * 1024));
        log.printf("export_mb_s=%.1f plain_write_mb_s=%.1f ratio=%.2f csv_mb_s=%.1f copy_mb_s=%.1f resume_s=%.1f%n",
            median(parquet), median(plain), median(parquet) / median(plain), median(csv), median(copy), median(resume));
        return 0;
      });
    });
  }

  /** Runs the export stage with {@code options} as attempt {@code attempt} of the benchmark's run; its metrics. */
  private static Map<String, Double> runExport(SparkSession spark, String id, int attempt,
      Map<String, Object> options) throws Exception {
    return StageTypes.create("export", options)
        .run(new StageContext("bench-" + id, "bench", "export", attempt, Map.of()), spark).metrics();
  }

  /**
   * Starts a files export and, once at least half of the {@code total} objects are at its target, cancels its Spark
   * job (tasks interrupted), which fails the attempt as a kill does. Copies under way may still land after that (S3A
   * finishes an upload it had begun to complete), so the caller checks the resume against the total, not against a
   * count taken here; none may land cut short (an interrupted copy aborts its upload), which is checked here.
   *
   * @return the objects at the target once the killed job's tasks have ended
   * @throws IllegalStateException if the copy completed before it could be killed, or took more than {@link
   *     #KILL_TIMEOUT_MS} to reach half or to end, or left an object whose size differs from its source's
   */
  private static int killMidCopy(SparkSession spark, Map<String, String> config, Map<String, Object> files, int total,
      String id) throws Exception {
    String target = (String) files.get("target");
    String group = "bench-killed-copy-" + UUID.randomUUID();
    ExecutorService thread = Executors.newSingleThreadExecutor();
    try (S3Client s3 = S3Settings.client(config)) {
      Future<Map<String, Double>> copy = thread.submit(() -> {
        spark.sparkContext().setJobGroup(group, "a files export killed mid-copy", true);
        try {
          return runExport(spark, id, 1, files);
        } finally {
          spark.sparkContext().clearJobGroup();
        }
      });
      long deadline = System.currentTimeMillis() + KILL_TIMEOUT_MS;
      while (!copy.isDone() && objects(s3, target) < (total + 1) / 2) {
        checkBefore(deadline, "half the objects copied to " + target);
        Thread.sleep(10);
      }
      spark.sparkContext().cancelJobGroup(group);
      try {
        copy.get(KILL_TIMEOUT_MS, TimeUnit.MILLISECONDS);
        throw new IllegalStateException("The copy to " + target + " completed before it was killed: benchmark a larger"
            + " --scale");
      } catch (ExecutionException e) {
        // the cancelled job fails the attempt; any other failure is the benchmark's
        boolean cancelled = false;
        for (Throwable cause = e.getCause(); cause != null && !cancelled; cause = cause.getCause()) {
          cancelled = String.valueOf(cause.getMessage()).contains("part of cancelled job group " + group);
        }
        if (!cancelled) {
          throw e;
        }
      }
      // the job fails at once; its interrupted tasks end after it
      while (Arrays.stream(spark.sparkContext().statusTracker().getExecutorInfos())
          .anyMatch(executor -> executor.numRunningTasks() > 0)) {
        checkBefore(deadline, "the killed copy's tasks to end");
        Thread.sleep(10);
      }
      // an interrupted copy aborts its upload: whatever is there must be whole
      Map<String, Long> there = objectSizes(s3, target);
      Map<String, Long> source = objectSizes(s3, (String) files.get("source"));
      List<String> cutShort = there.entrySet().stream()
          .filter(object -> !object.getValue().equals(source.get(object.getKey())))
          .map(object -> object.getKey() + " (" + object.getValue() + " of " + source.get(object.getKey()) + " bytes)")
          .toList();
      if (!cutShort.isEmpty()) {
        throw new IllegalStateException("The killed copy left objects cut short at " + target + ": " + cutShort);
      }
      return there.size();
    } finally {
      spark.sparkContext().cancelJobGroup(group);
      thread.shutdownNow();
    }
  }

  private static void checkBefore(long deadlineMs, String what) {
    if (System.currentTimeMillis() > deadlineMs) {
      throw new IllegalStateException("Waited " + KILL_TIMEOUT_MS + " ms for " + what);
    }
  }

  /**
   * Objects under {@code folder} ({@code s3://bucket/prefix/}) a files export copies: not its completion markers,
   * not directory markers.
   */
  private static int objects(S3Client s3, String folder) {
    return objectSizes(s3, folder).size();
  }

  /** {@link #objects}' objects by key relative to {@code folder}: their sizes in bytes. */
  private static Map<String, Long> objectSizes(S3Client s3, String folder) {
    URI uri = URI.create(folder.endsWith("/") ? folder : folder + "/");
    String prefix = uri.getPath().substring(1);
    Map<String, Long> sizes = new TreeMap<>();
    s3.listObjectsV2Paginator(r -> r.bucket(uri.getHost()).prefix(prefix)).contents().stream()
        .filter(object -> !object.key().endsWith("/") && !object.key().endsWith("/_SUCCESS")
            && !object.key().endsWith("/_manifest.json"))
        .forEach(object -> sizes.put(object.key().substring(prefix.length()), object.size()));
    return sizes;
  }
}
