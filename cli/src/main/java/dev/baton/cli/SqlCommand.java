package dev.baton.cli;

import com.univocity.parsers.csv.CsvWriter;
import com.univocity.parsers.csv.CsvWriterSettings;
import java.io.PrintWriter;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code baton sql}: Spark SQL against the catalog. */
@Command(name = "sql", mixinStandardHelpOptions = true, description = "Run Spark SQL against the Iceberg catalog.")
final class SqlCommand implements Callable<Integer> {

  enum Format { table, csv, json }

  @Parameters(index = "0", description = "The query, e.g. \"SELECT * FROM baton_system.runs\".")
  String query;

  @Option(names = "--format", defaultValue = "table", description = "table, csv or json (one object per line).")
  Format format;

  @Option(names = "--max-rows", defaultValue = "1000", description = "Most rows printed (default ${DEFAULT-VALUE}).")
  int maxRows;

  @picocli.CommandLine.Spec
  picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    Map<String, String> config = BatonCli.configuration(System.err).values();
    SparkSession spark = SparkSessions.create("baton-sql", config);
    try {
      print(spark.sql(query), format, maxRows, spec.commandLine().getOut());
      return 0;
    } finally {
      spark.stop();
    }
  }

  /** Prints the rows: {@code table} as Spark's {@code show} does (to stdout), csv and json to {@code out}. */
  static void print(Dataset<Row> rows, Format format, int maxRows, PrintWriter out) {
    switch (format) {
      case table -> rows.show(maxRows, false);
      case json -> rows.limit(maxRows).toJSON().collectAsList().forEach(out::println);
      case csv -> {
        CsvWriter writer = new CsvWriter(out, new CsvWriterSettings());
        writer.writeHeaders(rows.columns());
        for (Row row : rows.limit(maxRows).collectAsList()) {
          Object[] values = new Object[row.size()];
          for (int i = 0; i < values.length; i++) {
            values[i] = row.isNullAt(i) ? null : String.valueOf(row.get(i));
          }
          writer.writeRow(values);
        }
        writer.flush();
      }
    }
    out.flush();
  }
}
