package dev.baton.control.pipeline;

import static java.util.Objects.requireNonNull;

import java.io.Serializable;
import java.util.Map;

/**
 * Where a pipeline's alerts are also POSTed as JSON ({@code alerts.webhook} in pipeline YAML).
 *
 * @param url http(s) URL
 * @param headers extra request headers, e.g. {@code Authorization}
 * @param maxAttempts POST attempts in all (5xx, 429 and I/O errors are retried with back-off)
 */
public record WebhookDefinition(String url, Map<String, String> headers, int maxAttempts) implements Serializable {
  public WebhookDefinition {
    requireNonNull(url, "Invalid url: null");
    headers = headers == null ? Map.of() : Map.copyOf(headers);
  }
}
