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

  public static KafkaProducer<byte[], byte[]> producer(String bootstrap) {
    return new KafkaProducer<>(
        Map.of(
            ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
            ProducerConfig.ACKS_CONFIG, "all",
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
    try (KafkaProducer<byte[], byte[]> p = producer(bootstrap)) {
      for (RawArtifactChunk c : chunks) {
        p.send(
            new ProducerRecord<>(topic, c.getArtifactSha256().getBytes(StandardCharsets.UTF_8), codec.encode(c)));
      }
      for (byte[] g : garbage) {
        p.send(new ProducerRecord<>(topic, "garbage".getBytes(StandardCharsets.UTF_8), g));
      }
      p.flush();
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

  /** Everything in {@code topic} up to its current end (read_committed: the last stable offset). */
  public static List<ConsumerRecord<byte[], byte[]>> readAll(String bootstrap, String topic) {
    List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> c = consumer(bootstrap, true)) {
      List<TopicPartition> tps = new ArrayList<>();
      for (PartitionInfo pi : c.partitionsFor(topic)) {
        tps.add(new TopicPartition(topic, pi.partition()));
      }
      c.assign(tps);
      c.seekToBeginning(tps);
      Map<TopicPartition, Long> end = c.endOffsets(tps);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (!reached(c, end)) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("could not read " + topic + " to its end " + end);
        }
        c.poll(Duration.ofMillis(200)).forEach(out::add);
      }
    }
    return out;
  }

  static boolean reached(KafkaConsumer<?, ?> c, Map<TopicPartition, Long> end) {
    for (Map.Entry<TopicPartition, Long> e : end.entrySet()) {
      if (c.position(e.getKey()) < e.getValue()) {
        return false;
      }
    }
    return true;
  }
}
