package dev.baton.cli;

import dev.baton.catalog.CatalogConfig;
import dev.baton.control.ControllerConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.iceberg.CatalogProperties;
import org.apache.iceberg.CatalogUtil;

/**
 * What keeps a benchmark that runs a controller off the user's data: its own Iceberg catalog (a SQLite file of its
 * own, so its own ledger tables too, and a warehouse folder of its own), its own topics and its own checkpoint.
 *
 * @param dir the benchmark's folder {@code <BATON_HOME>/bench/<kind>-<id>/}: holds {@code catalog.db} and {@code
 *     checkpoint/}
 * @param warehouse the benchmark's warehouse, {@code s3://warehouse/bench-<id>/}
 * @param topicPrefix the prefix of its topics, {@code baton.bench-<id>.} (then the role: {@code control}, …)
 * @param config the local stack's configuration with the catalog, topics and checkpoint replaced
 */
record BenchIsolation(Path dir, String warehouse, String topicPrefix, Map<String, String> config) {

  BenchIsolation {
    config = Map.copyOf(config);
  }

  /**
   * Creates the benchmark's folder and topics (the control and ledger topics with 2 partitions, the others with 1).
   * The catalog is a JDBC catalog on a SQLite file of its own, whatever the stack's catalog is.
   *
   * @param workspace where {@code <BATON_HOME>} is
   * @param local the local stack, for its configuration and to create the topics
   * @param stack its running endpoints
   * @param kind the benchmark's name in its folder, {@code tpch} → {@code <BATON_HOME>/bench/tpch-<id>/}
   * @param id the benchmark's id: lower-case letters, digits, {@code -} and {@code _} only (it names a folder, a
   *     warehouse prefix and topics)
   * @throws IllegalArgumentException if {@code id} holds anything else
   * @throws java.nio.file.FileAlreadyExistsException if the folder exists (another benchmark's)
   * @throws IOException if the folder cannot be created
   */
  static BenchIsolation create(Workspace workspace, LocalServices local, LocalServices.Started stack, String kind,
      String id) throws IOException {
    if (!id.matches("[a-z0-9_-]+")) {
      throw new IllegalArgumentException("Invalid benchmark id '" + id + "': lower-case letters, digits, - and _ only");
    }
    Path dir = workspace.home().resolve("bench/" + kind + "-" + id);
    Files.createDirectories(dir.getParent());
    Files.createDirectory(dir); // fails if it exists: never share another benchmark's catalog or checkpoint
    String warehouse = "s3://warehouse/bench-" + id + "/";
    String topicPrefix = "baton.bench-" + id + ".";
    Map<String, String> config = new LinkedHashMap<>(local.config(stack.endpoints()));
    config.put(CatalogConfig.PREFIX + CatalogUtil.ICEBERG_CATALOG_TYPE, "jdbc");
    config.put(CatalogConfig.PREFIX + CatalogProperties.URI, "jdbc:sqlite:" + dir.resolve("catalog.db"));
    config.put(CatalogConfig.PREFIX + CatalogProperties.WAREHOUSE_LOCATION, warehouse);
    Map<String, Integer> topics = new LinkedHashMap<>();
    for (String role : ControllerConfig.DEFAULT_TOPICS.keySet()) {
      config.put(ControllerConfig.TOPICS_PREFIX + role, topicPrefix + role);
      topics.put(topicPrefix + role, role.equals("control") || role.equals("ledger") ? 2 : 1);
    }
    local.stack().ensureTopics(stack.endpoints(), topics);
    config.put(ControllerConfig.CHECKPOINT_LOCATION, dir.resolve("checkpoint").toString());
    return new BenchIsolation(dir, warehouse, topicPrefix, config);
  }

  /** One line for the benchmark's output: where its catalog, warehouse and topics are. */
  String describe() {
    return "catalog " + dir.resolve("catalog.db") + ", warehouse " + warehouse + ", topics " + topicPrefix + "*";
  }
}
