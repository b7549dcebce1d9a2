package dev.strata.job.correlate;

import java.io.IOException;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * An event asking what covers {@code key} at its time.
 *
 * @param time event time, micros
 * @param rev the revision of the event's enrichment this probe was computed from (0 at hop 1)
 */
public record Probe(String key, String eventId, long time, int rev) {
  public static final TypeInformation<Probe> TYPE = new CodecTypeInfo<>(Probe.class, new ProbeCodec());

  /** Codec of {@link Probe}. */
  public static final class ProbeCodec implements Codec<Probe> {
    private static final long serialVersionUID = 1L;

    @Override
    public void write(Probe p, DataOutputView out) throws IOException {
      out.writeUTF(p.key);
      out.writeUTF(p.eventId);
      out.writeLong(p.time);
      out.writeInt(p.rev);
    }

    @Override
    public Probe read(DataInputView in) throws IOException {
      return new Probe(in.readUTF(), in.readUTF(), in.readLong(), in.readInt());
    }
  }
}
