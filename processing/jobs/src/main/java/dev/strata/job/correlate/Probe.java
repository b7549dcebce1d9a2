package dev.strata.job.correlate;

import java.io.IOException;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * An event asking what covers {@code key} at its time.
 *
 * @param time event time, micros
 * @param rev the revision of the request this probe was computed from ({@link EnrichRequest#rev}; 0 at hop 1)
 */
public record Probe(String key, String eventId, long time, long rev) {
  public static final TypeInformation<Probe> TYPE = new CodecTypeInfo<>(Probe.class, new ProbeCodec());

  /** Codec of {@link Probe}. */
  public static final class ProbeCodec implements Codec<Probe> {
    private static final long serialVersionUID = 1L;

    @Override
    public void write(Probe p, DataOutputView out) throws IOException {
      Codec.writeString(p.key, out);
      Codec.writeString(p.eventId, out);
      out.writeLong(p.time);
      out.writeLong(p.rev);
    }

    @Override
    public Probe read(DataInputView in) throws IOException {
      return new Probe(Codec.readString(in), Codec.readString(in), in.readLong(), in.readLong());
    }
  }
}
