package dev.strata.job.correlate;

import dev.strata.correlate.LookupKeys;
import java.io.IOException;
import java.util.List;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * An event asking what covers its lookup keys that share the state key {@code key} ({@link LookupKeys#stateKey}: an
 * address in each scope the event names) at its time.
 *
 * @param time event time, micros
 * @param rev the revision of the request this probe was computed from ({@link EnrichRequest#rev}; 0 at hop 1)
 * @param request the request itself when {@code key} holds all of its keys at this hop: the lookup then answers with
 *     the request, merged ({@link LookupFunction#ANSWERED}), and no gather is needed; null when the request's keys
 *     at this hop have several state keys (the lookup answers with a {@link Resolution} per lookup key for the hop's
 *     gather)
 * @param keys the lookup keys asked, in priority order (of a probe that carries its request: null, they are all of
 *     the request's keys at the hop)
 */
public record Probe(String key, String eventId, long time, long rev, EnrichRequest request, List<String> keys) {
  public static final TypeInformation<Probe> TYPE = new CodecTypeInfo<>(Probe.class, new ProbeCodec());

  /** A probe of some of several state keys of its request (answered with a {@link Resolution} per lookup key). */
  public static Probe of(String stateKey, List<String> keys, EnrichRequest r) {
    return new Probe(stateKey, r.eventId(), r.time(), r.rev(), null, keys);
  }

  /** The probe of the only state key of {@code r}'s keys at its hop: carries {@code r}. */
  public static Probe carrying(String stateKey, EnrichRequest r) {
    return new Probe(stateKey, r.eventId(), r.time(), r.rev(), r, null);
  }

  /** The lookup keys asked ({@link #keys}, or those of the request carried at {@code hop}). */
  List<String> keysAt(int hop) {
    return request != null ? request.keys(hop) : keys;
  }

  /** Codec of {@link Probe}. */
  public static final class ProbeCodec implements Codec<Probe> {
    private static final long serialVersionUID = 1L;
    private static final EnrichRequest.WithEventCodec REQUEST = new EnrichRequest.WithEventCodec();

    @Override
    public void write(Probe p, DataOutputView out) throws IOException {
      Codec.writeString(p.key, out);
      out.writeBoolean(p.request != null);
      if (p.request != null) {
        REQUEST.write(p.request, out); // id, time, revision and keys are the request's; its event too
        return;
      }
      Codec.writeString(p.eventId, out);
      out.writeLong(p.time);
      out.writeLong(p.rev);
      EnrichRequest.writeStrings(p.keys, out);
    }

    @Override
    public Probe read(DataInputView in) throws IOException {
      String key = Codec.readString(in);
      if (in.readBoolean()) return carrying(key, REQUEST.read(in));
      return new Probe(key, Codec.readString(in), in.readLong(), in.readLong(), null, EnrichRequest.readStrings(in));
    }
  }
}
