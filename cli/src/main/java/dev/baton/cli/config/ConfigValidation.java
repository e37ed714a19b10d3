package dev.baton.cli.config;

import dev.baton.catalog.CatalogConfig;
import dev.baton.control.ControllerConfig;
import dev.baton.schemas.SchemaRegistries;
import java.util.List;
import java.util.Map;
import java.util.Set;
import dev.baton.control.launch.LauncherProfile;
import dev.baton.control.launch.SparkSubmitSettings;
import org.apache.kafka.common.config.ConfigException;

/**
 * Checks a configuration file when it is loaded, so that every command fails the same way, at
 * once, naming the key: unknown keys (a typo like {@code kafak.bootstrap.servers} or {@code
 * controller.trigger-interval}), and invalid values of each section the file has (Kafka and
 * controller, catalog, schema registry).
 */
final class ConfigValidation {
  /** The key prefixes Baton reads; anything else in a file is a mistake. */
  static final List<String> PREFIXES = List.of("kafka.", "iceberg.catalog.", "spark.", "s3.", "controller.", "topics.",
      SchemaRegistries.PREFIX, LauncherProfile.PREFIX);
  private static final Set<String> S3_KEYS = Set.of(S3Settings.ENDPOINT, S3Settings.REGION, S3Settings.ACCESS_KEY_ID,
      S3Settings.SECRET_ACCESS_KEY, S3Settings.BUCKETS);
  private static final Set<String> REGISTRY_KEYS = Set.of(SchemaRegistries.URL, SchemaRegistries.BASIC_AUTH_USER,
      SchemaRegistries.BASIC_AUTH_PASSWORD, SchemaRegistries.BEARER_TOKEN, SchemaRegistries.REQUEST_TIMEOUT_MS,
      SchemaRegistries.AUTO_REGISTER);

  private ConfigValidation() {}

  /**
   * @throws ConfigException naming the file and the key
   */
  static void validate(Configuration configuration, String file) {
    Map<String, String> values = configuration.values();
    for (String key : values.keySet()) {
      boolean known = PREFIXES.stream().anyMatch(key::startsWith)
          && (!key.startsWith("controller.") || ControllerConfig.CONFIG_DEF.names().contains(key)
              || key.startsWith(dev.baton.control.state.AttemptPools.CONFIG_PREFIX))
          && (!key.startsWith("s3.") || S3_KEYS.contains(key))
          && (!key.startsWith(SchemaRegistries.PREFIX) || REGISTRY_KEYS.contains(key));
      if (!known) {
        throw new ConfigException("Cannot use configuration file " + file + ": unknown key " + key
            + " (Baton reads " + String.join("*, ", PREFIXES) + "* keys; see the README's Configuration section)");
      }
    }
    boolean hasKafka = values.keySet().stream()
        .anyMatch(key -> key.startsWith("kafka.") || key.startsWith("controller.") || key.startsWith("topics."));
    try {
      if (hasKafka) {
        ControllerConfig.fromConfig(values);
      }
      if (values.containsKey(CatalogConfig.PREFIX + "type")) {
        CatalogConfig.fromConfig(CatalogConfig.DEFAULT_NAME, values);
      }
      SchemaRegistries.confluentConfig(values);
      // each profile's type and setting names (an EMR profile's required settings and their forms too); its
      // files are checked when a controller sets it up
      LauncherProfile.fromConfig(values).values().forEach(profile -> {
        switch (profile.type()) {
          case LauncherProfile.SPARK_SUBMIT -> profile.requireOnly(SparkSubmitSettings.KEYS);
          case LauncherProfile.SPARK_OPERATOR -> profile.requireOnly(dev.baton.control.launch.SparkOperatorSettings.KEYS);
          case LauncherProfile.EMR_SERVERLESS, LauncherProfile.EMR_CONTAINERS, LauncherProfile.EMR_STEPS ->
              dev.baton.control.launch.EmrLauncherSettings.from(profile, false);
          default -> profile.requireOnly(Set.of());
        }
      });
    } catch (ConfigException e) {
      throw new ConfigException("Cannot use configuration file " + file + ": " + e.getMessage());
    } catch (IllegalArgumentException e) {
      throw new ConfigException("Cannot use configuration file " + file + ": " + e.getMessage());
    }
  }
}
