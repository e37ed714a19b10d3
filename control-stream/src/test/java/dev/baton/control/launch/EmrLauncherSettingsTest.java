package dev.baton.control.launch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;

class EmrLauncherSettingsTest {
  private static final String ROLE = "arn:aws:iam::123456789012:role/baton-job";

  private static EmrLauncherSettings settings(boolean runsBuiltInStages, String... keyValues) {
    Map<String, String> config = new HashMap<>();
    for (int i = 0; i < keyValues.length; i += 2) {
      config.put("launchers.emr." + keyValues[i], keyValues[i + 1]);
    }
    return EmrLauncherSettings.from(LauncherProfile.fromConfig(config).get("emr"), runsBuiltInStages);
  }

  @Test
  void eachTypeHasItsDefaults() {
    EmrLauncherSettings serverless = settings(false, "type", "emr-serverless", "application-id", "00fkq2m8u3gbv60b",
        "execution-role-arn", ROLE);
    EmrLauncherSettings eks = settings(true, "type", "emr-containers", "virtual-cluster-id", "kzf1a2b3",
        "release-label", "emr-7.5.0-latest", "execution-role-arn", ROLE, "stage-config", "/etc/baton/baton.properties",
        "stage-runner-jar", "s3://acme-artifacts/baton-stage-runner.jar");
    EmrLauncherSettings steps = settings(false, "type", "emr-steps", "cluster-id", "j-2AXXXXXXGAPLF",
        "completion", "poll", "poll-interval-ms", "5000", "conf.spark.executor.memory", "8g");

    assertThat(serverless.pollCompletions()).as("completions come from the state change events").isFalse();
    assertThat(serverless.pollIntervalMs()).isEqualTo(EmrLauncherSettings.DEFAULT_POLL_INTERVAL_MS);
    assertThat(serverless.region()).as("the SDK's region chain").isNull();
    assertThat(eks.pollCompletions()).isTrue();
    assertThat(eks.stageRunnerJar()).isEqualTo("s3://acme-artifacts/baton-stage-runner.jar");
    assertThat(steps.pollCompletions()).isTrue();
    assertThat(steps.pollIntervalMs()).isEqualTo(5000);
    assertThat(steps.sparkConf()).containsEntry("spark.executor.memory", "8g");
    assertThat(steps.id("execution-role-arn")).isNull();
  }

  @Test
  void missingWrongOrUnknownSettingsAreRefusedWithTheirKey() {
    assertThatThrownBy(() -> settings(false, "type", "emr-containers", "virtual-cluster-id", "kzf1a2b3",
        "execution-role-arn", ROLE)).isInstanceOf(ConfigException.class)
        .hasMessageContaining("launchers.emr.release-label: is required for an emr-containers launcher profile");
    assertThatThrownBy(() -> settings(true, "type", "emr-serverless", "application-id", "00fkq2m8u3gbv60b",
        "execution-role-arn", ROLE, "stage-config", "baton.properties")).isInstanceOf(ConfigException.class)
        .hasMessageContaining("launchers.emr.stage-runner-jar: is required for an emr-serverless launcher profile that"
            + " runs Baton's stage types");
    assertThatThrownBy(() -> settings(false, "type", "emr-serverless", "application-id", "00FKQ",
        "execution-role-arn", ROLE)).isInstanceOf(ConfigException.class)
        .hasMessageContaining("Invalid value 00FKQ for configuration launchers.emr.application-id");
    assertThatThrownBy(() -> settings(false, "type", "emr-steps", "cluster-id", "j-2AXXXXXXGAPLF",
        "execution-role-arn", "role/baton")).isInstanceOf(ConfigException.class)
        .hasMessageContaining("launchers.emr.execution-role-arn");
    assertThatThrownBy(() -> settings(false, "type", "emr-steps", "cluster-id", "j-2AXXXXXXGAPLF",
        "completion", "webhook")).isInstanceOf(ConfigException.class)
        .hasMessageContaining("launchers.emr.completion: expected events or poll");
    assertThatThrownBy(() -> settings(false, "type", "emr-steps", "cluster-id", "j-2AXXXXXXGAPLF",
        "application-id", "00fkq2m8u3gbv60b")).isInstanceOf(ConfigException.class)
        .hasMessageContaining("launchers.emr.application-id").hasMessageContaining("unknown setting of a emr-steps");
    assertThatThrownBy(() -> settings(false, "type", "emr-steps", "cluster-id", "j-2AXXXXXXGAPLF",
        "endpoint", "ftp://emr")).isInstanceOf(ConfigException.class)
        .hasMessageContaining("launchers.emr.endpoint: expected https://<host>[:port]");
    assertThatThrownBy(() -> settings(true, "type", "emr-containers", "virtual-cluster-id", "kzf1a2b3",
        "release-label", "emr-7.5.0-latest", "execution-role-arn", ROLE, "stage-config", "baton.properties"))
        .isInstanceOf(ConfigException.class).hasMessageContaining("launchers.emr.stage-runner-jar: is required");
    assertThatThrownBy(() -> settings(false, "type", "emr-steps", "cluster-id", "j-2AXXXXXXGAPLF",
        "endpoint", "http://emr.example.com")).isInstanceOf(ConfigException.class)
        .hasMessageContaining("http only to 127.0.0.1 or localhost");
    assertThat(settings(false, "type", "emr-steps", "cluster-id", "j-2AXXXXXXGAPLF", "endpoint", "http://127.0.0.1:4566")
        .endpoint()).hasToString("http://127.0.0.1:4566");
    assertThatThrownBy(() -> settings(false, "type", "emr-steps", "cluster-id", "j-2AXXXXXXGAPLF",
        "conf.spark.driver.extraJavaOptions", "-Dpassword=s3cr3t -Da=b")).isInstanceOf(ConfigException.class)
        .hasMessageContaining("launchers.emr.conf.spark.driver.extraJavaOptions: cannot hold whitespace")
        .hasMessageNotContaining("s3cr3t");
    assertThatThrownBy(() -> settings(false, "type", "emr-steps", "cluster-id", "j-2AXXXXXXGAPLF",
        "poll-interval-ms", "soon")).isInstanceOf(ConfigException.class)
        .hasMessageContaining("launchers.emr.poll-interval-ms: expected a positive number of milliseconds");
  }

  @Test
  void anEksProfilesImageAndPodTemplatesBecomeTheSparkSettingsThatNameThem() {
    String image = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/baton-emr:0.1.0";
    EmrLauncherSettings eks = settings(true, "type", "emr-containers", "virtual-cluster-id", "kzf1a2b3",
        "release-label", "emr-7.5.0-latest", "execution-role-arn", ROLE, "stage-config", "baton.properties",
        "stage-runner-jar", "local:///usr/lib/baton/baton-stage-runner.jar", "image", image,
        "driver-pod-template", "s3://acme-artifacts/baton/pod-templates/driver.yaml",
        "executor-pod-template", "s3://acme-artifacts/baton/pod-templates/executor.yaml",
        "conf.spark.executor.memory", "8g");

    assertThat(eks.sparkConf()).containsExactlyInAnyOrderEntriesOf(Map.of(
        "spark.kubernetes.container.image", image,
        "spark.kubernetes.driver.podTemplateFile", "s3://acme-artifacts/baton/pod-templates/driver.yaml",
        "spark.kubernetes.executor.podTemplateFile", "s3://acme-artifacts/baton/pod-templates/executor.yaml",
        "spark.executor.memory", "8g"));
    assertThat(settings(false, "type", "emr-containers", "virtual-cluster-id", "kzf1a2b3", "release-label",
        "emr-7.5.0-latest", "execution-role-arn", ROLE, "image",
        "public.ecr.aws/emr-on-eks/spark/emr-7.5.0@sha256:" + "0a".repeat(32)).sparkConf())
        .containsKey("spark.kubernetes.container.image");
  }

  @Test
  void anEksImageWithoutATagAPodTemplateNotOnS3OrAnImageSetTwiceIsRefusedWithItsKey() {
    String[] eks = {"type", "emr-containers", "virtual-cluster-id", "kzf1a2b3", "release-label", "emr-7.5.0-latest",
        "execution-role-arn", ROLE};
    assertThatThrownBy(() -> settings(false, with(eks, "image", "baton-emr"))).isInstanceOf(ConfigException.class)
        .hasMessageContaining("Invalid value baton-emr for configuration launchers.emr.image");
    assertThatThrownBy(() -> settings(false, with(eks, "image", "123456789012.dkr.ecr.eu-west-1.amazonaws.com/baton-emr")))
        .as("no implicit :latest").isInstanceOf(ConfigException.class).hasMessageContaining("launchers.emr.image");
    assertThatThrownBy(() -> settings(false, with(eks, "driver-pod-template", "/opt/spark/conf/pod-templates/driver.yaml")))
        .isInstanceOf(ConfigException.class).hasMessageContaining("launchers.emr.driver-pod-template");
    assertThatThrownBy(() -> settings(false, with(eks, "executor-pod-template", "s3://acme-artifacts")))
        .isInstanceOf(ConfigException.class).hasMessageContaining("launchers.emr.executor-pod-template");
    assertThatThrownBy(() -> settings(false, with(eks, "image", "public.ecr.aws/acme/spark:1",
        "conf.spark.kubernetes.container.image", "public.ecr.aws/acme/spark:2"))).isInstanceOf(ConfigException.class)
        .hasMessageContaining("launchers.emr.conf.spark.kubernetes.container.image: is set twice: launchers.emr.image"
            + " sets it too");
    assertThatThrownBy(() -> settings(false, "type", "emr-serverless", "application-id", "00fkq2m8u3gbv60b",
        "execution-role-arn", ROLE, "image", "public.ecr.aws/acme/spark:1")).isInstanceOf(ConfigException.class)
        .hasMessageContaining("launchers.emr.image").hasMessageContaining("unknown setting");
  }

  private static String[] with(String[] base, String... more) {
    String[] all = java.util.Arrays.copyOf(base, base.length + more.length);
    System.arraycopy(more, 0, all, base.length, more.length);
    return all;
  }
}
