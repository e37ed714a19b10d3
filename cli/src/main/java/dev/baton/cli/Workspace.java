package dev.baton.cli;

import java.nio.file.Path;
import java.util.List;

/**
 * Where things are: the state folder ({@code BATON_HOME}, default {@code ./.baton}), the Baton
 * checkout the local services run from ({@code -Dbaton.repo.dir}, set by the {@code ./baton}
 * script; default the working directory) and the pipelines folder ({@code BATON_PIPELINES},
 * default {@code examples/pipelines} of the checkout).
 */
public record Workspace(Path home, Path repository, Path pipelines) {

  /** Resolves the workspace from the environment and system properties. */
  public static Workspace fromEnvironment() {
    Path repository = Path.of(System.getProperty("baton.repo.dir", "")).toAbsolutePath().normalize();
    String home = System.getenv("BATON_HOME");
    String pipelines = System.getenv("BATON_PIPELINES");
    return new Workspace(
        home == null || home.isBlank() ? repository.resolve(".baton") : Path.of(home).toAbsolutePath(),
        repository,
        pipelines == null || pipelines.isBlank() ? repository.resolve("examples/pipelines") : Path.of(pipelines).toAbsolutePath());
  }

  /**
   * The Kafka Connect plugin path: Baton's connectors (built by the ingest-connectors module) and
   * the Debezium connectors (built by the modules under cdc/, one plugin each).
   */
  public List<Path> connectPluginPath() {
    return List.of(repository.resolve("ingest-connectors/target/plugin"),
        repository.resolve("cdc/postgres-source/target/plugin"),
        repository.resolve("cdc/jdbc-sink/target/plugin"),
        repository.resolve("cdc/oracle-source/target/plugin"));
  }
}
