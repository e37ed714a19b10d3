package dev.baton.local;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * The two PostgreSQL servers of the local CDC stack ({@code baton local up --cdc}): a source with
 * {@code wal_level=logical}, the local stand-in for the operational (Oracle) database, and a
 * target, the stand-in for Aurora PostgreSQL.
 *
 * <p>Their credentials are generated once into {@code <home>/local/cdc/}{@value #CREDENTIALS} (folder
 * 0700, file 0600), a properties file that Kafka Connect's {@code FileConfigProvider} reads, so a
 * connector config names a password as {@code ${file:<that file>:source.password}} and never holds
 * it. Its keys, for each of {@code source} and {@code target}: {@code <side>.host}, {@code
 * <side>.port}, {@code <side>.database}, {@code <side>.user}, {@code <side>.password} (the
 * connector's role) and {@code <side>.admin.password} (the superuser {@value #ADMIN}'s).
 *
 * @param sourcePort the source server's port on 127.0.0.1
 * @param targetPort the target server's port on 127.0.0.1
 * @param credentialsFile the credentials file described above
 */
public record CdcDatabases(int sourcePort, int targetPort, Path credentialsFile) {
  /** The credentials file's name in {@code <home>/local/cdc/}. */
  public static final String CREDENTIALS = "credentials.properties";
  /** The source server's database. */
  public static final String SOURCE_DATABASE = "sourcedb";
  /** The target server's database. */
  public static final String TARGET_DATABASE = "targetdb";
  /** The source's connector role: {@code LOGIN REPLICATION}, reads every table. */
  public static final String SOURCE_USER = "baton_cdc";
  /** The target's connector role: owns {@link #TARGET_DATABASE}. */
  public static final String TARGET_USER = "baton_sink";
  /** Each server's superuser. */
  public static final String ADMIN = "postgres";
  /** The two sides, as the keys of the credentials file start. */
  public static final List<String> SIDES = List.of("source", "target");

  public CdcDatabases {
    requireNonNull(credentialsFile, "Invalid credentialsFile: null");
  }

  /** The source's JDBC URL (no credentials in it), e.g. {@code jdbc:postgresql://127.0.0.1:41234/sourcedb}. */
  public String sourceJdbcUrl() {
    return "jdbc:postgresql://127.0.0.1:" + sourcePort + "/" + SOURCE_DATABASE;
  }

  /** The target's JDBC URL (no credentials in it). */
  public String targetJdbcUrl() {
    return "jdbc:postgresql://127.0.0.1:" + targetPort + "/" + TARGET_DATABASE;
  }

  /**
   * A value of the credentials file, e.g. {@code source.password}.
   *
   * @throws LocalStackException if the file cannot be read or lacks the key
   */
  public String credential(String key) {
    Properties credentials = read(credentialsFile);
    String value = credentials.getProperty(requireNonNull(key, "Invalid key: null"));
    if (value == null) {
      throw new LocalStackException("Cannot find " + key + " in " + credentialsFile);
    }
    return value;
  }

  /** The endpoints as printed by {@code baton local status}: {@code cdcSource}, {@code cdcTarget}, {@code cdcCredentials}. */
  public Map<String, String> asMap() {
    Map<String, String> map = new LinkedHashMap<>();
    map.put("cdcSource", sourceJdbcUrl());
    map.put("cdcTarget", targetJdbcUrl());
    map.put("cdcCredentials", credentialsFile.toString());
    return map;
  }

  /**
   * Writes the credentials file of the two servers on these ports, generating the passwords the
   * first time and keeping them afterwards (host and port keys are rewritten).
   *
   * @throws UncheckedIOException if the folder or file cannot be written
   */
  static CdcDatabases loadOrCreate(Path dir, int sourcePort, int targetPort) {
    Path file = requireNonNull(dir, "Invalid dir: null").toAbsolutePath().resolve(CREDENTIALS);
    try {
      Files.createDirectories(dir.getParent());
      if (!Files.isDirectory(dir)) {
        Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
      }
      Properties credentials = Files.isRegularFile(file) ? read(file) : new Properties();
      SecureRandom random = new SecureRandom();
      for (String side : SIDES) {
        boolean source = side.equals("source");
        credentials.setProperty(side + ".host", "127.0.0.1");
        credentials.setProperty(side + ".port", String.valueOf(source ? sourcePort : targetPort));
        credentials.setProperty(side + ".database", source ? SOURCE_DATABASE : TARGET_DATABASE);
        credentials.setProperty(side + ".user", source ? SOURCE_USER : TARGET_USER);
        credentials.putIfAbsent(side + ".password", SecureStackSecrets.randomPassword(random));
        credentials.putIfAbsent(side + ".admin.password", SecureStackSecrets.randomPassword(random));
      }
      Path tmp = file.resolveSibling(CREDENTIALS + ".tmp");
      Files.deleteIfExists(tmp);
      try (OutputStream out = Files.newOutputStream(SecureStackSecrets.createPrivateFile(tmp))) {
        credentials.store(out, "baton local stack: CDC database credentials; keep private");
      }
      Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot write the CDC credentials " + file, e);
    }
    return new CdcDatabases(sourcePort, targetPort, file);
  }

  /** The environment of a server's process ({@code PostgresServerMain}): its passwords stay off the command line. */
  Map<String, String> serverEnvironment(String side) {
    Properties credentials = read(credentialsFile);
    return Map.of(
        "BATON_PG_ADMIN_PASSWORD", credentials.getProperty(side + ".admin.password"),
        "BATON_PG_DATABASE", credentials.getProperty(side + ".database"),
        "BATON_PG_USER", credentials.getProperty(side + ".user"),
        "BATON_PG_PASSWORD", credentials.getProperty(side + ".password"));
  }

  private static Properties read(Path file) {
    Properties properties = new Properties();
    try (InputStream in = Files.newInputStream(file)) {
      properties.load(in);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read the CDC credentials " + file, e);
    }
    return properties;
  }
}
