package dev.baton.cli.config;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;
import dev.baton.stages.config.ConfigReferences;
import org.apache.kafka.common.config.ConfigException;

/**
 * Baton configuration: flat properties with dotted, hyphenated keys ({@code kafka.*}, {@code
 * iceberg.catalog.*}, {@code s3.*}, {@code spark.*}, {@code controller.*}, {@code topics.*},
 * {@code schema.registry.*}), resolved once, with the secrets it holds marked so they are never
 * printed.
 *
 * <p>A configuration file ({@link #load}) is a Java properties file (UTF-8). Secrets are given by
 * reference, never inline, with Kafka's configuration providers ({@link ConfigTransformer}
 * syntax {@code ${provider:[path:]key}}): {@code ${env:NAME}} (an environment variable), {@code
 * ${file:/path/secrets.properties:key}} (a key of a properties file), {@code
 * ${directory:/path/dir:file}} (a file's whole content, e.g. a mounted Kubernetes secret), and any
 * provider the file declares the Kafka way: {@code config.providers=sm}, {@code
 * config.providers.sm.class=dev.baton.config.providers.SecretsManagerConfigProvider}, {@code
 * config.providers.sm.param.<name>=<value>}.
 *
 * <p>A key is secret if its value came from a reference or its name says so ({@link
 * #isSecretKey}: password, secret, token, credential, {@code sasl.jaas.config}); a secret key given
 * inline in a file is refused.
 *
 * @param values the resolved settings
 * @param secretKeys keys whose values must never be printed
 * @param source where the settings came from, e.g. a file's path (named in error messages)
 */
public record Configuration(Map<String, String> values, Set<String> secretKeys, String source) {

  /** Key listing the configuration providers a file declares, as in Kafka ({@code config.providers}). */
  public static final String PROVIDERS = ConfigReferences.PROVIDERS;
  /** Providers always available: {@code env}, {@code file}, {@code directory}. */
  public static final Set<String> BUILT_IN_PROVIDERS = Set.of("env", "file", "directory");

  private static final Pattern SECRET_NAME =
      Pattern.compile("(?i).*(password|secret|token|credential|sasl\\.jaas\\.config).*");
  /** Keys that name a secret's provider, class, location or switch rather than hold one. */
  private static final Pattern NOT_A_SECRET =
      Pattern.compile("(?i).*[.-](provider|providers|class|url|uri|endpoint|type|location|enabled|ms|name|path)$");
  /**
   * A JAAS option holding a password or client secret inline rather than by reference, quoted or
   * not (Kafka's JAAS parser accepts {@code password="x"}, {@code password='x'} and {@code password=x}).
   */
  private static final Pattern INLINE_JAAS_SECRET =
      Pattern.compile("(?i)\\b\\w*(password|secret)\\s*=\\s*(?![\"']?\\$\\{)");
  /** Kafka client settings Kafka itself types as passwords (e.g. {@code ssl.keystore.key}, a PEM private key). */
  private static final Set<String> KAFKA_PASSWORD_KEYS = kafkaPasswordKeys();
  private static final String MASK = "****";

  public Configuration {
    values = Collections.unmodifiableMap(new LinkedHashMap<>(requireNonNull(values, "Invalid values: null")));
    secretKeys = Set.copyOf(requireNonNull(secretKeys, "Invalid secretKeys: null"));
    requireNonNull(source, "Invalid source: null");
  }

  /**
   * Reads a configuration file and resolves its references.
   *
   * @throws ConfigException naming the file and the key: the file cannot be read, a secret key
   *     holds its value inline, a reference names an unknown provider, or a provider cannot resolve
   *     it (missing variable, file or key)
   */
  public static Configuration load(Path file) {
    Configuration configuration = resolve(ConfigReferences.readProperties(file), file.toString(), true);
    ConfigValidation.validate(configuration, file.toString());
    return configuration;
  }

  /**
   * Resolves the references in settings made in code (e.g. {@code ${file:...}} to a secrets file),
   * without refusing inline secrets: the secrets of a generated configuration are in memory anyway.
   *
   * @throws ConfigException naming the key, if a reference cannot be resolved
   */
  public static Map<String, String> resolveReferences(Map<String, String> values, String source) {
    return resolve(new TreeMap<>(values), source, false).values();
  }

  private static Configuration resolve(Map<String, String> raw, String file, boolean refuseInlineSecrets) {
    try (ConfigReferences references = ConfigReferences.of(raw, file)) {
      Map<String, String> resolved = new LinkedHashMap<>();
      Set<String> secrets = new TreeSet<>();
      for (Map.Entry<String, String> entry : raw.entrySet()) {
        String key = entry.getKey();
        String value = entry.getValue();
        if (ConfigReferences.isProviderKey(key)) {
          continue;
        }
        boolean referenced = ConfigReferences.isReference(value);
        // a JAAS configuration is secret as a whole, but only its password/secret options must be references
        // (MSK IAM's "IAMLoginModule required;" holds none)
        boolean inline = key.endsWith("sasl.jaas.config") ? INLINE_JAAS_SECRET.matcher(value).find()
            : isSecretKey(key) && !referenced;
        if (inline && refuseInlineSecrets) {
          throw new ConfigException("Cannot use configuration file " + file + ": " + key + " holds a secret inline;"
              + " give it by reference, e.g. ${env:NAME} or ${file:/path/secrets.properties:" + key + "}");
        }
        if (referenced) {
          secrets.add(key);
          value = references.resolve(key, value);
        } else if (isSecretKey(key)) {
          secrets.add(key);
        }
        resolved.put(key, value);
      }
      return new Configuration(resolved, secrets, file);
    }
  }

  /**
   * Whether a key's name marks a secret: it mentions a password, secret, token, credential or a SASL
   * JAAS configuration, and does not end in a word naming something else ({@code provider}, {@code
   * class}, {@code url}, {@code uri}, {@code endpoint}, {@code type}, {@code location}, {@code
   * enabled}, {@code ms}, {@code name}, {@code path}): {@code kafka.ssl.keystore.password} and {@code
   * spark.hadoop.fs.s3a.secret.key} are secrets, {@code spark.hadoop.fs.s3a.aws.credentials.provider}
   * is not.
   */
  public static boolean isSecretKey(String key) {
    if (key.startsWith("kafka.") && KAFKA_PASSWORD_KEYS.contains(key.substring("kafka.".length()))) {
      return true;
    }
    return SECRET_NAME.matcher(key).matches() && !NOT_A_SECRET.matcher(key).matches();
  }

  /** Whether {@code key}'s value must never be printed. */
  public boolean isSecret(String key) {
    return secretKeys.contains(key) || isSecretKey(key);
  }

  /** A value fit for printing: the value, or {@code ****} for a secret, or null if unset. */
  public String display(String key) {
    String value = values.get(key);
    return value == null ? null : isSecret(key) ? MASK : value;
  }

  /** Every setting, sorted, secrets masked. */
  public Map<String, String> redacted() {
    Map<String, String> shown = new TreeMap<>();
    values.keySet().forEach(key -> shown.put(key, display(key)));
    return shown;
  }

  private static Set<String> kafkaPasswordKeys() {
    Set<String> keys = new TreeSet<>();
    for (org.apache.kafka.common.config.ConfigDef def : List.of(org.apache.kafka.clients.producer.ProducerConfig.configDef(),
        org.apache.kafka.clients.consumer.ConsumerConfig.configDef(),
        org.apache.kafka.clients.admin.AdminClientConfig.configDef())) {
      def.configKeys().forEach((name, key) -> {
        if (key.type() == org.apache.kafka.common.config.ConfigDef.Type.PASSWORD) {
          keys.add(name);
        }
      });
    }
    return Set.copyOf(keys);
  }

  @Override
  public String toString() {
    return "Configuration{source=" + source + ", values=" + redacted() + "}";
  }
}
