package dev.baton.connect.s3;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.Config;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigValue;
import org.apache.kafka.connect.connector.Task;
import org.apache.kafka.connect.source.ExactlyOnceSupport;
import org.apache.kafka.connect.source.SourceConnector;

/**
 * Kafka Connect source connector turning object arrival in S3 (or an S3-compatible store) into
 * {@code ObjectCreated} events on {@code baton.objects}, EMR job state changes and legacy flag files
 * into {@code StageCompleted} on {@code baton.control}, at least once, each with enough identity
 * for the controller to deduplicate. Depends on the Connect API only, so it loads in a self-managed
 * Connect cluster and in MSK Connect. See {@link S3EventSourceConfig} for modes and keys.
 *
 * <p>Parallelism ({@code tasks.max}): in mode {@code sqs} every task receives from the same queue
 * (SQS hands each message to one receiver at a time); in mode {@code listing} the prefixes are split
 * round-robin across at most as many tasks as there are prefixes.
 */
public final class S3EventSourceConnector extends SourceConnector {
  static final String VERSION = "0.2.0";

  private Map<String, String> props;

  @Override
  public String version() {
    return VERSION;
  }

  @Override
  public void start(Map<String, String> props) {
    new S3EventSourceConfig(props); // fail fast on bad config
    this.props = Map.copyOf(props);
  }

  @Override
  public Class<? extends Task> taskClass() {
    return S3EventSourceTask.class;
  }

  @Override
  public List<Map<String, String>> taskConfigs(int maxTasks) {
    S3EventSourceConfig config = new S3EventSourceConfig(props);
    List<Map<String, String>> tasks = new ArrayList<>();
    if (S3EventSourceConfig.MODE_SQS.equals(config.mode())) {
      for (int i = 0; i < maxTasks; i++) {
        tasks.add(props);
      }
      return tasks;
    }
    List<String> prefixes = config.prefixes();
    int count = Math.min(maxTasks, prefixes.size());
    for (int i = 0; i < count; i++) {
      List<String> own = new ArrayList<>();
      for (int p = i; p < prefixes.size(); p += count) {
        own.add(prefixes.get(p));
      }
      Map<String, String> task = new HashMap<>(props);
      task.put(S3EventSourceConfig.S3_PREFIXES_CONFIG, String.join(",", own));
      tasks.add(task);
    }
    return tasks;
  }

  /** Validates each key on its own, then the keys other keys make required; errors are per field. */
  @Override
  public Config validate(Map<String, String> connectorConfigs) {
    Config config = super.validate(connectorConfigs);
    Map<String, String> errors = S3EventSourceConfig.dependentErrors(connectorConfigs);
    for (ConfigValue value : config.configValues()) {
      String error = errors.get(value.name());
      if (error != null && value.errorMessages().isEmpty()) {
        value.addErrorMessage(value.name() + " " + error);
      }
    }
    return config;
  }

  @Override
  public void stop() {
    // nothing to release: tasks own their clients
  }

  @Override
  public ConfigDef config() {
    return S3EventSourceConfig.CONFIG_DEF;
  }

  @Override
  public ExactlyOnceSupport exactlyOnceSupport(Map<String, String> connectorConfig) {
    return ExactlyOnceSupport.UNSUPPORTED;
  }
}
