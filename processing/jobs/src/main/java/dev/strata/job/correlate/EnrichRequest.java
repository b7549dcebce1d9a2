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
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * What the hops need of an event, instead of the event: its id and time, what is known so far and the keys it asked
 * at hop 1 (hop 1's keys come from the event's own fields; later hops' keys from {@code known} alone, see {@link
 * LookupKeys#probes(int, Enrichment, List)}), and the event itself as its wire bytes ({@link #event}), which the end
 * of the request's path appends the enrichment to ({@link EmitEnriched}); probes that do not carry the request, the
 * answers and state carry no event bytes.
 *
 * <p>{@code rev} orders the results of one event along its path: hop N's gather writes its own result counter into
 * bits {@code [21 * (HOPS - N), 21 * (HOPS - N + 1))} ({@link #revisionAt}), so a newer result of an earlier hop
 * compares above every result derived from an older one, whichever later hops either went through (a hop with no key
 * is skipped and leaves its counter at 0). Compare revisions as longs; {@link #rev} 0 = nothing resolved yet.
 *
 * @param time event time, micros
 * @param known the enrichment so far (never modified once emitted: copy it to change it)
 * @param hop1Keys the keys asked at hop 1 (later hops do not ask them again)
 * @param event the event itself ({@link WireEvent}: its wire bytes without enrichment, and its coordinates in the
 *     normalized topic when it came from there), carried through the hops so that whichever operator finishes the
 *     request's first result ({@link #rev} 0) emits the enriched event ({@link EmitEnriched}); a request rebuilt from
 *     state for a re-resolution carries only the coordinates when there are any ({@link #kept}: the bytes are read
 *     back from the topic, {@link Reemission}); null: none (requests of tests)
 */
public record EnrichRequest(String eventId, long time, long rev, Enrichment known, List<String> hop1Keys,
    WireEvent event) {
  public static final TypeInformation<EnrichRequest> TYPE =
      new CodecTypeInfo<>(EnrichRequest.class, new WithEventCodec());

  static final int REVISION_BITS = 21;

  /** A request without its event (tests). */
  public EnrichRequest(String eventId, long time, long rev, Enrichment known, List<String> hop1Keys) {
    this(eventId, time, rev, known, hop1Keys, null);
  }
  static final long MAX_COUNTER = (1L << REVISION_BITS) - 1;

  /** The request of an event entering the hops: what it names itself ({@link EnrichmentMerger#base}), its hop-1 keys. */
  public static EnrichRequest of(EvidenceEvent e) {
    return of(e, null);
  }

  /** {@link #of(EvidenceEvent)} carrying the event's wire bytes {@code wire} ({@link WireEvent}). */
  public static EnrichRequest of(EvidenceEvent e, WireEvent wire) {
    Enrichment known = EnrichmentMerger.base(e);
    return new EnrichRequest(e.getEventId(), lookupTime(e), 0, known, LookupKeys.probes(1, e, known), wire);
  }

  /**
   * Event -> its request carrying the event's wire bytes, encoded ({@code requests}, for a source of decoded events:
   * tests; one encoder per subtask).
   */
  public static final class Of extends RichMapFunction<EvidenceEvent,
      EnrichRequest> {
    private static final long serialVersionUID = 1L;
    private transient EventWire wire;

    @Override
    public void open(OpenContext ctx) {
      wire = new EventWire();
    }

    @Override
    public EnrichRequest map(EvidenceEvent e) {
      return of(e, new WireEvent(e.getEventId(), wire.withoutEnrichment(e)));
    }
  }

  /**
   * {@link SourcedEvent} -> its request carrying the record's bytes ({@link WireEvent.EncodeSourced#of}: no encode, no
   * copy) and, if {@code coordinates}, the event's coordinates in the normalized topic (without them, the hops'
   * registrations keep the bytes for a re-emission).
   */
  public static final class OfSourced extends RichMapFunction<SourcedEvent,
      EnrichRequest> {
    private static final long serialVersionUID = 1L;
    private final boolean coordinates;
    private transient EventWire wire;

    public OfSourced(boolean coordinates) {
      this.coordinates = coordinates;
    }

    @Override
    public void open(OpenContext ctx) {
      wire = new EventWire();
    }

    @Override
    public EnrichRequest map(SourcedEvent s) {
      WireEvent w = WireEvent.EncodeSourced.of(s, wire);
      if (!coordinates && w.hasOffset()) {
        w = new WireEvent(w.eventId(), w.bytes(), w.length(), SourcedEvent.NONE, 0);
      }
      return of(s.event(), w);
    }
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
    return kept == null ? this : new EnrichRequest(eventId, time, rev, known, kept, event);
  }

  /**
   * This request as state keeps it for a re-resolution: of an event with coordinates in the normalized topic, only
   * those (a re-emission reads the bytes back, {@link Reemission}); an event without them keeps its bytes.
   */
  public EnrichRequest kept() {
    return event == null || event.bytes() == null || !event.hasOffset() ? this
        : new EnrichRequest(eventId, time, rev, known, hop1Keys, event.reference());
  }

  /** {@code base} with hop {@code hop}'s result counter set to {@code counter} (capped at 2^21 - 1). */
  static long revisionAt(long base, int hop, long counter) {
    return base | (Math.min(counter, MAX_COUNTER) << (REVISION_BITS * (LookupKeys.HOPS - hop)));
  }

  /** A copy of {@code r} with {@code known} and {@code rev}. */
  EnrichRequest with(long rev, Enrichment known) {
    return new EnrichRequest(eventId, time, rev, known, hop1Keys, event);
  }

  /**
   * Codec of {@link EnrichRequest} without its event: the form state of builds before the last hop emitted the event
   * holds (a gather's request; {@link EventCodec} writes the event after it).
   */
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

  /** Codec of {@link EnrichRequest} with its event ({@link #TYPE}: the exchanges; state of this build). */
  public static final class WithEventCodec implements Codec<EnrichRequest> {
    private static final long serialVersionUID = 1L;
    private static final EnrichRequestCodec REQUEST = new EnrichRequestCodec();

    @Override
    public void write(EnrichRequest r, DataOutputView out) throws IOException {
      REQUEST.write(r, out);
      EventCodec.write(r.event, out);
    }

    @Override
    public EnrichRequest read(DataInputView in) throws IOException {
      EnrichRequest r = REQUEST.read(in);
      WireEvent e = EventCodec.read(r.eventId, in);
      return e == null ? r : new EnrichRequest(r.eventId, r.time, r.rev, r.known, r.hop1Keys, e);
    }
  }

  /**
   * A request's event ({@link WireEvent} without its id, the request's): the partition ({@link SourcedEvent#NONE}
   * and no more for no coordinates; {@link #NO_EVENT}: no event at all), the offset, then the length of the wire bytes
   * (-1: none, a reference only) and the bytes.
   */
  static final class EventCodec {
    static final int NO_EVENT = Integer.MIN_VALUE;

    private EventCodec() {}

    static void write(WireEvent e, DataOutputView out) throws IOException {
      if (e == null) {
        out.writeInt(NO_EVENT);
        return;
      }
      out.writeInt(e.partition());
      if (e.hasOffset()) out.writeLong(e.offset());
      if (e.bytes() == null) {
        out.writeInt(-1);
      } else {
        out.writeInt(e.length());
        out.write(e.bytes(), 0, e.length());
      }
    }

    static WireEvent read(String eventId, DataInputView in) throws IOException {
      int partition = in.readInt();
      if (partition == NO_EVENT) return null;
      long offset = partition >= 0 ? in.readLong() : 0;
      int n = in.readInt();
      byte[] bytes = null;
      if (n >= 0) {
        bytes = new byte[n];
        in.readFully(bytes);
      }
      return new WireEvent(eventId, bytes, n, partition, offset);
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

    /** An unsigned LEB128 varint (also {@link LookupFunction.RegisteredCodec}'s registrations by coordinates). */
    static void varint(long v, DataOutputView out) throws IOException {
      while ((v & ~0x7FL) != 0) {
        out.writeByte((int) ((v & 0x7F) | 0x80));
        v >>>= 7;
      }
      out.writeByte((int) v);
    }

    static long varint(DataInputView in) throws IOException {
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
