package dev.strata.job.serde;

import dev.strata.schema.event.EvidenceEvent;
import java.nio.charset.StandardCharsets;
import org.apache.avro.Schema;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Writes {@code evidence.normalized.v1}: key = event_id (UTF-8), value = Avro wire format. The Kafka timestamp is
 * left to the producer (wall clock): event times of old evidence would otherwise fall outside the topic's retention
 * and the broker would delete them at once.
 */
public final class EvidenceEventSerializationSchema extends AvroTopicSerializationSchema<EvidenceEvent> {
  private static final long serialVersionUID = 1L;

  public EvidenceEventSerializationSchema(String topic) {
    super(topic);
  }

  @Override
  protected Schema schema() {
    return EvidenceEvent.getClassSchema();
  }

  @Override
  public ProducerRecord<byte[], byte[]> serialize(EvidenceEvent event, KafkaSinkContext context, Long timestamp) {
    byte[] key = event.getEventId().getBytes(StandardCharsets.UTF_8);
    return new ProducerRecord<>(topic(), key, encode(event));
  }
}
