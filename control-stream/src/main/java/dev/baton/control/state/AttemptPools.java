package dev.baton.control.state;

import dev.baton.control.pipeline.StageDefinition;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Limits on the attempts running at once, shared by every pipeline: per launcher profile ({@code
 * controller.max-concurrent-attempts.launcher.<profile>=N}) and per stage type ({@code
 * controller.max-concurrent-attempts.type.<type>=N}). An attempt takes a slot of its launcher profile's pool
 * when that profile has a limit, otherwise of its stage type's pool when that type has one, otherwise none;
 * beyond the limit it waits QUEUED, and queued attempts start by pipeline {@code priority} (higher first),
 * then the time they became ready ({@link Slots}).
 *
 * @param byLauncher limit per launcher profile name
 * @param byType limit per stage type
 * @param defaultLauncher the profile of stages that name none ({@code controller.default-launcher})
 */
public record AttemptPools(Map<String, Integer> byLauncher, Map<String, Integer> byType, String defaultLauncher)
    implements Serializable {

  /** Prefix of the configuration keys. */
  public static final String CONFIG_PREFIX = "controller.max-concurrent-attempts.";
  private static final String LAUNCHER = "launcher:";
  private static final String TYPE = "type:";

  public AttemptPools {
    byLauncher = Map.copyOf(byLauncher);
    byType = Map.copyOf(byType);
  }

  /** No limits. */
  public static AttemptPools none() {
    return new AttemptPools(Map.of(), Map.of(), "in-process");
  }

  /**
   * The limits in Baton configuration {@code config}.
   *
   * @throws IllegalArgumentException naming the key, for a key under {@value #CONFIG_PREFIX} that is neither
   *     {@code launcher.<profile>} nor {@code type.<type>}, or a value that is not an integer of at least 1
   */
  public static AttemptPools fromConfig(Map<String, String> config, String defaultLauncher) {
    Map<String, Integer> byLauncher = new TreeMap<>();
    Map<String, Integer> byType = new TreeMap<>();
    for (Map.Entry<String, String> entry : new TreeMap<>(config).entrySet()) {
      if (!entry.getKey().startsWith(CONFIG_PREFIX)) {
        continue;
      }
      String rest = entry.getKey().substring(CONFIG_PREFIX.length());
      int limit;
      try {
        limit = Integer.parseInt(entry.getValue().trim());
      } catch (NumberFormatException e) {
        limit = 0;
      }
      if (limit < 1) {
        throw new IllegalArgumentException(entry.getKey() + ": must be an integer of at least 1 (got '"
            + entry.getValue() + "')");
      }
      if (rest.startsWith("launcher.") && rest.length() > "launcher.".length()) {
        byLauncher.put(rest.substring("launcher.".length()), limit);
      } else if (rest.startsWith("type.") && rest.length() > "type.".length()) {
        byType.put(rest.substring("type.".length()), limit);
      } else {
        throw new IllegalArgumentException(entry.getKey() + ": expected " + CONFIG_PREFIX + "launcher.<profile> or "
            + CONFIG_PREFIX + "type.<stage type>");
      }
    }
    return new AttemptPools(byLauncher, byType, defaultLauncher);
  }

  /** The pool an attempt of {@code stage} takes a slot of ({@code launcher:<profile>} or {@code type:<type>}), if any. */
  public Optional<String> poolOf(StageDefinition stage) {
    String profile = stage.launcher() == null ? defaultLauncher : stage.launcher();
    if (byLauncher.containsKey(profile)) {
      return Optional.of(LAUNCHER + profile);
    }
    return byType.containsKey(stage.type()) ? Optional.of(TYPE + stage.type()) : Optional.empty();
  }

  /** The limit of {@code pool}, or null when it has none (any more). */
  public Integer limit(String pool) {
    return pool.startsWith(LAUNCHER) ? byLauncher.get(pool.substring(LAUNCHER.length()))
        : pool.startsWith(TYPE) ? byType.get(pool.substring(TYPE.length())) : null;
  }

  /** Every pool with a limit. */
  public List<String> pools() {
    List<String> pools = new ArrayList<>();
    byLauncher.keySet().forEach(profile -> pools.add(LAUNCHER + profile));
    byType.keySet().forEach(type -> pools.add(TYPE + type));
    return pools;
  }
}
