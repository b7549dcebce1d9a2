package dev.strata.job.correlate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.correlate.Attr;
import dev.strata.correlate.BindingExtractor;
import dev.strata.correlate.BindingKind;
import dev.strata.correlate.CorrelationScenario;
import dev.strata.correlate.EnrichmentMerger;
import dev.strata.correlate.Hit;
import dev.strata.correlate.KeyState;
import dev.strata.correlate.LookupKeys;
import dev.strata.schema.correlate.BindingLineage;
import dev.strata.schema.correlate.EntityBinding;
import dev.strata.schema.correlate.EntityRef;
import dev.strata.schema.event.Enrichment;
import dev.strata.schema.event.EvidenceEvent;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A pod or service account key is not asked when everything its bindings could fill is known (docs/correlation.md
 * "The graph and its hops"), and that holds by construction: what such a key's state keeps is limited to what the
 * skip checks. Fixtures: the correlation scenario (CorrelationScenario, fixtures/correlate/README.md) and hand-made
 * enrichments and bindings following docs/correlation.md "Bindings".
 */
class HopSkipTest {
  static final CorrelationScenario S = new CorrelationScenario();

  /** What an ip -> pod binding from the API server gives a VPC Flow record of payments/api-7d9f at hop 1. */
  static Enrichment afterHop1(EvidenceEvent flow) {
    Enrichment k = EnrichmentMerger.base(flow);
    k.setCluster("prod");
    k.setNamespace("payments");
    k.setPodName("api-7d9f");
    k.setPodUid("6f1c2b1e-0000-4000-8000-0000000000a1");
    k.setNodeName(CorrelationScenario.NODE);
    k.setServiceAccount("payments/api-sa");
    k.setAccountUid(CorrelationScenario.ACCOUNT_PROD);
    return k;
  }

  static final String POD_KEY = "pod|k8s:prod|payments/api-7d9f";

  @Test
  void aPodKeyIsAskedOnlyWhileSomethingItsBindingsCouldFillIsUnknown() {
    EvidenceEvent flow = S.flowApi;
    Enrichment full = afterHop1(flow);
    assertThat(LookupKeys.probes(2, flow, full)).doesNotContain(POD_KEY);
    for (String missing : List.of(Attr.NODE_NAME, Attr.POD_UID, Attr.SERVICE_ACCOUNT, Attr.ACCOUNT_UID)) {
      Enrichment k = afterHop1(flow);
      Attr.set(k, missing, null);
      assertThat(LookupKeys.probes(2, flow, k)).as("without " + missing).contains(POD_KEY);
    }
    // the request's keys are the same function of what is known
    EnrichRequest r = EnrichRequest.of(flow).with(1, full);
    assertThat(r.keys(2)).doesNotContain(POD_KEY).isEqualTo(LookupKeys.probes(2, flow, full));
  }

  @Test
  void serviceAccountKeysAreAskedOnlyWhileTheRoleOrAScopeIsUnknown() {
    EvidenceEvent flow = S.flowApi;
    Enrichment k = afterHop1(flow);
    assertThat(LookupKeys.probes(3, flow, k))
        .containsExactly("serviceaccount|k8s:prod|payments/api-sa", "serviceaccount|aws:111111111111|payments/api-sa");
    k.setIamRole(CorrelationScenario.ROLE);
    assertThat(LookupKeys.probes(3, flow, k)).isEmpty();
    assertThat(EnrichRequest.of(flow).with(1, k).keys(3)).isEmpty();
    k.setCluster(null); // the cluster is part of what a service account -> role binding may state
    // (the flow's node is not asked: its instance comes with the ip -> pod binding that named the node, session 16)
    assertThat(LookupKeys.probes(3, flow, k)).containsExactly("serviceaccount|aws:111111111111|payments/api-sa");
  }

  @Test
  void aPodKeysStateKeepsOnlyWhatTheSkipChecks() {
    Map<String, String> attrs = new LinkedHashMap<>();
    attrs.put(Attr.CLUSTER, "prod");
    attrs.put(Attr.NAMESPACE, "payments");
    attrs.put(Attr.POD_NAME, "api-7d9f");
    attrs.put(Attr.NODE_NAME, "ip-10-0-9-99.ec2.internal");
    attrs.put(Attr.IMAGE_DIGEST, "sha256:" + "e".repeat(64)); // not what a pod key's lookups fill
    attrs.put(Attr.INSTANCE_UID, "i-0fff");
    EntityBinding b = new EntityBinding("ab".repeat(32), BindingKind.POD_NODE.id(),
        new EntityRef("pod", "payments/api-7d9f", "k8s:prod"), new EntityRef("node", "ip-10-0-9-99.ec2.internal", "k8s:prod"),
        attrs, Instant.parse("2026-11-20T09:59:00Z"), null, false, 1f, "k8s_event",
        new BindingLineage("ev", "f".repeat(64), 0L, null, 1L), List.of(), 0, 0, false);
    List<KeyedBinding> routed = new ArrayList<>();
    new RouteBindings(2).flatMap(b, new org.apache.flink.api.common.functions.util.ListCollector<>(routed));
    assertThat(routed).extracting(KeyedBinding::key).containsExactly(POD_KEY);
    List<Hit> hits = KeyState.decode(routed.get(0).entry()).resolve(null, Instant.parse("2026-11-20T10:02:00Z").toEpochMilli() * 1000);
    assertThat(hits).hasSize(1);
    // and the node's instance (join-node-instances restates a pod's statements with it; not part of the skip)
    assertThat(hits.get(0).attrs()).containsOnlyKeys(Attr.CLUSTER, Attr.NAMESPACE, Attr.POD_NAME, Attr.NODE_NAME,
        Attr.INSTANCE_UID);
    assertThat(hits.get(0).object()).isEqualTo("ip-10-0-9-99.ec2.internal");
  }

  @Test
  void theExtractorsPodAndServiceAccountBindingsStateNothingTheStateWouldDrop() {
    BindingExtractor x = new BindingExtractor();
    List<EvidenceEvent> all = new ArrayList<>(S.arrivalOrder());
    int checked = 0;
    for (EvidenceEvent e : all) {
      for (EntityBinding b : x.extract(e)) {
        for (String key : LookupKeys.of(b)) {
          String type = LookupKeys.typeOf(key);
          int fillable = LookupKeys.fillable(type);
          if (fillable == -1) continue;
          for (String a : b.getAttributes().keySet()) {
            int code = Attr.code(a);
            if (code < 0) continue; // not kept in any lookup state
            assertThat((fillable >> code) & 1).as(b.getKind() + " under " + key + ": " + a).isEqualTo(1);
          }
          checked++;
        }
      }
    }
    assertThat(checked).as("pod and service account keys of the scenario's bindings").isGreaterThan(5);
  }
}
