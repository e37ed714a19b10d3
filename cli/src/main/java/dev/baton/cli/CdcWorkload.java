package dev.baton.cli;

import static java.util.Objects.requireNonNull;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * A reproducible OLTP-like workload on the CDC source database: three tables covering the types CDC
 * must carry exactly (integers, {@code numeric} with a scale, {@code double precision}, {@code
 * timestamptz}, Unicode text, a composite primary key) and random inserts, updates and deletes in
 * small transactions, from a seeded {@link Random}.
 *
 * <p>Tables (schema {@code public}):
 *
 * <ul>
 *   <li>{@code customers(id bigint PK, name text, balance numeric(12,2), score double precision,
 *       updated_at timestamptz)}, and after {@link #addEmailColumn} a nullable {@code email text}
 *   <li>{@code orders(id integer PK, customer_id bigint, amount numeric(14,4), status text, placed_at timestamptz)}
 *   <li>{@code order_lines(order_id integer, line_no smallint, sku text, quantity integer,
 *       unit_price numeric(10,2), PK (order_id, line_no))}
 * </ul>
 *
 * <p>One thread drives a workload (one connection); {@link #changes()} may be read from any thread.
 */
public final class CdcWorkload {
  /** The tables, schema-qualified, in creation order. */
  public static final List<String> TABLES = List.of("public.customers", "public.orders", "public.order_lines");
  private static final Map<String, List<String>> KEYS = Map.of(
      "public.customers", List.of("id"),
      "public.orders", List.of("id"),
      "public.order_lines", List.of("order_id", "line_no"));
  private static final List<String> NAMES = List.of("Zoë", "Łukasz", "東京 商事", "Ñandú S.A.", "Åsa", "O'Brien",
      "Δημήτρης", "rocket 🚀", "Müller & Söhne", "plain");
  private static final List<String> STATUSES = List.of("new", "paid", "shipped", "cancelled");

  private final Connection connection;
  private final Random random;
  private final Map<String, List<List<Object>>> keys = new LinkedHashMap<>();
  /** The next id of customers and orders (ids are never reused; an order line's key may be, after a delete). */
  private long nextCustomerId = 10_000_000_000L;
  private int nextOrderId = 1;
  private boolean emailColumn;
  /** Changes applied and committed; read by other threads to pace chaos against the workload. */
  private final java.util.concurrent.atomic.AtomicLong changes = new java.util.concurrent.atomic.AtomicLong();

  /**
   * @param connection a connection to the source database with the rights to create and write the tables
   * @param seed the seed of the random changes
   */
  public CdcWorkload(Connection connection, long seed) {
    this.connection = requireNonNull(connection, "Invalid connection: null");
    this.random = new Random(seed);
    TABLES.forEach(table -> keys.put(table, new ArrayList<>()));
  }

  /** The primary-key columns of a table of {@link #TABLES}. */
  public static List<String> keyColumns(String table) {
    return KEYS.get(table);
  }

  /** The columns of a table of {@link #TABLES} as the workload has them now (email after {@link #addEmailColumn}). */
  public List<String> columns(String table) {
    return switch (table) {
      case "public.customers" -> emailColumn
          ? List.of("id", "name", "balance", "score", "updated_at", "email")
          : List.of("id", "name", "balance", "score", "updated_at");
      case "public.orders" -> List.of("id", "customer_id", "amount", "status", "placed_at");
      case "public.order_lines" -> List.of("order_id", "line_no", "sku", "quantity", "unit_price");
      default -> throw new IllegalArgumentException("Invalid table '" + table + "'");
    };
  }

  /**
   * Creates the tables (replica identity default: the primary key) and inserts {@code rowsPerTable}
   * rows in each, in one transaction.
   *
   * @throws SQLException if a table exists already or a statement fails
   */
  public void createTables(int rowsPerTable) throws SQLException {
    connection.setAutoCommit(false);
    try (Statement statement = connection.createStatement()) {
      statement.execute("CREATE TABLE public.customers (id bigint PRIMARY KEY, name text NOT NULL,"
          + " balance numeric(12,2), score double precision, updated_at timestamptz NOT NULL)");
      statement.execute("CREATE TABLE public.orders (id integer PRIMARY KEY, customer_id bigint, amount numeric(14,4),"
          + " status text, placed_at timestamptz)");
      statement.execute("CREATE TABLE public.order_lines (order_id integer, line_no smallint, sku text, quantity integer,"
          + " unit_price numeric(10,2), PRIMARY KEY (order_id, line_no))");
    }
    for (int i = 0; i < rowsPerTable; i++) {
      for (String table : TABLES) {
        insert(table);
      }
    }
    connection.commit();
  }

  /**
   * Applies {@code count} random changes (45 % inserts, 35 % updates, 20 % deletes, over the three
   * tables) in transactions of 1 to 10 changes, committing the last one, as fast as the database
   * takes them.
   *
   * @return the number of changes committed so far by this workload
   * @throws SQLException if a statement fails
   */
  public long apply(int count) throws SQLException {
    return apply(count, Double.POSITIVE_INFINITY);
  }

  /**
   * As {@link #apply(int)}, at no more than {@code changesPerSecond} on average: after each commit the
   * workload waits until its schedule catches up.
   *
   * @throws SQLException if a statement fails
   */
  public long apply(int count, double changesPerSecond) throws SQLException {
    connection.setAutoCommit(false);
    long start = System.nanoTime();
    int applied = 0;
    int inTransaction = 0;
    int transactionSize = 1 + random.nextInt(10);
    for (int i = 0; i < count; i++) {
      String table = TABLES.get(random.nextInt(TABLES.size()));
      int dice = random.nextInt(100);
      if (dice < 45 || keys.get(table).isEmpty()) {
        insert(table);
      } else if (dice < 80) {
        update(table);
      } else {
        delete(table);
      }
      applied++;
      if (++inTransaction == transactionSize || applied == count) {
        connection.commit();
        changes.addAndGet(inTransaction);
        inTransaction = 0;
        transactionSize = 1 + random.nextInt(10);
        pace(start, applied, changesPerSecond);
      }
    }
    return changes.get();
  }

  /** The number of changes committed so far (any thread may ask). */
  public long changes() {
    return changes.get();
  }

  private static void pace(long startNanos, int applied, double changesPerSecond) {
    if (Double.isInfinite(changesPerSecond)) {
      return;
    }
    long dueNanos = startNanos + (long) (applied / changesPerSecond * 1e9);
    long waitNanos = dueNanos - System.nanoTime();
    if (waitNanos > 0) {
      java.util.concurrent.locks.LockSupport.parkNanos(waitNanos);
    }
  }

  /**
   * Adds the nullable column {@code email text} to {@code public.customers}; later inserts and
   * updates of customers set it (to null now and then).
   */
  public void addEmailColumn() throws SQLException {
    connection.setAutoCommit(false);
    try (Statement statement = connection.createStatement()) {
      statement.execute("ALTER TABLE public.customers ADD COLUMN email text");
    }
    connection.commit();
    emailColumn = true;
  }

  /** The table's digest on this workload's connection. */
  public TableDigest digest(String table) throws SQLException {
    return TableDigest.of(connection, table, columns(table), keyColumns(table));
  }

  private void insert(String table) throws SQLException {
    List<Object> key = newKey(table);
    switch (table) {
      case "public.customers" -> execute(emailColumn
              ? "INSERT INTO public.customers (id, name, balance, score, updated_at, email) VALUES (?, ?, ?, ?, ?, ?)"
              : "INSERT INTO public.customers (id, name, balance, score, updated_at) VALUES (?, ?, ?, ?, ?)",
          customerValues(key.get(0)));
      case "public.orders" -> execute(
          "INSERT INTO public.orders (id, customer_id, amount, status, placed_at) VALUES (?, ?, ?, ?, ?)",
          List.of(key.get(0), (long) random.nextInt(1_000_000), decimal(4, 1_000_000), pick(STATUSES), time()));
      default -> execute(
          "INSERT INTO public.order_lines (order_id, line_no, sku, quantity, unit_price) VALUES (?, ?, ?, ?, ?)",
          List.of(key.get(0), key.get(1), "SKU-" + random.nextInt(100_000) + "-" + pick(NAMES),
              random.nextInt(500), decimal(2, 10_000)));
    }
    keys.get(table).add(key);
  }

  private void update(String table) throws SQLException {
    List<Object> key = pick(keys.get(table));
    switch (table) {
      case "public.customers" -> {
        List<Object> values = customerValues(key.get(0));
        List<Object> parameters = new ArrayList<>(values.subList(1, values.size()));
        parameters.add(key.get(0));
        execute(emailColumn
            ? "UPDATE public.customers SET name = ?, balance = ?, score = ?, updated_at = ?, email = ? WHERE id = ?"
            : "UPDATE public.customers SET name = ?, balance = ?, score = ?, updated_at = ? WHERE id = ?", parameters);
      }
      case "public.orders" -> execute("UPDATE public.orders SET amount = ?, status = ?, placed_at = ? WHERE id = ?",
          List.of(decimal(4, 1_000_000), pick(STATUSES), time(), key.get(0)));
      default -> execute("UPDATE public.order_lines SET quantity = ?, unit_price = ? WHERE order_id = ? AND line_no = ?",
          List.of(random.nextInt(500), decimal(2, 10_000), key.get(0), key.get(1)));
    }
  }

  private void delete(String table) throws SQLException {
    List<Object> key = keys.get(table).remove(random.nextInt(keys.get(table).size()));
    if (table.equals("public.order_lines")) {
      execute("DELETE FROM public.order_lines WHERE order_id = ? AND line_no = ?", key);
    } else {
      execute("DELETE FROM " + table + " WHERE id = ?", key);
    }
  }

  /**
   * A key not in use: customer ids (beyond the int range) and order ids grow; an order line takes the
   * next line number of a random order id, so deleting an order's last line and adding one reuses a key.
   */
  private List<Object> newKey(String table) {
    return switch (table) {
      case "public.customers" -> List.of(nextCustomerId++);
      case "public.orders" -> List.of(nextOrderId++);
      default -> {
        int orderId = 1 + random.nextInt(500);
        short lineNo = (short) (keys.get(table).stream().filter(k -> k.get(0).equals(orderId))
            .mapToInt(k -> ((Number) k.get(1)).intValue()).max().orElse(0) + 1);
        yield List.of(orderId, lineNo);
      }
    };
  }

  private List<Object> customerValues(Object id) {
    List<Object> values = new ArrayList<>(List.of(id, pick(NAMES) + " " + random.nextInt(1000), decimal(2, 10_000_000),
        random.nextDouble() * 1000 - 500, time()));
    if (emailColumn) {
      values.add(random.nextInt(5) == 0 ? null : "user" + random.nextInt(100_000) + "@example.com");
    }
    return values;
  }

  private BigDecimal decimal(int scale, long maxUnits) {
    long units = random.nextLong(maxUnits);
    return BigDecimal.valueOf(random.nextBoolean() ? units : -units).add(
        BigDecimal.valueOf(random.nextInt((int) Math.pow(10, scale)), scale)).setScale(scale, RoundingMode.UNNECESSARY);
  }

  /** A microsecond-precision instant within a year of 2026-01-01 (timestamptz keeps microseconds). */
  private OffsetDateTime time() {
    long micros = Instant.parse("2026-01-01T00:00:00Z").toEpochMilli() * 1000 + random.nextLong(365L * 86_400_000_000L);
    return Instant.ofEpochSecond(micros / 1_000_000, (micros % 1_000_000) * 1000).atOffset(ZoneOffset.UTC);
  }

  private <T> T pick(List<T> values) {
    return values.get(random.nextInt(values.size()));
  }

  private void execute(String sql, List<?> parameters) throws SQLException {
    try (PreparedStatement statement = connection.prepareStatement(sql)) {
      for (int i = 0; i < parameters.size(); i++) {
        statement.setObject(i + 1, parameters.get(i));
      }
      int updated = statement.executeUpdate();
      if (updated != 1) {
        throw new SQLException("Expected one row changed by '" + sql + "' " + parameters + ", got " + updated);
      }
    }
  }

  /** The keys the workload knows in a table: for checks that the table holds exactly these. */
  public List<List<Object>> keys(String table) {
    return List.copyOf(keys.get(table));
  }

  /** Loads the keys of existing tables (a workload resumed on tables created earlier). */
  public void loadKeys() throws SQLException {
    for (String table : TABLES) {
      keys.get(table).clear();
      try (Statement statement = connection.createStatement();
          ResultSet rows = statement.executeQuery("SELECT " + String.join(", ", keyColumns(table)) + " FROM " + table)) {
        while (rows.next()) {
          List<Object> key = new ArrayList<>();
          for (int i = 1; i <= keyColumns(table).size(); i++) {
            key.add(rows.getObject(i));
          }
          keys.get(table).add(key);
        }
      }
    }
    nextCustomerId = Math.max(nextCustomerId, 1 + keys.get("public.customers").stream()
        .mapToLong(key -> ((Number) key.get(0)).longValue()).max().orElse(0));
    nextOrderId = Math.max(nextOrderId, 1 + keys.get("public.orders").stream()
        .mapToInt(key -> ((Number) key.get(0)).intValue()).max().orElse(0));
  }
}
