package dev.baton.local;

import static java.util.Objects.requireNonNull;

import java.net.URI;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Where the local stack's services answer, and the local-only S3 credentials.
 *
 * @param home the stack's state folder (default {@code .baton/})
 * @param kafkaBootstrap Kafka {@code bootstrap.servers}, e.g. {@code 127.0.0.1:39092}
 * @param s3Endpoint the S3-compatible endpoint (path-style addressing)
 * @param connectUrl the Kafka Connect worker's REST API
 * @param sqsEndpoint the SQS-compatible endpoint (ElasticMQ; any region and credentials are accepted)
 * @param s3EventsQueueUrl URL of the SQS queue that receives an S3 event notification (AWS event
 *     message structure, {@code ObjectCreated:*}) for each object created in the buckets of {@link
 *     LocalStack#NOTIFIED_BUCKETS}, e.g. {@code http://127.0.0.1:39324/000000000000/baton-s3-events}
 * @param s3AccessKey access key accepted by the local S3 endpoint only
 * @param s3SecretKey secret key accepted by the local S3 endpoint only
 * @param region the AWS region name the local endpoints accept
 * @param kafkaSecurity present when the broker runs in secure mode: {@code kafkaBootstrap} is then a
 *     SASL_SSL listener, and this says how to authenticate (truststore, passwords file); empty for
 *     the plaintext broker
 * @param restCatalog the Iceberg REST catalog service (secure mode only; every request needs the
 *     bearer token of {@link KafkaClientSecurity#catalogTokenKey()}), empty otherwise
 * @param cdc the CDC source and target PostgreSQL servers, when the stack runs them ({@code up --cdc})
 */
public record LocalEndpoints(
    Path home,
    String kafkaBootstrap,
    URI s3Endpoint,
    URI connectUrl,
    URI sqsEndpoint,
    String s3EventsQueueUrl,
    String s3AccessKey,
    String s3SecretKey,
    String region,
    Optional<KafkaClientSecurity> kafkaSecurity,
    Optional<URI> restCatalog,
    Optional<CdcDatabases> cdc) {

  /** The endpoints of a stack whose broker runs in plaintext mode. */
  public LocalEndpoints(Path home, String kafkaBootstrap, URI s3Endpoint, URI connectUrl, URI sqsEndpoint,
      String s3EventsQueueUrl, String s3AccessKey, String s3SecretKey, String region) {
    this(home, kafkaBootstrap, s3Endpoint, connectUrl, sqsEndpoint, s3EventsQueueUrl, s3AccessKey, s3SecretKey,
        region, Optional.empty(), Optional.empty(), Optional.empty());
  }

  public LocalEndpoints {
    requireNonNull(home, "Invalid home: null");
    requireNonNull(kafkaBootstrap, "Invalid kafkaBootstrap: null");
    requireNonNull(s3Endpoint, "Invalid s3Endpoint: null");
    requireNonNull(connectUrl, "Invalid connectUrl: null");
    requireNonNull(sqsEndpoint, "Invalid sqsEndpoint: null");
    requireNonNull(s3EventsQueueUrl, "Invalid s3EventsQueueUrl: null");
    requireNonNull(s3AccessKey, "Invalid s3AccessKey: null");
    requireNonNull(s3SecretKey, "Invalid s3SecretKey: null");
    requireNonNull(region, "Invalid region: null");
    requireNonNull(kafkaSecurity, "Invalid kafkaSecurity: null");
    requireNonNull(restCatalog, "Invalid restCatalog: null");
    requireNonNull(cdc, "Invalid cdc: null");
  }

  /** True when the broker requires TLS + SASL/SCRAM ({@code baton local up --secure}). */
  public boolean kafkaSecure() {
    return kafkaSecurity.isPresent();
  }

  /** The endpoints as a flat map in a stable order, as printed by {@code baton local status}. */
  public Map<String, String> asMap() {
    Map<String, String> map = new LinkedHashMap<>();
    map.put("home", home.toString());
    map.put("kafka", kafkaBootstrap);
    map.put("s3", s3Endpoint.toString());
    map.put("connect", connectUrl.toString());
    map.put("sqs", sqsEndpoint.toString());
    map.put("s3EventsQueue", s3EventsQueueUrl);
    map.put("s3AccessKey", s3AccessKey);
    map.put("s3SecretKey", s3SecretKey);
    map.put("region", region);
    kafkaSecurity.ifPresent(security -> {
      map.put("kafkaSecurityProtocol", security.securityProtocol());
      map.put("kafkaSaslMechanism", security.saslMechanism());
      map.put("kafkaTruststore", security.truststore().toString());
      map.put("kafkaCaCertificate", security.caCertificate().toString());
      map.put("kafkaSecretsFile", security.secretsFile().toString());
    });
    restCatalog.ifPresent(uri -> map.put("restCatalog", uri.toString()));
    cdc.ifPresent(databases -> map.putAll(databases.asMap()));
    return map;
  }
}
