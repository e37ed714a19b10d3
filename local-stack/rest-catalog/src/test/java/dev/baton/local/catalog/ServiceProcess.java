package dev.baton.local.catalog;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A local-stack service in its own JVM, started the way the local stack manager starts it: the
 * built module's {@code target/classes} + {@code target/classpath.txt}, secrets in the
 * environment, ready once it prints its {@code ... listening on http://127.0.0.1:<port>} line.
 */
final class ServiceProcess implements AutoCloseable {
  private static final Path LOCAL_STACK = Path.of("..").toAbsolutePath().normalize();
  private static final Pattern LISTENING = Pattern.compile("listening on (http://127\\.0\\.0\\.1:\\d+)");

  private final Process process;
  private final String url;

  private ServiceProcess(Process process, String url) {
    this.process = process;
    this.url = url;
  }

  static ServiceProcess start(String module, String mainClass, List<String> args, Map<String, String> env, Path log)
      throws Exception {
    Path moduleDir = LOCAL_STACK.resolve(module);
    Path dependencies = moduleDir.resolve("target/classpath.txt");
    if (!Files.isRegularFile(dependencies)) {
      throw new IllegalStateException("Cannot find the built module " + moduleDir + ": build it first");
    }
    String classpath = moduleDir.resolve("target/classes") + File.pathSeparator + Files.readString(dependencies).strip();
    List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-cp", classpath, mainClass));
    command.addAll(args);
    Files.createDirectories(log.getParent());
    ProcessBuilder builder = new ProcessBuilder(command)
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
    builder.environment().putAll(env);
    long logStart = Files.exists(log) ? Files.size(log) : 0;
    Process process = builder.start();
    long deadline = System.nanoTime() + 90_000_000_000L;
    while (true) {
      Optional<String> url = listeningUrl(log, logStart);
      if (url.isPresent()) {
        return new ServiceProcess(process, url.get());
      }
      if (!process.isAlive() || System.nanoTime() > deadline) {
        process.destroyForcibly().waitFor();
        throw new IllegalStateException(module + " did not start:\n" + Files.readString(log));
      }
      Thread.sleep(50);
    }
  }

  private static Optional<String> listeningUrl(Path log, long from) throws IOException {
    if (!Files.exists(log)) {
      return Optional.empty();
    }
    String output = Files.readString(log);
    Matcher matcher = LISTENING.matcher(output.substring((int) Math.min(from, output.length())));
    return matcher.find() ? Optional.of(matcher.group(1)) : Optional.empty();
  }

  /** The URL from the readiness line. */
  String url() {
    return url;
  }

  /** Stops the JVM as {@code baton local down} does (SIGTERM, so shutdown hooks run) and waits. */
  void stop() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor();
    }
  }

  @Override
  public void close() {
    try {
      stop();
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }
}
