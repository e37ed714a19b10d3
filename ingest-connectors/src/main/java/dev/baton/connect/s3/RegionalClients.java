package dev.baton.connect.s3;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.utils.SdkAutoCloseable;

/**
 * AWS SDK clients of one service, one per region, at most {@code maxClients}: the least recently
 * used is closed and dropped when another region needs a client (regions come from events, which
 * could name any number). Closing closes them all. Thread-confined, like the task that owns it.
 *
 * @param <C> the SDK client type
 */
final class RegionalClients<C extends SdkAutoCloseable> implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(RegionalClients.class);

  private final String service;
  private final Function<String, C> factory;
  private final LinkedHashMap<String, C> clients;

  /**
   * @param service the service's name, for logs
   * @param maxClients most clients kept open, at least 1
   * @param factory builds the client of a region
   * @throws IllegalArgumentException if {@code maxClients} is below 1
   */
  RegionalClients(String service, int maxClients, Function<String, C> factory) {
    if (maxClients < 1) {
      throw new IllegalArgumentException("Cannot cache " + service + " clients: max clients " + maxClients + " < 1");
    }
    this.service = service;
    this.factory = factory;
    this.clients = new LinkedHashMap<>(16, 0.75f, true) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<String, C> eldest) {
        if (size() <= maxClients) {
          return false;
        }
        LOG.info("Closing the {} client of region {} (more than {} regions in use)", service, eldest.getKey(), maxClients);
        eldest.getValue().close();
        return true;
      }
    };
  }

  /** The client of {@code region}, built on first use. */
  C get(String region) {
    return clients.computeIfAbsent(region, factory);
  }

  /** The regions with an open client, least recently used first. */
  List<String> regions() {
    return List.copyOf(clients.keySet());
  }

  @Override
  public void close() {
    clients.values().forEach(C::close);
    clients.clear();
  }

  @Override
  public String toString() {
    return service + " clients " + clients.keySet();
  }
}
