package dev.strata.job.testing;

import dev.strata.schema.AvroCodec;
import dev.strata.schema.raw.RawArtifactChunk;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/** Plain Kafka clients for integration tests and the benchmark. */
public final class KafkaTestSupport {
  private KafkaTestSupport() {}

  /** Creates topics like {@code Topics.ensure} does (8 MiB records), with the given partitions. */
  public static void createTopics(String bootstrap, int partitions, String... names) throws Exception {
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
      List<NewTopic> topics = new ArrayList<>();
      for (String n : names) {
        topics.add(
            new NewTopic(n, partitions, (short) 1)
                .configs(Map.of("max.message.bytes", Integer.toString(8 * 1024 * 1024))));
      }
      admin.createTopics(topics).all().get(60, TimeUnit.SECONDS);
    }
  }

  /**
   * An idempotent producer with one request in flight per connection. Tests produce into topics created a moment
   * before, and with several requests in flight a request that meets the partition before the broker has applied its
   * creation fails (NOT_LEADER_OR_FOLLOWER) while the next one is appended; every retry of the first then fails with
   * OUT_OF_ORDER_SEQUENCE_NUMBER until the delivery timeout drops its records (KAFKA-15591; seen here with
   * kafka-clients 4.2 and a 4.4 broker: CorrelateJobIT lost 8 of its 25 input events about once in 25 runs). One
   * request in flight cannot be overtaken.
   */
  public static KafkaProducer<byte[], byte[]> producer(String bootstrap) {
    return new KafkaProducer<>(
        Map.of(
            ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
            ProducerConfig.ACKS_CONFIG, "all",
            ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, "1",
            ProducerConfig.MAX_REQUEST_SIZE_CONFIG, Integer.toString(8 * 1024 * 1024),
            ProducerConfig.BATCH_SIZE_CONFIG, Integer.toString(1024 * 1024),
            ProducerConfig.LINGER_MS_CONFIG, "5",
            ProducerConfig.BUFFER_MEMORY_CONFIG, Long.toString(64L * 1024 * 1024)),
        new ByteArraySerializer(),
        new ByteArraySerializer());
  }

  /** Publishes chunks as the collector does: key = artifact_sha256, value = Avro wire format. */
  public static void publish(String bootstrap, String topic, List<RawArtifactChunk> chunks, byte[]... garbage)
      throws Exception {
    AvroCodec<RawArtifactChunk> codec = AvroCodec.of(RawArtifactChunk.class);
    List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
    for (RawArtifactChunk c : chunks) {
      records.add(
          new ProducerRecord<>(topic, c.getArtifactSha256().getBytes(StandardCharsets.UTF_8), codec.encode(c)));
    }
    for (byte[] g : garbage) {
      records.add(new ProducerRecord<>(topic, "garbage".getBytes(StandardCharsets.UTF_8), g));
    }
    send(bootstrap, records);
  }

  /**
   * Sends {@code records} and waits until the broker has acknowledged every one of them: a send that fails fails the
   * test here, not later as events missing from a job's output.
   */
  public static void send(String bootstrap, List<ProducerRecord<byte[], byte[]>> records) throws Exception {
    List<java.util.concurrent.Future<?>> acks = new ArrayList<>(records.size());
    try (KafkaProducer<byte[], byte[]> p = producer(bootstrap)) {
      for (ProducerRecord<byte[], byte[]> r : records) acks.add(p.send(r));
      p.flush();
      for (java.util.concurrent.Future<?> a : acks) a.get(60, TimeUnit.SECONDS);
    }
  }

  public static KafkaConsumer<byte[], byte[]> consumer(String bootstrap, boolean readCommitted) {
    return new KafkaConsumer<>(
        Map.of(
            ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
            ConsumerConfig.ISOLATION_LEVEL_CONFIG, readCommitted ? "read_committed" : "read_uncommitted",
            ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false",
            ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, Integer.toString(8 * 1024 * 1024),
            ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "10000"),
        new ByteArrayDeserializer(),
        new ByteArrayDeserializer());
  }

  /**
   * Everything committed in {@code topic} (read_committed), once no transaction on it is open any more.
   *
   * <p>A read_committed consumer's end offsets are the last stable offset, which stops at the first record of a
   * transaction whose commit marker is not written yet. {@code KafkaProducer.commitTransaction()} returns when the
   * coordinator has logged the commit, before it writes the markers to the partitions, so right after a job that
   * committed its last transaction (the exactly-once sink at the end of a bounded input) the stable offset can
   * still lag and a reader stopping there misses that transaction's records.
   * This reads until its position passes the high watermark (every record written, including the markers): that
   * holds exactly when every transaction is committed or aborted and read; fails after 60 s if one stays open.
   */
  public static List<ConsumerRecord<byte[], byte[]>> readAll(String bootstrap, String topic) {
    List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> c = consumer(bootstrap, true)) {
      List<TopicPartition> tps = new ArrayList<>();
      for (PartitionInfo pi : c.partitionsFor(topic)) {
        tps.add(new TopicPartition(topic, pi.partition()));
      }
      c.assign(tps);
      c.seekToBeginning(tps);
      Map<TopicPartition, Long> end = highWatermarks(bootstrap, tps);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (!reached(c, end)) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("could not read " + topic + " to its end " + end
              + " (a transaction is still open)");
        }
        c.poll(Duration.ofMillis(200)).forEach(out::add);
      }
    }
    return out;
  }

  /** The partitions' high watermarks: every record written, committed or not (read_uncommitted end offsets). */
  static Map<TopicPartition, Long> highWatermarks(String bootstrap, List<TopicPartition> tps) {
    try (KafkaConsumer<byte[], byte[]> c = consumer(bootstrap, false)) {
      return c.endOffsets(tps);
    }
  }

  public static boolean reached(KafkaConsumer<?, ?> c, Map<TopicPartition, Long> end) {
    for (Map.Entry<TopicPartition, Long> e : end.entrySet()) {
      if (c.position(e.getKey()) < e.getValue()) {
        return false;
      }
    }
    return true;
  }
}
