package dev.baton.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * {@code baton submit} checks parameters against the pipeline in the workspace's pipelines folder
 * ({@code examples/pipelines} of the checkout) and exits 2 naming the parameter, before it reads a
 * configuration or publishes anything (no local stack is needed, or started, here).
 */
class SubmitCommandTest {

  private static String[] submit(String... args) {
    String previous = System.getProperty("baton.repo.dir");
    Path here = Path.of("").toAbsolutePath();
    System.setProperty("baton.repo.dir", (here.getFileName().toString().equals("cli") ? here.getParent() : here).toString());
    PrintStream err = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    try {
      System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
      BatonRun run = BatonRun.execute(args);
      return new String[] {String.valueOf(run.exitCode()), captured.toString(StandardCharsets.UTF_8) + run.err()};
    } finally {
      System.setErr(err);
      if (previous == null) {
        System.clearProperty("baton.repo.dir");
      } else {
        System.setProperty("baton.repo.dir", previous);
      }
    }
  }

  @Test
  void aBatchThatLeavesItsFolderExitsTwoNamingIt() {
    String[] result = submit("submit", "tpch-12", "--param", "batch=../../other-prefix");

    assertThat(result[0]).isEqualTo("2");
    assertThat(result[1]).contains("Cannot accept the parameters of a run of pipeline tpch-12: batch: expected one path"
        + " segment").contains("(got '../../other-prefix')");
  }

  @Test
  void anUnknownParameterOrAMovedPrefixExitsTwoNamingThem() {
    String[] unknown = submit("submit", "sales-csv", "--param", "batch=b1", "--param", "x'; DROP TABLE raw.sales; --=1");
    String[] moved = submit("submit", "tpch-12", "--param", "batch=b1", "--param", "batchPrefix=other/b1/");

    assertThat(unknown[0]).isEqualTo("2");
    assertThat(unknown[1]).contains("x'; DROP TABLE raw.sales; --: unknown parameter");
    assertThat(moved[0]).isEqualTo("2");
    assertThat(moved[1]).contains("batchPrefix: is the trigger's prefix and the batch, 'tpch/b1/' (got 'other/b1/')");
  }
}
