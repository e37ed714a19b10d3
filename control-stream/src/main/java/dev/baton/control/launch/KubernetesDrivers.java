package dev.baton.control.launch;

import static java.util.Objects.requireNonNull;

import dev.baton.schemas.AttemptName;
import io.fabric8.kubernetes.api.model.ContainerStateTerminated;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientTimeoutException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The driver pods of attempts submitted to Kubernetes in cluster mode: their deterministic names and
 * labels, and their outcome, watched with the fabric8 client (the one Spark's own Kubernetes
 * support uses). {@code spark-submit} in cluster mode exits 0 even when the driver fails
 * (SPARK-26365), so an attempt's outcome is its driver pod's phase: {@code Succeeded}, {@code Failed}
 * (with the driver container's exit code, reason and message), or gone (deleted: LOST).
 */
public final class KubernetesDrivers {
  /** Label keys every driver and executor pod of an attempt carries. */
  public static final String PIPELINE_LABEL = "baton.dev/pipeline";
  public static final String RUN_LABEL = "baton.dev/run-id";
  public static final String STAGE_LABEL = "baton.dev/stage";
  public static final String ATTEMPT_LABEL = "baton.dev/attempt";
  /** Spark's driver container name ({@code spark.kubernetes.driver.podTemplateContainerName} default). */
  public static final String DRIVER_CONTAINER = "spark-kubernetes-driver";

  private final KubernetesClient client;
  private final String namespace;

  /**
   * @param client a client of the cluster's API server
   * @param namespace the namespace driver pods are created in ({@code spark.kubernetes.namespace})
   */
  public KubernetesDrivers(KubernetesClient client, String namespace) {
    this.client = requireNonNull(client, "Invalid client: null");
    this.namespace = requireNonNull(namespace, "Invalid namespace: null");
  }

  /**
   * The driver pod's name of {@code attempt}: {@code baton-<pipeline>-<stage>-<8 hex of the run id's
   * SHA-256>-<attempt>}, lower case, at most 63 characters (a DNS-1123 label, which Spark also derives
   * service names from), the same for every launch of the attempt; pipeline and stage are shortened
   * when needed, the hash keeps runs apart.
   */
  public static String podName(AttemptName attempt) {
    String hash = sha256Hex(attempt.runId()).substring(0, 8);
    String suffix = "-" + hash + "-" + attempt.attempt();
    int room = 63 - "baton-".length() - suffix.length() - 1; // one '-' between pipeline and stage
    String pipeline = dns(attempt.pipeline());
    String stage = dns(attempt.stage());
    int pipelineRoom = Math.max(room / 2, room - stage.length());
    pipeline = pipeline.substring(0, Math.min(pipeline.length(), pipelineRoom));
    stage = stage.substring(0, Math.min(stage.length(), room - pipeline.length()));
    return ("baton-" + pipeline + "-" + stage).replaceAll("-+$", "") + suffix;
  }

  /** The labels of {@code attempt}'s pods: pipeline, run id, stage and attempt. */
  public static Map<String, String> labels(AttemptName attempt) {
    Map<String, String> labels = new LinkedHashMap<>();
    labels.put(PIPELINE_LABEL, attempt.pipeline());
    labels.put(RUN_LABEL, attempt.runId());
    labels.put(STAGE_LABEL, attempt.stage());
    labels.put(ATTEMPT_LABEL, String.valueOf(attempt.attempt()));
    return labels;
  }

  /** The driver pod named {@code podName}, if it exists. */
  public Optional<Pod> driver(String podName) {
    return Optional.ofNullable(client.pods().inNamespace(namespace).withName(podName).get());
  }

  /** Deletes the driver pod (Spark's owner references delete its executors and config maps with it). */
  public void delete(String podName) {
    client.pods().inNamespace(namespace).withName(podName).delete();
  }

  /**
   * Waits until the driver pod has ended ({@code Succeeded} or {@code Failed}) or is gone.
   *
   * @param timeoutMs longest wait, ms
   * @return the ended pod; empty when the pod is gone (deleted, or never created)
   * @throws KubernetesClientTimeoutException if it is still running after {@code timeoutMs}
   */
  public Optional<Pod> awaitEnd(String podName, long timeoutMs) {
    return awaitEnd(client.pods().inNamespace(namespace).withName(podName), KubernetesDrivers::ended, timeoutMs);
  }

  /** How often a wait for a resource's end reads it again besides watching it, ms. */
  static final long RECHECK_MS = 10_000;

  /**
   * Waits until {@code resource} has {@code ended} or is gone, by watching it, and reading it again every
   * {@value #RECHECK_MS} ms: a watch can miss an event (a connection that dropped and came back after it).
   *
   * @return the ended resource; empty when it is gone
   * @throws KubernetesClientTimeoutException if it has not ended after {@code timeoutMs}
   */
  static <T> Optional<T> awaitEnd(io.fabric8.kubernetes.client.dsl.Resource<T> resource,
      java.util.function.Predicate<T> ended, long timeoutMs) {
    long start = System.nanoTime();
    while (true) {
      long remainingMs = timeoutMs - TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
      try {
        return Optional.ofNullable(resource.waitUntilCondition(item -> item == null || ended.test(item),
            Math.max(1, Math.min(RECHECK_MS, remainingMs)), TimeUnit.MILLISECONDS));
      } catch (KubernetesClientTimeoutException e) {
        T current = resource.get();
        if (current == null || ended.test(current)) {
          return Optional.ofNullable(current);
        }
        if (timeoutMs - TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start) <= 0) {
          throw e;
        }
      }
    }
  }

  /** Whether the pod's phase is final: {@code Succeeded} or {@code Failed}. */
  public static boolean ended(Pod pod) {
    String phase = pod.getStatus() == null ? null : pod.getStatus().getPhase();
    return "Succeeded".equals(phase) || "Failed".equals(phase);
  }

  /** Whether the pod's phase is {@code Succeeded}. */
  public static boolean succeeded(Pod pod) {
    return pod.getStatus() != null && "Succeeded".equals(pod.getStatus().getPhase());
  }

  /**
   * Why a driver pod failed, from its driver container's termination (exit code, reason, message) or
   * else the pod's own reason and message, e.g. {@code driver container exited 1 (Error): ...}.
   */
  public static String failure(Pod pod) {
    List<ContainerStatus> statuses = pod.getStatus() == null || pod.getStatus().getContainerStatuses() == null
        ? List.of() : pod.getStatus().getContainerStatuses();
    for (ContainerStatus status : statuses) {
      ContainerStateTerminated terminated = status.getState() == null ? null : status.getState().getTerminated();
      if (DRIVER_CONTAINER.equals(status.getName()) && terminated != null) {
        return "driver container exited " + terminated.getExitCode() + " (" + terminated.getReason() + ")"
            + (terminated.getMessage() == null ? "" : ": " + terminated.getMessage());
      }
    }
    String reason = pod.getStatus() == null ? null : pod.getStatus().getReason();
    String message = pod.getStatus() == null ? null : pod.getStatus().getMessage();
    return "driver pod " + (pod.getStatus() == null ? "without status" : pod.getStatus().getPhase())
        + (reason == null ? "" : " (" + reason + ")") + (message == null ? "" : ": " + message);
  }

  private static String dns(String name) {
    return name.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9-]", "-");
  }

  private static String sha256Hex(String text) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("No SHA-256", e);
    }
  }
}
