package dev.strata.job.correlate;

import dev.strata.schema.AvroCodec;
import dev.strata.schema.event.EvidenceEvent;
import java.io.IOException;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * An event on its way to the final join, as the Avro wire bytes of the topics ({@link AvroCodec}: single-object
 * encoding) without its enrichment ({@link EventWire}): encoded once where it enters the correlation, shipped and
 * held as bytes, and never decoded: the join appends the enrichment it found to these bytes and emits the result.
 *
 * @param unenriched the event's wire bytes up to its {@code enrichment} field (whatever the event carried there is
 *     replaced by what the correlation finds)
 */
public record WireEvent(String eventId, byte[] unenriched) {
  public static final TypeInformation<WireEvent> TYPE = new CodecTypeInfo<>(WireEvent.class, new WireEventCodec());

  /** Event -> {@link WireEvent} (one encoder per subtask). */
  public static final class Encode extends RichMapFunction<EvidenceEvent, WireEvent> {
    private static final long serialVersionUID = 1L;
    private transient EventWire wire;

    @Override
    public void open(OpenContext ctx) {
      wire = new EventWire();
    }

    @Override
    public WireEvent map(EvidenceEvent e) {
      return new WireEvent(e.getEventId(), wire.withoutEnrichment(e));
    }
  }

  /** Codec of {@link WireEvent}. */
  public static final class WireEventCodec implements Codec<WireEvent> {
    private static final long serialVersionUID = 1L;

    @Override
    public void write(WireEvent w, DataOutputView out) throws IOException {
      Codec.writeString(w.eventId, out);
      Codec.writeBytes(w.unenriched, out);
    }

    @Override
    public WireEvent read(DataInputView in) throws IOException {
      return new WireEvent(Codec.readString(in), Codec.readBytes(in));
    }
  }
}
