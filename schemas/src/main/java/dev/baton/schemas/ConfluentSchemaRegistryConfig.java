package dev.baton.schemas;

import java.net.URI;
import java.net.URISyntaxException;

/**
 * How {@link ConfluentSchemaRegistry} reaches a Confluent-REST-compatible schema registry.
 *
 * <p>Start from {@link #of(String)} and refine with the {@code with*} methods:
 *
 * <pre>{@code
 * ConfluentSchemaRegistryConfig.of("https://registry.example.com")
 *     .withBasicAuth("api-key", "api-secret")
 *     .withRequestTimeoutMs(5_000)
 *     .withAutoRegister(false);
 * }</pre>
 *
 * @param baseUrl the registry's base URL, {@code http} or {@code https}, optionally with a path
 *     prefix; without user info (use {@link #withBasicAuth}) and without a trailing slash
 * @param basicAuthUser HTTP basic auth user (RFC 7617; no {@code ':'}), or {@code null} when basic
 *     auth is not used
 * @param basicAuthPassword HTTP basic auth password, {@code null} exactly when {@code
 *     basicAuthUser} is
 * @param bearerToken a bearer token (RFC 6750) sent as {@code Authorization: Bearer <token>}, or
 *     {@code null}; not together with basic auth
 * @param requestTimeoutMs how long one request (and connecting) may take, in milliseconds;
 *     positive; default {@value #DEFAULT_REQUEST_TIMEOUT_MS}
 * @param autoRegister whether {@link ConfluentSchemaRegistry#idFor} registers a schema the
 *     subject does not have yet (like Confluent's {@code auto.register.schemas}); when {@code
 *     false} it only looks the schema up; default {@value #DEFAULT_AUTO_REGISTER}
 */
public record ConfluentSchemaRegistryConfig(
    URI baseUrl,
    String basicAuthUser,
    String basicAuthPassword,
    String bearerToken,
    long requestTimeoutMs,
    boolean autoRegister) {

  /** Default of {@link #requestTimeoutMs()}: 10 seconds. */
  public static final long DEFAULT_REQUEST_TIMEOUT_MS = 10_000;
  /** Default of {@link #autoRegister()}, as Confluent's serializers. */
  public static final boolean DEFAULT_AUTO_REGISTER = true;

  /**
   * Validates and normalizes (drops a trailing slash of {@code baseUrl}).
   *
   * @throws IllegalArgumentException if a value is invalid (the message never contains a secret)
   */
  public ConfluentSchemaRegistryConfig {
    if (baseUrl == null) {
      throw new IllegalArgumentException("Invalid schema registry URL: null");
    }
    if (baseUrl.getRawUserInfo() != null) {
      throw new IllegalArgumentException("Cannot use schema registry URL with user info: use basic auth instead");
    }
    if (!("http".equals(baseUrl.getScheme()) || "https".equals(baseUrl.getScheme())) || baseUrl.getHost() == null
        || baseUrl.getRawQuery() != null || baseUrl.getRawFragment() != null) {
      throw new IllegalArgumentException(
          String.format("Cannot use schema registry URL: %s (expected http(s)://host[:port][/path])", baseUrl));
    }
    String url = baseUrl.toString();
    while (url.endsWith("/")) {
      url = url.substring(0, url.length() - 1);
    }
    baseUrl = URI.create(url);
    if (basicAuthUser != null && basicAuthPassword == null) {
      throw new IllegalArgumentException("Invalid basic auth password: null");
    }
    if (basicAuthUser == null && basicAuthPassword != null) {
      throw new IllegalArgumentException("Invalid basic auth user: null");
    }
    if (basicAuthUser != null && basicAuthUser.indexOf(':') >= 0) {
      throw new IllegalArgumentException(String.format("Cannot use basic auth user: %s (contains ':')", basicAuthUser));
    }
    if (bearerToken != null && bearerToken.isBlank()) {
      throw new IllegalArgumentException("Cannot use bearer token: blank");
    }
    if (basicAuthUser != null && bearerToken != null) {
      throw new IllegalArgumentException("Cannot use both basic auth and a bearer token");
    }
    if (requestTimeoutMs <= 0) {
      throw new IllegalArgumentException(
          String.format("Cannot use request timeout: %s ms (must be positive)", requestTimeoutMs));
    }
  }

  /**
   * A config for {@code baseUrl} without authentication, with the default request timeout and
   * auto-registration.
   *
   * @throws IllegalArgumentException if {@code baseUrl} is null, not a URL, or not as {@link
   *     #baseUrl()} requires
   */
  public static ConfluentSchemaRegistryConfig of(String baseUrl) {
    if (baseUrl == null) {
      throw new IllegalArgumentException("Invalid schema registry URL: null");
    }
    URI uri;
    try {
      uri = new URI(baseUrl);
    } catch (URISyntaxException e) {
      // the reason, not the input: a URL may carry a password
      throw new IllegalArgumentException("Cannot parse schema registry URL: " + e.getReason() + " at index " + e.getIndex());
    }
    return new ConfluentSchemaRegistryConfig(uri, null, null, null, DEFAULT_REQUEST_TIMEOUT_MS, DEFAULT_AUTO_REGISTER);
  }

  /** A copy that authenticates with HTTP basic auth (and no bearer token). */
  public ConfluentSchemaRegistryConfig withBasicAuth(String user, String password) {
    if (user == null) {
      throw new IllegalArgumentException("Invalid basic auth user: null");
    }
    return new ConfluentSchemaRegistryConfig(baseUrl, user, password, null, requestTimeoutMs, autoRegister);
  }

  /** A copy that authenticates with a bearer token (and no basic auth). */
  public ConfluentSchemaRegistryConfig withBearerToken(String token) {
    if (token == null) {
      throw new IllegalArgumentException("Invalid bearer token: null");
    }
    return new ConfluentSchemaRegistryConfig(baseUrl, null, null, token, requestTimeoutMs, autoRegister);
  }

  /** A copy with another request timeout, in milliseconds. */
  public ConfluentSchemaRegistryConfig withRequestTimeoutMs(long timeoutMs) {
    return new ConfluentSchemaRegistryConfig(baseUrl, basicAuthUser, basicAuthPassword, bearerToken, timeoutMs, autoRegister);
  }

  /** A copy that does or does not register unknown schemas. */
  public ConfluentSchemaRegistryConfig withAutoRegister(boolean register) {
    return new ConfluentSchemaRegistryConfig(baseUrl, basicAuthUser, basicAuthPassword, bearerToken, requestTimeoutMs, register);
  }

  /** All settings, with the password and token masked. */
  @Override
  public String toString() {
    String auth = basicAuthUser != null ? "basic(user=" + basicAuthUser + ", password=****)"
        : bearerToken != null ? "bearer(token=****)" : "none";
    return "ConfluentSchemaRegistryConfig[baseUrl=" + baseUrl + ", auth=" + auth + ", requestTimeoutMs="
        + requestTimeoutMs + ", autoRegister=" + autoRegister + "]";
  }
}
