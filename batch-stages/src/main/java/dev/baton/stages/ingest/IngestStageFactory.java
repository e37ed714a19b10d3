package dev.baton.stages.ingest;

import dev.baton.catalog.TableProperties;
import dev.baton.schemas.StageErrorCode;
import dev.baton.stages.spi.BoundOptionsStageFactory;
import dev.baton.stages.spi.InvalidStageOptionsException;
import dev.baton.stages.spi.StageFailedException;
import dev.baton.stages.spi.StageOptions;
import java.util.Map;
import org.apache.spark.sql.types.StructType;

/** The {@code ingest} stage type: one batch of files (delimited, JSON lines, Parquet, Avro, ORC) into an Iceberg table (options: {@link IngestOptions}). */
public final class IngestStageFactory extends BoundOptionsStageFactory<IngestOptions> {

  /** Where malformed rows of every ingest go, partitioned by target table and batch. */
  public static final String QUARANTINE_TABLE = TableProperties.SYSTEM_NAMESPACE + ".quarantine";

  /** {@link StageFailedException#type()} of an attempt whose bad rows exceed the limit. */
  public static final String TOO_MANY_BAD_ROWS = StageErrorCode.TOO_MANY_BAD_ROWS.name();

  /** {@link StageFailedException#type()} of an attempt whose Parquet, Avro or ORC input lacks a declared column. */
  public static final String INPUT_SCHEMA_MISMATCH = StageErrorCode.INPUT_SCHEMA_MISMATCH.name();

  /**
   * {@link StageFailedException#type()} of an attempt whose existing target table cannot take the declared schema
   * or partitioning (refused before the input is read).
   */
  public static final String INCOMPATIBLE_TABLE = StageErrorCode.INCOMPATIBLE_TABLE.name();

  public IngestStageFactory() {
    super("ingest", IngestOptions.class, IngestStage::new);
  }

  /**
   * The schema an ingest stage with these options reads its input with: the declared {@code schema} columns, in
   * order, each nullable and typed by its DDL type. For benchmarks and tools that must read as the stage does.
   *
   * @param options the stage's options as in the pipeline YAML
   * @throws InvalidStageOptionsException if they do not bind to {@link IngestOptions}
   */
  public static StructType declaredSchema(Map<String, Object> options) {
    return IngestStage.declaredSchema(StageOptions.bind(options, IngestOptions.class));
  }
}
