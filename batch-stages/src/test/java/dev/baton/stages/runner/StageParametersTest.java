package dev.baton.stages.runner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.baton.stages.spi.StageFailedException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StageParametersTest {

  @Test
  void substitutesPlaceholdersAtAnyDepth() {
    Map<String, Object> options = Map.of("path", "s3://${bucket}/${batchPrefix}orders.tbl",
        "nested", Map.of("list", List.of("${batch}", 3)));

    Map<String, Object> substituted = StageParameters.substitute(options,
        Map.of("bucket", "landing", "batchPrefix", "tpch/b1/", "batch", "b1"));

    assertThat(substituted).containsEntry("path", "s3://landing/tpch/b1/orders.tbl")
        .containsEntry("nested", Map.of("list", List.of("b1", 3)));
  }

  @Test
  void aValueThatWouldLeaveItsFolderIsNotSubstituted() {
    Map<String, Object> options = Map.of("path", "s3://landing/${batchPrefix}orders.tbl");
    // each of these, substituted as before, would make Hadoop read outside s3://landing/tpch/
    // (Path normalises '..' and '//'): e.g. s3://landing/tpch/../../other-prefix/orders.tbl
    for (String value : List.of("tpch/../../other-prefix/", "..", "tpch/./b1/", "/etc/", "tpch//b1/", "tpch\\b1/",
        "tpch/b1\n/")) {
      assertThatThrownBy(() -> StageParameters.substitute(options, Map.of("batchPrefix", value)))
          .as(value)
          .isInstanceOfSatisfying(StageFailedException.class, e -> assertThat(e.type()).isEqualTo("INVALID_PARAMETER"))
          .hasMessageStartingWith("Cannot substitute parameter batchPrefix into path: its value '" + value + "' ");
    }
    assertThatThrownBy(() -> StageParameters.substitute(options, Map.of("batchPrefix", "tpch/../../other-prefix/")))
        .hasMessage("Cannot substitute parameter batchPrefix into path: its value 'tpch/../../other-prefix/'"
            + " has a '..' path segment");
  }

  @Test
  void aPlaceholderWithoutAParameterFailsTheStage() {
    assertThatThrownBy(() -> StageParameters.substitute(Map.of("path", "s3://${bucket}/x"), Map.of()))
        .isInstanceOfSatisfying(StageFailedException.class, e -> assertThat(e.type()).isEqualTo("MISSING_PARAMETER"))
        .hasMessageContaining("${bucket} in path");
  }

  @Test
  void placeholdersNameTheFirstOptionUsingEach() {
    Map<String, Object> options = new java.util.LinkedHashMap<>();
    options.put("path", "s3://${bucket}/${batchPrefix}a.csv");
    options.put("schema", List.of(Map.of("name", "${column}"), Map.of("name", "${bucket}")));

    assertThat(StageParameters.placeholders(options)).containsExactly(Map.entry("bucket", "path"),
        Map.entry("batchPrefix", "path"), Map.entry("column", "schema[0].name"));
  }

  @Test
  void safeValuesAreFoldersAndNamesNotPathsOut() {
    assertThat(StageParameters.unsafeForSubstitution("tpch/20261203T120000Z-1a2b/")).isEmpty();
    assertThat(StageParameters.unsafeForSubstitution("v1.2..3")).isEmpty();
    assertThat(StageParameters.unsafeForSubstitution("x'; DROP TABLE raw.orders; --")).isEmpty(); // not a path problem
    assertThat(StageParameters.unsafeForSubstitution("a/../b")).contains("has a '..' path segment");
    assertThat(StageParameters.unsafeForSubstitution("b1\u0000")).contains("contains a control character (U+0000)");
  }
}
