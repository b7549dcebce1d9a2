package dev.strata.job.incident;

import dev.strata.schema.AvroCodec;
import dev.strata.schema.correlate.Incident;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.kafka.clients.producer.ProducerRecord;

/** Writes {@code evidence.incidents.v1}: key = incident_id (all revisions of an incident in one partition, in order). */
public final class IncidentSerializationSchema implements KafkaRecordSerializationSchema<Incident> {
  private static final long serialVersionUID = 1L;
  private final String topic;
  private transient AvroCodec<Incident> codec;

  public IncidentSerializationSchema(String topic) {
    this.topic = Objects.requireNonNull(topic, "topic");
  }

  @Override
  public ProducerRecord<byte[], byte[]> serialize(Incident incident, KafkaSinkContext context, Long timestamp) {
    if (codec == null) codec = AvroCodec.of(Incident.class);
    return new ProducerRecord<>(topic, incident.getIncidentId().getBytes(StandardCharsets.UTF_8), codec.encode(incident));
  }
}
