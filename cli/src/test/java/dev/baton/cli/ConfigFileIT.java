package dev.baton.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code baton --config FILE}: the configuration file {@code local up} writes (secrets in a 0600
 * file, referenced) drives {@code config check} and the controller against running services, and a
 * command given a configuration never starts a local stack of its own.
 */
class ConfigFileIT {
  private static LocalServices local;
  private static Map<String, String> config;
  private static Path home;
  private static Path configFile;
  private static Process controller;

  @BeforeAll
  static void up() throws Exception {
    Path repository = Path.of(System.getProperty("baton.repo.dir")).toAbsolutePath();
    home = Files.createTempDirectory(repository.resolve("cli/target"), "it-config");
    local = new LocalServices(new Workspace(home, repository, repository.resolve("examples/pipelines")));
    config = local.config(local.ensureRunning(quiet()).endpoints());
    configFile = local.configFile();
  }

  @AfterAll
  static void down() {
    if (controller != null) {
      controller.destroyForcibly();
    }
    if (local != null) {
      local.stack().down();
    }
  }

  @Test
  void configurationFileHoldsNoSecretAndItsSecretsFileIsOwnerOnly() throws Exception {
    String file = Files.readString(configFile);
    String secretKey = config.get("s3.secret-access-key");

    assertThat(file).doesNotContain(secretKey).contains("s3.secret-access-key=${file\\:" + local.secretsFile());
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(local.secretsFile()))).isEqualTo("rw-------");
    assertThat(Files.readString(local.secretsFile())).contains(secretKey);
  }

  @Test
  void checkSaysEveryServiceIsOkWithoutPrintingASecret() {
    BatonRun check = baton("--config", configFile.toString(), "config", "check");

    assertThat(check.exitCode()).as(check.out() + check.err()).isZero();
    assertThat(check.out().lines().filter(line -> line.matches("^(kafka|catalog|s3|registry) +ok .*")).toList())
        .as(check.out()).hasSize(4);
    assertThat(check.out()).contains("buckets: warehouse").contains("topics: baton.alerts (present)");
    assertThat(check.out() + check.err()).doesNotContain(config.get("s3.secret-access-key"));
  }

  @Test
  void wrongS3SecretNamesTheSecretKey() throws Exception {
    Path file = variant("wrong-secret", Map.of("s3.secret-access-key", "not-the-secret"));

    BatonRun check = baton("--config", file.toString(), "config", "check");

    assertThat(check.exitCode()).isEqualTo(1);
    assertThat(check.line("s3")).startsWith("s3        FAILED s3.secret-access-key: access denied (HTTP 403)");
    assertThat(check.line("kafka")).contains(" ok ");
    assertThat(check.out()).doesNotContain("not-the-secret");
  }

  @Test
  void unknownKafkaHostNamesBootstrapServers() throws Exception {
    Path file = variant("unknown-host", Map.of("kafka.bootstrap.servers", "kafka.baton.invalid:9092"));

    BatonRun check = baton("--config", file.toString(), "config", "check");

    assertThat(check.exitCode()).isEqualTo(1);
    assertThat(check.line("kafka")).startsWith("kafka     FAILED kafka.bootstrap.servers: ")
        .contains("kafka.baton.invalid:9092");
    assertThat(check.line("s3")).contains(" ok ");
  }

  @Test
  void unreachableCatalogNamesItsUri() throws Exception {
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0)) {
      closedPort = socket.getLocalPort();
    }
    Map<String, String> rest = new LinkedHashMap<>();
    rest.put("iceberg.catalog.type", "rest");
    rest.put("iceberg.catalog.uri", "http://127.0.0.1:" + closedPort + "/catalog");
    Path file = variant("unreachable-catalog", rest);

    BatonRun check = baton("--config", file.toString(), "config", "check");

    assertThat(check.exitCode()).isEqualTo(1);
    assertThat(check.line("catalog")).startsWith("catalog   FAILED iceberg.catalog.uri: unreachable");
  }

  @Test
  void controllerRunsFromTheFileServesMetricsAndNoCommandStartsALocalStack() throws Exception {
    Path repository = Path.of(System.getProperty("baton.repo.dir")).toAbsolutePath();
    Path pipelines = Files.createDirectories(home.resolve("pipelines"));
    Files.writeString(pipelines.resolve("noop-2.yaml"), """
        name: noop-2
        stages:
          - {name: first, type: noop}
          - {name: second, type: noop, dependsOn: [first]}
        """);
    // an empty BATON_HOME: a command that fell back to the local stack would start one here
    Path emptyHome = Files.createDirectories(home.resolve("empty-home"));
    Path log = home.resolve("controller.log");
    List<String> command = BatonRun.javaCommand(repository, List.of(), "--config", configFile.toString(), "controller",
        "--metrics-port", "0");
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
    builder.environment().put("BATON_HOME", emptyHome.toString());
    builder.environment().put("BATON_PIPELINES", pipelines.toString());
    builder.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
    controller = builder.start();
    URI metrics = awaitMetricsUri(log);

    long launchesBefore = launches(metrics);
    BatonRun submit = baton("--config", configFile.toString(), "submit", "noop-2", "--wait", "--timeout-s", "300");

    assertThat(submit.exitCode()).as(Files.readString(log)).isZero();
    assertThat(launches(metrics) - launchesBefore).isEqualTo(2);
    try (Stream<Path> files = Files.list(emptyHome)) {
      assertThat(files.toList()).as("nothing written under the controller's BATON_HOME").isEmpty();
    }
    assertThat(Files.readString(log)).doesNotContain(config.get("s3.secret-access-key"));

    // SIGTERM (Ctrl-C, a pod stopping): the queries stop between micro-batches and the JVM exits
    controller.destroy();
    assertThat(controller.waitFor(2, java.util.concurrent.TimeUnit.MINUTES)).as(Files.readString(log)).isTrue();
    // (Spark's executor stopping before the queries rejected the micro-batch's tasks and hung the JVM; and when the
    // stop ran in a shutdown hook, Iceberg's own hook terminated its worker pool under the ledger's last commit)
    assertThat(Files.readString(log)).contains("Received SIGTERM").doesNotContain("Executor$TaskRunner")
        .doesNotContain("ShutdownHook '' timeout").doesNotContain("RejectedExecutionException");
    assertThat(controller.exitValue()).isEqualTo(143); // 128 + SIGTERM, once the stop finished
  }

  private static URI awaitMetricsUri(Path log) throws Exception {
    Pattern served = Pattern.compile("Metrics on (http://\\S+/metrics)");
    long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
    while (System.nanoTime() < deadline) {
      String text = Files.exists(log) ? Files.readString(log) : "";
      Matcher matcher = served.matcher(text);
      if (matcher.find() && text.contains("Controller running for pipelines")) {
        return URI.create(matcher.group(1));
      }
      if (!controller.isAlive()) {
        throw new AssertionError("Controller exited: " + text);
      }
      Thread.sleep(100); // polling a log file for a condition; no event to wait on across processes
    }
    throw new AssertionError("Controller did not start: " + Files.readString(log));
  }

  /** {@code baton_controller_launches_total} scraped over HTTP. */
  private static long launches(URI metrics) throws Exception {
    HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(metrics).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(type -> assertThat(type).startsWith("text/plain"));
    Matcher matcher = Pattern.compile("(?m)^baton_controller_launches_total (\\S+)$").matcher(response.body());
    assertThat(matcher.find()).as(response.body()).isTrue();
    return (long) Double.parseDouble(matcher.group(1));
  }

  /** A configuration file like the local one with {@code changes}, its secrets in a file of its own. */
  private static Path variant(String name, Map<String, String> changes) {
    Map<String, String> changed = new LinkedHashMap<>(config);
    changed.putAll(changes);
    Path file = home.resolve(name + ".properties");
    LocalServices.writeConfigFile(changed, file, home.resolve(name + "-secrets.properties"));
    return file;
  }

  private static BatonRun baton(String... args) {
    return BatonRun.execute(args);
  }

  private static PrintStream quiet() {
    return new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
  }
}
