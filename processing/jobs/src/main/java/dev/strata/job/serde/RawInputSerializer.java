package dev.strata.job.serde;

import dev.strata.job.RawInput;
import dev.strata.schema.raw.RawArtifactChunk;
import java.io.IOException;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * Serializer of {@link RawInput}: a tag byte, the Kafka coordinates, then either the chunk (Avro wire format) or the
 * undecodable bytes with the decode error.
 */
public final class RawInputSerializer extends TypeSerializer<RawInput> {
  private static final long serialVersionUID = 1L;
  private static final byte CHUNK = 1;
  private static final byte UNDECODABLE = 2;

  private final AvroCodecSerializer<RawArtifactChunk> chunks = new AvroCodecSerializer<>(RawArtifactChunk.class);

  @Override
  public boolean isImmutableType() {
    return false;
  }

  @Override
  public TypeSerializer<RawInput> duplicate() {
    return this;
  }

  @Override
  public RawInput createInstance() {
    return null;
  }

  @Override
  public RawInput copy(RawInput from) {
    if (from == null || !from.isChunk()) {
      return from; // undecodable inputs are immutable (the byte array is never modified)
    }
    return RawInput.chunk(chunks.copy(from.chunk()), from.topic(), from.partition(), from.offset());
  }

  @Override
  public RawInput copy(RawInput from, RawInput reuse) {
    return copy(from);
  }

  @Override
  public int getLength() {
    return -1;
  }

  @Override
  public void serialize(RawInput in, DataOutputView out) throws IOException {
    out.writeByte(in.isChunk() ? CHUNK : UNDECODABLE);
    writeNullableString(in.topic(), out);
    out.writeInt(in.partition());
    out.writeLong(in.offset());
    if (in.isChunk()) {
      chunks.serialize(in.chunk(), out);
    } else {
      byte[] bytes = in.original();
      out.writeInt(bytes.length);
      out.write(bytes);
      writeNullableString(in.error(), out);
    }
  }

  @Override
  public RawInput deserialize(DataInputView in) throws IOException {
    byte tag = in.readByte();
    String topic = readNullableString(in);
    int partition = in.readInt();
    long offset = in.readLong();
    if (tag == CHUNK) {
      return RawInput.chunk(chunks.deserialize(in), topic, partition, offset);
    }
    if (tag != UNDECODABLE) {
      throw new IOException("corrupt RawInput tag " + tag);
    }
    byte[] bytes = new byte[in.readInt()];
    in.readFully(bytes);
    return RawInput.undecodable(bytes, topic, partition, offset, readNullableString(in));
  }

  @Override
  public RawInput deserialize(RawInput reuse, DataInputView source) throws IOException {
    return deserialize(source);
  }

  @Override
  public void copy(DataInputView source, DataOutputView target) throws IOException {
    serialize(deserialize(source), target);
  }

  private static void writeNullableString(String s, DataOutputView out) throws IOException {
    out.writeBoolean(s != null);
    if (s != null) {
      out.writeUTF(s.length() > 16_000 ? s.substring(0, 16_000) : s);
    }
  }

  private static String readNullableString(DataInputView in) throws IOException {
    return in.readBoolean() ? in.readUTF() : null;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof RawInputSerializer;
  }

  @Override
  public int hashCode() {
    return RawInputSerializer.class.hashCode();
  }

  @Override
  public TypeSerializerSnapshot<RawInput> snapshotConfiguration() {
    return new Snapshot();
  }

  /** Stateless serializer: the snapshot only records the version. */
  public static final class Snapshot extends SimpleTypeSerializerSnapshot<RawInput> {
    public Snapshot() {
      super(RawInputSerializer::new);
    }
  }
}
