package dev.strata.job.correlate;

import dev.strata.correlate.BindingExtractor;
import dev.strata.correlate.EnrichmentMerger;
import dev.strata.correlate.LookupKeys;
import dev.strata.schema.event.Enrichment;
import dev.strata.schema.event.EvidenceEvent;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * What the hops need of an event, instead of the event: its id and time, what is known so far and the keys it asked
 * at hop 1 (hop 1's keys come from the event's own fields; later hops' keys from {@code known} alone, see {@link
 * LookupKeys#probes(int, Enrichment, List)}). A few hundred bytes where the event is about a kilobyte of Avro; the
 * event itself goes once, straight to the final join ({@link JoinEnrichment}).
 *
 * <p>{@code rev} orders the results of one event along its path: hop N's gather writes its own result counter into
 * bits {@code [21 * (HOPS - N), 21 * (HOPS - N + 1))} ({@link #revisionAt}), so a newer result of an earlier hop
 * compares above every result derived from an older one, whichever later hops either went through (a hop with no key
 * is skipped and leaves its counter at 0). Compare revisions as longs; {@link #rev} 0 = nothing resolved yet.
 *
 * @param time event time, micros
 * @param known the enrichment so far (never modified once emitted: copy it to change it)
 * @param hop1Keys the keys asked at hop 1 (later hops do not ask them again)
 */
public record EnrichRequest(String eventId, long time, long rev, Enrichment known, List<String> hop1Keys) {
  public static final TypeInformation<EnrichRequest> TYPE =
      new CodecTypeInfo<>(EnrichRequest.class, new EnrichRequestCodec());

  static final int REVISION_BITS = 21;
  static final long MAX_COUNTER = (1L << REVISION_BITS) - 1;

  /** The request of an event entering the hops: what it names itself ({@link EnrichmentMerger#base}), its hop-1 keys. */
  public static EnrichRequest of(EvidenceEvent e) {
    Enrichment known = EnrichmentMerger.base(e);
    return new EnrichRequest(e.getEventId(), lookupTime(e), 0, known, LookupKeys.probes(1, e, known));
  }

  /**
   * When {@code e} is resolved: at its time, except a runtime's end of a container (containerd's TaskExit, Docker's
   * die, ...), which closes the container's bindings at that very instant: it is the container's last act in its
   * pod, resolved a microsecond before, so the exit of a pod's container names the pod, node and service account.
   */
  static long lookupTime(EvidenceEvent e) {
    long t = BindingExtractor.micros(e.getTime());
    return BindingExtractor.containerEnd(e) != null ? t - 1 : t;
  }

  /** The lookup keys of this request at hop {@code hop}. */
  public List<String> keys(int hop) {
    return hop == 1 ? hop1Keys : LookupKeys.probes(hop, known, hop1Keys);
  }

  /**
   * This request as hop {@code hop} >= 2 and later need it: without the hop-1 keys none of them could ask (an
   * address, an ENI, an access key: they only keep later hops from asking a key twice), so the probes, registrations
   * and results from here on do not carry them. The same request when nothing is left out.
   */
  public EnrichRequest forHop(int hop) {
    if (hop < 2 || hop1Keys.isEmpty()) return this;
    List<String> kept = null;
    for (int i = 0; i < hop1Keys.size(); i++) {
      boolean keep = LookupKeys.askedFrom(hop, LookupKeys.typeOf(hop1Keys.get(i)));
      if (!keep && kept == null) kept = new ArrayList<>(hop1Keys.subList(0, i));
      else if (keep && kept != null) kept.add(hop1Keys.get(i));
    }
    return kept == null ? this : new EnrichRequest(eventId, time, rev, known, kept);
  }

  /** {@code base} with hop {@code hop}'s result counter set to {@code counter} (capped at 2^21 - 1). */
  static long revisionAt(long base, int hop, long counter) {
    return base | (Math.min(counter, MAX_COUNTER) << (REVISION_BITS * (LookupKeys.HOPS - hop)));
  }

  /** A copy of {@code r} with {@code known} and {@code rev}. */
  EnrichRequest with(long rev, Enrichment known) {
    return new EnrichRequest(eventId, time, rev, known, hop1Keys);
  }

  /** Codec of {@link EnrichRequest}. */
  public static final class EnrichRequestCodec implements Codec<EnrichRequest> {
    private static final long serialVersionUID = 1L;

    @Override
    public void write(EnrichRequest r, DataOutputView out) throws IOException {
      Codec.writeString(r.eventId, out);
      out.writeLong(r.time);
      out.writeLong(r.rev);
      writeStrings(r.hop1Keys, out);
      EnrichmentCodec.write(r.known, out);
    }

    @Override
    public EnrichRequest read(DataInputView in) throws IOException {
      String id = Codec.readString(in);
      long time = in.readLong();
      long rev = in.readLong();
      List<String> keys = readStrings(in);
      return new EnrichRequest(id, time, rev, EnrichmentCodec.read(in), keys);
    }
  }

  static void writeStrings(List<String> l, DataOutputView out) throws IOException {
    out.writeShort(l.size());
    for (String s : l) Codec.writeString(s, out);
  }

  static List<String> readStrings(DataInputView in) throws IOException {
    int n = in.readUnsignedShort();
    List<String> l = new ArrayList<>(n);
    for (int i = 0; i < n; i++) l.add(Codec.readString(in));
    return l;
  }

  /**
   * {@link Enrichment}, compact: a marker byte, a varint bit mask of the fields that are set (a string that is not
   * null, a non-empty array, a non-zero int), then those fields in schema order (strings as a varint length and UTF-8,
   * arrays as a varint count and strings, ints as varints). A request's enrichment has a handful of the 20 fields
   * set; the first form wrote every field (a 4-byte length or -1 per string), 80+ bytes of nulls per message and
   * stored state. That form is still read (state written by an older build): it starts with the first field's
   * 4-byte length, whose first byte is 0x00 or 0xFF, never {@link #COMPACT}. A field of another type fails at class
   * load, so a schema change that adds one is caught by the first test.
   */
  static final class EnrichmentCodec {
    private static final List<Schema.Field> FIELDS = Enrichment.getClassSchema().getFields();
    private static final char[] KINDS = new char[FIELDS.size()];
    /** First byte of the compact form. */
    static final int COMPACT = 0x5C;

    static {
      for (Schema.Field f : FIELDS) {
        Schema s = f.schema();
        char k;
        if (s.getType() == Schema.Type.UNION && s.getTypes().size() == 2
            && s.getTypes().get(1).getType() == Schema.Type.STRING) {
          k = 's';
        } else if (s.getType() == Schema.Type.ARRAY && s.getElementType().getType() == Schema.Type.STRING) {
          k = 'a';
        } else if (s.getType() == Schema.Type.INT) {
          k = 'i';
        } else {
          throw new IllegalStateException("Enrichment." + f.name() + ": no codec for " + s);
        }
        KINDS[f.pos()] = k;
      }
      if (KINDS.length > 63 || KINDS[0] != 's') {
        throw new IllegalStateException("Enrichment: the codec needs at most 63 fields, the first a string");
      }
    }

    private EnrichmentCodec() {}

    @SuppressWarnings("unchecked")
    static void write(Enrichment e, DataOutputView out) throws IOException {
      long mask = 0;
      for (int i = 0; i < KINDS.length; i++) {
        Object v = e.get(i);
        boolean set = switch (KINDS[i]) {
          case 's' -> v != null;
          case 'a' -> v != null && !((List<?>) v).isEmpty();
          default -> (Integer) v != 0;
        };
        if (set) mask |= 1L << i;
      }
      out.writeByte(COMPACT);
      varint(mask, out);
      for (int i = 0; i < KINDS.length; i++) {
        if ((mask & (1L << i)) == 0) continue;
        Object v = e.get(i);
        switch (KINDS[i]) {
          case 's' -> string(v.toString(), out);
          case 'a' -> {
            List<String> l = (List<String>) v;
            varint(l.size(), out);
            for (String x : l) string(x, out);
          }
          default -> varint((Integer) v & 0xFFFFFFFFL, out);
        }
      }
    }

    static Enrichment read(DataInputView in) throws IOException {
      int first = in.readUnsignedByte();
      if (first != COMPACT) return readFull(first, in);
      long mask = varint(in);
      Enrichment e = new Enrichment();
      for (int i = 0; i < KINDS.length; i++) {
        boolean set = (mask & (1L << i)) != 0;
        switch (KINDS[i]) {
          case 's' -> e.put(i, set ? string(in) : null);
          case 'a' -> {
            int n = set ? (int) varint(in) : 0;
            List<String> l = new ArrayList<>(Math.max(n, 2));
            for (int j = 0; j < n; j++) l.add(string(in));
            e.put(i, l);
          }
          default -> e.put(i, set ? (int) varint(in) : 0);
        }
      }
      return e;
    }

    /** The first form (every field: strings as a nullable 4-byte-length string), whose first byte was read. */
    private static Enrichment readFull(int first, DataInputView in) throws IOException {
      Enrichment e = new Enrichment();
      for (int i = 0; i < KINDS.length; i++) {
        switch (KINDS[i]) {
          case 's' -> {
            int n = i == 0 ? first << 24 | in.readUnsignedByte() << 16 | in.readUnsignedByte() << 8
                | in.readUnsignedByte() : in.readInt();
            if (n < 0) {
              e.put(i, null);
            } else {
              byte[] b = new byte[n];
              in.readFully(b);
              e.put(i, new String(b, StandardCharsets.UTF_8));
            }
          }
          case 'a' -> e.put(i, readStrings(in));
          default -> e.put(i, in.readInt());
        }
      }
      return e;
    }

    private static void varint(long v, DataOutputView out) throws IOException {
      while ((v & ~0x7FL) != 0) {
        out.writeByte((int) ((v & 0x7F) | 0x80));
        v >>>= 7;
      }
      out.writeByte((int) v);
    }

    private static long varint(DataInputView in) throws IOException {
      long v = 0;
      for (int shift = 0; ; shift += 7) {
        int b = in.readUnsignedByte();
        v |= (long) (b & 0x7F) << shift;
        if ((b & 0x80) == 0) return v;
      }
    }

    private static void string(String s, DataOutputView out) throws IOException {
      byte[] b = s.getBytes(StandardCharsets.UTF_8);
      varint(b.length, out);
      out.write(b);
    }

    private static String string(DataInputView in) throws IOException {
      byte[] b = new byte[(int) varint(in)];
      in.readFully(b);
      return new String(b, StandardCharsets.UTF_8);
    }

    /** A deep copy (the lists are new; strings are immutable). */
    static Enrichment copy(Enrichment e) {
      Enrichment c = new Enrichment();
      for (int i = 0; i < KINDS.length; i++) {
        Object v = e.get(i);
        c.put(i, KINDS[i] == 'a' ? new ArrayList<>((List<?>) v) : v);
      }
      return c;
    }
  }
}
