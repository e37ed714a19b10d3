package dev.baton.schemas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SchemaRegistriesTest {

  @Test
  void withoutUrlTheBuiltInRegistry() {
    assertThat(SchemaRegistries.fromConfig(Map.of("kafka.bootstrap.servers", "b:9092")))
        .isSameAs(BuiltInSchemaRegistry.instance());
    assertThat(SchemaRegistries.confluentConfig(Map.of())).isNull();
  }

  @Test
  void defaults() {
    ConfluentSchemaRegistryConfig config = SchemaRegistries.confluentConfig(Map.of("schema.registry.url", "https://sr:8081/"));

    assertThat(config.baseUrl()).isEqualTo(URI.create("https://sr:8081"));
    assertThat(config.basicAuthUser()).isNull();
    assertThat(config.basicAuthPassword()).isNull();
    assertThat(config.bearerToken()).isNull();
    assertThat(config.requestTimeoutMs()).isEqualTo(10_000L);
    assertThat(config.autoRegister()).isTrue();
    assertThat(SchemaRegistries.fromConfig(Map.of("schema.registry.url", "https://sr:8081/")))
        .isInstanceOf(ConfluentSchemaRegistry.class);
  }

  @Test
  void explicitValues() {
    ConfluentSchemaRegistryConfig basic = SchemaRegistries.confluentConfig(Map.of("schema.registry.url", "https://sr",
        "schema.registry.basic-auth.user", "key", "schema.registry.basic-auth.password", "pw",
        "schema.registry.request-timeout-ms", "2500", "schema.registry.auto-register", "false"));
    ConfluentSchemaRegistryConfig bearer = SchemaRegistries.confluentConfig(Map.of("schema.registry.url", "https://sr",
        "schema.registry.bearer-token", "tok"));

    assertThat(basic.basicAuthUser()).isEqualTo("key");
    assertThat(basic.basicAuthPassword()).isEqualTo("pw");
    assertThat(basic.requestTimeoutMs()).isEqualTo(2_500L);
    assertThat(basic.autoRegister()).isFalse();
    assertThat(bearer.bearerToken()).isEqualTo("tok");
  }

  @Test
  void invalidValuesNameTheKeyWithoutTheSecret() {
    assertThatThrownBy(() -> SchemaRegistries.confluentConfig(Map.of("schema.registry.bearer-token", "tok")))
        .hasMessage("Cannot use schema.registry.bearer-token without schema.registry.url");
    assertThatThrownBy(() -> SchemaRegistries.confluentConfig(Map.of("schema.registry.url", "https://sr",
        "schema.registry.request-timeout-ms", "0")))
        .hasMessage("Invalid schema.registry.request-timeout-ms: 0 (a positive number of ms)");
    assertThatThrownBy(() -> SchemaRegistries.confluentConfig(Map.of("schema.registry.url", "https://sr",
        "schema.registry.auto-register", "yes")))
        .hasMessage("Invalid schema.registry.auto-register: yes (true or false)");
    assertThatThrownBy(() -> SchemaRegistries.confluentConfig(Map.of("schema.registry.url", "https://sr",
        "schema.registry.basic-auth.user", "u", "schema.registry.basic-auth.password", "secret-pw",
        "schema.registry.bearer-token", "secret-token")))
        .hasMessage("Invalid schema.registry.* settings: Cannot use both basic auth and a bearer token")
        .message().doesNotContain("secret");
  }
}
