package dev.baton.infra;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The modules' shape, as terraform-aws-modules lays a module out: {@code main.tf}, {@code variables.tf}, {@code
 * outputs.tf}, {@code versions.tf} pinning the providers, a README whose input and output tables are the module's
 * variables and outputs; every variable typed and described, every output described; and {@code examples/complete}
 * using every module with all its required inputs and no input the module does not have.
 */
class TerraformModulesTest {
  static final String AWS_VERSION = ">= 6.0, < 7.0";
  static final String KUBERNETES_VERSION = ">= 2.30, < 3.0";
  private static final Set<String> MODULE_META = Set.of("source", "version", "count", "for_each", "providers", "depends_on");
  private static final Pattern ROW = Pattern.compile("^\\|\\s*`([a-z0-9_]+)`\\s*\\|(.*)$");

  @Test
  void everyModuleHasItsFilesAndPinsItsProvidersWithoutConfiguringThem() throws IOException {
    Terraform terraform = Terraform.load();
    List<String> modules = Terraform.moduleNames();
    assertThat(modules).contains("buckets", "object-events", "msk", "msk-connect", "glue-athena", "spark-eks",
        "emr-serverless", "emr-on-eks", "controller", "aurora", "network", "msk-connect-cdc");
    for (String module : modules) {
      String folder = "modules/" + module;
      for (String file : List.of("main.tf", "variables.tf", "outputs.tf", "versions.tf", "README.md")) {
        assertThat(Terraform.ROOT.resolve(folder).resolve(file)).as(folder + "/" + file).exists();
      }
      JsonNode terraformBlock = terraform.folder(folder).get("versions.tf").path("terraform").get(0);
      assertThat(terraformBlock.path("required_version").asText()).as(folder + " required_version").startsWith(">= 1.");
      JsonNode providers = terraformBlock.path("required_providers").get(0);
      assertThat(providers.at("/aws/source").asText()).as(folder).isEqualTo("hashicorp/aws");
      assertThat(providers.at("/aws/version").asText()).as(folder + " aws version").isEqualTo(AWS_VERSION);
      boolean usesKubernetes = terraform.folder(folder).values().stream()
          .anyMatch(file -> file.path("resource").fieldNames().hasNext() && iterable(file.path("resource").fieldNames())
              .stream().anyMatch(type -> type.startsWith("kubernetes_")));
      if (usesKubernetes) {
        assertThat(providers.at("/kubernetes/version").asText()).as(folder + " kubernetes version")
            .isEqualTo(KUBERNETES_VERSION);
      }
      terraform.folder(folder).forEach((file, json) ->
          assertThat(json.has("provider")).as(folder + "/" + file + " configures a provider: only the root may").isFalse());
    }
  }

  @Test
  void everyVariableIsTypedAndDescribedAndEveryModuleValidatesSome() throws IOException {
    Terraform terraform = Terraform.load();
    List<String> problems = new ArrayList<>();
    List<String> folders = new ArrayList<>(Terraform.moduleNames().stream().map(m -> "modules/" + m).toList());
    folders.add("examples/complete");
    for (String folder : folders) {
      Map<String, JsonNode> variables = terraform.blocks(folder, "variable");
      int validations = 0;
      for (Map.Entry<String, JsonNode> variable : variables.entrySet()) {
        if (!variable.getValue().path("type").isTextual()) {
          problems.add(folder + ": variable " + variable.getKey() + " has no type");
        }
        if (variable.getValue().path("description").asText().isBlank()) {
          problems.add(folder + ": variable " + variable.getKey() + " has no description");
        }
        validations += variable.getValue().path("validation").size();
      }
      if (folder.startsWith("modules/") && validations == 0) {
        problems.add(folder + ": no variable has a validation block");
      }
      terraform.blocks(folder, "output").forEach((name, output) -> {
        if (output.path("description").asText().isBlank()) {
          problems.add(folder + ": output " + name + " has no description");
        }
      });
    }
    assertThat(problems).isEmpty();
  }

  @Test
  void everyModuleReadmeTablesItsInputsAndOutputsExactly() throws IOException {
    Terraform terraform = Terraform.load();
    List<String> problems = new ArrayList<>();
    for (String module : Terraform.moduleNames()) {
      String folder = "modules/" + module;
      List<String> readme = Files.readAllLines(Terraform.ROOT.resolve(folder).resolve("README.md"));
      Map<String, String> inputs = table(readme, "Inputs");
      Map<String, JsonNode> variables = terraform.blocks(folder, "variable");
      if (!inputs.keySet().equals(new TreeSet<>(variables.keySet()))) {
        problems.add(folder + "/README.md inputs " + inputs.keySet() + " != variables " + new TreeSet<>(variables.keySet()));
      }
      variables.forEach((name, variable) -> {
        String row = inputs.get(name);
        if (row != null) {
          boolean required = !variable.has("default");
          String[] cells = row.split("\\|");
          String last = cells[cells.length - 1].isBlank() && cells.length > 1 ? cells[cells.length - 2] : cells[cells.length - 1];
          if (!last.trim().equalsIgnoreCase(required ? "yes" : "no")) {
            problems.add(folder + "/README.md: input " + name + " Required should be " + (required ? "yes" : "no"));
          }
        }
      });
      Map<String, String> outputs = table(readme, "Outputs");
      Set<String> declared = new TreeSet<>(terraform.blocks(folder, "output").keySet());
      if (!outputs.keySet().equals(declared)) {
        problems.add(folder + "/README.md outputs " + outputs.keySet() + " != outputs " + declared);
      }
    }
    assertThat(problems).isEmpty();
  }

  @Test
  void theCompleteExampleUsesEveryModuleWithItsRequiredInputsAndNoOthers() throws IOException {
    Terraform terraform = Terraform.load();
    Map<String, JsonNode> calls = terraform.blocks("examples/complete", "module");
    Set<String> used = new TreeSet<>();
    List<String> problems = new ArrayList<>();
    for (Map.Entry<String, JsonNode> call : calls.entrySet()) {
      String source = call.getValue().path("source").asText();
      Matcher local = Pattern.compile("^\\.\\./\\.\\./modules/([a-z0-9-]+)$").matcher(source);
      if (!local.matches()) {
        problems.add("module " + call.getKey() + ": source " + source + " is not one of ../../modules/");
        continue;
      }
      String module = local.group(1);
      used.add(module);
      Map<String, JsonNode> variables = terraform.blocks("modules/" + module, "variable");
      Set<String> given = new TreeSet<>();
      call.getValue().fieldNames().forEachRemaining(given::add);
      given.removeAll(MODULE_META);
      for (String input : given) {
        if (!variables.containsKey(input)) {
          problems.add("module " + call.getKey() + " (" + module + "): no input " + input);
        }
      }
      variables.forEach((name, variable) -> {
        if (!variable.has("default") && !given.contains(name)) {
          problems.add("module " + call.getKey() + " (" + module + "): required input " + name + " not given");
        }
      });
    }
    assertThat(used).as("modules examples/complete uses").containsExactlyElementsOf(Terraform.moduleNames());
    assertThat(problems).isEmpty();
  }

  @Test
  void everyFileIsInTerraformsCanonicalFormatWhereTerraformIsInstalled() throws Exception {
    Process version;
    try {
      version = new ProcessBuilder("terraform", "version").redirectErrorStream(true).start();
    } catch (IOException e) {
      org.junit.jupiter.api.Assumptions.abort("no terraform binary on the PATH: formatting not checked");
      return;
    }
    version.getInputStream().readAllBytes();
    version.waitFor();
    // fmt needs no provider and no network; -check lists the files it would change
    Process fmt = new ProcessBuilder("terraform", "fmt", "-check", "-recursive", "-no-color", ".")
        .directory(Terraform.ROOT.toFile()).redirectErrorStream(true).start();
    String output = new String(fmt.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    assertThat(fmt.waitFor()).as("terraform fmt -check -recursive: run terraform fmt -recursive on\n" + output)
        .isZero();
  }

  /** The rows of the Markdown table under the {@code ##} or {@code ###} {@code heading}, by the backticked name of their first cell. */
  private static Map<String, String> table(List<String> lines, String heading) {
    Map<String, String> rows = new LinkedHashMap<>();
    int start = -1;
    for (int i = 0; i < lines.size() && start < 0; i++) {
      if (lines.get(i).trim().matches("#{2,3} " + heading)) {
        start = i;
      }
    }
    if (start < 0) {
      return rows;
    }
    for (int i = start + 1; i < lines.size() && !lines.get(i).startsWith("#"); i++) {
      Matcher row = ROW.matcher(lines.get(i).trim());
      if (row.matches()) {
        rows.put(row.group(1), row.group(2));
      }
    }
    return new java.util.TreeMap<>(rows);
  }

  private static List<String> iterable(java.util.Iterator<String> names) {
    List<String> list = new ArrayList<>();
    names.forEachRemaining(list::add);
    return list;
  }
}
