package dev.baton.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine;

/**
 * Exit code, stdout and stderr of one {@code baton} invocation through the picocli entry point in
 * this JVM ({@link #execute}); and the command line that runs {@code baton} in a JVM of its own,
 * as {@code ./baton} does ({@link #javaCommand}).
 */
record BatonRun(int exitCode, String out, String err) {
  private static final ObjectMapper JSON = new ObjectMapper();

  static BatonRun execute(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine command = BatonCli.commandLine();
    command.setOut(new PrintWriter(out, true));
    command.setErr(new PrintWriter(err, true));
    int exitCode = command.execute(args);
    return new BatonRun(exitCode, out.toString(), err.toString());
  }

  /** Each line of stdout as JSON. */
  List<JsonNode> jsonLines() {
    return out.lines().map(line -> {
      try {
        return JSON.readTree(line);
      } catch (IOException e) {
        throw new AssertionError("not JSON: " + line, e);
      }
    }).toList();
  }

  /** The first line of stdout that starts with {@code service} and a space, e.g. a {@code config check} line. */
  String line(String service) {
    return out.lines().filter(line -> line.startsWith(service + " ")).findFirst()
        .orElseThrow(() -> new AssertionError("no " + service + " line in: " + out + err));
  }

  /**
   * {@code java <Spark's JVM flags> <jvmOptions> -cp <cli> dev.baton.cli.BatonCli <args>}, the way
   * the {@code ./baton} script starts the CLI of the checkout {@code repository}.
   */
  static List<String> javaCommand(Path repository, List<String> jvmOptions, String... args) throws IOException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(List.of(Files.readString(repository.resolve("cli/target/jvm.flags")).trim().split("\\s+")));
    command.add("-Dbaton.repo.dir=" + repository);
    command.addAll(jvmOptions);
    command.add("-cp");
    command.add(repository.resolve("cli/target/classes") + File.pathSeparator
        + Files.readString(repository.resolve("cli/target/classpath.txt")).trim());
    command.add("dev.baton.cli.BatonCli");
    command.addAll(List.of(args));
    return command;
  }

  /**
   * Stops a controller started by {@link #startController} as Ctrl-C does (SIGTERM: its queries stop between
   * micro-batches).
   *
   * @throws AssertionError if it has not exited within 90 s
   */
  static void stopController(Process controller) throws InterruptedException {
    controller.destroy();
    if (!controller.waitFor(90, java.util.concurrent.TimeUnit.SECONDS)) {
      throw new AssertionError("The controller did not stop within 90 s of SIGTERM");
    }
  }

  /**
   * Starts {@code baton [args] controller} of the checkout {@code repository} in its own JVM, with the
   * controller ITs' logging (the CLI's, plus one DEBUG line per micro-batch saying what the controller
   * decided), {@code BATON_HOME=home} and {@code BATON_PIPELINES=pipelines}; output goes to {@code
   * log}. Returns once the log says its query runs (polled: no event reaches across processes).
   *
   * @throws AssertionError if the process exits first or does not start within 2 minutes (with its log)
   */
  static Process startController(Path repository, Path home, Path pipelines, Path log, String name,
      String... args) throws IOException, InterruptedException {
    return startController(repository, home, pipelines, log, name, java.util.Map.of(), args);
  }

  /** {@link #startController(Path, Path, Path, Path, String, String...)} with more environment variables. */
  static Process startController(Path repository, Path home, Path pipelines, Path log, String name,
      java.util.Map<String, String> environment, String... args) throws IOException, InterruptedException {
    List<String> cliArgs = new ArrayList<>(List.of(args));
    cliArgs.add("controller");
    // an ephemeral metrics port: the default (9464) would keep a second controller on this machine from starting
    // (another IT's, run in a parallel fork)
    cliArgs.addAll(List.of("--metrics-port", "0"));
    List<String> command = javaCommand(repository, List.of("-Dlog4j2.configurationFile="
        + repository.resolve("cli/src/test/resources/controller-it-log4j2.properties")), cliArgs.toArray(String[]::new));
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
    builder.environment().put("BATON_HOME", home.toString());
    builder.environment().put("BATON_PIPELINES", pipelines.toString());
    builder.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
    builder.environment().putAll(environment);
    Process process = builder.start();
    long deadline = System.nanoTime() + java.time.Duration.ofMinutes(2).toNanos();
    while (System.nanoTime() < deadline) {
      if (Files.exists(log) && Files.readString(log).contains("Controller running for pipelines")) {
        return process;
      }
      if (!process.isAlive()) {
        throw new AssertionError(name + " exited: " + Files.readString(log));
      }
      Thread.sleep(100); // polling a log file for a condition; no event to wait on across processes
    }
    process.destroyForcibly();
    throw new AssertionError(name + " did not start: " + Files.readString(log));
  }
}
