package dev.strata.job.correlate;

import dev.strata.correlate.BindingKind;
import dev.strata.correlate.Hit;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/** What covered {@code key} at the time of event {@code eventId} (probe revision {@code rev}); empty = nothing. */
public record Resolution(String eventId, String key, long rev, List<Hit> hits) {
  public static final TypeInformation<Resolution> TYPE =
      new CodecTypeInfo<>(Resolution.class, new ResolutionCodec());

  /** The binding ids of the hits, for change detection. */
  public static List<String> ids(List<Hit> hits) {
    List<String> ids = new ArrayList<>(hits.size());
    for (Hit h : hits) ids.add(h.bindingId());
    return ids;
  }

  /** Codec of {@link Resolution}. */
  public static final class ResolutionCodec implements Codec<Resolution> {
    private static final long serialVersionUID = 1L;
    private static final BindingKind[] KINDS = BindingKind.values();

    @Override
    public void write(Resolution r, DataOutputView out) throws IOException {
      Codec.writeString(r.eventId, out);
      Codec.writeString(r.key, out);
      out.writeLong(r.rev);
      out.writeShort(r.hits.size());
      for (Hit h : r.hits) {
        out.writeByte(h.kind().ordinal());
        Codec.writeString(h.bindingId(), out);
        Codec.writeString(h.object(), out);
        out.writeShort(h.attrs().size());
        for (Map.Entry<String, String> a : h.attrs().entrySet()) {
          Codec.writeString(a.getKey(), out);
          Codec.writeString(a.getValue(), out);
        }
      }
    }

    @Override
    public Resolution read(DataInputView in) throws IOException {
      String eventId = Codec.readString(in);
      String key = Codec.readString(in);
      long rev = in.readLong();
      int n = in.readShort();
      List<Hit> hits = new ArrayList<>(n);
      for (int i = 0; i < n; i++) {
        BindingKind kind = KINDS[in.readByte()];
        String id = Codec.readString(in);
        String object = Codec.readString(in);
        int m = in.readShort();
        Map<String, String> attrs = new LinkedHashMap<>();
        for (int j = 0; j < m; j++) attrs.put(Codec.readString(in), Codec.readString(in));
        hits.add(new Hit(kind, id, object, attrs));
      }
      return new Resolution(eventId, key, rev, hits);
    }
  }
}
