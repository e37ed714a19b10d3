package com.example.qx;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

import java.nio.file.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;

/**
 * One step of a chain of twelve Spark jobs, as the field runs them today: each reads what the previous
 * step wrote and writes its own output. Step 1 writes {@value #ROWS} rows {@code (id, value = id)};
 * step n reads step n-1's and adds n to every value. So after step n, the sum of the values is
 * {@code sum(0..ROWS-1) + ROWS * (2 + ... + n)}, which each step checks.
 *
 * <p>Arguments: {@code --step N --work ID [--fail-at M] [--hold-ms T]}. Output: {@code
 * <java.io.tmpdir>/qx/<ID>/q<N>} (Parquet). With {@code --fail-at N} the step throws (the JVM exits
 * non-zero), for tests of a failing job; {@code --hold-ms} makes it run at least that long (a long job).
 */
public final class QxJob {
  /** Rows step 1 writes. */
  public static final long ROWS = 10_000;

  private QxJob() {}

  public static void main(String[] args) throws InterruptedException {
    int step = Integer.parseInt(argument(args, "--step", null));
    String work = argument(args, "--work", null);
    long failAt = Long.parseLong(argument(args, "--fail-at", "0"));
    long holdMs = Long.parseLong(argument(args, "--hold-ms", "0"));
    if (!work.matches("[A-Za-z0-9_.-]+") || work.startsWith(".")) {
      throw new IllegalArgumentException("--work must be a plain folder name, got '" + work + "'");
    }
    Path folder = Path.of(System.getProperty("java.io.tmpdir"), "qx", work);
    SparkSession spark = SparkSession.builder().appName("qx-" + step).getOrCreate();
    try {
      if (step == failAt) {
        throw new IllegalStateException("Qx step " + step + " failed on purpose (--fail-at " + failAt + ")");
      }
      Thread.sleep(holdMs);
      Dataset<Row> output = step == 1
          ? spark.range(ROWS).withColumn("value", col("id"))
          : spark.read().parquet(folder.resolve("q" + (step - 1)).toString())
              .withColumn("value", col("value").plus(lit(step)));
      output.write().mode(SaveMode.Overwrite).parquet(folder.resolve("q" + step).toString());
      long expected = ROWS * (ROWS - 1) / 2 + ROWS * ((long) step * (step + 1) / 2 - 1);
      long actual = spark.read().parquet(folder.resolve("q" + step).toString()).agg(org.apache.spark.sql.functions.sum("value"))
          .first().getLong(0);
      if (actual != expected) {
        throw new IllegalStateException("Qx step " + step + ": sum of values " + actual + ", expected " + expected);
      }
      System.out.println("Qx step " + step + " wrote " + folder.resolve("q" + step) + " (sum of values " + actual + ")");
    } finally {
      spark.stop();
    }
  }

  private static String argument(String[] args, String name, String defaultValue) {
    for (int i = 0; i < args.length - 1; i++) {
      if (args[i].equals(name)) {
        return args[i + 1];
      }
    }
    if (defaultValue == null) {
      throw new IllegalArgumentException("Missing argument " + name + " (usage: --step N --work ID [--fail-at M] [--hold-ms T])");
    }
    return defaultValue;
  }
}
