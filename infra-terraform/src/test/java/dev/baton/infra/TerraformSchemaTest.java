package dev.baton.infra;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every {@code .tf} file parses with HashiCorp's HCL parser, and every resource type, data source type, argument and
 * nested block it uses exists in the provider versions the modules pin (hashicorp/aws 6.25.0, hashicorp/kubernetes
 * 2.38.0, as the cdktf bindings generated from their schemas describe them: see {@code schema.json}'s providers).
 * Only names are checked, not values or which arguments are required.
 */
class TerraformSchemaTest {
  private static final Set<String> META_ARGUMENTS = Set.of("count", "for_each", "depends_on", "provider", "lifecycle");

  @Test
  void everyTfFileParses() throws IOException {
    Terraform terraform = Terraform.load();
    List<String> onDisk;
    try (Stream<Path> files = Files.walk(Terraform.ROOT)) {
      onDisk = files.filter(file -> file.toString().endsWith(".tf"))
          .map(file -> Terraform.ROOT.relativize(file).toString().replace('\\', '/'))
          .filter(file -> !file.startsWith("target/") && !file.startsWith("checks/")).sorted().toList();
    }
    assertThat(onDisk).as("the modules and the example").hasSizeGreaterThanOrEqualTo(47);
    assertThat(terraform.files.keySet()).containsExactlyElementsOf(onDisk);
  }

  @Test
  void everyResourceArgumentAndBlockExistsInThePinnedProviderSchemas() {
    Terraform terraform = Terraform.load();
    System.out.println("provider schemas: " + terraform.schema.get("providers"));
    assertThat(terraform.schema.at("/providers/aws").asText()).contains("hashicorp/aws 6.");
    assertThat(terraform.schema.at("/providers/kubernetes").asText()).contains("hashicorp/kubernetes 2.");

    List<String> problems = new ArrayList<>();
    int[] checked = new int[1];
    for (String kind : List.of("resource", "data")) {
      terraform.eachBlock(kind, (address, body) -> {
        String type = address.substring(address.indexOf(": ") + 2).replaceFirst("^data\\.", "").split("\\.")[0];
        JsonNode schema = terraform.schema.path(kind).path(type);
        if (schema.isMissingNode()) {
          if (!type.startsWith("terraform_")) { // terraform_data is built into Terraform
            problems.add(address + ": no " + kind + " type " + type + " in the provider schemas");
          }
          return;
        }
        checked[0]++;
        check(address, body, schema.get("arguments"), true, problems);
      });
    }
    assertThat(checked[0]).as("resources and data sources checked").isGreaterThanOrEqualTo(80);
    assertThat(problems).isEmpty();
  }

  private static void check(String address, JsonNode body, JsonNode arguments, boolean topLevel,
      List<String> problems) {
    body.fields().forEachRemaining(entry -> {
      String name = entry.getKey();
      JsonNode value = entry.getValue();
      if (topLevel && META_ARGUMENTS.contains(name)) {
        return;
      }
      if (name.equals("dynamic")) { // dynamic "block" { for_each = …, content { … } }
        value.fields().forEachRemaining(dynamic -> dynamic.getValue().forEach(generator -> {
          JsonNode block = arguments.get(dynamic.getKey());
          if (block == null || block.isNull()) {
            problems.add(address + ": dynamic block " + dynamic.getKey() + " is not a block of this type");
          } else {
            generator.path("content").forEach(content -> check(address + "." + dynamic.getKey(), content, block, false,
                problems));
          }
        }));
        return;
      }
      if (!arguments.has(name)) {
        problems.add(address + ": unknown argument or block " + name);
        return;
      }
      JsonNode nested = arguments.get(name);
      if (!nested.isNull() && value.isArray()) {
        value.forEach(block -> {
          if (block.isObject()) {
            check(address + "." + name, block, nested, false, problems);
          }
        });
      }
    });
  }
}
