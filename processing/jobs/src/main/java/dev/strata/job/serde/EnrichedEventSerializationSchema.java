package dev.strata.job.serde;

import dev.strata.job.correlate.EnrichedEvent;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.apache.flink.connector.kafka.lineage.DefaultKafkaDatasetFacet;
import org.apache.flink.connector.kafka.lineage.DefaultKafkaDatasetIdentifier;
import org.apache.flink.connector.kafka.lineage.KafkaDatasetFacet;
import org.apache.flink.connector.kafka.lineage.KafkaDatasetFacetProvider;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Writes {@code evidence.enriched.v1} from the correlation's output: key = event_id (UTF-8), value = the enriched
 * event's wire bytes as the final join assembled them ({@link EnrichedEvent#wire}: the same bytes {@link
 * EvidenceEventSerializationSchema} writes for the decoded event, without decoding or encoding it here). The topic is
 * exposed to the sink as {@link AvroTopicSerializationSchema} does.
 */
public final class EnrichedEventSerializationSchema
    implements KafkaRecordSerializationSchema<EnrichedEvent>, KafkaDatasetFacetProvider {
  private static final long serialVersionUID = 1L;
  private final String topic;

  public EnrichedEventSerializationSchema(String topic) {
    this.topic = Objects.requireNonNull(topic, "topic");
  }

  @Override
  public ProducerRecord<byte[], byte[]> serialize(EnrichedEvent e, KafkaSinkContext context, Long timestamp) {
    return new ProducerRecord<>(topic, e.eventId().getBytes(StandardCharsets.UTF_8), e.wire());
  }

  @Override
  public Optional<KafkaDatasetFacet> getKafkaDatasetFacet() {
    return Optional.of(new DefaultKafkaDatasetFacet(DefaultKafkaDatasetIdentifier.ofTopics(List.of(topic))));
  }
}
