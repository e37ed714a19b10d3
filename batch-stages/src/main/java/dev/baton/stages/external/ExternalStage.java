package dev.baton.stages.external;

import dev.baton.stages.spi.Stage;
import dev.baton.stages.spi.StageContext;
import dev.baton.stages.spi.StageResult;
import org.apache.spark.sql.SparkSession;

/**
 * A stage Baton does not run: a job started and reported elsewhere, whose {@code StageCompleted}
 * arrives from outside — a legacy job's flag file ({@code _job_status<n>}, bridged by the ingest
 * connector), an EMR step or EMR Serverless job run named {@code baton:<pipeline>:<runId>:<stage>:<attempt>} ({@link
 * dev.baton.schemas.AttemptName}).
 * The controller records its launch ({@code StageLaunched}, which the outside job may wait for) and
 * applies the usual timeout and retry policy; launchers never run it. Lets an existing job chain
 * move onto Baton one job at a time. Options: {@code description} (optional, free text).
 *
 * <p>The controller accepts only a completion of the attempt it launched last: a retried external
 * stage completes only if its report names that attempt ({@code {attempt}} in the flag-file
 * pattern; EMR job names carry it).
 */
final class ExternalStage implements Stage {

  ExternalStage() {}

  /** @throws IllegalStateException always: an external stage is completed by an outside event */
  @Override
  public StageResult run(StageContext context, SparkSession spark) {
    throw new IllegalStateException("Stage " + context.stage() + " is external: its completion comes from outside"
        + " (flag file, EMR job state), Baton never runs it");
  }
}
