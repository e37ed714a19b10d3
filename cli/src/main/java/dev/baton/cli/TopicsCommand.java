package dev.baton.cli;

import dev.baton.control.ControllerConfig;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code baton topics create}: creates Baton's five topics (objects, control, dlq, alerts, ledger; names from the
 * configuration's {@code topics.*}) on the configured Kafka, each with its partition count and {@code retention.ms}.
 * A topic that exists is left as it is and reported with its partition count, and with what differs from the
 * request; topics are never deleted or altered. Meant to run once per cluster (Baton's Terraform runs it in the
 * controller's init container on every start: it changes nothing when the topics exist).
 */
@Command(name = "topics", mixinStandardHelpOptions = true,
    description = "Create Baton's topics on the configured Kafka.",
    subcommands = {TopicsCommand.Create.class})
final class TopicsCommand {

  /** Partitions and retention of each topic role when not given: sized for a cluster, not the local stack. */
  static final Map<String, Integer> DEFAULT_PARTITIONS = Map.of("objects", 12, "control", 12, "dlq", 3, "alerts", 3,
      "ledger", 6);
  static final Map<String, Long> DEFAULT_RETENTION_MS = Map.of("objects", 604_800_000L, "control", 604_800_000L,
      "dlq", 2_592_000_000L, "alerts", 2_592_000_000L, "ledger", 604_800_000L);

  /** Exit code when an option is invalid. */
  static final int USER_ERROR = 2;
  /** Exit code when Kafka did not create a topic or did not answer. */
  static final int FAILED = 1;

  /**
   * Prints one line per topic: {@code <topic> created <n> partitions, retention.ms <ms>} or {@code <topic> exists
   * <n> partitions[, not changed: wanted <m>]}. Exit 0 when every topic exists afterwards; 1 when Kafka failed (its
   * error printed); 2 for an unknown role or a non-positive value; 4 when Kafka refused the principal.
   */
  @Command(name = "create", mixinStandardHelpOptions = true,
      description = {"Create Baton's topics (objects, control, dlq, alerts, ledger; names from topics.* of --config)"
          + " that do not exist, with their partitions and retention.ms. Existing topics are not changed: each is"
          + " reported with its partition count and what differs from the request.",
          "Defaults: objects and control 12 partitions, ledger 6, dlq and alerts 3; retention 7 days, dlq and alerts 30"
              + " days; replication: the cluster's default."})
  static final class Create implements Callable<Integer> {
    @Mixin
    EventsCommand.KafkaOptions kafka;

    @Option(names = "--partitions", paramLabel = "ROLE=N", description = "Partitions of a topic role, e.g. objects=24.")
    Map<String, Integer> partitions = new HashMap<>();

    @Option(names = "--retention-ms", paramLabel = "ROLE=MS", description = "retention.ms of a topic role, ms.")
    Map<String, Long> retentionMs = new HashMap<>();

    @Option(names = "--replication-factor", paramLabel = "N",
        description = "Replicas of each new topic (default: the cluster's default.replication.factor).")
    Short replicationFactor;

    @Option(names = "--timeout-ms", defaultValue = "60000",
        description = "Longest wait for Kafka's answers, ms (default ${DEFAULT-VALUE}).")
    long timeoutMs;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws InterruptedException {
      PrintWriter out = spec.commandLine().getOut();
      PrintWriter err = spec.commandLine().getErr();
      Set<String> roles = ControllerConfig.DEFAULT_TOPICS.keySet();
      List<String> invalid = new ArrayList<>();
      partitions.forEach((role, n) -> {
        if (!roles.contains(role) || n == null || n <= 0) {
          invalid.add("--partitions " + role + "=" + n);
        }
      });
      retentionMs.forEach((role, ms) -> {
        if (!roles.contains(role) || ms == null || (ms <= 0 && ms != -1)) {
          invalid.add("--retention-ms " + role + "=" + ms);
        }
      });
      if (replicationFactor != null && replicationFactor <= 0) {
        invalid.add("--replication-factor " + replicationFactor);
      }
      if (!invalid.isEmpty()) {
        err.println("Invalid " + String.join(", ", invalid) + ": roles are " + new TreeMap<>(ControllerConfig.DEFAULT_TOPICS)
            .keySet() + ", partitions positive, retention.ms positive or -1 (forever)");
        return USER_ERROR;
      }
      Map<String, String> names = new LinkedHashMap<>();
      new TreeMap<>(ControllerConfig.DEFAULT_TOPICS).forEach((role, name) ->
          names.put(role, kafka.configurationValues().getOrDefault(ControllerConfig.TOPICS_PREFIX + role, name).trim()));

      Map<String, Object> settings = new HashMap<>(kafka.settings());
      settings.putIfAbsent(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) Math.min(Integer.MAX_VALUE, timeoutMs));
      try (Admin admin = Admin.create(settings)) {
        Set<String> existing = admin.listTopics().names().get(timeoutMs, TimeUnit.MILLISECONDS);
        Map<String, NewTopic> missing = new LinkedHashMap<>();
        names.forEach((role, name) -> {
          if (!existing.contains(name)) {
            missing.put(role, new NewTopic(name, Optional.of(partitions.getOrDefault(role, DEFAULT_PARTITIONS.get(role))),
                Optional.ofNullable(replicationFactor)).configs(Map.of(TopicConfig.RETENTION_MS_CONFIG,
                Long.toString(retentionMs.getOrDefault(role, DEFAULT_RETENTION_MS.get(role))))));
          }
        });
        Map<String, Boolean> created = new LinkedHashMap<>();
        var results = admin.createTopics(missing.values()).values();
        for (Map.Entry<String, NewTopic> topic : missing.entrySet()) {
          try {
            results.get(topic.getValue().name()).get(timeoutMs, TimeUnit.MILLISECONDS);
            created.put(topic.getKey(), true);
          } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) { // created meanwhile by someone else: reported below
              throw e;
            }
          }
        }
        Map<String, TopicDescription> descriptions = admin.describeTopics(names.values()).allTopicNames()
            .get(timeoutMs, TimeUnit.MILLISECONDS);
        names.forEach((role, name) -> {
          int actual = descriptions.get(name).partitions().size();
          int wanted = partitions.getOrDefault(role, DEFAULT_PARTITIONS.get(role));
          if (created.containsKey(role)) {
            out.println(name + " created " + actual + " partitions, retention.ms "
                + retentionMs.getOrDefault(role, DEFAULT_RETENTION_MS.get(role)));
          } else {
            out.println(name + " exists " + actual + " partitions"
                + (actual != wanted ? ", not changed: wanted " + wanted + " (kafka-topics.sh --alter raises it)" : ""));
          }
        });
        return 0;
      } catch (ExecutionException | TimeoutException e) {
        Throwable cause = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
        if (cause instanceof org.apache.kafka.common.errors.AuthorizationException
            || cause instanceof org.apache.kafka.common.errors.AuthenticationException) {
          throw new IllegalStateException(cause); // BatonCli reports it, exit 4
        }
        err.println("Cannot create Baton's topics on " + settings.get(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG) + ": "
            + cause.getClass().getSimpleName() + ": " + cause.getMessage());
        return FAILED;
      }
    }
  }

  private TopicsCommand() {}
}
