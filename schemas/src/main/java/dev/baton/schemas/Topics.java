package dev.baton.schemas;

/** Names of Baton's Kafka topics (DESIGN.md, "Topics and contracts"). */
public final class Topics {
  /** {@code ObjectCreated} events, keyed by {@code bucket/key}. */
  public static final String OBJECTS = "baton.objects";
  /** {@code ControlEvent} envelopes, keyed by runId. */
  public static final String CONTROL = "baton.control";
  /** What could not be decoded or applied, with the reason and the original bytes. */
  public static final String DLQ = "baton.dlq";
  /** Run failed / stage retried / SLA missed. */
  public static final String ALERTS = "baton.alerts";
  /**
   * The controller's ledger changelog, keyed by runId: the rows it decided to write to the ledger
   * tables, as JSON; written in the decision's micro-batch and applied to Iceberg by a second,
   * slower query, so ledger commits never delay a launch. Internal to the controller.
   */
  public static final String LEDGER = "baton.ledger";

  private Topics() {}
}
