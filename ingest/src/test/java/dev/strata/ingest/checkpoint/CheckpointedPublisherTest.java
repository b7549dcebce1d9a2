package dev.strata.ingest.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.ingest.publish.PublishException;
import dev.strata.schema.common.CollectorInfo;
import dev.strata.schema.common.EvidenceContext;
import dev.strata.schema.common.Framing;
import dev.strata.schema.raw.ChunkInfo;
import dev.strata.schema.raw.RawArtifactChunk;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.clients.consumer.internals.AutoOffsetResetStrategy;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckpointedPublisherTest {
  @TempDir Path tmp;

  static RawArtifactChunk chunk(String sha, int index) {
    return RawArtifactChunk.newBuilder()
        .setArtifactSha256(sha).setArtifactSize(3).setContentSha256(sha).setContentSize(3)
        .setSourceType("docker_json_log").setOrigin("a.log")
        .setContext(EvidenceContext.newBuilder().build())
        .setCollector(CollectorInfo.newBuilder().setId("node_agent").setVersion("dev").setRunId("r").build())
        .setCollectedAt(Instant.parse("2024-05-01T12:00:00Z")).setFraming(Framing.LINES)
        .setChunk(ChunkInfo.newBuilder().setIndex(index).setCount(1).setOffset(0).setLength(3).setFirstLine(1)
            .setSha256(sha).build())
        .setPayload(ByteBuffer.wrap("abc".getBytes(StandardCharsets.UTF_8)))
        .build();
  }

  private static MockProducer<byte[], byte[]> producer() {
    return new MockProducer<>(true, null, new ByteArraySerializer(), new ByteArraySerializer());
  }

  private static CheckpointedPublisher publisher(MockProducer<byte[], byte[]> mock, MockConsumer<byte[], byte[]> c,
      CheckpointedPublisher.Options options) {
    return new CheckpointedPublisher(mock, topic -> c, "node-a", options);
  }

  @Test
  void positionsRoundTripThroughTheWireForm() {
    Position p = Position.of("dev", 2049L, "ino", 1234, "fingerprint", "ab12", "eof", true);
    byte[] v = CheckpointRecord.encode("node-a", "/var/log/x.log", p, Instant.parse("2024-05-01T00:00:00Z"));
    assertThat(new String(v, StandardCharsets.UTF_8))
        .contains("\"collector_id\":\"node-a\"", "\"source_key\":\"/var/log/x.log\"", "\"ino\":1234");
    assertThat(CheckpointRecord.decode(v)).isEqualTo(p);
    assertThat(CheckpointRecord.decode(v).getLong("ino", -1)).isEqualTo(1234L);
    byte[] k = CheckpointRecord.key("node-a", "/var/log/x.log");
    assertThat(CheckpointRecord.belongsTo(k, "node-a")).isTrue();
    assertThat(CheckpointRecord.belongsTo(k, "node")).isFalse();
    assertThat(CheckpointRecord.sourceKey(k, "node-a")).isEqualTo("/var/log/x.log");
    assertThatThrownBy(() -> Position.of("x", 1.5)).hasMessageContaining("must be a string, long or boolean");
    assertThatThrownBy(() -> CheckpointRecord.requireCollectorId("a b")).hasMessageContaining("collector id 'a b'");
  }

  @Test
  void checkpointFileIsWrittenAtomicallyAndReadBack() throws Exception {
    Path f = tmp.resolve("cp/agent.json");
    CheckpointFile.write(f, "node-a", Map.of("/a", Position.of("offset", 5L), "/b", Position.of("start_after", "k/1")));
    assertThat(CheckpointFile.read(f))
        .containsExactlyInAnyOrderEntriesOf(Map.of("/a", Position.of("offset", 5L), "/b", Position.of("start_after", "k/1")));
    CheckpointFile.write(f, "node-a", Map.of());
    assertThat(CheckpointFile.read(f)).isEmpty();
    try (var s = Files.list(f.getParent())) {
      assertThat(s.map(p -> p.getFileName().toString())).containsExactly("agent.json"); // no temp files left
    }
    assertThat(CheckpointFile.read(tmp.resolve("missing.json"))).isEmpty();
  }

  @Test
  void aBatchIsOneTransactionWithChunksThenCheckpoints() {
    MockProducer<byte[], byte[]> mock = producer();
    Path cache = tmp.resolve("cache.json");
    try (CheckpointedPublisher p = publisher(mock, null, CheckpointedPublisher.Options.defaults().withCacheFile(cache))) {
      assertThat(mock.transactionInitialized()).isTrue();
      p.publish(List.of(chunk("ab", 0), chunk("ab", 1)),
          Map.of("/var/log/x.log", Position.of("offset", 6L)));
      assertThat(mock.transactionCommitted()).isTrue();
      List<ProducerRecord<byte[], byte[]>> sent = mock.history();
      assertThat(sent).extracting(ProducerRecord::topic)
          .containsExactly("evidence.raw.v1", "evidence.raw.v1", "strata.checkpoints.v1");
      assertThat(new String(sent.get(2).key(), StandardCharsets.UTF_8)).isEqualTo("node-a//var/log/x.log");
      assertThat(CheckpointRecord.decode(sent.get(2).value())).isEqualTo(Position.of("offset", 6L));
      assertThat(p.positions()).containsEntry("/var/log/x.log", Position.of("offset", 6L));
      assertThat(p.committedChunks()).isEqualTo(2);

      p.publish(List.of(), Map.of(), Set.of("/var/log/x.log"));
      assertThat(mock.history().get(3).value()).isNull(); // tombstone
      assertThat(p.positions()).isEmpty();
    }
    assertThat(mock.closed()).isTrue();
  }

  @Test
  void aFailedCommitAbortsAndKeepsThePositions() {
    MockProducer<byte[], byte[]> mock = producer();
    try (CheckpointedPublisher p = publisher(mock, null, CheckpointedPublisher.Options.defaults())) {
      p.publish(List.of(), Map.of("/a", Position.of("offset", 1L)));
      mock.commitTransactionException = new KafkaException("broker said no");
      assertThatThrownBy(() -> p.publish(List.of(chunk("ab", 0)),
              Map.of("/a", Position.of("offset", 9L))))
          .isInstanceOf(PublishException.class)
          .hasMessageContaining("transaction aborted");
      assertThat(mock.transactionAborted()).isTrue();
      assertThat(p.positions()).containsEntry("/a", Position.of("offset", 1L));
      assertThat(p.abortedTransactions()).isEqualTo(1);
      assertThat(p.usable()).isTrue();
      mock.commitTransactionException = null;
      try (CheckpointedPublisher.Batch b = p.begin()) {
        b.add(chunk("ab", 0)).advance("/a", Position.of("offset", 9L)).commit();
      }
      assertThat(p.positions()).containsEntry("/a", Position.of("offset", 9L));
    }
  }

  @Test
  void aFencedPublisherFailsForGood() {
    MockProducer<byte[], byte[]> mock = producer();
    CheckpointedPublisher p = publisher(mock, null, CheckpointedPublisher.Options.defaults());
    mock.fenceProducer();
    assertThatThrownBy(() -> p.publish(List.of(chunk("ab", 0)), Map.of()))
        .isInstanceOf(CheckpointFencedException.class)
        .hasMessageContaining("strata-collector-node-a");
    assertThat(p.usable()).isFalse();
    assertThatThrownBy(p::begin).isInstanceOf(PublishException.class).hasMessageContaining("must be reopened");
    p.close();
  }

  @Test
  void closingAnUncommittedBatchAbortsIt() {
    MockProducer<byte[], byte[]> mock = producer();
    try (CheckpointedPublisher p = publisher(mock, null, CheckpointedPublisher.Options.defaults())) {
      try (CheckpointedPublisher.Batch b = p.begin()) {
        b.add(chunk("ab", 0)).advance("/a", Position.of("offset", 3L));
      }
      assertThat(mock.transactionAborted()).isTrue();
      assertThat(p.positions()).isEmpty();
    }
  }

  @Test
  void restoreReadsOnlyThisCollectorsLatestPositions() throws Exception {
    String topic = CheckpointedPublisher.CHECKPOINT_TOPIC;
    MockConsumer<byte[], byte[]> c = new MockConsumer<>(AutoOffsetResetStrategy.EARLIEST.name());
    TopicPartition p0 = new TopicPartition(topic, 0);
    TopicPartition p1 = new TopicPartition(topic, 1);
    c.updatePartitions(topic, List.of(new PartitionInfo(topic, 0, Node.noNode(), null, null),
        new PartitionInfo(topic, 1, Node.noNode(), null, null)));
    c.updateBeginningOffsets(Map.of(p0, 0L, p1, 0L));
    c.updateEndOffsets(Map.of(p0, 3L, p1, 1L));
    Instant t = Instant.parse("2024-05-01T00:00:00Z");
    c.schedulePollTask(() -> {
      c.addRecord(rec(topic, 0, 0, "node-a", "/a", Position.of("offset", 1L), t));
      c.addRecord(rec(topic, 0, 1, "node-a", "/a", Position.of("offset", 7L), t));
      c.addRecord(new ConsumerRecord<>(topic, 0, 2, CheckpointRecord.key("node-a", "/gone"), null));
      c.addRecord(rec(topic, 1, 0, "node-b", "/a", Position.of("offset", 99L), t));
    });
    Path cache = tmp.resolve("cache.json");
    CheckpointFile.write(cache, "node-a", Map.of("/stale", Position.of("offset", 1L)));
    try (CheckpointedPublisher p = publisher(producer(), c, CheckpointedPublisher.Options.defaults().withCacheFile(cache))) {
      assertThat(p.restore()).containsExactlyEntriesOf(Map.of("/a", Position.of("offset", 7L)));
      assertThat(p.positions()).containsOnlyKeys("/a");
    }
    assertThat(CheckpointFile.read(cache)).containsOnlyKeys("/a"); // the topic wins over the cache
  }

  private static ConsumerRecord<byte[], byte[]> rec(String topic, int part, long off, String collector, String source,
      Position pos, Instant t) {
    return new ConsumerRecord<>(topic, part, off, CheckpointRecord.key(collector, source),
        CheckpointRecord.encode(collector, source, pos, t));
  }
}
