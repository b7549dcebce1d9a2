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
 * The enriched event assembled from the event's bytes and the enrichment ({@link EventWire}, {@link JoinEnrichment})
 * is byte for byte what encoding the decoded event with that enrichment writes, the way the enriched topic was written
 * before ({@link EvidenceEventSerializationSchema} of the event with its enrichment): random events of every shape
 * (the generator of CompiledAvroWriterTest, from the schemas), with and without an enrichment of their own, and the
 * correlation scenario's events as the real parsers emit them (audit, CloudTrail, Falco, VPC Flow fixtures of
 * {@link CorrelationScenario}, which follow the owners' formats).
 */
class EventWireTest {
  private final AvroCodec<EvidenceEvent> codec = AvroCodec.of(EvidenceEvent.class);

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

  @Test
  void aJoinStateOfAnOlderBuildHoldingTheWholeEventIsReadAndEmitsTheSameBytes() throws Exception {
    EvidenceEvent e = InFlightTest.FLOW;
    byte[] whole = codec.encode(e);
    JoinEnrichment.Joined joined = new JoinEnrichment.Joined(5, true, true, 1, 7, null);
    DataOutputSerializer legacy = new DataOutputSerializer(256); // the layout before session 10
    new JoinEnrichment.JoinedCodec().write(joined, legacy);
    legacy.writeInt(whole.length);
    legacy.write(whole);
    JoinEnrichment.HeldCodec heldCodec = new JoinEnrichment.HeldCodec();
    JoinEnrichment.Held held = heldCodec.read(new DataInputDeserializer(legacy.getCopyOfBuffer()));
    assertThat(held.whole()).isTrue();
    assertThat(held.joined()).isEqualTo(joined);
    EventWire wire = new EventWire();
    byte[] unenriched = held.unenriched(wire);
    assertThat(unenriched).isEqualTo(wire.withoutEnrichment(e));
    // written back in the current layout, and read as such
    DataOutputSerializer current = new DataOutputSerializer(256);
    heldCodec.write(new JoinEnrichment.Held(unenriched, joined), current);
    JoinEnrichment.Held again = heldCodec.read(new DataInputDeserializer(current.getCopyOfBuffer()));
    assertThat(again.whole()).isFalse();
    assertThat(again.event()).isEqualTo(unenriched);
    DataOutputSerializer none = new DataOutputSerializer(64);
    heldCodec.write(new JoinEnrichment.Held(null, joined), none);
    assertThat(heldCodec.read(new DataInputDeserializer(none.getCopyOfBuffer())).event()).isNull();
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
