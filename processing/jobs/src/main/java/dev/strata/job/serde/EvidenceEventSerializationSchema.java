package dev.strata.job.serde;

import dev.strata.schema.event.EvidenceEvent;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Writes {@code evidence.normalized.v1}: key = event_id (UTF-8), value = Avro wire format. The Kafka timestamp is
 * left to the producer (wall clock): event times of old evidence would otherwise fall outside the topic's retention
 * and the broker would delete them at once.
 */
public final class EvidenceEventSerializationSchema implements KafkaRecordSerializationSchema<EvidenceEvent> {
  private static final long serialVersionUID = 1L;
  private final String topic;
  private transient AvroWireEncoder<EvidenceEvent> codec;

  public EvidenceEventSerializationSchema(String topic) {
    this.topic = Objects.requireNonNull(topic, "topic");
  }

  @Override
  public ProducerRecord<byte[], byte[]> serialize(EvidenceEvent event, KafkaSinkContext context, Long timestamp) {
    if (codec == null) {
      codec = new AvroWireEncoder<>(EvidenceEvent.getClassSchema());
    }
    byte[] key = event.getEventId().getBytes(StandardCharsets.UTF_8);
    return new ProducerRecord<>(topic, key, codec.encode(event));
  }
}
