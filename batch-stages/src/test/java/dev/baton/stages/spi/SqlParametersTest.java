package dev.baton.stages.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class SqlParametersTest {

  @Test
  void findsNamedMarkersInJoinsSubqueriesAndCtes() {
    String query = """
        WITH recent AS (SELECT * FROM raw.orders WHERE o_orderdate >= :since)
        SELECT l.*, '12:30 :notAMarker' AS text
        FROM raw.lineitem l JOIN recent o ON o.o_orderkey = l.l_orderkey AND o.batch_id = :batch
        WHERE l.batch_id = :batch AND l.l_suppkey IN (SELECT s_suppkey FROM raw.supplier WHERE s_nationkey = :nation)
        """;

    assertThat(SqlParameters.ofQuery("query", query)).containsExactlyInAnyOrder("since", "batch", "nation");
  }

  @Test
  void findsNamedMarkersInAnExpression() {
    assertThat(SqlParameters.ofExpression("filter", "batch_id = :batch AND amount > :minAmount"))
        .containsExactlyInAnyOrder("batch", "minAmount");
    assertThat(SqlParameters.ofQuery("query", "SET spark.sql.shuffle.partitions")).isEmpty();
  }

  @Test
  void textSubstitutionInSqlIsRefusedNamingTheMarkerToUse() {
    assertThatThrownBy(() -> SqlParameters.ofQuery("query", "SELECT * FROM raw.sales WHERE batch_id = '${batch}'"))
        .isInstanceOfSatisfying(InvalidStageOptionsException.class, e -> assertThat(e.path()).isEqualTo("query"))
        .hasMessage("query: text substitution '${batch}' is not allowed in SQL; use the named parameter marker :batch"
            + " (bound as a typed value, never spliced into the SQL text)");
    assertThatThrownBy(() -> SqlParameters.ofExpression("filter", "batch_id = '${batch}'"))
        .hasMessageStartingWith("filter: text substitution '${batch}'");
  }

  @Test
  void positionalMarkersAndInvalidSqlAreRefused() {
    assertThatThrownBy(() -> SqlParameters.ofQuery("query", "SELECT * FROM t WHERE a = ?"))
        .hasMessageStartingWith("query: positional parameter markers (?) are not supported");
    assertThatThrownBy(() -> SqlParameters.ofQuery("query", "SELEC 1"))
        .hasMessageStartingWith("query: not valid Spark SQL: ");
    // a filter is one expression: it cannot close the query it is put in and start another
    assertThatThrownBy(() -> SqlParameters.ofExpression("filter", "batch_id = 'b1' UNION SELECT * FROM secrets"))
        .hasMessageStartingWith("filter: not one valid Spark SQL expression: ");
  }
}
