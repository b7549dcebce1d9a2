package dev.strata.job.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.correlate.CorrelationScenario;
import dev.strata.job.serde.CompiledAvroWriterTest.RandomRecords;
import dev.strata.schema.AvroCodec;
import dev.strata.schema.event.EvidenceEvent;
import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import java.util.Collection;
import java.util.Map;
import java.util.Random;
import org.apache.avro.Schema;
import org.apache.avro.generic.IndexedRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecordBase;
import org.junit.jupiter.api.Test;

/**
 * {@link CompiledAvroReader} builds what {@code SpecificDatumReader} builds from the same bytes: equal records, the
 * same classes for every value (String, not Utf8, where the generated classes say so; the generated enums, fixed and
 * records; Instants), and maps iterated in the same order (what code that walks a map, such as an extractor over
 * {@code unmapped}, sees), for random records of every strata type and the scenario's parsed events; bad bytes throw,
 * and {@link AvroWireDecoder} then gives the codec's error as before.
 */
class CompiledAvroReaderTest {

  @Test
  void readsWhatSpecificDatumReaderReadsForRandomRecordsOfEveryType() throws Exception {
    Random random = new Random(20261124L);
    for (Class<? extends SpecificRecordBase> type : CompiledAvroWriterTest.TYPES) {
      Schema schema = SpecificData.get().getSchema(type);
      CompiledAvroReader<IndexedRecord> reader = CompiledAvroReader.of(schema, SpecificData.getForSchema(schema));
      for (int i = 0; i < 1500; i++) {
        SpecificRecordBase record = (SpecificRecordBase) new RandomRecords(random, (i % 4) * 0.3).record(schema);
        assertReadsTheSame(schema, reader, avroBytes(schema, record));
      }
    }
  }

  @Test
  void readsTheScenariosParsedEventsAsSpecificDatumReaderDoes() throws Exception {
    Schema schema = EvidenceEvent.getClassSchema();
    CompiledAvroReader<IndexedRecord> reader = CompiledAvroReader.of(schema, SpecificData.getForSchema(schema));
    int events = 0;
    for (EvidenceEvent e : new CorrelationScenario().arrivalOrder()) {
      assertReadsTheSame(schema, reader, avroBytes(schema, e));
      events++;
    }
    assertThat(events).isGreaterThan(20);
  }

  @Test
  void withLazyStringMapsItReadsTheSameValues_theMapsDecodedAtFirstUseInTheSameOrder() throws Exception {
    Random random = new Random(20261125L);
    for (Class<? extends SpecificRecordBase> type : CompiledAvroWriterTest.TYPES) {
      Schema schema = SpecificData.get().getSchema(type);
      CompiledAvroReader<IndexedRecord> reader =
          CompiledAvroReader.of(schema, SpecificData.getForSchema(schema), true);
      for (int i = 0; i < 1500; i++) {
        SpecificRecordBase record = (SpecificRecordBase) new RandomRecords(random, (i % 4) * 0.3).record(schema);
        assertReadsTheSame(schema, reader, avroBytes(schema, record));
      }
    }
    Schema schema = EvidenceEvent.getClassSchema();
    CompiledAvroReader<IndexedRecord> reader = CompiledAvroReader.of(schema, SpecificData.getForSchema(schema), true);
    int lazy = 0;
    for (EvidenceEvent e : new CorrelationScenario().arrivalOrder()) {
      byte[] body = avroBytes(schema, e);
      EvidenceEvent read = (EvidenceEvent) reader.read(body, 0, body.length);
      if (read.getUnmapped() instanceof LazyStringMap m) {
        assertThat(m.decoded()).as("not decoded by the read").isFalse();
        lazy++;
      }
      assertThat(read).isEqualTo(e); // decodes it
      assertReadsTheSame(schema, reader, body);
    }
    assertThat(lazy).as("the scenario's events with unmapped fields").isGreaterThan(10);
    // a bad length inside a map is found by the read, not at the map's first use
    EvidenceEvent e = new CorrelationScenario().arrivalOrder().get(0);
    e.setUnmapped(Map.of("k", "v"));
    byte[] body = avroBytes(schema, e);
    int at = indexOf(body, new byte[] {2, 'k', 2, 'v', 0}); // one entry "k" -> "v", then the end of the map
    body[at + 2] = 40; // "v" said to be 20 bytes long
    assertThatThrownBy(() -> reader.read(body, 0, body.length)).isInstanceOf(RuntimeException.class);
  }

  private static int indexOf(byte[] in, byte[] what) {
    for (int i = 0; i + what.length <= in.length; i++) {
      if (Arrays.equals(in, i, i + what.length, what, 0, what.length)) return i;
    }
    throw new AssertionError("not found");
  }

  @Test
  void badBytesThrowAndTheWireDecoderReportsThemAsTheCodecDoes() throws Exception {
    Schema schema = EvidenceEvent.getClassSchema();
    CompiledAvroReader<IndexedRecord> reader = CompiledAvroReader.of(schema, SpecificData.getForSchema(schema));
    EvidenceEvent e = new CorrelationScenario().arrivalOrder().get(0);
    byte[] body = avroBytes(schema, e);
    assertThatThrownBy(() -> reader.read(body, 0, body.length - 3)).isInstanceOf(RuntimeException.class);
    byte[] longer = Arrays.copyOf(body, body.length + 2);
    assertThatThrownBy(() -> reader.read(longer, 0, longer.length)).hasMessageContaining("after the record");
    byte[] wire = new AvroWireEncoder<EvidenceEvent>(schema).encode(e);
    AvroWireDecoder<EvidenceEvent> decoder = new AvroWireDecoder<>(EvidenceEvent.class);
    assertThat(decoder.decode(wire)).isEqualTo(e);
    assertThat(decoder.lastWasCurrent()).isTrue();
    byte[] truncated = Arrays.copyOf(wire, wire.length - 5);
    Class<? extends Throwable> codecs = catchClass(() -> AvroCodec.of(EvidenceEvent.class).decode(truncated));
    assertThatThrownBy(() -> decoder.decode(truncated)).isInstanceOf(codecs);
    assertThat(decoder.lastWasCurrent()).isFalse();
  }

  private static Class<? extends Throwable> catchClass(Runnable r) {
    try {
      r.run();
    } catch (RuntimeException t) {
      return t.getClass();
    }
    throw new AssertionError("no exception");
  }

  private static void assertReadsTheSame(Schema schema, CompiledAvroReader<IndexedRecord> reader, byte[] body)
      throws Exception {
    Object expected = new SpecificDatumReader<>(schema, schema, SpecificData.getForSchema(schema))
        .read(null, DecoderFactory.get().binaryDecoder(body, null));
    Object actual = reader.read(body, 0, body.length);
    // (records are compared field by field: Avro's own equals fails on a logical type that the nested record's
    // model has no conversion for)
    assertSameShape(expected, actual, schema.getName());
    assertThat(avroBytes(schema, actual)).isEqualTo(avroBytes(schema, expected));
  }

  /** Equal values of the same classes everywhere, and maps in the same iteration order. */
  private static void assertSameShape(Object expected, Object actual, String path) {
    if (expected == null) {
      assertThat(actual).as(path).isNull();
      return;
    }
    if (!(actual instanceof LazyStringMap && expected instanceof java.util.HashMap)) {
      assertThat(actual.getClass()).as(path).isEqualTo(expected.getClass());
    }
    if (expected instanceof Map<?, ?> m) {
      Map<?, ?> a = (Map<?, ?>) actual;
      assertThat(new java.util.ArrayList<Object>(a.keySet())).as(path + " (order)")
          .isEqualTo(new java.util.ArrayList<Object>(m.keySet()));
      var actualKeys = a.keySet().iterator();
      for (Object k : m.keySet()) {
        assertThat(actualKeys.next().getClass()).as(path + " key").isEqualTo(k.getClass());
        assertSameShape(m.get(k), a.get(k), path + "[" + k + "]");
      }
    } else if (expected instanceof IndexedRecord r) {
      IndexedRecord a = (IndexedRecord) actual;
      for (Schema.Field f : r.getSchema().getFields()) {
        assertSameShape(r.get(f.pos()), a.get(f.pos()), path + "." + f.name());
      }
    } else if (expected instanceof Collection<?> c) {
      Object[] e = c.toArray();
      Object[] a = ((Collection<?>) actual).toArray();
      assertThat(a).as(path).hasSameSizeAs(e);
      for (int i = 0; i < e.length; i++) assertSameShape(e[i], a[i], path + "[" + i + "]");
    } else {
      assertThat(actual).as(path).isEqualTo(expected);
    }
  }

  private static byte[] avroBytes(Schema schema, Object record) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    BinaryEncoder enc = EncoderFactory.get().binaryEncoder(out, null);
    new SpecificDatumWriter<>(schema, SpecificData.getForSchema(schema)).write(record, enc);
    enc.flush();
    return out.toByteArray();
  }
}
