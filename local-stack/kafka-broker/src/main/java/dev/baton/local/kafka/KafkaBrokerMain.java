package dev.baton.local.kafka;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import kafka.tools.StorageTool;
import org.apache.kafka.common.Uuid;

/**
 * Runs a single-node Kafka broker in KRaft mode (broker and controller in one process).
 *
 * <p>Usage: {@code KafkaBrokerMain <data-dir> <broker-port> <controller-port> [<internal-port>]}.
 * Formats the log directory on first start (new cluster id), then hands over to {@code
 * kafka.Kafka.main}, which blocks until SIGTERM. Listens on 127.0.0.1 only.
 *
 * <p>Plaintext mode (the default): one PLAINTEXT listener on the broker port, the controller
 * listener PLAINTEXT too.
 *
 * <p>Secure mode, when the environment variable {@value #SECURE_DIR_ENV} names the folder the
 * local stack generated (see {@code dev.baton.local.SecureStackSecrets}: {@code broker.p12}, {@code
 * truststore.p12}, {@code secrets.properties}); it then needs the internal port:
 *
 * <ul>
 *   <li>{@code CLIENT}, the broker port: SASL_SSL with SCRAM-SHA-512, the only listener clients see;
 *   <li>{@code INTERNAL} (inter-broker) and {@code CONTROLLER}: SSL with {@code
 *       ssl.client.auth=required}. Mutual TLS rather than SASL_SSL because the peer is always this
 *       process with its own certificate: no broker password to keep in a JAAS line, and no
 *       certificate other than the broker's can chain to the CA, whose key the stack never keeps.
 *       {@code ssl.principal.mapping.rules} maps {@code CN=baton-broker} to {@code
 *       User:baton-broker}, a super user; any other certificate gets its full DN as principal,
 *       which has no ACL;
 *   <li>{@code StandardAuthorizer}, {@code allow.everyone.if.no.acl.found=false}, super users {@code
 *       baton-admin} and {@code baton-broker} only;
 *   <li>SCRAM credentials of every {@code sasl.<name>.password} in {@code secrets.properties},
 *       bootstrapped at format time (KIP-900, {@code --add-scram}); {@code server.properties}
 *       references the keystore passwords as {@code ${file:...}} (the file config provider, KIP-421),
 *       so no password is written anywhere else or passed on a command line.
 * </ul>
 */
public final class KafkaBrokerMain {

  /** The environment variable naming the secure material folder; unset for plaintext mode. */
  public static final String SECURE_DIR_ENV = "BATON_KAFKA_SECURE_DIR";
  private static final String SECRETS = "secrets.properties";
  private static final String SASL_PREFIX = "sasl.";
  private static final String PASSWORD_SUFFIX = ".password";

  private KafkaBrokerMain() {}

  public static void main(String[] args) throws IOException {
    String secureDir = System.getenv(SECURE_DIR_ENV);
    boolean secure = secureDir != null && !secureDir.isBlank();
    if (args.length != (secure ? 4 : 3)) {
      System.err.println("usage: KafkaBrokerMain <data-dir> <broker-port> <controller-port>"
          + " [<internal-port>, with " + SECURE_DIR_ENV + " set]");
      System.exit(2);
    }
    Path dataDir = Path.of(args[0]).toAbsolutePath();
    int brokerPort = Integer.parseInt(args[1]);
    int controllerPort = Integer.parseInt(args[2]);
    Path logDir = dataDir.resolve("log");
    Files.createDirectories(logDir);

    Properties props = new Properties();
    props.setProperty("process.roles", "broker,controller");
    props.setProperty("node.id", "1");
    props.setProperty("controller.quorum.voters", "1@127.0.0.1:" + controllerPort);
    if (secure) {
      secureListeners(props, Path.of(secureDir).toAbsolutePath(), brokerPort, controllerPort,
          Integer.parseInt(args[3]));
    } else {
      props.setProperty("listeners",
          "PLAINTEXT://127.0.0.1:" + brokerPort + ",CONTROLLER://127.0.0.1:" + controllerPort);
      props.setProperty("advertised.listeners", "PLAINTEXT://127.0.0.1:" + brokerPort);
      props.setProperty("controller.listener.names", "CONTROLLER");
      props.setProperty("inter.broker.listener.name", "PLAINTEXT");
      props.setProperty("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
    }
    props.setProperty("log.dirs", logDir.toString());
    props.setProperty("num.partitions", "1");
    props.setProperty("auto.create.topics.enable", "false");
    props.setProperty("offsets.topic.replication.factor", "1");
    props.setProperty("offsets.topic.num.partitions", "4");
    props.setProperty("transaction.state.log.replication.factor", "1");
    props.setProperty("transaction.state.log.min.isr", "1");
    props.setProperty("group.initial.rebalance.delay.ms", "0");
    props.setProperty("log.retention.hours", "168");
    Path config = dataDir.resolve("server.properties");
    Files.deleteIfExists(config);
    Files.createFile(config, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    try (OutputStream out = Files.newOutputStream(config)) {
      props.store(out, "written by baton local up");
    }

    if (!Files.exists(logDir.resolve("meta.properties"))) {
      List<String> format =
          new ArrayList<>(List.of("format", "-t", Uuid.randomUuid().toString(), "-c", config.toString()));
      Map<String, String> passwords = secure ? scramPasswords(Path.of(secureDir)) : Map.of();
      passwords.forEach((name, password) ->
          format.addAll(List.of("--add-scram", "SCRAM-SHA-512=[name=" + name + ",password=" + password + "]")));
      // the tool's own output (and any usage error echoing its arguments) passes through a redaction
      ByteArrayOutputStream output = new ByteArrayOutputStream();
      int rc;
      try (PrintStream capture = new PrintStream(output, true, StandardCharsets.UTF_8)) {
        rc = StorageTool.execute(format.toArray(String[]::new), capture);
      } catch (RuntimeException e) {
        System.err.println("Cannot format Kafka storage: " + redact(String.valueOf(e), passwords));
        System.exit(1);
        return;
      }
      System.out.print(redact(output.toString(StandardCharsets.UTF_8), passwords));
      System.out.flush();
      if (rc != 0) {
        System.err.println("Cannot format Kafka storage: StorageTool exited " + rc);
        System.exit(rc);
      }
      if (!passwords.isEmpty()) {
        System.out.println("Added SCRAM-SHA-512 credentials for " + String.join(", ", passwords.keySet()));
      }
    }
    kafka.Kafka.main(new String[] {config.toString()});
  }

  private static void secureListeners(Properties props, Path secureDir, int brokerPort, int controllerPort,
      int internalPort) {
    Path secrets = secureDir.resolve(SECRETS);
    props.setProperty("listeners", "CLIENT://127.0.0.1:" + brokerPort + ",INTERNAL://127.0.0.1:" + internalPort
        + ",CONTROLLER://127.0.0.1:" + controllerPort);
    props.setProperty("advertised.listeners",
        "CLIENT://127.0.0.1:" + brokerPort + ",INTERNAL://127.0.0.1:" + internalPort);
    props.setProperty("listener.security.protocol.map", "CLIENT:SASL_SSL,INTERNAL:SSL,CONTROLLER:SSL");
    props.setProperty("controller.listener.names", "CONTROLLER");
    props.setProperty("inter.broker.listener.name", "INTERNAL");

    props.setProperty("listener.name.client.sasl.enabled.mechanisms", "SCRAM-SHA-512");
    props.setProperty("listener.name.client.scram-sha-512.sasl.jaas.config",
        "org.apache.kafka.common.security.scram.ScramLoginModule required;");
    props.setProperty("listener.name.client.ssl.client.auth", "none");
    props.setProperty("listener.name.internal.ssl.client.auth", "required");
    props.setProperty("listener.name.controller.ssl.client.auth", "required");
    props.setProperty("ssl.principal.mapping.rules", "RULE:^CN=(baton-broker)$/$1/,DEFAULT");

    props.setProperty("config.providers", "file");
    props.setProperty("config.providers.file.class", "org.apache.kafka.common.config.provider.FileConfigProvider");
    String keystorePassword = "${file:" + secrets + ":ssl.keystore.password}";
    props.setProperty("ssl.keystore.type", "PKCS12");
    props.setProperty("ssl.keystore.location", secureDir.resolve("broker.p12").toString());
    props.setProperty("ssl.keystore.password", keystorePassword);
    props.setProperty("ssl.key.password", keystorePassword);
    props.setProperty("ssl.truststore.type", "PKCS12");
    props.setProperty("ssl.truststore.location", secureDir.resolve("truststore.p12").toString());
    props.setProperty("ssl.truststore.password", "${file:" + secrets + ":ssl.truststore.password}");
    // the broker's own connections verify the SAN (IP:127.0.0.1) like every client
    props.setProperty("ssl.endpoint.identification.algorithm", "https");

    props.setProperty("authorizer.class.name", "org.apache.kafka.metadata.authorizer.StandardAuthorizer");
    props.setProperty("allow.everyone.if.no.acl.found", "false");
    props.setProperty("super.users", "User:baton-admin;User:baton-broker");
  }

  /** Every {@code sasl.<name>.password} of the secrets file, by name, in name order. */
  private static Map<String, String> scramPasswords(Path secureDir) throws IOException {
    Properties secrets = new Properties();
    try (InputStream in = Files.newInputStream(secureDir.resolve(SECRETS))) {
      secrets.load(in);
    }
    Map<String, String> passwords = new TreeMap<>();
    for (String key : secrets.stringPropertyNames()) {
      if (key.startsWith(SASL_PREFIX) && key.endsWith(PASSWORD_SUFFIX)) {
        passwords.put(key.substring(SASL_PREFIX.length(), key.length() - PASSWORD_SUFFIX.length()),
            secrets.getProperty(key));
      }
    }
    if (passwords.isEmpty()) {
      throw new IllegalStateException("No sasl.<name>.password in " + secureDir.resolve(SECRETS));
    }
    return passwords;
  }

  private static String redact(String text, Map<String, String> passwords) {
    String redacted = text;
    for (String password : passwords.values()) {
      redacted = redacted.replace(password, "[hidden]");
    }
    return redacted;
  }
}
