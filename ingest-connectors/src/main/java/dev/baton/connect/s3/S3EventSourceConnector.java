package dev.baton.connect.s3;

import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.connect.connector.Task;
import org.apache.kafka.connect.source.ExactlyOnceSupport;
import org.apache.kafka.connect.source.SourceConnector;

/**
 * Kafka Connect source connector turning object arrival in S3 (or an S3-compatible store) into
 * {@code ObjectCreated} events on {@code baton.objects}, at least once, each with enough identity
 * (bucket, key, etag) for the controller to deduplicate. Depends on the Connect API only, so it
 * loads in a self-managed Connect cluster and in MSK Connect. See {@link S3EventSourceConfig}.
 */
public final class S3EventSourceConnector extends SourceConnector {
  static final String VERSION = "0.1.0";

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

  /** One task: a listing is one sequential scan (splitting prefixes across tasks comes with the sqs mode). */
  @Override
  public List<Map<String, String>> taskConfigs(int maxTasks) {
    return List.of(props);
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
