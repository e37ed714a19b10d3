package dev.baton.connect.s3;

import java.net.URI;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.SqsClientBuilder;

/** AWS SDK v2 clients from the connector's configuration (endpoint override, static or default credentials). */
final class AwsClients {
  private AwsClients() {}

  static S3Client s3(S3EventSourceConfig config) {
    S3ClientBuilder builder = S3Client.builder()
        .httpClientBuilder(UrlConnectionHttpClient.builder())
        .region(Region.of(config.region()))
        .forcePathStyle(config.pathStyleAccess())
        .credentialsProvider(credentials(config.accessKeyId(), config.secretAccessKey().value()));
    if (!config.endpoint().isBlank()) {
      builder.endpointOverride(URI.create(config.endpoint()));
    }
    return builder.build();
  }

  static SqsClient sqs(S3EventSourceConfig config) {
    SqsClientBuilder builder = SqsClient.builder()
        .httpClientBuilder(UrlConnectionHttpClient.builder()
            // the long poll holds the connection for sqs.wait.time.seconds
            .socketTimeout(java.time.Duration.ofSeconds(config.sqsWaitTimeSeconds() + 10L)))
        .region(Region.of(config.sqsRegion()))
        .credentialsProvider(credentials(config.sqsAccessKeyId(), config.sqsSecretAccessKey().value()));
    if (!config.sqsEndpoint().isBlank()) {
      builder.endpointOverride(URI.create(config.sqsEndpoint()));
    }
    return builder.build();
  }

  private static AwsCredentialsProvider credentials(String accessKeyId, String secretAccessKey) {
    return accessKeyId.isBlank()
        ? DefaultCredentialsProvider.create()
        : StaticCredentialsProvider.create(AwsBasicCredentials.create(accessKeyId, secretAccessKey));
  }
}
