package dev.strata.job.correlate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.correlate.CorrelationScenario;
import dev.strata.schema.AvroCodec;
import dev.strata.schema.event.Enrichment;
import dev.strata.schema.event.EvidenceEvent;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedTwoInputStreamOperatorTestHarness;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code enrich} keeps an emitted event by its coordinates in the normalized topic and reads it back for a
 * re-emission ({@link JoinEnrichment}, {@link NormalizedEvents}): the re-emitted event is the event with the newer
 * enrichment at revision 1, also after a checkpoint and restore; an event the topic no longer holds (or another event
 * at its offset) is not emitted and not retried, and nothing fails; events without coordinates, or a join without a
 * topic, keep their bytes. The topic here is a map of offsets to the records' values (the Kafka reader itself runs in
 * CorrelateJobIT's late re-emission, against a real broker). Fixtures: VPC Flow records of the correlation scenario.
 */
class JoinEnrichmentOffsetsTest {
  static final EvidenceEvent FLOW = CorrelationScenario.flow("flow-1", "111111111111", "vpc-0aaa", "eni-01",
      "i-01", "10.0.1.57", "10.0.2.9", "2026-11-20T10:02:00Z");

  /** The normalized topic of partition 3: offset -> the record's value (the event's wire bytes). */
  static final Map<Long, byte[]> TOPIC = new ConcurrentHashMap<>();
  static final AtomicInteger READS = new AtomicInteger();

  @BeforeEach
  void emptyTopic() {
    TOPIC.clear();
    READS.set(0);
  }

  @Test
  void anEmittedEventIsKeptByItsOffsetAndReadBackFromTheTopicForARevision() throws Exception {
    TOPIC.put(42L, AvroCodec.of(EvidenceEvent.class).encode(FLOW));
    OperatorSubtaskState snapshot;
    try (var h = join(true)) {
      h.open();
      h.processElement1(new StreamRecord<>(wire(FLOW, 3, 42), 1));
      h.processElement2(new StreamRecord<>(result(0, "api-7d9f", null), 2));
      assertThat(InFlightTest.decoded(h.extractOutputValues())).singleElement()
          .satisfies(e -> assertThat(e.getEnrichment().getRevision()).isZero());
      h.prepareSnapshotPreBarrier(1); // the emitted event's state is written to keyed state
      snapshot = h.snapshot(1, 3);
      assertThat(READS).hasValue(0);
    }
    try (var h = join(true)) {
      h.initializeState(snapshot);
      h.open();
      h.processElement2(new StreamRecord<>(result(1, "api-7d9f", "ip-10-0-1-10.ec2.internal"), 4));
      List<EvidenceEvent> out = InFlightTest.decoded(h.extractOutputValues());
      assertThat(out).singleElement().satisfies(e -> {
        assertThat(e.getEventId()).isEqualTo(FLOW.getEventId());
        assertThat(e.getEnrichment().getRevision()).isEqualTo(1);
        assertThat(e.getEnrichment().getNodeName()).isEqualTo("ip-10-0-1-10.ec2.internal");
        assertThat(e.getSrcEndpoint().getIp()).isEqualTo(FLOW.getSrcEndpoint().getIp());
        assertThat(e.getRawData()).isEqualTo(FLOW.getRawData());
      });
      assertThat(READS).hasValue(1);
      // the same answer again: nothing new, nothing read
      h.processElement2(new StreamRecord<>(result(2, "api-7d9f", "ip-10-0-1-10.ec2.internal"), 5));
      assertThat(h.extractOutputValues()).hasSize(1);
      assertThat(READS).hasValue(1);
    }
  }

  /**
   * An event read by the Kafka source with its record's bytes ({@link SourcedEvent#value}: a map of several entries,
   * which the record keeps in the parse job's order) is emitted as those bytes and the enrichment, and re-emitted after
   * a read-back from the topic as the same bytes again (not an encoding of the decoded event, whose map order could
   * differ): every revision of an event is the normalized record's bytes followed by its enrichment.
   */
  @Test
  void aReEmissionIsTheRecordsBytesAsTheFirstEmissionWas() throws Exception {
    EvidenceEvent e = EvidenceEvent.newBuilder(FLOW).build();
    Map<String, String> unmapped = new java.util.LinkedHashMap<>();
    for (String k : List.of("version", "account-id", "interface-id", "tcp-flags", "type", "region", "az-id")) {
      unmapped.put("vpc_flow." + k, "\"" + k + "\"");
    }
    e.setUnmapped(unmapped);
    byte[] value = new dev.strata.job.serde.EvidenceEventSerializationSchema("t").serialize(e, null, null).value();
    TOPIC.put(42L, value);
    List<SourcedEvent> read = new java.util.ArrayList<>();
    SourcedEvent.Deserializer source = new SourcedEvent.Deserializer();
    source.open(null);
    source.deserialize(new org.apache.kafka.clients.consumer.ConsumerRecord<>("t", 3, 42L, null, value),
        new org.apache.flink.api.common.functions.util.ListCollector<>(read));
    assertThat(read.get(0).value()).isSameAs(value);
    WireEvent.EncodeSourced encode = new WireEvent.EncodeSourced();
    encode.open(null);
    try (var h = join(true)) {
      h.open();
      h.processElement1(new StreamRecord<>(encode.map(read.get(0)), 1));
      h.processElement2(new StreamRecord<>(result(0, "api-7d9f", null), 2));
      h.prepareSnapshotPreBarrier(1); // written by its coordinates: a later revision reads the topic
      h.processElement2(new StreamRecord<>(result(1, "api-7d9f", "ip-10-0-1-10.ec2.internal"), 3));
      List<EnrichedEvent> out = h.extractOutputValues();
      assertThat(out).hasSize(2);
      assertThat(READS).hasValue(1);
      for (EnrichedEvent emitted : out) {
        assertThat(java.util.Arrays.mismatch(emitted.wire(), value)).as("revision %d: the record's bytes first",
            emitted.enrichment().getRevision()).isEqualTo(value.length - 1);
      }
      assertThat(InFlightTest.decoded(out)).extracting(x -> x.getEnrichment().getRevision()).containsExactly(0, 1);
      assertThat(InFlightTest.decoded(out).get(1).getUnmapped()).isEqualTo(unmapped);
    }
  }

  @Test
  void anEventTheTopicNoLongerHoldsIsNotEmittedAndTheJoinGoesOn() throws Exception {
    EvidenceEvent other = CorrelationScenario.flow("flow-2", "111111111111", "vpc-0aaa", "eni-01", "i-01",
        "10.0.1.58", "10.0.2.9", "2026-11-20T10:03:00Z");
    TOPIC.put(43L, AvroCodec.of(EvidenceEvent.class).encode(other)); // another event at the second one's offset
    try (var h = join(true)) {
      h.open();
      h.processElement1(new StreamRecord<>(wire(FLOW, 3, 42), 1)); // offset 42: retention passed
      h.processElement2(new StreamRecord<>(result(0, "api-7d9f", null), 2));
      h.prepareSnapshotPreBarrier(1);
      h.processElement2(new StreamRecord<>(result(1, "api-7d9f", "ip-10-0-1-10.ec2.internal"), 3));
      assertThat(h.extractOutputValues()).hasSize(1); // revision 0 only
      assertThat(READS).hasValue(1);
      // the result is recorded as seen: an equal or older one does not try again
      h.processElement2(new StreamRecord<>(result(1, "api-7d9f", "ip-10-0-1-10.ec2.internal"), 4));
      assertThat(READS).hasValue(1);
      // a newer one tries again (and the record is still gone)
      h.processElement2(new StreamRecord<>(result(2, "api-7d9f", "ip-10-0-1-11.ec2.internal"), 5));
      assertThat(READS).hasValue(2);
      assertThat(h.extractOutputValues()).hasSize(1);

      EnrichRequest second = EnrichRequest.of(other);
      h.processElement1(new StreamRecord<>(wire(FLOW, 3, 43), 6)); // a replay of FLOW: ignored
      h.processElement1(new StreamRecord<>(new WireEvent(second.eventId(), new EventWire().withoutEnrichment(other),
          3, 44), 7));
      h.processElement2(new StreamRecord<>(second.with(EnrichRequest.revisionAt(0, 1, 0), pod(second, "a", null)), 8));
      assertThat(h.extractOutputValues()).hasSize(2); // the other event's first emission needs no read
    }
  }

  @Test
  void withoutATopicOrWithoutCoordinatesTheBytesAreKept() throws Exception {
    for (boolean topic : new boolean[] {false, true}) {
      try (var h = join(topic)) {
        h.open();
        // with a topic: an event without coordinates (a source without offsets); without: coordinates are ignored
        h.processElement1(new StreamRecord<>(topic ? InFlightTest.wire(FLOW) : wire(FLOW, 3, 42), 1));
        h.processElement2(new StreamRecord<>(result(0, "api-7d9f", null), 2));
        h.prepareSnapshotPreBarrier(1);
        h.processElement2(new StreamRecord<>(result(1, "api-7d9f", "ip-10-0-1-10.ec2.internal"), 3));
        assertThat(InFlightTest.decoded(h.extractOutputValues())).extracting(e -> e.getEnrichment().getRevision())
            .containsExactly(0, 1);
        assertThat(READS).hasValue(0);
      }
    }
  }

  @Test
  void heldStateRoundTripsInEveryForm() throws Exception {
    JoinEnrichment.HeldCodec codec = new JoinEnrichment.HeldCodec();
    byte[] bytes = new EventWire().withoutEnrichment(FLOW);
    JoinEnrichment.Joined j = new JoinEnrichment.Joined(7, true, true, 1, 99, null);
    JoinEnrichment.Joined notEmitted = new JoinEnrichment.Joined(7, true, true, 0, 0, null);
    for (JoinEnrichment.Held h : List.of(
        new JoinEnrichment.Held(bytes, j, false, 3, 42), // emitted: its coordinates are written, not its bytes
        new JoinEnrichment.Held(null, j, false, 3, 42), // emitted, read back from state
        new JoinEnrichment.Held(bytes, notEmitted, false, 3, 42), // waiting for its result at a checkpoint
        new JoinEnrichment.Held(bytes, j), // no coordinates
        new JoinEnrichment.Held(null, new JoinEnrichment.Joined(1, true, false, 0, 0, null)))) {
      DataOutputSerializer out = new DataOutputSerializer(64);
      codec.write(h, out);
      JoinEnrichment.Held back = codec.read(new DataInputDeserializer(out.getCopyOfBuffer()));
      boolean byOffset = h.partition() >= 0 && h.joined().emitted() > 0;
      assertThat(back.event()).isEqualTo(byOffset ? null : h.event());
      assertThat(back.joined()).isEqualTo(h.joined());
      assertThat(back.partition()).isEqualTo(h.partition());
      assertThat(back.offset()).isEqualTo(h.partition() >= 0 ? h.offset() : 0);
      assertThat(back.whole()).isFalse();
      if (byOffset) assertThat(out.length()).isLessThan(60); // no bytes
    }
  }

  static WireEvent wire(EvidenceEvent e, int partition, long offset) {
    return new WireEvent(e.getEventId(), new EventWire().withoutEnrichment(e), partition, offset);
  }

  /** FLOW's result at revision {@code rev}: the pod and, if given, the node. */
  static EnrichRequest result(long rev, String pod, String node) {
    EnrichRequest r = EnrichRequest.of(FLOW);
    return r.with(EnrichRequest.revisionAt(0, 1, rev), pod(r, pod, node));
  }

  static Enrichment pod(EnrichRequest r, String pod, String node) {
    Enrichment known = EnrichRequest.EnrichmentCodec.copy(r.known());
    known.setPodName(pod);
    known.setNodeName(node);
    return known;
  }

  static KeyedTwoInputStreamOperatorTestHarness<String, WireEvent, EnrichRequest, EnrichedEvent> join(boolean topic)
      throws Exception {
    NormalizedEvents.Factory f = !topic ? null : subtask -> new NormalizedEvents() {
      @Override
      public byte[] read(int partition, long offset) {
        READS.incrementAndGet();
        return partition == 3 ? TOPIC.get(offset) : null;
      }

      @Override
      public void close() {}
    };
    var h = new KeyedTwoInputStreamOperatorTestHarness<>(
        new InFlight.Operator<>(new JoinEnrichment(Long.MAX_VALUE, f)),
        (KeySelector<WireEvent, String>) WireEvent::eventId,
        (KeySelector<EnrichRequest, String>) EnrichRequest::eventId, Types.STRING);
    h.setup(EnrichedEvent.TYPE.createSerializer(new SerializerConfigImpl()));
    return h;
  }
}
