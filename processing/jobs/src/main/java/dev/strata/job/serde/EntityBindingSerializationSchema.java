package dev.strata.job.serde;

import dev.strata.schema.correlate.EntityBinding;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.kafka.clients.producer.ProducerRecord;

/** Writes {@code evidence.bindings.v1}: key = binding_id (UTF-8), value = Avro wire format. */
public final class EntityBindingSerializationSchema implements KafkaRecordSerializationSchema<EntityBinding> {
  private static final long serialVersionUID = 1L;
  private final String topic;
  private transient AvroWireEncoder<EntityBinding> codec;

  public EntityBindingSerializationSchema(String topic) {
    this.topic = Objects.requireNonNull(topic, "topic");
  }

  @Override
  public ProducerRecord<byte[], byte[]> serialize(EntityBinding b, KafkaSinkContext context, Long timestamp) {
    if (codec == null) {
      codec = new AvroWireEncoder<>(EntityBinding.getClassSchema());
    }
    return new ProducerRecord<>(topic, b.getBindingId().getBytes(StandardCharsets.UTF_8), codec.encode(b));
  }
}
