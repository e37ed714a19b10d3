package dev.baton.local;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What {@code up} allocated and started, persisted as JSON in {@code <home>/local/stack.json}:
 * ports (kept across restarts), generated local-only credentials and the pid of each process
 * this stack started. Package-private: reached through {@link LocalStack}.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
final class StackState {
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  public int kafkaPort;
  public int kafkaControllerPort;
  /**
   * The secure broker's inter-broker listener (mutual TLS); absent from a stack.json written before
   * the secure mode existed: a port is chosen on load.
   */
  public int kafkaInternalPort;
  /** True when the running (or last started) broker was started in secure mode. */
  public boolean kafkaSecure;
  public int s3Port;
  /** Absent from a stack.json written before the SQS endpoint existed: a port is chosen on load. */
  public int sqsPort;
  public int connectPort;
  /** The REST catalog (secure mode); absent from a stack.json written before it existed: a port is chosen on load. */
  public int catalogPort;
  /** True when the CDC databases were asked for ({@code up --cdc}) and not turned off since. */
  public boolean cdc;
  /** The CDC source PostgreSQL; absent from a stack.json written before it existed: a port is chosen on load. */
  public int cdcSourcePort;
  /** The CDC target PostgreSQL; as {@link #cdcSourcePort}. */
  public int cdcTargetPort;
  public String s3AccessKey;
  public String s3SecretKey;
  /** The event queue URL the running S3 endpoint was started with; null if started without one. */
  public String s3NotifyQueueUrl;
  /** Service name to pid of the process {@code up} started. */
  public Map<String, Long> pids = new LinkedHashMap<>();

  static StackState loadOrCreate(Path file) {
    if (Files.exists(file)) {
      StackState state;
      try {
        state = JSON.readValue(file.toFile(), StackState.class);
      } catch (IOException e) {
        throw new LocalStackException("Cannot read local stack state " + file + ": " + e.getMessage(), e);
      }
      if (state.sqsPort == 0) {
        state.sqsPort = freePort(); // a stack.json written before the SQS endpoint existed
      }
      if (state.catalogPort == 0) {
        state.catalogPort = freePort(); // a stack.json written before the REST catalog existed
      }
      if (state.cdcSourcePort == 0 || state.cdcTargetPort == 0) {
        state.cdcSourcePort = freePort(); // a stack.json written before the CDC databases existed
        state.cdcTargetPort = freePort();
      }
      if (state.kafkaInternalPort == 0) {
        state.kafkaInternalPort = freePort(); // a stack.json written before the secure mode existed
      }
      return state;
    }
    StackState state = new StackState();
    state.kafkaPort = freePort();
    state.kafkaControllerPort = freePort();
    state.kafkaInternalPort = freePort();
    state.s3Port = freePort();
    state.sqsPort = freePort();
    state.connectPort = freePort();
    state.catalogPort = freePort();
    state.cdcSourcePort = freePort();
    state.cdcTargetPort = freePort();
    SecureRandom random = new SecureRandom();
    state.s3AccessKey = "local-" + randomHex(random, 8);
    state.s3SecretKey = randomHex(random, 20);
    return state;
  }

  static StackState loadIfPresent(Path file) {
    return Files.exists(file) ? loadOrCreate(file) : null;
  }

  void save(Path file) {
    try {
      Files.createDirectories(file.getParent());
      Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
      JSON.writeValue(tmp.toFile(), this);
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot write local stack state " + file, e);
    }
  }

  /** Lowest port {@link #freePort} hands out. */
  static final int FIRST_PORT = 20_000;
  /** Above the last port {@link #freePort} hands out: Linux's first ephemeral port (macOS and Windows start at 49152). */
  static final int END_PORT = 32_768;
  /**
   * System property {@code <n>/<m>}: this JVM hands out ports from the n-th of m equal slices of [{@value
   * #FIRST_PORT}, {@value #END_PORT}) only, so that m JVMs starting stacks at once (parallel test forks) never
   * choose the same port; unset: the whole range.
   */
  public static final String PORT_SLICE_PROPERTY = "baton.local.port-slice";
  /** Ports handed out by this JVM, so that one stack never gets a port twice. */
  private static final java.util.Set<Integer> HANDED_OUT = java.util.concurrent.ConcurrentHashMap.newKeySet();

  /**
   * A port that 127.0.0.1 can bind now, below the ephemeral range: a port the OS hands out for
   * outgoing connections (ServerSocket(0) picks from that range too) could be taken by any client's
   * connection between this choice and the service's bind, seconds later.
   */
  static int freePort() {
    int[] range = portRange(System.getProperty(PORT_SLICE_PROPERTY));
    java.util.concurrent.ThreadLocalRandom random = java.util.concurrent.ThreadLocalRandom.current();
    for (int attempt = 0; attempt < 200; attempt++) {
      int port = random.nextInt(range[0], range[1]);
      if (HANDED_OUT.contains(port)) {
        continue;
      }
      try (ServerSocket socket = new ServerSocket()) {
        socket.bind(new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), port));
        HANDED_OUT.add(port);
        return port;
      } catch (IOException e) {
        // taken: try another
      }
    }
    throw new UncheckedIOException(new IOException("Cannot find a free port between " + range[0] + " and "
        + range[1] + " after 200 attempts"));
  }

  /**
   * The ports {@link #freePort} chooses from, {@code [first, end)}, for a {@value #PORT_SLICE_PROPERTY} value.
   *
   * @throws IllegalArgumentException if the value is not {@code <n>/<m>} with 1 ≤ n ≤ m ≤ 16
   */
  static int[] portRange(String slice) {
    if (slice == null || slice.isBlank()) {
      return new int[] {FIRST_PORT, END_PORT};
    }
    java.util.regex.Matcher matcher = java.util.regex.Pattern.compile("(\\d{1,2})/(\\d{1,2})").matcher(slice.strip());
    int n = matcher.matches() ? Integer.parseInt(matcher.group(1)) : 0;
    int m = matcher.matches() ? Integer.parseInt(matcher.group(2)) : 0;
    if (n < 1 || n > m || m > 16) {
      throw new IllegalArgumentException("Invalid " + PORT_SLICE_PROPERTY + ": expected <n>/<m> with 1 <= n <= m <= 16,"
          + " got '" + slice + "'");
    }
    int size = (END_PORT - FIRST_PORT) / m;
    int first = FIRST_PORT + (n - 1) * size;
    return new int[] {first, first + size};
  }

  private static String randomHex(SecureRandom random, int bytes) {
    byte[] buffer = new byte[bytes];
    random.nextBytes(buffer);
    return HexFormat.of().formatHex(buffer);
  }
}
