package dev.strata.ingest.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.infra.StackEndpoints;
import dev.strata.infra.Topics;
import dev.strata.infra.testing.SharedStack;
import dev.strata.schema.AvroCodec;
import dev.strata.schema.raw.RawArtifactChunk;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Transactions on the real (embedded) Kafka: commit shows chunks and positions together, abort shows nothing, zombies are fenced. */
@ExtendWith(SharedStack.class)
class CheckpointedPublisherIT {
  private static final AvroCodec<RawArtifactChunk> CHUNKS = AvroCodec.of(RawArtifactChunk.class);

  @Test
  void commitAbortAndFencing(StackEndpoints stack) throws Exception {
    Topics.ensure(stack.kafkaBootstrap(), 2);
    String id = "it-" + UUID.randomUUID().toString().substring(0, 8);
    String sha1 = "c1-" + id;
    String sha2 = "c2-" + id;
    String sha3 = "c3-" + id;
    String sha4 = "c4-" + id;

    try (CheckpointedPublisher a = CheckpointedPublisher.open(stack.kafkaBootstrap(), Map.of(), id)) {
      assertThat(a.restore()).isEmpty();
      // committed: chunk + position visible together
      a.publish(List.of(CheckpointedPublisherTest.chunk(sha1, 0)), Map.of("/var/log/a.log", Position.of("offset", 3L)));
      // aborted: nothing visible, position unchanged
      try (CheckpointedPublisher.Batch b = a.begin()) {
        b.add(CheckpointedPublisherTest.chunk(sha2, 0)).advance("/var/log/a.log", Position.of("offset", 6L));
        b.abort();
      }
      assertThat(a.positions()).containsEntry("/var/log/a.log", Position.of("offset", 3L));

      // zombie: a has an open transaction when b (same collector id) starts
      CheckpointedPublisher.Batch zombie = a.begin();
      zombie.add(CheckpointedPublisherTest.chunk(sha3, 0)).advance("/var/log/a.log", Position.of("offset", 9L));
      try (CheckpointedPublisher b = CheckpointedPublisher.open(stack.kafkaBootstrap(), Map.of(), id)) {
        assertThat(b.restore()).containsExactlyEntriesOf(Map.of("/var/log/a.log", Position.of("offset", 3L)));
        assertThatThrownBy(zombie::commit).isInstanceOf(CheckpointFencedException.class);
        assertThat(a.usable()).isFalse();
        b.publish(List.of(CheckpointedPublisherTest.chunk(sha4, 0)),
            Map.of("/var/log/a.log", Position.of("offset", 12L), "/var/log/b.log", Position.of("offset", 1L)));
      }
    }

    try (CheckpointedPublisher c = CheckpointedPublisher.open(stack.kafkaBootstrap(), Map.of(), id)) {
      assertThat(c.restore()).containsExactlyInAnyOrderEntriesOf(Map.of(
          "/var/log/a.log", Position.of("offset", 12L), "/var/log/b.log", Position.of("offset", 1L)));
      c.publish(List.of(), Map.of(), List.of("/var/log/b.log"));
      assertThat(c.restore()).containsOnlyKeys("/var/log/a.log");
    }

    List<String> visible = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> consumer = consumer(stack.kafkaBootstrap())) {
      consumer.subscribe(List.of(Topics.RAW));
      long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
      while (!visible.contains(sha4) && System.nanoTime() < deadline) {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(300))) {
          String key = new String(r.key(), StandardCharsets.UTF_8);
          if (key.endsWith(id)) {
            assertThat(CHUNKS.decode(r.value()).getArtifactSha256()).isEqualTo(key);
            visible.add(key);
          }
        }
      }
    }
    assertThat(visible).containsExactlyInAnyOrder(sha1, sha4);
  }

  private static KafkaConsumer<byte[], byte[]> consumer(String bootstrap) {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ConsumerConfig.GROUP_ID_CONFIG, "cp-it-" + UUID.randomUUID());
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    return new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
  }
}
