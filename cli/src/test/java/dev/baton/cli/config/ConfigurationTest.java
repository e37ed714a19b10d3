package dev.baton.cli.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigurationTest {
  @TempDir
  Path dir;

  @Test
  void resolvesFileDirectoryAndEnvironmentReferences() throws Exception {
    Path secrets = Files.writeString(dir.resolve("secrets.properties"), "password=s3cr3t-from-file\n");
    Path mounted = Files.createDirectories(dir.resolve("mounted"));
    Files.writeString(mounted.resolve("token"), "t0ken-from-dir");
    String path = System.getenv().containsKey("PATH") ? "PATH" : System.getenv().keySet().iterator().next();
    Path file = write("""
        kafka.bootstrap.servers=b1:9096
        kafka.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="u" password="${file:%s:password}";
        iceberg.catalog.token=${directory:%s:token}
        spark.baton.from-environment=${env:%s}
        spark.hadoop.fs.s3a.aws.credentials.provider=com.amazonaws.auth.WebIdentityTokenCredentialsProvider
        """.formatted(secrets, mounted, path));

    Configuration config = Configuration.load(file);

    assertThat(config.values()).containsEntry("kafka.bootstrap.servers", "b1:9096")
        .containsEntry("kafka.sasl.jaas.config",
            "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"u\" password=\"s3cr3t-from-file\";")
        .containsEntry("iceberg.catalog.token", "t0ken-from-dir")
        .containsEntry("spark.baton.from-environment", System.getenv(path));
    assertThat(config.secretKeys()).containsExactlyInAnyOrder("kafka.sasl.jaas.config", "iceberg.catalog.token",
        "spark.baton.from-environment");
    assertThat(config.source()).isEqualTo(file.toString());
  }

  @Test
  void secretsAreNeverShown() throws Exception {
    Path secrets = Files.writeString(dir.resolve("secrets.properties"), "key=do-not-print\n");
    Configuration config = Configuration.load(write("s3.secret-access-key=${file:" + secrets + ":key}\ns3.region=eu-west-1\n"));

    assertThat(config.display("s3.secret-access-key")).isEqualTo("****");
    assertThat(config.redacted()).containsExactly(Map.entry("s3.region", "eu-west-1"), Map.entry("s3.secret-access-key", "****"));
    assertThat(config.toString()).doesNotContain("do-not-print");
  }

  @Test
  void inlineSecretIsRefusedWithTheKey() throws Exception {
    Path file = write("kafka.ssl.truststore.password=changeit\n");

    assertThatThrownBy(() -> Configuration.load(file))
        .isInstanceOf(ConfigException.class)
        .hasMessage("Cannot use configuration file " + file + ": kafka.ssl.truststore.password holds a secret inline; give it"
            + " by reference, e.g. ${env:NAME} or ${file:/path/secrets.properties:kafka.ssl.truststore.password}")
        .message().doesNotContain("changeit");
  }

  @Test
  void inlineJaasPasswordIsRefused() throws Exception {
    Path file = write("kafka.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required"
        + " username=\"u\" password=\"${env:X}\" other=\"x\" password = \"plain\";\n");

    assertThatThrownBy(() -> Configuration.load(file)).hasMessageContaining("kafka.sasl.jaas.config holds a secret inline");
  }

  @Test
  void jaasConfigurationWithoutPasswordIsAcceptedAndMasked() throws Exception {
    Configuration config = Configuration.load(write("""
        kafka.bootstrap.servers=b-1.msk.example:9098
        kafka.security.protocol=SASL_SSL
        kafka.sasl.mechanism=AWS_MSK_IAM
        kafka.sasl.jaas.config=software.amazon.msk.auth.iam.IAMLoginModule required;
        kafka.sasl.client.callback.handler.class=software.amazon.msk.auth.iam.IAMClientCallbackHandler
        """));

    assertThat(config.values()).containsEntry("kafka.sasl.jaas.config", "software.amazon.msk.auth.iam.IAMLoginModule required;");
    assertThat(config.display("kafka.sasl.jaas.config")).isEqualTo("****");
    assertThat(config.display("kafka.sasl.client.callback.handler.class"))
        .isEqualTo("software.amazon.msk.auth.iam.IAMClientCallbackHandler");
  }

  @Test
  void mskIamSettingsMakeAWorkingKafkaClient() {
    // the IAM login module and callback handler load on the CLI's classpath (AWS SDK from iceberg-aws-bundle)
    java.util.Map<String, Object> settings = new java.util.HashMap<>(Map.of(
        "bootstrap.servers", "127.0.0.1:9",
        "security.protocol", "SASL_SSL",
        "sasl.mechanism", "AWS_MSK_IAM",
        "sasl.jaas.config", "software.amazon.msk.auth.iam.IAMLoginModule required;",
        "sasl.client.callback.handler.class", "software.amazon.msk.auth.iam.IAMClientCallbackHandler"));
    try (var admin = org.apache.kafka.clients.admin.Admin.create(settings)) {
      assertThat(admin).isNotNull();
    }
  }

  @Test
  void unquotedOrSingleQuotedJaasPasswordIsRefused() throws Exception {
    for (String password : List.of("password=hunter2", "password='hunter2'", "clientSecret=\"s\"")) {
      Path file = write("kafka.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required"
          + " username=u " + password + ";\n");

      assertThatThrownBy(() -> Configuration.load(file)).as(password)
          .hasMessageContaining("kafka.sasl.jaas.config holds a secret inline");
    }
  }

  @Test
  void keyKafkaTypesAsPasswordIsASecret() throws Exception {
    Path file = write("kafka.ssl.keystore.key=-----BEGIN PRIVATE KEY-----\n");

    assertThatThrownBy(() -> Configuration.load(file)).hasMessageContaining("kafka.ssl.keystore.key holds a secret inline");
  }

  @Test
  void unknownKeyIsRefusedWithItsName() throws Exception {
    Path typo = write("kafak.bootstrap.servers=b:9092\n");
    Path unknownControllerKey = write("kafka.bootstrap.servers=b:9092\ncontroller.trigger-interval=5\n");

    assertThatThrownBy(() -> Configuration.load(typo)).isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("Cannot use configuration file " + typo + ": unknown key kafak.bootstrap.servers (Baton"
            + " reads kafka.*, iceberg.catalog.*, spark.*, s3.*, controller.*, topics.*, schema.registry.*, launchers.* keys");
    assertThatThrownBy(() -> Configuration.load(unknownControllerKey))
        .hasMessageContaining("unknown key controller.trigger-interval ");
  }

  @Test
  void invalidValuesOfEachSectionAreRefusedWhenTheFileLoads() throws Exception {
    Path controller = write("kafka.bootstrap.servers=b:9092\ncontroller.trigger-interval-ms=-5\n");
    Path catalog = write("iceberg.catalog.type=hadoop\niceberg.catalog.warehouse=s3://lake/\n");
    Path registry = write("schema.registry.url=https://sr\nschema.registry.auto-register=maybe\n");

    assertThatThrownBy(() -> Configuration.load(controller)).isInstanceOf(ConfigException.class)
        .hasMessage("Cannot use configuration file " + controller + ": Invalid value -5 for configuration"
            + " controller.trigger-interval-ms: Value must be at least 0");
    assertThatThrownBy(() -> Configuration.load(catalog)).isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("Cannot use configuration file " + catalog + ": Cannot use iceberg.catalog.type=hadoop");
    assertThatThrownBy(() -> Configuration.load(registry)).isInstanceOf(ConfigException.class)
        .hasMessage("Cannot use configuration file " + registry + ": Invalid schema.registry.auto-register: maybe (true or"
            + " false)");
  }

  @Test
  void anEmrLauncherProfileIsCheckedWhenTheFileLoads() throws Exception {
    String serverless = "launchers.serverless.type=emr-serverless\nlaunchers.serverless.application-id=00fkq2m8u3gbv60b\n";
    Path valid = write(serverless + "launchers.serverless.execution-role-arn=arn:aws:iam::123456789012:role/job\n");
    Path missingRole = write(serverless);
    Path badCluster = write("launchers.steps.type=emr-steps\nlaunchers.steps.cluster-id=cluster-1\n");

    assertThat(Configuration.load(valid).values()).containsEntry("launchers.serverless.type", "emr-serverless");
    assertThatThrownBy(() -> Configuration.load(missingRole)).isInstanceOf(ConfigException.class)
        .hasMessage("Cannot use configuration file " + missingRole + ": Invalid value null for configuration"
            + " launchers.serverless.execution-role-arn: is required for an emr-serverless launcher profile");
    assertThatThrownBy(() -> Configuration.load(badCluster)).isInstanceOf(ConfigException.class)
        .hasMessage("Cannot use configuration file " + badCluster + ": Invalid value cluster-1 for configuration"
            + " launchers.steps.cluster-id: expected j-[0-9A-Z]{1,256}");
  }

  @Test
  void resolvedReferencesOfGeneratedSettings() throws Exception {
    Path secrets = Files.writeString(dir.resolve("stack.properties"), "token=t0k\n");

    assertThat(Configuration.resolveReferences(Map.of("iceberg.catalog.token", "${file:" + secrets + ":token}",
        "s3.secret-access-key", "inline-is-fine-in-memory"), "test"))
        .containsExactlyInAnyOrderEntriesOf(Map.of("iceberg.catalog.token", "t0k", "s3.secret-access-key", "inline-is-fine-in-memory"));
  }

  @Test
  void unresolvableReferenceNamesTheKeyAndTheReference() throws Exception {
    Path file = write("kafka.sasl.jaas.config=x password=\"${env:BATON_TEST_NO_SUCH_VARIABLE_42}\";\n");

    assertThatThrownBy(() -> Configuration.load(file))
        .isInstanceOf(ConfigException.class)
        .hasMessage("Cannot resolve kafka.sasl.jaas.config in " + file + ": ${env:BATON_TEST_NO_SUCH_VARIABLE_42} names"
            + " nothing (unset environment variable, or no such file or key)");
  }

  @Test
  void missingSecretsFileNamesTheKey() throws Exception {
    Path file = write("iceberg.catalog.token=${file:" + dir.resolve("absent.properties") + ":token}\n");

    assertThatThrownBy(() -> Configuration.load(file))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("Cannot resolve iceberg.catalog.token in " + file + ": ");
  }

  @Test
  void unknownProviderIsRefused() throws Exception {
    Path file = write("iceberg.catalog.token=${vault:kv/baton:token}\n");

    assertThatThrownBy(() -> Configuration.load(file))
        .hasMessage("Cannot resolve iceberg.catalog.token in " + file + ": unknown configuration provider 'vault' (known:"
            + " [directory, env, file])");
  }

  @Test
  void declaredProviderIsUsedWithItsParameters() throws Exception {
    Path file = write("""
        config.providers=fixed
        config.providers.fixed.class=%s
        config.providers.fixed.param.value=from-declared-provider
        iceberg.catalog.token=${fixed:any:token}
        """.formatted(FixedProvider.class.getName()));

    Configuration config = Configuration.load(file);

    assertThat(config.values()).containsExactly(Map.entry("iceberg.catalog.token", "from-declared-provider"));
  }

  @Test
  void declaredProviderWithoutClassIsRefused() throws Exception {
    Path file = write("config.providers=sm\n");

    assertThatThrownBy(() -> Configuration.load(file))
        .hasMessage("Cannot use configuration file " + file + ": config.providers names 'sm' but"
            + " config.providers.sm.class is missing");
  }

  @Test
  void missingFileIsAClearError() {
    Path file = dir.resolve("nope.properties");

    assertThatThrownBy(() -> Configuration.load(file)).hasMessage("Cannot read configuration file " + file + ": no such file");
  }

  @Test
  void secretKeyNames() {
    assertThat(Configuration.isSecretKey("kafka.ssl.keystore.password")).isTrue();
    assertThat(Configuration.isSecretKey("spark.hadoop.fs.s3a.secret.key")).isTrue();
    assertThat(Configuration.isSecretKey("iceberg.catalog.credential")).isTrue();
    assertThat(Configuration.isSecretKey("schema.registry.bearer-token")).isTrue();
    assertThat(Configuration.isSecretKey("spark.hadoop.fs.s3a.aws.credentials.provider")).isFalse();
    assertThat(Configuration.isSecretKey("kafka.sasl.oauthbearer.token.endpoint.url")).isFalse();
    assertThat(Configuration.isSecretKey("kafka.ssl.truststore.location")).isFalse();
    assertThat(Configuration.isSecretKey("s3.access-key-id")).isFalse();
  }

  /** A new configuration file holding {@code content}. */
  private Path write(String content) throws Exception {
    return Files.writeString(Files.createTempFile(dir, "baton", ".properties"), content);
  }

  /** A provider answering every key with its {@code value} parameter. */
  public static final class FixedProvider implements org.apache.kafka.common.config.provider.ConfigProvider {
    private String value;

    @Override
    public void configure(Map<String, ?> configs) {
      value = (String) configs.get("value");
    }

    @Override
    public org.apache.kafka.common.config.ConfigData get(String path) {
      return new org.apache.kafka.common.config.ConfigData(Map.of());
    }

    @Override
    public org.apache.kafka.common.config.ConfigData get(String path, java.util.Set<String> keys) {
      Map<String, String> data = new java.util.HashMap<>();
      keys.forEach(key -> data.put(key, value));
      return new org.apache.kafka.common.config.ConfigData(data);
    }

    @Override
    public void close() {}
  }
}
