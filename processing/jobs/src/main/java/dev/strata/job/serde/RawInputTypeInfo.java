package dev.strata.job.serde;

import dev.strata.job.RawInput;
import org.apache.flink.api.common.serialization.SerializerConfig;
import org.apache.flink.api.common.typeutils.TypeSerializer;

/** Type information of {@link RawInput}. */
public final class RawInputTypeInfo extends SingleValueTypeInfo<RawInput> {
  private static final long serialVersionUID = 1L;

  public RawInputTypeInfo() {
    super(RawInput.class);
  }

  @Override
  public TypeSerializer<RawInput> createSerializer(SerializerConfig config) {
    return new RawInputSerializer();
  }

  @Override
  public String toString() {
    return "RawInput";
  }
}
