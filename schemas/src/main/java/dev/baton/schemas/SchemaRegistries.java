package dev.baton.schemas;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The schema registry Baton configuration names, from its {@code schema.registry.*} keys (flat
 * properties, Iceberg-style keys): without {@value #URL}, the {@link BuiltInSchemaRegistry} (the
 * bundled schemas under fixed ids, what the local stack uses); with it, a {@link
 * ConfluentSchemaRegistry}.
 *
 * <ul>
 *   <li>{@value #URL}: base URL of a Confluent-compatible registry; default none (built-in)
 *   <li>{@value #BASIC_AUTH_USER}, {@value #BASIC_AUTH_PASSWORD}: HTTP basic auth; default none
 *   <li>{@value #BEARER_TOKEN}: a bearer token instead of basic auth; default none
 *   <li>{@value #REQUEST_TIMEOUT_MS}: per request, ms; default {@value
 *       ConfluentSchemaRegistryConfig#DEFAULT_REQUEST_TIMEOUT_MS}
 *   <li>{@value #AUTO_REGISTER}: register a schema the subject does not have yet; default {@value
 *       ConfluentSchemaRegistryConfig#DEFAULT_AUTO_REGISTER}
 * </ul>
 */
public final class SchemaRegistries {
  /** Prefix of the registry keys. */
  public static final String PREFIX = "schema.registry.";
  public static final String URL = PREFIX + "url";
  public static final String BASIC_AUTH_USER = PREFIX + "basic-auth.user";
  public static final String BASIC_AUTH_PASSWORD = PREFIX + "basic-auth.password";
  public static final String BEARER_TOKEN = PREFIX + "bearer-token";
  public static final String REQUEST_TIMEOUT_MS = PREFIX + "request-timeout-ms";
  public static final String AUTO_REGISTER = PREFIX + "auto-register";

  private SchemaRegistries() {}

  /**
   * The registry {@code config} names.
   *
   * @throws IllegalArgumentException naming the key, for an invalid value (never showing a secret)
   */
  public static SchemaRegistry fromConfig(Map<String, String> config) {
    ConfluentSchemaRegistryConfig registry = confluentConfig(config);
    return registry == null ? BuiltInSchemaRegistry.instance() : new ConfluentSchemaRegistry(registry);
  }

  /**
   * The event serde on the registry {@code config} names, one per distinct registry setting in this
   * JVM: Spark tasks call this for every partition of every micro-batch, and a registry client keeps
   * its HTTP connections and the ids it has resolved.
   */
  public static EventSerde serde(Map<String, String> config) {
    Map<String, String> settings = settings(config);
    if (settings.isEmpty()) {
      return EventSerde.builtIn();
    }
    return SERDES.computeIfAbsent(Map.copyOf(settings), key -> new EventSerde(fromConfig(key)));
  }

  private static final java.util.concurrent.ConcurrentMap<Map<String, String>, EventSerde> SERDES =
      new java.util.concurrent.ConcurrentHashMap<>();

  /**
   * The registry settings of {@code config} (its {@code schema.registry.*} entries), as a
   * serializable map to hand to Spark tasks, which build their own registry client from it.
   */
  public static Map<String, String> settings(Map<String, String> config) {
    Map<String, String> settings = new LinkedHashMap<>();
    config.forEach((key, value) -> {
      if (key.startsWith(PREFIX)) {
        settings.put(key, value);
      }
    });
    return settings;
  }

  /**
   * The Confluent registry settings, or null for the built-in registry.
   *
   * @throws IllegalArgumentException naming the key, for an invalid value
   */
  public static ConfluentSchemaRegistryConfig confluentConfig(Map<String, String> config) {
    String url = config.get(URL);
    if (url == null || url.isBlank()) {
      for (String key : settings(config).keySet()) {
        throw new IllegalArgumentException("Cannot use " + key + " without " + URL);
      }
      return null;
    }
    ConfluentSchemaRegistryConfig registry;
    try {
      registry = ConfluentSchemaRegistryConfig.of(url.strip());
      if (config.containsKey(BASIC_AUTH_USER) || config.containsKey(BASIC_AUTH_PASSWORD)) {
        registry = registry.withBasicAuth(config.get(BASIC_AUTH_USER), config.get(BASIC_AUTH_PASSWORD));
      }
      if (config.containsKey(BEARER_TOKEN)) {
        if (registry.basicAuthUser() != null) {
          throw new IllegalArgumentException("Cannot use both basic auth and a bearer token");
        }
        registry = registry.withBearerToken(config.get(BEARER_TOKEN));
      }
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("Invalid " + PREFIX + "* settings: " + e.getMessage(), e);
    }
    String timeout = config.get(REQUEST_TIMEOUT_MS);
    if (timeout != null) {
      try {
        registry = registry.withRequestTimeoutMs(Long.parseLong(timeout.strip()));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("Invalid " + REQUEST_TIMEOUT_MS + ": " + timeout + " (a positive number of ms)");
      }
    }
    String register = config.get(AUTO_REGISTER);
    if (register != null) {
      if (!register.strip().equalsIgnoreCase("true") && !register.strip().equalsIgnoreCase("false")) {
        throw new IllegalArgumentException("Invalid " + AUTO_REGISTER + ": " + register + " (true or false)");
      }
      registry = registry.withAutoRegister(Boolean.parseBoolean(register.strip()));
    }
    return registry;
  }
}
