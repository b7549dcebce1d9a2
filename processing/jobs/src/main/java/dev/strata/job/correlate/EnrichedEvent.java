package dev.strata.job.correlate;

import dev.strata.job.serde.AvroWireDecoder;
import dev.strata.schema.event.Enrichment;
import dev.strata.schema.event.EvidenceEvent;
import java.io.IOException;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * An enriched event as the correlation emits it ({@link EmitEnriched}, {@link Reemission}): its id, its Avro wire bytes with the
 * enrichment (the enriched topic's value, written as they are: no decode, no re-encode, {@link EventWire}), and that
 * enrichment, to look at without decoding the event.
 *
 * @param wire the enriched event in the Avro wire format of the topics (single-object encoding, current schema)
 * @param enrichment the enrichment inside {@code wire} (never modified)
 */
public record EnrichedEvent(String eventId, byte[] wire, Enrichment enrichment) {
  public static final TypeInformation<EnrichedEvent> TYPE =
      new CodecTypeInfo<>(EnrichedEvent.class, new EnrichedEventCodec());

  /** The event (for consumers that need the record: the OpenSearch index, tests). */
  public EvidenceEvent decode(AvroWireDecoder<EvidenceEvent> decoder) {
    return decoder.decode(wire);
  }

  /** {@link EnrichedEvent} -> the event (one decoder per subtask). */
  public static final class Decode extends RichMapFunction<EnrichedEvent, EvidenceEvent> {
    private static final long serialVersionUID = 1L;
    private transient AvroWireDecoder<EvidenceEvent> decoder;

    @Override
    public void open(OpenContext ctx) {
      decoder = new AvroWireDecoder<>(EvidenceEvent.class);
    }

    @Override
    public EvidenceEvent map(EnrichedEvent e) {
      return e.decode(decoder);
    }
  }

  /** Codec of {@link EnrichedEvent}. */
  public static final class EnrichedEventCodec implements Codec<EnrichedEvent> {
    private static final long serialVersionUID = 1L;

    @Override
    public void write(EnrichedEvent e, DataOutputView out) throws IOException {
      Codec.writeString(e.eventId, out);
      Codec.writeBytes(e.wire, out);
      EnrichRequest.EnrichmentCodec.write(e.enrichment, out);
    }

    @Override
    public EnrichedEvent read(DataInputView in) throws IOException {
      return new EnrichedEvent(Codec.readString(in), Codec.readBytes(in), EnrichRequest.EnrichmentCodec.read(in));
    }
  }
}
