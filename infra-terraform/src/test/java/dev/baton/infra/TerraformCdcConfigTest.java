package dev.baton.infra;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Test;

/**
 * What {@code modules/msk-connect-cdc} deploys on MSK Connect is what {@code cdc/config} holds and {@code CdcIT}
 * runs: the connector configurations evaluated from the module's HCL ({@code checks/evaluate.mjs}) equal the JSON
 * files, key for key, except where MSK Connect needs otherwise: the secrets named in Secrets Manager ({@code
 * ${sm:<secret name>:<field>}}, the name taken from the ARN) instead of a credentials file, the cluster's
 * bootstrap servers and IAM authentication for the Oracle source's schema history, the sink's topics under the
 * module's prefix and its TLS URL. And the plugin zips the module deploys carry the ConfigProvider those references
 * need.
 */
class TerraformCdcConfigTest {
  private static final Path CDC = Terraform.ROOT.resolveSibling("cdc");
  private static final String MODULE = "modules/msk-connect-cdc";
  private static final String BOOTSTRAP = "b-1.baton.abc123.c2.kafka.eu-west-1.amazonaws.com:9098,"
      + "b-2.baton.abc123.c2.kafka.eu-west-1.amazonaws.com:9098";
  private static final String ORACLE_SECRET = "baton/oracle-source";
  // the form of an RDS-managed master user secret's name
  private static final String TARGET_SECRET = "rds!cluster-0a1b2c3d-4e5f-6789-abcd-ef0123456789";
  private static final Map<String, Object> VARIABLES = Map.of(
      "oracle_secret_arn", "arn:aws:secretsmanager:eu-west-1:123456789012:secret:" + ORACLE_SECRET + "-Ab12Cd",
      "target_secret_arn", "arn:aws:secretsmanager:eu-west-1:123456789012:secret:" + TARGET_SECRET + "-x9Y8z7",
      "topic_prefix", "cdc",
      "table_include_list", "APP\\..*",
      "bootstrap_brokers_sasl_iam", BOOTSTRAP,
      "target_endpoint", "baton-prod-cdc.cluster-c0ffee.eu-west-1.rds.amazonaws.com",
      "target_port", 5432,
      "target_database", "baton_cdc");

  @Test
  void theOracleSourceIsCdcConfigsWithSecretsFromSecretsManagerAndIamForItsSchemaHistory() throws IOException {
    Map<String, String> expected = config("oracle-source.json");
    expected.put("database.hostname", "${sm:" + ORACLE_SECRET + ":host}");
    expected.put("database.port", "${sm:" + ORACLE_SECRET + ":port}");
    expected.put("database.user", "${sm:" + ORACLE_SECRET + ":username}");
    expected.put("database.password", "${sm:" + ORACLE_SECRET + ":password}");
    expected.put("database.dbname", "${sm:" + ORACLE_SECRET + ":dbname}");
    expected.put("database.pdb.name", "${sm:" + ORACLE_SECRET + ":pdb}");
    expected.put("schema.history.internal.kafka.bootstrap.servers", BOOTSTRAP);
    for (String client : List.of("producer", "consumer")) {
      String prefix = "schema.history.internal." + client + ".";
      expected.put(prefix + "security.protocol", "SASL_SSL");
      expected.put(prefix + "sasl.mechanism", "AWS_MSK_IAM");
      expected.put(prefix + "sasl.jaas.config", "software.amazon.msk.auth.iam.IAMLoginModule required;");
      expected.put(prefix + "sasl.client.callback.handler.class", "software.amazon.msk.auth.iam.IAMClientCallbackHandler");
    }
    assertThat(deployed("local.oracle_source_configuration")).isEqualTo(new TreeMap<>(expected));
  }

  @Test
  void theJdbcSinkIsCdcConfigsIntoAuroraWithTlsAndSecretsFromSecretsManager() throws IOException {
    Map<String, String> expected = config("jdbc-sink.json");
    // the local configuration reads the PostgreSQL source's topics (cdc.public.*); on AWS the Oracle source's
    expected.put("topics.regex", "cdc\\..*");
    expected.put("connection.url",
        "jdbc:postgresql://baton-prod-cdc.cluster-c0ffee.eu-west-1.rds.amazonaws.com:5432/baton_cdc?sslmode=require");
    expected.put("connection.username", "${sm:" + TARGET_SECRET + ":username}");
    expected.put("connection.password", "${sm:" + TARGET_SECRET + ":password}");
    assertThat(deployed("local.jdbc_sink_configuration")).isEqualTo(new TreeMap<>(expected));
  }

  /** The provider the worker configuration declares is in every plugin zip, with the AWS SDK client it calls. */
  @Test
  void everyCdcPluginZipCarriesTheSecretsManagerConfigProvider() throws IOException {
    List<Path> zips = new ArrayList<>();
    for (String plugin : List.of("postgres-source", "jdbc-sink", "oracle-source")) {
      try (Stream<Path> files = Files.list(CDC.resolve(plugin).resolve("target"))) {
        zips.addAll(files.filter(file -> file.getFileName().toString().endsWith("-plugin.zip")).toList());
      }
    }
    assertThat(zips).as("the plugin zips (mvn package builds them in cdc/*/target)").hasSize(3);
    String workerConfiguration = Files.readString(Terraform.ROOT.resolve(MODULE).resolve("main.tf"));
    assertThat(workerConfiguration)
        .contains("config.providers.sm.class=dev.baton.config.providers.SecretsManagerConfigProvider");
    for (Path zip : zips) {
      try (ZipFile archive = new ZipFile(zip.toFile())) {
        List<String> jars = archive.stream().map(entry -> entry.getName())
            .map(name -> name.substring(name.lastIndexOf('/') + 1)).filter(name -> name.endsWith(".jar")).toList();
        assertThat(jars).as(zip.getFileName().toString())
            .anySatisfy(jar -> assertThat(jar).startsWith("baton-config-providers-"))
            .anySatisfy(jar -> assertThat(jar).startsWith("secretsmanager-"))
            .anySatisfy(jar -> assertThat(jar).startsWith("apache-client-"))
            .noneSatisfy(jar -> assertThat(jar).startsWith("kafka-clients-"));
        // one Jackson, the connector's: no jackson-databind of another version than its jackson-core
        List<String> jacksonVersions = jars.stream()
            .filter(jar -> jar.startsWith("jackson-databind-") || jar.startsWith("jackson-core-"))
            .map(jar -> jar.replaceAll("^jackson-[a-z]+-", "").replaceAll("\\.jar$", "")).distinct().toList();
        assertThat(jacksonVersions).as(zip.getFileName() + ": Jackson versions").hasSizeLessThanOrEqualTo(1);
        boolean provider = false;
        for (var entry : archive.stream().filter(e -> e.getName().contains("baton-config-providers-")).toList()) {
          try (var jar = new java.util.zip.ZipInputStream(archive.getInputStream(entry))) {
            for (var inner = jar.getNextEntry(); inner != null; inner = jar.getNextEntry()) {
              if (inner.getName().equals("META-INF/services/org.apache.kafka.common.config.provider.ConfigProvider")) {
                provider = new String(jar.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8)
                    .contains("dev.baton.config.providers.SecretsManagerConfigProvider");
              }
            }
          }
        }
        assertThat(provider).as(zip.getFileName() + ": the provider listed for Kafka Connect's plugin discovery").isTrue();
      }
    }
  }

  private static Map<String, String> config(String file) throws IOException {
    return new LinkedHashMap<>(new ObjectMapper().readValue(CDC.resolve("config").resolve(file).toFile(),
        new TypeReference<Map<String, String>>() {}));
  }

  private static Map<String, String> deployed(String expression) throws IOException {
    JsonNode value = Terraform.evaluate(MODULE, expression, VARIABLES);
    Map<String, String> configuration = new TreeMap<>();
    value.fields().forEachRemaining(entry -> configuration.put(entry.getKey(), entry.getValue().asText()));
    return configuration;
  }
}
