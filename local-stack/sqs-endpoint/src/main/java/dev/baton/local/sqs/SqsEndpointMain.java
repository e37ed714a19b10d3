package dev.baton.local.sqs;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import org.elasticmq.server.ElasticMQServer;
import org.elasticmq.server.config.ElasticMQServerConfig;

/**
 * Runs an SQS-compatible endpoint: ElasticMQ, configured with the queue that the local S3
 * endpoint sends its object-created notifications to.
 *
 * <p>Usage: {@code SqsEndpointMain <port>}. Listens on 127.0.0.1:{@code <port>} only and creates
 * two queues (in memory: their messages do not survive a restart):
 *
 * <ul>
 *   <li>{@value #EVENTS_QUEUE}: default visibility timeout {@value #VISIBILITY_TIMEOUT_SECONDS}
 *       s, no default receive wait (clients long-poll by asking for up to 20 s per receive), and a
 *       redrive policy to the dead-letter queue after {@value #MAX_RECEIVE_COUNT} receives;
 *   <li>{@value #DEAD_LETTER_QUEUE}: the dead-letter queue.
 * </ul>
 *
 * <p>Queue URLs have the form {@code http://127.0.0.1:<port>/000000000000/<queue-name>} (ElasticMQ's
 * {@code node-address} is set to the bind address, and its default account id is kept), so SQS
 * clients can use the URLs it returns. ElasticMQ's statistics endpoint is off. Prints one line
 * starting {@code SQS endpoint listening} once both queues answer; runs until killed.
 */
public final class SqsEndpointMain {
  /** The queue the local S3 endpoint sends object-created notifications to. */
  public static final String EVENTS_QUEUE = "baton-s3-events";
  /** Where messages of {@link #EVENTS_QUEUE} go after {@value #MAX_RECEIVE_COUNT} receives. */
  public static final String DEAD_LETTER_QUEUE = "baton-s3-events-dlq";
  /** The account id ElasticMQ puts in queue URLs and ARNs (its default). */
  public static final String ACCOUNT_ID = "000000000000";
  /** The region ElasticMQ puts in queue ARNs ({@code arn:aws:sqs:us-east-1:000000000000:<queue>}). */
  public static final String REGION = "us-east-1";

  static final int VISIBILITY_TIMEOUT_SECONDS = 30;
  static final int MAX_RECEIVE_COUNT = 5;
  private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);

  private SqsEndpointMain() {}

  public static void main(String[] args) throws Exception {
    if (args.length != 1) {
      System.err.println("usage: SqsEndpointMain <port>");
      System.exit(2);
    }
    int port = Integer.parseInt(args[0]);
    long startNanos = System.nanoTime();
    // our settings over ElasticMQ's reference.conf / application.conf (Pekko settings)
    Config config = ConfigFactory.parseString(config(port)).withFallback(ConfigFactory.load()).resolve();
    // no shutdown hook: the queues live in memory, so there is nothing to flush on SIGTERM
    new ElasticMQServer(new ElasticMQServerConfig(config)).start();

    // start() returns once the port is bound; the configured queues are created right after
    for (String queue : List.of(DEAD_LETTER_QUEUE, EVENTS_QUEUE)) {
      awaitQueue(port, queue);
    }
    System.out.printf("SQS endpoint listening on http://127.0.0.1:%d (queue URL http://127.0.0.1:%d/%s/%s, "
            + "started in %d ms)%n",
        port, port, ACCOUNT_ID, EVENTS_QUEUE, Duration.ofNanos(System.nanoTime() - startNanos).toMillis());
    Thread.currentThread().join();
  }

  /** ElasticMQ's configuration (HOCON) for a node on 127.0.0.1:{@code port}. */
  static String config(int port) {
    return String.join("\n",
        "node-address { protocol = http, host = \"127.0.0.1\", port = " + port + ", context-path = \"\" }",
        "generate-node-address = false",
        "rest-sqs { enabled = true, bind-hostname = \"127.0.0.1\", bind-port = " + port + ", sqs-limits = strict }",
        "rest-stats.enabled = false",
        "aws { region = \"" + REGION + "\", accountId = \"" + ACCOUNT_ID + "\" }",
        "queues {",
        "  \"" + DEAD_LETTER_QUEUE + "\" {}",
        "  \"" + EVENTS_QUEUE + "\" {",
        "    defaultVisibilityTimeout = " + VISIBILITY_TIMEOUT_SECONDS + " seconds",
        "    receiveMessageWait = 0 seconds",
        "    deadLettersQueue { name = \"" + DEAD_LETTER_QUEUE + "\", maxReceiveCount = " + MAX_RECEIVE_COUNT + " }",
        "  }",
        "}");
  }

  /** Waits until ElasticMQ answers {@code GetQueueUrl} for {@code queue} with 200. */
  private static void awaitQueue(int port, String queue) throws IOException, InterruptedException {
    HttpClient http = HttpClient.newHttpClient();
    URI uri = URI.create("http://127.0.0.1:" + port + "/?Action=GetQueueUrl&QueueName=" + queue);
    long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
    while (true) {
      HttpResponse<InputStream> response =
          http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5)).build(),
              HttpResponse.BodyHandlers.ofInputStream());
      try (InputStream body = response.body()) {
        body.readAllBytes();
      }
      if (response.statusCode() == 200) {
        return;
      }
      if (System.nanoTime() > deadline) {
        System.err.println("Cannot create SQS queue " + queue + ": GetQueueUrl still answers HTTP "
            + response.statusCode() + " after " + READY_TIMEOUT.toSeconds() + " s");
        System.exit(1);
      }
      Thread.sleep(50);
    }
  }
}
