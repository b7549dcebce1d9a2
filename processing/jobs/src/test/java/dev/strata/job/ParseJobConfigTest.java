package dev.strata.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.junit.jupiter.api.Test;

class ParseJobConfigTest {

  @Test
  void defaults() {
    ParseJobConfig c = ParseJobConfig.builder("localhost:9092").build();
    assertThat(c.rawTopic()).isEqualTo("evidence.raw.v1");
    assertThat(c.normalizedTopic()).isEqualTo("evidence.normalized.v1");
    assertThat(c.deadLetterTopic()).isEqualTo("evidence.deadletter.v1");
    assertThat(c.groupId()).isEqualTo("strata-parse");
    assertThat(c.startingOffsets()).isEqualTo(ParseJobConfig.StartingOffsets.EARLIEST);
    assertThat(c.bounded()).isFalse();
    assertThat(c.checkpointInterval()).isEqualTo(Duration.ofSeconds(10));
    assertThat(c.deliveryGuarantee()).isEqualTo(DeliveryGuarantee.EXACTLY_ONCE);
    assertThat(c.transactionalIdPrefix()).isEqualTo("strata-parse-strata-parse");
    assertThat(c.transactionTimeout()).isEqualTo(Duration.ofMinutes(5));
    assertThat(c.maxOutOfOrderness()).isEqualTo(Duration.ofMinutes(5));
    assertThat(c.idleness()).isEqualTo(Duration.ofSeconds(30));
    assertThat(c.openSearchEnabled()).isFalse();
    assertThat(c.flinkRestAddress()).isEmpty();
    // derived prefix follows a new group id; an explicit one stays
    assertThat(c.toBuilder().groupId("g2").build().transactionalIdPrefix()).isEqualTo("strata-parse-g2");
    assertThat(c.toBuilder().transactionalIdPrefix("tx").build().toBuilder().groupId("g3").build()
        .transactionalIdPrefix()).isEqualTo("tx");
  }

  @Test
  void fromMapReadsEveryKeyAndPassesThroughPrefixes() {
    ParseJobConfig c =
        ParseJobConfig.fromMap(
            Map.ofEntries(
                Map.entry("kafka.bootstrap.servers", "k:1"),
                Map.entry("kafka.group.id", "g"),
                Map.entry("topics.raw", "r"),
                Map.entry("topics.normalized", "n"),
                Map.entry("topics.deadletter", "d"),
                Map.entry("source.starting_offsets", "committed"),
                Map.entry("source.bounded", "true"),
                Map.entry("parallelism", "3"),
                Map.entry("checkpoint.interval", "500ms"),
                Map.entry("sink.delivery_guarantee", "at_least_once"),
                Map.entry("sink.transactional_id_prefix", "tx"),
                Map.entry("sink.transaction_timeout", "PT2M"),
                Map.entry("watermark.max_out_of_orderness", "1m"),
                Map.entry("watermark.idleness", "2s"),
                Map.entry("opensearch.url", "http://os:9200"),
                Map.entry("opensearch.username", "admin"),
                Map.entry("opensearch.password", "secret"),
                Map.entry("opensearch.max_batch_size", "500"),
                Map.entry("opensearch.index.events", "strata-events-test"),
                Map.entry("opensearch.bulk_refresh_interval", "-1"),
                Map.entry("kafka.linger.ms", "7"),
                Map.entry("kafka.producer.batch.size", "1000"),
                Map.entry("kafka.consumer.fetch.min.bytes", "2"),
                Map.entry("flink.rest.address", "jm:8081")));
    assertThat(c.kafkaBootstrap()).isEqualTo("k:1");
    assertThat(c.groupId()).isEqualTo("g");
    assertThat(c.rawTopic()).isEqualTo("r");
    assertThat(c.startingOffsets()).isEqualTo(ParseJobConfig.StartingOffsets.COMMITTED);
    assertThat(c.bounded()).isTrue();
    assertThat(c.parallelism()).isEqualTo(3);
    assertThat(c.checkpointInterval()).isEqualTo(Duration.ofMillis(500));
    assertThat(c.deliveryGuarantee()).isEqualTo(DeliveryGuarantee.AT_LEAST_ONCE);
    assertThat(c.transactionalIdPrefix()).isEqualTo("tx");
    assertThat(c.transactionTimeout()).isEqualTo(Duration.ofMinutes(2));
    assertThat(c.maxOutOfOrderness()).isEqualTo(Duration.ofMinutes(1));
    assertThat(c.idleness()).isEqualTo(Duration.ofSeconds(2));
    assertThat(c.openSearchConfig()).isPresent();
    assertThat(c.openSearchConfig().get().urls()).extracting(Object::toString).containsExactly("http://os:9200");
    assertThat(c.openSearchConfig().get().username()).isEqualTo("admin");
    assertThat(c.openSearchConfig().get().password().toString()).isEqualTo("***");
    assertThat(c.openSearchConfig().get().maxBatchSize()).isEqualTo(500);
    assertThat(c.openSearchConfig().get().eventsIndex()).isEqualTo("strata-events-test");
    assertThat(c.openSearchConfig().get().bulkRefreshInterval()).isEqualTo("-1");
    assertThat(c.producerProperties()).containsOnly(Map.entry("linger.ms", "7"), Map.entry("batch.size", "1000"));
    assertThat(c.consumerProperties()).containsOnly(Map.entry("linger.ms", "7"), Map.entry("fetch.min.bytes", "2"));
    assertThat(c.flinkRestAddress()).contains("jm:8081");
  }

  @Test
  void fromEnvThenOverrides() {
    ParseJobConfig c =
        ParseJobConfig.fromEnv(
            Map.of("STRATA_KAFKA_BOOTSTRAP", "env:9092", "STRATA_PARSE_BOUNDED", "true", "PATH", "/bin"),
            Map.of("parallelism", "1"));
    assertThat(c.kafkaBootstrap()).isEqualTo("env:9092");
    assertThat(c.bounded()).isTrue();
    assertThat(c.parallelism()).isEqualTo(1);
  }

  @Test
  void errorsNameTheKey() {
    assertThatThrownBy(() -> ParseJobConfig.fromMap(Map.of("kafka.bootstrap.servers", "k", "topic.raw", "x")))
        .hasMessageStartingWith("topic.raw: unknown setting");
    assertThatThrownBy(() -> ParseJobConfig.fromMap(Map.of()))
        .hasMessageStartingWith("kafka.bootstrap.servers: must be set");
    assertThatThrownBy(() -> ParseJobConfig.fromMap(Map.of("kafka.bootstrap.servers", "k", "parallelism", "x")))
        .hasMessageStartingWith("parallelism: not an integer");
    assertThatThrownBy(
            () -> ParseJobConfig.fromMap(Map.of("kafka.bootstrap.servers", "k", "sink.transaction_timeout", "16m")))
        .hasMessageStartingWith("sink.transaction_timeout: must be at most 15m");
    assertThatThrownBy(
            () -> ParseJobConfig.fromMap(Map.of("kafka.bootstrap.servers", "k", "checkpoint.interval", "10 parsecs")))
        .hasMessageStartingWith("checkpoint.interval: not a duration");
    assertThatThrownBy(
            () -> ParseJobConfig.fromMap(Map.of("kafka.bootstrap.servers", "k", "source.starting_offsets", "begin")))
        .hasMessageStartingWith("source.starting_offsets: 'begin' is not one of earliest, latest, committed");
    assertThatThrownBy(() -> ParseJobConfig.builder("k").normalizedTopic("evidence.raw.v1").build())
        .hasMessageStartingWith("topics.normalized: must differ");
    assertThatThrownBy(() -> ParseJobConfig.fromMap(Map.of("kafka.bootstrap.servers", "k", "opensearch.username", "u")))
        .hasMessageStartingWith("opensearch.url: must be set");
    assertThatThrownBy(() -> ParseJobConfig.fromMap(
            Map.of("kafka.bootstrap.servers", "k", "opensearch.url", "http://x:1", "opensearch.colour", "u")))
        .hasMessageStartingWith("opensearch.colour: unknown setting");
    assertThatThrownBy(() -> ParseJobConfig.fromMap(
            Map.of("kafka.bootstrap.servers", "k", "opensearch.url", "http://x:1", "opensearch.index.events", "ev")))
        .hasMessageStartingWith("opensearch.index.events");
  }

  @Test
  void toStringMasksSecrets() {
    ParseJobConfig c = ParseJobConfig.builder("k:1")
        .kafkaProperty("sasl.jaas.config", "org.apache.kafka...PlainLoginModule required password=\"hunter2\";")
        .kafkaProperty("ssl.truststore.password", "hunter2")
        .kafkaProperty("linger.ms", "5")
        .build();
    assertThat(c.toString()).doesNotContain("hunter2").contains("linger.ms=5").contains("k:1");
  }

  @Test
  void argsParse() {
    assertThat(ParseJob.parseArgs(new String[] {"--a=1", "b=2", "--c", "3"}))
        .containsExactly(Map.entry("a", "1"), Map.entry("b", "2"), Map.entry("c", "3"));
    assertThatThrownBy(() -> ParseJob.parseArgs(new String[] {"x"})).hasMessageContaining("key=value");
  }
}
