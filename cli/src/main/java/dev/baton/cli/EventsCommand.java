package dev.baton.cli;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.baton.schemas.BuiltInSchemaRegistry;
import dev.baton.schemas.EventDecodingException;
import dev.baton.schemas.EventSerde;
import dev.baton.schemas.SchemaRegistries;
import dev.baton.schemas.SchemaRegistry;
import dev.baton.schemas.Topics;
import dev.baton.schemas.event.Alert;
import dev.baton.schemas.event.ControlEvent;
import dev.baton.schemas.event.ObjectCreated;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code baton events tail|publish}: reads and writes Baton's Avro events as readable JSON (the
 * shape is {@link EventJson}'s), for people who produce events or debug what is on a topic.
 *
 * <p>Kafka: {@code --bootstrap-servers} when given, otherwise the {@code kafka.*} settings of the
 * configuration ({@code --config}), or the local stack of the workspace ({@code BATON_HOME}),
 * started if it is not running, as every other command does. Schemas: the
 * {@link BuiltInSchemaRegistry}.
 */
@Command(name = "events", mixinStandardHelpOptions = true,
    description = "Print the events of a topic as JSON, or publish events written as JSON.",
    subcommands = {EventsCommand.Tail.class, EventsCommand.Publish.class})
final class EventsCommand {

  private static final ObjectMapper JSON = new ObjectMapper().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  /** Exit code of user errors: bad input file, unknown topic or type. */
  static final int USER_ERROR = 2;
  /** Exit code when Kafka did not acknowledge every record ({@link BatonCli#NOT_AUTHORIZED} when it refused the principal). */
  static final int SEND_FAILED = 1;

  /** Which Kafka to use; shared by the subcommands. */
  static class KafkaOptions {
    @Option(names = "--bootstrap-servers", paramLabel = "HOST:PORT[,...]",
        description = "Kafka to use, without security settings (default: the kafka.* settings of --config, or the local"
            + " stack of the workspace, started if it is not running).")
    String bootstrapServers;

    private Map<String, String> configuration;

    /** Kafka client settings: {@code --bootstrap-servers}, else the {@code kafka.*} settings of the configuration. */
    Map<String, Object> settings() {
      if (bootstrapServers != null && !bootstrapServers.isBlank()) {
        return new HashMap<>(Map.of("bootstrap.servers", bootstrapServers));
      }
      return new HashMap<>(LocalServices.kafkaSettings(configuration()));
    }

    /** The schema registry: the built-in one with {@code --bootstrap-servers}, else the configuration's. */
    SchemaRegistry registry() {
      if (bootstrapServers != null && !bootstrapServers.isBlank()) {
        return BuiltInSchemaRegistry.instance();
      }
      return SchemaRegistries.fromConfig(configuration());
    }

    /** The configuration's values; empty with {@code --bootstrap-servers}, which takes none. */
    Map<String, String> configurationValues() {
      return bootstrapServers != null && !bootstrapServers.isBlank() ? Map.of() : configuration();
    }

    private Map<String, String> configuration() {
      if (configuration == null) {
        configuration = BatonCli.configuration(System.err).values();
      }
      return configuration;
    }
  }

  /**
   * {@code baton events tail TOPIC}: one line per record. With {@code --format json} (default) each
   * line is an object:
   *
   * <pre>{@code
   * {"topic": "baton.objects", "partition": 0, "offset": 17, "key": "landing/a.tbl",
   *  "timestamp": "2026-01-02T03:04:05.123Z", "headers": {"h": "v"},
   *  "schemaId": 1, "type": "dev.baton.schemas.event.ObjectCreated", "value": {...}}
   * }</pre>
   *
   * <p>{@code headers} only when the record has some (values as UTF-8; a key sent more than once
   * maps to an array); {@code key} and {@code timestamp} may be null. A value that cannot be
   * decoded (not Confluent-framed, unknown schema id, corrupt Avro) does not stop the tail: its line
   * has {@code "error": "<reason>"} and {@code "valueBase64"} instead of {@code type} and {@code
   * value} (plus {@code schemaId} when the framing names one). A null value (tombstone) has
   * {@code "value": null}.
   *
   * <p>Reads without a consumer group: assigns every partition and commits nothing, so a tail never
   * disturbs other consumers. Starts at the end unless {@code --from-beginning}; stops after
   * {@code --max} records, after {@code --timeout-ms} without a record, or on Ctrl-C (by default it
   * follows the topic until interrupted). Exit code 0; 2 if the topic does not exist or an option is
   * invalid; 1 if Kafka cannot be reached (within 15 s unless {@code default.api.timeout.ms} says otherwise).
   */
  @Command(name = "tail", mixinStandardHelpOptions = true,
      description = {"Print a topic's records, one per line, values decoded to readable JSON.",
          "Starts at the end unless --from-beginning; follows the topic until Ctrl-C unless --max or --timeout-ms.",
          "Records that cannot be decoded are printed with an \"error\" and their bytes in Base64; the tail goes on."})
  static final class Tail implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "TOPIC", description = "Topic, e.g. baton.objects, baton.control, baton.dlq.")
    String topic;

    @Option(names = "--from-beginning", description = "Start at the first record of each partition (default: the end).")
    boolean fromBeginning;

    @Option(names = "--max", paramLabel = "N", description = "Stop after N records.")
    Integer max;

    @Option(names = "--timeout-ms", paramLabel = "MS",
        description = "Stop after MS milliseconds without a record (default: wait for records until Ctrl-C).")
    Long timeoutMs;

    @Option(names = "--format", defaultValue = "json",
        description = "json (one object per line, default) or text (one compact line per record).")
    String format;

    @Mixin
    KafkaOptions kafka = new KafkaOptions();

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
      PrintWriter out = spec.commandLine().getOut();
      PrintWriter err = spec.commandLine().getErr();
      if (!format.equals("json") && !format.equals("text")) {
        err.println("Cannot tail " + topic + ": unknown format '" + format + "' (json or text)");
        return USER_ERROR;
      }
      if (max != null && max < 1 || timeoutMs != null && timeoutMs < 0) {
        err.println("Cannot tail " + topic + ": --max must be at least 1 and --timeout-ms not negative");
        return USER_ERROR;
      }
      Map<String, Object> config = kafka.settings();
      config.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
      config.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
      config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
      config.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
      config.put(ConsumerConfig.CLIENT_ID_CONFIG, "baton-events-tail");
      config.putIfAbsent(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 15_000); // an unreachable broker fails in 15 s, not 60
      config.remove(ConsumerConfig.GROUP_ID_CONFIG);
      Decoder decoder = new Decoder(kafka.registry());
      CountDownLatch finished = new CountDownLatch(1);
      try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(config)) {
        // Ctrl-C: wake the poll, then let the loop flush what it printed before the JVM exits
        Thread hook = new Thread(() -> {
          consumer.wakeup();
          awaitQuietly(finished);
        }, "baton-events-tail-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
          List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
              .map(info -> new TopicPartition(info.topic(), info.partition())).toList();
          if (partitions.isEmpty()) {
            err.println("Cannot tail " + topic + ": no such topic");
            return USER_ERROR;
          }
          consumer.assign(partitions);
          if (fromBeginning) {
            consumer.seekToBeginning(partitions);
          } else {
            consumer.seekToEnd(partitions);
          }
          partitions.forEach(consumer::position); // fix the start now, not at the first poll
          int printed = 0;
          long lastRecord = System.nanoTime();
          while (max == null || printed < max) {
            var records = consumer.poll(Duration.ofMillis(200));
            for (ConsumerRecord<byte[], byte[]> record : records) {
              ObjectNode line = decoder.line(record);
              out.println(format.equals("json") ? line.toString() : text(line));
              if (max != null && ++printed >= max) {
                break;
              }
            }
            out.flush();
            if (!records.isEmpty()) {
              lastRecord = System.nanoTime();
            } else if (timeoutMs != null && System.nanoTime() - lastRecord >= TimeUnit.MILLISECONDS.toNanos(timeoutMs)) {
              break;
            }
          }
          return 0;
        } catch (WakeupException e) {
          return 0;
        } catch (org.apache.kafka.common.KafkaException e) {
          err.println("Cannot tail " + topic + ": " + e);
          return 1;
        } finally {
          out.flush();
          finished.countDown();
          try {
            Runtime.getRuntime().removeShutdownHook(hook);
          } catch (IllegalStateException e) {
            // the JVM is shutting down (Ctrl-C): the hook is running
          }
        }
      }
    }

    private static void awaitQuietly(CountDownLatch latch) {
      try {
        latch.await(5, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }

    /**
     * A line for people: {@code <timestamp> <topic>/<partition>@<offset> key=<key> <Type> <value>},
     * or {@code ... ERROR <reason> (<n> bytes)}, then {@code headers=<json>} when there are headers.
     */
    static String text(ObjectNode line) {
      StringBuilder text = new StringBuilder()
          .append(line.path("timestamp").asText("-")).append(' ')
          .append(line.get("topic").asText()).append('/').append(line.get("partition").asInt())
          .append('@').append(line.get("offset").asLong())
          .append(" key=").append(line.get("key").isNull() ? "-" : line.get("key").asText());
      if (line.has("error")) {
        text.append(" ERROR ").append(line.get("error").asText()).append(" (")
            .append(line.get("valueBase64").isNull() ? 0 : Base64.getDecoder().decode(line.get("valueBase64").asText()).length)
            .append(" bytes)");
      } else if (line.get("value").isNull()) {
        text.append(" null");
      } else {
        String type = line.get("type").asText();
        text.append(' ').append(type.substring(type.lastIndexOf('.') + 1)).append(' ').append(line.get("value"));
      }
      if (line.has("headers")) {
        text.append(" headers=").append(line.get("headers"));
      }
      return text.toString();
    }
  }

  /** Turns consumed records into tail's JSON lines. */
  static final class Decoder {
    private final EventSerde serde;

    Decoder(SchemaRegistry registry) {
      this.serde = new EventSerde(registry);
    }

    /** Tail's line for {@code record} (see {@link Tail}); never throws for undecodable values. */
    ObjectNode line(ConsumerRecord<byte[], byte[]> record) {
      ObjectNode line = NODES.objectNode();
      line.put("topic", record.topic());
      line.put("partition", record.partition());
      line.put("offset", record.offset());
      line.put("key", record.key() == null ? null : new String(record.key(), StandardCharsets.UTF_8));
      line.put("timestamp", record.timestamp() < 0 ? null : Instant.ofEpochMilli(record.timestamp()).toString());
      ObjectNode headers = headers(record.headers());
      if (headers != null) {
        line.set("headers", headers);
      }
      byte[] bytes = record.value();
      if (bytes == null) {
        line.putNull("value");
        return line;
      }
      int schemaId = EventSerde.schemaId(bytes);
      try {
        SpecificRecord value = serde.deserialize(bytes);
        line.put("schemaId", schemaId);
        line.put("type", value.getSchema().getFullName());
        line.set("value", EventJson.toJson(value));
      } catch (EventDecodingException e) {
        if (schemaId >= 0) {
          line.put("schemaId", schemaId);
        }
        line.put("error", e.getMessage());
        line.put("valueBase64", Base64.getEncoder().encodeToString(bytes));
      }
      return line;
    }

    private static ObjectNode headers(Iterable<Header> headers) {
      ObjectNode object = null;
      for (Header header : headers) {
        object = object == null ? NODES.objectNode() : object;
        JsonNode value = header.value() == null ? NODES.nullNode()
            : NODES.textNode(new String(header.value(), StandardCharsets.UTF_8));
        JsonNode previous = object.get(header.key());
        if (previous == null) {
          object.set(header.key(), value);
        } else if (previous.isArray()) {
          ((ArrayNode) previous).add(value);
        } else {
          object.set(header.key(), NODES.arrayNode().add(previous).add(value));
        }
      }
      return object;
    }
  }

  /**
   * {@code baton events publish TOPIC --json FILE}: sends the events of FILE, encoded as Avro in the
   * Confluent wire format, and prints one line per record, {@code {"topic": ..., "partition": ...,
   * "offset": ..., "key": ...}}, once Kafka acknowledged it ({@code acks=all}).
   *
   * <p>FILE holds one JSON object, a JSON array of objects, or objects one after the other (e.g.
   * JSON Lines). Each object is an event in the shape of tail's {@code value}; a whole line printed
   * by {@code events tail --format json} is accepted too, so a tail's output can be published again
   * (its {@code value} is sent, under its {@code key}; its headers are not). The event type is the
   * topic's ({@code baton.objects}: ObjectCreated, {@code baton.control}: ControlEvent, {@code
   * baton.alerts}: Alert), else {@code --type}. The key is {@code --key}, else the tail line's
   * key, else {@code bucket/key} for ObjectCreated and {@code runId} for ControlEvent and Alert,
   * else none.
   *
   * <p>Every record is validated and encoded before the first is sent: invalid input prints every
   * error as {@code record <n>: <field path>: <reason>} (e.g. {@code record 2: value.payload.stage:
   * missing}), sends nothing and exits 2. Exit code 1 if Kafka did not acknowledge every record
   * (the lines printed say which were).
   */
  @Command(name = "publish", mixinStandardHelpOptions = true,
      description = {"Publish events written as JSON (tail's \"value\" shape, or whole tail lines) as Avro.",
          "FILE: one object, an array of objects, or one object per line. Nothing is sent unless every record is valid."})
  static final class Publish implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "TOPIC", description = "Topic, e.g. baton.objects or baton.control.")
    String topic;

    @Option(names = "--json", paramLabel = "FILE", required = true, description = "The events, as JSON.")
    Path file;

    @Option(names = "--key", description = "Kafka key of every record (default: bucket/key for ObjectCreated,"
        + " runId for ControlEvent and Alert).")
    String key;

    @Option(names = "--type", paramLabel = "CLASS", description = "Event type, a generated class name such as"
        + " dev.baton.schemas.event.ObjectCreated or just ObjectCreated (default: the topic's type).")
    String type;

    @Mixin
    KafkaOptions kafka = new KafkaOptions();

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws InterruptedException {
      PrintWriter out = spec.commandLine().getOut();
      PrintWriter err = spec.commandLine().getErr();
      Schema schema;
      List<JsonNode> inputs;
      try {
        schema = eventSchema(topic, type);
        inputs = read(file);
      } catch (IllegalArgumentException e) {
        err.println(e.getMessage());
        return USER_ERROR;
      }
      List<ProducerRecord<String, byte[]>> records;
      try {
        records = encode(topic, schema, inputs, key, new EventSerde(kafka.registry()));
      } catch (InvalidEventJsonException e) {
        err.println("Cannot publish " + file + ": nothing sent");
        e.errors().forEach(err::println);
        return USER_ERROR;
      }
      Map<String, Object> config = kafka.settings();
      config.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
      config.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
      config.put(ProducerConfig.ACKS_CONFIG, "all");
      config.put(ProducerConfig.CLIENT_ID_CONFIG, "baton-events-publish");
      // an unreachable broker or missing topic fails in 15 s, an unacknowledged record in 30 s (not 60 s / 2 min)
      config.putIfAbsent(ProducerConfig.MAX_BLOCK_MS_CONFIG, 15_000);
      config.putIfAbsent(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 15_000);
      config.putIfAbsent(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 30_000);
      int failed = 0;
      boolean refused = false;
      try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(config)) {
        List<Future<RecordMetadata>> sent = new ArrayList<>();
        for (ProducerRecord<String, byte[]> record : records) {
          sent.add(producer.send(record));
        }
        producer.flush();
        for (int i = 0; i < sent.size(); i++) {
          try {
            RecordMetadata metadata = sent.get(i).get();
            ObjectNode line = NODES.objectNode();
            line.put("topic", metadata.topic());
            line.put("partition", metadata.partition());
            line.put("offset", metadata.offset());
            line.put("key", records.get(i).key());
            out.println(line);
          } catch (ExecutionException e) {
            failed++;
            refused |= e.getCause() instanceof org.apache.kafka.common.errors.AuthorizationException
                || e.getCause() instanceof org.apache.kafka.common.errors.AuthenticationException;
            err.println("record " + (i + 1) + ": not acknowledged: " + e.getCause());
          }
        }
      } catch (org.apache.kafka.common.KafkaException e) {
        err.println("Cannot publish to " + topic + ": " + e);
        return SEND_FAILED;
      } finally {
        out.flush();
      }
      return failed == 0 ? 0 : refused ? BatonCli.NOT_AUTHORIZED : SEND_FAILED;
    }
  }

  /**
   * The Avro schema of the events to publish on {@code topic}: {@code type} (a generated class
   * name, or its simple name in {@code dev.baton.schemas.event}) when given, else the topic's.
   *
   * @throws IllegalArgumentException if the type is unknown, or absent for a topic without a type
   */
  static Schema eventSchema(String topic, String type) {
    if (type == null) {
      switch (topic) {
        case Topics.OBJECTS:
          return ObjectCreated.getClassSchema();
        case Topics.CONTROL:
          return ControlEvent.getClassSchema();
        case Topics.ALERTS:
          return Alert.getClassSchema();
        default:
          throw new IllegalArgumentException("Cannot publish to " + topic + ": no default event type; give --type,"
              + " e.g. --type ObjectCreated");
      }
    }
    String name = type.contains(".") ? type : ObjectCreated.class.getPackageName() + "." + type;
    try {
      Class<?> cls = Class.forName(name);
      if (SpecificRecord.class.isAssignableFrom(cls)) {
        return SpecificData.get().getSchema(cls);
      }
    } catch (ClassNotFoundException e) {
      // reported below
    }
    throw new IllegalArgumentException("Cannot publish events of type " + type + ": not a generated Avro record class");
  }

  /**
   * The JSON values of {@code file}: one object, the elements of one array, or a sequence of objects.
   *
   * @throws IllegalArgumentException if the file cannot be read, is not JSON, or holds no event
   */
  static List<JsonNode> read(Path file) {
    List<JsonNode> values = new ArrayList<>();
    try (MappingIterator<JsonNode> iterator = JSON.readerFor(JsonNode.class).readValues(file.toFile())) {
      while (iterator.hasNextValue()) {
        values.add(iterator.nextValue());
      }
    } catch (JsonProcessingException e) {
      var location = e.getLocation();
      throw new IllegalArgumentException("Cannot read " + file + ": invalid JSON: " + e.getOriginalMessage()
          + (location == null ? "" : " (line " + location.getLineNr() + ", column " + location.getColumnNr() + ")"), e);
    } catch (IOException e) {
      throw new IllegalArgumentException("Cannot read " + file + ": " + e, e);
    }
    if (values.size() == 1 && values.get(0).isArray()) {
      List<JsonNode> elements = new ArrayList<>();
      values.get(0).forEach(elements::add);
      values = elements;
    }
    if (values.isEmpty()) {
      throw new IllegalArgumentException("Cannot read " + file + ": no event in it");
    }
    return values;
  }

  /**
   * Converts and encodes every input, or none.
   *
   * @throws InvalidEventJsonException with every error of every record, each prefixed {@code record <n>: }
   */
  static List<ProducerRecord<String, byte[]>> encode(String topic, Schema schema, List<JsonNode> inputs, String key,
      EventSerde serde) {
    List<String> errors = new ArrayList<>();
    List<ProducerRecord<String, byte[]>> records = new ArrayList<>();
    for (int i = 0; i < inputs.size(); i++) {
      String prefix = "record " + (i + 1) + ": ";
      JsonNode input = inputs.get(i);
      JsonNode value = input;
      String recordKey = key;
      if (isTailLine(input)) {
        if (input.hasNonNull("error")) {
          errors.add(prefix + "a record tail could not decode (" + input.get("error").asText() + ")");
          continue;
        }
        if (input.hasNonNull("type") && !input.get("type").asText().equals(schema.getFullName())) {
          errors.add(prefix + "type: " + input.get("type").asText() + " is not " + schema.getFullName());
          continue;
        }
        value = input.get("value");
        if (recordKey == null && input.hasNonNull("key")) {
          recordKey = input.get("key").asText();
        }
      }
      try {
        SpecificRecord event = EventJson.fromJson(value == null ? NODES.nullNode() : value, schema, "value");
        records.add(new ProducerRecord<>(topic, recordKey != null ? recordKey : defaultKey(event),
            serde.serialize(topic, event)));
      } catch (InvalidEventJsonException e) {
        e.errors().forEach(error -> errors.add(prefix + error));
      } catch (EventDecodingException e) { // no schema id for the type
        errors.add(prefix + e.getMessage());
      }
    }
    if (!errors.isEmpty()) {
      throw new InvalidEventJsonException(errors);
    }
    return records;
  }

  /** A line printed by {@code events tail --format json} rather than an event. */
  private static boolean isTailLine(JsonNode input) {
    return input.isObject() && input.has("topic") && input.has("partition") && input.has("offset")
        && (input.has("value") || input.has("error"));
  }

  /** {@code bucket/key} for ObjectCreated, {@code runId} for ControlEvent and Alert, else null. */
  static String defaultKey(SpecificRecord event) {
    if (event instanceof ObjectCreated object) {
      return object.getBucket() + "/" + object.getKey();
    }
    if (event instanceof ControlEvent control) {
      return control.getRunId();
    }
    if (event instanceof Alert alert) {
      return alert.getRunId();
    }
    return null;
  }
}
