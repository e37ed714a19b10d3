package dev.baton.connect.s3;

import java.io.File;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A local-stack service (S3Proxy or ElasticMQ) in its own JVM, started from the built module's
 * {@code target/classes} + {@code target/classpath.txt} (their dependencies would clash with
 * Connect's in the test JVM). Build the reactor first ({@code mvn install}: the modules are
 * listed before this one).
 */
final class ServiceProcess implements AutoCloseable {
  private static final Path REPOSITORY = Path.of("..").toAbsolutePath().normalize();

  private final Process process;
  final int port;

  private ServiceProcess(Process process, int port) {
    this.process = process;
    this.port = port;
  }

  static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  /** ElasticMQ with queue baton-s3-events (+ DLQ); {@code http://127.0.0.1:<port>}. */
  static ServiceProcess sqs(Path logDir) throws Exception {
    int port = freePort();
    return start("sqs-endpoint", "dev.baton.local.sqs.SqsEndpointMain",
        List.of(String.valueOf(port), "baton-s3-events", "baton-s3-events-dlq", "5"), Map.of(), port, logDir);
  }

  /** S3Proxy with bucket {@code bucket}, no event notifications. */
  static ServiceProcess s3WithoutNotifications(Path dataDir, Path logDir, String accessKey, String secretKey, String bucket)
      throws Exception {
    int port = freePort();
    return start("s3-endpoint", "dev.baton.local.s3.S3EndpointMain", List.of(dataDir.toString(), String.valueOf(port), bucket),
        Map.of("BATON_S3_ACCESS_KEY", accessKey, "BATON_S3_SECRET_KEY", secretKey), port, logDir);
  }

  /** S3Proxy with bucket landing, announcing objects created in it on {@code queueUrl}. */
  static ServiceProcess s3(Path dataDir, Path logDir, String accessKey, String secretKey, String queueUrl) throws Exception {
    int port = freePort();
    return start("s3-endpoint", "dev.baton.local.s3.S3EndpointMain",
        List.of(dataDir.toString(), String.valueOf(port), "landing"),
        Map.of("BATON_S3_ACCESS_KEY", accessKey, "BATON_S3_SECRET_KEY", secretKey,
            "BATON_S3_NOTIFY_QUEUE_URL", queueUrl, "BATON_S3_NOTIFY_BUCKETS", "landing"),
        port, logDir);
  }

  private static ServiceProcess start(String module, String mainClass, List<String> args, Map<String, String> env,
      int port, Path logDir) throws Exception {
    Path moduleDir = REPOSITORY.resolve("local-stack").resolve(module);
    String classpath = moduleDir.resolve("target/classes") + File.pathSeparator
        + Files.readString(moduleDir.resolve("target/classpath.txt")).strip();
    List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-cp", classpath, mainClass));
    command.addAll(args);
    Files.createDirectories(logDir);
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(logDir.resolve(module + ".log").toFile());
    builder.environment().putAll(env);
    ServiceProcess service = new ServiceProcess(builder.start(), port);
    long deadline = System.nanoTime() + 90_000_000_000L;
    while (!answers(port)) {
      if (!service.process.isAlive() || System.nanoTime() > deadline) {
        service.close();
        throw new IllegalStateException(module + " did not start; see " + logDir.resolve(module + ".log") + ":\n"
            + Files.readString(logDir.resolve(module + ".log")));
      }
      Thread.sleep(100);
    }
    return service;
  }

  private static boolean answers(int port) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", port), 500);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  @Override
  public void close() {
    process.destroyForcibly();
  }
}
