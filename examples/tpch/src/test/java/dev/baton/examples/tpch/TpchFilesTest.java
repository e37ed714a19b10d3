package dev.baton.examples.tpch;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TpchFilesTest {

  @Test
  void writesTheEightTablesWithSpecRowCounts(@TempDir Path dir) throws Exception {
    Map<String, Long> rows = TpchFiles.write(0.01, dir);

    // TPC-H spec 4.2.5.1 cardinalities at SF 0.01 (lineitem is approximate in the spec: 60,175 here)
    assertThat(rows).containsExactly(
        Map.entry("region", 5L), Map.entry("nation", 25L), Map.entry("supplier", 100L),
        Map.entry("customer", 1_500L), Map.entry("part", 2_000L), Map.entry("partsupp", 8_000L),
        Map.entry("orders", 15_000L), Map.entry("lineitem", 60_175L));
    try (Stream<String> lines = Files.lines(dir.resolve("lineitem.tbl"))) {
      assertThat(lines.count()).isEqualTo(60_175L);
    }
    assertThat(Files.readAllLines(dir.resolve("region.tbl")).get(0)).startsWith("0|AFRICA|").endsWith("|");
  }

  @Test
  void pricingSummaryReferenceAgreesWithANaiveRecomputationFromTheFile(@TempDir Path dir) throws Exception {
    TpchFiles.write(0.01, dir);
    List<PricingSummaryRow> reference = PricingSummaryReference.compute(0.01);

    // recompute sum_charge and count per group by parsing the .tbl text with doubles: must agree to the cent
    Map<String, double[]> fromText = new java.util.TreeMap<>();
    LocalDate cutoff = LocalDate.parse("1998-09-02");
    for (String line : Files.readAllLines(dir.resolve("lineitem.tbl"))) {
      String[] f = line.split("\\|");
      if (!LocalDate.parse(f[10]).isAfter(cutoff)) {
        double price = Double.parseDouble(f[5]);
        double charge = price * (1 - Double.parseDouble(f[6])) * (1 + Double.parseDouble(f[7]));
        double[] acc = fromText.computeIfAbsent(f[8] + f[9], k -> new double[2]);
        acc[0] += charge;
        acc[1]++;
      }
    }

    assertThat(reference).extracting(r -> r.returnFlag() + r.lineStatus()).containsExactly("AF", "NF", "NO", "RF");
    for (PricingSummaryRow row : reference) {
      double[] acc = fromText.get(row.returnFlag() + row.lineStatus());
      assertThat(row.countOrder()).isEqualTo((long) acc[1]);
      assertThat(row.sumCharge().doubleValue()).isCloseTo(acc[0], org.assertj.core.data.Offset.offset(0.01));
    }
    assertThat(reference.stream().mapToLong(PricingSummaryRow::countOrder).sum())
        .isLessThan(60_175L).isGreaterThan(58_000L);
    assertThat(reference.get(0).sumQty().scale()).isEqualTo(2);
    assertThat(reference.get(0).avgDisc()).isBetween(new BigDecimal("0.04"), new BigDecimal("0.06"));
  }
}
