package dev.baton.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.baton.connect.s3.S3EventSourceConfig;
import dev.baton.local.LocalEndpoints;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The landing connector the local stack runs, in both events modes, as the connector itself reads it. */
class LocalServicesTest {
  private static final LocalEndpoints ENDPOINTS = new LocalEndpoints(Path.of("/tmp/baton-home"), "127.0.0.1:9092",
      URI.create("http://127.0.0.1:9000"), URI.create("http://127.0.0.1:8083"), URI.create("http://127.0.0.1:9324"),
      "http://127.0.0.1:9324/000000000000/baton-s3-events", "ak", "sk", "us-east-1");

  @Test
  void sqsModeReceivesTheLocalQueueAndReadsFlagFilesFromTheLocalS3() {
    S3EventSourceConfig config = new S3EventSourceConfig(LocalServices.landingConnectorConfig(ENDPOINTS, "sqs"));

    assertThat(config.mode()).isEqualTo("sqs");
    assertThat(config.sqsQueueUrl()).isEqualTo("http://127.0.0.1:9324/000000000000/baton-s3-events");
    assertThat(config.sqsEndpoint()).isEqualTo("http://127.0.0.1:9324");
    assertThat(config.bucket()).isEqualTo("landing");
    assertThat(config.endpoint()).isEqualTo("http://127.0.0.1:9000");
    assertThat(config.pathStyleAccess()).isTrue();
    assertThat(config.sqsWaitTimeSeconds()).isLessThanOrEqualTo(5);
    assertThat(config.emrLookup()).isFalse(); // no EMR APIs locally
  }

  @Test
  void listingModeListsTheLandingBucket() {
    S3EventSourceConfig config = new S3EventSourceConfig(LocalServices.landingConnectorConfig(ENDPOINTS, "listing"));

    assertThat(config.mode()).isEqualTo("listing");
    assertThat(config.bucket()).isEqualTo("landing");
    assertThat(config.pollIntervalMs()).isEqualTo(500L);
    assertThat(config.accessKeyId()).isEqualTo("ak");
  }

  @Test
  void theEventsModeIsRememberedAndCheckedBeforeUse(@TempDir Path home) throws Exception {
    LocalServices.checkEventsMode(null);
    LocalServices.checkEventsMode("sqs");
    assertThatThrownBy(() -> LocalServices.checkEventsMode("pigeon")).hasMessageContaining("expected listing or sqs");

    Files.createDirectories(home.resolve("local"));
    Files.writeString(home.resolve("local/events-mode"), "carrier\n");
    // a corrupt remembered mode is an error naming the file, not a silent default
    LocalServices local = new LocalServices(new Workspace(home, Path.of("..").toAbsolutePath().normalize(),
        home.resolve("pipelines")));
    assertThatThrownBy(() -> local.ensureRunning(System.err, null))
        .hasMessageContaining("Invalid events mode 'carrier'").hasMessageContaining("events-mode");
  }
}
