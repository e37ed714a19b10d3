package dev.baton.examples.tpch;

import io.trino.tpch.LineItem;
import io.trino.tpch.TpchTable;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * TPC-H Q1 computed in plain Java straight from the generator's rows, with exact decimal
 * arithmetic and no Spark: the independent answer the pipeline's {@code curated.pricing_summary}
 * is checked against.
 *
 * <p>Q1 (TPC-H specification 2.4.1, substitution DELTA = 90): rows with {@code l_shipdate <= date
 * '1998-12-01' - interval 90 days}, grouped by (l_returnflag, l_linestatus) and ordered by both.
 */
public final class PricingSummaryReference {

  /** {@code date '1998-12-01' - interval '90' day}. */
  public static final LocalDate SHIP_DATE_CUTOFF = LocalDate.of(1998, 12, 1).minusDays(90);

  private PricingSummaryReference() {}

  /**
   * Computes Q1 over the lineitem rows generated at {@code scaleFactor}.
   *
   * @return the rows in Q1's order; averages carry 6 decimal places, rounded half-up
   */
  public static List<PricingSummaryRow> compute(double scaleFactor) {
    long cutoffEpochDay = SHIP_DATE_CUTOFF.toEpochDay();
    Map<String, Accumulator> groups = new TreeMap<>();
    for (LineItem item : TpchTable.LINE_ITEM.createGenerator(scaleFactor, 1, 1)) {
      if (item.getShipDate() <= cutoffEpochDay) {
        groups.computeIfAbsent(item.getReturnFlag() + "|" + item.getStatus(), key -> new Accumulator()).add(item);
      }
    }
    List<PricingSummaryRow> rows = new ArrayList<>();
    groups.forEach((key, acc) -> rows.add(acc.toRow(key.substring(0, 1), key.substring(2))));
    return rows;
  }

  private static final class Accumulator {
    private long quantity;
    private long priceCents;
    /** sum of cents * (100 - discount%) : scale 4 once divided by 10^4. */
    private BigDecimal discPrice = BigDecimal.ZERO;
    /** sum of cents * (100 - discount%) * (100 + tax%) : scale 6 once divided by 10^6. */
    private BigDecimal charge = BigDecimal.ZERO;
    private long discountPercent;
    private long count;

    void add(LineItem item) {
      long cents = item.getExtendedPriceInCents();
      long netFactor = 100 - item.getDiscountPercent();
      quantity += item.getQuantity();
      priceCents += cents;
      discPrice = discPrice.add(BigDecimal.valueOf(cents * netFactor));
      charge = charge.add(BigDecimal.valueOf(cents * netFactor).multiply(BigDecimal.valueOf(100 + item.getTaxPercent())));
      discountPercent += item.getDiscountPercent();
      count++;
    }

    PricingSummaryRow toRow(String returnFlag, String lineStatus) {
      BigDecimal n = BigDecimal.valueOf(count);
      BigDecimal sumQty = BigDecimal.valueOf(quantity).setScale(2);
      BigDecimal sumBasePrice = BigDecimal.valueOf(priceCents, 2);
      return new PricingSummaryRow(
          returnFlag,
          lineStatus,
          sumQty,
          sumBasePrice,
          discPrice.movePointLeft(4),
          charge.movePointLeft(6),
          sumQty.divide(n, 6, RoundingMode.HALF_UP),
          sumBasePrice.divide(n, 6, RoundingMode.HALF_UP),
          BigDecimal.valueOf(discountPercent, 2).divide(n, 6, RoundingMode.HALF_UP),
          count);
    }
  }
}
