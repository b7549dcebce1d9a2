package dev.strata.ingest.publish;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.schema.AvroCodec;
import dev.strata.schema.common.CollectorInfo;
import dev.strata.schema.common.EvidenceContext;
import dev.strata.schema.common.Framing;
import dev.strata.schema.raw.ChunkInfo;
import dev.strata.schema.raw.RawArtifactChunk;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

class KafkaChunkPublisherTest {
  static RawArtifactChunk chunk(String sha, int index) {
    return RawArtifactChunk.newBuilder()
        .setArtifactSha256(sha).setArtifactSize(3).setContentSha256(sha).setContentSize(3)
        .setSourceType("docker_json_log").setOrigin("a.log")
        .setContext(EvidenceContext.newBuilder().build())
        .setCollector(CollectorInfo.newBuilder().setId("file_collector").setVersion("dev").setRunId("r").build())
        .setCollectedAt(Instant.parse("2024-05-01T12:00:00Z")).setFraming(Framing.LINES)
        .setChunk(ChunkInfo.newBuilder().setIndex(index).setCount(2).setOffset(0).setLength(3).setFirstLine(1)
            .setSha256(sha).build())
        .setPayload(ByteBuffer.wrap("abc".getBytes(StandardCharsets.UTF_8)))
        .build();
  }

  @Test
  void sendsAvroWithKeyAndSchemaHeader() {
    MockProducer<byte[], byte[]> mock = new MockProducer<>(true, null, new ByteArraySerializer(), new ByteArraySerializer());
    try (KafkaChunkPublisher p = new KafkaChunkPublisher(mock, KafkaChunkPublisher.RAW_TOPIC, KafkaChunkPublisher.ARTIFACTS_TOPIC)) {
      p.publish(chunk("ab", 0));
      p.publish(chunk("ab", 1));
      assertThat(p.flush()).isEqualTo(2);
      ProducerRecord<byte[], byte[]> r = mock.history().get(0);
      assertThat(r.topic()).isEqualTo("evidence.raw.v1");
      assertThat(new String(r.key(), StandardCharsets.UTF_8)).isEqualTo("ab");
      assertThat(new String(r.headers().lastHeader("strata.schema").value(), StandardCharsets.UTF_8))
          .isEqualTo("dev.strata.schema.raw.RawArtifactChunk");
      assertThat(AvroCodec.of(RawArtifactChunk.class).decode(r.value())).isEqualTo(chunk("ab", 0));
    }
  }

  @Test
  void aFailedSendFailsTheNextPublishAndFlush() {
    MockProducer<byte[], byte[]> mock = new MockProducer<>(false, null, new ByteArraySerializer(), new ByteArraySerializer());
    KafkaChunkPublisher p = new KafkaChunkPublisher(mock, "raw", "artifacts");
    p.publish(chunk("ab", 0));
    mock.errorNext(new org.apache.kafka.common.errors.RecordTooLargeException("too large"));
    assertThatThrownBy(() -> p.publish(chunk("ab", 1)))
        .isInstanceOf(PublishException.class)
        .hasMessageContaining("Kafka rejected a.log chunk 0 (artifact ab) on topic raw")
        .hasMessageContaining("too large");
    assertThatThrownBy(p::flush).isInstanceOf(PublishException.class);
  }

  @Test
  void passThroughPropertiesCannotWeakenDelivery() {
    Map<String, Object> props = KafkaChunkPublisher.producerProperties("k:9092",
        Map.of("kafka.linger.ms", "5", "compression.type", "zstd", "kafka.acks", "all"));
    assertThat(props).containsEntry("linger.ms", "5").containsEntry("compression.type", "zstd")
        .containsEntry("enable.idempotence", true).containsEntry("max.request.size", 8 * 1024 * 1024);
    assertThatThrownBy(() -> KafkaChunkPublisher.producerProperties("k:9092", Map.of("kafka.acks", "1")))
        .hasMessageContaining("kafka.acks: cannot be changed");
    assertThatThrownBy(() -> KafkaChunkPublisher.producerProperties("k:9092", Map.of("enable.idempotence", "false")))
        .hasMessageContaining("kafka.enable.idempotence");
    assertThatThrownBy(() -> KafkaChunkPublisher.producerProperties(" ", Map.of()))
        .hasMessageContaining("bootstrap");
  }
}
