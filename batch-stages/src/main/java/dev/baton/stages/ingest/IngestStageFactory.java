package dev.baton.stages.ingest;

import dev.baton.catalog.TableProperties;
import dev.baton.schemas.StageErrorCode;
import dev.baton.stages.spi.Stage;
import dev.baton.stages.spi.StageFactory;
import dev.baton.stages.spi.StageFailedException;
import dev.baton.stages.spi.StageOptions;
import java.util.Map;

/** The {@code ingest} stage type: one batch of delimited files into an Iceberg table (options: {@link IngestOptions}). */
public final class IngestStageFactory implements StageFactory {

  /** Where malformed rows of every ingest go, partitioned by target table and batch. */
  public static final String QUARANTINE_TABLE = TableProperties.SYSTEM_NAMESPACE + ".quarantine";

  /** {@link StageFailedException#type()} of an attempt whose bad rows exceed the limit. */
  public static final String TOO_MANY_BAD_ROWS = StageErrorCode.TOO_MANY_BAD_ROWS.name();

  @Override
  public String type() {
    return "ingest";
  }

  /** Binds and validates the options; see {@link StageOptions#bind}. */
  @Override
  public Stage create(Map<String, Object> options) {
    return new IngestStage(StageOptions.bind(options, IngestOptions.class));
  }
}
