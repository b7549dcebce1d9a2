package dev.strata.job.correlate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.correlate.Attr;
import dev.strata.correlate.BindingKind;
import dev.strata.correlate.EnrichmentMerger;
import dev.strata.schema.correlate.BindingLineage;
import dev.strata.schema.correlate.EntityBinding;
import dev.strata.schema.correlate.EntityRef;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedTwoInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/**
 * A request with one key at a hop is answered by the lookup itself, with the request merged (no gather), and
 * re-answered with the hop's counter + 1 when a late binding changes what the key resolves to; a binding that changes
 * nothing for it re-answers nothing. Fixtures: the VPC Flow record of {@link InFlightTest} and an ip -> pod binding
 * as the extractor writes one for a Kubernetes audit pod record (docs/correlation.md).
 */
class LookupFunctionTest {
  static final String KEY = "ip|aws:111111111111:vpc-0aaa|10.0.1.57";
  static final String STATE_KEY = "ip||10.0.1.57";
  static final long EVENT_MICROS = Instant.parse("2026-11-20T10:02:00Z").toEpochMilli() * 1000;

  @Test
  void aSingleKeyRequestIsAnsweredByTheLookupAndReAnsweredByALateBinding() throws Exception {
    EnrichRequest r = new EnrichRequest(InFlightTest.FLOW.getEventId(), EVENT_MICROS, 0,
        EnrichmentMerger.base(InFlightTest.FLOW), List.of(KEY));
    try (var h = lookup()) {
      h.open();
      h.processElement1(new StreamRecord<>(Probe.carrying(STATE_KEY, r), 1));
      h.processElement2(new StreamRecord<>(KeyedBinding.of(KEY, true, ipPod("api-7d9f", "10:00:00")), 2));
      h.processElement2(new StreamRecord<>(KeyedBinding.of(KEY, true, ipPod("api-7d9f", "10:00:00")), 3));
      h.processElement2(new StreamRecord<>(KeyedBinding.of(KEY, true, ipPod("web-1234", "10:30:00")), 4));
      assertThat(h.extractOutputValues()).as("no resolution for a gather").isEmpty();
      List<EnrichRequest> answered = h.getSideOutput(LookupFunction.ANSWERED).stream().map(StreamRecord::getValue)
          .toList();
      assertThat(answered).extracting(a -> a.known().getPodName()).containsExactly(null, "api-7d9f");
      assertThat(answered).extracting(EnrichRequest::eventId).containsOnly(r.eventId());
      assertThat(answered.get(1).rev()).isGreaterThan(answered.get(0).rev())
          .isEqualTo(EnrichRequest.revisionAt(0, 1, 1));
    }
  }

  @Test
  void aRegistrationStoresTheCarriedRequestOnceAndRegistrationsOfTheOlderFormAreStillRead() throws Exception {
    EnrichRequest r = new EnrichRequest(InFlightTest.FLOW.getEventId(), EVENT_MICROS, 5L << 42,
        EnrichmentMerger.base(InFlightTest.FLOW), List.of(KEY));
    LookupFunction.RegisteredCodec codec = new LookupFunction.RegisteredCodec();
    LookupFunction.Registered carrying = LookupFunction.Registered.carrying(r, 2, 77);
    var slim = new org.apache.flink.core.memory.DataOutputSerializer(64);
    codec.write(carrying, slim);
    // the form of session 8: the whole request (its id, time and revision again) after a boolean "carried"
    var old = new org.apache.flink.core.memory.DataOutputSerializer(64);
    old.writeLong(r.time());
    old.writeLong(r.rev());
    old.writeBoolean(true);
    new EnrichRequest.EnrichRequestCodec().write(r, old);
    old.writeInt(2);
    old.writeInt(77);
    assertThat(slim.length()).as("slim vs whole request").isLessThanOrEqualTo(old.length() - 2 - 64 - 16);
    for (byte[] bytes : List.of(slim.getCopyOfBuffer(), old.getCopyOfBuffer())) {
      var in = new org.apache.flink.core.memory.DataInputDeserializer(bytes);
      LookupFunction.Registered back = codec.read(in);
      assertThat(in.available()).isZero();
      assertThat(back.request(r.eventId())).isEqualTo(r);
      assertThat(back.emitted()).isEqualTo(2);
      assertThat(back.hash()).isEqualTo(77);
      assertThat(back.keys()).isNull();
    }
    var asking = new org.apache.flink.core.memory.DataOutputSerializer(64);
    codec.write(LookupFunction.Registered.asking(EVENT_MICROS, 3, List.of(KEY)), asking);
    LookupFunction.Registered back =
        codec.read(new org.apache.flink.core.memory.DataInputDeserializer(asking.getCopyOfBuffer()));
    assertThat(back.keys()).containsExactly(KEY);
    assertThat(back.known()).isNull();
    assertThat(back.rev()).isEqualTo(3);
  }

  @Test
  void aProbeOfOneOfSeveralKeysIsAnsweredForTheGather() throws Exception {
    try (var h = lookup()) {
      h.open();
      h.processElement2(new StreamRecord<>(KeyedBinding.of(KEY, true, ipPod("api-7d9f", "10:00:00")), 1));
      h.processElement1(new StreamRecord<>(new Probe(STATE_KEY, "e1", EVENT_MICROS, 0, null, List.of(KEY)), 2));
      assertThat(h.extractOutputValues()).singleElement().satisfies(a -> {
        assertThat(a.eventId()).isEqualTo("e1");
        assertThat(a.hits()).singleElement().satisfies(hit -> assertThat(hit.attrs()).containsEntry(Attr.POD_NAME,
            "api-7d9f"));
      });
      assertThat(h.getSideOutput(LookupFunction.ANSWERED)).isNullOrEmpty();
    }
  }

  @Test
  void aKeyGetsACleanupTimerOnlyOnceAStatementClosesAnInterval() throws Exception {
    try (var h = lookup(3_600_000L)) {
      h.open();
      h.processElement2(new StreamRecord<>(KeyedBinding.of(KEY, true, ipPod("api-7d9f", "10:00:00")), 1));
      assertThat(h.numEventTimeTimers()).as("an open binding: nothing to drop").isZero();
      h.processElement1(new StreamRecord<>(new Probe(STATE_KEY, "e1", EVENT_MICROS, 0, null, List.of(KEY)), 2));
      assertThat(h.extractOutputValues()).singleElement().satisfies(a -> assertThat(a.hits()).singleElement()
          .satisfies(hit -> assertThat(hit.attrs()).containsEntry(Attr.POD_NAME, "api-7d9f")));
      h.processElement2(new StreamRecord<>(KeyedBinding.of(KEY, true, ipPod("web-1234", "10:30:00")), 3));
      assertThat(h.numEventTimeTimers()).as("the first holder's interval closed").isEqualTo(1);
      assertThat(h.getSideOutput(LookupFunction.ACCEPTED)).extracting(StreamRecord::getValue)
          .containsExactly(STATE_KEY, STATE_KEY);
    }
  }

  static final String OTHER_VPC_KEY = "ip|aws:222222222222:vpc-0bbb|10.0.1.57";
  static final String ACCOUNT_KEY = "ip|aws:111111111111|10.0.1.57";

  @Test
  void anAddressAskedInTwoScopesIsOneProbe_anotherVpcsHolderOfTheAddressChangesNothing_inBothOrders()
      throws Exception {
    EnrichRequest r = new EnrichRequest(InFlightTest.FLOW.getEventId(), EVENT_MICROS, 0,
        EnrichmentMerger.base(InFlightTest.FLOW), List.of(KEY, ACCOUNT_KEY));
    for (boolean otherFirst : List.of(true, false)) {
      try (var h = lookup()) {
        h.open();
        // the other account's VPC gave the address to its own pod a minute before the event
        KeyedBinding other = KeyedBinding.of(OTHER_VPC_KEY, true, ipPod("billing-x", "10:01:00", OTHER_VPC_KEY));
        if (otherFirst) h.processElement2(new StreamRecord<>(other, 1));
        h.processElement1(new StreamRecord<>(Probe.carrying(STATE_KEY, r), 2));
        h.processElement2(new StreamRecord<>(KeyedBinding.of(KEY, true, ipPod("api-7d9f", "10:00:00")), 3));
        if (!otherFirst) h.processElement2(new StreamRecord<>(other, 4));
        List<EnrichRequest> answered = h.getSideOutput(LookupFunction.ANSWERED).stream()
            .map(StreamRecord::getValue).toList();
        assertThat(answered).as("answered, then re-answered by its own VPC's binding only")
            .extracting(a -> a.known().getPodName()).containsExactly(null, "api-7d9f");
        assertThat(answered.get(1).known().getNamespace()).isEqualTo("payments");
        assertThat(answered.get(1).known().getUnresolved()).containsExactly(ACCOUNT_KEY);
        assertThat(answered.get(0).known().getUnresolved()).containsExactly(KEY, ACCOUNT_KEY);
        assertThat(h.extractOutputValues()).isEmpty();
      }
    }
  }

  @Test
  void aProbeOfSeveralScopesForTheGatherIsAnsweredPerLookupKey() throws Exception {
    try (var h = lookup()) {
      h.open();
      h.processElement2(new StreamRecord<>(KeyedBinding.of(KEY, true, ipPod("api-7d9f", "10:00:00")), 1));
      h.processElement1(new StreamRecord<>(new Probe(STATE_KEY, "e1", EVENT_MICROS, 0, null,
          List.of(KEY, ACCOUNT_KEY)), 2));
      h.processElement2(new StreamRecord<>(KeyedBinding.of(ACCOUNT_KEY, false, ipPod("web-1234", "10:01:00",
          ACCOUNT_KEY)), 3));
      assertThat(h.extractOutputValues()).extracting(Resolution::key, a -> a.hits().isEmpty() ? null
              : a.hits().get(0).attrs().get(Attr.POD_NAME))
          .containsExactly(org.assertj.core.groups.Tuple.tuple(KEY, "api-7d9f"),
              org.assertj.core.groups.Tuple.tuple(ACCOUNT_KEY, null),
              org.assertj.core.groups.Tuple.tuple(ACCOUNT_KEY, "web-1234")); // only the key whose answer changed
    }
  }

  @Test
  void registrationsWrittenBeforeACheckpointAreReAnsweredAfterARestore_writtenAndUnwrittenOnesOnceEach()
      throws Exception {
    EnrichRequest first = new EnrichRequest("e1", EVENT_MICROS, 0, EnrichmentMerger.base(InFlightTest.FLOW),
        List.of(KEY));
    EnrichRequest second = new EnrichRequest("e2", EVENT_MICROS + 1, 0, EnrichmentMerger.base(InFlightTest.FLOW),
        List.of(KEY));
    org.apache.flink.runtime.checkpoint.OperatorSubtaskState snapshot;
    try (var h = lookup(3_600_000L)) {
      h.open();
      h.processElement1(new StreamRecord<>(Probe.carrying(STATE_KEY, first), 1));
      h.prepareSnapshotPreBarrier(1); // e1's registration goes to keyed state
      snapshot = h.snapshot(1, 1);
    }
    try (var h = lookup(3_600_000L)) {
      h.initializeState(snapshot);
      h.open();
      h.processElement1(new StreamRecord<>(Probe.carrying(STATE_KEY, second), 2)); // on the heap only
      h.processElement2(new StreamRecord<>(KeyedBinding.of(KEY, true, ipPod("api-7d9f", "10:00:00")), 3));
      // e1's registration is now both in keyed state (answered once) and on the heap (answered twice): the newer
      h.processElement2(new StreamRecord<>(KeyedBinding.of(KEY, true, ipPod("web-1234", "10:01:30")), 4));
      h.prepareSnapshotPreBarrier(2);
      h.processElement2(new StreamRecord<>(KeyedBinding.of(KEY, true, ipPod("db-5678", "10:01:45")), 5));
      List<EnrichRequest> answered = h.getSideOutput(LookupFunction.ANSWERED).stream().map(StreamRecord::getValue)
          .toList();
      assertThat(answered).extracting(EnrichRequest::eventId, a -> a.known().getPodName(), EnrichRequest::rev)
          .containsExactlyInAnyOrder(
              org.assertj.core.groups.Tuple.tuple("e2", null, 0L),
              org.assertj.core.groups.Tuple.tuple("e1", "api-7d9f", EnrichRequest.revisionAt(0, 1, 1)),
              org.assertj.core.groups.Tuple.tuple("e2", "api-7d9f", EnrichRequest.revisionAt(0, 1, 1)),
              org.assertj.core.groups.Tuple.tuple("e1", "web-1234", EnrichRequest.revisionAt(0, 1, 2)),
              org.assertj.core.groups.Tuple.tuple("e2", "web-1234", EnrichRequest.revisionAt(0, 1, 2)),
              org.assertj.core.groups.Tuple.tuple("e1", "db-5678", EnrichRequest.revisionAt(0, 1, 3)),
              org.assertj.core.groups.Tuple.tuple("e2", "db-5678", EnrichRequest.revisionAt(0, 1, 3)));
    }
  }

  @Test
  void aHotKeysRegistrationsAreOneStateEntryPerBatch_aLateBindingReAnswersEachEventOnceWithItsNewest_afterARestore()
      throws Exception {
    List<EnrichRequest> requests = new java.util.ArrayList<>();
    for (int i = 0; i < 5; i++) {
      requests.add(new EnrichRequest("e" + i, EVENT_MICROS + i, 0, EnrichmentMerger.base(InFlightTest.FLOW),
          List.of(KEY)));
    }
    // e2 again, re-resolved at an earlier hop (a newer revision): the registration kept for it must be this one
    EnrichRequest e2Newer = new EnrichRequest("e2", EVENT_MICROS + 2, 1L << 42,
        EnrichmentMerger.base(InFlightTest.FLOW), List.of(KEY));
    org.apache.flink.runtime.checkpoint.OperatorSubtaskState snapshot;
    try (var h = lookup(3_600_000L)) {
      h.open();
      for (EnrichRequest r : requests) h.processElement1(new StreamRecord<>(Probe.carrying(STATE_KEY, r), 1));
      h.prepareSnapshotPreBarrier(1); // e0..e4: one batch entry
      h.processElement1(new StreamRecord<>(Probe.carrying(STATE_KEY, e2Newer), 2));
      h.processElement1(new StreamRecord<>(Probe.carrying(STATE_KEY, new EnrichRequest("e5", EVENT_MICROS + 5, 0,
          EnrichmentMerger.base(InFlightTest.FLOW), List.of(KEY))), 2));
      h.prepareSnapshotPreBarrier(2); // e2 (newer) and e5: a second batch entry
      var operator = (InFlight.Operator<?, ?, ?>) h.getOperator();
      operator.setCurrentKey(STATE_KEY);
      org.apache.flink.api.common.state.MapState<String, LookupFunction.Registered> probes =
          operator.getKeyedStateStore().getMapState(new org.apache.flink.api.common.state.MapStateDescriptor<>(
              "scoped-probes", Types.STRING, LookupFunction.Registered.TYPE));
      assertThat(probes.keys()).as("two batches, no entry per event").hasSize(2)
          .allSatisfy(k -> assertThat(k).startsWith(LookupFunction.BATCH_PREFIX));
      snapshot = h.snapshot(2, 2);
    }
    try (var h = lookup(3_600_000L)) {
      h.initializeState(snapshot);
      h.open();
      h.processElement1(new StreamRecord<>(Probe.carrying(STATE_KEY, new EnrichRequest("e6", EVENT_MICROS + 6, 0,
          EnrichmentMerger.base(InFlightTest.FLOW), List.of(KEY))), 3)); // on the heap only
      h.processElement2(new StreamRecord<>(KeyedBinding.of(KEY, true, ipPod("api-7d9f", "10:00:00")), 4));
      h.prepareSnapshotPreBarrier(3); // the re-answers' registrations: a third batch, newer than the first two
      h.processElement2(new StreamRecord<>(KeyedBinding.of(KEY, true, ipPod("web-1234", "10:01:00")), 5));
      List<EnrichRequest> answered = h.getSideOutput(LookupFunction.ANSWERED).stream().map(StreamRecord::getValue)
          .toList();
      List<org.assertj.core.groups.Tuple> expected = new java.util.ArrayList<>();
      expected.add(org.assertj.core.groups.Tuple.tuple("e6", null, 0L));
      for (int i = 0; i <= 6; i++) {
        long base = i == 2 ? 1L << 42 : 0;
        expected.add(org.assertj.core.groups.Tuple.tuple("e" + i, "api-7d9f", EnrichRequest.revisionAt(base, 1, 1)));
        expected.add(org.assertj.core.groups.Tuple.tuple("e" + i, "web-1234", EnrichRequest.revisionAt(base, 1, 2)));
      }
      assertThat(answered).extracting(EnrichRequest::eventId, a -> a.known().getPodName(), EnrichRequest::rev)
          .containsExactlyInAnyOrderElementsOf(expected);
    }
  }

  @Test
  void aBatchOfRegistrationsIsReadBackAsWritten() throws Exception {
    EnrichRequest r = new EnrichRequest("e1", EVENT_MICROS, 5L << 42, EnrichmentMerger.base(InFlightTest.FLOW),
        List.of(KEY));
    var members = new LookupFunction.Registrations(1);
    members.add("e1", LookupFunction.Registered.carrying(r, 2, 77));
    members.add("e2", LookupFunction.Registered.asking(EVENT_MICROS + 1, 3, List.of(KEY, ACCOUNT_KEY)));
    LookupFunction.RegisteredCodec codec = new LookupFunction.RegisteredCodec();
    var out = new org.apache.flink.core.memory.DataOutputSerializer(64);
    codec.write(LookupFunction.Registered.batch(members), out);
    var in = new org.apache.flink.core.memory.DataInputDeserializer(out.getCopyOfBuffer());
    LookupFunction.Registered back = codec.read(in);
    assertThat(in.available()).isZero();
    assertThat(back.batch().size()).isEqualTo(2);
    assertThat(List.of(back.batch().id(0), back.batch().id(1))).containsExactly("e1", "e2");
    assertThat(back.batch().get(0).request("e1")).isEqualTo(r);
    assertThat(back.batch().get(0).emitted()).isEqualTo(2);
    assertThat(back.batch().get(1).keys()).containsExactly(KEY, ACCOUNT_KEY);
    assertThat(back.batch().get(1).rev()).isEqualTo(3);
  }

  /**
   * A pod's address stated twice (the pods snapshot's two statements of it, the earlier one moved the held start back),
   * then the node join's restatement of the later one with the node's instance: it takes the held entry's place with
   * the held (earlier) start, so an event between the two starts is answered again, now with the instance. Was
   * answered only from the restatement's own start: the event kept no instance when the earlier statement's
   * restatement came second (it then changes nothing), CrioKubeadmScenarioIT's NodePort flows, flaky by arrival order.
   */
  @Test
  void aRestatementWithTheNodesInstanceReAnswersFromTheHeldStartNotItsOwn() throws Exception {
    var known = EnrichmentMerger.base(InFlightTest.FLOW);
    known.setInstanceUid(null); // a flow to a node's address that names no instance (a v2 record)
    EnrichRequest r = new EnrichRequest(InFlightTest.FLOW.getEventId(), EVENT_MICROS, 0, known, List.of(KEY));
    try (var h = lookup()) {
      h.open();
      h.processElement2(new StreamRecord<>(KeyedBinding.of(KEY, true, ipPodOnNode("a", "10:30:00", null)), 1));
      h.processElement2(new StreamRecord<>(KeyedBinding.of(KEY, true, ipPodOnNode("b", "09:00:00", null)), 2));
      h.processElement1(new StreamRecord<>(Probe.carrying(STATE_KEY, r), 3));
      h.processElement2(new StreamRecord<>(KeyedBinding.of(KEY, true, ipPodOnNode("c", "10:30:00", "i-0abc")), 4));
      h.processElement2(new StreamRecord<>(KeyedBinding.of(KEY, true, ipPodOnNode("d", "09:00:00", "i-0abc")), 5));
      List<EnrichRequest> answered = h.getSideOutput(LookupFunction.ANSWERED).stream().map(StreamRecord::getValue)
          .toList();
      assertThat(answered).extracting(a -> a.known().getPodName()).containsExactly("api-7d9f", "api-7d9f");
      assertThat(answered).extracting(a -> a.known().getInstanceUid()).containsExactly(null, "i-0abc");
    }
  }

  /** The address of {@link #KEY} bound to pod api-7d9f on node ip-10-0-1-9 (statement id from {@code id}). */
  static EntityBinding ipPodOnNode(String id, String from, String instance) {
    Map<String, String> attrs = new java.util.HashMap<>(Map.of(Attr.CLUSTER, "prod", Attr.NAMESPACE, "payments",
        Attr.POD_NAME, "api-7d9f", Attr.NODE_NAME, "ip-10-0-1-9"));
    if (instance != null) attrs.put(Attr.INSTANCE_UID, instance);
    String[] k = KEY.split("\\|");
    return new EntityBinding(id.repeat(64), BindingKind.IP_POD.id(), new EntityRef("ip", k[2], k[1]),
        new EntityRef("pod", "payments/api-7d9f", "k8s:prod"), attrs, Instant.parse("2026-11-20T" + from + "Z"), null,
        false, 1f, "k8s_audit", new BindingLineage(id.repeat(64), "a".repeat(64), 0L, null, 1L), List.of(), 0, 0, false);
  }

  /** A flow whose hop-1 keys are one address in its scopes: its request is carried to the lookup (no gather). */
  static final dev.strata.schema.event.EvidenceEvent ONE_ADDRESS = dev.strata.correlate.CorrelationScenario.flow(
      "flow-late", "111111111111", "vpc-0aaa", null, null, "10.0.1.57", "93.184.216.34", "2026-11-20T10:02:00Z");

  /** The normalized topic's record of {@link #ONE_ADDRESS}: its wire bytes, the enrichment's null branch last. */
  static byte[] oneAddressRecord() {
    byte[] unenriched = new EventWire().withoutEnrichment(ONE_ADDRESS);
    return java.util.Arrays.copyOf(unenriched, unenriched.length + 1);
  }

  /** Reads of {@link #topic} (static: the factory is serialized into the operator). */
  static final java.util.concurrent.atomic.AtomicInteger READS = new java.util.concurrent.atomic.AtomicInteger();

  /** A normalized topic holding {@code value} at partition 0, offset 7 (null: nothing there any more). */
  static NormalizedEvents.Factory topic(byte[] value) {
    return subtask -> new NormalizedEvents() {
      @Override
      public byte[] read(int partition, long offset) {
        READS.incrementAndGet();
        return partition == 0 && offset == 7 ? value : null;
      }

      @Override
      public void close() {}
    };
  }

  @Test
  void hop1RegistersAnEventByItsCoordinatesAlone_aLateBindingOfItsScopeReadsItBackAndReAnswers_afterARestore()
      throws Exception {
    byte[] record = oneAddressRecord();
    EnrichRequest r = EnrichRequest.of(ONE_ADDRESS, new WireEvent(ONE_ADDRESS.getEventId(), record,
        record.length - 1, 0, 7));
    assertThat(r.keys(1)).as("one address, its scopes: one state key").isNotEmpty()
        .allSatisfy(k -> assertThat(dev.strata.correlate.LookupKeys.stateKey(k)).isEqualTo(STATE_KEY)).contains(KEY);
    // what the registration holds: ~20 bytes (the request it replaces: its enrichment and hop-1 keys, ~200)
    var slim = new org.apache.flink.core.memory.DataOutputSerializer(64);
    new LookupFunction.RegisteredCodec().write(LookupFunction.Registered.byEvent(r, 1, 77), slim);
    var full = new org.apache.flink.core.memory.DataOutputSerializer(64);
    new LookupFunction.RegisteredCodec().write(LookupFunction.Registered.carrying(r, 1, 77), full);
    assertThat(slim.length()).as("by event vs carrying (%s bytes)", full.length()).isLessThanOrEqualTo(24)
        .isLessThan(full.length() / 4);
    READS.set(0);
    org.apache.flink.runtime.checkpoint.OperatorSubtaskState snapshot;
    try (var h = lookup(3_600_000L, topic(record))) {
      h.open();
      h.processElement1(new StreamRecord<>(Probe.carrying(STATE_KEY, r), 1));
      h.prepareSnapshotPreBarrier(1); // the registration goes to keyed state
      var operator = (InFlight.Operator<?, ?, ?>) h.getOperator();
      operator.setCurrentKey(STATE_KEY);
      assertThat(operator.getKeyedStateStore().getMapState(new org.apache.flink.api.common.state.MapStateDescriptor<>(
          "scoped-probes", Types.STRING, LookupFunction.Registered.TYPE)).keys())
          .as("under its coordinates, not its 64-character id").containsExactly(LookupFunction.COORDINATES_PREFIX + "7");
      snapshot = h.snapshot(1, 1);
    }
    try (var h = lookup(3_600_000L, topic(record))) {
      h.initializeState(snapshot);
      h.open();
      // another VPC's holder of the address: not a scope the event asked; the event is not even read back
      h.processElement2(new StreamRecord<>(KeyedBinding.of("ip|aws:111111111111:vpc-0bbb|10.0.1.57", true,
          ipPod("other-1", "10:00:00", "ip|aws:111111111111:vpc-0bbb|10.0.1.57")), 2));
      assertThat(READS.get()).as("a binding of another scope reads nothing").isZero();
      h.processElement2(new StreamRecord<>(KeyedBinding.of(KEY, true, ipPod("api-7d9f", "10:00:00")), 3));
      h.processElement2(new StreamRecord<>(KeyedBinding.of(KEY, true, ipPod("api-7d9f", "10:00:00")), 4));
      h.prepareSnapshotPreBarrier(2); // the re-answer's registration, by its coordinates again
      h.processElement2(new StreamRecord<>(KeyedBinding.of(KEY, true, ipPod("web-1234", "10:01:30")), 5));
      List<EnrichRequest> answered = h.getSideOutput(LookupFunction.ANSWERED).stream().map(StreamRecord::getValue)
          .toList();
      assertThat(answered).extracting(EnrichRequest::eventId, a -> a.known().getPodName(), EnrichRequest::rev)
          .containsExactly(
              org.assertj.core.groups.Tuple.tuple(r.eventId(), "api-7d9f", EnrichRequest.revisionAt(0, 1, 1)),
              org.assertj.core.groups.Tuple.tuple(r.eventId(), "web-1234", EnrichRequest.revisionAt(0, 1, 2)));
      assertThat(READS.get()).as("one read per re-answer").isEqualTo(2);
      // rebuilt as it entered the hops, now carrying the event's bytes (its re-emission reads nothing again)
      for (EnrichRequest a : answered) {
        assertThat(a.hop1Keys()).isEqualTo(r.hop1Keys());
        assertThat(a.time()).isEqualTo(r.time());
        assertThat(a.event().unenriched()).isEqualTo(r.event().unenriched());
        assertThat(a.event().partition()).isZero();
        assertThat(a.event().offset()).isEqualTo(7);
      }
    }
  }

  @Test
  void anEventTheTopicNoLongerHoldsIsNotReAnswered_andAnEventWithoutCoordinatesIsRegisteredWithItsBytes()
      throws Exception {
    byte[] record = oneAddressRecord();
    EnrichRequest gone = EnrichRequest.of(ONE_ADDRESS, new WireEvent(ONE_ADDRESS.getEventId(), record,
        record.length - 1, 0, 8)); // nothing at offset 8
    try (var h = lookup(3_600_000L, topic(record))) {
      h.open();
      h.processElement1(new StreamRecord<>(Probe.carrying(STATE_KEY, gone), 1));
      h.processElement2(new StreamRecord<>(KeyedBinding.of(KEY, true, ipPod("api-7d9f", "10:00:00")), 2));
      assertThat(h.getSideOutput(LookupFunction.ANSWERED)).as("the first answer only").hasSize(1);
    }
    // the topic re-created: another event at the registered coordinates is not taken for this one
    byte[] other = new EventWire().withoutEnrichment(dev.strata.correlate.CorrelationScenario.flow("flow-other",
        "111111111111", "vpc-0aaa", null, null, "10.0.1.57", "93.184.216.34", "2026-11-20T10:02:00Z"));
    EnrichRequest there = EnrichRequest.of(ONE_ADDRESS, new WireEvent(ONE_ADDRESS.getEventId(), record,
        record.length - 1, 0, 7));
    try (var h = lookup(3_600_000L, topic(java.util.Arrays.copyOf(other, other.length + 1)))) {
      h.open();
      h.processElement1(new StreamRecord<>(Probe.carrying(STATE_KEY, there), 1));
      h.prepareSnapshotPreBarrier(1);
      h.processElement2(new StreamRecord<>(KeyedBinding.of(KEY, true, ipPod("api-7d9f", "10:00:00")), 2));
      assertThat(h.getSideOutput(LookupFunction.ANSWERED)).as("the first answer only").hasSize(1);
    }
    EnrichRequest bytes = EnrichRequest.of(ONE_ADDRESS, new WireEvent(ONE_ADDRESS.getEventId(), record,
        record.length - 1, SourcedEvent.NONE, 0));
    var out = new org.apache.flink.core.memory.DataOutputSerializer(64);
    new LookupFunction.RegisteredCodec().write(LookupFunction.Registered.byEvent(bytes, 3, 77), out);
    LookupFunction.Registered back = new LookupFunction.RegisteredCodec().read(
        new org.apache.flink.core.memory.DataInputDeserializer(out.getCopyOfBuffer()));
    assertThat(back.byEvent()).isTrue();
    assertThat(back.time()).isEqualTo(bytes.time());
    assertThat(back.emitted()).isEqualTo(3);
    assertThat(back.hash()).isEqualTo(77);
    assertThat(back.event().unenriched()).isEqualTo(bytes.event().unenriched());
    org.apache.flink.runtime.checkpoint.OperatorSubtaskState snapshot;
    try (var h = lookup(3_600_000L, null)) { // no topic: the bytes are in the registration
      h.open();
      h.processElement1(new StreamRecord<>(Probe.carrying(STATE_KEY, bytes), 1));
      h.prepareSnapshotPreBarrier(1);
      snapshot = h.snapshot(1, 1);
    }
    try (var h = lookup(3_600_000L, null)) {
      h.initializeState(snapshot);
      h.open();
      h.processElement2(new StreamRecord<>(KeyedBinding.of(KEY, true, ipPod("api-7d9f", "10:00:00")), 2));
      assertThat(h.getSideOutput(LookupFunction.ANSWERED)).singleElement().satisfies(a -> {
        assertThat(a.getValue().known().getPodName()).isEqualTo("api-7d9f");
        assertThat(a.getValue().hop1Keys()).isEqualTo(bytes.hop1Keys());
        assertThat(a.getValue().event().unenriched()).isEqualTo(bytes.event().unenriched());
      });
    }
  }

  static EntityBinding ipPod(String pod, String from) {
    return ipPod(pod, from, KEY);
  }

  /** An ip -> pod binding of the address and scope of lookup key {@code key}. */
  static EntityBinding ipPod(String pod, String from, String key) {
    String id = Integer.toHexString(pod.hashCode()).repeat(8).substring(0, 64);
    String[] k = key.split("\\|");
    return new EntityBinding(id, BindingKind.IP_POD.id(),
        new EntityRef("ip", k[2], k[1]), new EntityRef("pod", "payments/" + pod,
            "k8s:prod"),
        Map.of(Attr.CLUSTER, "prod", Attr.NAMESPACE, "payments", Attr.POD_NAME, pod),
        Instant.parse("2026-11-20T" + from + "Z"), null, false, 1f, "k8s_audit",
        new BindingLineage(id, "a".repeat(64), 0L, null, 1L), List.of(), 0, 0, false);
  }

  static KeyedTwoInputStreamOperatorTestHarness<String, Probe, KeyedBinding, Resolution> lookup() throws Exception {
    return lookup(Long.MAX_VALUE);
  }

  static KeyedTwoInputStreamOperatorTestHarness<String, Probe, KeyedBinding, Resolution> lookup(long retentionMs)
      throws Exception {
    return lookup(retentionMs, null);
  }

  static KeyedTwoInputStreamOperatorTestHarness<String, Probe, KeyedBinding, Resolution> lookup(long retentionMs,
      NormalizedEvents.Factory topic) throws Exception {
    var h = new KeyedTwoInputStreamOperatorTestHarness<>(
        new InFlight.Operator<>(new LookupFunction(1, retentionMs, 3_600_000L, 64, topic)),
        (KeySelector<Probe, String>) Probe::key, (KeySelector<KeyedBinding, String>) KeyedBinding::key, Types.STRING);
    h.setup(Resolution.TYPE.createSerializer(new SerializerConfigImpl()));
    return h;
  }
}
