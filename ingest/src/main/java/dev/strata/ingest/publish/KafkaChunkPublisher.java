package dev.strata.ingest.publish;

import dev.strata.schema.AvroCodec;
import dev.strata.schema.raw.ArtifactManifest;
import dev.strata.schema.raw.RawArtifactChunk;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Publishes chunks to {@value #RAW_TOPIC} and manifests to {@value #ARTIFACTS_TOPIC}: key = artifact_sha256 (so all
 * chunks of an artifact land in one partition, in order), value = {@link AvroCodec}-encoded record, header
 * {@value #SCHEMA_HEADER} = the record's full schema name.
 *
 * <p>Idempotent producer, {@code acks=all}: a send error is remembered and fails the next {@link #publish} or
 * {@link #flush} with a {@link PublishException}. Not thread-safe (one collecting thread).
 */
public final class KafkaChunkPublisher implements ChunkPublisher {
  public static final String RAW_TOPIC = "evidence.raw.v1";
  public static final String ARTIFACTS_TOPIC = "evidence.artifacts.v1";
  public static final String SCHEMA_HEADER = "strata.schema";

  /** Producer settings that pass-through properties may not change (they would allow silent loss or break the wire). */
  private static final Set<String> FIXED =
      Set.of(
          ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG,
          ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG,
          ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG,
          ProducerConfig.ACKS_CONFIG);

  private static final AvroCodec<RawArtifactChunk> CHUNK_CODEC = AvroCodec.of(RawArtifactChunk.class);
  private static final AvroCodec<ArtifactManifest> MANIFEST_CODEC = AvroCodec.of(ArtifactManifest.class);
  private static final byte[] CHUNK_SCHEMA =
      RawArtifactChunk.getClassSchema().getFullName().getBytes(StandardCharsets.UTF_8);
  private static final byte[] MANIFEST_SCHEMA =
      ArtifactManifest.getClassSchema().getFullName().getBytes(StandardCharsets.UTF_8);

  private final Producer<byte[], byte[]> producer;
  private final String rawTopic;
  private final String artifactsTopic;
  private final AtomicReference<PublishException> failure = new AtomicReference<>();
  private final AtomicLong acknowledged = new AtomicLong();
  private long sent;

  /**
   * @param bootstrapServers Kafka bootstrap servers
   * @param passThrough extra producer properties (keys with or without a {@code kafka.} prefix); they override the
   *     defaults of {@link #producerProperties}, except serializers, {@code enable.idempotence} and {@code acks}
   */
  public static KafkaChunkPublisher create(String bootstrapServers, Map<String, ?> passThrough) {
    return new KafkaChunkPublisher(
        new KafkaProducer<>(producerProperties(bootstrapServers, passThrough)), RAW_TOPIC, ARTIFACTS_TOPIC);
  }

  /** With an existing producer (tests: {@code MockProducer}) and topic names. The publisher closes it. */
  public KafkaChunkPublisher(Producer<byte[], byte[]> producer, String rawTopic, String artifactsTopic) {
    this.producer = Objects.requireNonNull(producer, "producer");
    this.rawTopic = Objects.requireNonNull(rawTopic, "rawTopic");
    this.artifactsTopic = Objects.requireNonNull(artifactsTopic, "artifactsTopic");
  }

  /** The producer configuration used by {@link #create}. */
  public static Map<String, Object> producerProperties(String bootstrapServers, Map<String, ?> passThrough) {
    if (bootstrapServers == null || bootstrapServers.isBlank()) {
      throw new IllegalArgumentException("kafka.bootstrap.servers: must not be blank");
    }
    Map<String, Object> p = new HashMap<>();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 5);
    p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
    p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 8 * 1024 * 1024);
    p.put(ProducerConfig.LINGER_MS_CONFIG, 20);
    p.put(ProducerConfig.BATCH_SIZE_CONFIG, 1024 * 1024);
    p.put(ProducerConfig.BUFFER_MEMORY_CONFIG, 64L * 1024 * 1024);
    p.put(ProducerConfig.CLIENT_ID_CONFIG, "strata-file-collector");
    if (passThrough != null) {
      for (Map.Entry<String, ?> e : passThrough.entrySet()) {
        String key = e.getKey().startsWith("kafka.") ? e.getKey().substring("kafka.".length()) : e.getKey();
        if (FIXED.contains(key)) {
          String wanted = String.valueOf(e.getValue()).toLowerCase(Locale.ROOT);
          boolean harmless =
              (key.equals(ProducerConfig.ACKS_CONFIG) && (wanted.equals("all") || wanted.equals("-1")))
                  || (key.equals(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG) && wanted.equals("true"));
          if (!harmless) {
            throw new IllegalArgumentException(
                "kafka." + key + ": cannot be changed for the evidence publisher (got '" + e.getValue() + "')");
          }
        }
        p.put(key, e.getValue());
      }
    }
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    return p;
  }

  @Override
  public void publish(RawArtifactChunk chunk) {
    send(rawTopic, chunk.getArtifactSha256(), CHUNK_CODEC.encode(chunk), CHUNK_SCHEMA,
        chunk.getOrigin() + " chunk " + chunk.getChunk().getIndex());
  }

  @Override
  public void publishManifest(ArtifactManifest manifest) {
    send(artifactsTopic, manifest.getArtifactSha256(), MANIFEST_CODEC.encode(manifest), MANIFEST_SCHEMA,
        manifest.getOrigin() + " manifest");
  }

  private void send(String topic, String key, byte[] value, byte[] schema, String what) {
    throwIfFailed();
    ProducerRecord<byte[], byte[]> record =
        new ProducerRecord<>(topic, null, key.getBytes(StandardCharsets.UTF_8), value);
    record.headers().add(new RecordHeader(SCHEMA_HEADER, schema));
    Callback callback =
        (metadata, exception) -> {
          if (exception == null) {
            acknowledged.incrementAndGet();
          } else {
            failure.compareAndSet(
                null,
                new PublishException(
                    "Kafka rejected " + what + " (artifact " + key + ") on topic " + topic + ": " + exception,
                    exception));
          }
        };
    try {
      producer.send(record, callback);
      sent++;
    } catch (RuntimeException e) {
      throw new PublishException("cannot send " + what + " (artifact " + key + ") to topic " + topic + ": " + e, e);
    }
  }

  private void throwIfFailed() {
    PublishException e = failure.get();
    if (e != null) {
      throw e;
    }
  }

  @Override
  public long flush() {
    try {
      producer.flush();
    } catch (RuntimeException e) {
      throw new PublishException("flushing the Kafka producer failed: " + e, e);
    }
    throwIfFailed();
    long acked = acknowledged.get();
    if (acked != sent) {
      throw new PublishException(
          "Kafka acknowledged " + acked + " of " + sent + " records after flush", null);
    }
    return acked;
  }

  /** Records sent so far (acknowledged or not). */
  public long sent() {
    return sent;
  }

  @Override
  public void close() {
    producer.close(Duration.ofSeconds(30));
  }
}
