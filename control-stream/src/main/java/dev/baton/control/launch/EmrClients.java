package dev.baton.control.launch;

import java.time.Duration;
import software.amazon.awssdk.awscore.client.builder.AwsClientBuilder;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.awscore.client.builder.AwsSyncClientBuilder;
import software.amazon.awssdk.core.retry.RetryMode;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;

/**
 * The AWS SDK v2 clients of the EMR launchers: Apache HTTP client, the profile's region and endpoint
 * override, the SDK's default credentials chain (IRSA's web identity on EKS), the adaptive retry mode
 * (client-side rate limiting when AWS throttles), and {@code request-timeout-ms} per request attempt.
 */
final class EmrClients {
  private EmrClients() {}

  static <B extends AwsClientBuilder<B, C> & AwsSyncClientBuilder<B, C>, C> C build(B builder,
      EmrLauncherSettings settings) {
    return build(builder, settings, true);
  }

  /**
   * @param sdkRetries false for a client of a request that is not idempotent (EMR's AddJobFlowSteps): the SDK
   *     would send it again after a lost answer, adding a second step; the launcher asks again itself, after
   *     looking for the step
   */
  static <B extends AwsClientBuilder<B, C> & AwsSyncClientBuilder<B, C>, C> C build(B builder,
      EmrLauncherSettings settings, boolean sdkRetries) {
    builder.httpClientBuilder(ApacheHttpClient.builder())
        .overrideConfiguration(override -> {
          if (sdkRetries) {
            override.retryStrategy(RetryMode.ADAPTIVE_V2);
          } else {
            override.retryStrategy(AwsRetryStrategy.doNotRetry());
          }
          override.apiCallAttemptTimeout(Duration.ofMillis(settings.requestTimeoutMs()));
        });
    if (settings.region() != null) {
      builder.region(Region.of(settings.region()));
    }
    if (settings.endpoint() != null) {
      builder.endpointOverride(settings.endpoint());
    }
    return builder.build();
  }
}
