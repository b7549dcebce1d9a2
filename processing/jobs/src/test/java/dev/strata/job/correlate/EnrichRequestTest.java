package dev.strata.job.correlate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.correlate.CorrelationScenario;
import dev.strata.correlate.EnrichmentMerger;
import dev.strata.correlate.LookupKeys;
import dev.strata.schema.event.Enrichment;
import dev.strata.schema.event.EvidenceEvent;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The request the hops carry instead of the event: its keys at every hop are the event's, it survives its codec, and
 * its revisions order results along the hops. Fixtures: the correlation scenario's events (CorrelationScenario,
 * following docs/correlation.md), with what later hops would know filled in by hand.
 */
class EnrichRequestTest {
  static final CorrelationScenario S = new CorrelationScenario();

  /** What hops 1 and 2 could have found for an event: a pod, its container, node, instance, image, service account. */
  static Enrichment found(EvidenceEvent e) {
    Enrichment k = EnrichmentMerger.base(e);
    if (k.getCluster() == null) k.setCluster("prod");
    if (k.getNamespace() == null) k.setNamespace("payments");
    if (k.getPodName() == null) k.setPodName("api-7d9f");
    if (k.getContainerUid() == null) k.setContainerUid("c".repeat(64));
    if (k.getInstanceUid() == null) k.setInstanceUid("i-0abc");
    if (k.getImageDigest() == null) k.setImageDigest("sha256:" + "d".repeat(64));
    if (k.getServiceAccount() == null) k.setServiceAccount("payments/api-sa");
    if (k.getAccountUid() == null) k.setAccountUid("111111111111");
    k.getUnresolved().add("ip|aws:111111111111|10.0.1.57");
    return k;
  }

  @Test
  void keysAtEveryHopAreTheEventsKeys() {
    int compared = 0;
    for (EvidenceEvent e : S.arrivalOrder()) {
      EnrichRequest r = EnrichRequest.of(e);
      assertThat(r.keys(1)).as("hop 1 of " + e.getEventId())
          .isEqualTo(LookupKeys.probes(1, e, EnrichmentMerger.base(e)));
      for (Enrichment known : List.of(EnrichmentMerger.base(e), found(e))) {
        EnrichRequest later = r.with(0, known);
        for (int hop = 2; hop <= LookupKeys.HOPS; hop++) {
          assertThat(later.keys(hop)).as("hop " + hop + " of " + e.getEventId())
              .isEqualTo(LookupKeys.probes(hop, e, known));
          compared += later.keys(hop).size();
        }
      }
    }
    assertThat(compared).as("keys compared at hops 2 and 3").isGreaterThan(20);
  }

  @Test
  void survivesItsCodec() throws Exception {
    EvidenceEvent e = S.arrivalOrder().get(0);
    Enrichment known = found(e);
    known.setNodeName("nœud-é"); // not ASCII
    known.setBindingIds(new ArrayList<>(List.of("a".repeat(64), "b".repeat(64))));
    known.setRevision(7);
    EnrichRequest r = new EnrichRequest(e.getEventId(), 1_795_082_400_000_001L, 1L << 42, known, List.of("k|s|1"));
    CodecTypeInfo.Serializer<EnrichRequest> s =
        (CodecTypeInfo.Serializer<EnrichRequest>) EnrichRequest.TYPE.createSerializer((org.apache.flink.api.common.serialization.SerializerConfig) null);
    EnrichRequest back = s.roundTrip(r);
    assertThat(back).isEqualTo(r);
    assertThat(back.known().getNodeName()).isEqualTo("nœud-é");
    assertThat(EnrichRequest.EnrichmentCodec.copy(known)).isEqualTo(known).isNotSameAs(known);
  }

  @Test
  void theEnrichmentIsWrittenCompactly_andStateOfTheFirstFormIsStillRead() throws Exception {
    EvidenceEvent e = S.arrivalOrder().get(0);
    for (Enrichment known : List.of(EnrichmentMerger.base(e), found(e), Enrichment.newBuilder().build())) {
      known.setRevision(3);
      org.apache.flink.core.memory.DataOutputSerializer compact = new org.apache.flink.core.memory.DataOutputSerializer(64);
      EnrichRequest.EnrichmentCodec.write(known, compact);
      org.apache.flink.core.memory.DataOutputSerializer full = new org.apache.flink.core.memory.DataOutputSerializer(64);
      writeFirstForm(known, full);
      assertThat(compact.length()).as("compact vs first form").isLessThan(full.length() - 60);
      for (byte[] bytes : List.of(compact.getCopyOfBuffer(), full.getCopyOfBuffer())) {
        org.apache.flink.core.memory.DataInputDeserializer in = new org.apache.flink.core.memory.DataInputDeserializer(bytes);
        Enrichment back = EnrichRequest.EnrichmentCodec.read(in);
        assertThat(back).isEqualTo(known);
        assertThat(in.available()).isZero();
      }
    }
  }

  /** The enrichment as the session-6 codec wrote it (every field; strings as a nullable 4-byte-length string). */
  @SuppressWarnings("unchecked")
  static void writeFirstForm(Enrichment en, org.apache.flink.core.memory.DataOutputView out) throws Exception {
    for (org.apache.avro.Schema.Field f : Enrichment.getClassSchema().getFields()) {
      Object v = en.get(f.pos());
      switch (f.schema().getType()) {
        case UNION -> Codec.writeNullableString(v == null ? null : v.toString(), out);
        case ARRAY -> {
          out.writeShort(((List<String>) v).size());
          for (String x : (List<String>) v) Codec.writeString(x, out);
        }
        default -> out.writeInt((Integer) v);
      }
    }
  }

  @Test
  void fromHop2OnARequestCarriesOnlyTheHop1KeysALaterHopCouldAsk() {
    int dropped = 0;
    for (EvidenceEvent e : S.arrivalOrder()) {
      EnrichRequest r = EnrichRequest.of(e);
      assertThat(r.forHop(1)).isSameAs(r);
      for (Enrichment known : List.of(EnrichmentMerger.base(e), found(e))) {
        EnrichRequest later = r.with(1, known);
        for (int hop = 2; hop <= LookupKeys.HOPS; hop++) {
          EnrichRequest trimmed = later.forHop(hop);
          assertThat(trimmed.eventId()).isEqualTo(later.eventId());
          assertThat(trimmed.known()).isSameAs(known);
          assertThat(later.hop1Keys()).containsAll(trimmed.hop1Keys());
          for (int h = hop; h <= LookupKeys.HOPS; h++) {
            assertThat(trimmed.keys(h)).as("hop " + h + " of " + e.getEventId() + " from " + hop)
                .isEqualTo(later.keys(h));
          }
          dropped += later.hop1Keys().size() - trimmed.hop1Keys().size();
          assertThat(trimmed.hop1Keys()).noneMatch(k -> k.startsWith("ip|"));
        }
      }
    }
    assertThat(dropped).as("hop-1 keys left behind").isGreaterThan(20);
  }

  @Test
  void aNewerEarlierHopResultOutranksEveryResultDerivedFromAnOlderOne() {
    long hop1First = EnrichRequest.revisionAt(0, 1, 0);
    long hop1Second = EnrichRequest.revisionAt(0, 1, 1);
    long fromFirstManyTimesReResolved =
        EnrichRequest.revisionAt(EnrichRequest.revisionAt(hop1First, 2, 900), 3, 5000);
    long fromSecondSkippingHop2 = EnrichRequest.revisionAt(hop1Second, 3, 0);
    assertThat(fromSecondSkippingHop2).isGreaterThan(fromFirstManyTimesReResolved);
    assertThat(EnrichRequest.revisionAt(hop1First, 2, 1)).isGreaterThan(EnrichRequest.revisionAt(hop1First, 2, 0));
    assertThat(EnrichRequest.revisionAt(0, 1, Long.MAX_VALUE)).isPositive(); // capped, never the sign bit
  }
}
