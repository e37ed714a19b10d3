package dev.baton.connect.s3;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpExchange;
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
 * EMR and EMR Serverless have no local server: a contract test. An HTTP server answers GetJobRun
 * (REST-JSON) and DescribeStep (AWS JSON 1.1) with the response shapes of the API reference
 * (examples/events/emr-serverless-get-job-run-response.json, emr-describe-step-response.json) and
 * AWS's error shape (x-amzn-ErrorType); the real AWS SDK clients call it.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AwsEmrLookupContractTest {
  private static final Path EVENTS = Path.of("..", "examples", "events");

  private HttpServer server;
  private final List<String> requests = new CopyOnWriteArrayList<>();
  private AwsEmrLookup lookup;
  private QueueMessageParser parser;

  @BeforeAll
  void start() throws IOException {
    byte[] jobRun = Files.readAllBytes(EVENTS.resolve("emr-serverless-get-job-run-response.json"));
    byte[] step = Files.readAllBytes(EVENTS.resolve("emr-describe-step-response.json"));
    byte[] eksJobRun = Files.readAllBytes(EVENTS.resolve("emr-containers-describe-job-run-response.json"));
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/", exchange -> {
      String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
      String target = exchange.getRequestHeaders().getFirst("X-Amz-Target");
      requests.add(exchange.getRequestMethod() + " " + exchange.getRequestURI().getPath() + " " + target + " " + body
          + " " + exchange.getRequestHeaders().getFirst("Authorization"));
      String path = exchange.getRequestURI().getPath();
      if ("ElasticMapReduce.DescribeStep".equals(target)) {
        if (body.contains("\"s-3T9WX2NB7C4QF\"")) {
          answer(exchange, 200, null, step, "application/x-amz-json-1.1");
        } else {
          answer(exchange, 400, "InvalidRequestException", "{\"message\":\"Step id is not valid\"}".getBytes(StandardCharsets.UTF_8),
              "application/x-amz-json-1.1");
        }
      } else if (path.equals("/virtualclusters/kzf1a2b3c4d5e6f7g8h9i0j1k/jobruns/0000000346m8ab2c9qe")) {
        answer(exchange, 200, null, eksJobRun, "application/json");
      } else if (path.startsWith("/virtualclusters/")) { // the EMR on EKS model: ResourceNotFoundException is a 400
        answer(exchange, 400, "ResourceNotFoundException",
            "{\"message\":\"Job run does not exist\"}".getBytes(StandardCharsets.UTF_8), "application/json");
      } else if (path.equals("/applications/00fkq2m8u3gbv60b/jobruns/00fkq2xg7h3rd40a")) {
        answer(exchange, 200, null, jobRun, "application/json");
      } else if (path.endsWith("/jobruns/forbidden1")) {
        answer(exchange, 403, "AccessDeniedException",
            "{\"message\":\"User is not authorized to perform: emr-serverless:GetJobRun\"}".getBytes(StandardCharsets.UTF_8),
            "application/json");
      } else {
        answer(exchange, 404, "ResourceNotFoundException",
            "{\"message\":\"Job run does not exist\"}".getBytes(StandardCharsets.UTF_8), "application/json");
      }
    });
    server.start();
    System.setProperty("aws.accessKeyId", "contract-test");
    System.setProperty("aws.secretAccessKey", "contract-test-secret");
    String endpoint = "http://127.0.0.1:" + server.getAddress().getPort();
    lookup = new AwsEmrLookup(endpoint, endpoint, endpoint,
        software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider.create());
    parser = new QueueMessageParser(true, lookup);
  }

  private static void answer(HttpExchange exchange, int status, String errorType, byte[] body, String contentType)
      throws IOException {
    if (errorType != null) {
      exchange.getResponseHeaders().add("x-amzn-ErrorType", errorType);
    }
    exchange.getResponseHeaders().add("Content-Type", contentType);
    exchange.sendResponseHeaders(status, body.length);
    exchange.getResponseBody().write(body);
    exchange.close();
  }

  @AfterAll
  void stop() {
    lookup.close();
    server.stop(0);
    System.clearProperty("aws.accessKeyId");
    System.clearProperty("aws.secretAccessKey");
  }

  private static String fixture(String name) throws IOException {
    return Files.readString(EVENTS.resolve(name));
  }

  private static StageCompleted onlyCompletion(List<ParsedEvent> events) {
    assertThat(events).singleElement().isInstanceOf(ParsedEvent.StageEvent.class);
    ControlEvent event = ((ParsedEvent.StageEvent) events.get(0)).event();
    assertThat(event.getRunId()).isEqualTo("3f8a2c1e-9b7d-3e4f-a1b2-c3d4e5f60718");
    assertThat(event.getPipeline()).isEqualTo("tpch-12");
    return (StageCompleted) event.getPayload();
  }

  @Test
  void aJobRunEventWithoutANameIsCompletedWithTheNameStateDetailsAndLogsFromGetJobRun() throws IOException {
    StageCompleted completed = onlyCompletion(parser.parse(fixture("emr-serverless-job-run-failed.json")));

    assertThat(requests).anySatisfy(request -> assertThat(request)
        .startsWith("GET /applications/00fkq2m8u3gbv60b/jobruns/00fkq2xg7h3rd40a ")
        .contains("AWS4-HMAC-SHA256").contains("/us-east-1/emr-serverless/aws4_request"));
    assertThat(completed.getStage()).isEqualTo("enrich");
    assertThat(completed.getAttempt()).isEqualTo(2);
    assertThat(completed.getStatus()).isEqualTo(StageStatus.FAILED);
    assertThat(completed.getError().getMessage()).contains("java.lang.OutOfMemoryError: Java heap space");
    assertThat(completed.getError().getLogUri()).isEqualTo("s3://acme-logs/emr-serverless/");
    assertThat(completed.getApplicationId()).isEqualTo("00fkq2xg7h3rd40a"); // the ledger's application_id
    assertThat(completed.getLogUri()).isEqualTo("s3://acme-logs/emr-serverless/");
  }

  @Test
  void aJobRunGetJobRunDoesNotFindIsUnroutable() throws IOException {
    String event = fixture("emr-serverless-job-run-failed.json").replace("00fkq2xg7h3rd40a", "gone1");
    assertThat(parser.parse(event)).singleElement().isInstanceOf(ParsedEvent.Unroutable.class)
        .extracting(e -> ((ParsedEvent.Unroutable) e).reason()).asString().contains("GetJobRun does not find it");
  }

  @Test
  void aRefusedLookupIsUnroutableWithTheStatus() throws IOException {
    String event = fixture("emr-serverless-job-run-failed.json").replace("00fkq2xg7h3rd40a", "forbidden1");
    assertThat(parser.parse(event)).singleElement().isInstanceOf(ParsedEvent.Unroutable.class)
        .extracting(e -> ((ParsedEvent.Unroutable) e).reason()).asString().contains("HTTP 403");
  }

  @Test
  void aFailedStepGetsItsFailureDetailsAndLogFileFromDescribeStep() throws IOException {
    StageCompleted completed = onlyCompletion(parser.parse(fixture("emr-step-status-change-failed.json")));

    assertThat(requests).anySatisfy(request -> assertThat(request)
        .startsWith("POST / ElasticMapReduce.DescribeStep ")
        .contains("\"ClusterId\":\"j-2AXXXXXXGAPLF\"").contains("\"StepId\":\"s-3T9WX2NB7C4QF\"")
        .contains("/us-east-1/elasticmapreduce/aws4_request"));
    assertThat(completed.getStatus()).isEqualTo(StageStatus.FAILED);
    assertThat(completed.getError().getMessage()).contains("failed at 2026-11-24 09:24 UTC")
        .contains("Unknown Error: Exception in thread \"main\" org.apache.spark.SparkException");
    assertThat(completed.getError().getLogUri())
        .isEqualTo("s3://acme-logs/emr/j-2AXXXXXXGAPLF/steps/s-3T9WX2NB7C4QF/stderr.gz");
    assertThat(completed.getApplicationId()).isEqualTo("s-3T9WX2NB7C4QF");
  }

  @Test
  void aStepDescribeStepRefusesIsStillReportedWithTheEventsMessage() throws IOException {
    String event = fixture("emr-step-status-change-failed.json").replace("s-3T9WX2NB7C4QF", "s-UNKNOWN");
    StageCompleted completed = onlyCompletion(parser.parse(event));

    assertThat(completed.getStatus()).isEqualTo(StageStatus.FAILED);
    assertThat(completed.getError().getMessage()).contains("s-UNKNOWN").contains("DescribeStep failed with HTTP 400");
    assertThat(completed.getError().getLogUri()).isNull();
  }

  @Test
  void anEmrOnEksJobRunIsNamedByItsTagsFromDescribeJobRunWithItsFailureReason() throws IOException {
    StageCompleted completed = onlyCompletion(parser.parse(fixture("emr-containers-job-run-state-change.json")));

    assertThat(requests).anySatisfy(request -> assertThat(request)
        .startsWith("GET /virtualclusters/kzf1a2b3c4d5e6f7g8h9i0j1k/jobruns/0000000346m8ab2c9qe ")
        .contains("/us-east-1/emr-containers/aws4_request"));
    assertThat(completed.getStage()).isEqualTo("enrich");
    assertThat(completed.getAttempt()).isEqualTo(2);
    assertThat(completed.getStatus()).isEqualTo(StageStatus.FAILED);
    assertThat(completed.getError().getType()).isEqualTo("EMR_CONTAINERS_FAILED");
    assertThat(completed.getError().getMessage()).contains("FAILED: USER_ERROR Job failed")
        .contains("java.lang.OutOfMemoryError: Java heap space");
    assertThat(completed.getLogUri())
        .isEqualTo("s3://acme-logs/emr-eks/kzf1a2b3c4d5e6f7g8h9i0j1k/jobs/0000000346m8ab2c9qe/");
    assertThat(completed.getApplicationId()).isEqualTo("0000000346m8ab2c9qe");
  }

  @Test
  void anEmrOnEksJobRunDescribeJobRunDoesNotFindIsUnroutable() throws IOException {
    String event = fixture("emr-containers-job-run-state-change.json").replace("0000000346m8ab2c9qe", "gone1");
    assertThat(parser.parse(event)).singleElement().isInstanceOf(ParsedEvent.Unroutable.class)
        .extracting(e -> ((ParsedEvent.Unroutable) e).reason()).asString().contains("DescribeJobRun does not find it");
  }

  @Test
  void aCompletedStepNeedsNoLookup() throws IOException {
    int before = requests.size();
    assertThat(onlyCompletion(parser.parse(fixture("emr-step-status-change.json"))).getStatus())
        .isEqualTo(StageStatus.SUCCEEDED);
    assertThat(requests).hasSize(before);
  }
}
