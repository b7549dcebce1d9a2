package dev.strata.job.serde;

import java.util.Objects;
import org.apache.flink.api.common.typeinfo.TypeInformation;

/**
 * The frame shared by strata's own type informations: one opaque value of class {@code type} (no fields Flink can
 * see, not a key type), written by the serializer the subclass creates. Two instances are equal when they are of the
 * same subclass and describe the same value class.
 */
public abstract class SingleValueTypeInfo<T> extends TypeInformation<T> {
  private static final long serialVersionUID = 1L;
  private final Class<T> type;

  protected SingleValueTypeInfo(Class<T> type) {
    this.type = Objects.requireNonNull(type, "type");
  }

  @Override
  public final boolean isBasicType() {
    return false;
  }

  @Override
  public final boolean isTupleType() {
    return false;
  }

  @Override
  public final int getArity() {
    return 1;
  }

  @Override
  public final int getTotalFields() {
    return 1;
  }

  @Override
  public final Class<T> getTypeClass() {
    return type;
  }

  @Override
  public final boolean isKeyType() {
    return false;
  }

  @Override
  public final boolean equals(Object o) {
    return o != null && o.getClass() == getClass() && ((SingleValueTypeInfo<?>) o).type.equals(type);
  }

  @Override
  public final int hashCode() {
    return type.hashCode();
  }

  @Override
  public final boolean canEqual(Object o) {
    return o != null && o.getClass() == getClass();
  }
}
