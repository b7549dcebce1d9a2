package dev.strata.job.correlate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.correlate.CorrelationScenario;
import dev.strata.schema.AvroCodec;
import dev.strata.schema.event.Enrichment;
import dev.strata.schema.event.EvidenceEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.flink.api.common.functions.util.ListCollector;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.api.operators.ProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The end of a request's path emits the event's first result from the bytes the request carried ({@link
 * EmitEnriched}: revision 0, no state); results of late evidence go to {@link Reemission}, which re-emits the event at
 * revision 1, 2, ...: from the bytes kept in the registration (an event without coordinates), else read back from the
 * normalized topic by its coordinates ({@link NormalizedEvents}), also after a checkpoint and restore; an older or
 * unchanged result emits nothing; an event the topic no longer holds (or another event at its offset) is not emitted,
 * and nothing fails. The topic here is a map of offsets to the records' values (the Kafka reader itself runs in
 * CorrelateJobIT's late re-emission, against a real broker). Fixtures: VPC Flow records of the correlation scenario.
 */
class LastHopEmissionTest {
  static final EvidenceEvent FLOW = CorrelationScenario.flow("flow-1", "111111111111", "vpc-0aaa", "eni-01",
      "i-01", "10.0.1.57", "10.0.2.9", "2026-11-20T10:02:00Z");

  static final int FLOW_BYTES = new EventWire().withoutEnrichment(FLOW).length;

  /** The normalized topic of partition 3: offset -> the record's value (the event's wire bytes). */
  static final Map<Long, byte[]> TOPIC = new ConcurrentHashMap<>();
  static final AtomicInteger READS = new AtomicInteger();

  @BeforeEach
  void emptyTopic() {
    TOPIC.clear();
    READS.set(0);
  }

  @Test
  void theFirstResultIsEmittedFromTheCarriedBytesAndALaterOneIsReadBackFromTheTopic() throws Exception {
    TOPIC.put(42L, AvroCodec.of(EvidenceEvent.class).encode(FLOW));
    EnrichRequest entering = EnrichRequest.of(FLOW, wire(FLOW, 3, 42));
    List<EnrichedEvent> first = emit(result(entering, 0, "api-7d9f", null));
    assertThat(InFlightTest.decoded(first)).singleElement().satisfies(e -> {
      assertThat(e.getEnrichment().getRevision()).isZero();
      assertThat(e.getEnrichment().getPodName()).isEqualTo("api-7d9f");
      assertThat(e.getRawData()).isEqualTo(FLOW.getRawData());
    });
    // what a registration keeps: the coordinates, not the bytes
    EnrichRequest kept = registered(entering);
    assertThat(kept.event().bytes()).isNull();
    assertThat(kept.event().offset()).isEqualTo(42);
    assertThat(emit(result(kept, 1, "api-7d9f", "n"))).as("a later result is not emitted at the end of its path")
        .isEmpty();
    OperatorSubtaskState snapshot;
    try (var h = reemission(true)) {
      h.open();
      h.processElement(new StreamRecord<>(result(kept, 1, "api-7d9f", "ip-10-0-1-10.ec2.internal"), 4));
      List<EvidenceEvent> out = InFlightTest.decoded(h.extractOutputValues());
      assertThat(out).singleElement().satisfies(e -> {
        assertThat(e.getEventId()).isEqualTo(FLOW.getEventId());
        assertThat(e.getEnrichment().getRevision()).isEqualTo(1);
        assertThat(e.getEnrichment().getNodeName()).isEqualTo("ip-10-0-1-10.ec2.internal");
        assertThat(e.getSrcEndpoint().getIp()).isEqualTo(FLOW.getSrcEndpoint().getIp());
        assertThat(e.getRawData()).isEqualTo(FLOW.getRawData());
      });
      assertThat(READS).hasValue(1);
      snapshot = h.snapshot(1, 5);
    }
    try (var h = reemission(true)) {
      h.initializeState(snapshot);
      h.open();
      // the same answer again (a newer rev): nothing new, nothing read; an older one: dropped
      h.processElement(new StreamRecord<>(result(kept, 2, "api-7d9f", "ip-10-0-1-10.ec2.internal"), 6));
      h.processElement(new StreamRecord<>(result(kept, 1, "api-7d9f", "ip-10-0-1-99.ec2.internal"), 7));
      assertThat(h.extractOutputValues()).isEmpty();
      assertThat(READS).hasValue(1);
      // a newer, different one: revision 2
      h.processElement(new StreamRecord<>(result(kept, 3, "api-7d9f", "ip-10-0-1-11.ec2.internal"), 8));
      assertThat(InFlightTest.decoded(h.extractOutputValues())).singleElement()
          .satisfies(e -> assertThat(e.getEnrichment().getRevision()).isEqualTo(2));
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
    List<SourcedEvent> read = new ArrayList<>();
    SourcedEvent.Deserializer source = new SourcedEvent.Deserializer();
    source.open(null);
    source.deserialize(new org.apache.kafka.clients.consumer.ConsumerRecord<>("t", 3, 42L, null, value),
        new ListCollector<>(read));
    assertThat(read.get(0).value()).isSameAs(value);
    EnrichRequest.OfSourced requests = new EnrichRequest.OfSourced(true);
    requests.open(null);
    EnrichRequest entering = shipped(requests.map(read.get(0))); // across the shuffle to resolve-1
    List<EnrichedEvent> out = new ArrayList<>(emit(result(entering, 0, "api-7d9f", null)));
    try (var h = reemission(true)) {
      h.open();
      h.processElement(new StreamRecord<>(result(registered(entering), 1, "api-7d9f", "ip-10-0-1-10.ec2.internal"), 3));
      out.addAll(h.extractOutputValues());
    }
    assertThat(out).hasSize(2);
    assertThat(READS).hasValue(1);
    for (EnrichedEvent emitted : out) {
      assertThat(java.util.Arrays.mismatch(emitted.wire(), value)).as("revision %d: the record's bytes first",
          emitted.enrichment().getRevision()).isEqualTo(value.length - 1);
    }
    assertThat(InFlightTest.decoded(out)).extracting(x -> x.getEnrichment().getRevision()).containsExactly(0, 1);
    assertThat(InFlightTest.decoded(out).get(1).getUnmapped()).isEqualTo(unmapped);
  }

  @Test
  void anEventTheTopicNoLongerHoldsIsNotEmittedAndTheJobGoesOn() throws Exception {
    EvidenceEvent other = CorrelationScenario.flow("flow-2", "111111111111", "vpc-0aaa", "eni-01", "i-01",
        "10.0.1.58", "10.0.2.9", "2026-11-20T10:03:00Z");
    TOPIC.put(43L, AvroCodec.of(EvidenceEvent.class).encode(other)); // another event at the second one's offset
    EnrichRequest gone = registered(EnrichRequest.of(FLOW, wire(FLOW, 3, 42))); // offset 42: retention passed
    EnrichRequest elsewhere = registered(EnrichRequest.of(FLOW, wire(FLOW, 3, 43)));
    try (var h = reemission(true)) {
      h.open();
      h.processElement(new StreamRecord<>(result(gone, 1, "api-7d9f", "ip-10-0-1-10.ec2.internal"), 3));
      assertThat(h.extractOutputValues()).isEmpty();
      assertThat(READS).hasValue(1);
      // the result is recorded as seen: an equal or older one does not try again
      h.processElement(new StreamRecord<>(result(gone, 1, "api-7d9f", "ip-10-0-1-10.ec2.internal"), 4));
      assertThat(READS).hasValue(1);
      // a newer one tries again: another event's record at the offset, not emitted either
      h.processElement(new StreamRecord<>(result(elsewhere, 2, "api-7d9f", "ip-10-0-1-11.ec2.internal"), 5));
      assertThat(READS).hasValue(2);
      assertThat(h.extractOutputValues()).isEmpty();
      // and once the record is there, the next newer result is emitted at revision 1
      TOPIC.put(42L, AvroCodec.of(EvidenceEvent.class).encode(FLOW));
      h.processElement(new StreamRecord<>(result(gone, 3, "api-7d9f", "ip-10-0-1-12.ec2.internal"), 6));
      assertThat(InFlightTest.decoded(h.extractOutputValues())).singleElement()
          .satisfies(e -> assertThat(e.getEnrichment().getRevision()).isEqualTo(1));
    }
  }

  @Test
  void anEventWithoutCoordinatesKeepsItsBytesInTheRegistration() throws Exception {
    EnrichRequest entering = EnrichRequest.of(FLOW, InFlightTest.wire(FLOW));
    EnrichRequest kept = registered(entering);
    assertThat(kept.event().bytes()).isEqualTo(entering.event().unenriched());
    try (var h = reemission(false)) {
      h.open();
      h.processElement(new StreamRecord<>(result(kept, 1, "api-7d9f", "ip-10-0-1-10.ec2.internal"), 3));
      assertThat(InFlightTest.decoded(h.extractOutputValues())).singleElement().satisfies(e -> {
        assertThat(e.getEnrichment().getRevision()).isEqualTo(1);
        assertThat(e.getRawData()).isEqualTo(FLOW.getRawData());
      });
      assertThat(READS).hasValue(0);
    }
  }

  @Test
  void requestsRegistrationsAndGatherStateRoundTripInEveryForm() throws Exception {
    EnrichRequest bare = EnrichRequest.of(FLOW);
    for (EnrichRequest r : List.of(bare, EnrichRequest.of(FLOW, InFlightTest.wire(FLOW)),
        EnrichRequest.of(FLOW, wire(FLOW, 3, 42)), registered(EnrichRequest.of(FLOW, wire(FLOW, 3, 42))))) {
      EnrichRequest back = shipped(r);
      assertThat(back.eventId()).isEqualTo(r.eventId());
      assertThat(back.known()).isEqualTo(r.known());
      assertThat(back.hop1Keys()).isEqualTo(r.hop1Keys());
      if (r.event() == null) {
        assertThat(back.event()).isNull();
        continue;
      }
      assertThat(back.event().bytes()).isEqualTo(r.event().unenriched());
      assertThat(back.event().partition()).isEqualTo(r.event().partition());
      assertThat(back.event().offset()).isEqualTo(r.event().hasOffset() ? r.event().offset() : 0);
      assertThat(back.event().eventId()).isEqualTo(r.eventId());
      // a registration keeps the event as kept, and rebuilds the request with the event's id
      LookupFunction.Registered reg = LookupFunction.Registered.carrying(r, 1, 7);
      DataOutputSerializer out = new DataOutputSerializer(64);
      new LookupFunction.RegisteredCodec().write(reg, out);
      EnrichRequest again = new LookupFunction.RegisteredCodec().read(new DataInputDeserializer(out.getCopyOfBuffer()))
          .request(r.eventId());
      assertThat(again.event().bytes()).isEqualTo(r.kept().event().unenriched());
      assertThat(again.event().eventId()).isEqualTo(r.eventId());
      if (r.event().hasOffset()) assertThat(out.length()).as("no bytes").isLessThan(FLOW_BYTES);
    }
    // a gather's state of the build before: the request without its event, still read
    DataOutputSerializer old = new DataOutputSerializer(256);
    old.writeBoolean(true);
    new EnrichRequest.EnrichRequestCodec().write(bare, old);
    old.writeLong(1);
    old.writeInt(5);
    old.writeShort(0);
    GatherFunction.Pending p = new GatherFunction.PendingCodec().read(new DataInputDeserializer(old.getCopyOfBuffer()));
    assertThat(p.request.eventId()).isEqualTo(bare.eventId());
    assertThat(p.request.event()).isNull();
    assertThat(p.emitted).isEqualTo(1);
  }

  static WireEvent wire(EvidenceEvent e, int partition, long offset) {
    return new WireEvent(e.getEventId(), new EventWire().withoutEnrichment(e), partition, offset);
  }

  /** What a hop's registration gives back of {@code r} for a re-resolution. */
  static EnrichRequest registered(EnrichRequest r) {
    return LookupFunction.Registered.carrying(r, 1, 0).request(r.eventId());
  }

  /** {@code r} across an exchange. */
  static EnrichRequest shipped(EnrichRequest r) throws Exception {
    DataOutputSerializer out = new DataOutputSerializer(256);
    new EnrichRequest.WithEventCodec().write(r, out);
    return new EnrichRequest.WithEventCodec().read(new DataInputDeserializer(out.getCopyOfBuffer()));
  }

  /** {@code r}'s result at hop-1 counter {@code rev}: the pod and, if given, the node. */
  static EnrichRequest result(EnrichRequest r, long rev, String pod, String node) {
    Enrichment known = EnrichRequest.EnrichmentCodec.copy(r.known());
    known.setPodName(pod);
    known.setNodeName(node);
    return r.with(EnrichRequest.revisionAt(0, 1, rev), known);
  }

  /** What the end of {@code r}'s path emits (the first result), a later result going to the side output. */
  static List<EnrichedEvent> emit(EnrichRequest r) throws Exception {
    try (var h = new OneInputStreamOperatorTestHarness<>(new ProcessOperator<>(new EmitEnriched()))) {
      h.setup(EnrichedEvent.TYPE.createSerializer(new SerializerConfigImpl()));
      h.open();
      h.processElement(new StreamRecord<>(r, 1));
      var later = h.getSideOutput(EmitEnriched.REEMIT);
      assertThat(later == null ? 0 : later.size()).isEqualTo(r.rev() == 0 ? 0 : 1);
      return h.extractOutputValues();
    }
  }

  static KeyedOneInputStreamOperatorTestHarness<String, EnrichRequest, EnrichedEvent> reemission(boolean topic)
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
    var h = new KeyedOneInputStreamOperatorTestHarness<>(
        new KeyedProcessOperator<>(new Reemission(Long.MAX_VALUE, f)),
        (KeySelector<EnrichRequest, String>) EnrichRequest::eventId, Types.STRING);
    h.setup(EnrichedEvent.TYPE.createSerializer(new SerializerConfigImpl()));
    return h;
  }
}
