package dev.strata.job.correlate;

import dev.strata.job.serde.AvroWireDecoder;
import dev.strata.job.serde.AvroWireEncoder;
import dev.strata.job.serde.CompiledAvroWriter;
import dev.strata.schema.event.Enrichment;
import dev.strata.schema.event.EvidenceEvent;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificData;

/**
 * An event's Avro wire bytes without its enrichment, and the wire bytes of the event with an enrichment, without
 * decoding the event. {@code enrichment} is the last field of {@code EvidenceEvent} (a union of null and {@code
 * Enrichment}) and the body of an Avro record is its fields' encodings one after the other, so the enriched event's
 * bytes are the event's bytes up to that field (its single-object header and every other field), the union's branch
 * (1, one byte) and the enrichment's encoding: byte for byte what encoding the event with that enrichment writes
 * ({@code EventWireTest}), at the cost of copying the event's bytes instead of decoding and re-encoding them. Not
 * thread-safe: one per subtask.
 */
final class EventWire {
  /** Position of {@code enrichment} in {@code EvidenceEvent}: the last field, checked at class load. */
  static final int ENRICHMENT;

  static {
    List<Schema.Field> fields = EvidenceEvent.getClassSchema().getFields();
    Schema.Field last = fields.get(fields.size() - 1);
    Schema s = last.schema();
    if (!last.name().equals("enrichment") || s.getType() != Schema.Type.UNION || s.getTypes().size() != 2
        || s.getTypes().get(0).getType() != Schema.Type.NULL
        || !s.getTypes().get(1).getFullName().equals(Enrichment.getClassSchema().getFullName())) {
      throw new IllegalStateException("EvidenceEvent: enriched events are written as the event's bytes followed by"
          + " the enrichment, which must be the last field, a union of null and Enrichment; got " + last);
    }
    ENRICHMENT = last.pos();
  }

  private final AvroWireEncoder<EvidenceEvent> events = new AvroWireEncoder<>(EvidenceEvent.getClassSchema());
  private final CompiledAvroWriter<Enrichment> enrichments =
      CompiledAvroWriter.of(Enrichment.getClassSchema(), SpecificData.getForSchema(Enrichment.getClassSchema()));
  private AvroWireDecoder<EvidenceEvent> decoder;

  /**
   * How many of {@code value}'s bytes are {@link #withoutEnrichment} of {@code e}, without encoding it: all but the
   * last when {@code value} is {@code e}'s wire bytes in the job's schema read straight to their end ({@code current}:
   * {@code AvroWireDecoder#lastWasCurrent}) and {@code e} carries no enrichment (the last byte is then the union's
   * null branch, 0); else -1, and the event must be encoded. The bytes are the writer's (the parse job's): the same
   * fields in the same encoding as {@link #withoutEnrichment}'s, except that a map's entries keep the writer's order,
   * where an encoding of the decoded event writes them in the order of the decoder's hash map ({@code EventWireTest}).
   */
  static int unenrichedLength(byte[] value, EvidenceEvent e, boolean current) {
    return current && e.getEnrichment() == null && value.length > 0 && value[value.length - 1] == 0
        ? value.length - 1 : -1;
  }

  /** The wire bytes of {@code e} up to its enrichment (whatever {@code e} carries there is left out). */
  byte[] withoutEnrichment(EvidenceEvent e) {
    return events.encodeFields(e, ENRICHMENT);
  }

  /** The wire bytes of the event whose bytes up to its enrichment are {@code unenriched}, with {@code en}. */
  byte[] withEnrichment(byte[] unenriched, Enrichment en) {
    return events.append(unenriched, out -> {
      out.writeInt(1); // the union's Enrichment branch
      enrichments.write(en, out);
    });
  }

  /**
   * {@link #withoutEnrichment} of a whole event's wire bytes (of this or an older schema: what state written before
   * the enriched events were assembled from bytes held).
   */
  byte[] withoutEnrichment(byte[] wholeEvent) {
    if (decoder == null) decoder = new AvroWireDecoder<>(EvidenceEvent.class);
    return withoutEnrichment(decoder.decode(wholeEvent));
  }
}
