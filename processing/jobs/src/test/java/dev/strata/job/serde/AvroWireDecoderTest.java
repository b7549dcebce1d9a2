package dev.strata.job.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.correlate.CorrelationScenario;
import dev.strata.schema.AvroCodec;
import dev.strata.schema.SchemaHistory;
import dev.strata.schema.event.EvidenceEvent;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.specific.SpecificDatumWriter;
import org.junit.jupiter.api.Test;

/**
 * The final join's decoder reads what the topics hold exactly as {@link AvroCodec} does: records of the current schema
 * on its fast path, records of an older released schema and bad bytes through the codec. Fixtures: the correlation
 * scenario's events (CorrelationScenario, following docs/correlation.md) and the released schemas (schemas/compat).
 */
class AvroWireDecoderTest {
  static final List<EvidenceEvent> EVENTS = new CorrelationScenario().arrivalOrder();

  @Test
  void readsRecordsOfTheCurrentSchemaAsTheCodecDoes() {
    AvroWireEncoder<EvidenceEvent> encoder = new AvroWireEncoder<>(EvidenceEvent.getClassSchema());
    AvroWireDecoder<EvidenceEvent> decoder = new AvroWireDecoder<>(EvidenceEvent.class);
    AvroCodec<EvidenceEvent> codec = AvroCodec.of(EvidenceEvent.class);
    assertThat(EVENTS).hasSizeGreaterThan(10);
    for (EvidenceEvent e : EVENTS) {
      byte[] wire = encoder.encode(e);
      assertThat(decoder.decode(wire)).isEqualTo(e).isEqualTo(codec.decode(wire));
    }
  }

  @Test
  void readsARecordOfAnOlderReleasedSchemaThroughTheCodec() throws Exception {
    Schema current = EvidenceEvent.getClassSchema();
    Schema oldest = SchemaHistory.releasedVersionsOf(current.getFullName()).get(0);
    assertThat(SchemaNormalization.parsingFingerprint64(oldest))
        .as("the oldest release differs from the current schema")
        .isNotEqualTo(SchemaNormalization.parsingFingerprint64(current));
    EvidenceEvent e = EVENTS.get(0);
    // the event as a writer of the oldest schema would have written it
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    BinaryEncoder enc = EncoderFactory.get().binaryEncoder(body, null);
    new SpecificDatumWriter<EvidenceEvent>(current).write(e, enc);
    enc.flush();
    GenericRecord old = new GenericDatumReader<GenericRecord>(current, oldest)
        .read(null, DecoderFactory.get().binaryDecoder(body.toByteArray(), null));
    ByteBuffer b = new BinaryMessageEncoder<GenericRecord>(GenericData.get(), oldest).encode(old);
    byte[] wire = new byte[b.remaining()];
    b.get(wire);

    EvidenceEvent read = new AvroWireDecoder<>(EvidenceEvent.class).decode(wire);
    assertThat(read).isEqualTo(AvroCodec.of(EvidenceEvent.class).decode(wire));
    assertThat(read.getEventId()).isEqualTo(e.getEventId());
  }

  @Test
  void badBytesFailAsTheCodecFails() {
    AvroWireDecoder<EvidenceEvent> decoder = new AvroWireDecoder<>(EvidenceEvent.class);
    byte[] wire = new AvroWireEncoder<>(EvidenceEvent.getClassSchema()).encode(EVENTS.get(0));
    byte[] cut = java.util.Arrays.copyOf(wire, wire.length / 2);
    assertThatThrownBy(() -> decoder.decode(cut)).isInstanceOf(AvroCodec.AvroDecodeException.class);
    assertThatThrownBy(() -> decoder.decode(new byte[] {1, 2, 3})).isInstanceOf(AvroCodec.AvroDecodeException.class);
  }
}
