package dev.baton.local.sqs;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import org.elasticmq.server.ElasticMQServer;
import org.elasticmq.server.config.ElasticMQServerConfig;

/**
 * Runs an SQS-compatible endpoint: ElasticMQ with one queue and its dead-letter queue.
 *
 * <p>Usage: {@code SqsEndpointMain <port> <queue> <dead-letter-queue> <max-receive-count>}.
 * Listens on 127.0.0.1:{@code <port>} only and creates the two queues (in memory: their messages
 * do not survive a restart): {@code <queue>} with a default visibility timeout of
 * {@value #VISIBILITY_TIMEOUT_SECONDS} s, no default receive wait (clients long-poll by asking for
 * up to 20 s per receive), and a redrive policy to {@code <dead-letter-queue>} after
 * {@code <max-receive-count>} receives. The caller (the local stack) owns the names.
 *
 * <p>Queue URLs have the form {@code http://127.0.0.1:<port>/000000000000/<queue-name>} (ElasticMQ's
 * {@code node-address} is set to the bind address, and its default account id is kept), so SQS
 * clients can use the URLs it returns. ElasticMQ's statistics endpoint is off. ElasticMQ opens the
 * port before it creates the queues: wait for {@code GetQueueUrl} to answer. Runs until killed.
 */
public final class SqsEndpointMain {
  /** The account id ElasticMQ puts in queue URLs and ARNs (its default). */
  public static final String ACCOUNT_ID = "000000000000";
  /** The region ElasticMQ puts in queue ARNs ({@code arn:aws:sqs:us-east-1:000000000000:<queue>}). */
  public static final String REGION = "us-east-1";

  static final int VISIBILITY_TIMEOUT_SECONDS = 30;

  private SqsEndpointMain() {}

  public static void main(String[] args) throws InterruptedException {
    if (args.length != 4) {
      System.err.println("usage: SqsEndpointMain <port> <queue> <dead-letter-queue> <max-receive-count>");
      System.exit(2);
    }
    int port = Integer.parseInt(args[0]);
    // our settings over ElasticMQ's reference.conf / application.conf (Pekko settings)
    Config config = ConfigFactory.parseString(config(port, args[1], args[2], Integer.parseInt(args[3])))
        .withFallback(ConfigFactory.load()).resolve();
    // no shutdown hook: the queues live in memory, so there is nothing to flush on SIGTERM
    new ElasticMQServer(new ElasticMQServerConfig(config)).start();
    System.out.printf("SQS endpoint listening on http://127.0.0.1:%d (queues %s, %s)%n", port, args[1], args[2]);
    Thread.currentThread().join();
  }

  /** ElasticMQ's configuration (HOCON) for a node on 127.0.0.1:{@code port} with the two queues. */
  static String config(int port, String queue, String deadLetterQueue, int maxReceiveCount) {
    return String.join("\n",
        "node-address { protocol = http, host = \"127.0.0.1\", port = " + port + ", context-path = \"\" }",
        "generate-node-address = false",
        "rest-sqs { enabled = true, bind-hostname = \"127.0.0.1\", bind-port = " + port + ", sqs-limits = strict }",
        "rest-stats.enabled = false",
        "aws { region = \"" + REGION + "\", accountId = \"" + ACCOUNT_ID + "\" }",
        "queues {",
        "  \"" + deadLetterQueue + "\" {}",
        "  \"" + queue + "\" {",
        "    defaultVisibilityTimeout = " + VISIBILITY_TIMEOUT_SECONDS + " seconds",
        "    receiveMessageWait = 0 seconds",
        "    deadLettersQueue { name = \"" + deadLetterQueue + "\", maxReceiveCount = " + maxReceiveCount + " }",
        "  }",
        "}");
  }
}
