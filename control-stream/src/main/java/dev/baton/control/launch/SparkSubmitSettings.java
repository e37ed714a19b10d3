package dev.baton.control.launch;

import static java.util.Objects.requireNonNull;

import dev.baton.schemas.AttemptName;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;
import org.apache.kafka.common.config.ConfigException;

/**
 * The settings of a {@code spark-submit} launcher profile ({@code launchers.<name>.*}):
 *
 * <ul>
 *   <li>{@code master}: Spark master, {@code local[n]}, {@code yarn} or {@code k8s://https://host:port}; default
 *       {@value #DEFAULT_MASTER}.
 *   <li>{@code deploy-mode}: {@code client} (the driver runs on this machine) or {@code cluster}; default client.
 *   <li>{@code spark-home}: the Spark installation whose {@code bin/spark-submit} runs; default the environment's
 *       {@code SPARK_HOME}, else the one Baton's build lays out ({@code batch-stages/target/spark-home}).
 *   <li>{@code stage-runner-jar}: the application resource of built-in stages (Baton's stage runner); default
 *       {@code <Baton's Spark home>/baton/baton-stage-runner.jar}; on a cluster a URI its driver can read, e.g.
 *       {@code local:///opt/baton/baton-stage-runner.jar} in Baton's image.
 *   <li>{@code stage-config}: the Baton configuration file stage applications read (Kafka, schema registry,
 *       catalog; secrets by reference), as a path on the driver's machine; default the controller's own file.
 *   <li>{@code log-dir}: where each attempt's spark-submit output goes; default beside the controller's checkpoint.
 *   <li>{@code max-concurrent}: applications running at once; default {@value #DEFAULT_MAX_CONCURRENT}.
 *   <li>{@code namespace}: on Kubernetes, the namespace of the driver pods; default {@code default}.
 *   <li>{@code conf.<key>}: Spark settings of every application, e.g. {@code conf.spark.executor.memory=8g}.
 * </ul>
 *
 * @param profile the profile's name
 * @param master the Spark master
 * @param deployMode {@code client} or {@code cluster}
 * @param sparkHome the Spark home
 * @param stageRunnerJar the stage runner jar, a path or URI
 * @param stageConfig the configuration file of built-in stages' applications; null when the profile runs none
 * @param logDir the folder of attempt logs
 * @param maxConcurrent applications at once, at least 1
 * @param sparkConf Spark settings of every application
 * @param namespace the Kubernetes namespace of driver pods (used with a {@code k8s://} master)
 */
public record SparkSubmitSettings(String profile, String master, String deployMode, Path sparkHome, String stageRunnerJar,
    String stageConfig, Path logDir, int maxConcurrent, Map<String, String> sparkConf, String namespace) {

  public static final String DEFAULT_MASTER = "local[2]";
  public static final int DEFAULT_MAX_CONCURRENT = 4;
  /** The settings a spark-submit profile may have besides {@code type} and {@code conf.*}. */
  public static final Set<String> KEYS = Set.of("master", "deploy-mode", "spark-home", "stage-runner-jar",
      "stage-config", "log-dir", "max-concurrent", "namespace");
  /**
   * Spark settings of the built-in {@code spark-submit} profile on its {@code local[2]} master: no UI, and
   * shuffles in 2 partitions (one per thread) instead of Spark's 200, which are sized for a cluster.
   */
  public static final Map<String, String> LOCAL_DEFAULTS =
      Map.of("spark.ui.enabled", "false", "spark.sql.shuffle.partitions", "2");
  private static final Pattern MASTER = Pattern.compile("local(\\[(\\*|[0-9]+)(,[0-9]+)?])?|yarn|k8s://\\S+|spark://\\S+");

  public SparkSubmitSettings {
    requireNonNull(profile, "Invalid profile: null");
    requireNonNull(master, "Invalid master: null");
    requireNonNull(deployMode, "Invalid deployMode: null");
    requireNonNull(sparkHome, "Invalid sparkHome: null");
    requireNonNull(stageRunnerJar, "Invalid stageRunnerJar: null");
    requireNonNull(logDir, "Invalid logDir: null");
    requireNonNull(namespace, "Invalid namespace: null");
    sparkConf = java.util.Collections.unmodifiableMap(new TreeMap<>(requireNonNull(sparkConf, "Invalid sparkConf: null")));
  }

  /**
   * The settings of {@code profile}, checked.
   *
   * @param builtSparkHome the Spark home Baton's build laid out, or null if unknown
   * @param controllerConfigFile the controller's configuration file, or null if it has none
   * @param defaultLogDir the log folder when the profile names none
   * @param environment the controller's environment ({@code SPARK_HOME})
   * @throws ConfigException naming the key: an unknown setting, a master or deploy mode Spark does not
   *     know, a missing Spark home, {@code bin/spark-submit} or stage runner jar, no stage configuration
   *     file, or a {@code max-concurrent} below 1
   */
  public static SparkSubmitSettings from(LauncherProfile profile, Path builtSparkHome, Path controllerConfigFile,
      Path defaultLogDir, Map<String, String> environment) {
    return from(profile, builtSparkHome, controllerConfigFile, defaultLogDir, environment, true);
  }

  /**
   * As {@link #from(LauncherProfile, Path, Path, Path, Map)}; with {@code runsBuiltInStages} false (the
   * profile runs only users' applications, {@code spark-app}), no stage configuration file is needed.
   */
  public static SparkSubmitSettings from(LauncherProfile profile, Path builtSparkHome, Path controllerConfigFile,
      Path defaultLogDir, Map<String, String> environment, boolean runsBuiltInStages) {
    profile.requireOnly(KEYS);
    Map<String, String> values = profile.settings();
    String master = values.getOrDefault("master", DEFAULT_MASTER);
    if (!MASTER.matcher(master).matches()) {
      throw new ConfigException(profile.key("master"), master, "expected local, local[n], local[*], yarn, k8s://<api"
          + " server> or spark://<host:port>");
    }
    String deployMode = values.getOrDefault("deploy-mode", "client");
    if (!deployMode.equals("client") && !deployMode.equals("cluster")) {
      throw new ConfigException(profile.key("deploy-mode"), deployMode, "expected client or cluster");
    }
    if (deployMode.equals("cluster") && master.startsWith("local")) {
      throw new ConfigException(profile.key("deploy-mode"), deployMode, "a local master runs in client mode only");
    }
    Path sparkHome = values.containsKey("spark-home") ? Path.of(values.get("spark-home"))
        : environment.containsKey("SPARK_HOME") ? Path.of(environment.get("SPARK_HOME")) : builtSparkHome;
    String homeKey = values.containsKey("spark-home") ? profile.key("spark-home") : environment.containsKey("SPARK_HOME")
        ? "SPARK_HOME (environment)" : profile.key("spark-home");
    if (sparkHome == null || !Files.isExecutable(sparkHome.resolve("bin/spark-submit"))) {
      throw new ConfigException(homeKey, String.valueOf(sparkHome), "no executable bin/spark-submit there"
          + (values.containsKey("spark-home") || environment.containsKey("SPARK_HOME") ? ""
              : " (build Baton first: mvn -B package -DskipTests lays out batch-stages/target/spark-home)"));
    }
    String jar = values.get("stage-runner-jar");
    if (jar == null) {
      Path built = builtSparkHome == null ? null : builtSparkHome.resolve("baton/baton-stage-runner.jar");
      if (built == null || !Files.isRegularFile(built)) {
        throw new ConfigException(profile.key("stage-runner-jar"), null, "is required: Baton's build laid out no stage"
            + " runner jar here (batch-stages/target/spark-home/baton/baton-stage-runner.jar)");
      }
      jar = built.toString();
    } else if (!jar.contains(":") && !Files.isRegularFile(Path.of(jar))) {
      throw new ConfigException(profile.key("stage-runner-jar"), jar, "no such file");
    }
    String stageConfig = values.get("stage-config");
    if (stageConfig == null && controllerConfigFile != null) {
      stageConfig = controllerConfigFile.toAbsolutePath().toString();
    }
    if (stageConfig == null) {
      if (runsBuiltInStages) {
        throw new ConfigException(profile.key("stage-config"), null, "is required: the Baton configuration file stage"
            + " applications read (the controller was started without one)");
      }
    } else if (deployMode.equals("client") && !Files.isReadable(Path.of(stageConfig))) {
      throw new ConfigException(profile.key("stage-config"), stageConfig, "not a readable file");
    }
    Path logDir = values.containsKey("log-dir") ? Path.of(values.get("log-dir")) : defaultLogDir;
    int maxConcurrent;
    try {
      maxConcurrent = Integer.parseInt(values.getOrDefault("max-concurrent", String.valueOf(DEFAULT_MAX_CONCURRENT)));
    } catch (NumberFormatException e) {
      throw new ConfigException(profile.key("max-concurrent"), values.get("max-concurrent"), "expected a whole number");
    }
    if (maxConcurrent < 1) {
      throw new ConfigException(profile.key("max-concurrent"), String.valueOf(maxConcurrent), "must be at least 1");
    }
    Map<String, String> sparkConf = new LinkedHashMap<>();
    if (profile.name().equals(LauncherProfile.SPARK_SUBMIT) && master.equals(DEFAULT_MASTER)) {
      sparkConf.putAll(LOCAL_DEFAULTS);
    }
    sparkConf.putAll(profile.sparkConf());
    String namespace = values.getOrDefault("namespace", "default");
    if (!namespace.matches("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?")) {
      throw new ConfigException(profile.key("namespace"), namespace, "not a Kubernetes namespace name (a DNS-1123 label)");
    }
    return new SparkSubmitSettings(profile.name(), master, deployMode, sparkHome, jar, stageConfig, logDir.toAbsolutePath(),
        maxConcurrent, sparkConf, namespace);
  }

  /** Where the output of {@code attempt}'s application goes: {@code <log-dir>/<pipeline>/<runId>/<stage>-<attempt>.log}. */
  public Path logFile(AttemptName attempt) {
    return logDir.resolve(attempt.pipeline()).resolve(attempt.runId()).resolve(attempt.stage() + "-" + attempt.attempt() + ".log");
  }

  /** Whether attempts go to Kubernetes in cluster mode: their outcome is their driver pod's. */
  public boolean kubernetesCluster() {
    return master.startsWith("k8s://") && deployMode.equals("cluster");
  }

  /** The environment of spark-submit: {@code SPARK_HOME} set to this Spark home. */
  Map<String, String> environment() {
    return Map.of("SPARK_HOME", sparkHome.toString());
  }
}
