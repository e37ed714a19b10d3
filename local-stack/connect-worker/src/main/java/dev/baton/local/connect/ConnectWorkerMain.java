package dev.baton.local.connect;

import org.apache.kafka.connect.cli.ConnectDistributed;

/**
 * Runs a one-node Kafka Connect worker in distributed mode, so connector configs and source
 * offsets live in Kafka topics exactly as in a real Connect cluster or MSK Connect.
 *
 * <p>Usage: {@code ConnectWorkerMain <worker.properties>}; connectors are loaded from the
 * worker's {@code plugin.path} and created through its REST API.
 */
public final class ConnectWorkerMain {

  private ConnectWorkerMain() {}

  public static void main(String[] args) {
    ConnectDistributed.main(args);
  }
}
