package dev.baton.control.launch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.baton.control.pipeline.PipelineParser;
import dev.baton.control.pipeline.PipelineValidationException;
import dev.baton.control.pipeline.Pipelines;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LauncherProfileTest {

  @Test
  void theBuiltInProfilesAlwaysExistAndConfiguredOnesAreAdded() {
    Map<String, LauncherProfile> profiles = LauncherProfile.fromConfig(Map.of(
        "kafka.bootstrap.servers", "x:9092",
        "launchers.k8s.type", "spark-submit",
        "launchers.k8s.master", "k8s://https://api:6443",
        "launchers.k8s.conf.spark.executor.memory", "8g",
        "launchers.spark-submit.max-concurrent", "2"));

    assertThat(profiles.keySet()).containsExactlyInAnyOrder("in-process", "spark-submit", "k8s");
    assertThat(profiles.get("k8s")).isEqualTo(new LauncherProfile("k8s", "spark-submit",
        Map.of("master", "k8s://https://api:6443"), Map.of("spark.executor.memory", "8g")));
    assertThat(profiles.get("spark-submit").settings()).isEqualTo(Map.of("max-concurrent", "2"));
    assertThat(profiles.get("in-process").type()).isEqualTo("in-process");
  }

  @Test
  void badProfilesAreRefusedNamingTheKey() {
    assertThatThrownBy(() -> LauncherProfile.fromConfig(Map.of("launchers.k8s.master", "yarn")))
        .isInstanceOf(ConfigException.class).hasMessageContaining("launchers.k8s.type").hasMessageContaining("is required");
    assertThatThrownBy(() -> LauncherProfile.fromConfig(Map.of("launchers.k8s.type", "emr")))
        .hasMessageContaining("launchers.k8s.type").hasMessageContaining("unknown launcher type");
    assertThatThrownBy(() -> LauncherProfile.fromConfig(Map.of("launchers.in-process.type", "spark-submit")))
        .hasMessageContaining("the built-in profile in-process is of type in-process");
    assertThatThrownBy(() -> LauncherProfile.fromConfig(Map.of("launchers.K8s.type", "spark-submit")))
        .hasMessageContaining("launchers.K8s.type");
    assertThatThrownBy(() -> LauncherProfile.fromConfig(Map.of("launchers.k8s", "x")))
        .hasMessageContaining("expected launchers.<profile>.<setting>");
    LauncherProfile typo = LauncherProfile.fromConfig(Map.of("launchers.k8s.type", "spark-submit",
        "launchers.k8s.mastr", "yarn")).get("k8s");
    assertThatThrownBy(() -> typo.requireOnly(SparkSubmitSettings.KEYS))
        .hasMessageContaining("launchers.k8s.mastr").hasMessageContaining("unknown setting");
    LauncherProfile inProcess = LauncherProfile.fromConfig(Map.of("launchers.in-process.conf.spark.x", "1")).get("in-process");
    assertThatThrownBy(() -> inProcess.requireOnly(java.util.Set.of()))
        .hasMessageContaining("launchers.in-process.conf.spark.x");
  }

  @Test
  void sparkSubmitSettingsHaveDefaultsAndAreCheckedNamingTheKey(@TempDir Path dir) throws Exception {
    Path home = dir.resolve("spark");
    Files.createDirectories(home.resolve("bin"));
    Files.createDirectories(home.resolve("baton"));
    Files.writeString(home.resolve("bin/spark-submit"), "#!/bin/sh\n");
    home.resolve("bin/spark-submit").toFile().setExecutable(true);
    Files.writeString(home.resolve("baton/baton-stage-runner.jar"), "");
    Path config = Files.writeString(dir.resolve("baton.properties"), "kafka.bootstrap.servers=x:9092\n");
    Map<String, LauncherProfile> profiles = LauncherProfile.fromConfig(Map.of(
        "launchers.yarn.type", "spark-submit", "launchers.yarn.master", "yarn", "launchers.yarn.deploy-mode", "cluster",
        "launchers.yarn.stage-config", "/etc/baton/baton.properties", "launchers.yarn.stage-runner-jar", "hdfs:///baton.jar",
        "launchers.bad.type", "spark-submit", "launchers.bad.master", "mesos://x"));

    SparkSubmitSettings builtIn = SparkSubmitSettings.from(profiles.get("spark-submit"), home, config, dir.resolve("logs"), Map.of());
    assertThat(builtIn.master()).isEqualTo("local[2]");
    assertThat(builtIn.deployMode()).isEqualTo("client");
    assertThat(builtIn.sparkHome()).isEqualTo(home);
    assertThat(builtIn.stageRunnerJar()).isEqualTo(home.resolve("baton/baton-stage-runner.jar").toString());
    assertThat(builtIn.stageConfig()).isEqualTo(config.toAbsolutePath().toString());
    assertThat(builtIn.sparkConf()).isEqualTo(SparkSubmitSettings.LOCAL_DEFAULTS);
    assertThat(builtIn.maxConcurrent()).isEqualTo(SparkSubmitSettings.DEFAULT_MAX_CONCURRENT);

    SparkSubmitSettings yarn = SparkSubmitSettings.from(profiles.get("yarn"), home, null, dir, Map.of("SPARK_HOME", home.toString()));
    assertThat(yarn.deployMode()).isEqualTo("cluster");
    assertThat(yarn.stageConfig()).isEqualTo("/etc/baton/baton.properties"); // on the driver: not checked here
    assertThat(yarn.sparkConf()).isEmpty();

    assertThatThrownBy(() -> SparkSubmitSettings.from(profiles.get("bad"), home, config, dir, Map.of()))
        .hasMessageContaining("launchers.bad.master");
    assertThatThrownBy(() -> SparkSubmitSettings.from(profiles.get("spark-submit"), home, config, dir,
        Map.of("SPARK_HOME", dir.resolve("nothing").toString())))
        .hasMessageContaining("SPARK_HOME (environment)").hasMessageContaining("no executable bin/spark-submit");
    assertThatThrownBy(() -> SparkSubmitSettings.from(profiles.get("spark-submit"), home, null, dir, Map.of()))
        .hasMessageContaining("launchers.spark-submit.stage-config").hasMessageContaining("is required");
  }

  @Test
  void pipelinesNamingAnUnconfiguredProfileAreRefusedWithTheStagePath(@TempDir Path dir) {
    Pipelines pipelines = Pipelines.of(List.of(PipelineParser.parse("p.yaml", """
        name: p
        stages:
          - {name: a, type: noop}
          - {name: b, type: noop, launcher: k8s, dependsOn: [a]}
        """)));
    Launcher inProcess = new NamedLauncher("in-process");
    Launchers launchers = Launchers.of(inProcess);

    assertThat(launchers.forStage(pipelines.get("p").orElseThrow().stages().get(0))).isSameAs(inProcess);
    assertThat(launchers.profileOf(pipelines.get("p").orElseThrow().stages().get(1))).isEqualTo("k8s");
    assertThatThrownBy(() -> launchers.check(pipelines)).isInstanceOfSatisfying(PipelineValidationException.class,
        e -> assertThat(e.errors()).containsExactly("stages[1].launcher: unknown launcher profile 'k8s' (configured:"
            + " in-process; define it with launchers.k8s.type)"));
    assertThatThrownBy(() -> launchers.forStage(pipelines.get("p").orElseThrow().stages().get(1)))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("no launcher profile k8s");
  }

  /** A launcher that only has a name. */
  private record NamedLauncher(String name) implements Launcher {
    @Override
    public void launch(LaunchRequest request) {}

    @Override
    public void cancel(String launchKey) {}

    @Override
    public AttemptState reconcile(JournaledLaunch launch) {
      return AttemptState.LOST;
    }

    @Override
    public void close() {}
  }
}
