package dev.strata.job;

import dev.strata.job.ParseJobConfig.StartingOffsets;
import java.util.Map;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.KafkaSourceBuilder;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;

/**
 * The Kafka source every strata job reads its input topic with: {@code read_committed} (collectors and jobs publish
 * in transactions: aborted or open ones are never read), fetches as large as the largest record the sinks write,
 * the configured starting offsets, the user's consumer properties on top, and bounded at start-up's latest offsets
 * when the run is bounded (offline bundles, tests).
 */
public final class KafkaSources {
  private KafkaSources() {}

  public static <T> KafkaSource<T> readCommitted(
      String bootstrap,
      String topic,
      String groupId,
      StartingOffsets startingOffsets,
      boolean bounded,
      Map<String, String> consumerProperties,
      KafkaRecordDeserializationSchema<T> deserializer) {
    KafkaSourceBuilder<T> b =
        KafkaSource.<T>builder()
            .setBootstrapServers(bootstrap)
            .setTopics(topic)
            .setGroupId(groupId)
            .setClientIdPrefix(groupId)
            .setDeserializer(deserializer)
            .setStartingOffsets(
                switch (startingOffsets) {
                  case EARLIEST -> OffsetsInitializer.earliest();
                  case LATEST -> OffsetsInitializer.latest();
                  case COMMITTED -> OffsetsInitializer.committedOffsets(OffsetResetStrategy.EARLIEST);
                })
            .setProperty("isolation.level", "read_committed")
            .setProperty("max.partition.fetch.bytes", Integer.toString(ParseJob.MAX_REQUEST_BYTES));
    consumerProperties.forEach(b::setProperty);
    if (bounded) b.setBounded(OffsetsInitializer.latest());
    return b.build();
  }
}
