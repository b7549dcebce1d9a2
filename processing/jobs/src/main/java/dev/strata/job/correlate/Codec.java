package dev.strata.job.correlate;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.io.Serializable;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * Binary form of one message type of the correlation job. Implementations have a public no-argument constructor
 * (the serializer snapshot restores them by class name).
 */
public interface Codec<T> extends Serializable {
  void write(T value, DataOutputView out) throws IOException;

  T read(DataInputView in) throws IOException;

  /**
   * A string as its UTF-8 length (int) and bytes: {@code String.getBytes(UTF_8)} and {@code new String(.., UTF_8)}
   * copy ASCII strings in bulk, where {@code writeUTF}/{@code readUTF} go char by char (3-10x slower per string,
   * and the correlation messages are mostly strings: ids, keys, names).
   */
  static void writeString(String s, DataOutputView out) throws IOException {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    out.writeInt(b.length);
    out.write(b);
  }

  static String readString(DataInputView in) throws IOException {
    byte[] b = new byte[in.readInt()];
    in.readFully(b);
    return new String(b, StandardCharsets.UTF_8);
  }

  /** Bytes as their length (int) and the bytes. */
  static void writeBytes(byte[] b, DataOutputView out) throws IOException {
    out.writeInt(b.length);
    out.write(b);
  }

  static byte[] readBytes(DataInputView in) throws IOException {
    byte[] b = new byte[in.readInt()];
    in.readFully(b);
    return b;
  }

  /** A nullable string: a length of -1 for null, else {@link #writeString}. */
  static void writeNullableString(String s, DataOutputView out) throws IOException {
    if (s == null) out.writeInt(-1);
    else writeString(s, out);
  }

  static String readNullableString(DataInputView in) throws IOException {
    int n = in.readInt();
    if (n < 0) return null;
    byte[] b = new byte[n];
    in.readFully(b);
    return new String(b, StandardCharsets.UTF_8);
  }

  static void writeNullable(String s, DataOutputView out) throws IOException {
    out.writeBoolean(s != null);
    if (s != null) out.writeUTF(s);
  }

  static String readNullable(DataInputView in) throws IOException {
    return in.readBoolean() ? in.readUTF() : null;
  }
}
