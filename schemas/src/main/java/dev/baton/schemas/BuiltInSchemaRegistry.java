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
 * <p>Ids: 1 = {@code ObjectCreated} v1, 2 = {@code ControlEvent} v1, 3 = {@code Alert} v1, 4 =
 * {@code ControlEvent} v2 (adds resume and cancel requests; what this build writes). Old versions
 * are kept as schema files under {@code dev/baton/schemas/history/} and every current schema must
 * be able to read data written with each of them (BACKWARD compatibility, checked by the build's
 * tests with Avro's {@link org.apache.avro.SchemaCompatibility}).
 */
public final class BuiltInSchemaRegistry implements SchemaRegistry {

  /** Id of the first {@link ObjectCreated} schema. */
  public static final int OBJECT_CREATED_V1 = 1;
  /** Id of the first {@link ControlEvent} schema. */
  public static final int CONTROL_EVENT_V1 = 2;
  /** Id of the first {@link Alert} schema. */
  public static final int ALERT_V1 = 3;
  /** Id of the second {@link ControlEvent} schema (the one this build writes). */
  public static final int CONTROL_EVENT_V2 = 4;

  private static final BuiltInSchemaRegistry INSTANCE = new BuiltInSchemaRegistry();

  private final Map<Integer, Schema> schemasById =
      Map.of(
          OBJECT_CREATED_V1, ObjectCreated.getClassSchema(),
          CONTROL_EVENT_V1, historic("ControlEvent-v1.avsc"),
          ALERT_V1, Alert.getClassSchema(),
          CONTROL_EVENT_V2, ControlEvent.getClassSchema());

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

  /** Every id with its schema, for compatibility checks. */
  public Map<Integer, Schema> all() {
    return schemasById;
  }

  /** A superseded schema version kept under {@code dev/baton/schemas/history/}. */
  static Schema historic(String file) {
    String resource = "history/" + file;
    try (java.io.InputStream in = BuiltInSchemaRegistry.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("Cannot find schema resource dev/baton/schemas/" + resource);
      }
      return new Schema.Parser().parse(in);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException("Cannot read schema resource dev/baton/schemas/" + resource, e);
    }
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
