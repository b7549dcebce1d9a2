package dev.strata.job.correlate;

import java.io.IOException;
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

  static void writeNullable(String s, DataOutputView out) throws IOException {
    out.writeBoolean(s != null);
    if (s != null) out.writeUTF(s);
  }

  static String readNullable(DataInputView in) throws IOException {
    return in.readBoolean() ? in.readUTF() : null;
  }
}
