package dev.baton.infra;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.event.ruler.Machine;

/**
 * The EventBridge rules of the object-events module, their patterns evaluated from the module's own HCL (with the
 * example's kind of inputs) and matched by Event Ruler, the library EventBridge itself matches with, against AWS's
 * sample events ({@code examples/events/}, each with its documentation page in that folder's README): an object
 * created under a landing prefix reaches the queue, whatever the upload's kind; an object outside the prefixes, in
 * another bucket, or deleted does not; each EMR state change reaches it through its own rule.
 */
class ObjectEventsPatternTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Path EVENTS = Terraform.ROOT.resolveSibling("examples").resolve("events");
  private static final String MODULE = "modules/object-events";
  private static final Map<String, Object> VARIABLES = new LinkedHashMap<>();
  private static final Machine RULES = new Machine();
  private static final List<String> RULE_NAMES = new ArrayList<>();

  @BeforeAll
  static void evaluateTheModulesRules() throws Exception {
    Terraform terraform = Terraform.load();
    VARIABLES.put("name_prefix", "baton-test");
    VARIABLES.put("tags", Map.of());
    VARIABLES.put("landing_bucket_name", "landing");
    VARIABLES.put("landing_prefixes", List.of("orders/", "lineitem/"));
    VARIABLES.put("kms_key_arn", "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab");
    VARIABLES.put("visibility_timeout_seconds", 300);
    VARIABLES.put("max_receive_count", 5);
    VARIABLES.put("emr_state_change_rules", true);
    for (Map.Entry<String, JsonNode> rule : terraform.resources(MODULE, "aws_cloudwatch_event_rule").entrySet()) {
      JsonNode body = rule.getValue();
      String pattern = body.path("event_pattern").asText();
      if (body.has("for_each")) {
        JsonNode each = Terraform.evaluate(MODULE, body.get("for_each").asText(), VARIABLES);
        for (var entry : entries(each)) {
          add(rule.getKey() + "[" + entry.getKey() + "]", Terraform.evaluate(MODULE, pattern, VARIABLES,
              Map.of("each", Map.of("key", entry.getKey(), "value", entry.getValue()))));
        }
      } else {
        add(rule.getKey(), Terraform.evaluate(MODULE, pattern, VARIABLES));
      }
    }
  }

  private static List<Map.Entry<String, JsonNode>> entries(JsonNode collection) {
    List<Map.Entry<String, JsonNode>> entries = new ArrayList<>();
    if (collection.isArray()) {
      collection.forEach(value -> entries.add(Map.entry(value.asText(), value)));
    } else {
      collection.fields().forEachRemaining(entries::add);
    }
    return entries;
  }

  private static void add(String name, JsonNode pattern) throws Exception {
    RULES.addRule(name, JSON.writeValueAsString(pattern));
    RULE_NAMES.add(name);
  }

  private static List<String> matching(String fixture, java.util.function.Consumer<ObjectNode> change) throws Exception {
    ObjectNode event = (ObjectNode) JSON.readTree(Files.readString(EVENTS.resolve(fixture)));
    change.accept(event);
    return RULES.rulesForJSONEvent(JSON.writeValueAsString(event));
  }

  private static List<String> matching(String fixture) throws Exception {
    return matching(fixture, event -> { });
  }

  private static void key(ObjectNode event, String key) {
    ((ObjectNode) event.get("detail").get("object")).put("key", key);
  }

  @Test
  void anObjectCreatedUnderALandingPrefixMatchesOneRuleWhateverTheUpload() throws Exception {
    assertThat(RULE_NAMES).as("rules of " + MODULE).hasSizeGreaterThanOrEqualTo(2);
    List<String> created = matching("eventbridge-object-created.json");
    assertThat(created).hasSize(1);
    assertThat(matching("eventbridge-object-created-multipart.json")).isEqualTo(created);
    assertThat(matching("eventbridge-object-created-copy.json")).isEqualTo(created);
    assertThat(matching("eventbridge-object-created.json", event -> key(event, "lineitem/2026-11-24/part-0007.csv")))
        .isEqualTo(created);
  }

  @Test
  void anObjectOutsideThePrefixesInAnotherBucketOrDeletedMatchesNoRule() throws Exception {
    assertThat(matching("eventbridge-object-created.json", event -> key(event, "customers/2026-11-24/part-0001.csv")))
        .as("outside the prefixes").isEmpty();
    assertThat(matching("eventbridge-object-created.json", event -> key(event, "orders-archive/part-0001.csv")))
        .as("a prefix is matched as given, with its slash").isEmpty();
    assertThat(matching("eventbridge-object-created.json", event -> key(event, "ORDERS/part-0001.csv")))
        .as("prefixes are case-sensitive").isEmpty();
    assertThat(matching("eventbridge-object-created.json",
        event -> ((ObjectNode) event.get("detail").get("bucket")).put("name", "landing-other"))).as("another bucket")
        .isEmpty();
    assertThat(matching("eventbridge-object-deleted.json")).as("Object Deleted").isEmpty();
  }

  @Test
  void eachEmrStateChangeMatchesItsOwnRuleAndNotTheObjectRule() throws Exception {
    List<String> created = matching("eventbridge-object-created.json");
    List<String> matched = new ArrayList<>();
    for (String fixture : List.of("emr-serverless-job-run-state-change.json", "emr-step-status-change.json",
        "emr-containers-job-run-state-change.json")) {
      List<String> rules = matching(fixture);
      assertThat(rules).as(fixture).hasSize(1).doesNotContainAnyElementsOf(created);
      matched.addAll(rules);
    }
    assertThat(matched).as("three different rules").doesNotHaveDuplicates();
    // the other detail-type AWS lists for EMR on EKS job runs
    assertThat(matching("emr-containers-job-run-state-change.json",
        event -> event.put("detail-type", "EmrContainers Job Run State Change"))).hasSize(1);
  }
}
