package dev.baton.control.launch;

import static java.util.Objects.requireNonNull;

import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.kafka.common.config.ConfigException;

/**
 * The settings of a {@code spark-operator} launcher profile ({@code launchers.<name>.*}):
 *
 * <ul>
 *   <li>{@code master}: the Kubernetes API server, {@code k8s://https://host:port} or {@code https://host:port};
 *       default: the client's own discovery (the pod's service account in a cluster, else {@code ~/.kube/config}).
 *   <li>{@code namespace}: where the {@code SparkApplication}s are created; default {@code default}.
 *   <li>{@code image}: the Spark image of drivers and executors (required), e.g. Baton's ({@code deploy/spark-image}).
 *   <li>{@code spark-version}: the image's Spark version, {@code spec.sparkVersion}; default {@value #DEFAULT_SPARK_VERSION}.
 *   <li>{@code service-account}: of drivers and executors; default {@value #DEFAULT_SERVICE_ACCOUNT}.
 *   <li>{@code stage-config}: the Baton configuration file built-in stages read, a path inside the driver (e.g. a
 *       mounted ConfigMap); required when the profile runs Baton's stage types.
 *   <li>{@code stage-runner-jar}: default {@value #DEFAULT_STAGE_RUNNER_JAR} (in Baton's image).
 *   <li>{@code conf.<key>}: Spark settings of every application ({@code spec.sparkConf}).
 * </ul>
 *
 * @param profile the profile's name
 * @param masterUrl the API server's URL, or null for the client's discovery
 * @param namespace the namespace
 * @param image the image
 * @param sparkVersion the image's Spark version
 * @param serviceAccount the service account
 * @param stageConfig the configuration file of Baton's stage runner, or null
 * @param stageRunnerJar the stage runner jar's URI
 * @param sparkConf Spark settings
 */
public record SparkOperatorSettings(String profile, String masterUrl, String namespace, String image,
    String sparkVersion, String serviceAccount, String stageConfig, String stageRunnerJar, Map<String, String> sparkConf) {

  public static final String DEFAULT_SPARK_VERSION = "3.5.6";
  public static final String DEFAULT_SERVICE_ACCOUNT = "baton-spark";
  public static final String DEFAULT_STAGE_RUNNER_JAR = "local:///opt/baton/baton-stage-runner.jar";
  /** The settings a spark-operator profile may have besides {@code type} and {@code conf.*}. */
  public static final Set<String> KEYS = Set.of("master", "namespace", "image", "spark-version", "service-account",
      "stage-config", "stage-runner-jar");

  public SparkOperatorSettings {
    requireNonNull(profile, "Invalid profile: null");
    requireNonNull(namespace, "Invalid namespace: null");
    requireNonNull(image, "Invalid image: null");
    requireNonNull(sparkVersion, "Invalid sparkVersion: null");
    requireNonNull(serviceAccount, "Invalid serviceAccount: null");
    requireNonNull(stageRunnerJar, "Invalid stageRunnerJar: null");
    sparkConf = java.util.Collections.unmodifiableMap(new TreeMap<>(requireNonNull(sparkConf, "Invalid sparkConf: null")));
  }

  /**
   * The settings of {@code profile}, checked.
   *
   * @param runsBuiltInStages whether a pipeline runs Baton's own stage types with it (then {@code stage-config}
   *     is required)
   * @throws ConfigException naming the key: an unknown setting, no image, a namespace that is not a DNS-1123
   *     label, a master that is not an http(s) URL, or a missing {@code stage-config}
   */
  public static SparkOperatorSettings from(LauncherProfile profile, boolean runsBuiltInStages) {
    profile.requireOnly(KEYS);
    Map<String, String> values = profile.settings();
    String master = values.get("master");
    if (master != null) {
      master = master.replaceFirst("^k8s://", "");
      if (!master.matches("https?://\\S+")) {
        throw new ConfigException(profile.key("master"), values.get("master"), "expected k8s://https://<api server>");
      }
    }
    String namespace = values.getOrDefault("namespace", "default");
    if (!namespace.matches("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?")) {
      throw new ConfigException(profile.key("namespace"), namespace, "not a Kubernetes namespace name (a DNS-1123 label)");
    }
    String image = values.get("image");
    if (image == null || image.isBlank()) {
      throw new ConfigException(profile.key("image"), image, "is required: the Spark image of drivers and executors");
    }
    String stageConfig = values.get("stage-config");
    if (stageConfig == null && runsBuiltInStages) {
      throw new ConfigException(profile.key("stage-config"), null, "is required: the Baton configuration file Baton's"
          + " stage runner reads, a path inside the driver (e.g. a mounted ConfigMap)");
    }
    return new SparkOperatorSettings(profile.name(), master, namespace, image,
        values.getOrDefault("spark-version", DEFAULT_SPARK_VERSION),
        values.getOrDefault("service-account", DEFAULT_SERVICE_ACCOUNT), stageConfig,
        values.getOrDefault("stage-runner-jar", DEFAULT_STAGE_RUNNER_JAR), profile.sparkConf());
  }
}
