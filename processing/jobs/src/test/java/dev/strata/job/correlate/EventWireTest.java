package dev.strata.job.correlate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.correlate.CorrelationScenario;
import dev.strata.job.serde.AvroWireEncoder;
import dev.strata.job.serde.CompiledAvroWriterTest.RandomRecords;
import dev.strata.job.serde.EnrichedEventSerializationSchema;
import dev.strata.job.serde.EvidenceEventSerializationSchema;
import dev.strata.schema.AvroCodec;
import dev.strata.schema.event.Enrichment;
import dev.strata.schema.event.EvidenceEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;

/**
 * The enriched event assembled from the event's bytes and the enrichment ({@link EventWire}, {@link EmitEnriched})
 * is byte for byte what encoding the decoded event with that enrichment writes, the way the enriched topic was written
 * before ({@link EvidenceEventSerializationSchema} of the event with its enrichment): random events of every shape
 * (the generator of CompiledAvroWriterTest, from the schemas), with and without an enrichment of their own, and the
 * correlation scenario's events as the real parsers emit them (audit, CloudTrail, Falco, VPC Flow fixtures of
 * {@link CorrelationScenario}, which follow the owners' formats).
 */
class EventWireTest {
  private final AvroCodec<EvidenceEvent> codec = AvroCodec.of(EvidenceEvent.class);
  /** What the parse job writes to the normalized topic. */
  private final EvidenceEventSerializationSchema parseJobsSink = new EvidenceEventSerializationSchema("t");
  /** The correlation job's Kafka source and its {@code encode}. */
  private final SourcedEvent.Deserializer kafkaSource = new SourcedEvent.Deserializer();
  private final WireEvent.EncodeSourced encode = new WireEvent.EncodeSourced();

  EventWireTest() {
    kafkaSource.open(null);
    encode.open(null);
  }

  @Test
  void randomEventsWithRandomEnrichmentsAreTheBytesOfTheEncodedEnrichedEvent() {
    Random random = new Random(20261124L);
    EventWire wire = new EventWire();
    int carriedOne = 0;
    for (int i = 0; i < 3000; i++) {
      double nullRate = (i % 4) * 0.3;
      EvidenceEvent e = (EvidenceEvent) new RandomRecords(random, nullRate).record(EvidenceEvent.getClassSchema());
      if (e.getEnrichment() != null) carriedOne++;
      Enrichment en = (Enrichment) new RandomRecords(random, nullRate).record(Enrichment.getClassSchema());
      assertEnrichedBytes(wire, e, en);
    }
    assertThat(carriedOne).as("events that came with an enrichment of their own").isBetween(500, 2500);
  }

  @Test
  void parsedEventsEnrichedAsTheJoinDoesAreTheBytesOfTheEncodedEnrichedEvent() {
    CorrelationScenario s = new CorrelationScenario();
    List<EvidenceEvent> events = new ArrayList<>(s.arrivalOrder());
    assertThat(events).hasSizeGreaterThan(20);
    EventWire wire = new EventWire();
    for (EvidenceEvent e : events) {
      EnrichRequest r = EnrichRequest.of(e);
      Enrichment en = EnrichRequest.EnrichmentCodec.copy(r.known());
      en.setPodName("api-7d9f");
      en.setNamespace("payments");
      en.setRevision(3);
      assertEnrichedBytes(wire, e, en);
      // and with what the event itself carried as enrichment replaced
      EvidenceEvent carrying = EvidenceEvent.newBuilder(e).setEnrichment(EnrichRequest.EnrichmentCodec.copy(en)).build();
      Enrichment other = EnrichRequest.EnrichmentCodec.copy(r.known());
      assertEnrichedBytes(wire, carrying, other);
    }
  }

  @Test
  void theWholeEventsBytesOfAnOlderStateGiveTheSameBytesWithoutEnrichment() {
    Random random = new Random(5L);
    EventWire wire = new EventWire();
    for (int i = 0; i < 300; i++) {
      EvidenceEvent e = (EvidenceEvent) new RandomRecords(random, (i % 3) * 0.4).record(EvidenceEvent.getClassSchema());
      // what a build before session 10 held: the whole event, decoded by the codec (unpaired surrogates become '?')
      byte[] whole = codec.encode(e);
      assertThat(wire.withoutEnrichment(whole)).isEqualTo(wire.withoutEnrichment(codec.decode(whole)));
    }
  }

  /**
   * The Kafka source's records as the parse job writes them ({@link EvidenceEventSerializationSchema}): of an event
   * without enrichment, the value's bytes but the last are what {@code encode} writes for it (so {@code encode} takes
   * them instead of encoding, {@link SourcedEvent#value}), for random events of every shape: field for field the
   * same encoding; the one difference is the order of a map's entries, which the value keeps as the writer wrote
   * them and an encoding of the decoded event takes from the decoder's hash map. So: the same bytes as the encode
   * path whenever no map has two entries, the same bytes as encoding the event decoded with its maps in wire order
   * always, the same event decoded always. An event that carries an enrichment is encoded.
   */
  @Test
  void theRecordsValueIsTheEncodedEventWithoutEnrichmentForRandomEventsOfEveryShape() throws Exception {
    Random random = new Random(20261124L);
    EventWire wire = new EventWire();
    int sliced = 0;
    int sameBytesAsEncodePath = 0;
    for (int i = 0; i < 3000; i++) {
      double nullRate = (i % 4) * 0.3;
      EvidenceEvent e = (EvidenceEvent) new RandomRecords(random, nullRate).record(EvidenceEvent.getClassSchema());
      if (i % 3 != 0) e.setEnrichment(null); // most without, as the parse job writes them
      Enrichment en = (Enrichment) new RandomRecords(random, nullRate).record(Enrichment.getClassSchema());
      if (assertSourcedBytes(wire, e, en)) sameBytesAsEncodePath++;
      if (e.getEnrichment() == null) sliced++;
    }
    assertThat(sliced).as("events without an enrichment of their own").isBetween(2200, 2700);
    assertThat(sameBytesAsEncodePath).as("events whose maps have at most one entry").isBetween(300, 2500);
  }

  /** The same for the scenario's events as the real parsers emit them, written as the parse job writes them. */
  @Test
  void theParseJobsRecordsOfTheScenarioAreTheEncodedEventsWithoutEnrichment() throws Exception {
    CorrelationScenario s = new CorrelationScenario();
    List<EvidenceEvent> events = new ArrayList<>(s.arrivalOrder());
    EventWire wire = new EventWire();
    int same = 0;
    for (EvidenceEvent e : events) {
      assertThat(e.getEnrichment()).as("the parse job writes no enrichment").isNull();
      Enrichment en = EnrichRequest.EnrichmentCodec.copy(EnrichRequest.of(e).known());
      en.setPodName("api-7d9f");
      en.setRevision(2);
      if (assertSourcedBytes(wire, e, en)) same++;
    }
    assertThat(same).as("scenario events whose maps have at most one entry: byte for byte the encode path's")
        .isGreaterThan(0);
  }

  /** A record of an older writer's schema (another fingerprint) is decoded as before and its event encoded. */
  @Test
  void aRecordOfAnOlderWritersSchemaIsEncoded() throws Exception {
    List<org.apache.avro.Schema> released =
        dev.strata.schema.SchemaHistory.releasedVersionsOf(EvidenceEvent.getClassSchema().getFullName());
    org.apache.avro.Schema oldest = released.get(0);
    assertThat(org.apache.avro.SchemaNormalization.parsingFingerprint64(oldest))
        .isNotEqualTo(org.apache.avro.SchemaNormalization.parsingFingerprint64(EvidenceEvent.getClassSchema()));
    CorrelationScenario s = new CorrelationScenario();
    EvidenceEvent e = s.arrivalOrder().get(0);
    // the event as a writer of the oldest schema wrote it: its fields of that schema
    byte[] current = codec.encode(e);
    var in = org.apache.avro.io.DecoderFactory.get().binaryDecoder(current, 10, current.length - 10, null);
    org.apache.avro.generic.GenericRecord old = new org.apache.avro.generic.GenericDatumReader<org.apache.avro.generic
        .GenericRecord>(EvidenceEvent.getClassSchema(), oldest).read(null, in);
    byte[] value = new org.apache.avro.message.BinaryMessageEncoder<org.apache.avro.generic.GenericRecord>(
        org.apache.avro.generic.GenericData.get(), oldest).encode(old).array();
    SourcedEvent sourced = source(value, 3, 17);
    assertThat(sourced.value()).isNull();
    assertThat(sourced.event()).isEqualTo(codec.decode(value));
    WireEvent w = encodeSourced(sourced);
    assertThat(w.unenriched()).isEqualTo(new EventWire().withoutEnrichment(codec.decode(value)));
    assertThat(w.partition()).isEqualTo(3);
    assertThat(w.offset()).isEqualTo(17);
  }

  /**
   * {@code e} written as the parse job writes it and read by the Kafka source ({@link SourcedEvent.Deserializer}),
   * then through {@code encode} ({@link WireEvent.EncodeSourced}) and the exchange to the join ({@link
   * WireEvent.WireEventCodec}), enriched with {@code en}: against the encode path (the decoded event encoded, {@link
   * EventWire#withoutEnrichment}). True when the bytes are the encode path's byte for byte.
   */
  private boolean assertSourcedBytes(EventWire wire, EvidenceEvent e, Enrichment en) throws Exception {
    byte[] value = parseJobsSink.serialize(e, null, null).value();
    SourcedEvent sourced = source(value, 1, 42);
    assertThat(sourced.value() != null).as("the value is kept iff the event has no enrichment")
        .isEqualTo(e.getEnrichment() == null);
    WireEvent w = encodeSourced(sourced);
    if (sourced.value() != null) {
      assertThat(w.bytes()).as("the record's own array: no copy").isSameAs(value);
      assertThat(w.length()).isEqualTo(value.length - 1);
    }
    // across the exchange: the event's bytes only
    DataOutputSerializer out = new DataOutputSerializer(value.length + 64);
    new WireEvent.WireEventCodec().write(w, out);
    WireEvent shipped = new WireEvent.WireEventCodec().read(new DataInputDeserializer(out.getCopyOfBuffer()));
    assertThat(shipped.bytes()).hasSize(shipped.length());
    assertThat(shipped.partition()).isEqualTo(1);
    assertThat(shipped.offset()).isEqualTo(42);
    byte[] held = shipped.unenriched();
    byte[] encodePath = wire.withoutEnrichment(sourced.event());
    // taken from the value: the same fields in the same encoding (the bytes of the event decoded with its maps in
    // wire order, encoded); else encoded: the encode path's bytes
    byte[] inWireOrder = sourced.value() != null ? wire.withoutEnrichment(decodeInWireOrder(value)) : encodePath;
    int at = java.util.Arrays.mismatch(held, inWireOrder);
    assertThat(at).as("first differing byte %d (%d vs %d bytes) around: %s | %s", at,
        held.length, inWireOrder.length, around(held, at), around(inWireOrder, at)).isEqualTo(-1);
    // the same event, enriched
    EvidenceEvent fromSlice = codec.decode(wire.withEnrichment(held, en));
    EvidenceEvent fromEncode = codec.decode(wire.withEnrichment(encodePath, en));
    assertThat(fromSlice).isEqualTo(fromEncode);
    assertThat(fromSlice.getEnrichment()).isEqualTo(codec.decode(codec.encode(
        EvidenceEvent.newBuilder(sourced.event()).setEnrichment(en).build())).getEnrichment());
    boolean same = java.util.Arrays.equals(held, encodePath);
    if (!hasMapOfTwo(sourced.event())) {
      assertThat(same).as("event %s: no map of two entries, the encode path's bytes", e.getEventId()).isTrue();
    }
    return same;
  }

  private static String around(byte[] b, int at) {
    if (at < 0) return "";
    int from = Math.max(0, at - 40);
    return new String(b, from, Math.min(b.length, at + 40) - from, java.nio.charset.StandardCharsets.ISO_8859_1)
        .replaceAll("[^ -~]", ".");
  }

  private SourcedEvent source(byte[] value, int partition, long offset) {
    List<SourcedEvent> got = new ArrayList<>();
    kafkaSource.deserialize(new org.apache.kafka.clients.consumer.ConsumerRecord<>("t", partition, offset, null, value),
        new org.apache.flink.api.common.functions.util.ListCollector<>(got));
    assertThat(got).hasSize(1);
    return got.get(0);
  }

  private WireEvent encodeSourced(SourcedEvent s) {
    return encode.map(s);
  }

  /** {@code value}'s event with every map's entries in the order of the bytes (Avro's reader uses a hash map). */
  private static EvidenceEvent decodeInWireOrder(byte[] value) throws Exception {
    org.apache.avro.Schema schema = EvidenceEvent.getClassSchema();
    var model = new org.apache.avro.specific.SpecificData();
    model.setFastReaderEnabled(false); // Avro's fast reader makes its own hash maps
    org.apache.avro.specific.SpecificData.getForSchema(schema).getConversions()
        .forEach(model::addLogicalTypeConversion);
    var reader = new org.apache.avro.specific.SpecificDatumReader<EvidenceEvent>(schema, schema, model) {
      @Override
      protected Object newMap(Object old, int size) {
        return new java.util.LinkedHashMap<>();
      }
    };
    return reader.read(null, org.apache.avro.io.DecoderFactory.get().binaryDecoder(value, 10, value.length - 10,
        null));
  }

  /** Whether any map of {@code r} (nested records, arrays and unions included) has two entries or more. */
  private static boolean hasMapOfTwo(Object o) {
    if (o instanceof java.util.Map<?, ?> m) {
      if (m.size() > 1) return true;
      return m.values().stream().anyMatch(EventWireTest::hasMapOfTwo);
    }
    if (o instanceof org.apache.avro.generic.IndexedRecord r) {
      for (int i = 0; i < r.getSchema().getFields().size(); i++) {
        if (hasMapOfTwo(r.get(i))) return true;
      }
      return false;
    }
    if (o instanceof java.util.Collection<?> c) return c.stream().anyMatch(EventWireTest::hasMapOfTwo);
    return false;
  }

  /**
   * {@code e}, as the Kafka source hands it over (decoded from the topic), with {@code en}: the bytes assembled by the
   * join are those the job wrote before session 10 (the held bytes decoded, a shallow copy with the enrichment, encoded
   * by the enriched topic's serializer), the Kafka records are equal, and the bytes decode to the event with {@code
   * en}.
   */
  private void assertEnrichedBytes(EventWire wire, EvidenceEvent e, Enrichment en) {
    EvidenceEvent source = codec.decode(codec.encode(e));
    byte[] assembled = wire.withEnrichment(wire.withoutEnrichment(source), en);
    EvidenceEvent emitted = withEnrichment(codec.decode(new AvroWireEncoder<>(EvidenceEvent.getClassSchema())
        .encode(source)), en);
    var before = new EvidenceEventSerializationSchema("t").serialize(emitted, null, null);
    assertThat(java.util.Arrays.mismatch(assembled, before.value()))
        .as("first differing byte of event %s (%d vs %d bytes)", e.getEventId(), assembled.length,
            before.value().length)
        .isEqualTo(-1);
    var after = new EnrichedEventSerializationSchema("t").serialize(
        new EnrichedEvent(source.getEventId(), assembled, en), null, null);
    assertThat(after.key()).isEqualTo(before.key());
    assertThat(after.value()).isEqualTo(before.value());
    assertThat(after.topic()).isEqualTo(before.topic());
    // (through the codec on both sides: an unpaired surrogate of a random enrichment is written as '?')
    assertThat(codec.decode(assembled))
        .isEqualTo(codec.decode(codec.encode(EvidenceEvent.newBuilder(source).setEnrichment(en).build())));
  }

  /** What the join emitted before session 10: a shallow copy of the decoded event with the enrichment. */
  private static EvidenceEvent withEnrichment(EvidenceEvent e, Enrichment en) {
    EvidenceEvent c = new EvidenceEvent();
    for (int i = 0; i < EvidenceEvent.getClassSchema().getFields().size(); i++) c.put(i, e.get(i));
    c.setEnrichment(en);
    return c;
  }
}
