package dev.strata.job.serde;

import dev.strata.schema.AvroCodec;
import java.io.IOException;
import java.util.Objects;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecordBase;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSchemaCompatibility;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * Flink serializer for a generated Avro record, in the strata wire format ({@link AvroCodec}: single-object encoding,
 * length-prefixed). Keeps Kryo out of the job and lets old serialized values decode through the registered schema
 * history, like the Kafka topics do.
 */
public final class AvroCodecSerializer<T extends SpecificRecordBase> extends TypeSerializer<T> {
  private static final long serialVersionUID = 1L;

  private final Class<T> type;
  private transient AvroCodec<T> codec;
  private transient SpecificData model;
  private transient Schema schema;

  public AvroCodecSerializer(Class<T> type) {
    this.type = Objects.requireNonNull(type, "type");
  }

  public Class<T> type() {
    return type;
  }

  AvroCodec<T> codec() {
    if (codec == null) {
      codec = AvroCodec.of(type);
    }
    return codec;
  }

  @Override
  public boolean isImmutableType() {
    return false;
  }

  @Override
  public TypeSerializer<T> duplicate() {
    // AvroCodec is thread-safe; the instance can be shared.
    return this;
  }

  @Override
  public T createInstance() {
    return null;
  }

  @Override
  public T copy(T from) {
    if (from == null) {
      return null;
    }
    if (model == null) {
      schema = from.getSchema();
      model = SpecificData.getForSchema(schema);
    }
    return model.deepCopy(schema, from);
  }

  @Override
  public T copy(T from, T reuse) {
    return copy(from);
  }

  @Override
  public int getLength() {
    return -1;
  }

  @Override
  public void serialize(T record, DataOutputView target) throws IOException {
    byte[] bytes = codec().encode(record);
    target.writeInt(bytes.length);
    target.write(bytes);
  }

  @Override
  public T deserialize(DataInputView source) throws IOException {
    int len = source.readInt();
    byte[] bytes = new byte[len];
    source.readFully(bytes);
    return codec().decode(bytes);
  }

  @Override
  public T deserialize(T reuse, DataInputView source) throws IOException {
    return deserialize(source);
  }

  @Override
  public void copy(DataInputView source, DataOutputView target) throws IOException {
    int len = source.readInt();
    target.writeInt(len);
    target.write(source, len);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof AvroCodecSerializer<?> other && other.type.equals(type);
  }

  @Override
  public int hashCode() {
    return type.hashCode();
  }

  @Override
  public TypeSerializerSnapshot<T> snapshotConfiguration() {
    return new Snapshot<>(type);
  }

  /** Stores the record class; the wire format carries its own schema fingerprint, so any version decodes. */
  public static final class Snapshot<T extends SpecificRecordBase> implements TypeSerializerSnapshot<T> {
    private Class<T> type;

    public Snapshot() {}

    Snapshot(Class<T> type) {
      this.type = type;
    }

    @Override
    public int getCurrentVersion() {
      return 1;
    }

    @Override
    public void writeSnapshot(DataOutputView out) throws IOException {
      out.writeUTF(type.getName());
    }

    @Override
    @SuppressWarnings("unchecked")
    public void readSnapshot(int readVersion, DataInputView in, ClassLoader classLoader) throws IOException {
      String name = in.readUTF();
      try {
        type = (Class<T>) Class.forName(name, false, classLoader);
      } catch (ClassNotFoundException e) {
        throw new IOException("cannot load " + name, e);
      }
    }

    @Override
    public TypeSerializer<T> restoreSerializer() {
      return new AvroCodecSerializer<>(type);
    }

    @Override
    public TypeSerializerSchemaCompatibility<T> resolveSchemaCompatibility(TypeSerializerSnapshot<T> oldSnapshot) {
      if (oldSnapshot instanceof Snapshot<?> old && old.type != null && old.type.getName().equals(type.getName())) {
        return TypeSerializerSchemaCompatibility.compatibleAsIs();
      }
      return TypeSerializerSchemaCompatibility.incompatible();
    }
  }
}
