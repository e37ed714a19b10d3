package dev.baton.connect.s3;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.apache.kafka.connect.runtime.isolation.PluginDesc;
import org.apache.kafka.connect.runtime.isolation.Plugins;
import org.apache.kafka.connect.source.SourceConnector;
import org.junit.jupiter.api.Test;

/**
 * The plugin archive the build makes (package phase): its layout, no Kafka jars in it, and a
 * Connect worker's plugin loader finding the connector in it, unzipped under {@code plugin.path}
 * (isolated in its own class loader, as a self-managed worker or MSK Connect would load it).
 */
class PluginZipIT {

  private static Path zip() throws IOException {
    try (Stream<Path> files = Files.list(Path.of("target"))) {
      return files.filter(f -> f.getFileName().toString().matches("baton-ingest-connectors-.*-plugin\\.zip"))
          .findFirst().orElseThrow(() -> new AssertionError("no plugin zip in target/: run mvn package"));
    }
  }

  @Test
  void theZipHoldsTheConnectorAndItsDependenciesButNoKafkaJars() throws IOException {
    try (ZipFile zip = new ZipFile(zip().toFile())) {
      List<String> jars = zip.stream().map(ZipEntry::getName).filter(name -> name.endsWith(".jar"))
          .map(name -> name.substring(name.lastIndexOf('/') + 1)).toList();

      assertThat(zip.stream().map(ZipEntry::getName)).allMatch(name -> name.startsWith("baton-ingest-connectors-"));
      assertThat(jars).anyMatch(jar -> jar.startsWith("baton-ingest-connectors-"))
          .anyMatch(jar -> jar.startsWith("baton-schemas-"))
          .anyMatch(jar -> jar.startsWith("sqs-"))
          .anyMatch(jar -> jar.startsWith("s3-"))
          .anyMatch(jar -> jar.startsWith("avro-"))
          .noneMatch(jar -> jar.startsWith("kafka") || jar.startsWith("connect-") || jar.startsWith("slf4j"));
      assertThat(zip.stream().map(ZipEntry::getName))
          .anyMatch(name -> name.endsWith("/doc/README.md"))
          .anyMatch(name -> name.endsWith("/etc/msk-connect-create-connector.json"));
    }
  }

  @Test
  void aWorkerFindsTheConnectorInTheUnzippedArchiveOnItsPluginPath() throws IOException {
    Path pluginPath = Files.createTempDirectory("plugin-path");
    try (ZipFile zip = new ZipFile(zip().toFile())) {
      for (ZipEntry entry : zip.stream().filter(e -> !e.isDirectory()).toList()) {
        Path target = pluginPath.resolve(entry.getName());
        Files.createDirectories(target.getParent());
        try (InputStream in = zip.getInputStream(entry)) {
          Files.copy(in, target);
        }
      }
    }

    Plugins plugins = new Plugins(Map.of("plugin.path", pluginPath.toString(), "plugin.discovery", "only_scan"));

    List<PluginDesc<SourceConnector>> found = plugins.sourceConnectors().stream()
        .filter(desc -> desc.className().equals(S3EventSourceConnector.class.getName())
            && desc.location().contains(pluginPath.getFileName().toString()))
        .toList();
    assertThat(found).singleElement().satisfies(desc -> {
      assertThat(desc.version()).isEqualTo(S3EventSourceConnector.VERSION);
      // loaded by the plugin's own class loader, not this test's
      assertThat(desc.pluginClass().getClassLoader()).isNotSameAs(getClass().getClassLoader());
    });
  }
}
