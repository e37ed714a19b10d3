package dev.baton.cli.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import dev.baton.config.providers.SecretsManagerConfigProvider;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Secrets Manager has no local server: this contract test serves the documented {@code
 * GetSecretValue} response and error shapes (AWS JSON 1.1;
 * docs.aws.amazon.com/secretsmanager/latest/apireference/API_GetSecretValue.html and its
 * CommonErrors) to the real AWS SDK client and checks the request it sends.
 */
class SecretsManagerConfigProviderTest {
  /** The response example of the API reference, with the SecretString of an MSK SASL/SCRAM secret. */
  private static final String RESPONSE = """
      {"ARN":"arn:aws:secretsmanager:us-west-2:123456789012:secret:AmazonMSK_baton-a1b2c3",
       "CreatedDate":1.523477145713E9,
       "Name":"AmazonMSK_baton",
       "SecretString":"{\\n  \\"username\\":\\"baton-controller\\",\\n  \\"password\\":\\"EXAMPLE-PASSWORD\\"\\n}\\n",
       "VersionId":"EXAMPLE1-90ab-cdef-fedc-ba987SECRET1",
       "VersionStages":["AWSCURRENT"]}
      """;
  private static final String NOT_FOUND = """
      {"__type":"ResourceNotFoundException","Message":"Secrets Manager can't find the specified secret."}
      """;

  @TempDir
  Path dir;
  private HttpServer server;
  private final List<String> bodies = new CopyOnWriteArrayList<>();
  private final List<String> targets = new CopyOnWriteArrayList<>();
  private final List<String> authorizations = new CopyOnWriteArrayList<>();

  @BeforeEach
  void serve() throws Exception {
    System.setProperty("aws.accessKeyId", "AKIDEXAMPLE");
    System.setProperty("aws.secretAccessKey", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY");
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/", exchange -> {
      String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
      bodies.add(body);
      targets.add(exchange.getRequestHeaders().getFirst("X-Amz-Target"));
      authorizations.add(exchange.getRequestHeaders().getFirst("Authorization"));
      boolean known = body.contains("\"AmazonMSK_baton\"");
      byte[] response = (known ? RESPONSE : NOT_FOUND).getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().set("Content-Type", "application/x-amz-json-1.1");
      exchange.sendResponseHeaders(known ? 200 : 400, response.length);
      exchange.getResponseBody().write(response);
      exchange.close();
    });
    server.start();
  }

  @AfterEach
  void stop() {
    server.stop(0);
    System.clearProperty("aws.accessKeyId");
    System.clearProperty("aws.secretAccessKey");
  }

  @Test
  void readsAFieldOfAJsonSecretWithASignedGetSecretValue() {
    try (SecretsManagerConfigProvider provider = provider()) {
      var data = provider.get("AmazonMSK_baton", Set.of("password", "username"));

      assertThat(data.data()).containsExactlyInAnyOrderEntriesOf(
          Map.of("password", "EXAMPLE-PASSWORD", "username", "baton-controller"));
    }
    assertThat(targets).containsExactly("secretsmanager.GetSecretValue");
    assertThat(bodies).containsExactly("{\"SecretId\":\"AmazonMSK_baton\"}");
    assertThat(authorizations.get(0)).startsWith("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/")
        .contains("/us-west-2/secretsmanager/aws4_request");
  }

  @Test
  void unknownSecretIsAConfigErrorNamingIt() {
    try (SecretsManagerConfigProvider provider = provider()) {
      assertThatThrownBy(() -> provider.get("nope", Set.of("password")))
          .isInstanceOf(ConfigException.class)
          .hasMessageStartingWith("Cannot read secret 'nope' from AWS Secrets Manager: Secrets Manager can't find the"
              + " specified secret.");
    }
  }

  @Test
  void missingFieldIsAConfigErrorWithoutTheSecret() {
    try (SecretsManagerConfigProvider provider = provider()) {
      assertThatThrownBy(() -> provider.get("AmazonMSK_baton", Set.of("token")))
          .isInstanceOf(ConfigException.class)
          .hasMessage("Cannot read secret 'AmazonMSK_baton': it has no field 'token'")
          .message().doesNotContain("EXAMPLE-PASSWORD");
    }
  }

  @Test
  void configurationFileDeclaresAndUsesIt() throws Exception {
    Path file = Files.writeString(dir.resolve("baton.properties"), """
        config.providers=sm
        config.providers.sm.class=dev.baton.config.providers.SecretsManagerConfigProvider
        config.providers.sm.param.region=us-west-2
        config.providers.sm.param.endpoint=http://127.0.0.1:%d
        kafka.bootstrap.servers=b-1.msk.example:9096
        kafka.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required \\
          username="${sm:AmazonMSK_baton:username}" password="${sm:AmazonMSK_baton:password}";
        """.formatted(server.getAddress().getPort()));

    Configuration config = Configuration.load(file);

    assertThat(config.values().get("kafka.sasl.jaas.config")).isEqualTo("org.apache.kafka.common.security.scram"
        + ".ScramLoginModule required username=\"baton-controller\" password=\"EXAMPLE-PASSWORD\";");
    assertThat(config.display("kafka.sasl.jaas.config")).isEqualTo("****");
  }

  private SecretsManagerConfigProvider provider() {
    SecretsManagerConfigProvider provider = new SecretsManagerConfigProvider();
    provider.configure(Map.of("region", "us-west-2", "endpoint", "http://127.0.0.1:" + server.getAddress().getPort()));
    return provider;
  }
}
