package dev.strata.job.correlate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.correlate.CorrelationScenario;
import dev.strata.infra.StackEndpoints;
import dev.strata.infra.testing.SharedStack;
import dev.strata.job.testing.KafkaTestSupport;
import dev.strata.schema.AvroCodec;
import dev.strata.schema.event.EvidenceEvent;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@link NormalizedEvents#kafka} against the embedded Kafka: the value at an offset is the event written there (also
 * the neighbours a single fetch brought), and a record before the log's start (its retention passed: here deleted
 * with the admin API, as retention deletes) reads as gone (null), not as the next record. Fixtures: VPC Flow records
 * of the correlation scenario.
 */
@ExtendWith(SharedStack.class)
class NormalizedEventsIT {
  @Test
  void readsAnEventBackByItsOffsetAndSaysWhenItIsGone(StackEndpoints stack) throws Exception {
    String topic = "it-" + UUID.randomUUID().toString().substring(0, 8) + ".normalized";
    KafkaTestSupport.createTopics(stack.kafkaBootstrap(), 1, topic);
    AvroCodec<EvidenceEvent> codec = AvroCodec.of(EvidenceEvent.class);
    List<byte[]> values = new ArrayList<>();
    List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      EvidenceEvent e = CorrelationScenario.flow("flow-" + i, "111111111111", "vpc-0aaa", "eni-01", "i-01",
          "10.0.1." + (50 + i), "10.0.2.9", "2026-11-20T10:0" + i + ":00Z");
      values.add(codec.encode(e));
      records.add(new ProducerRecord<>(topic, 0, e.getEventId().getBytes(StandardCharsets.UTF_8), values.get(i)));
    }
    KafkaTestSupport.send(stack.kafkaBootstrap(), records);
    NormalizedEvents.Factory f = NormalizedEvents.kafka(stack.kafkaBootstrap(), topic, Map.of(), "it-reemit");

    try (NormalizedEvents events = f.open(0)) {
      assertThat(events.read(0, 3)).isEqualTo(values.get(3));
      assertThat(events.read(0, 4)).isEqualTo(values.get(4));
      assertThat(events.read(0, 1)).isEqualTo(values.get(1)); // before the last fetch: a seek
      assertThat(events.read(0, 2)).isEqualTo(values.get(2));
    }
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", stack.kafkaBootstrap()))) {
      admin.deleteRecords(Map.of(new TopicPartition(topic, 0), RecordsToDelete.beforeOffset(2)))
          .all().get(60, TimeUnit.SECONDS);
    }
    try (NormalizedEvents events = f.open(0)) {
      assertThat(events.read(0, 1)).isNull(); // gone: not the first record still there
      assertThat(events.read(0, 2)).isEqualTo(values.get(2));
    }
  }

  @Test
  void aRetentionShorterThanTheLatenessRetentionIsReported(StackEndpoints stack) throws Exception {
    String s = UUID.randomUUID().toString().substring(0, 8);
    String kept = "it-" + s + ".normalized";
    String shortLived = "it-" + s + ".normalized-short";
    KafkaTestSupport.createTopics(stack.kafkaBootstrap(), 1, kept);
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", stack.kafkaBootstrap()))) {
      admin.createTopics(List.of(new org.apache.kafka.clients.admin.NewTopic(shortLived, 1, (short) 1)
          .configs(Map.of("retention.ms", "600000")))).all().get(60, TimeUnit.SECONDS);
    }
    long thirtyMinutes = 30 * 60_000L;
    assertThat(NormalizedEvents.retentionProblem(stack.kafkaBootstrap(), kept, Map.of(), thirtyMinutes)).isEmpty();
    assertThat(NormalizedEvents.retentionProblem(stack.kafkaBootstrap(), shortLived, Map.of(), thirtyMinutes))
        .hasValueSatisfying(p -> assertThat(p).contains("600000 ms").contains("1800000 ms"));
    assertThat(NormalizedEvents.retentionProblem(stack.kafkaBootstrap(), shortLived, Map.of(), Long.MAX_VALUE))
        .isEmpty(); // bounded runs: the run's length is not known
  }
}
