package dev.baton.control.launch;

import static java.util.Objects.requireNonNull;

import java.net.URI;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;
import org.apache.kafka.common.config.ConfigException;

/**
 * The settings of an EMR launcher profile ({@code launchers.<name>.*}) of type {@value
 * LauncherProfile#EMR_SERVERLESS}, {@value LauncherProfile#EMR_CONTAINERS} (EMR on EKS) or {@value
 * LauncherProfile#EMR_STEPS} (EMR on EC2):
 *
 * <ul>
 *   <li>{@code application-id} (emr-serverless, required): the EMR Serverless application, e.g. {@code 00fkq2m8u3gbv60b}.
 *   <li>{@code virtual-cluster-id} (emr-containers, required): the EMR on EKS virtual cluster.
 *   <li>{@code release-label} (emr-containers, required): e.g. {@code emr-7.5.0-latest}.
 *   <li>{@code cluster-id} (emr-steps, required): the EMR cluster, e.g. {@code j-2AXXXXXXGAPLF}.
 *   <li>{@code execution-role-arn}: the IAM role jobs run as; required for emr-serverless and emr-containers, for
 *       emr-steps the optional runtime role.
 *   <li>{@code region}: the AWS region; default the AWS SDK's region chain ({@code AWS_REGION}, profile, instance).
 *   <li>{@code endpoint}: an endpoint override (a VPC endpoint), {@code https://…} ({@code http://} only to
 *       127.0.0.1 or localhost); default the region's.
 *   <li>{@code log-uri} (emr-serverless, emr-containers): {@code s3://…} where jobs write their logs
 *       (the job's S3 monitoring configuration).
 *   <li>{@code log-group} (emr-serverless, emr-containers): a CloudWatch Logs group jobs also write their logs to
 *       (the job's CloudWatch monitoring configuration), with the attempt's pipeline as stream name prefix.
 *   <li>{@code completion}: {@code events} (the EventBridge state-change events reach Kafka through the event
 *       connector, which publishes each job's StageCompleted) or {@code poll} (this launcher asks the API every
 *       {@code poll-interval-ms} and publishes it); default {@code events} for emr-serverless and emr-steps, {@code
 *       poll} for emr-containers. Either way the launcher polls, to notice a job that vanished (LOST) and to forget
 *       ended ones.
 *   <li>{@code poll-interval-ms}: default {@value #DEFAULT_POLL_INTERVAL_MS}.
 *   <li>{@code request-timeout-ms}: how long one API request may wait for its answer before the AWS SDK asks again;
 *       default {@value #DEFAULT_REQUEST_TIMEOUT_MS}.
 *   <li>{@code stage-config}: the Baton configuration file Baton's stage runner reads, as the driver sees it (e.g.
 *       shipped with {@code conf.spark.files}); required when the profile runs Baton's stage types.
 *   <li>{@code stage-runner-jar}: Baton's stage runner jar as the driver reads it, e.g. {@code s3://…/baton-stage-runner.jar},
 *       or {@code local:///usr/lib/baton/baton-stage-runner.jar} in Baton's EMR on EKS image; required when the profile
 *       runs Baton's stage types (EMR's own images do not hold it).
 *   <li>{@code image} (emr-containers): the container image of the driver and executors ({@code
 *       spark.kubernetes.container.image}), e.g. Baton's EMR on EKS image ({@code deploy/emr-on-eks/Dockerfile}) in
 *       ECR: {@code 123456789012.dkr.ecr.eu-west-1.amazonaws.com/baton-emr:0.1.0}. EMR on EKS runs only images built
 *       on its own base images.
 *   <li>{@code driver-pod-template}, {@code executor-pod-template} (emr-containers): {@code s3://…} pod templates
 *       ({@code spark.kubernetes.driver.podTemplateFile}, {@code spark.kubernetes.executor.podTemplateFile}), e.g.
 *       {@code deploy/emr-on-eks/pod-templates/} uploaded; the job's execution role must be able to read them.
 *   <li>{@code conf.<key>}: Spark settings of every job; no whitespace (EMR takes them as one space-separated string).
 * </ul>
 *
 * @param profile the profile's name
 * @param type the launcher type
 * @param region the region, or null for the SDK's chain
 * @param endpoint the endpoint override, or null
 * @param pollCompletions whether this launcher publishes completions it polls ({@code completion=poll})
 * @param pollIntervalMs between two status requests of an attempt's job, ms
 * @param requestTimeoutMs one API request attempt's timeout, ms
 * @param ids the type's resource settings ({@code application-id}, {@code virtual-cluster-id}, {@code
 *     release-label}, {@code cluster-id}, {@code execution-role-arn}, {@code log-uri}, {@code log-group}) that are set
 * @param stageConfig the configuration file of Baton's stage runner, or null
 * @param stageRunnerJar the stage runner jar, or null when the profile runs no built-in stage
 * @param sparkConf Spark settings of every job: the {@code conf.*} settings, and those {@code image} and the pod
 *     template settings stand for
 */
public record EmrLauncherSettings(String profile, String type, String region, URI endpoint, boolean pollCompletions,
    long pollIntervalMs, long requestTimeoutMs, Map<String, String> ids, String stageConfig, String stageRunnerJar,
    Map<String, String> sparkConf) {

  public static final long DEFAULT_POLL_INTERVAL_MS = 30_000;
  /** The Spark settings the emr-containers profile's {@code image} and pod template settings stand for. */
  private static final Map<String, String> SPARK_KEYS = Map.of(
      "image", "spark.kubernetes.container.image",
      "driver-pod-template", "spark.kubernetes.driver.podTemplateFile",
      "executor-pod-template", "spark.kubernetes.executor.podTemplateFile");
  public static final long DEFAULT_REQUEST_TIMEOUT_MS = 30_000;
  private static final Set<String> COMMON = Set.of("region", "endpoint", "completion", "poll-interval-ms",
      "request-timeout-ms", "stage-config", "stage-runner-jar", "execution-role-arn");
  private static final Map<String, Set<String>> TYPE_KEYS = Map.of(
      LauncherProfile.EMR_SERVERLESS, Set.of("application-id", "log-uri", "log-group"),
      LauncherProfile.EMR_CONTAINERS, Set.of("virtual-cluster-id", "release-label", "log-uri", "log-group", "image",
          "driver-pod-template", "executor-pod-template"),
      LauncherProfile.EMR_STEPS, Set.of("cluster-id"));
  private static final Map<String, Pattern> FORMATS = Map.ofEntries(
      Map.entry("application-id", Pattern.compile("[0-9a-z]{1,64}")),
      Map.entry("virtual-cluster-id", Pattern.compile("[0-9a-z]{1,64}")),
      Map.entry("cluster-id", Pattern.compile("j-[0-9A-Z]{1,256}")),
      Map.entry("release-label", Pattern.compile("emr-[0-9][0-9a-z.-]{0,63}")),
      Map.entry("execution-role-arn", Pattern.compile("arn:aws[a-z-]*:iam::[0-9]{12}:role/[\\w+=,.@/-]{1,512}")),
      Map.entry("log-uri", Pattern.compile("s3://[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](/\\S*)?")),
      Map.entry("log-group", Pattern.compile("[.\\-_/#A-Za-z0-9]{1,512}")),
      // an OCI image reference: registry host[:port]/repository path, then a tag or a digest
      Map.entry("image", Pattern.compile("[a-z0-9][a-z0-9.-]*(:[0-9]{1,5})?/[a-z0-9]+([._/-][a-z0-9]+)*"
          + "(:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}|@sha256:[0-9a-f]{64})")),
      Map.entry("driver-pod-template", Pattern.compile("s3://[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]/\\S+")),
      Map.entry("executor-pod-template", Pattern.compile("s3://[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]/\\S+")),
      Map.entry("region", Pattern.compile("[a-z]{2}(-[a-z]+)+-[0-9]")));

  public EmrLauncherSettings {
    requireNonNull(profile, "Invalid profile: null");
    requireNonNull(type, "Invalid type: null");
    ids = Map.copyOf(ids);
    sparkConf = java.util.Collections.unmodifiableMap(new TreeMap<>(requireNonNull(sparkConf, "Invalid sparkConf: null")));
  }

  /** The settings an EMR profile of {@code type} may have besides {@code type} and {@code conf.*}. */
  public static Set<String> keys(String type) {
    Set<String> keys = new HashSet<>(COMMON);
    keys.addAll(TYPE_KEYS.get(type));
    return keys;
  }

  /**
   * The settings of {@code profile}, checked.
   *
   * @param runsBuiltInStages whether a pipeline runs Baton's own stage types with it (then {@code stage-config}
   *     and {@code stage-runner-jar} are required)
   * @throws ConfigException naming the key: an unknown setting, a missing required one, or a value of the wrong form
   */
  public static EmrLauncherSettings from(LauncherProfile profile, boolean runsBuiltInStages) {
    String type = profile.type();
    profile.requireOnly(keys(type));
    Map<String, String> values = profile.settings();
    Set<String> required = new HashSet<>(switch (type) {
      case LauncherProfile.EMR_SERVERLESS -> Set.of("application-id", "execution-role-arn");
      case LauncherProfile.EMR_CONTAINERS -> Set.of("virtual-cluster-id", "release-label", "execution-role-arn");
      case LauncherProfile.EMR_STEPS -> Set.of("cluster-id");
      default -> throw new IllegalArgumentException("Not an EMR launcher type: " + type);
    });
    if (runsBuiltInStages) {
      required.add("stage-config");
      required.add("stage-runner-jar");
    }
    for (String key : new java.util.TreeSet<>(required)) {
      if (values.get(key) == null || values.get(key).isBlank()) {
        throw new ConfigException(profile.key(key), null, "is required for an " + type + " launcher profile"
            + (key.startsWith("stage-") ? " that runs Baton's stage types" : ""));
      }
    }
    Map<String, String> ids = new TreeMap<>();
    for (String key : keys(type)) {
      String value = values.get(key);
      Pattern format = FORMATS.get(key);
      if (value != null && format != null && !format.matcher(value).matches()) {
        throw new ConfigException(profile.key(key), value, "expected " + format.pattern());
      }
      if (value != null && format != null && !key.equals("region")) {
        ids.put(key, value);
      }
    }
    URI endpoint = null;
    if (values.containsKey("endpoint")) {
      try {
        endpoint = URI.create(values.get("endpoint"));
      } catch (IllegalArgumentException e) {
        throw new ConfigException(profile.key("endpoint"), values.get("endpoint"), "not a URL: " + e.getMessage());
      }
      boolean loopback = endpoint.getHost() != null
          && java.util.Set.of("127.0.0.1", "localhost", "[::1]").contains(endpoint.getHost());
      // signed requests (and a session token) must not cross a network in clear: http only to this machine
      if (endpoint.getHost() == null || !"https".equals(endpoint.getScheme())
          && !("http".equals(endpoint.getScheme()) && loopback)) {
        throw new ConfigException(profile.key("endpoint"), values.get("endpoint"),
            "expected https://<host>[:port] (http only to 127.0.0.1 or localhost)");
      }
    }
    String completion = values.getOrDefault("completion",
        type.equals(LauncherProfile.EMR_CONTAINERS) ? "poll" : "events");
    if (!completion.equals("events") && !completion.equals("poll")) {
      throw new ConfigException(profile.key("completion"), completion, "expected events or poll");
    }
    profile.sparkConf().forEach((key, value) -> {
      if ((key + value).chars().anyMatch(Character::isWhitespace)) {
        throw new ConfigException(profile.key("conf." + key), null, "cannot hold whitespace on EMR, which takes"
            + " spark-submit's options as one space-separated string");
      }
    });
    Map<String, String> sparkConf = new TreeMap<>(profile.sparkConf());
    for (Map.Entry<String, String> setting : new TreeMap<>(SPARK_KEYS).entrySet()) {
      String value = ids.remove(setting.getKey());
      if (value == null) {
        continue;
      }
      if (sparkConf.containsKey(setting.getValue())) {
        throw new ConfigException(profile.key("conf." + setting.getValue()), null, "is set twice: "
            + profile.key(setting.getKey()) + " sets it too; keep one");
      }
      sparkConf.put(setting.getValue(), value);
    }
    return new EmrLauncherSettings(profile.name(), type, values.get("region"), endpoint, completion.equals("poll"),
        positive(profile, "poll-interval-ms", DEFAULT_POLL_INTERVAL_MS),
        positive(profile, "request-timeout-ms", DEFAULT_REQUEST_TIMEOUT_MS), ids, values.get("stage-config"),
        values.get("stage-runner-jar"), sparkConf);
  }

  /** A resource setting ({@code application-id}, {@code cluster-id}, …), or null when not set. */
  public String id(String key) {
    return ids.get(key);
  }

  private static long positive(LauncherProfile profile, String key, long defaultValue) {
    String value = profile.settings().get(key);
    if (value == null) {
      return defaultValue;
    }
    long parsed;
    try {
      parsed = Long.parseLong(value.trim());
    } catch (NumberFormatException e) {
      throw new ConfigException(profile.key(key), value, "expected a positive number of milliseconds");
    }
    if (parsed <= 0) {
      throw new ConfigException(profile.key(key), value, "expected a positive number of milliseconds");
    }
    return parsed;
  }
}
