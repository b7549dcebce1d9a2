package dev.strata.job.correlate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.correlate.Attr;
import dev.strata.correlate.BindingKind;
import dev.strata.correlate.EnrichmentMerger;
import dev.strata.correlate.KeyState;
import dev.strata.schema.correlate.BindingLineage;
import dev.strata.schema.correlate.EntityBinding;
import dev.strata.schema.correlate.EntityRef;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.functions.util.ListCollector;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.streaming.api.operators.ProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/**
 * The scopes of one address share one state key, on both sides: a binding indexed under its VPC-scoped and its
 * cluster-scoped address is one statement for both scopes ({@link RouteBindings}), and an event's keys of one address
 * are one probe ({@link ProbeKeys}). Fixtures: an ip -> pod binding as the extractor writes one for a Kubernetes audit
 * pod record, and the hop-1 keys of a VPC Flow record between two private addresses (docs/correlation.md).
 */
class StateKeysTest {
  static final String VPC = "aws:111111111111:vpc-0aaa";
  static final long FROM = Instant.parse("2026-11-20T10:00:00Z").toEpochMilli() * 1000;

  static OneInputStreamOperatorTestHarness<EnrichRequest, Probe> probeKeys() throws Exception {
    var h = new OneInputStreamOperatorTestHarness<>(new ProcessOperator<>(new ProbeKeys(1)));
    h.setup(Probe.TYPE.createSerializer(new SerializerConfigImpl()));
    h.open();
    return h;
  }

  @Test
  void anAddressBindingNamingAClusterIsOneStatementForBothScopes() {
    EntityBinding b = new EntityBinding("ab".repeat(32), BindingKind.IP_POD.id(),
        new EntityRef("ip", "10.0.1.57", VPC), new EntityRef("pod", "payments/api-7d9f", "k8s:prod"),
        Map.of(Attr.CLUSTER, "prod", Attr.NAMESPACE, "payments", Attr.POD_NAME, "api-7d9f"),
        Instant.parse("2026-11-20T10:00:00Z"), null, false, 1f, "k8s_audit",
        new BindingLineage("ab".repeat(32), "a".repeat(64), 0L, null, 1L), List.of(), 0, 0, false);
    List<KeyedBinding> routed = new ArrayList<>();
    new RouteBindings(1).flatMap(b, new ListCollector<>(routed));
    assertThat(routed).singleElement().satisfies(kb -> {
      assertThat(kb.key()).isEqualTo("ip||10.0.1.57");
      assertThat(kb.primary()).isTrue();
      KeyState s = KeyState.decode(kb.entry());
      assertThat(s.resolve(VPC, FROM)).singleElement().satisfies(h -> assertThat(h.object())
          .isEqualTo("payments/api-7d9f"));
      assertThat(s.resolve("k8s:prod", FROM)).hasSize(1);
      assertThat(s.resolve("aws:111111111111", FROM)).as("not stated for the account scope").isEmpty();
    });
    List<KeyedBinding> hop2 = new ArrayList<>();
    new RouteBindings(2).flatMap(b, new ListCollector<>(hop2));
    assertThat(hop2).as("hop 2 does not look addresses up").isEmpty();
  }

  @Test
  void aFlowBetweenTwoPrivateAddressesIsOneProbePerAddress_oneAddressIsAnsweredWithoutAGather() throws Exception {
    List<String> two = List.of("ip|" + VPC + "|10.0.1.57", "ip|aws:111111111111|10.0.1.57",
        "ip|" + VPC + "|10.0.2.9", "ip|aws:111111111111|10.0.2.9");
    EnrichRequest r = new EnrichRequest("e1", FROM, 0, EnrichmentMerger.base(InFlightTest.FLOW), two);
    try (var h = probeKeys()) {
      h.processElement(new StreamRecord<>(r, 1));
      assertThat(h.extractOutputValues()).extracting(Probe::key, Probe::keys, p -> p.request() == null)
          .containsExactly(org.assertj.core.groups.Tuple.tuple("ip||10.0.1.57", two.subList(0, 2), true),
              org.assertj.core.groups.Tuple.tuple("ip||10.0.2.9", two.subList(2, 4), true));
      assertThat(h.getSideOutput(ProbeKeys.WAITING)).extracting(StreamRecord::getValue).containsExactly(r);
    }
    EnrichRequest one = new EnrichRequest("e2", FROM, 0, EnrichmentMerger.base(InFlightTest.FLOW), two.subList(0, 2));
    try (var h = probeKeys()) {
      h.processElement(new StreamRecord<>(one, 1));
      assertThat(h.extractOutputValues()).singleElement().satisfies(p -> {
        assertThat(p.key()).isEqualTo("ip||10.0.1.57");
        assertThat(p.request()).isSameAs(one);
        assertThat(p.keysAt(1)).isEqualTo(two.subList(0, 2));
      });
      assertThat(h.getSideOutput(ProbeKeys.WAITING)).isNullOrEmpty();
    }
  }
}
