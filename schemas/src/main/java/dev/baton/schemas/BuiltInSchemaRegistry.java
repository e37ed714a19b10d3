package dev.baton.schemas;

import dev.baton.schemas.event.Alert;
import dev.baton.schemas.event.ControlEvent;
import dev.baton.schemas.event.ObjectCreated;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import org.apache.avro.Schema;

/**
 * The schemas bundled with this build under fixed ids, so producers and consumers on the local
 * stack agree without a registry server.
 *
 * <p>Every id resolves to a frozen schema file under {@code dev/baton/schemas/history/} (the full
 * schema JSON as it was when the id shipped), never to a generated class, so changing an {@code
 * .avsc} under {@code src/main/avro} cannot silently change what an old id means. Ids are never
 * reused: a new version of a record gets a new id and a new history file, and the old id keeps
 * resolving to the old schema.
 *
 * <p>Ids: 1 = {@code ObjectCreated} v1, 2 = {@code ControlEvent} v1, 3 = {@code Alert} v1, 4 =
 * {@code ControlEvent} v2 (adds resume and cancel requests), 5 = {@code Alert} v2 (adds the alert kinds
 * TRIGGER_AFTER_END and WAITING_EXPIRED), 6 = {@code ControlEvent} v3 ({@code StageCompleted} gains the
 * application id and log location of the attempt), 7 = {@code ControlEvent} v4 (adds {@code RunQueued},
 * {@code RunAdmitted}, {@code AttemptQueued} and {@code AttemptAdmitted}: the run and attempt slots). The newest id of each record is the
 * one this build writes: its frozen schema equals the generated class's schema, and every
 * generated schema must be able to read data written with each older version of its record
 * (BACKWARD compatibility). Both rules are checked by the build's tests with Avro's {@link
 * org.apache.avro.SchemaCompatibility}.
 *
 * <p>To change a record: edit its {@code .avsc}, add {@code <Record>-v<n>.avsc} under {@code
 * history/} with {@code Schema.toString(true)} of the new generated class, and add the next free
 * id below pointing at it.
 */
public final class BuiltInSchemaRegistry implements SchemaRegistry {

  /** Id of the first {@link ObjectCreated} schema (the one this build writes). */
  public static final int OBJECT_CREATED_V1 = 1;
  /** Id of the first {@link ControlEvent} schema. */
  public static final int CONTROL_EVENT_V1 = 2;
  /** Id of the first {@link Alert} schema. */
  public static final int ALERT_V1 = 3;
  /** Id of the second {@link ControlEvent} schema. */
  public static final int CONTROL_EVENT_V2 = 4;
  /** Id of the second {@link Alert} schema (the one this build writes): two more alert kinds. */
  public static final int ALERT_V2 = 5;
  /** Id of the third {@link ControlEvent} schema: StageCompleted.applicationId and logUri. */
  public static final int CONTROL_EVENT_V3 = 6;
  /** Id of the fourth {@link ControlEvent} schema (the one this build writes): run and attempt slots' events. */
  public static final int CONTROL_EVENT_V4 = 7;

  private static final BuiltInSchemaRegistry INSTANCE = new BuiltInSchemaRegistry();

  /** Ordered by id, so the last match for a record is its newest version. */
  private final Map<Integer, Schema> schemasById =
      Collections.unmodifiableMap(
          new TreeMap<>(
              Map.of(
                  OBJECT_CREATED_V1, historic("ObjectCreated-v1.avsc"),
                  CONTROL_EVENT_V1, historic("ControlEvent-v1.avsc"),
                  ALERT_V1, historic("Alert-v1.avsc"),
                  CONTROL_EVENT_V2, historic("ControlEvent-v2.avsc"),
                  ALERT_V2, historic("Alert-v2.avsc"),
                  CONTROL_EVENT_V3, historic("ControlEvent-v3.avsc"),
                  CONTROL_EVENT_V4, historic("ControlEvent-v4.avsc"))));

  private BuiltInSchemaRegistry() {}

  /** Returns the shared instance. */
  public static BuiltInSchemaRegistry instance() {
    return INSTANCE;
  }

  /**
   * Returns the newest id whose frozen schema equals {@code schema} ({@link Schema#equals}: names,
   * types, defaults and properties; docs are ignored). The subject is not used: ids are global.
   *
   * @throws UnknownSchemaException if no frozen schema equals {@code schema}
   */
  @Override
  public int idFor(String subject, Schema schema) {
    Objects.requireNonNull(schema, "Invalid schema: null");
    int found = -1;
    for (Map.Entry<Integer, Schema> entry : schemasById.entrySet()) {
      if (entry.getValue().equals(schema)) {
        found = entry.getKey();
      }
    }
    if (found < 0) {
      throw new UnknownSchemaException("Cannot find built-in schema id for: " + schema.getFullName());
    }
    return found;
  }

  /**
   * Returns the frozen schema of {@code id}.
   *
   * @throws UnknownSchemaException if no built-in schema has that id
   */
  @Override
  public Schema schemaById(int id) {
    Schema schema = schemasById.get(id);
    if (schema == null) {
      throw new UnknownSchemaException("Unknown schema id: " + id);
    }
    return schema;
  }

  /** Every id with its frozen schema, in ascending id order, for compatibility checks. */
  public Map<Integer, Schema> all() {
    return schemasById;
  }

  /** A frozen schema version kept under {@code dev/baton/schemas/history/}. */
  static Schema historic(String file) {
    String resource = "history/" + file;
    try (InputStream in = BuiltInSchemaRegistry.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("Cannot find schema resource dev/baton/schemas/" + resource);
      }
      return new Schema.Parser().parse(in);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read schema resource dev/baton/schemas/" + resource, e);
    }
  }
}
