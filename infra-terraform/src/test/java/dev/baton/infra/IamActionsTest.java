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
 * What Baton's components need from AWS, as their READMEs list it, is what the Terraform roles grant: each README
 * heading {@code ##### <who> (`modules/<module>`, role `<aws_iam_role name>`)} is followed by a table whose first
 * column's backticked {@code service:Action} names must equal the actions of every Allow statement of that role's policies
 * (inline {@code aws_iam_role_policy} and attached {@code aws_iam_policy}, dynamic statements included), no more and
 * no fewer.
 */
class IamActionsTest {
  private static final Pattern HEADING =
      Pattern.compile("^#{3,5} (.+) \\(`(modules/[a-z0-9-]+)`, role `([a-z0-9_]+)`\\)\\s*$");
  private static final Pattern ACTION = Pattern.compile("`([a-z0-9-]+:[A-Za-z0-9*]+)`");
  private static final List<Path> READMES = List.of(Terraform.ROOT.resolveSibling("README.md"),
      Terraform.ROOT.resolveSibling("ingest-connectors").resolve("README.md"),
      Terraform.ROOT.resolveSibling("cdc").resolve("README.md"));

  private record Documented(Path readme, String who, String module, String role, Set<String> actions) { }

  private static List<Documented> documented() throws IOException {
    List<Documented> tables = new ArrayList<>();
    for (Path readme : READMES) {
      List<String> lines = Files.readAllLines(readme);
      for (int i = 0; i < lines.size(); i++) {
        Matcher heading = HEADING.matcher(lines.get(i));
        if (!heading.matches()) {
          continue;
        }
        Set<String> actions = new TreeSet<>();
        int row = i + 1;
        while (row < lines.size() && !lines.get(row).trim().startsWith("|")) {
          row++;
        }
        for (; row < lines.size() && lines.get(row).trim().startsWith("|"); row++) {
          // the first cell holds the actions; the second says on what (and may name condition keys)
          String[] cells = lines.get(row).trim().split("\\|");
          Matcher action = ACTION.matcher(cells.length > 1 ? cells[1] : "");
          while (action.find()) {
            actions.add(action.group(1));
          }
        }
        tables.add(new Documented(readme, heading.group(1), heading.group(2), heading.group(3), actions));
      }
    }
    return tables;
  }

  /** The Allow actions of a role's policies in {@code folder}. */
  private static Set<String> granted(Terraform terraform, String folder, String role) {
    Set<String> documents = new TreeSet<>();
    Pattern roleReference = Pattern.compile("aws_iam_role\\." + Pattern.quote(role) + "(\\[[^\\]]+\\])?\\.(name|id)\\b");
    Pattern documentReference = Pattern.compile("data\\.aws_iam_policy_document\\.([a-z0-9_]+)");
    terraform.resources(folder, "aws_iam_role_policy").values().forEach(policy -> {
      if (roleReference.matcher(policy.path("role").asText()).find()) {
        documentReference.matcher(policy.path("policy").asText()).results().forEach(m -> documents.add(m.group(1)));
      }
    });
    Map<String, JsonNode> managed = terraform.resources(folder, "aws_iam_policy");
    terraform.resources(folder, "aws_iam_role_policy_attachment").values().forEach(attachment -> {
      if (roleReference.matcher(attachment.path("role").asText()).find()) {
        managed.forEach((address, policy) -> {
          String name = address.substring(address.lastIndexOf('.') + 1);
          if (Pattern.compile("aws_iam_policy\\." + Pattern.quote(name) + "(\\[[^\\]]+\\])?\\.arn\\b")
              .matcher(attachment.path("policy_arn").asText()).find()) {
            documentReference.matcher(policy.path("policy").asText()).results().forEach(m -> documents.add(m.group(1)));
          }
        });
      }
    });
    Set<String> actions = new TreeSet<>();
    terraform.folder(folder).values().forEach(file -> file.path("data").path("aws_iam_policy_document").fields()
        .forEachRemaining(document -> {
          if (!documents.contains(document.getKey())) {
            return;
          }
          document.getValue().forEach(body -> {
            List<JsonNode> statements = new ArrayList<>();
            body.path("statement").forEach(statements::add);
            body.path("dynamic").path("statement").forEach(g -> g.path("content").forEach(statements::add));
            statements.stream().filter(s -> !s.path("effect").asText("Allow").equals("Deny"))
                .forEach(s -> actions.addAll(Terraform.strings(s.path("actions"))));
          });
        }));
    return actions;
  }

  @Test
  void everyDocumentedRoleGrantsExactlyTheActionsItsReadmeLists() throws IOException {
    Terraform terraform = Terraform.load();
    List<Documented> tables = documented();
    assertThat(tables).extracting(table -> table.module() + " " + table.role()).as("documented roles")
        .containsExactlyInAnyOrder("modules/spark-eks controller", "modules/spark-eks spark", "modules/emr-serverless job",
            "modules/emr-on-eks job", "modules/msk-connect this", "modules/msk-connect-cdc source",
            "modules/msk-connect-cdc sink");
    Map<String, String> mismatches = new LinkedHashMap<>();
    for (Documented table : tables) {
      assertThat(terraform.resources(table.module(), "aws_iam_role")).as(table.module() + " role " + table.role())
          .anySatisfy((address, role) -> assertThat(address).endsWith("aws_iam_role." + table.role()));
      Set<String> granted = granted(terraform, table.module(), table.role());
      assertThat(table.actions()).as(table.who() + " in " + table.readme().getFileName()).isNotEmpty();
      if (!granted.equals(table.actions())) {
        Set<String> missing = new TreeSet<>(table.actions());
        missing.removeAll(granted);
        Set<String> extra = new TreeSet<>(granted);
        extra.removeAll(table.actions());
        mismatches.put(table.who() + " (" + table.module() + " role " + table.role() + ")",
            "documented but not granted " + missing + "; granted but not documented " + extra);
      }
    }
    assertThat(mismatches).isEmpty();
  }
}
