package dev.baton.local;

import static java.util.Objects.requireNonNull;

import java.util.List;

/**
 * The names of Baton's Kafka topics, by role, so the local stack can grant each principal its
 * access without depending on the module that defines them ({@code dev.baton.schemas.Topics}).
 *
 * @param objects object-created events (written by the ingest connectors)
 * @param control control events (run requests, stage results)
 * @param dlq dead letters
 * @param alerts alerts
 * @param ledger the controller's ledger
 */
public record BatonTopics(String objects, String control, String dlq, String alerts, String ledger) {
  public BatonTopics {
    requireNonNull(objects, "Invalid objects topic: null");
    requireNonNull(control, "Invalid control topic: null");
    requireNonNull(dlq, "Invalid dlq topic: null");
    requireNonNull(alerts, "Invalid alerts topic: null");
    requireNonNull(ledger, "Invalid ledger topic: null");
  }

  /** Every topic, in the order of the components. */
  public List<String> all() {
    return List.of(objects, control, dlq, alerts, ledger);
  }
}
