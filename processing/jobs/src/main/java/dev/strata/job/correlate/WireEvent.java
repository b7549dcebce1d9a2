package dev.strata.job.correlate;

import dev.strata.job.serde.AvroWireDecoder;
import dev.strata.job.serde.AvroWireEncoder;
import dev.strata.schema.AvroCodec;
import dev.strata.schema.event.EvidenceEvent;
import java.io.IOException;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * An event on its way to the final join, in the Avro wire format of the topics ({@link AvroCodec}: single-object
 * encoding, so an event written by an older schema still decodes): encoded once where it enters the correlation,
 * shipped and held as bytes, decoded once when the join emits it.
 */
public record WireEvent(String eventId, byte[] wire) {
  public static final TypeInformation<WireEvent> TYPE = new CodecTypeInfo<>(WireEvent.class, new WireEventCodec());

  /** The event. */
  public EvidenceEvent decode(AvroWireDecoder<EvidenceEvent> decoder) {
    return decoder.decode(wire);
  }

  /** Event -> {@link WireEvent} (one compiled writer per subtask). */
  public static final class Encode extends RichMapFunction<EvidenceEvent, WireEvent> {
    private static final long serialVersionUID = 1L;
    private transient AvroWireEncoder<EvidenceEvent> encoder;

    @Override
    public void open(OpenContext ctx) {
      encoder = new AvroWireEncoder<>(EvidenceEvent.getClassSchema());
    }

    @Override
    public WireEvent map(EvidenceEvent e) {
      return new WireEvent(e.getEventId(), encoder.encode(e));
    }
  }

  /** Codec of {@link WireEvent}. */
  public static final class WireEventCodec implements Codec<WireEvent> {
    private static final long serialVersionUID = 1L;

    @Override
    public void write(WireEvent w, DataOutputView out) throws IOException {
      Codec.writeString(w.eventId, out);
      out.writeInt(w.wire.length);
      out.write(w.wire);
    }

    @Override
    public WireEvent read(DataInputView in) throws IOException {
      String id = Codec.readString(in);
      byte[] b = new byte[in.readInt()];
      in.readFully(b);
      return new WireEvent(id, b);
    }
  }
}
