package dev.baton.local;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;

/**
 * One row of the secure local broker's ACL table: a principal is allowed some operations on a
 * resource, from any host.
 *
 * @param principal the SCRAM user name, e.g. {@code baton-producer} (the ACL principal is {@code User:<name>})
 * @param resourceType {@code TOPIC}, {@code GROUP} or {@code CLUSTER}
 * @param resourceName the resource's name, or its prefix when {@code patternType} is {@code PREFIXED}
 * @param patternType {@code LITERAL} or {@code PREFIXED}
 * @param operations the allowed operations
 */
public record AclGrant(String principal, ResourceType resourceType, String resourceName, PatternType patternType,
    Set<AclOperation> operations) {

  public AclGrant {
    requireNonNull(principal, "Invalid principal: null");
    requireNonNull(resourceType, "Invalid resourceType: null");
    requireNonNull(resourceName, "Invalid resourceName: null");
    requireNonNull(patternType, "Invalid patternType: null");
    operations = Set.copyOf(requireNonNull(operations, "Invalid operations: null"));
  }

  /** A grant on a topic by its exact name. */
  static AclGrant topic(String principal, String topic, AclOperation... operations) {
    return new AclGrant(principal, ResourceType.TOPIC, topic, PatternType.LITERAL, Set.of(operations));
  }

  /** A grant on every consumer group whose id starts with {@code prefix}. */
  static AclGrant groupPrefix(String principal, String prefix, AclOperation... operations) {
    return new AclGrant(principal, ResourceType.GROUP, prefix, PatternType.PREFIXED, Set.of(operations));
  }

  /** A grant on one consumer group. */
  static AclGrant group(String principal, String group, AclOperation... operations) {
    return new AclGrant(principal, ResourceType.GROUP, group, PatternType.LITERAL, Set.of(operations));
  }

  /** A grant on the cluster. */
  static AclGrant cluster(String principal, AclOperation... operations) {
    // the cluster resource's one name (Kafka's Resource.CLUSTER_NAME)
    return new AclGrant(principal, ResourceType.CLUSTER, "kafka-cluster", PatternType.LITERAL, Set.of(operations));
  }

  /** The Kafka ACL bindings of this grant, one per operation. */
  public List<AclBinding> bindings() {
    ResourcePattern pattern = new ResourcePattern(resourceType, resourceName, patternType);
    return new TreeSet<>(operations).stream()
        .map(op -> new AclBinding(pattern, new AccessControlEntry("User:" + principal, "*", op, AclPermissionType.ALLOW)))
        .collect(Collectors.toList());
  }

  /** One line for a README table: {@code principal | TOPIC | name (LITERAL) | READ, DESCRIBE}. */
  @Override
  public String toString() {
    return principal + " | " + resourceType + " | " + resourceName + " (" + patternType + ") | "
        + new TreeSet<>(operations).stream().map(Enum::name).collect(Collectors.joining(", "));
  }
}
