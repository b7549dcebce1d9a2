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
 * @param request the request itself when {@code key} is its only key at this hop: the lookup then answers with the
 *     request, merged ({@link LookupFunction#ANSWERED}), and no gather is needed; null when the request has several
 *     keys at this hop (the lookup answers with a {@link Resolution} for the hop's gather)
 */
public record Probe(String key, String eventId, long time, long rev, EnrichRequest request) {
  public static final TypeInformation<Probe> TYPE = new CodecTypeInfo<>(Probe.class, new ProbeCodec());

  /** A probe of one of several keys of its request (answered with a {@link Resolution}). */
  public Probe(String key, String eventId, long time, long rev) {
    this(key, eventId, time, rev, null);
  }

  /** The probe of the only key of {@code r} at its hop: carries {@code r}. */
  public static Probe carrying(String key, EnrichRequest r) {
    return new Probe(key, r.eventId(), r.time(), r.rev(), r);
  }

  /** Codec of {@link Probe}. */
  public static final class ProbeCodec implements Codec<Probe> {
    private static final long serialVersionUID = 1L;
    private static final EnrichRequest.EnrichRequestCodec REQUEST = new EnrichRequest.EnrichRequestCodec();

    @Override
    public void write(Probe p, DataOutputView out) throws IOException {
      Codec.writeString(p.key, out);
      out.writeBoolean(p.request != null);
      if (p.request != null) {
        REQUEST.write(p.request, out); // id, time and revision are the request's
        return;
      }
      Codec.writeString(p.eventId, out);
      out.writeLong(p.time);
      out.writeLong(p.rev);
    }

    @Override
    public Probe read(DataInputView in) throws IOException {
      String key = Codec.readString(in);
      if (in.readBoolean()) return carrying(key, REQUEST.read(in));
      return new Probe(key, Codec.readString(in), in.readLong(), in.readLong(), null);
    }
  }
}
