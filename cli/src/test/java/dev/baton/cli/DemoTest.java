package dev.baton.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.examples.tpch.PricingSummaryReference;
import dev.baton.examples.tpch.PricingSummaryRow;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.junit.jupiter.api.Test;

class DemoTest {
  private static final List<PricingSummaryRow> REFERENCE = PricingSummaryReference.compute(0.01);

  @Test
  void q1EqualToTheReferenceToTheCentHasNoDifferences() {
    List<Row> rows = new ArrayList<>(REFERENCE.stream().map(DemoTest::row).toList());
    // Spark's averages carry more digits than the reference's 6 (decimal(.., 6)): the cent decides
    PricingSummaryRow first = REFERENCE.get(0);
    rows.set(0, row(new PricingSummaryRow(first.returnFlag(), first.lineStatus(), first.sumQty(), first.sumBasePrice(),
        first.sumDiscPrice(), first.sumCharge(), first.avgQty().add(new BigDecimal("0.0000001")), first.avgPrice(),
        first.avgDisc(), first.countOrder())));

    assertThat(Demo.q1Differences(rows, REFERENCE)).isEmpty();
  }

  @Test
  void aCentOffACountOffOrAMissingRowIsReportedWithRowAndColumn() {
    List<Row> rows = new ArrayList<>(REFERENCE.stream().map(DemoTest::row).toList());
    PricingSummaryRow second = REFERENCE.get(1);
    rows.set(1, row(new PricingSummaryRow(second.returnFlag(), second.lineStatus(), second.sumQty(),
        second.sumBasePrice(), second.sumDiscPrice(), second.sumCharge().add(new BigDecimal("0.01")), second.avgQty(),
        second.avgPrice(), second.avgDisc(), second.countOrder() + 1)));
    rows.remove(3);

    assertThat(Demo.q1Differences(rows, REFERENCE)).containsExactly(
        "3 rows, the reference has 4",
        "row 2 sum_charge: " + second.sumCharge().add(new BigDecimal("0.01")) + ", the reference " + second.sumCharge(),
        "row 2 count_order: " + (second.countOrder() + 1) + ", the reference " + second.countOrder());
  }

  private static Row row(PricingSummaryRow row) {
    return RowFactory.create(row.returnFlag(), row.lineStatus(), row.sumQty(), row.sumBasePrice(), row.sumDiscPrice(),
        row.sumCharge(), row.avgQty(), row.avgPrice(), row.avgDisc(), row.countOrder());
  }
}
