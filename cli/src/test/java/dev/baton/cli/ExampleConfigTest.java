package dev.baton.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.catalog.CatalogConfig;
import dev.baton.cli.config.Configuration;
import dev.baton.control.ControllerConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.iceberg.catalog.Catalog;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The AWS configuration example the README shows loads, holds no secret, and configures what it says. */
class ExampleConfigTest {
  private static final Path AWS_EXAMPLE = Path.of("../examples/config/aws-msk-iam-glue.properties");
  private static final List<String> BATON_PREFIXES =
      List.of("kafka.", "iceberg.catalog.", "spark.", "s3.", "controller.", "topics.", "schema.registry.");

  @TempDir
  Path dir;

  @Test
  void awsExampleConfiguresMskIamGlueAndS3WithoutSecrets() throws Exception {
    // the example with its placeholders filled in, as a user would
    Path filled = Files.writeString(dir.resolve("aws.properties"), Files.readString(AWS_EXAMPLE)
        .replace("<region>", "eu-west-1").replaceAll("<([a-z0-9-]+)>", "$1"));
    Configuration configuration = Configuration.load(filled);

    assertThat(configuration.values().keySet())
        .allSatisfy(key -> assertThat(BATON_PREFIXES).anySatisfy(prefix -> assertThat(key).startsWith(prefix)));
    ControllerConfig controller = ControllerConfig.fromConfig(configuration.values());
    assertThat(controller.kafka()).containsEntry("security.protocol", "SASL_SSL")
        .containsEntry("sasl.mechanism", "AWS_MSK_IAM")
        .containsEntry("sasl.client.callback.handler.class", "software.amazon.msk.auth.iam.IAMClientCallbackHandler");
    assertThat(controller.checkpointLocation()).isEqualTo("s3a://lake-bucket/baton/controller/checkpoint");
    assertThat(controller.launchJournalLocation()).isEqualTo("s3a://lake-bucket/baton/controller/checkpoint-launches");
    CatalogConfig catalog = CatalogConfig.fromConfig(CatalogConfig.DEFAULT_NAME, configuration.values());
    assertThat(catalog.type()).isEqualTo("glue");
    assertThat(SparkSessions.settings(configuration.values()))
        .containsEntry("spark.sql.catalog.baton", "org.apache.iceberg.spark.SparkCatalog")
        .containsEntry("spark.sql.catalog.baton.type", "glue")
        .containsEntry("spark.hadoop.fs.s3a.aws.credentials.provider", "com.amazonaws.auth.DefaultAWSCredentialsProviderChain");
    // the Glue catalog builds without calling AWS (credentials resolve on first use)
    Catalog glue = catalog.create();
    assertThat(glue.getClass().getName()).isEqualTo("org.apache.iceberg.aws.glue.GlueCatalog");
    if (glue instanceof AutoCloseable closeable) {
      closeable.close();
    }
  }
}
