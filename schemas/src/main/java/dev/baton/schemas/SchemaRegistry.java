package dev.baton.schemas;

import org.apache.avro.Schema;

/**
 * Resolves Avro schemas to the 4-byte ids carried in Confluent-framed messages, and back.
 *
 * <p>Implementations: {@link BuiltInSchemaRegistry} (the bundled schemas with fixed ids, for the
 * local stack and tests); {@link ConfluentSchemaRegistry} (a Confluent-REST-compatible client for
 * shared registries), which may also throw {@link SchemaRegistryException} when the registry
 * cannot answer.
 */
public interface SchemaRegistry {

  /**
   * Returns the id under which {@code schema} is registered for {@code subject}.
   *
   * @param subject registry subject, by convention {@code <topic>-value}
   * @param schema the writer schema
   * @return the schema id, a non-negative int
   * @throws UnknownSchemaException if the schema is not registered and cannot be registered
   * @throws SchemaRegistryException if a remote registry refuses the schema or cannot answer
   */
  int idFor(String subject, Schema schema);

  /**
   * Returns the schema registered under {@code id}.
   *
   * @throws UnknownSchemaException if no schema has that id
   * @throws SchemaRegistryException if a remote registry cannot answer
   */
  Schema schemaById(int id);
}
