package dev.baton.control.launch;

import static java.util.Objects.requireNonNull;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.apache.kafka.common.config.ConfigException;

/**
 * A named launcher configuration: which kind of launcher runs a stage's attempts, and how. Pipelines
 * refer to profiles by name ({@code defaults.launcher}, {@code stages[i].launcher}); the
 * configuration defines them with keys {@code launchers.<name>.<setting>}:
 *
 * <pre>{@code
 * launchers.k8s.type=spark-submit
 * launchers.k8s.master=k8s://https://kubernetes.default.svc
 * launchers.k8s.deploy-mode=cluster
 * launchers.k8s.conf.spark.executor.memory=8g     # any Spark setting, passed as --conf
 * controller.default-launcher=k8s                 # for stages that name none
 * }</pre>
 *
 * <p>Two profiles always exist and may be refined, not retyped: {@value #IN_PROCESS} (type {@code
 * in-process}: stages run in the controller's own SparkSession) and {@value #SPARK_SUBMIT} (type
 * {@code spark-submit}, master {@code local[2]}: each attempt its own Spark application on this machine).
 *
 * @param name the profile's name, e.g. {@code k8s}
 * @param type the launcher kind: {@value #IN_PROCESS}, {@value #SPARK_SUBMIT}, {@value #SPARK_OPERATOR}, {@value
 *     #EMR_SERVERLESS}, {@value #EMR_CONTAINERS} or {@value #EMR_STEPS}
 * @param settings the profile's settings without prefix and without {@code type} and {@code conf.*},
 *     e.g. {@code master -> k8s://...}
 * @param sparkConf the {@code conf.*} settings without the {@code conf.} prefix, e.g. {@code spark.executor.memory -> 8g}
 */
public record LauncherProfile(String name, String type, Map<String, String> settings, Map<String, String> sparkConf) {

  /** Prefix of the launcher profile keys. */
  public static final String PREFIX = "launchers.";
  /** Type (and built-in profile) running attempts in the controller's SparkSession. */
  public static final String IN_PROCESS = "in-process";
  /** Type (and built-in profile) running each attempt as its own Spark application through spark-submit. */
  public static final String SPARK_SUBMIT = "spark-submit";
  /** Type running each attempt as a {@code SparkApplication} of the Kubeflow Spark Operator. */
  public static final String SPARK_OPERATOR = "spark-operator";
  /** Type running each attempt as an EMR Serverless job run ({@link EmrLauncherSettings}). */
  public static final String EMR_SERVERLESS = "emr-serverless";
  /** Type running each attempt as an EMR on EKS job run on a virtual cluster ({@link EmrLauncherSettings}). */
  public static final String EMR_CONTAINERS = "emr-containers";
  /** Type running each attempt as a step of an EMR on EC2 cluster ({@link EmrLauncherSettings}). */
  public static final String EMR_STEPS = "emr-steps";
  /** The launcher kinds a profile may have. */
  public static final Set<String> TYPES = Set.of(IN_PROCESS, SPARK_SUBMIT, SPARK_OPERATOR, EMR_SERVERLESS, EMR_CONTAINERS,
      EMR_STEPS);

  private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9_-]{0,63}");

  public LauncherProfile {
    requireNonNull(name, "Invalid name: null");
    requireNonNull(type, "Invalid type: null");
    settings = Collections.unmodifiableMap(new TreeMap<>(requireNonNull(settings, "Invalid settings: null")));
    sparkConf = Collections.unmodifiableMap(new TreeMap<>(requireNonNull(sparkConf, "Invalid sparkConf: null")));
  }

  /** The full configuration key of one of this profile's settings, for error messages. */
  public String key(String setting) {
    return PREFIX + name + "." + setting;
  }

  /**
   * Every profile the configuration defines, the built-in ones included, by name.
   *
   * @param config Baton configuration (only {@code launchers.*} keys are read)
   * @throws ConfigException naming the key: a profile name that is not lower-case letters, digits, '_'
   *     or '-', a missing or unknown type, a built-in profile given another type, or a key without setting
   */
  public static Map<String, LauncherProfile> fromConfig(Map<String, String> config) {
    Map<String, Map<String, String>> raw = new TreeMap<>();
    raw.put(IN_PROCESS, new TreeMap<>(Map.of("type", IN_PROCESS)));
    raw.put(SPARK_SUBMIT, new TreeMap<>(Map.of("type", SPARK_SUBMIT)));
    config.forEach((key, value) -> {
      if (!key.startsWith(PREFIX)) {
        return;
      }
      String rest = key.substring(PREFIX.length());
      int dot = rest.indexOf('.');
      if (dot <= 0 || dot == rest.length() - 1) {
        throw new ConfigException(key, value, "expected launchers.<profile>.<setting>");
      }
      String name = rest.substring(0, dot);
      if (!NAME.matcher(name).matches()) {
        throw new ConfigException(key, value,
            "a launcher profile name is lower-case letters, digits, '_' or '-' (got '" + name + "')");
      }
      String setting = rest.substring(dot + 1);
      if (setting.equals("type") && (name.equals(IN_PROCESS) || name.equals(SPARK_SUBMIT)) && !value.equals(name)) {
        throw new ConfigException(key, value, "the built-in profile " + name + " is of type " + name);
      }
      raw.computeIfAbsent(name, n -> new TreeMap<>()).put(setting, value);
    });
    Map<String, LauncherProfile> profiles = new LinkedHashMap<>();
    raw.forEach((name, settings) -> {
      String type = settings.remove("type");
      if (type == null) {
        throw new ConfigException(PREFIX + name + ".type", null, "is required (one of " + new TreeSet<>(TYPES) + ")");
      }
      if (!TYPES.contains(type)) {
        throw new ConfigException(PREFIX + name + ".type", type, "unknown launcher type (one of " + new TreeSet<>(TYPES) + ")");
      }
      Map<String, String> sparkConf = new TreeMap<>();
      settings.entrySet().removeIf(entry -> {
        if (entry.getKey().startsWith("conf.")) {
          sparkConf.put(entry.getKey().substring("conf.".length()), entry.getValue());
          return true;
        }
        return false;
      });
      profiles.put(name, new LauncherProfile(name, type, settings, sparkConf));
    });
    return profiles;
  }

  /**
   * Refuses settings this profile's type does not read.
   *
   * @throws ConfigException naming the first unknown key
   */
  public void requireOnly(Set<String> known) {
    for (String setting : settings.keySet()) {
      if (!known.contains(setting)) {
        throw new ConfigException(key(setting), settings.get(setting), "unknown setting of a " + type
            + " launcher profile (known: type, " + (known.isEmpty() ? "" : String.join(", ", new TreeSet<>(known)) + ", ")
            + "conf.<spark setting>)");
      }
    }
    if (type.equals(IN_PROCESS) && !sparkConf.isEmpty()) {
      String first = sparkConf.keySet().iterator().next();
      throw new ConfigException(key("conf." + first), sparkConf.get(first),
          "an in-process launcher runs stages in the controller's session: set spark.* keys of the configuration instead");
    }
  }
}
