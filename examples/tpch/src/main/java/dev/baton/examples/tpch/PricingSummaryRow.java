package dev.baton.examples.tpch;

import static java.util.Objects.requireNonNull;

import java.math.BigDecimal;

/**
 * One row of TPC-H Q1, the pricing summary report, with its columns in the specification's order
 * (TPC-H specification 2.4.1.2).
 */
public record PricingSummaryRow(
    String returnFlag,
    String lineStatus,
    BigDecimal sumQty,
    BigDecimal sumBasePrice,
    BigDecimal sumDiscPrice,
    BigDecimal sumCharge,
    BigDecimal avgQty,
    BigDecimal avgPrice,
    BigDecimal avgDisc,
    long countOrder) {

  public PricingSummaryRow {
    requireNonNull(returnFlag, "Invalid returnFlag: null");
    requireNonNull(lineStatus, "Invalid lineStatus: null");
    requireNonNull(sumQty, "Invalid sumQty: null");
    requireNonNull(sumBasePrice, "Invalid sumBasePrice: null");
    requireNonNull(sumDiscPrice, "Invalid sumDiscPrice: null");
    requireNonNull(sumCharge, "Invalid sumCharge: null");
    requireNonNull(avgQty, "Invalid avgQty: null");
    requireNonNull(avgPrice, "Invalid avgPrice: null");
    requireNonNull(avgDisc, "Invalid avgDisc: null");
  }
}
