package dev.strata.job.serde;

import dev.strata.job.RawInput;
import dev.strata.schema.AvroCodec;
import dev.strata.schema.raw.RawArtifactChunk;
import org.apache.flink.api.common.serialization.DeserializationSchema;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Reads {@code evidence.raw.v1}. Never fails on bad bytes: a record that is not a RawArtifactChunk of a known schema
 * version comes out as {@link RawInput#undecodable} (a permanent failure: it becomes a dead letter downstream, so a
 * poison record cannot put the job into a restart loop).
 */
public final class RawInputDeserializationSchema implements KafkaRecordDeserializationSchema<RawInput> {
  private static final long serialVersionUID = 1L;
  private transient AvroCodec<RawArtifactChunk> codec;

  @Override
  public void open(DeserializationSchema.InitializationContext context) {
    codec = AvroCodec.of(RawArtifactChunk.class);
  }

  @Override
  public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<RawInput> out) {
    if (codec == null) {
      codec = AvroCodec.of(RawArtifactChunk.class);
    }
    byte[] value = record.value();
    if (value == null) {
      out.collect(RawInput.undecodable(null, record.topic(), record.partition(), record.offset(), "null value (tombstone)"));
      return;
    }
    RawArtifactChunk chunk;
    try {
      chunk = codec.decode(value);
    } catch (RuntimeException e) { // AvroDecodeException, or anything Avro throws on garbage
      out.collect(RawInput.undecodable(value, record.topic(), record.partition(), record.offset(), e.toString()));
      return;
    }
    out.collect(RawInput.chunk(chunk, record.topic(), record.partition(), record.offset()));
  }

  @Override
  public TypeInformation<RawInput> getProducedType() {
    return StrataTypes.RAW_INPUT;
  }
}
