package dev.baton.cli.config;

import java.net.URI;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;

/**
 * The {@code s3.*} keys of Baton configuration, for the S3 clients the CLI makes itself (uploads,
 * {@code config check}); Spark reaches S3 through its own {@code spark.hadoop.fs.s3a.*} settings and
 * Iceberg through {@code iceberg.catalog.s3.*}.
 *
 * <ul>
 *   <li>{@value #ENDPOINT}: an S3-compatible endpoint (path-style addressing); default AWS S3
 *   <li>{@value #REGION}: default {@code us-east-1}
 *   <li>{@value #ACCESS_KEY_ID}, {@value #SECRET_ACCESS_KEY}: static keys (the secret by reference);
 *       default the AWS SDK's credential chain (IRSA, instance profile, environment)
 *   <li>{@value #BUCKETS}: buckets {@code config check} checks, comma-separated; default the bucket of
 *       an {@code s3://} {@code iceberg.catalog.warehouse}
 * </ul>
 */
public final class S3Settings {
  public static final String ENDPOINT = "s3.endpoint";
  public static final String REGION = "s3.region";
  public static final String ACCESS_KEY_ID = "s3.access-key-id";
  public static final String SECRET_ACCESS_KEY = "s3.secret-access-key";
  public static final String BUCKETS = "s3.buckets";

  private S3Settings() {}

  /**
   * An S3 client configured by the {@code s3.*} keys of {@code config}, with the AWS SDK's defaults
   * otherwise (flexible checksums included). The caller closes it.
   */
  public static S3Client client(Map<String, String> config) {
    return builder(config).build();
  }

  /** The builder of {@link #client}, for a caller that adds to it. */
  public static S3ClientBuilder builder(Map<String, String> config) {
    S3ClientBuilder builder = S3Client.builder()
        .httpClientBuilder(ApacheHttpClient.builder())
        .region(Region.of(config.getOrDefault(REGION, "us-east-1")));
    if (config.containsKey(ENDPOINT)) {
      builder.endpointOverride(URI.create(config.get(ENDPOINT))).forcePathStyle(true);
    }
    if (config.containsKey(ACCESS_KEY_ID)) {
      builder.credentialsProvider(StaticCredentialsProvider.create(
          AwsBasicCredentials.create(config.get(ACCESS_KEY_ID), config.get(SECRET_ACCESS_KEY))));
    }
    return builder;
  }

  /** The buckets to check: {@value #BUCKETS}, else the warehouse's bucket if it is on S3, else none. */
  public static Set<String> bucketsToCheck(Map<String, String> config) {
    Set<String> buckets = new LinkedHashSet<>();
    String listed = config.get(BUCKETS);
    if (listed != null && !listed.isBlank()) {
      Arrays.stream(listed.split(",")).map(String::strip).filter(b -> !b.isEmpty()).forEach(buckets::add);
      return buckets;
    }
    String warehouse = config.getOrDefault("iceberg.catalog.warehouse", "");
    if (warehouse.startsWith("s3://") || warehouse.startsWith("s3a://")) {
      String rest = warehouse.substring(warehouse.indexOf("://") + 3);
      int slash = rest.indexOf('/');
      buckets.add(slash < 0 ? rest : rest.substring(0, slash));
    }
    return buckets;
  }
}
