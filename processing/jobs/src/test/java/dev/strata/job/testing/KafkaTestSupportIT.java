package dev.strata.job.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.infra.StackEndpoints;
import dev.strata.infra.testing.SharedStack;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@link KafkaTestSupport#readAll} against the embedded broker, in the state that made CorrelateJobIT flaky: the
 * last transaction's records are in the log but its commit marker is not (what a reader sees between
 * {@code commitTransaction()} returning and the coordinator writing the markers). Holding the transaction open
 * makes that window as long as the test wants: the reader must wait for it, not stop at the stable offset.
 */
@ExtendWith(SharedStack.class)
class KafkaTestSupportIT {

  @Test
  void readAllWaitsForAnOpenTransactionInsteadOfStoppingAtTheStableOffset(StackEndpoints stack) throws Exception {
    String topic = "it-" + UUID.randomUUID().toString().substring(0, 8) + ".read-all";
    KafkaTestSupport.createTopics(stack.kafkaBootstrap(), 2, topic);
    try (KafkaProducer<byte[], byte[]> p = transactional(stack.kafkaBootstrap())) {
      p.initTransactions();
      p.beginTransaction();
      send(p, topic, "committed-1", "committed-2");
      p.commitTransaction();
      p.beginTransaction();
      send(p, topic, "aborted");
      p.abortTransaction();
      p.beginTransaction();
      send(p, topic, "last-1", "last-2", "last-3");
      p.flush();

      CompletableFuture<List<ConsumerRecord<byte[], byte[]>>> read =
          CompletableFuture.supplyAsync(() -> KafkaTestSupport.readAll(stack.kafkaBootstrap(), topic));
      // the old reader returned here with the two records before the open transaction
      assertThatThrownBy(() -> read.get(2, TimeUnit.SECONDS)).isInstanceOf(TimeoutException.class);
      p.commitTransaction();

      assertThat(read.get(60, TimeUnit.SECONDS))
          .extracting(r -> new String(r.value(), StandardCharsets.UTF_8))
          .containsExactlyInAnyOrder("committed-1", "committed-2", "last-1", "last-2", "last-3");
    }
  }

  static void send(KafkaProducer<byte[], byte[]> p, String topic, String... values) {
    for (String v : values) {
      p.send(new ProducerRecord<>(topic, v.getBytes(StandardCharsets.UTF_8), v.getBytes(StandardCharsets.UTF_8)));
    }
  }

  static KafkaProducer<byte[], byte[]> transactional(String bootstrap) {
    Map<String, Object> config = new HashMap<>();
    config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    config.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "read-all-" + UUID.randomUUID());
    config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    return new KafkaProducer<>(config, new ByteArraySerializer(), new ByteArraySerializer());
  }
}
