package dev.baton.schemas;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.Objects;
import org.apache.avro.AvroRuntimeException;
import org.apache.avro.Schema;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;

/**
 * Encodes and decodes Baton events in the Confluent wire format: one magic byte {@code 0}, the
 * writer schema id as a 4-byte big-endian int, then the Avro binary encoding of the record
 * (docs.confluent.io/platform/current/schema-registry/fundamentals/serdes-develop/index.html#wire-format).
 *
 * <p>Decoding resolves the writer schema by id and reads it into the reader's (this build's)
 * schema, so fields added later with defaults are filled and unknown fields are skipped.
 * Thread-safe.
 */
public final class EventSerde {

  /** The Confluent wire-format magic byte. */
  public static final byte MAGIC_BYTE = 0;
  /** Bytes before the Avro payload: magic byte + 4-byte schema id. */
  public static final int HEADER_BYTES = 5;

  private final SchemaRegistry registry;

  public EventSerde(SchemaRegistry registry) {
    this.registry = Objects.requireNonNull(registry, "Invalid registry: null");
  }

  /** A serde over the {@link BuiltInSchemaRegistry}. */
  public static EventSerde builtIn() {
    return new EventSerde(BuiltInSchemaRegistry.instance());
  }

  /**
   * Encodes {@code record} for {@code topic}.
   *
   * @return magic byte + schema id + Avro binary
   * @throws UnknownSchemaException if the registry has no id for the record's schema
   */
  public byte[] serialize(String topic, SpecificRecord record) {
    Objects.requireNonNull(record, "Invalid record: null");
    Schema schema = record.getSchema();
    int id = registry.idFor(topic + "-value", schema);
    ByteArrayOutputStream out = new ByteArrayOutputStream(256);
    out.write(MAGIC_BYTE);
    out.writeBytes(ByteBuffer.allocate(4).putInt(id).array());
    BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
    try {
      new SpecificDatumWriter<SpecificRecord>(schema).write(record, encoder);
      encoder.flush();
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot encode " + schema.getFullName(), e);
    }
    return out.toByteArray();
  }

  /**
   * Decodes {@code bytes} into an instance of {@code type}.
   *
   * @throws EventDecodingException if the bytes are null, too short, not Confluent-framed, carry an
   *     unknown schema id, a schema of another record type, or truncated/corrupt Avro
   */
  public <T extends SpecificRecord> T deserialize(byte[] bytes, Class<T> type) {
    Objects.requireNonNull(type, "Invalid type: null");
    Schema writer = writerSchema(bytes);
    int id = schemaId(bytes);
    Schema reader = readerSchema(type);
    if (!writer.getFullName().equals(reader.getFullName())) {
      throw new EventDecodingException(
          "Cannot decode event: schema id " + id + " is " + writer.getFullName()
              + ", expected " + reader.getFullName());
    }
    BinaryDecoder decoder =
        DecoderFactory.get().binaryDecoder(bytes, HEADER_BYTES, bytes.length - HEADER_BYTES, null);
    try {
      T value = new SpecificDatumReader<T>(writer, reader).read(null, decoder);
      if (!decoder.isEnd()) {
        throw new EventDecodingException(
            "Cannot decode event: trailing bytes after " + reader.getName() + " record");
      }
      return value;
    } catch (IOException | AvroRuntimeException | IndexOutOfBoundsException
        | NegativeArraySizeException | ClassCastException e) {
      throw new EventDecodingException(
          "Cannot decode " + reader.getName() + " (schema id " + id + "): " + e, e);
    }
  }

  /**
   * Decodes {@code bytes} into an instance of the generated class of its writer schema (this build's
   * version of that record), whatever the type.
   *
   * @throws EventDecodingException as {@link #deserialize(byte[], Class)}, or if this build has no
   *     generated class for the writer schema's record
   */
  public SpecificRecord deserialize(byte[] bytes) {
    Schema writer = writerSchema(bytes);
    Class<?> type = SpecificData.get().getClass(writer);
    if (type == null || !SpecificRecord.class.isAssignableFrom(type)) {
      throw new EventDecodingException("Cannot decode event: no class for " + writer.getFullName() + " (schema id "
          + schemaId(bytes) + ") in this build");
    }
    return deserialize(bytes, type.asSubclass(SpecificRecord.class));
  }

  /** The writer schema a framed payload names. */
  private Schema writerSchema(byte[] bytes) {
    if (bytes == null) {
      throw new EventDecodingException("Cannot decode event: null payload");
    }
    if (bytes.length < HEADER_BYTES) {
      throw new EventDecodingException(
          "Cannot decode event: " + bytes.length + " bytes is shorter than the 5-byte header");
    }
    if (bytes[0] != MAGIC_BYTE) {
      throw new EventDecodingException(
          "Cannot decode event: unknown magic byte " + bytes[0] + " (expected 0, Confluent framing)");
    }
    return registry.schemaById(schemaId(bytes));
  }

  /** Returns the schema id in a framed payload, or -1 when the bytes are not Confluent-framed. */
  public static int schemaId(byte[] bytes) {
    if (bytes == null || bytes.length < HEADER_BYTES || bytes[0] != MAGIC_BYTE) {
      return -1;
    }
    return ByteBuffer.wrap(bytes, 1, 4).getInt();
  }

  private static Schema readerSchema(Class<? extends SpecificRecord> type) {
    try {
      return (Schema) type.getMethod("getClassSchema").invoke(null);
    } catch (ReflectiveOperationException e) {
      throw new IllegalArgumentException("Cannot read schema of: " + type.getName(), e);
    }
  }
}
