package dev.baton.local.kafka;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import kafka.tools.StorageTool;
import org.apache.kafka.common.Uuid;

/**
 * Runs a single-node Kafka broker in KRaft mode (broker and controller in one process).
 *
 * <p>Usage: {@code KafkaBrokerMain <data-dir> <broker-port> <controller-port>}. Formats the log
 * directory on first start (new cluster id), then hands over to {@code kafka.Kafka.main}, which
 * blocks until SIGTERM. Listens on 127.0.0.1 only.
 */
public final class KafkaBrokerMain {

  private KafkaBrokerMain() {}

  public static void main(String[] args) throws IOException {
    if (args.length != 3) {
      System.err.println("usage: KafkaBrokerMain <data-dir> <broker-port> <controller-port>");
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
    props.setProperty("listeners", "PLAINTEXT://127.0.0.1:" + brokerPort + ",CONTROLLER://127.0.0.1:" + controllerPort);
    props.setProperty("advertised.listeners", "PLAINTEXT://127.0.0.1:" + brokerPort);
    props.setProperty("controller.listener.names", "CONTROLLER");
    props.setProperty("inter.broker.listener.name", "PLAINTEXT");
    props.setProperty("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
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
    try (OutputStream out = Files.newOutputStream(config)) {
      props.store(out, "written by baton local up");
    }

    if (!Files.exists(logDir.resolve("meta.properties"))) {
      PrintStream console = new PrintStream(System.out, true, StandardCharsets.UTF_8);
      int rc = StorageTool.execute(
          new String[] {"format", "-t", Uuid.randomUuid().toString(), "-c", config.toString()}, console);
      if (rc != 0) {
        System.err.println("Cannot format Kafka storage: StorageTool exited " + rc);
        System.exit(rc);
      }
    }
    kafka.Kafka.main(new String[] {config.toString()});
  }
}
