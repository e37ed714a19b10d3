package dev.baton.stages.spi;

import java.util.Map;
import org.apache.spark.sql.SparkSession;

/**
 * One node of a pipeline: reads its inputs, writes Iceberg tables atomically (one commit per
 * table), and returns what it wrote. Implementations must be safe to run again for the same run
 * (a retried attempt replaces, never duplicates, the rows of its run).
 *
 * <p>Failure is an exception: {@link StageFailedException} for an expected, explained failure (a
 * quality gate, bad input over its threshold), anything else for a crash. The runner turns either
 * into a {@code StageCompleted} event with status FAILED and the error.
 */
public interface Stage {

  /**
   * Runs one attempt.
   *
   * @param context the attempt's identity and run parameters
   * @param spark the session to run in; the stage must not stop it
   * @return the tables written and metrics
   * @throws Exception on failure
   */
  StageResult run(StageContext context, SparkSession spark) throws Exception;

  /**
   * The run parameters this stage reads from its {@link StageContext} (besides the {@code ${name}}
   * placeholders of its options, which are substituted before it is built): the named parameter
   * markers of its SQL options ({@code :batch}), bound with {@link StageContext#sqlArgs}, and any it
   * reads itself (an ingest's {@code batch}). The controller refuses a run request that leaves one
   * of them without a value.
   *
   * @return parameter name to the option that uses it, e.g. {@code batch -> query}; empty by default
   */
  default Map<String, String> parameters() {
    return Map.of();
  }
}
