package dev.baton.cli.config;

import dev.baton.schemas.BuiltInSchemaRegistry;
import dev.baton.schemas.EventSerde;
import dev.baton.schemas.SchemaRegistry;
import java.util.Map;

/**
 * The schema registry a configuration names: {@value #URL} unset means the {@link
 * BuiltInSchemaRegistry} (the bundled schemas under fixed ids).
 */
public final class SchemaRegistries {
  /** Base URL of a Confluent-compatible schema registry. */
  public static final String URL = "schema.registry.url";

  private SchemaRegistries() {}

  /** The registry of {@code config}. */
  public static SchemaRegistry fromConfig(Map<String, String> config) {
    String url = config.get(URL);
    if (url == null || url.isBlank()) {
      return BuiltInSchemaRegistry.instance();
    }
    throw new org.apache.kafka.common.config.ConfigException(URL, url, "this build has no client for a registry"
        + " server yet; remove the key to use the built-in registry");
  }

  /** The event serde on the registry of {@code config}. */
  public static EventSerde serde(Map<String, String> config) {
    SchemaRegistry registry = fromConfig(config);
    return registry == BuiltInSchemaRegistry.instance() ? EventSerde.builtIn() : new EventSerde(registry);
  }

  static ServiceCheck check(Configuration configuration) {
    String url = configuration.values().get(URL);
    if (url == null || url.isBlank()) {
      return ServiceCheck.ok("registry", "built-in (the bundled schemas under fixed ids; set " + URL + " for a registry server)");
    }
    try {
      fromConfig(configuration.values());
      return ServiceCheck.ok("registry", url);
    } catch (RuntimeException e) {
      return ServiceCheck.failed("registry", URL, e.getMessage());
    }
  }
}
