package dev.baton.cli;

import dev.baton.catalog.CatalogConfig;
import dev.baton.control.stream.Controller;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.spark.sql.SparkSession;

/**
 * Builds the SparkSession Baton runs in. Precedence, highest first: {@code spark.*} keys of Baton
 * configuration, then the catalog's settings, then the controller's defaults ({@link
 * Controller#sparkDefaults()}), then the local defaults below (UI off, driver on 127.0.0.1). On a
 * {@code local} master, {@code spark.sql.shuffle.partitions} defaults to the master's thread count
 * instead of Spark's 200, which is sized for a cluster: on one machine each of 200 tasks per shuffle
 * is pure overhead (the ledger's MERGEs, which run in this session, made the controller ~30 % slower
 * under load with 200; BENCHMARKS.md).
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
    conf.putAll(dev.baton.stages.cdc.StageKafkaConf.sparkSettings(config)); // for stages reading Kafka (cdc-merge)
    config.forEach((key, value) -> {
      if (key.startsWith("spark.")) {
        conf.put(key, value);
      }
    });
    if (!conf.containsKey(SHUFFLE_PARTITIONS)) {
      localThreads(conf.get("spark.master")).ifPresent(threads -> conf.put(SHUFFLE_PARTITIONS, String.valueOf(threads)));
    }
    return conf;
  }

  private static final String SHUFFLE_PARTITIONS = "spark.sql.shuffle.partitions";

  /**
   * The worker threads of a local master ({@code local}, {@code local[n]}, {@code local[*]}, {@code
   * local[n,f]}, {@code local[*,f]}), as Spark counts them; empty for any other master.
   */
  static java.util.OptionalInt localThreads(String master) {
    if (master == null) {
      return java.util.OptionalInt.empty();
    }
    if (master.equals("local")) {
      return java.util.OptionalInt.of(1);
    }
    java.util.regex.Matcher local = java.util.regex.Pattern.compile("local\\[(\\*|[0-9]+)(,[0-9]+)?]").matcher(master);
    if (!local.matches()) {
      return java.util.OptionalInt.empty();
    }
    return java.util.OptionalInt.of(local.group(1).equals("*") ? Runtime.getRuntime().availableProcessors()
        : Math.max(1, Integer.parseInt(local.group(1))));
  }

  /** Creates (or returns the active) session with {@link #settings}. */
  public static SparkSession create(String appName, Map<String, String> config) {
    SparkSession.Builder builder = SparkSession.builder().appName(appName);
    settings(config).forEach(builder::config);
    return builder.getOrCreate();
  }
}
