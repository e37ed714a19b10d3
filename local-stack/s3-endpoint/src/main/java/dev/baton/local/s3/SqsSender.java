package dev.baton.local.s3;

import static java.util.Objects.requireNonNull;

import java.net.URI;
import java.time.Duration;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * Sends message bodies to one SQS queue with the AWS SDK, for the local SQS endpoint (ElasticMQ):
 * the endpoint is the scheme, host and port of the queue URL, and the credentials are fixed
 * placeholders (ElasticMQ does not check signatures). A send fails after at most 15 s (SDK
 * retries included) with an {@link software.amazon.awssdk.core.exception.SdkException}.
 */
final class SqsSender implements NotifyObjectCreated.Sender, AutoCloseable {
  private final String queueUrl;
  private final SqsClient sqs;

  /**
   * @param queueUrl e.g. {@code http://127.0.0.1:39324/000000000000/baton-s3-events}
   * @throws IllegalArgumentException if the URL has no scheme or host
   */
  SqsSender(String queueUrl) {
    this.queueUrl = requireNonNull(queueUrl, "Invalid queueUrl: null");
    URI uri = URI.create(queueUrl);
    if (uri.getScheme() == null || uri.getHost() == null) {
      throw new IllegalArgumentException("Cannot use SQS queue URL: " + queueUrl);
    }
    this.sqs =
        SqsClient.builder()
            .endpointOverride(URI.create(uri.getScheme() + "://" + uri.getRawAuthority()))
            .region(Region.of(S3EventNotification.REGION))
            .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("baton-local", "baton-local")))
            .httpClient(UrlConnectionHttpClient.builder()
                .connectionTimeout(Duration.ofSeconds(2))
                .socketTimeout(Duration.ofSeconds(10))
                .build())
            .overrideConfiguration(c -> c.apiCallTimeout(Duration.ofSeconds(15)))
            .build();
  }

  @Override
  public void send(String messageBody) {
    sqs.sendMessage(b -> b.queueUrl(queueUrl).messageBody(messageBody));
  }

  @Override
  public void close() {
    sqs.close();
  }
}
