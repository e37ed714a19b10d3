package dev.baton.local;

import static dev.baton.local.AclGrant.cluster;
import static dev.baton.local.AclGrant.group;
import static dev.baton.local.AclGrant.groupPrefix;
import static dev.baton.local.AclGrant.topic;
import static java.util.Objects.requireNonNull;
import static org.apache.kafka.common.acl.AclOperation.CREATE;
import static org.apache.kafka.common.acl.AclOperation.DESCRIBE;
import static org.apache.kafka.common.acl.AclOperation.DESCRIBE_CONFIGS;
import static org.apache.kafka.common.acl.AclOperation.IDEMPOTENT_WRITE;
import static org.apache.kafka.common.acl.AclOperation.READ;
import static org.apache.kafka.common.acl.AclOperation.WRITE;

import java.util.ArrayList;
import java.util.List;

/**
 * The secure mode of the local Kafka broker: which topics are Baton's, and which consumer-group
 * prefixes the controller and viewers may use. The broker then requires TLS + SASL/SCRAM-SHA-512
 * and authorizes every request against {@link #acls()}; principals without a matching ACL are
 * denied ({@code allow.everyone.if.no.acl.found=false}). {@value SecureStackSecrets#ADMIN} and the
 * broker itself ({@value SecureStackSecrets#BROKER}) are the only super users.
 *
 * @param topics Baton's topics by role
 * @param controllerGroupPrefixes consumer-group id prefixes {@value SecureStackSecrets#CONTROLLER} may
 *     read with (the Spark Kafka source generates {@code spark-kafka-source-*} group ids)
 * @param viewerGroupPrefixes consumer-group id prefixes {@value SecureStackSecrets#VIEWER} may read with
 */
public record KafkaSecurity(BatonTopics topics, List<String> controllerGroupPrefixes, List<String> viewerGroupPrefixes) {

  /** The Spark Kafka source's generated consumer-group ids start with this. */
  public static final String SPARK_GROUP_PREFIX = "spark-kafka-source-";
  /** Default group prefix of the controller's own consumers. */
  public static final String CONTROLLER_GROUP_PREFIX = "baton-controller";
  /** Default group prefix of watchers (the CLI's {@code events tail}). */
  public static final String VIEWER_GROUP_PREFIX = "baton-viewer-";

  public KafkaSecurity {
    requireNonNull(topics, "Invalid topics: null");
    controllerGroupPrefixes = List.copyOf(requireNonNull(controllerGroupPrefixes, "Invalid controllerGroupPrefixes: null"));
    viewerGroupPrefixes = List.copyOf(requireNonNull(viewerGroupPrefixes, "Invalid viewerGroupPrefixes: null"));
  }

  /**
   * The secure mode with the default group prefixes: {@value #SPARK_GROUP_PREFIX} and {@value
   * #CONTROLLER_GROUP_PREFIX} for the controller, {@value #VIEWER_GROUP_PREFIX} for viewers.
   */
  public static KafkaSecurity of(BatonTopics topics) {
    return new KafkaSecurity(topics, List.of(SPARK_GROUP_PREFIX, CONTROLLER_GROUP_PREFIX), List.of(VIEWER_GROUP_PREFIX));
  }

  /**
   * The ACL table, one row per principal and resource. The stack creates these (as {@value
   * SecureStackSecrets#ADMIN}) on every {@code up}; creating an existing ACL is a no-op.
   *
   * <ul>
   *   <li>{@value SecureStackSecrets#CONTROLLER}: reads objects and control, writes control, dlq, alerts
   *       and ledger, reads the ledger and dlq back, reads with its group prefixes
   *   <li>{@value SecureStackSecrets#PRODUCER}: writes control only
   *   <li>{@value SecureStackSecrets#VIEWER}: reads every Baton topic with its group prefixes, writes none
   *   <li>{@value SecureStackSecrets#CONNECT}: the Connect worker's own config, offset and status topics
   *       (create, read, write), its group, writes objects, control and dlq, idempotent producers
   * </ul>
   *
   * <p>WRITE on a topic also lets a producer initialise an idempotent producer id (KIP-679), so
   * the controller and producer need no cluster grant.
   */
  public List<AclGrant> acls() {
    String controller = SecureStackSecrets.CONTROLLER;
    String producer = SecureStackSecrets.PRODUCER;
    String viewer = SecureStackSecrets.VIEWER;
    String connect = SecureStackSecrets.CONNECT;
    List<AclGrant> acls = new ArrayList<>();
    acls.add(topic(controller, topics.objects(), READ, DESCRIBE));
    acls.add(topic(controller, topics.control(), READ, WRITE, DESCRIBE));
    // READ too: the operator's `--wait` (RunWatcher) sees a request the controller rejected on the dlq
    acls.add(topic(controller, topics.dlq(), READ, WRITE, DESCRIBE));
    acls.add(topic(controller, topics.alerts(), WRITE, DESCRIBE));
    acls.add(topic(controller, topics.ledger(), READ, WRITE, DESCRIBE));
    for (String prefix : controllerGroupPrefixes) {
      acls.add(groupPrefix(controller, prefix, READ));
    }

    acls.add(topic(producer, topics.control(), WRITE, DESCRIBE));

    for (String topic : topics.all()) {
      acls.add(topic(viewer, topic, READ, DESCRIBE));
    }
    for (String prefix : viewerGroupPrefixes) {
      acls.add(groupPrefix(viewer, prefix, READ));
    }

    for (String topic : List.of(LocalStack.CONNECT_CONFIG_TOPIC, LocalStack.CONNECT_OFFSET_TOPIC,
        LocalStack.CONNECT_STATUS_TOPIC)) {
      acls.add(topic(connect, topic, CREATE, READ, WRITE, DESCRIBE, DESCRIBE_CONFIGS));
    }
    acls.add(group(connect, LocalStack.CONNECT_GROUP, READ));
    acls.add(topic(connect, topics.objects(), WRITE, DESCRIBE));
    acls.add(topic(connect, topics.control(), WRITE, DESCRIBE));
    acls.add(topic(connect, topics.dlq(), WRITE, DESCRIBE));
    acls.add(cluster(connect, IDEMPOTENT_WRITE));
    return List.copyOf(acls);
  }
}
