package dev.baton.stages.config;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.ConfigTransformer;
import org.apache.kafka.common.config.provider.ConfigProvider;
import org.apache.kafka.common.config.provider.DirectoryConfigProvider;
import org.apache.kafka.common.config.provider.EnvVarConfigProvider;
import org.apache.kafka.common.config.provider.FileConfigProvider;

/**
 * Resolves the secret references of a Baton configuration file with Kafka's configuration providers
 * ({@link ConfigTransformer} syntax {@code ${provider:[path:]key}}): {@code env}, {@code file} and
 * {@code directory} always, and any provider the settings declare the Kafka way ({@code
 * config.providers=sm}, {@code config.providers.sm.class=...}, {@code config.providers.sm.param.<name>=...}).
 * Used by the CLI and by the stage runner of a stage that runs as its own application, so both read
 * the same file the same way. Close it to release the providers.
 */
public final class ConfigReferences implements AutoCloseable {

  /** Key listing the configuration providers a file declares, as in Kafka ({@code config.providers}). */
  public static final String PROVIDERS = "config.providers";
  private static final Pattern REFERENCE = Pattern.compile("\\$\\{[^}]*:[^}]*}");
  private static final Pattern PROVIDER_NAME = Pattern.compile("\\$\\{([^}:]*):");

  private final Map<String, ConfigProvider> providers;
  private final ConfigTransformer transformer;
  private final String source;

  private ConfigReferences(Map<String, ConfigProvider> providers, String source) {
    this.providers = providers;
    this.transformer = new ConfigTransformer(providers);
    this.source = source;
  }

  /**
   * The providers of {@code settings}: the built-in ones and those it declares.
   *
   * @param source where the settings came from, e.g. a file's path (named in error messages)
   * @throws ConfigException naming the key, if a declared provider has no class or cannot be created
   */
  public static ConfigReferences of(Map<String, String> settings, String source) {
    requireNonNull(source, "Invalid source: null");
    Map<String, ConfigProvider> providers = new LinkedHashMap<>();
    providers.put("env", new EnvVarConfigProvider());
    providers.put("file", new FileConfigProvider());
    providers.put("directory", new DirectoryConfigProvider());
    providers.values().forEach(provider -> provider.configure(Map.of()));
    String declared = settings.getOrDefault(PROVIDERS, "");
    for (String name : declared.split(",")) {
      name = name.strip();
      if (name.isEmpty()) {
        continue;
      }
      String classKey = PROVIDERS + "." + name + ".class";
      String className = settings.get(classKey);
      if (className == null) {
        throw new ConfigException("Cannot use configuration file " + source + ": " + PROVIDERS + " names '" + name
            + "' but " + classKey + " is missing");
      }
      ConfigProvider provider;
      try {
        provider = Class.forName(className).asSubclass(ConfigProvider.class).getDeclaredConstructor().newInstance();
      } catch (ReflectiveOperationException | ClassCastException e) {
        throw new ConfigException(classKey, className, "not a ConfigProvider with a public no-argument constructor: " + e);
      }
      String paramPrefix = PROVIDERS + "." + name + ".param.";
      Map<String, String> params = new LinkedHashMap<>();
      settings.forEach((key, value) -> {
        if (key.startsWith(paramPrefix)) {
          params.put(key.substring(paramPrefix.length()), value);
        }
      });
      provider.configure(params);
      providers.put(name, provider);
    }
    return new ConfigReferences(providers, source);
  }

  /**
   * Reads a configuration file (a Java properties file, UTF-8; values stripped) and resolves every
   * reference in it.
   *
   * @return the settings, sorted by key, without the {@code config.providers*} keys
   * @throws ConfigException naming the file (and the key): it cannot be read, or a reference cannot be resolved
   */
  public static Map<String, String> readFile(Path file) {
    Map<String, String> raw = readProperties(file);
    Map<String, String> resolved = new TreeMap<>();
    try (ConfigReferences references = of(raw, file.toString())) {
      raw.forEach((key, value) -> {
        if (!isProviderKey(key)) {
          resolved.put(key, isReference(value) ? references.resolve(key, value) : value);
        }
      });
    }
    return resolved;
  }

  /**
   * A properties file's settings as written, values stripped, sorted by key.
   *
   * @throws ConfigException naming the file, if it cannot be read
   */
  public static Map<String, String> readProperties(Path file) {
    Properties properties = new Properties();
    try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      properties.load(reader);
    } catch (NoSuchFileException e) {
      throw new ConfigException("Cannot read configuration file " + file + ": no such file");
    } catch (IOException | IllegalArgumentException e) {
      throw new ConfigException("Cannot read configuration file " + file + ": " + e.getMessage());
    }
    Map<String, String> raw = new TreeMap<>();
    properties.stringPropertyNames().forEach(key -> raw.put(key, properties.getProperty(key).strip()));
    return raw;
  }

  /** Whether {@code key} declares a provider ({@code config.providers} or below) rather than holding a setting. */
  public static boolean isProviderKey(String key) {
    return key.equals(PROVIDERS) || key.startsWith(PROVIDERS + ".");
  }

  /** Whether {@code value} holds a reference, e.g. {@code ${env:NAME}}. */
  public static boolean isReference(String value) {
    return REFERENCE.matcher(value).find();
  }

  /**
   * {@code value} with its references resolved.
   *
   * @throws ConfigException naming {@code key} and the source: an unknown provider, a provider
   *     failure, or a reference that names nothing (unset variable, no such file or key)
   */
  public String resolve(String key, String value) {
    Matcher matcher = PROVIDER_NAME.matcher(value);
    while (matcher.find()) {
      if (!providers.containsKey(matcher.group(1))) {
        throw new ConfigException("Cannot resolve " + key + " in " + source + ": unknown configuration provider '"
            + matcher.group(1) + "' (known: " + new TreeSet<>(providers.keySet()) + ")");
      }
    }
    String resolved;
    try {
      resolved = transformer.transform(Map.of(key, value)).data().get(key);
    } catch (ConfigException e) {
      throw new ConfigException("Cannot resolve " + key + " in " + source + ": " + e.getMessage());
    }
    if (resolved == null || isReference(resolved)) {
      // a provider leaves a reference it cannot resolve (an unset variable, a missing key) in place
      throw new ConfigException("Cannot resolve " + key + " in " + source + ": "
          + unresolved(resolved == null ? value : resolved)
          + " names nothing (unset environment variable, or no such file or key)");
    }
    return resolved;
  }

  /** The names of the providers references may use. */
  public Set<String> providerNames() {
    return providers.keySet();
  }

  private static String unresolved(String value) {
    Matcher matcher = REFERENCE.matcher(value);
    return matcher.find() ? matcher.group() : value;
  }

  @Override
  public void close() {
    for (ConfigProvider provider : providers.values()) {
      try {
        provider.close();
      } catch (IOException e) {
        // closing a provider releases clients only; the settings are already resolved
        System.err.println("Cannot close configuration provider " + provider.getClass().getName() + ": " + e);
      }
    }
  }
}
