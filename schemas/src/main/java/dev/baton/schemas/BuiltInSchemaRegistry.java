package dev.baton.schemas;

import dev.baton.schemas.event.Alert;
import dev.baton.schemas.event.ControlEvent;
import dev.baton.schemas.event.ObjectCreated;
import java.util.Map;
import java.util.Objects;
import org.apache.avro.Schema;

/**
 * The schemas bundled with this build under fixed ids, so producers and consumers on the local
 * stack agree without a registry server. Ids are never reused: a new version of a schema gets a
 * new id and the old id keeps resolving to the old schema.
 *
 * <p>Ids: 1 = {@code ObjectCreated} v1, 2 = {@code ControlEvent} v1, 3 = {@code Alert} v1.
 */
public final class BuiltInSchemaRegistry implements SchemaRegistry {

  /** Id of the first {@link ObjectCreated} schema. */
  public static final int OBJECT_CREATED_V1 = 1;
  /** Id of the first {@link ControlEvent} schema. */
  public static final int CONTROL_EVENT_V1 = 2;
  /** Id of the first {@link Alert} schema. */
  public static final int ALERT_V1 = 3;

  private static final BuiltInSchemaRegistry INSTANCE = new BuiltInSchemaRegistry();

  private final Map<Integer, Schema> schemasById =
      Map.of(
          OBJECT_CREATED_V1, ObjectCreated.getClassSchema(),
          CONTROL_EVENT_V1, ControlEvent.getClassSchema(),
          ALERT_V1, Alert.getClassSchema());

  private BuiltInSchemaRegistry() {}

  /** Returns the shared instance. */
  public static BuiltInSchemaRegistry instance() {
    return INSTANCE;
  }

  @Override
  public int idFor(String subject, Schema schema) {
    Objects.requireNonNull(schema, "Invalid schema: null");
    for (Map.Entry<Integer, Schema> entry : schemasById.entrySet()) {
      if (entry.getValue().equals(schema)) {
        return entry.getKey();
      }
    }
    throw new UnknownSchemaException("Cannot find built-in schema id for: " + schema.getFullName());
  }

  @Override
  public Schema schemaById(int id) {
    Schema schema = schemasById.get(id);
    if (schema == null) {
      throw new UnknownSchemaException("Unknown schema id: " + id);
    }
    return schema;
  }
}
