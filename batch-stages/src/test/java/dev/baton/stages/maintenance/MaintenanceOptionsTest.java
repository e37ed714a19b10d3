package dev.baton.stages.maintenance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.baton.stages.spi.InvalidStageOptionsException;
import dev.baton.stages.spi.StageOptions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MaintenanceOptionsTest {

  @Test
  void anActionGivenAsAnEmptyMappingTakesItsDefaultsAndAnAbsentOneIsSkipped() {
    MaintenanceOptions options = bind(Map.of("tables", List.of("curated.orders"), "rewriteDataFiles", Map.of(),
        "deleteOrphanFiles", Map.of()));

    assertThat(options.rewriteDataFiles()).isEqualTo(new MaintenanceOptions.RewriteDataFiles(null, null));
    assertThat(options.rewriteManifests()).isNull();
    assertThat(options.expireSnapshots()).isNull();
    assertThat(options.deleteOrphanFiles().olderThanDuration()).isEqualTo(Duration.ofDays(3));
  }

  @Test
  void explicitValuesAreKept() {
    MaintenanceOptions options = bind(Map.of("tables", List.of("curated.orders", "curated.lineitem"),
        "rewriteDataFiles", Map.of("targetFileSizeBytes", 134_217_728L, "minInputFiles", 2),
        "rewriteManifests", Map.of(),
        "expireSnapshots", Map.of("olderThan", "P7D", "retainLast", 10),
        "deleteOrphanFiles", Map.of("olderThan", "PT1H")));

    assertThat(options.tables()).containsExactly("curated.orders", "curated.lineitem");
    assertThat(options.rewriteDataFiles()).isEqualTo(new MaintenanceOptions.RewriteDataFiles(134_217_728L, 2));
    assertThat(options.rewriteManifests()).isEqualTo(new MaintenanceOptions.RewriteManifests());
    assertThat(options.expireSnapshots().olderThanDuration()).isEqualTo(Duration.ofDays(7));
    assertThat(options.expireSnapshots().retainLast()).isEqualTo(10);
    assertThat(options.deleteOrphanFiles().olderThanDuration()).isEqualTo(Duration.ofHours(1));
  }

  @Test
  void badOptionsAreRefusedWithThePathOfTheField() {
    assertRefused(Map.of("tables", List.of("curated.orders"), "deleteOrphanFiles", Map.of("olderThan", "PT59M")),
        "deleteOrphanFiles.olderThan: must be at least PT1H (a younger unreferenced file may belong to a write in"
            + " flight), got PT59M");
    assertRefused(Map.of("tables", List.of("curated.orders"), "expireSnapshots", Map.of("olderThan", "7 days")),
        "expireSnapshots.olderThan: expected an ISO-8601 duration such as P7D or PT12H, got '7 days'");
    assertRefused(Map.of("tables", List.of("curated.orders"), "expireSnapshots", Map.of("retainLast", 0)),
        "expireSnapshots.retainLast: must be at least 1, got 0");
    assertRefused(Map.of("tables", List.of("curated.orders"), "expireSnapshots", Map.of("keepLast", 3)),
        "expireSnapshots.keepLast: unknown field (known: olderThan, retainLast)");
    assertRefused(Map.of("tables", List.of("curated.orders"), "rewriteDataFiles", Map.of("minInputFiles", 0)),
        "rewriteDataFiles.minInputFiles: must be at least 1, got 0");
    assertRefused(Map.of("tables", List.of("curated.orders", "lineitem"), "rewriteManifests", Map.of()),
        "tables[1]: expected <namespace>.<table>, got 'lineitem'");
    assertRefused(Map.of("tables", List.of("curated.orders", "curated.orders"), "rewriteManifests", Map.of()),
        "tables[1]: duplicate table 'curated.orders'");
    assertRefused(Map.of("tables", List.of("baton_system.runs"), "rewriteManifests", Map.of()),
        "tables[0]: 'baton_system.runs' is maintained by the controller between its ledger MERGEs (settings"
            + " controller.ledger-maintenance.*), not by a stage");
    assertRefused(Map.of("tables", List.of("curated.orders")),
        "no action: give at least one of rewriteDataFiles, rewriteManifests, expireSnapshots, deleteOrphanFiles"
            + " ({} for its defaults)");
    assertRefused(Map.of("rewriteManifests", Map.of()), "tables: is required (a list of <namespace>.<table>)");
  }

  private static MaintenanceOptions bind(Map<String, Object> options) {
    return StageOptions.bind(options, MaintenanceOptions.class);
  }

  private static void assertRefused(Map<String, Object> options, String message) {
    assertThatThrownBy(() -> bind(options)).isInstanceOf(InvalidStageOptionsException.class).hasMessage(message);
  }
}
