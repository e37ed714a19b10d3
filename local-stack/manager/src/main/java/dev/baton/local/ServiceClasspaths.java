package dev.baton.local;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The classpath each local service's JVM runs with. Each service gets its own so that their
 * dependencies (Kafka's and ElasticMQ's Scala 2.13, S3Proxy's Jetty) never meet Spark's.
 *
 * @param kafka classpath holding {@code dev.baton.local.kafka.KafkaBrokerMain}
 * @param s3 classpath holding {@code dev.baton.local.s3.S3EndpointMain}
 * @param sqs classpath holding {@code dev.baton.local.sqs.SqsEndpointMain}
 * @param connect classpath holding {@code dev.baton.local.connect.ConnectWorkerMain}
 * @param catalog classpath holding {@code dev.baton.local.catalog.RestCatalogMain}
 * @param postgres classpath holding {@code dev.baton.local.postgres.PostgresServerMain}
 * @param connectPluginPath the Kafka Connect {@code plugin.path}: folders of plugin folders
 */
public record ServiceClasspaths(String kafka, String s3, String sqs, String connect, String catalog,
    String postgres, List<Path> connectPluginPath) {
  public ServiceClasspaths {
    requireNonNull(kafka, "Invalid kafka classpath: null");
    requireNonNull(s3, "Invalid s3 classpath: null");
    requireNonNull(sqs, "Invalid sqs classpath: null");
    requireNonNull(connect, "Invalid connect classpath: null");
    requireNonNull(catalog, "Invalid catalog classpath: null");
    requireNonNull(postgres, "Invalid postgres classpath: null");
    connectPluginPath = List.copyOf(requireNonNull(connectPluginPath, "Invalid connectPluginPath: null"));
  }

  /**
   * Resolves the classpaths from a built Baton source tree: each service module's {@code
   * target/classes} plus the {@code target/classpath.txt} Maven wrote for it.
   *
   * @param repositoryDir the root of the Baton checkout
   * @param connectPluginPath the Kafka Connect plugin path to use (folders of plugin folders)
   * @throws IllegalStateException if a module has not been built (run {@code mvn package})
   */
  public static ServiceClasspaths fromRepository(Path repositoryDir, List<Path> connectPluginPath) {
    return new ServiceClasspaths(
        moduleClasspath(repositoryDir.resolve("local-stack/kafka-broker")),
        moduleClasspath(repositoryDir.resolve("local-stack/s3-endpoint")),
        moduleClasspath(repositoryDir.resolve("local-stack/sqs-endpoint")),
        moduleClasspath(repositoryDir.resolve("local-stack/connect-worker")),
        moduleClasspath(repositoryDir.resolve("local-stack/rest-catalog")),
        moduleClasspath(repositoryDir.resolve("local-stack/postgres")),
        connectPluginPath);
  }

  private static String moduleClasspath(Path moduleDir) {
    Path classes = moduleDir.resolve("target/classes");
    Path dependencies = moduleDir.resolve("target/classpath.txt");
    if (!Files.isDirectory(classes) || !Files.isRegularFile(dependencies)) {
      throw new IllegalStateException(
          "Cannot find the built module " + moduleDir + ": run 'mvn -B -DskipTests package' first");
    }
    try {
      return classes.toAbsolutePath() + java.io.File.pathSeparator + Files.readString(dependencies).strip();
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read " + dependencies, e);
    }
  }
}
