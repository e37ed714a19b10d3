package dev.baton.local;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a Kafka client needs to reach the secure local broker: SASL_SSL with SCRAM-SHA-512, the
 * PKCS12 truststore holding the local CA, and the passwords file. Passwords are never carried here:
 * {@link #clientConfig} references them with Kafka's {@code FileConfigProvider} ({@code
 * ${file:<path>:<key>}}).
 *
 * @param securityProtocol {@code SASL_SSL}
 * @param saslMechanism {@code SCRAM-SHA-512}
 * @param truststore the PKCS12 truststore (the local CA only)
 * @param caCertificate the local CA certificate (PEM)
 * @param secretsFile the properties file holding the truststore password (key {@value
 *     SecureStackSecrets#TRUSTSTORE_PASSWORD_KEY}), each principal's password (key {@code
 *     sasl.<principal>.password}, see {@link #passwordKey}) and the local REST catalog's bearer token
 *     (key {@value SecureStackSecrets#CATALOG_TOKEN_KEY}); mode 0600
 */
public record KafkaClientSecurity(String securityProtocol, String saslMechanism, Path truststore, Path caCertificate,
    Path secretsFile) {

  public KafkaClientSecurity {
    requireNonNull(securityProtocol, "Invalid securityProtocol: null");
    requireNonNull(saslMechanism, "Invalid saslMechanism: null");
    requireNonNull(truststore, "Invalid truststore: null");
    requireNonNull(caCertificate, "Invalid caCertificate: null");
    requireNonNull(secretsFile, "Invalid secretsFile: null");
  }

  /** The client side of the material {@link SecureStackSecrets} keeps in {@code secureDir}. */
  static KafkaClientSecurity of(Path secureDir) {
    return new KafkaClientSecurity("SASL_SSL", "SCRAM-SHA-512", secureDir.resolve(SecureStackSecrets.TRUSTSTORE),
        secureDir.resolve(SecureStackSecrets.CA_PEM), secureDir.resolve(SecureStackSecrets.SECRETS));
  }

  /** The key of {@code principal}'s password in {@link #secretsFile}. */
  public String passwordKey(String principal) {
    return SecureStackSecrets.passwordKey(principal);
  }

  /** The key of the local REST catalog's bearer token in {@link #secretsFile}. */
  public String catalogTokenKey() {
    return SecureStackSecrets.CATALOG_TOKEN_KEY;
  }

  /** The key of the truststore password in {@link #secretsFile}. */
  public String truststorePasswordKey() {
    return SecureStackSecrets.TRUSTSTORE_PASSWORD_KEY;
  }

  /**
   * Kafka client properties (without {@code bootstrap.servers}) that authenticate as {@code
   * principal}, secrets by {@code ${file:...}} reference, with the {@code file} config provider
   * declared. Hostname verification stays on: the broker certificate names {@code 127.0.0.1}.
   */
  public Map<String, String> clientConfig(String principal) {
    requireNonNull(principal, "Invalid principal: null");
    Map<String, String> config = new LinkedHashMap<>();
    config.put("config.providers", "file");
    config.put("config.providers.file.class", "org.apache.kafka.common.config.provider.FileConfigProvider");
    config.put("security.protocol", securityProtocol);
    config.put("sasl.mechanism", saslMechanism);
    config.put("sasl.jaas.config", "org.apache.kafka.common.security.scram.ScramLoginModule required username=\""
        + principal + "\" password=\"" + reference(passwordKey(principal)) + "\";");
    config.put("ssl.truststore.type", "PKCS12");
    config.put("ssl.truststore.location", truststore.toString());
    config.put("ssl.truststore.password", reference(truststorePasswordKey()));
    return config;
  }

  /** {@code ${file:<secretsFile>:<key>}}. */
  public String reference(String key) {
    return "${file:" + secretsFile + ":" + key + "}";
  }
}
