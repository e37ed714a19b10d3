package dev.baton.config.providers;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.config.ConfigData;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.provider.ConfigProvider;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.secretsmanager.model.GetSecretValueResponse;

/**
 * A Kafka {@link ConfigProvider} reading AWS Secrets Manager secrets: {@code ${sm:<secret
 * name>:<field>}} is the field {@code <field>} of the secret's {@code SecretString}, a JSON object
 * (the form Secrets Manager uses for database and MSK SASL/SCRAM credentials, e.g. {@code
 * {"username": "…", "password": "…"}}). The secret is named by its name, not its ARN: an ARN holds
 * colons, which the {@code ${provider:path:key}} syntax cannot carry.
 *
 * <p>Declared in a configuration file as {@code config.providers=sm}, {@code
 * config.providers.sm.class=dev.baton.config.providers.SecretsManagerConfigProvider}; parameters
 * ({@code config.providers.sm.param.*}): {@code region} (default: the AWS SDK's region chain),
 * {@code endpoint} (e.g. a VPC endpoint). Credentials come from the AWS SDK's default chain (IRSA,
 * instance profile, environment), never from the file. Calls {@code GetSecretValue}
 * (docs.aws.amazon.com/secretsmanager/latest/apireference/API_GetSecretValue.html).
 *
 * <p>Errors: {@link ConfigException} naming the secret (never its value) if it cannot be read, is
 * not a JSON object, or lacks the field.
 */
public final class SecretsManagerConfigProvider implements ConfigProvider {
  /** Parameter: the AWS region of the secrets. */
  public static final String REGION = "region";
  /** Parameter: an endpoint override, e.g. a VPC endpoint URL. */
  public static final String ENDPOINT = "endpoint";

  private static final ObjectMapper JSON = new ObjectMapper();
  private SecretsManagerClient client;

  @Override
  public void configure(Map<String, ?> configs) {
    var builder = SecretsManagerClient.builder().httpClientBuilder(ApacheHttpClient.builder());
    Object region = configs.get(REGION);
    if (region != null && !region.toString().isBlank()) {
      builder.region(Region.of(region.toString().strip()));
    }
    Object endpoint = configs.get(ENDPOINT);
    if (endpoint != null && !endpoint.toString().isBlank()) {
      builder.endpointOverride(URI.create(endpoint.toString().strip()));
    }
    try {
      client = builder.build();
    } catch (SdkException e) {
      throw new ConfigException("Cannot create the AWS Secrets Manager client (set config.providers.<name>.param."
          + REGION + " or AWS_REGION): " + e.getMessage());
    }
  }

  @Override
  public ConfigData get(String path) {
    throw new ConfigException("Cannot read secret '" + path + "' without a field: use ${<provider>:" + path + ":<field>}");
  }

  @Override
  public ConfigData get(String path, Set<String> keys) {
    if (path == null || path.isBlank()) {
      throw new ConfigException("Cannot read a secret without a name: use ${<provider>:<secret name>:<field>}");
    }
    GetSecretValueResponse response;
    try {
      response = client.getSecretValue(request -> request.secretId(path));
    } catch (SdkException e) {
      throw new ConfigException("Cannot read secret '" + path + "' from AWS Secrets Manager: " + e.getMessage());
    }
    JsonNode fields;
    try {
      fields = response.secretString() == null ? null : JSON.readTree(response.secretString());
    } catch (IOException e) {
      fields = null;
    }
    if (fields == null || !fields.isObject()) {
      throw new ConfigException("Cannot read secret '" + path + "': its SecretString is not a JSON object");
    }
    Map<String, String> values = new HashMap<>();
    for (String key : keys) {
      JsonNode value = fields.get(key);
      if (value == null || !value.isValueNode()) {
        throw new ConfigException("Cannot read secret '" + path + "': it has no field '" + key + "'");
      }
      values.put(key, value.asText());
    }
    return new ConfigData(values);
  }

  @Override
  public void close() {
    if (client != null) {
      client.close();
    }
  }
}
