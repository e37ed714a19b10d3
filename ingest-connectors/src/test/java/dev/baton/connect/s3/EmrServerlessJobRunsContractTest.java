package dev.baton.connect.s3;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.baton.schemas.event.ControlEvent;
import dev.baton.schemas.event.StageCompleted;
import dev.baton.schemas.event.StageStatus;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * EMR Serverless has no local server: a contract test. An HTTP server answers GetJobRun with the
 * response shape of the API reference (examples/events/emr-serverless-get-job-run-response.json)
 * and AWS's error shape (x-amzn-ErrorType); the real AWS SDK client calls it.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class EmrServerlessJobRunsContractTest {
  private static final Path EVENTS = Path.of("..", "examples", "events");

  private HttpServer server;
  private final List<String> requests = new CopyOnWriteArrayList<>();
  private EmrServerlessJobRuns jobRuns;
  private QueueMessageParser parser;

  @BeforeAll
  void start() throws IOException {
    byte[] jobRun = Files.readAllBytes(EVENTS.resolve("emr-serverless-get-job-run-response.json"));
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/", exchange -> {
      requests.add(exchange.getRequestMethod() + " " + exchange.getRequestURI().getPath() + " "
          + exchange.getRequestHeaders().getFirst("Authorization"));
      String path = exchange.getRequestURI().getPath();
      byte[] body;
      int status;
      if (path.equals("/applications/00fkq2m8u3gbv60b/jobruns/00fkq2xg7h3rd40a")) {
        status = 200;
        body = jobRun;
      } else if (path.endsWith("/jobruns/forbidden1")) {
        status = 403;
        exchange.getResponseHeaders().add("x-amzn-ErrorType", "AccessDeniedException");
        body = "{\"message\":\"User is not authorized to perform: emr-serverless:GetJobRun\"}".getBytes(StandardCharsets.UTF_8);
      } else {
        status = 404;
        exchange.getResponseHeaders().add("x-amzn-ErrorType", "ResourceNotFoundException");
        body = "{\"message\":\"Job run does not exist\"}".getBytes(StandardCharsets.UTF_8);
      }
      exchange.getResponseHeaders().add("Content-Type", "application/json");
      exchange.sendResponseHeaders(status, body.length);
      exchange.getResponseBody().write(body);
      exchange.close();
    });
    server.start();
    System.setProperty("aws.accessKeyId", "contract-test");
    System.setProperty("aws.secretAccessKey", "contract-test-secret");
    jobRuns = new EmrServerlessJobRuns("http://127.0.0.1:" + server.getAddress().getPort());
    parser = new QueueMessageParser(true, jobRuns);
  }

  @AfterAll
  void stop() {
    jobRuns.close();
    server.stop(0);
    System.clearProperty("aws.accessKeyId");
    System.clearProperty("aws.secretAccessKey");
  }

  private static String event(String jobRunId) throws IOException {
    return Files.readString(EVENTS.resolve("emr-serverless-job-run-failed.json")).replace("00fkq2xg7h3rd40a", jobRunId);
  }

  @Test
  void anEventWithoutANameIsCompletedWithTheNameStateDetailsAndLogsFromGetJobRun() throws IOException {
    List<ParsedEvent> events = parser.parse(event("00fkq2xg7h3rd40a"));

    assertThat(requests).anySatisfy(request -> assertThat(request)
        .startsWith("GET /applications/00fkq2m8u3gbv60b/jobruns/00fkq2xg7h3rd40a AWS4-HMAC-SHA256 ")
        .contains("/us-east-1/emr-serverless/aws4_request"));
    assertThat(events).singleElement().isInstanceOf(ParsedEvent.StageEvent.class);
    ControlEvent event = ((ParsedEvent.StageEvent) events.get(0)).event();
    assertThat(event.getRunId()).isEqualTo("3f8a2c1e-9b7d-3e4f-a1b2-c3d4e5f60718");
    assertThat(event.getPipeline()).isEqualTo("tpch-12");
    StageCompleted completed = (StageCompleted) event.getPayload();
    assertThat(completed.getStage()).isEqualTo("enrich");
    assertThat(completed.getAttempt()).isEqualTo(2);
    assertThat(completed.getStatus()).isEqualTo(StageStatus.FAILED);
    assertThat(completed.getError().getMessage()).contains("java.lang.OutOfMemoryError: Java heap space");
    assertThat(completed.getError().getLogUri()).isEqualTo("s3://acme-logs/emr-serverless/");
  }

  @Test
  void aJobRunGetJobRunDoesNotFindIsUnroutable() throws IOException {
    assertThat(parser.parse(event("gone1"))).singleElement().isInstanceOf(ParsedEvent.Unroutable.class)
        .extracting(e -> ((ParsedEvent.Unroutable) e).reason()).asString().contains("GetJobRun does not find it");
  }

  @Test
  void aRefusedLookupIsUnroutableWithTheStatus() throws IOException {
    assertThat(parser.parse(event("forbidden1"))).singleElement().isInstanceOf(ParsedEvent.Unroutable.class)
        .extracting(e -> ((ParsedEvent.Unroutable) e).reason()).asString().contains("HTTP 403");
  }
}
