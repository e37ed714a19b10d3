package dev.baton.infra;

import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;

/**
 * The Terraform of {@code infra-terraform/} as HashiCorp's HCL parser reads it, and the provider schemas it is
 * checked against, both produced by {@code checks/export.mjs} (Node.js) into {@code target/terraform-json/}.
 *
 * <p>The npm packages ({@code checks/package-lock.json}) are installed into {@code target/npm} with {@code npm ci}.
 * Without Node.js or npm the tests using this class are skipped, with the reason, unless the environment variable
 * {@code BATON_INFRA_CHECKS=required} (set by {@code .ci/run}) makes that a failure.
 *
 * <p>Shapes (hcl2json's): a file is {@code {"resource": {type: {name: [body]}}, "data": …, "variable": {name:
 * [body]}, "output": …, "module": …, "locals": [body], "terraform": [body]}}; a nested block is an array of
 * bodies; an expression that is not a literal is a string {@code "${…}"}.
 */
final class Terraform {
  static final Path ROOT = Path.of(System.getProperty("user.dir"));
  private static final Path TARGET = ROOT.resolve("target");
  private static final ObjectMapper JSON = new ObjectMapper();
  private static Terraform loaded;

  /** Parsed files by path relative to {@code infra-terraform/}, e.g. {@code modules/buckets/main.tf}. */
  final Map<String, JsonNode> files;
  /** {@code {"providers": {...}, "resource": {type: {"provider", "arguments"}}, "data": {...}}}. */
  final JsonNode schema;

  private Terraform(Map<String, JsonNode> files, JsonNode schema) {
    this.files = files;
    this.schema = schema;
  }

  static synchronized Terraform load() {
    if (loaded == null) {
      try {
        loaded = export();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return loaded;
  }

  private static Terraform export() throws IOException {
    Path npm = TARGET.resolve("npm");
    Files.createDirectories(npm);
    String lock = Files.readString(ROOT.resolve("checks/package-lock.json"));
    Path installedLock = npm.resolve("package-lock.json");
    boolean installed = Files.isDirectory(npm.resolve("node_modules/@cdktf/hcl2json"))
        && Files.exists(installedLock) && Files.readString(installedLock).equals(lock);
    requireTool("node", "--version");
    for (String file : List.of("package.json", "package-lock.json", "export.mjs", "evaluate.mjs")) {
      Files.copy(ROOT.resolve("checks").resolve(file), npm.resolve(file), StandardCopyOption.REPLACE_EXISTING);
    }
    if (!installed) {
      requireTool("npm", "--version");
      // --legacy-peer-deps: the provider bindings' peers (cdktf, constructs) are not needed to read them
      run(npm, List.of("npm", "ci", "--no-audit", "--no-fund", "--legacy-peer-deps"), 600);
    }
    Path out = TARGET.resolve("terraform-json");
    run(npm, List.of("node", "export.mjs", ROOT.toString(), out.toString()), 300);
    Map<String, JsonNode> files = new TreeMap<>();
    JsonNode parsed = JSON.readTree(out.resolve("hcl.json").toFile());
    parsed.fields().forEachRemaining(entry -> files.put(entry.getKey(), entry.getValue()));
    return new Terraform(files, JSON.readTree(out.resolve("schema.json").toFile()));
  }

  /**
   * The value of an expression of a module, evaluated by {@code checks/evaluate.mjs} on HashiCorp's syntax tree of
   * it with the given variables (literals, object and tuple constructors, templates, {@code var.*}, {@code local.*},
   * for expressions and {@code jsonencode}; anything else is an error naming it).
   *
   * @param module e.g. {@code modules/object-events}
   * @param expression an HCL expression, e.g. {@code aws_cloudwatch_event_rule.object_created.event_pattern}'s value
   */
  static JsonNode evaluate(String module, String expression, Map<String, Object> variables) throws IOException {
    return evaluate(module, expression, variables, Map.of());
  }

  /** As {@link #evaluate(String, String, Map)}, with more root names, e.g. {@code each} of a {@code for_each}. */
  static JsonNode evaluate(String module, String expression, Map<String, Object> variables, Map<String, Object> scope)
      throws IOException {
    load();
    Path npm = TARGET.resolve("npm");
    Path input = Files.createTempFile(TARGET, "evaluate", ".json");
    try {
      Files.writeString(input, JSON.writeValueAsString(Map.of("module", ROOT.resolve(module).toString(),
          "expression", expression, "variables", variables, "scope", scope)));
      String output = run(npm, List.of("node", "evaluate.mjs", input.toString()), 120);
      return JSON.readTree(output);
    } finally {
      Files.deleteIfExists(input);
    }
  }

  private static void requireTool(String tool, String versionFlag) {
    String missing = null;
    try {
      Process process = new ProcessBuilder(tool, versionFlag).redirectErrorStream(true).start();
      process.getInputStream().readAllBytes();
      if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
        missing = tool + " " + versionFlag + " failed";
      }
    } catch (IOException e) {
      missing = tool + " is not on the PATH (" + e.getMessage() + ")";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
    if (missing != null) {
      String message = "The Terraform checks need Node.js 18+ and npm: " + missing;
      if ("required".equals(System.getenv("BATON_INFRA_CHECKS"))) {
        fail(message + " (BATON_INFRA_CHECKS=required)");
      }
      System.err.println("SKIPPED: " + message);
      Assumptions.abort(message);
    }
  }

  private static String run(Path directory, List<String> command, long timeoutSeconds) throws IOException {
    Path log = Files.createTempFile(TARGET, "node", ".log");
    Path stdout = Files.createTempFile(TARGET, "node", ".out");
    try {
      Process process = new ProcessBuilder(command).directory(directory.toFile())
          .redirectError(log.toFile()).redirectOutput(stdout.toFile()).start();
      if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        fail(String.join(" ", command) + " did not finish in " + timeoutSeconds + " s: " + Files.readString(log));
      }
      if (process.exitValue() != 0) {
        fail(String.join(" ", command) + " exited " + process.exitValue() + ":\n" + Files.readString(log)
            + Files.readString(stdout));
      }
      return Files.readString(stdout, StandardCharsets.UTF_8);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    } finally {
      Files.deleteIfExists(log);
      Files.deleteIfExists(stdout);
    }
  }

  /** Module folder names under {@code modules/}, sorted. */
  static List<String> moduleNames() throws IOException {
    try (Stream<Path> dirs = Files.list(ROOT.resolve("modules"))) {
      return dirs.filter(Files::isDirectory).map(dir -> dir.getFileName().toString()).sorted().toList();
    }
  }

  /** The parsed files of one folder ({@code modules/x} or {@code examples/complete}), by file name. */
  Map<String, JsonNode> folder(String folder) {
    Map<String, JsonNode> result = new TreeMap<>();
    files.forEach((path, json) -> {
      if (path.startsWith(folder + "/") && path.indexOf('/', folder.length() + 1) < 0) {
        result.put(path.substring(folder.length() + 1), json);
      }
    });
    return result;
  }

  /** Every block of a top-level kind ({@code variable}, {@code output}, {@code module}) of a folder, by name. */
  Map<String, JsonNode> blocks(String folder, String kind) {
    Map<String, JsonNode> result = new LinkedHashMap<>();
    folder(folder).values().forEach(file -> file.path(kind).fields()
        .forEachRemaining(entry -> result.put(entry.getKey(), entry.getValue().get(0))));
    return result;
  }

  /** Calls {@code visitor} with (address, body) for every resource or data source of a kind in every file. */
  void eachBlock(String kind, BiConsumer<String, JsonNode> visitor) {
    files.forEach((path, file) -> file.path(kind).fields().forEachRemaining(type -> type.getValue().fields()
        .forEachRemaining(named -> named.getValue().forEach(body -> visitor.accept(
            path + ": " + (kind.equals("data") ? "data." : "") + type.getKey() + "." + named.getKey(), body)))));
  }

  /** Every (address, body) of resources of {@code type} in a folder ({@code null}: everywhere). */
  Map<String, JsonNode> resources(String folder, String type) {
    Map<String, JsonNode> result = new LinkedHashMap<>();
    files.forEach((path, file) -> {
      if (folder != null && !path.startsWith(folder + "/")) {
        return;
      }
      file.path("resource").path(type).fields().forEachRemaining(named -> named.getValue()
          .forEach(body -> result.put(path + ": " + type + "." + named.getKey(), body)));
    });
    return result;
  }

  /** The strings of a JSON value that is a string or an array of them; empty for anything else. */
  static List<String> strings(JsonNode value) {
    List<String> result = new ArrayList<>();
    if (value == null || value.isMissingNode() || value.isNull()) {
      return result;
    }
    if (value.isTextual()) {
      result.add(value.asText());
    } else if (value.isArray()) {
      for (Iterator<JsonNode> it = value.elements(); it.hasNext(); ) {
        JsonNode element = it.next();
        if (element.isTextual()) {
          result.add(element.asText());
        }
      }
    }
    return result;
  }
}
