package dev.strata.job.serde;

import org.apache.avro.specific.SpecificRecordBase;
import org.apache.flink.api.common.serialization.SerializerConfig;
import org.apache.flink.api.common.typeutils.TypeSerializer;

/** Type information for a generated Avro record, serialized with {@link AvroCodecSerializer}. */
public final class AvroCodecTypeInfo<T extends SpecificRecordBase> extends SingleValueTypeInfo<T> {
  private static final long serialVersionUID = 1L;

  public AvroCodecTypeInfo(Class<T> type) {
    super(type);
  }

  @Override
  public TypeSerializer<T> createSerializer(SerializerConfig config) {
    return new AvroCodecSerializer<>(getTypeClass());
  }

  @Override
  public String toString() {
    return "AvroCodec<" + getTypeClass().getName() + ">";
  }
}
