package dev.baton.connect.s3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import software.amazon.awssdk.services.emr.EmrClient;
import software.amazon.awssdk.services.emr.model.DescribeStepRequest;
import software.amazon.awssdk.services.emr.model.DescribeStepResponse;
import software.amazon.awssdk.services.emrserverless.EmrServerlessClient;
import software.amazon.awssdk.services.emrserverless.model.GetJobRunRequest;
import software.amazon.awssdk.services.emrserverless.model.GetJobRunResponse;

/**
 * EMR lookups in many regions keep at most a bound of SDK clients open: the real EMR and EMR
 * Serverless clients call a local HTTP server (answering with the documented response shapes, as
 * {@link AwsEmrLookupContractTest}), which records the region each request was signed for. Each
 * client is wrapped to see whether it was closed (the URL-connection SDK client itself works on
 * after close, so closing leaves no other trace).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AwsEmrLookupClientCacheTest {
  private static final Path EVENTS = Path.of("..", "examples", "events");
  private static final Pattern SIGNED_REGION = Pattern.compile("Credential=[^/]+/[0-9]+/([^/]+)/");
  private static final List<String> REGIONS = List.of("us-east-1", "us-east-2", "us-west-2", "eu-west-1", "eu-west-3",
      "eu-central-1", "eu-north-1", "ap-southeast-2", "ap-northeast-1", "sa-east-1", "ca-central-1", "me-south-1");

  private HttpServer server;
  private String endpoint;
  private final List<String> signedRegions = new CopyOnWriteArrayList<>();

  @BeforeAll
  void start() throws IOException {
    byte[] step = Files.readAllBytes(EVENTS.resolve("emr-describe-step-response.json"));
    byte[] jobRun = Files.readAllBytes(EVENTS.resolve("emr-serverless-get-job-run-response.json"));
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/", exchange -> {
      exchange.getRequestBody().readAllBytes();
      Matcher matcher = SIGNED_REGION.matcher(String.valueOf(exchange.getRequestHeaders().getFirst("Authorization")));
      signedRegions.add(matcher.find() ? matcher.group(1) : "unsigned");
      boolean emr = exchange.getRequestHeaders().getFirst("X-Amz-Target") != null;
      byte[] body = emr ? step : jobRun;
      exchange.getResponseHeaders().add("Content-Type", emr ? "application/x-amz-json-1.1" : "application/json");
      exchange.sendResponseHeaders(200, body.length);
      exchange.getResponseBody().write(body);
      exchange.close();
    });
    server.start();
    System.setProperty("aws.accessKeyId", "cache-test");
    System.setProperty("aws.secretAccessKey", "cache-test-secret");
    endpoint = "http://127.0.0.1:" + server.getAddress().getPort();
  }

  @AfterAll
  void stop() {
    server.stop(0);
    System.clearProperty("aws.accessKeyId");
    System.clearProperty("aws.secretAccessKey");
  }

  /** A real EMR client that remembers whether it was closed, and refuses calls once it is. */
  private static final class TrackedEmr implements EmrClient {
    final String region;
    final EmrClient client;
    volatile boolean closed;

    TrackedEmr(String region, EmrClient client) {
      this.region = region;
      this.client = client;
    }

    @Override
    public DescribeStepResponse describeStep(DescribeStepRequest request) {
      if (closed) {
        throw new IllegalStateException("Cannot describe a step: the " + region + " client is closed");
      }
      return client.describeStep(request);
    }

    @Override
    public String serviceName() {
      return client.serviceName();
    }

    @Override
    public void close() {
      closed = true;
      client.close();
    }
  }

  /** The same for EMR Serverless. */
  private static final class TrackedServerless implements EmrServerlessClient {
    final EmrServerlessClient client;
    volatile boolean closed;

    TrackedServerless(EmrServerlessClient client) {
      this.client = client;
    }

    @Override
    public GetJobRunResponse getJobRun(GetJobRunRequest request) {
      if (closed) {
        throw new IllegalStateException("Cannot get a job run: the client is closed");
      }
      return client.getJobRun(request);
    }

    @Override
    public String serviceName() {
      return client.serviceName();
    }

    @Override
    public void close() {
      closed = true;
      client.close();
    }
  }

  @Test
  void lookupsInManyRegionsKeepAtMostTheBoundOfClientsOpenAndCloseTheEvictedOnes() {
    int bound = 3;
    List<TrackedEmr> built = new ArrayList<>();
    List<TrackedServerless> builtServerless = new ArrayList<>();
    AwsEmrLookup lookup = new AwsEmrLookup(
        new RegionalClients<EmrServerlessClient>("EMR Serverless", bound, region -> {
          TrackedServerless client = new TrackedServerless(AwsEmrLookup.serverlessClient(region, endpoint));
          builtServerless.add(client);
          return client;
        }),
        new RegionalClients<EmrClient>("EMR", bound, region -> {
          TrackedEmr client = new TrackedEmr(region, AwsEmrLookup.emrClient(region, endpoint));
          built.add(client);
          return client;
        }),
        new RegionalClients<software.amazon.awssdk.services.emrcontainers.EmrContainersClient>("EMR on EKS", bound,
            region -> software.amazon.awssdk.services.emrcontainers.EmrContainersClient.builder()
                .httpClientBuilder(software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient.builder())
                .region(software.amazon.awssdk.regions.Region.of(region)).endpointOverride(java.net.URI.create(endpoint))
                .build()));

    // many lookups within the bound: one client per region, reused
    for (int i = 0; i < 30; i++) {
      assertThat(lookup.stepFailure(REGIONS.get(i % bound), "j-1", "s-3T9WX2NB7C4QF")).isPresent();
    }
    assertThat(built).extracting(client -> client.region).containsExactly(REGIONS.subList(0, bound).toArray(String[]::new));
    assertThat(built).noneMatch(client -> client.closed);

    // every region once, twice over: never more than the bound open, the least recently used closed
    signedRegions.clear();
    for (int round = 0; round < 2; round++) {
      for (String region : REGIONS) {
        assertThat(lookup.stepFailure(region, "j-1", "s-3T9WX2NB7C4QF")).isPresent();
        assertThat(built.stream().filter(client -> !client.closed)).hasSizeLessThanOrEqualTo(bound);
      }
    }
    assertThat(signedRegions).as("each lookup signed for its own region")
        .containsExactlyElementsOf(java.util.stream.Stream.concat(REGIONS.stream(), REGIONS.stream()).toList());
    assertThat(built.stream().filter(client -> !client.closed).map(client -> client.region))
        .containsExactlyInAnyOrderElementsOf(REGIONS.subList(REGIONS.size() - bound, REGIONS.size()));
    // round one reuses the first regions' clients, then each region evicts the least recently used
    assertThat(built).hasSize(2 * REGIONS.size());
    TrackedEmr evicted = built.get(0);
    assertThat(evicted.closed).isTrue();
    assertThatThrownBy(() -> evicted.describeStep(DescribeStepRequest.builder().clusterId("j-1").stepId("s-1").build()))
        .isInstanceOf(IllegalStateException.class);

    // EMR Serverless has its own bound
    for (String region : REGIONS) {
      assertThat(lookup.jobRun(region, "00fkq2m8u3gbv60b", "00fkq2xg7h3rd40a")).isPresent();
    }
    assertThat(builtServerless).hasSize(REGIONS.size());
    assertThat(builtServerless.stream().filter(client -> !client.closed)).hasSize(bound);

    // stopping the task closes the rest
    lookup.close();
    assertThat(built).allMatch(client -> client.closed);
    assertThat(builtServerless).allMatch(client -> client.closed);
  }

  @Test
  void theBoundMustBePositive() {
    assertThatThrownBy(() -> new RegionalClients<EmrClient>("EMR", 0, region -> null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Cannot cache EMR clients: max clients 0 < 1");
  }
}
