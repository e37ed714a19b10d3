package dev.baton.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class KafkaSecurityTest {
  private static final BatonTopics TOPICS = new BatonTopics("o", "c", "d", "a", "l");

  @Test
  void defaultGroupPrefixes() {
    KafkaSecurity security = KafkaSecurity.of(TOPICS);

    assertThat(security.controllerGroupPrefixes()).containsExactly("spark-kafka-source-", "baton-controller");
    assertThat(security.viewerGroupPrefixes()).containsExactly("baton-viewer-");
  }

  @Test
  void aclTableGrantsEachRoleOnlyWhatItNeeds() {
    List<String> table = new KafkaSecurity(TOPICS, List.of("spark-"), List.of("watch-")).acls().stream()
        .map(AclGrant::toString).toList();

    assertThat(table).containsExactly(
        "baton-controller | TOPIC | o (LITERAL) | READ, DESCRIBE",
        "baton-controller | TOPIC | c (LITERAL) | READ, WRITE, DESCRIBE",
        "baton-controller | TOPIC | d (LITERAL) | READ, WRITE, DESCRIBE",
        "baton-controller | TOPIC | a (LITERAL) | WRITE, DESCRIBE",
        "baton-controller | TOPIC | l (LITERAL) | READ, WRITE, DESCRIBE",
        "baton-controller | GROUP | spark- (PREFIXED) | READ",
        "baton-producer | TOPIC | c (LITERAL) | WRITE, DESCRIBE",
        "baton-viewer | TOPIC | o (LITERAL) | READ, DESCRIBE",
        "baton-viewer | TOPIC | c (LITERAL) | READ, DESCRIBE",
        "baton-viewer | TOPIC | d (LITERAL) | READ, DESCRIBE",
        "baton-viewer | TOPIC | a (LITERAL) | READ, DESCRIBE",
        "baton-viewer | TOPIC | l (LITERAL) | READ, DESCRIBE",
        "baton-viewer | GROUP | watch- (PREFIXED) | READ",
        "baton-connect | TOPIC | baton-connect-configs (LITERAL) | READ, WRITE, CREATE, DESCRIBE, DESCRIBE_CONFIGS",
        "baton-connect | TOPIC | baton-connect-offsets (LITERAL) | READ, WRITE, CREATE, DESCRIBE, DESCRIBE_CONFIGS",
        "baton-connect | TOPIC | baton-connect-status (LITERAL) | READ, WRITE, CREATE, DESCRIBE, DESCRIBE_CONFIGS",
        "baton-connect | GROUP | baton-connect (LITERAL) | READ",
        "baton-connect | TOPIC | o (LITERAL) | WRITE, DESCRIBE",
        "baton-connect | TOPIC | c (LITERAL) | WRITE, DESCRIBE",
        "baton-connect | TOPIC | d (LITERAL) | WRITE, DESCRIBE",
        "baton-connect | CLUSTER | kafka-cluster (LITERAL) | IDEMPOTENT_WRITE");
  }

  @Test
  void everyGrantBecomesOneAllowBindingPerOperation() {
    assertThat(AclGrant.topic("baton-producer", "c", org.apache.kafka.common.acl.AclOperation.WRITE,
            org.apache.kafka.common.acl.AclOperation.DESCRIBE).bindings())
        .extracting(binding -> binding.entry().principal() + " " + binding.entry().operation() + " "
            + binding.entry().permissionType() + " " + binding.entry().host())
        .containsExactly("User:baton-producer WRITE ALLOW *", "User:baton-producer DESCRIBE ALLOW *");
  }
}
