package dev.strata.job.serde;

import dev.strata.job.RawInput;
import org.apache.flink.api.common.serialization.SerializerConfig;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;

/** Type information of {@link RawInput}. */
public final class RawInputTypeInfo extends TypeInformation<RawInput> {
  private static final long serialVersionUID = 1L;

  @Override
  public boolean isBasicType() {
    return false;
  }

  @Override
  public boolean isTupleType() {
    return false;
  }

  @Override
  public int getArity() {
    return 1;
  }

  @Override
  public int getTotalFields() {
    return 1;
  }

  @Override
  public Class<RawInput> getTypeClass() {
    return RawInput.class;
  }

  @Override
  public boolean isKeyType() {
    return false;
  }

  @Override
  public TypeSerializer<RawInput> createSerializer(SerializerConfig config) {
    return new RawInputSerializer();
  }

  @Override
  public String toString() {
    return "RawInput";
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof RawInputTypeInfo;
  }

  @Override
  public int hashCode() {
    return RawInputTypeInfo.class.hashCode();
  }

  @Override
  public boolean canEqual(Object o) {
    return o instanceof RawInputTypeInfo;
  }
}
