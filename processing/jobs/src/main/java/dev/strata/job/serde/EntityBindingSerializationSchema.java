package dev.strata.job.serde;

import dev.strata.schema.correlate.EntityBinding;
import java.nio.charset.StandardCharsets;
import org.apache.avro.Schema;
import org.apache.kafka.clients.producer.ProducerRecord;

/** Writes {@code evidence.bindings.v1}: key = binding_id (UTF-8), value = Avro wire format. */
public final class EntityBindingSerializationSchema extends AvroTopicSerializationSchema<EntityBinding> {
  private static final long serialVersionUID = 1L;

  public EntityBindingSerializationSchema(String topic) {
    super(topic);
  }

  @Override
  protected Schema schema() {
    return EntityBinding.getClassSchema();
  }

  @Override
  public ProducerRecord<byte[], byte[]> serialize(EntityBinding b, KafkaSinkContext context, Long timestamp) {
    return new ProducerRecord<>(topic(), b.getBindingId().getBytes(StandardCharsets.UTF_8), encode(b));
  }
}
