package dev.strata.job.correlate;

import dev.strata.schema.AvroCodec;
import dev.strata.schema.event.EvidenceEvent;
import java.io.IOException;
import java.util.Arrays;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * An event on its way through the hops inside its request ({@link EnrichRequest#event}), as the Avro wire bytes of
 * the topics ({@link AvroCodec}: single-object encoding) without its enrichment ({@link EventWire}): taken from the
 * normalized topic's record or encoded once where it enters the correlation, shipped as bytes, and never decoded: the
 * end of the request's path appends the enrichment it found to these bytes and emits the result ({@link
 * EmitEnriched}).
 *
 * @param bytes the event's wire bytes up to its {@code enrichment} field in its first {@code length} bytes (whatever
 *     the event carried there is replaced by what the correlation finds); longer when they are the record's value
 *     (its last byte, the enrichment's null branch, is not the event's: not copied, not shipped); null in a reference
 *     to the event by its coordinates ({@link #reference}: state for a re-resolution)
 * @param length how many of {@code bytes} are the event's
 * @param partition where the normalized topic holds the event ({@link SourcedEvent}), or {@link SourcedEvent#NONE}:
 *     state keeps the coordinates instead of the bytes once the event is on its way ({@link EnrichRequest#kept})
 * @param offset the event's offset in that partition
 */
public record WireEvent(String eventId, byte[] bytes, int length, int partition, long offset) {
  public static final TypeInformation<WireEvent> TYPE = new CodecTypeInfo<>(WireEvent.class, new WireEventCodec());

  /** An event without coordinates in the normalized topic (the join keeps its bytes). */
  public WireEvent(String eventId, byte[] unenriched) {
    this(eventId, unenriched, SourcedEvent.NONE, 0);
  }

  /** An event whose wire bytes without enrichment are {@code unenriched}, all of them. */
  public WireEvent(String eventId, byte[] unenriched, int partition, long offset) {
    this(eventId, unenriched, unenriched.length, partition, offset);
  }

  /**
   * The event's wire bytes without its enrichment (after a shuffle, which is how the join gets them, {@link #bytes}
   * themselves; a copy of their first {@link #length} bytes otherwise).
   */
  public byte[] unenriched() {
    return bytes == null || length == bytes.length ? bytes : Arrays.copyOf(bytes, length);
  }

  /** This event by its coordinates only (no bytes: {@link #bytes} null, {@link #length} -1). */
  public WireEvent reference() {
    return new WireEvent(eventId, null, -1, partition, offset);
  }

  public boolean hasOffset() {
    return partition >= 0;
  }

  /** What both encoders share: one {@link EventWire} per subtask. */
  private abstract static class Encoder<T> extends RichMapFunction<T, WireEvent> {
    private static final long serialVersionUID = 1L;
    transient EventWire wire;

    @Override
    public void open(OpenContext ctx) {
      wire = new EventWire();
    }
  }

  /**
   * {@link SourcedEvent} -> {@link WireEvent} with the event's coordinates: the record's value itself when it holds
   * the event's bytes ({@link SourcedEvent#value}: no encode, no copy; the exchange to the join writes the event's
   * part), else the event encoded (one encoder per subtask).
   */
  public static final class EncodeSourced extends Encoder<SourcedEvent> {
    private static final long serialVersionUID = 1L;

    @Override
    public WireEvent map(SourcedEvent s) {
      return of(s, wire);
    }

    /** The wire event of {@code s} (encoded with {@code wire} only when the record's value is not its bytes). */
    static WireEvent of(SourcedEvent s, EventWire wire) {
      EvidenceEvent e = s.event();
      byte[] value = s.value();
      return value != null
          ? new WireEvent(e.getEventId(), value, value.length - 1, s.partition(), s.offset())
          : new WireEvent(e.getEventId(), wire.withoutEnrichment(e), s.partition(), s.offset());
    }
  }

  /** Codec of {@link WireEvent}. */
  public static final class WireEventCodec implements Codec<WireEvent> {
    private static final long serialVersionUID = 1L;

    @Override
    public void write(WireEvent w, DataOutputView out) throws IOException {
      Codec.writeString(w.eventId, out);
      out.writeInt(w.length); // the layout of Codec.writeBytes: the event's bytes only
      out.write(w.bytes, 0, w.length);
      out.writeInt(w.partition);
      if (w.partition >= 0) out.writeLong(w.offset);
    }

    @Override
    public WireEvent read(DataInputView in) throws IOException {
      String id = Codec.readString(in);
      byte[] unenriched = Codec.readBytes(in);
      int partition = in.readInt();
      return new WireEvent(id, unenriched, unenriched.length, partition, partition >= 0 ? in.readLong() : 0);
    }
  }
}
