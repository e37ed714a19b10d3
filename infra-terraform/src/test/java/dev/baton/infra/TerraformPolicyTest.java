package dev.baton.infra;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Least privilege and nothing public, as rules over the parsed Terraform: IAM statements (no {@code *} action or
 * service wildcard allowed, no {@code *} resource outside key policies, no {@code *} principal without a condition,
 * policies only as {@code aws_iam_policy_document}), buckets (SSE-KMS with the customer key, versioned, public
 * access blocked, owner-enforced, TLS only, lifecycle), queues (KMS, DLQ), MSK (IAM, TLS), no CIDR open to the
 * internet, databases private and encrypted.
 */
class TerraformPolicyTest {
  private static final Pattern POLICY_REFERENCE =
      Pattern.compile("^\\$\\{data\\.aws_iam_policy_document\\.([a-z0-9_]+)(\\[[^\\]]+\\])?\\.json\\}$");
  /** Arguments that hold an IAM or resource policy document. */
  private static final Set<String> POLICY_ARGUMENTS = Set.of("policy", "assume_role_policy", "policy_document");
  private static final Pattern SERVICE_WILDCARD = Pattern.compile("^[a-z0-9-]+:\\*$");

  private final Terraform terraform = Terraform.load();

  /** A statement of a policy document, where it is and what document it belongs to. */
  private record Statement(String folder, String document, JsonNode body) {
    String where() {
      return folder + ": data.aws_iam_policy_document." + document + " statement " + body.path("sid").asText("(no sid)");
    }
  }

  private List<Statement> statements() {
    List<Statement> statements = new ArrayList<>();
    terraform.files.forEach((path, file) -> file.path("data").path("aws_iam_policy_document").fields()
        .forEachRemaining(document -> document.getValue().forEach(body -> {
          String folder = path.substring(0, path.lastIndexOf('/'));
          body.path("statement").forEach(s -> statements.add(new Statement(folder, document.getKey(), s)));
          body.path("dynamic").path("statement").forEach(generator -> generator.path("content")
              .forEach(s -> statements.add(new Statement(folder, document.getKey(), s))));
        })));
    return statements;
  }

  /** Names of the policy documents used as a KMS key's own policy, by folder. */
  private Set<String> keyPolicies() {
    Set<String> documents = new HashSet<>();
    terraform.resources(null, "aws_kms_key").forEach((address, key) -> {
      Matcher reference = POLICY_REFERENCE.matcher(key.path("policy").asText());
      if (reference.matches()) {
        documents.add(address.substring(0, address.lastIndexOf('/')) + "/" + reference.group(1));
      }
    });
    return documents;
  }

  @Test
  void everyPolicyIsAPolicyDocumentDataSource() {
    List<String> problems = new ArrayList<>();
    for (String kind : List.of("resource", "data")) {
      terraform.eachBlock(kind, (address, body) -> body.fields().forEachRemaining(argument -> {
        if (POLICY_ARGUMENTS.contains(argument.getKey()) && argument.getValue().isTextual()
            && !address.contains("aws_iam_policy_document.")
            && !POLICY_REFERENCE.matcher(argument.getValue().asText()).matches()) {
          problems.add(address + "." + argument.getKey() + " = " + argument.getValue().asText());
        }
      }));
    }
    assertThat(problems).as("policies not given as data.aws_iam_policy_document.<name>.json").isEmpty();
  }

  @Test
  void noStatementAllowsEverythingAnyResourceOutsideAKeyPolicyOrAnyoneWithoutACondition() {
    List<Statement> statements = statements();
    assertThat(statements).hasSizeGreaterThanOrEqualTo(40);
    Set<String> keyPolicies = keyPolicies();
    assertThat(keyPolicies).as("KMS key policies").isNotEmpty();
    List<String> problems = new ArrayList<>();
    for (Statement statement : statements) {
      JsonNode body = statement.body();
      boolean allow = !body.path("effect").asText("Allow").equals("Deny");
      if (body.path("sid").asText().isBlank()) {
        problems.add(statement.where() + ": no sid");
      }
      if (allow) {
        for (String action : Terraform.strings(body.path("actions"))) {
          if (action.equals("*") || SERVICE_WILDCARD.matcher(action).matches()) {
            problems.add(statement.where() + ": allows " + action);
          }
        }
        if (body.has("not_actions")) {
          problems.add(statement.where() + ": Allow with NotAction");
        }
        if (Terraform.strings(body.path("resources")).contains("*")
            && !keyPolicies.contains(statement.folder() + "/" + statement.document())) {
          problems.add(statement.where() + ": Resource \"*\" outside a key policy");
        }
      }
      for (JsonNode principals : body.path("principals")) {
        if (Terraform.strings(principals.path("identifiers")).contains("*") && body.path("condition").isEmpty()) {
          problems.add(statement.where() + ": principal \"*\" without a condition");
        }
      }
    }
    assertThat(problems).isEmpty();
  }

  @Test
  void everyBucketIsKmsEncryptedVersionedPrivateOwnerEnforcedTlsOnlyAndExpiresOldVersions() {
    Map<String, JsonNode> buckets = terraform.resources(null, "aws_s3_bucket");
    assertThat(buckets).as("buckets").isNotEmpty();
    List<String> problems = new ArrayList<>();
    for (String address : buckets.keySet()) {
      String folder = address.substring(0, address.lastIndexOf('/'));
      String reference = address.substring(address.indexOf(": ") + 2); // aws_s3_bucket.<name>
      require(problems, address, "SSE-KMS with a customer key and bucket keys",
          configuring(folder, "aws_s3_bucket_server_side_encryption_configuration", reference).stream().anyMatch(c ->
              c.at("/rule/0/apply_server_side_encryption_by_default/0/sse_algorithm").asText().equals("aws:kms")
                  && !c.at("/rule/0/apply_server_side_encryption_by_default/0/kms_master_key_id").asText().isBlank()
                  && c.at("/rule/0/bucket_key_enabled").asBoolean(false)));
      require(problems, address, "versioning Enabled",
          configuring(folder, "aws_s3_bucket_versioning", reference).stream()
              .anyMatch(c -> c.at("/versioning_configuration/0/status").asText().equals("Enabled")));
      require(problems, address, "all four public access blocks",
          configuring(folder, "aws_s3_bucket_public_access_block", reference).stream().anyMatch(c ->
              List.of("block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets")
                  .stream().allMatch(flag -> c.path(flag).asBoolean(false))));
      require(problems, address, "BucketOwnerEnforced",
          configuring(folder, "aws_s3_bucket_ownership_controls", reference).stream()
              .anyMatch(c -> c.at("/rule/0/object_ownership").asText().equals("BucketOwnerEnforced")));
      require(problems, address, "lifecycle expiring noncurrent versions and aborting incomplete multipart uploads",
          configuring(folder, "aws_s3_bucket_lifecycle_configuration", reference).stream().anyMatch(c ->
              hasRuleWith(c, "noncurrent_version_expiration") && hasRuleWith(c, "abort_incomplete_multipart_upload")));
      require(problems, address, "a bucket policy denying requests without TLS",
          configuring(folder, "aws_s3_bucket_policy", reference).stream().anyMatch(this::deniesInsecureTransport));
    }
    assertThat(problems).isEmpty();
  }

  @Test
  void everyQueueIsKmsEncryptedAndHasADeadLetterQueue() {
    Map<String, JsonNode> queues = terraform.resources(null, "aws_sqs_queue");
    assertThat(queues).isNotEmpty();
    List<String> problems = new ArrayList<>();
    queues.forEach((address, queue) -> {
      if (queue.path("kms_master_key_id").asText().isBlank()) {
        problems.add(address + ": not encrypted with a KMS key (kms_master_key_id)");
      }
      boolean hasDeadLetterQueue = queue.has("redrive_policy");
      boolean isDeadLetterQueue = queue.has("redrive_allow_policy");
      if (!hasDeadLetterQueue && !isDeadLetterQueue) {
        problems.add(address + ": neither a redrive_policy (DLQ) nor a DLQ itself (redrive_allow_policy)");
      }
      if (isDeadLetterQueue) {
        String reference = address.substring(address.indexOf(": ") + 2);
        boolean used = queues.values().stream().anyMatch(q -> q.path("redrive_policy").asText().contains(reference));
        if (!used) {
          problems.add(address + ": a DLQ no queue's redrive_policy names");
        }
      }
    });
    assertThat(problems).isEmpty();
  }

  @Test
  void mskAcceptsOnlyIamOverTlsAndEncryptsWithTheCustomerKey() {
    Map<String, JsonNode> provisioned = terraform.resources(null, "aws_msk_cluster");
    Map<String, JsonNode> serverless = terraform.resources(null, "aws_msk_serverless_cluster");
    assertThat(provisioned).hasSize(1);
    assertThat(serverless).hasSize(1);
    provisioned.forEach((address, cluster) -> {
      assertThat(cluster.at("/client_authentication/0/sasl/0/iam").asBoolean(false)).as(address + " IAM").isTrue();
      assertThat(cluster.at("/client_authentication/0/unauthenticated").asBoolean(false)).as(address + " unauthenticated").isFalse();
      assertThat(cluster.at("/client_authentication/0/sasl/0/scram").asBoolean(false)).as(address + " SCRAM").isFalse();
      assertThat(cluster.at("/client_authentication/0").has("tls")).as(address + " mTLS").isFalse();
      assertThat(cluster.at("/encryption_info/0/encryption_in_transit/0/client_broker").asText()).as(address).isEqualTo("TLS");
      assertThat(cluster.at("/encryption_info/0/encryption_in_transit/0/in_cluster").asBoolean(false)).as(address).isTrue();
      assertThat(cluster.at("/encryption_info/0/encryption_at_rest_kms_key_arn").asText()).as(address).isNotBlank();
      assertThat(cluster.at("/broker_node_group_info/0/connectivity_info/0/public_access/0/type").asText("DISABLED"))
          .as(address + " public access").isEqualTo("DISABLED");
    });
    serverless.forEach((address, cluster) -> assertThat(
        cluster.at("/client_authentication/0/sasl/0/iam/0/enabled").asBoolean(false)).as(address + " IAM").isTrue());
  }

  @Test
  void nothingIsOpenToTheInternetOrPublic() {
    List<String> problems = new ArrayList<>();
    terraform.files.forEach((path, file) -> scan(path, file, problems));
    terraform.resources(null, "aws_rds_cluster").forEach((address, cluster) -> {
      if (!cluster.path("storage_encrypted").asBoolean(false) || cluster.path("kms_key_id").asText().isBlank()) {
        problems.add(address + ": storage not encrypted with the customer key");
      }
      if (!cluster.path("iam_database_authentication_enabled").asBoolean(false)) {
        problems.add(address + ": no IAM database authentication");
      }
      if (!cluster.path("manage_master_user_password").asBoolean(false)) {
        problems.add(address + ": master password not kept in Secrets Manager");
      }
    });
    terraform.resources(null, "aws_rds_cluster_instance").forEach((address, instance) -> {
      if (!instance.has("publicly_accessible") || instance.path("publicly_accessible").asBoolean(true)) {
        problems.add(address + ": publicly_accessible must be false");
      }
    });
    assertThat(terraform.resources(null, "aws_rds_cluster")).isNotEmpty();
    assertThat(problems).isEmpty();
  }

  /** Any CIDR open to everyone, or a public flag set, anywhere in a file. */
  private static void scan(String where, JsonNode node, List<String> problems) {
    if (node.isTextual()) {
      String text = node.asText();
      if (text.contains("0.0.0.0/0") || text.contains("::/0")) {
        problems.add(where + ": " + text);
      }
    } else if (node.isContainerNode()) {
      node.fields().forEachRemaining(field -> {
        if (Set.of("publicly_accessible", "map_public_ip_on_launch", "associate_public_ip_address")
            .contains(field.getKey()) && field.getValue().asBoolean(false)) {
          problems.add(where + ": " + field.getKey() + " = true");
        }
        scan(where + "." + field.getKey(), field.getValue(), problems);
      });
      if (node.isArray()) {
        node.forEach(element -> scan(where, element, problems));
      }
    }
  }

  private boolean deniesInsecureTransport(JsonNode bucketPolicy) {
    Matcher reference = POLICY_REFERENCE.matcher(bucketPolicy.path("policy").asText());
    if (!reference.matches()) {
      return false;
    }
    return statements().stream().filter(s -> s.document().equals(reference.group(1))).map(Statement::body)
        .anyMatch(s -> s.path("effect").asText().equals("Deny") && iterableContains(s.path("condition"), c ->
            c.path("variable").asText().equals("aws:SecureTransport") && c.path("test").asText().equals("Bool")
                && Terraform.strings(c.path("values")).equals(List.of("false"))));
  }

  private static boolean iterableContains(JsonNode array, java.util.function.Predicate<JsonNode> test) {
    for (JsonNode element : array) {
      if (test.test(element)) {
        return true;
      }
    }
    return false;
  }

  private static boolean hasRuleWith(JsonNode lifecycle, String block) {
    return iterableContains(lifecycle.path("rule"), rule -> rule.has(block));
  }

  /** The resources of {@code type} in {@code folder} whose {@code bucket} refers to {@code reference}. */
  private List<JsonNode> configuring(String folder, String type, String reference) {
    List<JsonNode> found = new ArrayList<>();
    Pattern refers = Pattern.compile(Pattern.quote(reference) + "(\\[[^\\]]+\\])?\\.(id|bucket)\\b");
    Map<String, JsonNode> candidates = new LinkedHashMap<>(terraform.resources(folder, type));
    candidates.values().forEach(resource -> {
      if (refers.matcher(resource.path("bucket").asText()).find()) {
        found.add(resource);
      }
    });
    return found;
  }

  private static void require(List<String> problems, String bucket, String what, boolean present) {
    if (!present) {
      problems.add(bucket + ": no " + what);
    }
  }
}
