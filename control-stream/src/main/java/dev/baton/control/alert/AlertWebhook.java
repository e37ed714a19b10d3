package dev.baton.control.alert;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.failsafe.Failsafe;
import dev.failsafe.FailsafeExecutor;
import dev.failsafe.RetryPolicy;
import dev.failsafe.RetryPolicyBuilder;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends alerts as JSON POSTs to an HTTP(S) webhook (Slack/Teams-style incoming webhook, an
 * on-call tool's events endpoint, or anything that takes a JSON body), without ever blocking the
 * caller.
 *
 * <p>Each {@link #post(String)} runs on this instance's own daemon threads, through one JDK
 * {@link HttpClient}. An attempt succeeds on any 2xx status. It is retried, with exponential
 * back-off ({@code initialBackoff}, doubling up to {@code maxBackoff}, each delay then randomised by
 * up to 25% either way) until {@code maxAttempts} attempts in all, when it:
 *
 * <ul>
 *   <li>fails with an {@link IOException}: connection refused or reset, and connect or request
 *       timeouts ({@link java.net.http.HttpTimeoutException});
 *   <li>gets a 5xx status, or 429 Too Many Requests.
 * </ul>
 *
 * <p>Any other status (3xx, as redirects are not followed, and 4xx other than 429) fails at once:
 * the request itself is wrong and sending it again will not help. Each failed attempt is logged
 * at WARN, a delivery that finally fails at ERROR.
 *
 * <p>Messages and logs name the endpoint as scheme, host, port and path; the query and user info
 * are left out, and header values (which may hold credentials) never appear. Note that some
 * services (Slack) put a secret in the path.
 */
public final class AlertWebhook implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(AlertWebhook.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final AtomicInteger THREADS = new AtomicInteger();

  /** Each back-off delay is drawn from {@code delay * [1 - JITTER_FACTOR, 1 + JITTER_FACTOR]}. */
  private static final double JITTER_FACTOR = 0.25;
  /** Threads per instance: timers, the first step of each attempt and the HTTP client's callbacks. */
  private static final int THREADS_PER_WEBHOOK = 2;
  /** Characters of a failed response's body kept in messages. */
  private static final int MAX_BODY_CHARS = 200;

  private final URI url;
  private final String endpoint;
  private final Map<String, String> headers;
  private final int maxAttempts;
  private final Duration requestTimeout;
  private final ScheduledExecutorService executor;
  private final HttpClient client;
  private final FailsafeExecutor<Integer> failsafe;
  /** Deliveries not yet finished, by the future handed to the caller, so that close() can end them. */
  private final Map<CompletableFuture<Integer>, CompletableFuture<Integer>> inFlight = new ConcurrentHashMap<>();
  private volatile boolean closed;

  /**
   * @param url the webhook's {@code http} or {@code https} address, with a host
   * @param headers extra request headers, e.g. {@code Authorization}; not {@code Content-Type},
   *     which is always {@code application/json}, nor headers the JDK client sets itself
   *     ({@code Host}, {@code Content-Length}, {@code Connection}, ...)
   * @param maxAttempts attempts in all, at least 1 (1 = no retry)
   * @param initialBackoff delay before the second attempt, positive
   * @param maxBackoff largest delay between attempts, at least {@code initialBackoff} (equal means a
   *     fixed delay)
   * @param requestTimeout limit for connecting, and again for one attempt from sending the request
   *     to receiving the response headers; positive
   * @throws NullPointerException if an argument, a header name or a header value is null
   * @throws IllegalArgumentException ("Cannot configure alert webhook: ...") if an argument is invalid
   */
  public AlertWebhook(URI url, Map<String, String> headers, int maxAttempts, Duration initialBackoff,
      Duration maxBackoff, Duration requestTimeout) {
    requireNonNull(url, "Invalid url: null");
    requireNonNull(headers, "Invalid headers: null");
    requireNonNull(initialBackoff, "Invalid initialBackoff: null");
    requireNonNull(maxBackoff, "Invalid maxBackoff: null");
    requireNonNull(requestTimeout, "Invalid requestTimeout: null");
    String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
    checkConfig(scheme.equals("http") || scheme.equals("https"), "url must be http or https: %s", url);
    checkConfig(url.getHost() != null, "url has no host: %s", url);
    checkConfig(maxAttempts >= 1, "maxAttempts must be at least 1: %s", maxAttempts);
    checkConfig(initialBackoff.compareTo(Duration.ZERO) > 0, "initialBackoff must be positive: %s", initialBackoff);
    checkConfig(maxBackoff.compareTo(initialBackoff) >= 0,
        "maxBackoff must be at least initialBackoff %s: %s", initialBackoff, maxBackoff);
    checkConfig(requestTimeout.compareTo(Duration.ZERO) > 0, "requestTimeout must be positive: %s", requestTimeout);
    this.url = url;
    this.endpoint = scheme + "://" + url.getHost() + (url.getPort() == -1 ? "" : ":" + url.getPort())
        + (url.getRawPath() == null ? "" : url.getRawPath());
    headers.forEach((name, value) -> {
      requireNonNull(name, "Invalid header name: null");
      requireNonNull(value, "Invalid header value: null");
    });
    this.headers = Map.copyOf(headers);
    this.maxAttempts = maxAttempts;
    this.requestTimeout = requestTimeout;
    validateHeaders(url, this.headers);

    ScheduledThreadPoolExecutor pool = new ScheduledThreadPoolExecutor(THREADS_PER_WEBHOOK, daemonThreads());
    pool.setRemoveOnCancelPolicy(true);
    this.executor = pool;
    this.client = HttpClient.newBuilder()
        .executor(pool)
        .connectTimeout(requestTimeout)
        .followRedirects(HttpClient.Redirect.NEVER)
        .build();
    RetryPolicyBuilder<Integer> retry = RetryPolicy.<Integer>builder()
        .handleIf(AlertWebhook::isRetriable)
        .withMaxAttempts(maxAttempts);
    // Failsafe's exponential back-off needs initial < max; equal bounds mean a fixed delay
    if (initialBackoff.equals(maxBackoff)) {
      retry.withDelay(initialBackoff);
    } else {
      retry.withBackoff(initialBackoff, maxBackoff);
    }
    retry.withJitter(JITTER_FACTOR);
    this.failsafe = Failsafe.with(retry.build()).with(executor);
  }

  /**
   * Posts one alert. Returns at once: the request is built on the calling thread and everything
   * else (connecting, sending, waiting, retrying) happens on this webhook's own threads.
   *
   * @param json the request body, sent as UTF-8 with {@code Content-Type: application/json}; not
   *     checked to be valid JSON (see {@link #toJson})
   * @return a future that completes with the 2xx status of the attempt that succeeded, or fails
   *     with an {@link AlertDeliveryException} naming the endpoint, the attempts made and the last
   *     status or cause: once a non-retried status is received, once {@code maxAttempts} attempts
   *     have failed, or when this webhook is {@link #close() closed} first. Cancelling it abandons
   *     the delivery.
   * @throws NullPointerException if {@code json} is null
   */
  public CompletableFuture<Integer> post(String json) {
    requireNonNull(json, "Invalid json: null");
    CompletableFuture<Integer> result = new CompletableFuture<>();
    if (closed) {
      result.completeExceptionally(new AlertDeliveryException(cannotDeliver(0, "webhook is closed"), -1, 0, null));
      return result;
    }
    HttpRequest.Builder builder = HttpRequest.newBuilder(url)
        .timeout(requestTimeout)
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(json, StandardCharsets.UTF_8));
    headers.forEach(builder::header);
    HttpRequest request = builder.build();

    AtomicInteger attempts = new AtomicInteger();
    CompletableFuture<Integer> delivery = failsafe.getStageAsync(() -> attempt(request, attempts.incrementAndGet()));
    // registered before the completion callback, which removes it, so that nothing is left behind
    inFlight.put(result, delivery);
    delivery.whenComplete((status, failure) -> {
      inFlight.remove(result);
      if (failure == null) {
        result.complete(status);
        return;
      }
      AlertDeliveryException error = deliveryFailure(failure, attempts.get());
      // false when the caller cancelled: nothing to report then
      if (result.completeExceptionally(error)) {
        if (error.getCause() instanceof IOException) {
          LOG.error(error.getMessage(), error.getCause());
        } else {
          // a status, or close(): the message says it all, a stack trace would add nothing
          LOG.error(error.getMessage());
        }
      }
    });
    result.whenComplete((status, failure) -> {
      if (result.isCancelled()) {
        delivery.cancel(false);
      }
    });
    if (closed) {
      // close() ran after the check above and may have missed this delivery: its task may be gone
      delivery.cancel(false);
    }
    return result;
  }

  /**
   * Stops this webhook's threads. Deliveries still under way are abandoned: their futures fail
   * with an {@link AlertDeliveryException} saying the webhook was closed, and later {@link
   * #post(String)} calls return failed futures. Idempotent; does not wait.
   */
  /**
   * Checks request headers the way the constructor does, without creating a client: not {@code
   * Content-Type} (always {@code application/json}), nothing the JDK HTTP client refuses ({@code
   * Host}, {@code Content-Length}, {@code Connection}, ...). For validating configuration early.
   *
   * @throws IllegalArgumentException naming the offending header
   */
  public static void validateHeaders(URI url, Map<String, String> headers) {
    HttpRequest.Builder probe = HttpRequest.newBuilder(url);
    for (Map.Entry<String, String> header : headers.entrySet()) {
      checkConfig(!header.getKey().equalsIgnoreCase("Content-Type"),
          "header %s is always application/json", header.getKey());
      try {
        probe.header(header.getKey(), header.getValue());
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(
            "Cannot configure alert webhook: invalid header " + header.getKey() + ": " + e.getMessage(), e);
      }
    }
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    executor.shutdownNow();
    // cancelling runs each delivery's completion callback, which fails the caller's future
    inFlight.values().forEach(delivery -> delivery.cancel(false));
  }

  /**
   * The JSON body of one alert, for {@link #post(String)}: an object with the fields {@code
   * alertId}, {@code kind}, {@code runId}, {@code pipeline}, {@code stage}, {@code attempt},
   * {@code time} and {@code message}, in that order. Null arguments other than {@code alertId} and
   * {@code kind} become JSON {@code null} (a run-level alert has no stage or attempt).
   *
   * @param alertId the alert's id, unique per alert, so a receiver can drop duplicates
   * @param kind the alert's kind, e.g. {@code RUN_FAILED}
   * @param attempt the stage attempt, 1-based, or null
   * @param timeMs when the alert was raised, ms since the epoch; written as an ISO-8601 UTC
   *     instant ({@link Instant#toString()}, e.g. {@code 2024-05-01T12:00:00.250Z})
   * @throws NullPointerException if {@code alertId} or {@code kind} is null
   */
  public static String toJson(String alertId, String kind, String runId, String pipeline, String stage,
      Integer attempt, long timeMs, String message) {
    requireNonNull(alertId, "Invalid alertId: null");
    requireNonNull(kind, "Invalid kind: null");
    ObjectNode alert = JSON.createObjectNode()
        .put("alertId", alertId)
        .put("kind", kind)
        .put("runId", runId)
        .put("pipeline", pipeline)
        .put("stage", stage)
        .put("attempt", attempt)
        .put("time", Instant.ofEpochMilli(timeMs).toString())
        .put("message", message);
    try {
      return JSON.writeValueAsString(alert);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("Cannot encode alert " + alertId, e);
    }
  }

  /** One POST; fails with the transport's exception or an {@link UnexpectedStatus} for a non-2xx status. */
  private CompletableFuture<Integer> attempt(HttpRequest request, int attempt) {
    // the JDK completes sendAsync on its default async pool: come back to this webhook's threads
    return client.sendAsync(request, HttpResponse.BodyHandlers.ofString())
        .handleAsync((response, failure) -> {
          Throwable error = failure != null ? unwrap(failure) : UnexpectedStatus.of(response);
          if (error == null) {
            return response.statusCode();
          }
          LOG.warn("Alert webhook {}: attempt {} of {} failed: {}", endpoint, attempt, maxAttempts, describe(error));
          throw new CompletionException(error);
        }, executor);
  }

  private AlertDeliveryException deliveryFailure(Throwable failure, int attempts) {
    Throwable cause = unwrap(failure);
    if (cause instanceof CancellationException || cause instanceof RejectedExecutionException) {
      return new AlertDeliveryException(cannotDeliver(attempts, "webhook closed or delivery cancelled"), -1, attempts, cause);
    }
    int status = cause instanceof UnexpectedStatus unexpected ? unexpected.status : -1;
    return new AlertDeliveryException(cannotDeliver(attempts, describe(cause)), status, attempts, cause);
  }

  private String cannotDeliver(int attempts, String reason) {
    return "Cannot deliver alert to " + endpoint + " after " + attempts + (attempts == 1 ? " attempt: " : " attempts: ")
        + reason;
  }

  private static boolean isRetriable(Throwable failure) {
    return failure instanceof IOException || (failure instanceof UnexpectedStatus unexpected && unexpected.retriable);
  }

  private static String describe(Throwable failure) {
    if (failure instanceof UnexpectedStatus) {
      return failure.getMessage();
    }
    String described = failure.getClass().getSimpleName();
    if (failure.getMessage() != null) {
      return described + ": " + failure.getMessage();
    }
    // e.g. the JDK's ConnectException without a message, caused by a ClosedChannelException
    return failure.getCause() == null ? described : described + " (" + describe(failure.getCause()) + ")";
  }

  private static Throwable unwrap(Throwable failure) {
    Throwable cause = failure;
    while (cause instanceof CompletionException && cause.getCause() != null) {
      cause = cause.getCause();
    }
    return cause;
  }

  private static ThreadFactory daemonThreads() {
    return runnable -> {
      Thread thread = new Thread(runnable, "baton-alert-webhook-" + THREADS.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    };
  }

  private static void checkConfig(boolean condition, String format, Object... args) {
    if (!condition) {
      throw new IllegalArgumentException("Cannot configure alert webhook: " + String.format(format, args));
    }
  }

  /** A response whose status is not 2xx; retriable for 5xx and 429. Only a carrier: no stack trace. */
  private static final class UnexpectedStatus extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int status;
    private final boolean retriable;

    private UnexpectedStatus(String message, int status, boolean retriable) {
      super(message, null, false, false);
      this.status = status;
      this.retriable = retriable;
    }

    /** Null for a 2xx response. */
    static UnexpectedStatus of(HttpResponse<String> response) {
      int status = response.statusCode();
      if (status >= 200 && status < 300) {
        return null;
      }
      boolean retriable = status >= 500 || status == 429;
      String body = response.body() == null ? "" : response.body().strip();
      if (body.length() > MAX_BODY_CHARS) {
        body = body.substring(0, MAX_BODY_CHARS) + "...";
      }
      return new UnexpectedStatus("HTTP " + status + (retriable ? "" : " (not retried)")
          + (body.isEmpty() ? "" : ", response: " + body), status, retriable);
    }
  }
}
