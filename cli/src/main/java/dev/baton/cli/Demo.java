package dev.baton.cli;

import dev.baton.schemas.RunIds;
import dev.baton.examples.tpch.PricingSummaryRow;
import dev.baton.examples.tpch.TpchFiles;
import dev.baton.schemas.event.StageCompleted;
import dev.baton.schemas.event.StageLaunched;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;
import dev.baton.control.pipeline.PipelineDefinition;
import dev.baton.control.pipeline.RunParameters;
import dev.baton.schemas.ControlEvents;
import dev.baton.schemas.event.RunRequested;
import dev.baton.stages.runner.ControlEventPublisher;
import org.apache.spark.sql.Row;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The demo path: generate TPC-H, upload the eight files of a new batch to {@code
 * s3://landing/tpch/<batch>/} through the S3 API, and follow the {@code tpch-12} run the
 * controller starts until it completes.
 */
public final class Demo {
  /** The reference pipeline. */
  public static final String PIPELINE = "tpch-12";

  private Demo() {}

  /** A new batch id: UTC time plus 4 random hex digits, e.g. {@code 20261123T190555Z-1a2b}. */
  public static String newBatchId() {
    return DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'", Locale.ROOT).format(ZonedDateTime.now(ZoneOffset.UTC))
        + "-" + HexFormat.of().toHexDigits((short) ThreadLocalRandom.current().nextInt(1 << 16));
  }

  /**
   * Generates TPC-H at {@code scaleFactor} under {@code <home>/data/tpch/sf-<sf>/} unless already
   * there, and returns the folder.
   */
  public static Path generate(Path home, double scaleFactor, PrintStream out) {
    return generate(home, scaleFactor, TpchFiles.TABLES, out);
  }

  /**
   * Generates some TPC-H tables at {@code scaleFactor} under {@code <home>/data/tpch/sf-<sf>/} unless already there
   * (all eight, or these ones, generated before), and returns the folder.
   *
   * @param tables names among {@link TpchFiles#TABLES}
   */
  public static Path generate(Path home, double scaleFactor, List<String> tables, PrintStream out) {
    Path dir = home.resolve("data/tpch/sf-" + scaleFactor);
    Path all = dir.resolve("_GENERATED");
    Path done = tables.equals(TpchFiles.TABLES) ? all : dir.resolve("_GENERATED-" + String.join("-", tables));
    if (Files.exists(all) || Files.exists(done)) {
      out.printf("TPC-H SF %s already generated in %s%n", scaleFactor, dir);
      return dir;
    }
    long start = System.nanoTime();
    Map<String, Long> rows = TpchFiles.write(scaleFactor, dir, tables);
    try {
      Files.writeString(done, rows.toString());
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot write " + done, e);
    }
    out.printf("Generated TPC-H SF %s (%s rows) in %s in %.1f s%n", scaleFactor, rows, dir,
        (System.nanoTime() - start) / 1e9);
    return dir;
  }

  /**
   * Uploads a batch and follows the run it triggers.
   *
   * @param config Baton configuration ({@code kafka.*}, {@code s3.*})
   * @param dataDir folder of the eight {@code .tbl} files
   * @param stillRunning false when the controller has died
   * @throws TimeoutException if the run does not complete within {@code timeout}
   */
  public static RunWatcher.RunReport run(Map<String, String> config, PipelineDefinition pipeline, Path dataDir,
      String batch, PrintStream out, Duration timeout, BooleanSupplier stillRunning) throws TimeoutException {
    String triggerKey = pipeline.trigger().triggerKey(batch);
    String runId = RunIds.of(pipeline.name(), triggerKey);
    try (RunWatcher watcher = RunWatcher.forConfig(config); S3Client s3 = dev.baton.cli.config.S3Settings.client(config)) {
      out.printf("Uploading batch %s to s3://%s/%s%s/ (run %s)%n", batch, pipeline.trigger().bucket(),
          pipeline.trigger().prefix(), batch, runId);
      for (String table : TpchFiles.TABLES) {
        Path file = dataDir.resolve(table + ".tbl");
        s3.putObject(request -> request.bucket(pipeline.trigger().bucket())
            .key(pipeline.trigger().prefix() + batch + "/" + table + ".tbl"), RequestBody.fromFile(file));
      }
      return watcher.follow(runId, out, timeout, stillRunning);
    }
  }

  /**
   * Requests a run of {@code pipeline} (a RunRequested with the built-in parameter {@code batch} set
   * to {@code batch}) and follows it: the demo of a pipeline without an object trigger.
   *
   * @param publisher where the request goes (the control topic)
   * @throws TimeoutException if the run does not complete within {@code timeout}
   */
  public static RunWatcher.RunReport request(Map<String, String> config, ControlEventPublisher publisher,
      PipelineDefinition pipeline, String batch, PrintStream out, Duration timeout, BooleanSupplier stillRunning)
      throws TimeoutException {
    String triggerKey = "demo/" + batch;
    String runId = RunIds.of(pipeline.name(), triggerKey);
    try (RunWatcher watcher = RunWatcher.forConfig(config)) {
      out.printf("Requesting a run of %s (batch %s, run %s)%n", pipeline.name(), batch, runId);
      publisher.publish(ControlEvents.requested(runId, pipeline.name(),
          new RunRequested(triggerKey, Map.of(RunParameters.BATCH, batch), System.getProperty("user.name"), null),
          java.time.Instant.now()));
      return watcher.follow(runId, out, timeout, stillRunning);
    }
  }

  /**
   * The StageCompleted → StageLaunched latency of each launched stage with upstream stages: its
   * launch time minus the latest finish time of its upstream stages, ms.
   */
  public static List<Long> hopLatenciesMs(PipelineDefinition pipeline, RunWatcher.RunReport report) {
    Map<String, StageCompleted> succeeded = new HashMap<>();
    for (StageCompleted completed : report.completions()) {
      succeeded.put(completed.getStage(), completed);
    }
    List<Long> latencies = new ArrayList<>();
    for (StageLaunched launched : report.launches()) {
      List<String> upstream = pipeline.stage(launched.getStage()).orElseThrow().dependsOn();
      if (upstream.isEmpty() || !upstream.stream().allMatch(succeeded::containsKey)) {
        continue;
      }
      long lastFinish = upstream.stream().mapToLong(s -> succeeded.get(s).getFinishedAt().toEpochMilli()).max().orElseThrow();
      latencies.add(launched.getLaunchedAt().toEpochMilli() - lastFinish);
    }
    return latencies;
  }

  private static final BigDecimal HALF_CENT = new BigDecimal("0.005");

  /** The columns of {@code curated.pricing_summary}, in Q1's order (TPC-H specification 2.4.1.2). */
  public static final List<String> PRICING_SUMMARY_COLUMNS = List.of("l_returnflag", "l_linestatus", "sum_qty",
      "sum_base_price", "sum_disc_price", "sum_charge", "avg_qty", "avg_price", "avg_disc", "count_order");

  /**
   * How {@code rows} of {@code curated.pricing_summary} (columns {@link #PRICING_SUMMARY_COLUMNS}, in
   * Q1's order) differ from {@code expected}, the independent Q1: one line per difference, empty if
   * they are equal. Decimals are equal to the cent when they differ by at most half a cent (Spark's
   * averages carry other digits than the reference's 6); the count must be exact.
   */
  public static List<String> q1Differences(List<Row> rows, List<PricingSummaryRow> expected) {
    List<String> differences = new ArrayList<>();
    if (rows.size() != expected.size()) {
      differences.add(rows.size() + " rows, the reference has " + expected.size());
    }
    for (int i = 0; i < Math.min(rows.size(), expected.size()); i++) {
      Row actual = rows.get(i);
      PricingSummaryRow want = expected.get(i);
      List<Object> wanted = List.of(want.returnFlag(), want.lineStatus(), want.sumQty(), want.sumBasePrice(),
          want.sumDiscPrice(), want.sumCharge(), want.avgQty(), want.avgPrice(), want.avgDisc(), want.countOrder());
      for (int column = 0; column < wanted.size(); column++) {
        Object got = actual.get(column);
        Object reference = wanted.get(column);
        boolean equal = reference instanceof BigDecimal decimal && got instanceof BigDecimal value
            ? value.subtract(decimal).abs().compareTo(HALF_CENT) <= 0
            : reference.equals(got);
        if (!equal) {
          differences.add("row " + (i + 1) + " " + PRICING_SUMMARY_COLUMNS.get(column) + ": " + got
              + ", the reference " + reference);
        }
      }
    }
    return differences;
  }

  /** Where the demo pipeline's last stage exports {@code curated.pricing_summary} of a batch: bucket and prefix. */
  public static final String EXPORT_BUCKET = "export";

  /** The prefix of a batch's Q1 export in {@link #EXPORT_BUCKET}, as {@code examples/pipelines/tpch-12.yaml} sets it. */
  public static String exportPrefix(String batch) {
    return "tpch/pricing_summary/" + batch + "/";
  }

  /**
   * What the receiving side of the demo's export checks, through the S3 API: {@code _SUCCESS} and {@code
   * _manifest.json} present, the manifest's files exactly the data objects under the prefix, each of the size and
   * SHA-256 the manifest gives.
   *
   * @return the manifest and one line per problem (none when the folder is complete)
   * @throws IOException if the manifest is not JSON of the manifest's shape
   */
  public static ExportCheck checkExport(S3Client s3, String batch) throws IOException {
    String prefix = exportPrefix(batch);
    List<String> problems = new ArrayList<>();
    java.util.Set<String> dataKeys = new java.util.TreeSet<>();
    boolean success = false;
    boolean manifestFound = false;
    for (var object : s3.listObjectsV2Paginator(r -> r.bucket(EXPORT_BUCKET).prefix(prefix)).contents()) {
      String key = object.key().substring(prefix.length());
      if (key.equals("_SUCCESS")) {
        success = true;
      } else if (key.equals("_manifest.json")) {
        manifestFound = true;
      } else if (!java.util.Arrays.stream(key.split("/")).anyMatch(s -> s.startsWith("_") || s.startsWith("."))) {
        dataKeys.add(key);
      }
    }
    if (!success || !manifestFound) {
      problems.add("s3://" + EXPORT_BUCKET + "/" + prefix + " has " + (success ? "" : "no _SUCCESS ")
          + (manifestFound ? "" : "no _manifest.json"));
      return new ExportCheck(null, problems);
    }
    dev.baton.stages.export.ExportManifest manifest = new com.fasterxml.jackson.databind.ObjectMapper().readValue(
        s3.getObjectAsBytes(r -> r.bucket(EXPORT_BUCKET).key(prefix + "_manifest.json")).asByteArray(),
        dev.baton.stages.export.ExportManifest.class);
    java.util.Set<String> listed = new java.util.TreeSet<>();
    for (var file : manifest.files()) {
      listed.add(file.key());
      byte[] bytes = s3.getObjectAsBytes(r -> r.bucket(EXPORT_BUCKET).key(prefix + file.key())).asByteArray();
      String sha256;
      try {
        sha256 = HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(bytes));
      } catch (java.security.NoSuchAlgorithmException e) {
        throw new IllegalStateException("This JVM has no SHA-256", e);
      }
      if (bytes.length != file.bytes() || !sha256.equals(file.sha256())) {
        problems.add(file.key() + ": " + bytes.length + " bytes, SHA-256 " + sha256 + "; the manifest says "
            + file.bytes() + " bytes, " + file.sha256());
      }
    }
    if (!listed.equals(dataKeys)) {
      problems.add("the manifest lists " + listed + ", the folder holds " + dataKeys);
    }
    return new ExportCheck(manifest, problems);
  }

  /**
   * The outcome of {@link #checkExport}.
   *
   * @param manifest the folder's manifest, null when it has none
   * @param problems one line per problem, empty when the folder is complete and matches its manifest
   */
  public record ExportCheck(dev.baton.stages.export.ExportManifest manifest, List<String> problems) {}
}
