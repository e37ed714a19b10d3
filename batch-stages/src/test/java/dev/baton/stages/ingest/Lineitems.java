package dev.baton.stages.ingest;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.StructType;

/**
 * A lineitem-like test data set: a seeded generator, its rows as delimited text, JSON lines or Spark rows, and a
 * checksum (row count and SHA-256 over the sorted rows, each printed by {@link Item#line()}) of the generator's
 * rows and of a batch as a table holds it, to compare the two.
 */
final class Lineitems {

  private Lineitems() {}

  static final List<Map<String, Object>> SCHEMA = List.of(
      Map.of("name", "l_orderkey", "type", "bigint"),
      Map.of("name", "l_partkey", "type", "int"),
      Map.of("name", "l_quantity", "type", "decimal(15,2)"),
      Map.of("name", "l_shipdate", "type", "date"),
      Map.of("name", "l_returnflag", "type", "string"),
      Map.of("name", "l_comment", "type", "string"));

  /** A lineitem-like row. */
  record Item(long orderkey, int partkey, BigDecimal quantity, LocalDate shipdate, String returnflag, String comment) {
    /** The row as the checksum prints it (the table's rows are printed the same way). */
    String line() {
      return orderkey + "|" + partkey + "|" + quantity.toPlainString() + "|" + shipdate + "|" + returnflag + "|" + comment;
    }
  }

  static List<Item> generate(int rows, long seed) {
    Random random = new Random(seed);
    List<Item> items = new ArrayList<>(rows);
    for (int i = 0; i < rows; i++) {
      items.add(new Item(i + 1L, random.nextInt(200_000), BigDecimal.valueOf(random.nextInt(5_000), 2),
          LocalDate.of(1992, 1, 1).plusDays(random.nextInt(2_500)), "RAN".substring(i % 3, i % 3 + 1),
          "comment " + Long.toString(random.nextLong() & Long.MAX_VALUE, 36)));
    }
    return items;
  }

  static String delimited(List<Item> items) {
    StringBuilder text = new StringBuilder();
    items.forEach(item -> text.append(item.line()).append('\n'));
    return text.toString();
  }

  static String jsonLines(List<Item> items) {
    StringBuilder text = new StringBuilder();
    for (Item item : items) {
      text.append("{\"l_orderkey\":").append(item.orderkey()).append(",\"l_partkey\":").append(item.partkey())
          .append(",\"l_quantity\":").append(item.quantity().toPlainString())
          .append(",\"l_shipdate\":\"").append(item.shipdate()).append("\",\"l_returnflag\":\"")
          .append(item.returnflag()).append("\",\"l_comment\":\"").append(item.comment()).append("\"}\n");
    }
    return text.toString();
  }

  static StructType sparkSchema() {
    StructType schema = new StructType();
    for (Map<String, Object> column : SCHEMA) {
      schema = schema.add((String) column.get("name"), DataType.fromDDL((String) column.get("type")));
    }
    return schema;
  }

  static List<Row> rows(List<Item> items) {
    return items.stream().map(item -> RowFactory.create(item.orderkey(), item.partkey(), item.quantity(),
        java.sql.Date.valueOf(item.shipdate()), item.returnflag(), item.comment())).toList();
  }

  static String checksum(List<Item> items) {
    return sha256(items.stream().map(Item::line).sorted().toList());
  }

  /** The checksum of a batch's rows as the table holds them. */
  static String checksum(SparkSession spark, String table, String batch) {
    List<String> lines = spark.sql("SELECT * FROM " + table + " WHERE batch_id = '" + batch + "'").collectAsList()
        .stream()
        .map(row -> new Item(row.getLong(0), row.getInt(1), row.getDecimal(2), row.getDate(3).toLocalDate(),
            row.getString(4), row.getString(5)).line())
        .sorted()
        .toList();
    return sha256(lines);
  }

  static String sha256(List<String> lines) {
    try {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      lines.forEach(line -> digest.update((line + "\n").getBytes(StandardCharsets.UTF_8)));
      return lines.size() + " rows, sha256 " + HexFormat.of().formatHex(digest.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

}
