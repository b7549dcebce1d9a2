package dev.strata.ingest.checkpoint;

import dev.strata.ingest.publish.KafkaChunkPublisher;
import dev.strata.ingest.publish.PublishException;
import dev.strata.schema.AvroCodec;
import dev.strata.schema.raw.RawArtifactChunk;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.OutOfOrderSequenceException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.UnsupportedVersionException;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Exactly-once "publish records + advance source positions atomically" for live collectors (node agent, S3 puller).
 *
 * <p>One transactional Kafka producer per collector, {@code transactional.id = strata-collector-<collector id>}:
 * opening a publisher calls {@code initTransactions()}, which fences any older instance with the same id (a zombie
 * after a restart or a network partition) and aborts its open transaction. Each batch is one transaction holding the
 * {@link RawArtifactChunk} records (to {@code evidence.raw.v1}, key = artifact_sha256, as {@link KafkaChunkPublisher})
 * and one checkpoint record per advanced source (to the compacted {@code strata.checkpoints.v1}, see {@link
 * CheckpointRecord}). A consumer with {@code isolation.level=read_committed} sees both or neither.
 *
 * <p>{@link #restore()} reads the checkpoint topic with read_committed up to its end (the last stable offset): that
 * is the authoritative state. An optional local file ({@link CheckpointFile}) is rewritten after each commit, as a
 * cache and for offline inspection only.
 *
 * <pre>{@code
 * try (CheckpointedPublisher p = CheckpointedPublisher.open(bootstrap, kafkaProps, "node-a", Options.defaults())) {
 *   Map<String, Position> start = p.restore();
 *   p.publish(chunks, Map.of("/var/log/x.log", Position.of("offset", 4096L)));
 * }
 * }</pre>
 *
 * Failures: {@link CheckpointFencedException} (another instance took over: stop), {@link PublishException} after
 * the transaction was aborted (nothing of the batch is visible; the caller may retry the same batch from the same
 * positions), {@link PublishException} with {@link #usable()} false when the producer is broken (close and reopen).
 * Not thread-safe: one publishing thread.
 */
public final class CheckpointedPublisher implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(CheckpointedPublisher.class);
  public static final String TRANSACTIONAL_ID_PREFIX = "strata-collector-";
  public static final String CHECKPOINT_TOPIC = "strata.checkpoints.v1";
  /** Kafka header on every chunk: the collector id. */
  public static final String COLLECTOR_HEADER = "strata.collector_id";
  /** Kafka header on chunks added with a source key: the source (checkpoint key) the bytes came from. */
  public static final String SOURCE_KEY_HEADER = "strata.source_key";

  private static final AvroCodec<RawArtifactChunk> CHUNK_CODEC = AvroCodec.of(RawArtifactChunk.class);
  private static final byte[] CHUNK_SCHEMA =
      RawArtifactChunk.getClassSchema().getFullName().getBytes(StandardCharsets.UTF_8);
  private static final AvroCodec<dev.strata.schema.raw.ArtifactManifest> MANIFEST_CODEC =
      AvroCodec.of(dev.strata.schema.raw.ArtifactManifest.class);
  private static final byte[] MANIFEST_SCHEMA = dev.strata.schema.raw.ArtifactManifest.getClassSchema().getFullName()
      .getBytes(StandardCharsets.UTF_8);
  /** Pass-through keys that the restore consumer also gets (connection and security settings). */
  private static final List<String> SHARED_CLIENT_PREFIXES =
      List.of("security.", "ssl.", "sasl.", "client.dns.lookup", "connections.max.idle.ms", "request.timeout.ms",
          "reconnect.backoff", "retry.backoff", "metadata.max.age.ms", "socket.", "default.api.timeout.ms");

  /**
   * @param rawTopic where chunks go
   * @param checkpointTopic the compacted checkpoint topic
   * @param cacheFile local checkpoint file rewritten after each commit, or null
   * @param restoreTimeout how long {@link #restore()} may take
   * @param commitAttempts how many times a timed-out commit is retried before the batch is aborted
   */
  public record Options(
      String rawTopic, String checkpointTopic, Path cacheFile, Duration restoreTimeout, int commitAttempts) {
    public Options {
      Objects.requireNonNull(rawTopic, "rawTopic");
      Objects.requireNonNull(checkpointTopic, "checkpointTopic");
      Objects.requireNonNull(restoreTimeout, "restoreTimeout");
      if (commitAttempts < 1) {
        throw new IllegalArgumentException("commitAttempts must be at least 1, got " + commitAttempts);
      }
    }

    public static Options defaults() {
      return new Options(KafkaChunkPublisher.RAW_TOPIC, CHECKPOINT_TOPIC, null, Duration.ofSeconds(60), 3);
    }

    public Options withCacheFile(Path file) {
      return new Options(rawTopic, checkpointTopic, file, restoreTimeout, commitAttempts);
    }

    public Options withTopics(String raw, String checkpoints) {
      return new Options(raw, checkpoints, cacheFile, restoreTimeout, commitAttempts);
    }
  }

  private final Producer<byte[], byte[]> producer;
  private final Function<String, Consumer<byte[], byte[]>> consumers;
  private final String collectorId;
  private final Options options;
  private final Map<String, Position> positions = new TreeMap<>();
  private Batch open;
  private boolean usable = true;
  private long committedTransactions;
  private long abortedTransactions;
  private long committedChunks;
  private long committedBytes;

  /**
   * Opens the transactional producer and fences older instances of {@code collectorId}.
   *
   * @param passThrough extra Kafka client properties (keys with or without a {@code kafka.} prefix), as for {@link
   *     KafkaChunkPublisher#producerProperties}; connection/security keys are also given to the restore consumer
   */
  public static CheckpointedPublisher open(
      String bootstrapServers, Map<String, ?> passThrough, String collectorId, Options options) {
    CheckpointRecord.requireCollectorId(collectorId);
    Map<String, Object> p = producerProperties(bootstrapServers, passThrough, collectorId);
    Map<String, Object> c = consumerProperties(bootstrapServers, passThrough, collectorId);
    return new CheckpointedPublisher(
        new KafkaProducer<>(p), topic -> new KafkaConsumer<>(c, new ByteArrayDeserializer(), new ByteArrayDeserializer()),
        collectorId, options);
  }

  /** {@link #open(String, Map, String, Options)} with {@link Options#defaults()}. */
  public static CheckpointedPublisher open(String bootstrapServers, Map<String, ?> passThrough, String collectorId) {
    return open(bootstrapServers, passThrough, collectorId, Options.defaults());
  }

  /**
   * With an existing producer (its {@code transactional.id} set) and a consumer factory for restores (tests:
   * {@code MockProducer}/{@code MockConsumer}). Calls {@code initTransactions()}. The publisher closes the producer.
   */
  public CheckpointedPublisher(
      Producer<byte[], byte[]> producer,
      Function<String, Consumer<byte[], byte[]>> consumers,
      String collectorId,
      Options options) {
    this.producer = Objects.requireNonNull(producer, "producer");
    this.consumers = Objects.requireNonNull(consumers, "consumers");
    this.collectorId = CheckpointRecord.requireCollectorId(collectorId);
    this.options = Objects.requireNonNull(options, "options");
    try {
      producer.initTransactions();
    } catch (KafkaException e) {
      usable = false;
      closeQuietly();
      throw new PublishException(
          "cannot initialize transactions for collector " + collectorId + " (transactional.id "
              + transactionalId(collectorId) + "): " + e, e);
    }
  }

  public static String transactionalId(String collectorId) {
    return TRANSACTIONAL_ID_PREFIX + collectorId;
  }

  /** The producer configuration used by {@link #open}: the evidence publisher's, plus the transactional id. */
  public static Map<String, Object> producerProperties(
      String bootstrapServers, Map<String, ?> passThrough, String collectorId) {
    Map<String, Object> p = KafkaChunkPublisher.producerProperties(bootstrapServers, passThrough);
    Object tid = p.get(ProducerConfig.TRANSACTIONAL_ID_CONFIG);
    if (tid != null && !tid.equals(transactionalId(collectorId))) {
      throw new IllegalArgumentException(
          "kafka.transactional.id: derived from the collector id, cannot be set (got '" + tid + "')");
    }
    p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId(collectorId));
    p.putIfAbsent(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, 60_000);
    p.putIfAbsent(ProducerConfig.MAX_BLOCK_MS_CONFIG, 30_000);
    p.put(ProducerConfig.CLIENT_ID_CONFIG, "strata-collector-" + collectorId);
    return p;
  }

  static Map<String, Object> consumerProperties(String bootstrapServers, Map<String, ?> passThrough, String collectorId) {
    Map<String, Object> c = new HashMap<>();
    if (passThrough != null) {
      for (Map.Entry<String, ?> e : passThrough.entrySet()) {
        String key = e.getKey().startsWith("kafka.") ? e.getKey().substring("kafka.".length()) : e.getKey();
        if (SHARED_CLIENT_PREFIXES.stream().anyMatch(key::startsWith)) {
          c.put(key, e.getValue());
        }
      }
    }
    c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, IsolationLevel.READ_COMMITTED.toString());
    c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    c.put(ConsumerConfig.CLIENT_ID_CONFIG, "strata-checkpoint-restore-" + collectorId);
    return c;
  }

  public String collectorId() {
    return collectorId;
  }

  /**
   * Reads this collector's positions from the checkpoint topic (read_committed, to its last stable offset) and makes
   * them the current {@link #positions()}. Writes the local cache file when one is configured.
   *
   * @throws PublishException when the topic cannot be read within the restore timeout, or holds an undecodable value
   */
  public Map<String, Position> restore() {
    Map<String, Position> found = new TreeMap<>();
    long deadline = System.nanoTime() + options.restoreTimeout().toNanos();
    long records = 0;
    try (Consumer<byte[], byte[]> consumer = consumers.apply(options.checkpointTopic())) {
      List<PartitionInfo> infos = consumer.partitionsFor(options.checkpointTopic(), options.restoreTimeout());
      if (infos == null || infos.isEmpty()) {
        throw new PublishException("checkpoint topic " + options.checkpointTopic() + " does not exist", null);
      }
      List<TopicPartition> parts = new ArrayList<>();
      for (PartitionInfo i : infos) {
        parts.add(new TopicPartition(i.topic(), i.partition()));
      }
      consumer.assign(parts);
      consumer.seekToBeginning(parts);
      Map<TopicPartition, Long> end = consumer.endOffsets(parts, options.restoreTimeout());
      while (!reachedEnd(consumer, end)) {
        if (System.nanoTime() > deadline) {
          throw new PublishException("restoring checkpoints of " + collectorId + " from " + options.checkpointTopic()
              + " did not finish within " + options.restoreTimeout(), null);
        }
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
          if (!CheckpointRecord.belongsTo(r.key(), collectorId)) {
            continue;
          }
          records++;
          String source = CheckpointRecord.sourceKey(r.key(), collectorId);
          if (r.value() == null) {
            found.remove(source);
          } else {
            try {
              found.put(source, CheckpointRecord.decode(r.value()));
            } catch (IllegalArgumentException e) {
              throw new PublishException("checkpoint " + r.topic() + "-" + r.partition() + "@" + r.offset()
                  + " (" + source + ") cannot be decoded: " + e.getMessage(), e);
            }
          }
        }
      }
    } catch (KafkaException e) {
      throw new PublishException("restoring checkpoints of " + collectorId + " failed: " + e, e);
    }
    positions.clear();
    positions.putAll(found);
    LOG.info("collector {}: restored {} source positions from {} ({} checkpoint records)", collectorId,
        found.size(), options.checkpointTopic(), records);
    if (options.cacheFile() != null) {
      try {
        Map<String, Position> cached = CheckpointFile.read(options.cacheFile());
        if (!cached.equals(found)) {
          LOG.info("collector {}: local checkpoint file {} differed from the topic ({} vs {} sources); the topic wins",
              collectorId, options.cacheFile(), cached.size(), found.size());
        }
      } catch (IOException | RuntimeException e) {
        LOG.warn("collector {}: local checkpoint file {} unreadable ({}); rewriting it from the topic", collectorId,
            options.cacheFile(), e.toString());
      }
      writeCache();
    }
    return Map.copyOf(found);
  }

  private static boolean reachedEnd(Consumer<byte[], byte[]> consumer, Map<TopicPartition, Long> end) {
    for (Map.Entry<TopicPartition, Long> e : end.entrySet()) {
      if (consumer.position(e.getKey()) < e.getValue()) {
        return false;
      }
    }
    return true;
  }

  /** The current positions: restored, then advanced by every committed batch. */
  public Map<String, Position> positions() {
    return Map.copyOf(positions);
  }

  /** One batch = one transaction: chunks and position changes become visible together at {@link #publish}. */
  public void publish(List<RawArtifactChunk> chunks, Map<String, Position> advanced) {
    publish(chunks, advanced, Set.of());
  }

  /**
   * As {@link #publish(List, Map)}, also forgetting {@code forgotten} sources (tombstones on the checkpoint topic).
   */
  public void publish(List<RawArtifactChunk> chunks, Map<String, Position> advanced, Collection<String> forgotten) {
    try (Batch b = begin()) {
      chunks.forEach(b::add);
      advanced.forEach(b::advance);
      forgotten.forEach(b::forget);
      b.commit();
    }
  }

  /**
   * Starts a transaction. Chunks are sent as they are added (memory stays bounded by the producer's buffer); nothing
   * is visible to read_committed consumers until {@link Batch#commit()}. Closing a batch that was not committed
   * aborts it.
   */
  public Batch begin() {
    requireUsable();
    if (open != null) {
      throw new IllegalStateException("a batch is already open for collector " + collectorId);
    }
    try {
      producer.beginTransaction();
    } catch (ProducerFencedException e) {
      throw fenced(e);
    } catch (KafkaException e) {
      throw broken("cannot begin a transaction", e);
    }
    open = new Batch();
    return open;
  }

  /** False after a fatal error: the producer can only be closed. */
  public boolean usable() {
    return usable;
  }

  public long committedTransactions() {
    return committedTransactions;
  }

  public long abortedTransactions() {
    return abortedTransactions;
  }

  public long committedChunks() {
    return committedChunks;
  }

  public long committedBytes() {
    return committedBytes;
  }

  /** The records of one transaction. */
  public final class Batch implements AutoCloseable {
    private final Map<String, Position> advanced = new LinkedHashMap<>();
    private final List<String> forgotten = new ArrayList<>();
    private int chunks;
    private long bytes;
    private boolean done;

    private Batch() {}

    /** Sends a chunk inside this transaction. */
    public Batch add(RawArtifactChunk chunk) {
      return add(chunk, null);
    }

    /**
     * Sends a chunk inside this transaction, with header {@value #SOURCE_KEY_HEADER} = {@code sourceKey} (which
     * source the bytes were read from, e.g. the file's inode key: the Avro record names the path, not the file).
     */
    public Batch add(RawArtifactChunk chunk, String sourceKey) {
      requireOpen();
      ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(options.rawTopic(), null,
          chunk.getArtifactSha256().getBytes(StandardCharsets.UTF_8), CHUNK_CODEC.encode(chunk));
      record.headers().add(new RecordHeader(KafkaChunkPublisher.SCHEMA_HEADER, CHUNK_SCHEMA));
      record.headers().add(new RecordHeader(COLLECTOR_HEADER, collectorId.getBytes(StandardCharsets.UTF_8)));
      if (sourceKey != null) {
        record.headers().add(new RecordHeader(SOURCE_KEY_HEADER, sourceKey.getBytes(StandardCharsets.UTF_8)));
      }
      send(record, chunk.getOrigin() + " chunk " + chunk.getChunk().getIndex());
      chunks++;
      bytes += chunk.getChunk().getLength();
      return this;
    }

    /**
     * Sends an artifact's chain-of-custody manifest inside this transaction (to {@code evidence.artifacts.v1}, key =
     * artifact_sha256, as {@link KafkaChunkPublisher#publishManifest}), so it is visible exactly when its chunks are.
     */
    public Batch addManifest(dev.strata.schema.raw.ArtifactManifest manifest) {
      requireOpen();
      ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(KafkaChunkPublisher.ARTIFACTS_TOPIC, null,
          manifest.getArtifactSha256().getBytes(StandardCharsets.UTF_8), MANIFEST_CODEC.encode(manifest));
      record.headers().add(new RecordHeader(KafkaChunkPublisher.SCHEMA_HEADER, MANIFEST_SCHEMA));
      send(record, manifest.getOrigin() + " manifest");
      return this;
    }

    /** Records the new position of {@code sourceKey}; sent at commit (the last one per source wins). */
    public Batch advance(String sourceKey, Position position) {
      requireOpen();
      forgotten.remove(sourceKey);
      advanced.put(Objects.requireNonNull(sourceKey, "sourceKey"), Objects.requireNonNull(position, "position"));
      return this;
    }

    /** Forgets {@code sourceKey} (tombstone at commit). */
    public Batch forget(String sourceKey) {
      requireOpen();
      advanced.remove(sourceKey);
      if (!forgotten.contains(sourceKey)) {
        forgotten.add(sourceKey);
      }
      return this;
    }

    public int chunks() {
      return chunks;
    }

    public long bytes() {
      return bytes;
    }

    public boolean isEmpty() {
      return chunks == 0 && advanced.isEmpty() && forgotten.isEmpty();
    }

    /**
     * Sends the checkpoint records and commits. On failure the transaction is aborted (nothing visible) and a
     * {@link PublishException} is thrown.
     */
    public void commit() {
      requireOpen();
      Instant now = Instant.now();
      for (Map.Entry<String, Position> e : advanced.entrySet()) {
        send(new ProducerRecord<>(options.checkpointTopic(), null, CheckpointRecord.key(collectorId, e.getKey()),
            CheckpointRecord.encode(collectorId, e.getKey(), e.getValue(), now)), "checkpoint " + e.getKey());
      }
      for (String f : forgotten) {
        send(new ProducerRecord<>(options.checkpointTopic(), null, CheckpointRecord.key(collectorId, f), null),
            "checkpoint tombstone " + f);
      }
      for (int attempt = 1; ; attempt++) {
        try {
          producer.commitTransaction();
          break;
        } catch (TimeoutException e) {
          if (attempt >= options.commitAttempts()) {
            throw abortAfter("committing timed out " + attempt + " times", e);
          }
          LOG.warn("collector {}: commit timed out (attempt {} of {}), retrying", collectorId, attempt,
              options.commitAttempts());
        } catch (ProducerFencedException e) {
          throw fenced(e);
        } catch (OutOfOrderSequenceException | AuthorizationException | UnsupportedVersionException e) {
          throw broken("commit failed", e);
        } catch (KafkaException e) {
          throw abortAfter("commit failed", e);
        }
      }
      done = true;
      open = null;
      committedTransactions++;
      committedChunks += chunks;
      committedBytes += bytes;
      positions.putAll(advanced);
      forgotten.forEach(positions::remove);
      if (options.cacheFile() != null) {
        writeCache();
      }
    }

    /** Aborts the transaction: nothing of it becomes visible. */
    public void abort() {
      if (done) {
        return;
      }
      done = true;
      open = null;
      if (!usable) {
        return;
      }
      try {
        producer.abortTransaction();
        abortedTransactions++;
      } catch (ProducerFencedException e) {
        throw fenced(e);
      } catch (KafkaException e) {
        throw broken("abort failed", e);
      }
    }

    /** Aborts unless committed. */
    @Override
    public void close() {
      if (!done) {
        abort();
      }
    }

    private void send(ProducerRecord<byte[], byte[]> record, String what) {
      try {
        producer.send(record); // a failed send makes commitTransaction throw: no callback bookkeeping needed
      } catch (ProducerFencedException e) {
        throw fenced(e);
      } catch (KafkaException e) {
        throw abortAfter("cannot send " + what + " to " + record.topic(), e);
      }
    }

    private PublishException abortAfter(String what, KafkaException cause) {
      done = true;
      open = null;
      try {
        producer.abortTransaction();
        abortedTransactions++;
      } catch (ProducerFencedException e) {
        return fenced(e);
      } catch (KafkaException e) {
        return broken(what + ", then abort failed (" + e + ")", cause);
      }
      return new PublishException("collector " + collectorId + ": " + what + "; transaction aborted: " + cause, cause);
    }

    private void requireOpen() {
      if (done) {
        throw new IllegalStateException("batch already committed or aborted");
      }
      requireUsable();
    }
  }

  private CheckpointFencedException fenced(ProducerFencedException e) {
    usable = false;
    open = null;
    return new CheckpointFencedException("collector " + collectorId + " was fenced: another instance opened "
        + transactionalId(collectorId) + "; this one must stop", e);
  }

  private PublishException broken(String what, KafkaException e) {
    usable = false;
    open = null;
    return new PublishException("collector " + collectorId + ": " + what + " (producer unusable, reopen): " + e, e);
  }

  private void requireUsable() {
    if (!usable) {
      throw new PublishException("collector " + collectorId + ": the publisher failed earlier and must be reopened", null);
    }
  }

  private void writeCache() {
    try {
      CheckpointFile.write(options.cacheFile(), collectorId, positions);
    } catch (IOException | RuntimeException e) {
      LOG.warn("collector {}: cannot write the local checkpoint file {}: {}", collectorId, options.cacheFile(),
          e.toString());
    }
  }

  /** Aborts an open batch (if the producer is still usable) and closes the producer. */
  @Override
  public void close() {
    if (open != null) {
      try {
        open.abort();
      } catch (RuntimeException e) {
        LOG.warn("collector {}: aborting the open batch on close failed: {}", collectorId, e.toString());
      }
    }
    closeQuietly();
  }

  private void closeQuietly() {
    try {
      producer.close(Duration.ofSeconds(10));
    } catch (RuntimeException e) {
      LOG.warn("collector {}: closing the producer failed: {}", collectorId, e.toString());
    }
  }
}
