package dev.baton.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.control.pipeline.PipelineDefinition;
import dev.baton.control.pipeline.Pipelines;
import dev.baton.examples.tpch.PricingSummaryReference;
import dev.baton.examples.tpch.PricingSummaryRow;
import dev.baton.schemas.event.RunStatus;
import dev.baton.schemas.event.StageCompleted;
import dev.baton.schemas.event.StageLaunched;
import dev.baton.schemas.event.StageStatus;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The demo path end to end on a real local stack (Kafka KRaft, S3Proxy, Kafka Connect), a real
 * Structured Streaming controller and real Iceberg tables, checked against answers computed
 * without Spark.
 */
class TpchPipelineIT {
  private static final double SCALE_FACTOR = 0.01;
  private static final Duration RUN_TIMEOUT = Duration.ofMinutes(10);

  private static LocalServices local;
  private static Map<String, String> config;
  private static SparkSession spark;
  private static ControllerRuntime controller;
  private static Pipelines pipelines;
  private static Workspace workspace;
  private static com.sun.net.httpserver.HttpServer webhook;
  private static final List<String> webhookBodies = new java.util.concurrent.CopyOnWriteArrayList<>();

  @BeforeAll
  static void startEverything() throws Exception {
    Path repository = Path.of(System.getProperty("baton.repo.dir")).toAbsolutePath();
    Path home = Files.createTempDirectory(repository.resolve("cli/target"), "it-home");
    Path pipelineDir = Files.createDirectories(home.resolve("pipelines"));
    Files.copy(repository.resolve("examples/pipelines/tpch-12.yaml"), pipelineDir.resolve("tpch-12.yaml"));
    Files.copy(repository.resolve("examples/pipelines/sales-csv.yaml"), pipelineDir.resolve("sales-csv.yaml"));
    Files.writeString(pipelineDir.resolve("failing-gate.yaml"), """
        name: failing-gate
        trigger: {type: objects, bucket: landing, prefix: gate/, requiredFiles: [nation.tbl]}
        stages:
          - name: ingest_nation
            type: ingest
            options:
              path: s3://${bucket}/${batchPrefix}nation.tbl
              table: raw.gate_nation
              delimiter: "|"
              trailingDelimiter: true
              schema:
                - {name: n_nationkey, type: bigint}
                - {name: n_name, type: string}
                - {name: n_regionkey, type: bigint}
                - {name: n_comment, type: string}
          - name: gate
            type: quality
            dependsOn: [ingest_nation]
            options:
              table: raw.gate_nation
              filter: batch_id = :batch
              rules:
                - {type: not-null, column: n_name}
                - {type: row-count, min: 1000000}
          - name: after_gate
            type: sql
            dependsOn: [gate]
            options: {query: "SELECT * FROM raw.gate_nation", table: curated.after_gate}
        """);
    Files.writeString(pipelineDir.resolve("flaky.yaml"), """
        name: flaky
        stages:
          - name: reads_missing_table
            type: sql
            retry: {maxAttempts: 2, initialBackoffMs: 300, maxBackoffMs: 300}
            options: {query: "SELECT * FROM raw.does_not_exist", table: curated.never_written}
          - name: downstream
            type: sql
            dependsOn: [reads_missing_table]
            options: {query: "SELECT 1 AS one", table: curated.never_written_either}
        """);
    // a stage that records the session settings it runs with
    Files.writeString(pipelineDir.resolve("settings.yaml"), """
        name: settings
        stages:
          - {name: record, type: sql, options: {query: "SET spark.sql.shuffle.partitions", table: curated.stage_settings}}
        """);
    Files.writeString(pipelineDir.resolve("chain.yaml"), """
        name: chain
        stages:
          - {name: first, type: sql, options: {query: "SELECT 1 AS one", table: curated.chain_first}}
          - {name: second, type: sql, dependsOn: [first], options: {query: "SELECT * FROM curated.chain_first", table: curated.chain_second}}
          - {name: third, type: sql, dependsOn: [second], options: {query: "SELECT * FROM curated.chain_second", table: curated.chain_third}}
        """);
    // a legacy job chain moving onto Baton: its first job still runs elsewhere and reports with a flag file
    Files.writeString(pipelineDir.resolve("legacy-2.yaml"), """
        name: legacy-2
        trigger: {type: objects, bucket: landing, prefix: legacy/, requiredFiles: [data.csv]}
        stages:
          - {name: extract, type: external, options: {description: "legacy job 1, writes _job_status1"}}
          - {name: load, type: sql, dependsOn: [extract], options: {query: "SELECT 1 AS one", table: curated.legacy_load}}
        """);
    // reached only through SQS (the export bucket is neither listed nor notified locally)
    Files.writeString(pipelineDir.resolve("sqs-dedup.yaml"), """
        name: sqs-dedup
        trigger: {type: objects, bucket: export, prefix: dedup/, requiredFiles: [data.csv]}
        stages:
          - {name: only, type: sql, options: {query: "SELECT 1 AS one", table: curated.sqs_dedup}}
        """);
    // resume: a 12-stage chain whose stage 7 reads a table that does not exist until the test creates it;
    // its alerts also go to a webhook served by the test
    webhook = com.sun.net.httpserver.HttpServer.create(new java.net.InetSocketAddress("127.0.0.1", 0), 0);
    webhook.createContext("/alerts", exchange -> {
      webhookBodies.add(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
      exchange.sendResponseHeaders(204, -1);
      exchange.close();
    });
    webhook.start();
    StringBuilder resume = new StringBuilder("name: resume-12\nalerts: {webhook: {url: \"http://127.0.0.1:"
        + webhook.getAddress().getPort() + "/alerts\"}}\nstages:\n");
    for (int i = 1; i <= 12; i++) {
      String query = i == 1 ? "SELECT 1 AS v"
          : i == 7 ? "SELECT r.v + f.v AS v FROM curated.resume_s6 r CROSS JOIN curated.resume_fix f"
          : "SELECT v + 1 AS v FROM curated.resume_s" + (i - 1);
      resume.append("  - {name: s").append(i).append(", type: sql").append(i == 1 ? "" : ", dependsOn: [s" + (i - 1) + "]")
          .append(", options: {query: \"").append(query).append("\", table: curated.resume_s").append(i).append("}}\n");
    }
    Files.writeString(pipelineDir.resolve("resume-12.yaml"), resume.toString());
    workspace = new Workspace(home, repository, pipelineDir);
    local = new LocalServices(workspace);
    config = new HashMap<>(local.config(local.ensureRunning(System.err).endpoints()));
    config.put("spark.master", "local[2]");
    config.put("spark.sql.shuffle.partitions", "3"); // the stages' session: the control query keeps its own 2
    // small enough that the 1,000-payload storm below is read in several bounded micro-batches (asserted)
    config.put("controller.max-offsets-per-trigger", "200");
    pipelines = Pipelines.load(pipelineDir);
    spark = SparkSessions.create("baton-it", config);
    controller = ControllerRuntime.start(spark, config, pipelines);
  }

  @AfterAll
  static void stopEverything() {
    if (controller != null) {
      controller.close();
    }
    if (spark != null) {
      spark.stop();
    }
    if (local != null) {
      local.stack().down();
    }
    if (webhook != null) {
      webhook.stop(0);
    }
  }

  /**
   * A 12-stage run fails at stage 7 (its input table is missing); the table is created and the run
   * resumed: stages 1–6 are not launched again and keep their snapshots, 7 runs as attempt 2, 8–12
   * run once, and the result is computed from the fixed input. The RUN_FAILED alert also reached the
   * pipeline's webhook.
   */
  @Test
  void aRunFailedAtStage7ResumesFromStage7Only() throws Exception {
    String triggerKey = "it/" + Demo.newBatchId();
    String runId = dev.baton.schemas.RunIds.of("resume-12", triggerKey);
    spark.sql("DROP TABLE IF EXISTS curated.resume_fix");
    RunWatcher.RunReport failed;
    try (RunWatcher watcher = new RunWatcher(kafkaConfig())) {
      controller.publisher().publish(dev.baton.schemas.ControlEvents.requested(runId, "resume-12",
          new dev.baton.schemas.event.RunRequested(triggerKey, Map.of(), "it", null), java.time.Instant.now()));
      failed = watcher.follow(runId, quiet(), RUN_TIMEOUT, () -> controller.controller().query().isActive());
    }
    assertThat(failed.completed().getStatus()).isEqualTo(RunStatus.FAILED);
    assertThat(failed.completed().getFailedStages()).containsExactly("s7");
    Map<String, Long> snapshotsBefore = new HashMap<>();
    for (int i = 1; i <= 6; i++) {
      snapshotsBefore.put("s" + i, currentSnapshot("curated.resume_s" + i));
    }
    // each StageCompleted names the snapshot its stage committed
    for (var completed : failed.completions()) {
      if (!completed.getStage().equals("s7")) {
        assertThat(completed.getOutputs()).singleElement().satisfies(output ->
            assertThat(output.getSnapshotId()).isEqualTo(snapshotsBefore.get(completed.getStage())));
      }
    }
    awaitLedgerRunStatus(runId, "FAILED");

    spark.sql("CREATE TABLE curated.resume_fix USING iceberg AS SELECT 10 AS v"); // the fix
    RunWatcher.RunReport resumed;
    try (RunWatcher watcher = new RunWatcher(kafkaConfig())) {
      controller.publisher().publish(dev.baton.schemas.ControlEvents.operatorRequest(runId, "resume-12",
          new dev.baton.schemas.event.RunResumeRequested("it", "created curated.resume_fix"), java.time.Instant.now()));
      resumed = watcher.follow(runId, quiet(), RUN_TIMEOUT, () -> controller.controller().query().isActive());
    }

    assertThat(resumed.completed().getStatus()).isEqualTo(RunStatus.SUCCEEDED);
    assertThat(resumed.launches()).extracting(l -> l.getStage() + "#" + l.getAttempt())
        .containsExactly("s7#2", "s8#1", "s9#1", "s10#1", "s11#1", "s12#1");
    for (int i = 1; i <= 6; i++) {
      assertThat(currentSnapshot("curated.resume_s" + i)).as("s%d kept its output", i).isEqualTo(snapshotsBefore.get("s" + i));
    }
    // s1 = 1, s2..s6 add 1 -> 6, s7 adds the fix (10) -> 16, s8..s12 add 1 -> 21
    assertThat(spark.sql("SELECT v FROM curated.resume_s12").collectAsList()).extracting(r -> r.getInt(0)).containsExactly(21);
    // over the whole run, every stage launched once except s7 (twice)
    List<String> launches = readTopicControl(runId).stream().filter(e -> e.getPayload() instanceof StageLaunched)
        .map(e -> ((StageLaunched) e.getPayload()).getStage() + "#" + ((StageLaunched) e.getPayload()).getAttempt()).toList();
    assertThat(launches).containsExactly("s1#1", "s2#1", "s3#1", "s4#1", "s5#1", "s6#1", "s7#1", "s7#2", "s8#1", "s9#1",
        "s10#1", "s11#1", "s12#1");
    awaitLedgerRunStatus(runId, "SUCCEEDED");
    assertThat(spark.sql("SELECT resumes FROM baton_system.runs WHERE run_id = '" + runId + "'").first().getInt(0)).isEqualTo(1);
    assertThat(spark.sql("SELECT stage, attempt, status FROM baton_system.stage_attempts WHERE run_id = '" + runId
        + "' AND stage = 's7' ORDER BY attempt").collectAsList()).extracting(r -> r.getString(0) + "#" + r.getInt(1) + "=" + r.getString(2))
        .containsExactly("s7#1=FAILED", "s7#2=SUCCEEDED");
    // resuming it again is an invalid transition: dead-lettered with the reason, which the watcher reports
    try (RunWatcher watcher = new RunWatcher(kafkaConfig())) {
      controller.publisher().publish(dev.baton.schemas.ControlEvents.operatorRequest(runId, "resume-12",
          new dev.baton.schemas.event.RunResumeRequested("it", null), java.time.Instant.now()));
      org.assertj.core.api.Assertions.assertThatThrownBy(
              () -> watcher.follow(runId, quiet(), RUN_TIMEOUT, () -> controller.controller().query().isActive()))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("The controller rejected the RunResumeRequested for run " + runId)
          .hasMessageContaining("cannot resume run " + runId + ": it is SUCCEEDED (only FAILED or CANCELLED runs resume)");
    }
    // the alert webhook got the RUN_FAILED alert as JSON
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (webhookBodies.stream().noneMatch(b -> b.contains(runId)) && System.nanoTime() < deadline) {
      Thread.sleep(100); // polling what the test's HTTP server received
    }
    var json = new com.fasterxml.jackson.databind.ObjectMapper().readTree(
        webhookBodies.stream().filter(b -> b.contains(runId)).findFirst().orElseThrow());
    assertThat(json.get("kind").asText()).isEqualTo("RUN_FAILED");
    assertThat(json.get("runId").asText()).isEqualTo(runId);
    assertThat(json.get("stage").asText()).isEqualTo("s7");
  }

  private static long currentSnapshot(String table) {
    return spark.sql("SELECT snapshot_id FROM " + table + ".snapshots ORDER BY committed_at DESC LIMIT 1").first().getLong(0);
  }

  @Test
  void tpch12RunMatchesAnIndependentQ1AndLaunchesEachStageAfterItsUpstream() throws Exception {
    PipelineDefinition pipeline = pipelines.get("tpch-12").orElseThrow();
    Path data = Demo.generate(workspace.home(), SCALE_FACTOR, quiet());
    double launchesBefore = metric("baton_controller_launches_total");
    double hopsBefore = metric("baton_controller_hop_latency_seconds_count");

    RunWatcher.RunReport report = Demo.run(config, pipeline, data, Demo.newBatchId(), quiet(), RUN_TIMEOUT,
        () -> controller.controller().query().isActive());

    assertThat(report.completed().getStatus()).isEqualTo(RunStatus.SUCCEEDED);
    assertThat(report.launches()).extracting(StageLaunched::getStage)
        .containsExactlyInAnyOrderElementsOf(pipeline.stagesByName().keySet());
    assertThat(report.completions()).extracting(StageCompleted::getStatus).containsOnly(StageStatus.SUCCEEDED);

    // curated.pricing_summary equals Q1 computed in plain Java from the generator, to the cent
    List<Row> rows = spark.sql("SELECT * FROM curated.pricing_summary ORDER BY l_returnflag, l_linestatus").collectAsList();
    List<PricingSummaryRow> expected = PricingSummaryReference.compute(SCALE_FACTOR);
    assertThat(spark.table("curated.pricing_summary").columns()).containsExactly("l_returnflag", "l_linestatus",
        "sum_qty", "sum_base_price", "sum_disc_price", "sum_charge", "avg_qty", "avg_price", "avg_disc", "count_order");
    assertThat(rows).hasSize(expected.size()).hasSize(4);
    for (int i = 0; i < rows.size(); i++) {
      Row actual = rows.get(i);
      PricingSummaryRow want = expected.get(i);
      assertThat(actual.getString(0)).isEqualTo(want.returnFlag());
      assertThat(actual.getString(1)).isEqualTo(want.lineStatus());
      assertCents(actual.getDecimal(2), want.sumQty());
      assertCents(actual.getDecimal(3), want.sumBasePrice());
      assertCents(actual.getDecimal(4), want.sumDiscPrice());
      assertCents(actual.getDecimal(5), want.sumCharge());
      assertCents(actual.getDecimal(6), want.avgQty());
      assertCents(actual.getDecimal(7), want.avgPrice());
      assertCents(actual.getDecimal(8), want.avgDisc());
      assertThat(actual.getLong(9)).isEqualTo(want.countOrder());
    }

    // the ledger: all 13 SUCCEEDED, each launched after all its upstream stages completed
    String runId = report.runId();
    awaitLedgerRunStatus(runId, "SUCCEEDED");
    Map<String, Row> attempts = new HashMap<>();
    for (Row row : spark.sql("SELECT stage, attempt, status, launched_at, completed_at FROM baton_system.stage_attempts"
        + " WHERE run_id = '" + runId + "'").collectAsList()) {
      attempts.put(row.getString(0), row);
    }
    assertThat(attempts).hasSize(pipeline.stages().size()).hasSize(13);
    for (var stage : pipeline.stages()) {
      Row attempt = attempts.get(stage.name());
      assertThat(attempt.getInt(1)).isEqualTo(1);
      assertThat(attempt.getString(2)).as(stage.name()).isEqualTo("SUCCEEDED");
      Timestamp launched = attempt.getTimestamp(3);
      for (String upstream : stage.dependsOn()) {
        assertThat(launched).as("%s launched after %s completed", stage.name(), upstream)
            .isAfterOrEqualTo(attempts.get(upstream).getTimestamp(4));
      }
    }
    // raw tables hold exactly this batch's rows once (a retry would replace, not add)
    // this run's launches, counted on the shared controller before and after it
    assertThat(metric("baton_controller_launches_total") - launchesBefore).isEqualTo(13);
    assertThat(metric("baton_controller_hop_latency_seconds_count") - hopsBefore).isEqualTo(13);
    String batch = runBatch(runId);
    // the last stage exported Q1 to the export bucket: complete, checked through the S3 API, and equal to the reference
    try (var s3 = dev.baton.cli.config.S3Settings.client(config)) {
      Demo.ExportCheck export = Demo.checkExport(s3, batch);
      assertThat(export.problems()).isEmpty();
      assertThat(export.manifest().table()).isEqualTo("curated.pricing_summary");
      assertThat(export.manifest().snapshotId()).isEqualTo(currentSnapshot("curated.pricing_summary"));
      assertThat(export.manifest().rows()).isEqualTo(expected.size());
    }
    assertThat(Demo.q1Differences(spark.read().parquet("s3://" + Demo.EXPORT_BUCKET + "/" + Demo.exportPrefix(batch))
        .orderBy("l_returnflag", "l_linestatus").collectAsList(), expected)).isEmpty();
    assertThat(spark.sql("SELECT count(*) FROM raw.lineitem WHERE batch_id = '" + batch + "'").first().getLong(0))
        .isEqualTo(60_175L);
  }

  /**
   * The flag-file bridge end to end: S3 (the local notifier) → SQS → the connector with
   * {@code flag.key.pattern} → StageCompleted → the controller. The {@code external} stage is
   * launched but run by nobody; its legacy job's {@code _job_status1} completes it.
   */
  @Test
  void aLegacyJobsFlagFileCompletesItsExternalStage() throws Exception {
    var endpoints = local.stack().status().orElseThrow();
    Map<String, String> flags = new HashMap<>(LocalServices.sqsConfig(endpoints));
    flags.put("s3.prefixes", "legacy/");
    flags.put("sqs.wait.time.seconds", "1");
    flags.put("flag.key.pattern", "legacy/{batch}/_job_status{n}");
    flags.put("flag.pipeline", "legacy-2");
    flags.put("flag.stages", "extract");
    local.stack().putConnector(endpoints, "it-legacy-flags", flags);
    PipelineDefinition pipeline = pipelines.get("legacy-2").orElseThrow();

    RunWatcher.RunReport succeeded;
    RunWatcher.RunReport failed;
    try {
      succeeded = legacyRun(pipeline, "succeeded\n");
      failed = legacyRun(pipeline, "FAILED\nERROR: input file truncated at line 812\n");
    } finally {
      local.stack().deleteConnector(endpoints, "it-legacy-flags");
    }

    assertThat(succeeded.completed().getStatus()).isEqualTo(RunStatus.SUCCEEDED);
    assertThat(succeeded.launches()).extracting(StageLaunched::getStage).containsExactly("extract", "load");
    assertThat(succeeded.completions()).extracting(c -> c.getStage() + "=" + c.getStatus())
        .containsExactly("extract=SUCCEEDED", "load=SUCCEEDED");
    assertThat(failed.completed().getStatus()).isEqualTo(RunStatus.FAILED);
    assertThat(failed.launches()).extracting(StageLaunched::getStage).containsExactly("extract");
    StageCompleted extract = failed.completions().get(0);
    assertThat(extract.getError().getType()).isEqualTo("FLAG_FILE_FAILED");
    assertThat(extract.getError().getMessage()).contains("input file truncated at line 812");
    assertThat(extract.getError().getLogUri()).matches("s3://landing/legacy/[^/]+/_job_status1");
  }

  /**
   * A Connect worker SIGKILLed after Kafka acknowledged a message's ObjectCreated and before the
   * connector deleted the message (deletes held back by a 10-minute {@code sqs.delete.linger.ms}):
   * SQS delivers the message again after its 3 s visibility timeout, the restarted worker writes
   * the same event again, and the controller still makes one run of it.
   */
  @Test
  void aWorkerKilledBetweenKafkaAckAndSqsDeleteRedeliversAndTheControllerKeepsOneRun() throws Exception {
    var endpoints = local.stack().status().orElseThrow();
    double duplicatesBefore = metricOrZero("baton_controller_events_ignored_total{reason=\"duplicate\"}");
    String queueUrl;
    try (var sqs = software.amazon.awssdk.services.sqs.SqsClient.builder()
        .httpClientBuilder(software.amazon.awssdk.http.apache.ApacheHttpClient.builder())
        .region(software.amazon.awssdk.regions.Region.of(endpoints.region())).endpointOverride(endpoints.sqsEndpoint())
        .credentialsProvider(software.amazon.awssdk.auth.credentials.StaticCredentialsProvider.create(
            software.amazon.awssdk.auth.credentials.AwsBasicCredentials.create("local", "local"))).build();
        var s3 = dev.baton.cli.config.S3Settings.client(config)) {
      queueUrl = sqs.createQueue(r -> r.queueName("it-crash")).queueUrl();
      Map<String, String> connector = new HashMap<>(LocalServices.sqsConfig(endpoints));
      connector.put("sqs.queue.url", queueUrl);
      connector.put("s3.bucket", "export");
      connector.put("sqs.wait.time.seconds", "1");
      connector.put("sqs.visibility.timeout.seconds", "3");
      connector.put("sqs.delete.linger.ms", "600000");
      local.stack().putConnector(endpoints, "it-crash", connector);

      PipelineDefinition pipeline = pipelines.get("sqs-dedup").orElseThrow();
      String batch = Demo.newBatchId();
      String key = "dedup/" + batch + "/data.csv";
      String runId = dev.baton.schemas.RunIds.of(pipeline.name(), pipeline.trigger().triggerKey(batch));
      var put = s3.putObject(r -> r.bucket("export").key(key), software.amazon.awssdk.core.sync.RequestBody.fromString("x\n"));
      // what S3 would send for this object (examples/events/s3-notification-put.json)
      String notification = Files.readString(Path.of(System.getProperty("baton.repo.dir"), "examples/events/s3-notification-put.json"))
          .replace("\"name\": \"landing\"", "\"name\": \"export\"")
          .replace("orders/2026-11-24/part-0001.csv", key)
          .replace("\"size\": 1048576", "\"size\": 2")
          .replace("b6d81b360a5672d80c27430f39153e2c", put.eTag().replace("\"", ""));
      try (RunWatcher watcher = new RunWatcher(kafkaConfig())) {
        sqs.sendMessage(r -> r.queueUrl(queueUrl).messageBody(notification));
        var first = readTopic("baton.objects", record -> ("export/" + key).equals(record.key()), 1);
        killConnectWorker();
        local.ensureRunning(System.err); // starts the worker again; its connectors come back from the config topic
        var both = readTopic("baton.objects", record -> ("export/" + key).equals(record.key()), 2);
        RunWatcher.RunReport report = watcher.follow(runId, quiet(), RUN_TIMEOUT, () -> controller.controller().query().isActive());

        dev.baton.schemas.EventSerde serde = dev.baton.schemas.EventSerde.builtIn();
        assertThat(first).hasSize(1);
        assertThat(both).extracting(r -> serde.deserialize(r.value(), dev.baton.schemas.event.ObjectCreated.class))
            .hasSize(2).allMatch(event -> event.getSource() == dev.baton.schemas.event.ObjectSource.S3_NOTIFICATION)
            .extracting(dev.baton.schemas.event.ObjectCreated::getEventId).containsOnly("s3:export/" + key + "@0062E99A88DC407460");
        assertThat(report.completed().getStatus()).isEqualTo(RunStatus.SUCCEEDED);
        awaitControllerConsumedEverything();
        List<dev.baton.schemas.event.ControlEvent> events = readTopicControl(runId);
        assertThat(events).filteredOn(e -> e.getPayload() instanceof StageLaunched).hasSize(1);
        assertThat(events).filteredOn(e -> e.getPayload() instanceof dev.baton.schemas.event.RunCompleted).hasSize(1);
        assertThat(metric("baton_controller_events_ignored_total{reason=\"duplicate\"}") - duplicatesBefore)
            .isGreaterThanOrEqualTo(1.0);
      }
    } finally {
      local.stack().deleteConnector(endpoints, "it-crash");
    }
  }

  /** SIGKILLs this stack's Kafka Connect worker. */
  private static void killConnectWorker() throws Exception {
    ProcessHandle worker = local.stack().serviceProcess("connect").orElseThrow();
    worker.destroyForcibly();
    worker.onExit().get(30, java.util.concurrent.TimeUnit.SECONDS);
  }

  /** Starts a legacy-2 run, waits until its external stage is launched, then writes the job's flag file. */
  private static RunWatcher.RunReport legacyRun(PipelineDefinition pipeline, String flagContent) throws Exception {
    String batch = Demo.newBatchId();
    String runId = dev.baton.schemas.RunIds.of(pipeline.name(), pipeline.trigger().triggerKey(batch));
    try (RunWatcher watcher = new RunWatcher(kafkaConfig()); var s3 = dev.baton.cli.config.S3Settings.client(config)) {
      s3.putObject(r -> r.bucket("landing").key("legacy/" + batch + "/data.csv"),
          software.amazon.awssdk.core.sync.RequestBody.fromString("id\n1\n"));
      dev.baton.schemas.EventSerde serde = dev.baton.schemas.EventSerde.builtIn();
      readTopic("baton.control", record -> runId.equals(record.key())
          && serde.deserialize(record.value(), dev.baton.schemas.event.ControlEvent.class).getPayload() instanceof StageLaunched, 1);
      s3.putObject(r -> r.bucket("landing").key("legacy/" + batch + "/_job_status1"),
          software.amazon.awssdk.core.sync.RequestBody.fromString(flagContent));
      return watcher.follow(runId, quiet(), RUN_TIMEOUT, () -> controller.controller().query().isActive());
    }
  }

  @Test
  void aUsersOwnCsvUploadedWithTheSdkDefaultsStartsARunSummedPerRegion() throws Exception {
    PipelineDefinition pipeline = pipelines.get("sales-csv").orElseThrow();
    String batch = Demo.newBatchId();
    String runId = dev.baton.schemas.RunIds.of(pipeline.name(), pipeline.trigger().triggerKey(batch));
    String[] regions = {"EMEA", "AMER", "APAC, Japan", "Zürich"};
    StringBuilder csv = new StringBuilder("order_id,region,amount\n");
    Map<String, BigDecimal> expectedTotals = new java.util.TreeMap<>();
    Map<String, Long> expectedOrders = new java.util.TreeMap<>();
    java.util.Random random = new java.util.Random(42);
    for (int order = 1; order <= 500; order++) {
      String region = regions[random.nextInt(regions.length)];
      BigDecimal amount = BigDecimal.valueOf(random.nextInt(10_000_000), 2);
      csv.append(order).append(',').append(region.contains(",") ? "\"" + region + "\"" : region).append(',')
          .append(amount.toPlainString()).append('\n');
      expectedTotals.merge(region, amount, BigDecimal::add);
      expectedOrders.merge(region, 1L, Long::sum);
    }
    List<String> checksumHeaders = new java.util.concurrent.CopyOnWriteArrayList<>();
    software.amazon.awssdk.core.interceptor.ExecutionInterceptor recordChecksums =
        new software.amazon.awssdk.core.interceptor.ExecutionInterceptor() {
          @Override
          public void beforeTransmission(software.amazon.awssdk.core.interceptor.Context.BeforeTransmission context,
              software.amazon.awssdk.core.interceptor.ExecutionAttributes attributes) {
            context.httpRequest().headers().keySet().stream()
                .filter(name -> name.startsWith("x-amz-checksum-") || name.equals("x-amz-trailer"))
                .forEach(checksumHeaders::add);
          }
        };

    RunWatcher.RunReport report;
    try (RunWatcher watcher = new RunWatcher(kafkaConfig());
        var s3 = dev.baton.cli.config.S3Settings.builder(config)
            .overrideConfiguration(c -> c.addExecutionInterceptor(recordChecksums)).build()) {
      s3.putObject(r -> r.bucket("landing").key("sales/" + batch + "/sales.csv"),
          software.amazon.awssdk.core.sync.RequestBody.fromString(csv.toString()));
      report = watcher.follow(runId, quiet(), RUN_TIMEOUT, () -> controller.controller().query().isActive());
    }

    assertThat(checksumHeaders).as("the SDK's default upload carries a flexible checksum").isNotEmpty();
    assertThat(report.completed().getStatus()).isEqualTo(RunStatus.SUCCEEDED);
    List<Row> rows = spark.sql("SELECT region, orders, total_amount FROM curated.sales_by_region WHERE batch_id = '"
        + batch + "' ORDER BY region").collectAsList();
    assertThat(rows).extracting(row -> row.getString(0)).containsExactlyElementsOf(expectedTotals.keySet());
    for (Row row : rows) {
      assertThat(row.getLong(1)).as(row.getString(0)).isEqualTo(expectedOrders.get(row.getString(0)));
      assertThat(row.getDecimal(2)).as(row.getString(0)).isEqualByComparingTo(expectedTotals.get(row.getString(0)));
    }
  }

  @Test
  void stagesDoNotInheritTheControlQuerysTuning() throws Exception {
    RunWatcher.RunReport report = requestAndFollow("settings", "it/" + Demo.newBatchId());

    assertThat(report.completed().getStatus()).isEqualTo(RunStatus.SUCCEEDED);
    String controlQuery = controller.controller().query().sparkSession().conf().get("spark.sql.shuffle.partitions");
    List<Row> stage = spark.sql("SELECT value FROM curated.stage_settings").collectAsList();
    assertThat(controlQuery).isEqualTo("2");
    assertThat(stage).singleElement().extracting(row -> row.getString(0))
        .isEqualTo(spark.conf().get("spark.sql.shuffle.partitions")).isEqualTo("3");
  }

  /**
   * With nothing to do, the control query runs about one micro-batch a second (the wake-up source, the timers'
   * clock: at least 3 in 10 s), not one per 100 ms trigger: a no-data batch on every trigger kept an idle controller busy on a whole
   * core. Counted from the query's batch ids over 10 s in which this test sends nothing.
   */
  @Test
  void anIdleControllerRunsAboutOneMicroBatchASecond() throws Exception {
    var query = controller.controller().query();
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (query.lastProgress() == null && System.nanoTime() < deadline) {
      Thread.sleep(100); // polling for the first progress report
    }
    assertThat(query.lastProgress()).as("a progress report within 60 s").isNotNull();
    long first = query.lastProgress().batchId();
    long start = System.nanoTime();
    Thread.sleep(10_000); // the measured interval, not synchronisation
    long batches = query.lastProgress().batchId() - first;
    double seconds = (System.nanoTime() - start) / 1e9;
    // one a second from the wake-up source (plus any leftover input of earlier tests); 21 here with one per trigger
    assertThat(batches).as("micro-batches in %.1f s", seconds).isBetween(3L, 15L);
  }

  @Test
  void failingQualityGateStopsDownstreamAndFailsTheRun() throws Exception {
    PipelineDefinition pipeline = pipelines.get("failing-gate").orElseThrow();
    Path data = Demo.generate(workspace.home(), SCALE_FACTOR, quiet());
    Path gateData = Files.createDirectories(workspace.home().resolve("gate-data"));
    Files.copy(data.resolve("nation.tbl"), gateData.resolve("nation.tbl"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);

    RunWatcher.RunReport report = uploadAndFollow(pipeline, gateData, "nation.tbl");

    assertThat(report.completed().getStatus()).isEqualTo(RunStatus.FAILED);
    assertThat(report.completed().getFailedStages()).containsExactly("gate");
    assertThat(report.launches()).extracting(StageLaunched::getStage).containsExactly("ingest_nation", "gate");
    StageCompleted gate = report.completions().stream().filter(c -> c.getStage().equals("gate")).findFirst().orElseThrow();
    assertThat(gate.getStatus()).isEqualTo(StageStatus.FAILED);
    assertThat(gate.getError().getType()).isEqualTo("QUALITY_FAILED");
    assertThat(gate.getError().getMessage())
        .isEqualTo("1 of 2 rules failed on raw.gate_nation: row-count(in [1000000, -]): observed 25, expected rows in [1000000, -]");

    awaitLedgerRunStatus(report.runId(), "FAILED");
    assertThat(spark.sql("SELECT stage, status FROM baton_system.stage_attempts WHERE run_id = '" + report.runId() + "'")
        .collectAsList()).extracting(r -> r.getString(0) + "=" + r.getString(1))
        .containsExactlyInAnyOrder("ingest_nation=SUCCEEDED", "gate=FAILED");
    assertThat(spark.catalog().tableExists("curated.after_gate")).isFalse();
    assertThat(spark.sql("SELECT rule, passed, observed FROM baton_system.quality_results WHERE run_id = '"
        + report.runId() + "' ORDER BY rule").collectAsList())
        .extracting(r -> r.getString(0) + "|" + r.getBoolean(1) + "|" + r.getLong(2))
        .containsExactly("not-null(n_name)|true|0", "row-count(in [1000000, -])|false|25");
  }

  @Test
  void retryableFailureIsRetriedOnTheRunTimerThenFailsTheRun() throws Exception {
    RunWatcher.RunReport report = requestAndFollow("flaky", "it/" + Demo.newBatchId());
    String runId = report.runId();

    assertThat(report.completed().getStatus()).isEqualTo(RunStatus.FAILED);
    assertThat(report.launches()).extracting(l -> l.getStage() + "#" + l.getAttempt())
        .containsExactly("reads_missing_table#1", "reads_missing_table#2");
    assertThat(report.completions()).extracting(c -> c.getError().getType())
        .containsOnly("org.apache.spark.sql.catalyst.ExtendedAnalysisException");
    // the second launch waited for the back-off after the first failure (0..300 ms drawn), on the run's timer
    long firstFinished = report.completions().get(0).getFinishedAt().toEpochMilli();
    assertThat(report.launches().get(1).getLaunchedAt().toEpochMilli()).isGreaterThanOrEqualTo(firstFinished);
    awaitLedgerRunStatus(runId, "FAILED");
    assertThat(spark.sql("SELECT attempt, status FROM baton_system.stage_attempts WHERE run_id = '" + runId
        + "' ORDER BY attempt").collectAsList()).extracting(r -> r.getInt(0) + "=" + r.getString(1))
        .containsExactly("1=FAILED", "2=FAILED");
    assertThat(alerts(runId, 2)).extracting(a -> a.getKind() + ":" + a.getStage() + "#" + a.getAttempt())
        .containsExactly("STAGE_RETRIED:reads_missing_table#1", "RUN_FAILED:reads_missing_table#2");
  }

  /** The run's alerts on baton.alerts, once {@code count} have arrived. */
  private static List<dev.baton.schemas.event.Alert> alerts(String runId, int count) {
    dev.baton.schemas.EventSerde serde = dev.baton.schemas.EventSerde.builtIn();
    return readTopic("baton.alerts", record -> runId.equals(record.key()), count).stream()
        .map(record -> serde.deserialize(record.value(), dev.baton.schemas.event.Alert.class)).toList();
  }

  @Test
  void malformedEventsGoToTheDeadLetterTopicWithTheirReasonAndTheQueryKeepsRunning() throws Exception {
    double deadLettersBefore = metricOrZero("baton_controller_dead_letters_total");
    var last = controller.controller().query().lastProgress();
    long batchBefore = last == null ? -1 : last.batchId();
    java.util.Random random = new java.util.Random(42);
    dev.baton.schemas.EventSerde serde = dev.baton.schemas.EventSerde.builtIn();
    byte[] validControl = serde.serialize("baton.control", dev.baton.schemas.ControlEvents.completed("run-x", "flaky",
        dev.baton.schemas.event.StageCompleted.newBuilder().setStage("s").setAttempt(1)
            .setStatus(StageStatus.SUCCEEDED).setStartedAt(java.time.Instant.EPOCH).setFinishedAt(java.time.Instant.EPOCH)
            .build()));
    Map<String, byte[]> sent = new java.util.LinkedHashMap<>();
    for (int i = 0; i < 1_000; i++) {
      byte[] payload = switch (i % 6) {
        case 0 -> new byte[random.nextInt(5)];                                   // shorter than the header
        case 1 -> withFirstByte(randomBytes(random, 5 + random.nextInt(60)), (byte) (1 + random.nextInt(100))); // wrong magic
        case 2 -> java.nio.ByteBuffer.allocate(9).put((byte) 0).putInt(1_000 + i).putInt(random.nextInt()).array(); // unknown id
        case 3 -> java.util.Arrays.copyOf(validControl, 6 + random.nextInt(validControl.length - 12));       // truncated Avro
        case 4 -> validControl;                                                   // a ControlEvent on baton.objects
        default -> serde.serialize("baton.control", dev.baton.schemas.ControlEvents.completed("run-" + i, "no-such-pipeline",
            dev.baton.schemas.event.StageCompleted.newBuilder().setStage("s").setAttempt(1)
                .setStatus(StageStatus.SUCCEEDED).setStartedAt(java.time.Instant.EPOCH)
                .setFinishedAt(java.time.Instant.EPOCH).build()));                 // unknown pipeline
      };
      sent.put("fuzz-" + i, payload);
    }
    try (var producer = new org.apache.kafka.clients.producer.KafkaProducer<String, byte[]>(Map.of(
        "bootstrap.servers", config.get("kafka.bootstrap.servers"),
        "key.serializer", org.apache.kafka.common.serialization.StringSerializer.class,
        "value.serializer", org.apache.kafka.common.serialization.ByteArraySerializer.class))) {
      int i = 0;
      for (Map.Entry<String, byte[]> entry : sent.entrySet()) {
        String topic = i++ % 6 == 4 ? "baton.objects" : "baton.control";
        producer.send(new org.apache.kafka.clients.producer.ProducerRecord<>(topic, entry.getKey(), entry.getValue()));
      }
    }

    // a valid run after the storm still completes
    assertThat(requestAndFollow("flaky", "it-after-fuzz/" + Demo.newBatchId()).completed().getStatus())
        .isEqualTo(RunStatus.FAILED); // flaky's terminal state: the query kept deciding

    Map<String, org.apache.kafka.clients.consumer.ConsumerRecord<String, byte[]>> dead = new HashMap<>();
    for (var record : readTopic("baton.dlq", r -> r.key() != null && r.key().startsWith("fuzz-"), sent.size())) {
      dead.put(record.key(), record);
    }
    assertThat(dead).hasSameSizeAs(sent);
    for (Map.Entry<String, byte[]> entry : sent.entrySet()) {
      var record = dead.get(entry.getKey());
      assertThat(record.value()).as(entry.getKey()).isEqualTo(entry.getValue());
      assertThat(header(record, "baton.dlq.reason")).as(entry.getKey()).isNotBlank();
      assertThat(header(record, "baton.dlq.topic")).isIn("baton.control", "baton.objects");
      assertThat(Long.parseLong(header(record, "baton.dlq.offset"))).isNotNegative();
    }
    assertThat(header(dead.get("fuzz-3"), "baton.dlq.reason")).startsWith("Cannot decode ControlEvent (schema id " + dev.baton.schemas.BuiltInSchemaRegistry.CONTROL_EVENT_V4 + "): ");
    assertThat(header(dead.get("fuzz-2"), "baton.dlq.reason")).isEqualTo("Unknown schema id: 1002");
    assertThat(header(dead.get("fuzz-4"), "baton.dlq.reason"))
        .isEqualTo("Cannot decode event: schema id " + dev.baton.schemas.BuiltInSchemaRegistry.CONTROL_EVENT_V4 + " is dev.baton.schemas.event.ControlEvent, expected dev.baton.schemas.event.ObjectCreated");
    assertThat(header(dead.get("fuzz-5"), "baton.dlq.reason")).isEqualTo("unknown pipeline 'no-such-pipeline'");
    assertThat(metric("baton_controller_dead_letters_total") - deadLettersBefore).isGreaterThanOrEqualTo(1_000);
    // the storm was read in micro-batches of at most controller.max-offsets-per-trigger Kafka records
    List<Long> kafkaRowsPerBatch = java.util.Arrays.stream(controller.controller().query().recentProgress())
        .filter(progress -> progress.batchId() > batchBefore)
        .flatMap(progress -> java.util.Arrays.stream(progress.sources()))
        .filter(source -> source.description().startsWith("KafkaV2"))
        .map(source -> source.numInputRows()).filter(rows -> rows > 0).toList();
    assertThat(kafkaRowsPerBatch).allSatisfy(rows -> assertThat(rows).isLessThanOrEqualTo(200L));
    assertThat(kafkaRowsPerBatch.stream().mapToLong(Long::longValue).sum()).isGreaterThanOrEqualTo(1_000L);
    assertThat(kafkaRowsPerBatch).hasSizeGreaterThanOrEqualTo(5);
  }

  private static byte[] randomBytes(java.util.Random random, int length) {
    byte[] bytes = new byte[length];
    random.nextBytes(bytes);
    return bytes;
  }

  private static byte[] withFirstByte(byte[] bytes, byte first) {
    bytes[0] = first;
    return bytes;
  }

  private static String header(org.apache.kafka.clients.consumer.ConsumerRecord<String, byte[]> record, String name) {
    var header = record.headers().lastHeader(name);
    return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
  }

  @Test
  void duplicatedAndReorderedDeliveryGivesTheSameLedgerAsACleanOne() throws Exception {
    String triggerKey = "storm/" + Demo.newBatchId();
    String runId = dev.baton.schemas.RunIds.of("chain", triggerKey);
    java.util.concurrent.atomic.AtomicInteger duplicated = new java.util.concurrent.atomic.AtomicInteger();
    java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
    // every input of the run (RunRequested, StageCompleted) is delivered twice more, each copy after
    // a random delay, so copies also arrive out of order with the run's later events
    Thread duplicator = new Thread(() -> {
      java.util.Random random = new java.util.Random(7);
      try (var consumer = new org.apache.kafka.clients.consumer.KafkaConsumer<String, byte[]>(Map.of(
          "bootstrap.servers", config.get("kafka.bootstrap.servers"),
          "key.deserializer", org.apache.kafka.common.serialization.StringDeserializer.class,
          "value.deserializer", org.apache.kafka.common.serialization.ByteArrayDeserializer.class));
          var producer = new org.apache.kafka.clients.producer.KafkaProducer<String, byte[]>(Map.of(
              "bootstrap.servers", config.get("kafka.bootstrap.servers"),
              "key.serializer", org.apache.kafka.common.serialization.StringSerializer.class,
              "value.serializer", org.apache.kafka.common.serialization.ByteArraySerializer.class))) {
        List<org.apache.kafka.common.TopicPartition> partitions = consumer.partitionsFor("baton.control").stream()
            .map(info -> new org.apache.kafka.common.TopicPartition(info.topic(), info.partition())).toList();
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        java.util.concurrent.ScheduledExecutorService later = java.util.concurrent.Executors.newSingleThreadScheduledExecutor();
        java.util.Set<String> copied = new java.util.HashSet<>();
        while (!stop.get()) {
          for (var record : consumer.poll(Duration.ofMillis(100))) {
            // copy each original once: copies carry the original's eventId
            if (!runId.equals(record.key())) {
              continue;
            }
            var event = dev.baton.schemas.EventSerde.builtIn().deserialize(record.value(),
                dev.baton.schemas.event.ControlEvent.class);
            if (isInput(event) && copied.add(event.getEventId())) {
              for (int copy = 0; copy < 2; copy++) {
                later.schedule(() -> producer.send(new org.apache.kafka.clients.producer.ProducerRecord<>(
                    "baton.control", record.key(), record.value())), random.nextInt(1_500),
                    java.util.concurrent.TimeUnit.MILLISECONDS);
                duplicated.incrementAndGet();
              }
            }
          }
        }
        later.shutdown();
        later.awaitTermination(5, java.util.concurrent.TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, "duplicator");
    duplicator.start();
    RunWatcher.RunReport report;
    try (RunWatcher watcher = new RunWatcher(kafkaConfig())) {
      controller.publisher().publish(dev.baton.schemas.ControlEvents.requested(runId, "chain",
          new dev.baton.schemas.event.RunRequested(triggerKey, Map.of(), "it", null), java.time.Instant.now()));
      report = watcher.follow(runId, quiet(), RUN_TIMEOUT, () -> controller.controller().query().isActive());
    } finally {
      stop.set(true);
      duplicator.join(); // sends every scheduled copy before it returns
    }
    assertThat(duplicated.get()).isEqualTo(2 * 4); // 1 request + 3 completions, twice each
    awaitControllerConsumedEverything();
    assertThat(report.completed().getStatus()).isEqualTo(RunStatus.SUCCEEDED);
    // after the storm has been consumed, the run's launches are still one per stage and attempt
    List<String> launches = readTopicControl(runId).stream()
        .filter(e -> e.getPayload() instanceof StageLaunched)
        .map(e -> ((StageLaunched) e.getPayload()).getStage() + "#" + ((StageLaunched) e.getPayload()).getAttempt())
        .toList();
    assertThat(launches).containsExactly("first#1", "second#1", "third#1");
    awaitLedgerRunStatus(runId, "SUCCEEDED");
    assertThat(spark.sql("SELECT stage, attempt, status FROM baton_system.stage_attempts WHERE run_id = '" + runId
        + "' ORDER BY launched_at").collectAsList()).extracting(r -> r.getString(0) + "#" + r.getInt(1) + "=" + r.getString(2))
        .containsExactly("first#1=SUCCEEDED", "second#1=SUCCEEDED", "third#1=SUCCEEDED");
  }

  private static boolean isInput(dev.baton.schemas.event.ControlEvent event) {
    return event.getPayload() instanceof dev.baton.schemas.event.RunRequested
        || event.getPayload() instanceof StageCompleted;
  }

  /** Waits until the controller query has read baton.control up to its current end. */
  private static void awaitControllerConsumedEverything() throws Exception {
    Map<org.apache.kafka.common.TopicPartition, Long> end;
    try (var consumer = new org.apache.kafka.clients.consumer.KafkaConsumer<String, byte[]>(Map.of(
        "bootstrap.servers", config.get("kafka.bootstrap.servers"),
        "key.deserializer", org.apache.kafka.common.serialization.StringDeserializer.class,
        "value.deserializer", org.apache.kafka.common.serialization.ByteArrayDeserializer.class))) {
      end = consumer.endOffsets(consumer.partitionsFor("baton.control").stream()
          .map(info -> new org.apache.kafka.common.TopicPartition(info.topic(), info.partition())).toList());
    }
    var json = new com.fasterxml.jackson.databind.ObjectMapper();
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (System.nanoTime() < deadline) {
      var progress = controller.controller().query().lastProgress();
      if (progress != null && progress.sources().length > 0 && progress.sources()[0].endOffset() != null) {
        var offsets = json.readTree(progress.sources()[0].endOffset()).path("baton.control");
        if (end.entrySet().stream().allMatch(e ->
            offsets.path(String.valueOf(e.getKey().partition())).asLong(-1) >= e.getValue())) {
          return;
        }
      }
      Thread.sleep(50); // query progress is polled: StreamingQueryListener would need registering before the run
    }
    throw new AssertionError("The controller did not consume baton.control up to " + end);
  }

  /** The run's control events as published by the controller and stages (the duplicator's copies repeat them). */
  private static List<dev.baton.schemas.event.ControlEvent> readTopicControl(String runId) {
    dev.baton.schemas.EventSerde serde = dev.baton.schemas.EventSerde.builtIn();
    return TopicReader.readToEnd(config, "baton.control").stream().filter(record -> runId.equals(record.key()))
        .map(record -> serde.deserialize(record.value(), dev.baton.schemas.event.ControlEvent.class)).toList();
  }

  /** Publishes a RunRequested of {@code pipeline} under {@code triggerKey} (no parameters) and follows the run to its end. */
  private static RunWatcher.RunReport requestAndFollow(String pipeline, String triggerKey) throws Exception {
    String runId = dev.baton.schemas.RunIds.of(pipeline, triggerKey);
    try (RunWatcher watcher = new RunWatcher(kafkaConfig())) {
      controller.publisher().publish(dev.baton.schemas.ControlEvents.requested(runId, pipeline,
          new dev.baton.schemas.event.RunRequested(triggerKey, Map.of(), "it", null), java.time.Instant.now()));
      return watcher.follow(runId, quiet(), RUN_TIMEOUT, () -> controller.controller().query().isActive());
    }
  }

  /** A counter's value from the controller's Prometheus scrape, 0 if it has not been created yet. */
  private static double metricOrZero(String name) {
    for (String line : controller.metrics().scrape().split("\n")) {
      if (line.startsWith(name + " ")) {
        return Double.parseDouble(line.substring(name.length() + 1).trim());
      }
    }
    return 0;
  }

  /** A counter's value from the controller's Prometheus scrape. */
  private static double metric(String name) {
    for (String line : controller.metrics().scrape().split("\n")) {
      if (line.startsWith(name + " ")) {
        return Double.parseDouble(line.substring(name.length() + 1).trim());
      }
    }
    throw new AssertionError("No metric " + name);
  }

  private static Map<String, String> kafkaConfig() {
    return LocalServices.kafkaSettings(config);
  }

  /** Reads {@code topic} from the start until {@code count} records match (at most 120 s); returns the matches. */
  private static List<org.apache.kafka.clients.consumer.ConsumerRecord<String, byte[]>> readTopic(String topic,
      java.util.function.Predicate<org.apache.kafka.clients.consumer.ConsumerRecord<String, byte[]>> matching, int count) {
    return TopicReader.readUntil(config, topic, records -> records.stream().filter(matching).count() >= count,
        Duration.ofSeconds(120)).stream().filter(matching).toList();
  }

  private static RunWatcher.RunReport uploadAndFollow(PipelineDefinition pipeline, Path dir, String file) throws Exception {
    String batch = Demo.newBatchId();
    try (RunWatcher watcher = new RunWatcher(kafkaConfig()); var s3 = dev.baton.cli.config.S3Settings.client(config)) {
      s3.putObject(r -> r.bucket("landing").key(pipeline.trigger().prefix() + batch + "/" + file),
          software.amazon.awssdk.core.sync.RequestBody.fromFile(dir.resolve(file)));
      return watcher.follow(dev.baton.schemas.RunIds.of(pipeline.name(), pipeline.trigger().triggerKey(batch)),
          quiet(), RUN_TIMEOUT, () -> controller.controller().query().isActive());
    }
  }

  /** The ledger trails the control topic by its write interval: poll until the run's row says {@code expected}. */
  private static void awaitLedgerRunStatus(String runId, String expected) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    List<Row> rows = List.of();
    while (System.nanoTime() < deadline) {
      rows = spark.sql("SELECT status FROM baton_system.runs WHERE run_id = '" + runId + "'").collectAsList();
      if (rows.size() == 1 && expected.equals(rows.get(0).getString(0))) {
        return;
      }
      Thread.sleep(200); // polling the ledger table for a condition
    }
    throw new AssertionError("Ledger row of run " + runId + " is " + rows + ", expected status " + expected);
  }

  private static String runBatch(String runId) {
    String triggerKey = spark.sql("SELECT trigger_key FROM baton_system.runs WHERE run_id = '" + runId + "'").first().getString(0);
    String[] parts = triggerKey.split("/");
    return parts[parts.length - 1];
  }

  private static void assertCents(BigDecimal actual, BigDecimal expected) {
    assertThat(actual.setScale(2, RoundingMode.HALF_UP)).isEqualByComparingTo(expected.setScale(2, RoundingMode.HALF_UP));
  }

  private static PrintStream quiet() {
    return new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
  }

}
