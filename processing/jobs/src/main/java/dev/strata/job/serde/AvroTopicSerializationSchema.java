package dev.strata.job.serde;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificRecordBase;
import org.apache.flink.connector.kafka.lineage.DefaultKafkaDatasetFacet;
import org.apache.flink.connector.kafka.lineage.DefaultKafkaDatasetIdentifier;
import org.apache.flink.connector.kafka.lineage.KafkaDatasetFacet;
import org.apache.flink.connector.kafka.lineage.KafkaDatasetFacetProvider;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;

/**
 * The frame of strata's Kafka record serializers: one topic, values in the Avro wire format ({@link AvroWireEncoder},
 * one per subtask), and the topic exposed to the sink ({@link KafkaDatasetFacetProvider}: Flink's lineage graph, and
 * the exactly-once sink's {@code POOLING} transaction naming, which needs the target topics).
 */
public abstract class AvroTopicSerializationSchema<T extends SpecificRecordBase>
    implements KafkaRecordSerializationSchema<T>, KafkaDatasetFacetProvider {
  private static final long serialVersionUID = 1L;
  private final String topic;
  private transient AvroWireEncoder<T> encoder;

  protected AvroTopicSerializationSchema(String topic) {
    this.topic = Objects.requireNonNull(topic, "topic");
  }

  /** The generated class's schema. */
  protected abstract Schema schema();

  protected final String topic() {
    return topic;
  }

  /** The value bytes of {@code record}. */
  protected final byte[] encode(T record) {
    if (encoder == null) {
      encoder = new AvroWireEncoder<>(schema());
    }
    return encoder.encode(record);
  }

  @Override
  public Optional<KafkaDatasetFacet> getKafkaDatasetFacet() {
    return Optional.of(new DefaultKafkaDatasetFacet(DefaultKafkaDatasetIdentifier.ofTopics(List.of(topic))));
  }
}
