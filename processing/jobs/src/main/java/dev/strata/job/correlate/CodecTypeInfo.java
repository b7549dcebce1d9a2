package dev.strata.job.correlate;

import java.io.IOException;
import java.util.Objects;
import org.apache.flink.api.common.serialization.SerializerConfig;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSchemaCompatibility;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;

/**
 * Type information of an immutable message type written by a {@link Codec}: no Kryo, no POJO analysis. Values are
 * treated as immutable (never modified after creation), so copies are the same instance.
 */
public final class CodecTypeInfo<T> extends dev.strata.job.serde.SingleValueTypeInfo<T> {
  private static final long serialVersionUID = 1L;
  private final Codec<T> codec;

  public CodecTypeInfo(Class<T> type, Codec<T> codec) {
    super(type);
    this.codec = Objects.requireNonNull(codec);
  }

  @Override
  public TypeSerializer<T> createSerializer(SerializerConfig config) {
    return new Serializer<>(getTypeClass(), codec);
  }

  @Override
  public String toString() {
    return "Codec<" + getTypeClass().getSimpleName() + ">";
  }

  /** The serializer. */
  public static final class Serializer<T> extends TypeSerializer<T> {
    private static final long serialVersionUID = 1L;
    private final Class<T> type;
    private final Codec<T> codec;

    Serializer(Class<T> type, Codec<T> codec) {
      this.type = type;
      this.codec = codec;
    }

    @Override
    public boolean isImmutableType() {
      return true;
    }

    @Override
    public TypeSerializer<T> duplicate() {
      return this;
    }

    @Override
    public T createInstance() {
      return null;
    }

    @Override
    public T copy(T from) {
      return from;
    }

    @Override
    public T copy(T from, T reuse) {
      return from;
    }

    @Override
    public int getLength() {
      return -1;
    }

    @Override
    public void serialize(T record, DataOutputView target) throws IOException {
      codec.write(record, target);
    }

    @Override
    public T deserialize(DataInputView source) throws IOException {
      return codec.read(source);
    }

    @Override
    public T deserialize(T reuse, DataInputView source) throws IOException {
      return codec.read(source);
    }

    @Override
    public void copy(DataInputView source, DataOutputView target) throws IOException {
      codec.write(codec.read(source), target);
    }

    /** Serialized size of one value (for state size measurements). */
    public int sizeOf(T value) throws IOException {
      DataOutputSerializer out = new DataOutputSerializer(64);
      codec.write(value, out);
      return out.length();
    }

    /** Round trip (tests). */
    public T roundTrip(T value) throws IOException {
      DataOutputSerializer out = new DataOutputSerializer(64);
      codec.write(value, out);
      return codec.read(new DataInputDeserializer(out.getCopyOfBuffer()));
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Serializer<?> s && s.type.equals(type);
    }

    @Override
    public int hashCode() {
      return type.hashCode();
    }

    @Override
    public TypeSerializerSnapshot<T> snapshotConfiguration() {
      return new Snapshot<>(type, codec);
    }
  }

  /** Stores the type and codec class names. */
  public static final class Snapshot<T> implements TypeSerializerSnapshot<T> {
    private Class<T> type;
    private Codec<T> codec;

    public Snapshot() {}

    Snapshot(Class<T> type, Codec<T> codec) {
      this.type = type;
      this.codec = codec;
    }

    @Override
    public int getCurrentVersion() {
      return 1;
    }

    @Override
    public void writeSnapshot(DataOutputView out) throws IOException {
      out.writeUTF(type.getName());
      out.writeUTF(codec.getClass().getName());
    }

    @Override
    @SuppressWarnings("unchecked")
    public void readSnapshot(int readVersion, DataInputView in, ClassLoader cl) throws IOException {
      String t = in.readUTF();
      String c = in.readUTF();
      try {
        type = (Class<T>) Class.forName(t, false, cl);
        codec = (Codec<T>) Class.forName(c, true, cl).getDeclaredConstructor().newInstance();
      } catch (ReflectiveOperationException e) {
        throw new IOException("cannot restore " + t + " / " + c, e);
      }
    }

    @Override
    public TypeSerializer<T> restoreSerializer() {
      return new Serializer<>(type, codec);
    }

    @Override
    public TypeSerializerSchemaCompatibility<T> resolveSchemaCompatibility(TypeSerializerSnapshot<T> old) {
      return old instanceof Snapshot<?> s && s.type != null && s.type.getName().equals(type.getName())
          ? TypeSerializerSchemaCompatibility.compatibleAsIs()
          : TypeSerializerSchemaCompatibility.incompatible();
    }
  }
}
