package dev.baton.schemas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import org.junit.jupiter.api.Test;

class ConfluentSchemaRegistryConfigTest {

  private static final ConfluentSchemaRegistryConfig BASE = ConfluentSchemaRegistryConfig.of("https://registry.example.com:8081");

  @Test
  void defaultsToNoAuthTenSecondTimeoutAndAutoRegister() {
    assertThat(BASE.baseUrl()).isEqualTo(URI.create("https://registry.example.com:8081"));
    assertThat(BASE.basicAuthUser()).isNull();
    assertThat(BASE.basicAuthPassword()).isNull();
    assertThat(BASE.bearerToken()).isNull();
    assertThat(BASE.requestTimeoutMs()).isEqualTo(10_000L);
    assertThat(BASE.autoRegister()).isTrue();
  }

  @Test
  void takesExplicitValues() {
    ConfluentSchemaRegistryConfig config = BASE.withBasicAuth("alice", "s3cret").withRequestTimeoutMs(2_500).withAutoRegister(false);

    assertThat(config.basicAuthUser()).isEqualTo("alice");
    assertThat(config.basicAuthPassword()).isEqualTo("s3cret");
    assertThat(config.requestTimeoutMs()).isEqualTo(2_500L);
    assertThat(config.autoRegister()).isFalse();
    assertThat(config.withBearerToken("tok").bearerToken()).isEqualTo("tok");
    assertThat(config.withBearerToken("tok").basicAuthUser()).isNull(); // one kind of auth at a time
  }

  @Test
  void dropsATrailingSlashAndKeepsAPathPrefix() {
    assertThat(ConfluentSchemaRegistryConfig.of("http://localhost:8081/registry/").baseUrl())
        .isEqualTo(URI.create("http://localhost:8081/registry"));
  }

  @Test
  void rejectsInvalidUrls() {
    assertThatThrownBy(() -> ConfluentSchemaRegistryConfig.of(null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Invalid schema registry URL: null");
    assertThatThrownBy(() -> ConfluentSchemaRegistryConfig.of("ftp://registry"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Cannot use schema registry URL: ftp://registry (expected http(s)://host[:port][/path])");
    assertThatThrownBy(() -> ConfluentSchemaRegistryConfig.of("registry:8081"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Cannot use schema registry URL: registry:8081 (expected http(s)://host[:port][/path])");
    assertThatThrownBy(() -> ConfluentSchemaRegistryConfig.of("http://reg istry s3cret"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Cannot parse schema registry URL: Illegal character in authority at index 7");
    assertThatThrownBy(() -> ConfluentSchemaRegistryConfig.of("https://alice:s3cret@registry"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Cannot use schema registry URL with user info: use basic auth instead");
  }

  @Test
  void rejectsInvalidCredentialsAndTimeouts() {
    assertThatThrownBy(() -> BASE.withBasicAuth(null, "s3cret"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Invalid basic auth user: null");
    assertThatThrownBy(() -> BASE.withBasicAuth("alice", null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Invalid basic auth password: null");
    assertThatThrownBy(() -> BASE.withBasicAuth("al:ice", "s3cret"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Cannot use basic auth user: al:ice (contains ':')");
    assertThatThrownBy(() -> BASE.withBearerToken(null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Invalid bearer token: null");
    assertThatThrownBy(() -> BASE.withBearerToken(" "))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Cannot use bearer token: blank");
    assertThatThrownBy(() -> new ConfluentSchemaRegistryConfig(BASE.baseUrl(), "alice", "s3cret", "tok", 1_000, true))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Cannot use both basic auth and a bearer token");
    assertThatThrownBy(() -> BASE.withRequestTimeoutMs(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Cannot use request timeout: 0 ms (must be positive)");
  }

  @Test
  void toStringMasksThePasswordAndToken() {
    assertThat(BASE.withBasicAuth("alice", "s3cret").toString())
        .isEqualTo("ConfluentSchemaRegistryConfig[baseUrl=https://registry.example.com:8081, auth=basic(user=alice, password=****),"
            + " requestTimeoutMs=10000, autoRegister=true]");
    assertThat(BASE.withBearerToken("tok-123").toString())
        .isEqualTo("ConfluentSchemaRegistryConfig[baseUrl=https://registry.example.com:8081, auth=bearer(token=****),"
            + " requestTimeoutMs=10000, autoRegister=true]");
    assertThat(BASE.toString()).contains("auth=none");
  }
}
