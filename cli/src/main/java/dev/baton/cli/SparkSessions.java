package dev.baton.cli;

import dev.baton.catalog.CatalogConfig;
import dev.baton.control.stream.Controller;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.spark.sql.SparkSession;

/**
 * Builds the SparkSession Baton runs in. Precedence, highest first: {@code spark.*} keys of Baton
 * configuration, then the catalog's settings, then the controller's defaults ({@link
 * Controller#sparkDefaults()}), then the local defaults below (UI off, driver on 127.0.0.1).
 */
public final class SparkSessions {
  private SparkSessions() {}

  /** The resolved Spark settings, in the precedence order documented above. */
  public static Map<String, String> settings(Map<String, String> config) {
    Map<String, String> conf = new LinkedHashMap<>();
    conf.put("spark.ui.enabled", "false");
    conf.put("spark.driver.host", "127.0.0.1");
    conf.put("spark.driver.bindAddress", "127.0.0.1");
    conf.put("spark.sql.adaptive.enabled", "true");
    conf.put("spark.master", "local[*]");
    conf.putAll(Controller.sparkDefaults());
    conf.putAll(CatalogConfig.fromConfig(CatalogConfig.DEFAULT_NAME, config).sparkConf());
    config.forEach((key, value) -> {
      if (key.startsWith("spark.")) {
        conf.put(key, value);
      }
    });
    return conf;
  }

  /** Creates (or returns the active) session with {@link #settings}. */
  public static SparkSession create(String appName, Map<String, String> config) {
    SparkSession.Builder builder = SparkSession.builder().appName(appName);
    settings(config).forEach(builder::config);
    return builder.getOrCreate();
  }
}
