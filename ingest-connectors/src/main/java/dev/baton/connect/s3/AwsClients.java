package dev.baton.connect.s3;

import java.net.URI;
import java.time.Duration;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.client.builder.AwsClientBuilder;
import software.amazon.awssdk.awscore.client.builder.AwsSyncClientBuilder;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * AWS SDK v2 clients of the connector: the URL-connection HTTP client, a region, an optional
 * endpoint override, static credentials when configured, else the default chain.
 */
final class AwsClients {
  private AwsClients() {}

  static S3Client s3(S3EventSourceConfig config) {
    return build(S3Client.builder().forcePathStyle(config.pathStyleAccess()), UrlConnectionHttpClient.builder(),
        config.region(), config.endpoint(), credentials(config.accessKeyId(), config.secretAccessKey().value()));
  }

  static SqsClient sqs(S3EventSourceConfig config) {
    // the long poll holds the connection for sqs.wait.time.seconds
    var http = UrlConnectionHttpClient.builder().socketTimeout(Duration.ofSeconds(config.sqsWaitTimeSeconds() + 10L));
    return build(SqsClient.builder(), http, config.sqsRegion(), config.sqsEndpoint(),
        credentials(config.sqsAccessKeyId(), config.sqsSecretAccessKey().value()));
  }

  /**
   * Any client of the connector.
   *
   * @param endpoint endpoint override; empty for the region's
   */
  static <B extends AwsClientBuilder<B, C> & AwsSyncClientBuilder<B, C>, C> C build(B builder,
      UrlConnectionHttpClient.Builder http, String region, String endpoint, AwsCredentialsProvider credentials) {
    builder.httpClientBuilder(http).region(Region.of(region)).credentialsProvider(credentials);
    if (!endpoint.isBlank()) {
      builder.endpointOverride(URI.create(endpoint));
    }
    return builder.build();
  }

  /** Static credentials when an access key is given, else the AWS default chain. */
  static AwsCredentialsProvider credentials(String accessKeyId, String secretAccessKey) {
    return accessKeyId.isBlank()
        ? DefaultCredentialsProvider.create()
        : StaticCredentialsProvider.create(AwsBasicCredentials.create(accessKeyId, secretAccessKey));
  }
}
