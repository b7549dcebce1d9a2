package dev.strata.correlate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.job.correlate.KeyedBinding;
import dev.strata.job.correlate.RouteBindings;
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
import org.apache.flink.api.common.functions.util.ListCollector;
import org.junit.jupiter.api.Test;

/**
 * An event's node names its instance (docs/correlation.md, "A node's instance"): the statement that named the node
 * carries it (join-node-instances); the lookups ask the node's key only for an event that names its node itself and
 * nothing else hop 1 could ask (at hop 1), the key a {@code node_instance} statement is held under, whatever form of
 * the node's name either side uses. Fixtures: the correlation
 * scenario's names (fixtures/correlate/README.md).
 */
class LookupKeysTest {
  static final CorrelationScenario S = new CorrelationScenario();
  static final String NODE_KEY = "node|k8s:prod|ip-10-0-1-10";

  /** What a Falco alert of payments/api-7d9f's container knows after hop 1 (its container -> pod, as audited). */
  static Enrichment podAndNodeKnown(EvidenceEvent e) {
    Enrichment k = EnrichmentMerger.base(e);
    k.setCluster("prod");
    k.setNamespace("payments");
    k.setPodName("api-7d9f");
    k.setPodUid("6f1c2b1e-0000-4000-8000-0000000000a1");
    k.setNodeName(CorrelationScenario.NODE);
    k.setServiceAccount("payments/api-sa");
    k.setAccountUid(CorrelationScenario.ACCOUNT_PROD);
    return k;
  }

  static EntityBinding nodeInstance(String cluster, String node, String instance) {
    Map<String, String> a = new LinkedHashMap<>();
    a.put(Attr.CLUSTER, cluster);
    a.put(Attr.NODE_NAME, node);
    a.put(Attr.INSTANCE_UID, instance);
    a.put(Attr.ACCOUNT_UID, CorrelationScenario.ACCOUNT_PROD);
    a.put(Attr.IMAGE_DIGEST, "sha256:" + "e".repeat(64)); // nothing a node key's lookups fill
    return new EntityBinding("cd".repeat(32), BindingKind.NODE_INSTANCE.id(), new EntityRef("node", node, "k8s:" + cluster),
        new EntityRef("instance", instance, ""), a, Instant.parse("2026-11-20T09:59:00Z"), null, false, 1f, "k8s_audit",
        new BindingLineage("ev", "f".repeat(64), 0L, null, 1L), List.of(), 0, 0, false);
  }

  @Test
  void aNodeIsKeyedByTheFirstLabelOfItsNameInItsScope() {
    assertThat(LookupKeys.node("k8s:prod", "ip-10-0-1-10.ec2.internal")).isEqualTo(NODE_KEY);
    assertThat(LookupKeys.node("k8s:prod", "IP-10-0-1-10")).isEqualTo(NODE_KEY);
    assertThat(LookupKeys.node("k8s:prod", "gke-prod-pool-1-abcd")).isEqualTo("node|k8s:prod|gke-prod-pool-1-abcd");
    assertThat(LookupKeys.node("k8s:prod", " ")).isNull();
    assertThat(LookupKeys.stateKey(NODE_KEY)).isEqualTo("node||ip-10-0-1-10");
    assertThat(LookupKeys.stateScope(NODE_KEY)).isEqualTo("k8s:prod");
    // the API server's Node (the full name) is held where the event's node asks, and by its instance (reverse)
    assertThat(LookupKeys.of(nodeInstance("prod", CorrelationScenario.NODE, CorrelationScenario.INSTANCE)))
        .containsExactly(NODE_KEY, "instance||" + CorrelationScenario.INSTANCE);
  }

  /** An event that names its node itself ({@code kubernetes.node_name}, a Tetragon event's) and no container. */
  static EvidenceEvent onTheNodeOnly() {
    EvidenceEvent e = EvidenceEvent.newBuilder(S.falco.get(0)).build();
    e.setContainer(null);
    e.setKubernetes(dev.strata.schema.event.Kubernetes.newBuilder().setCluster("prod")
        .setNodeName(CorrelationScenario.NODE).build());
    return e;
  }

  @Test
  void theNodeIsAskedOnlyByAnEventThatNamesItItselfAndNothingElseAtHop1() {
    EvidenceEvent alert = S.falco.get(0);
    Enrichment k = podAndNodeKnown(alert);
    assertThat(k.getInstanceUid()).as("the alert names no instance").isNull();
    List<String> hop1 = LookupKeys.probes(1, alert, EnrichmentMerger.base(alert));
    assertThat(hop1).as("the alert asks its container").noneMatch(key -> key.startsWith("node|"));
    // hop 1 found the pod and its node (container -> pod): that statement carries the node's instance when it is
    // known (join-node-instances), so no later hop asks the node
    assertThat(LookupKeys.probes(2, alert, k)).isEmpty();
    assertThat(LookupKeys.probes(2, k, hop1)).isEmpty();
    assertThat(LookupKeys.probes(3, alert, k)).containsExactly("serviceaccount|k8s:prod|payments/api-sa",
        "serviceaccount|aws:111111111111|payments/api-sa");
    assertThat(LookupKeys.probes(3, k, hop1)).isEqualTo(LookupKeys.probes(3, alert, k));
    Enrichment podAsked = podAndNodeKnown(alert);
    podAsked.setPodUid(null);
    assertThat(LookupKeys.probes(2, alert, podAsked)).containsExactly("pod|k8s:prod|payments/api-7d9f");
    podAsked.setIamRole(CorrelationScenario.ROLE);
    assertThat(LookupKeys.probes(3, alert, podAsked)).isEmpty();
    // a flow that found only the node (ip_node from a pod's hostIP): nothing more either
    EvidenceEvent flow = CorrelationScenario.flow("to-kubelet", CorrelationScenario.ACCOUNT_PROD, "vpc-0aaa", null, null,
        "198.51.100.23", "10.0.1.10", "2026-11-20T10:05:00Z");
    Enrichment n = EnrichmentMerger.base(flow);
    n.setCluster("prod");
    n.setNodeName(CorrelationScenario.NODE);
    assertThat(LookupKeys.probes(2, flow, n)).isEmpty();
    assertThat(LookupKeys.probes(3, flow, n)).isEmpty();
    // an event that names its node itself and nothing else hop 1 could ask: the node, at hop 1, alone
    EvidenceEvent onNode = onTheNodeOnly();
    assertThat(LookupKeys.probes(1, onNode, EnrichmentMerger.base(onNode))).containsExactly(NODE_KEY);
    // ... not once its instance is known (the node's files under a context with cloud_instance)
    Enrichment withInstance = EnrichmentMerger.base(onNode);
    withInstance.setInstanceUid(CorrelationScenario.INSTANCE);
    withInstance.setAccountUid(CorrelationScenario.ACCOUNT_PROD);
    assertThat(LookupKeys.probes(1, onNode, withInstance)).isEmpty();
    // ... nor when it names a container too (whose statement carries the node's instance)
    EvidenceEvent inContainer = EvidenceEvent.newBuilder(onNode).setContainer(alert.getContainer()).build();
    assertThat(LookupKeys.probes(1, inContainer, EnrichmentMerger.base(inContainer))).doesNotContain(NODE_KEY)
        .isNotEmpty();
    assertThat(LookupKeys.probes(2, onNode, EnrichmentMerger.base(onNode))).isEmpty();
  }

  @Test
  void hop1HoldsANodesInstanceWithWhatItsKeyMayFillOnly() {
    EntityBinding b = nodeInstance("prod", CorrelationScenario.NODE, CorrelationScenario.INSTANCE);
    List<KeyedBinding> routed = new ArrayList<>();
    new RouteBindings(1).flatMap(b, new ListCollector<>(routed));
    assertThat(routed).extracting(KeyedBinding::key).containsExactly("node||ip-10-0-1-10",
        "instance||" + CorrelationScenario.INSTANCE);
    KeyState s = KeyState.decode(routed.get(0).entry());
    long at = Instant.parse("2026-11-20T10:02:00Z").toEpochMilli() * 1000;
    List<Hit> hits = s.resolve("k8s:prod", at);
    assertThat(hits).hasSize(1);
    assertThat(hits.get(0).attrs()).containsOnlyKeys(Attr.CLUSTER, Attr.NODE_NAME, Attr.INSTANCE_UID, Attr.ACCOUNT_UID)
        .containsEntry(Attr.INSTANCE_UID, CorrelationScenario.INSTANCE);
    assertThat(s.resolve("k8s:stage", at)).as("another cluster's node of the same name").isEmpty();
    // hop 2 holds it by its instance only (instance -> node), hop 3 not at all
    List<KeyedBinding> hop2 = new ArrayList<>();
    new RouteBindings(2).flatMap(b, new ListCollector<>(hop2));
    assertThat(hop2).extracting(KeyedBinding::key).containsExactly("instance||" + CorrelationScenario.INSTANCE);
    List<KeyedBinding> hop3 = new ArrayList<>();
    new RouteBindings(3).flatMap(b, new ListCollector<>(hop3));
    assertThat(hop3).isEmpty();
  }

  @Test
  void aNodesInstanceFillsTheInstanceOfAnEventOnTheNode() {
    EvidenceEvent onNode = onTheNodeOnly();
    Enrichment k = EnrichmentMerger.base(onNode);
    List<String> keys = LookupKeys.probes(1, onNode, k);
    EntityBinding b = nodeInstance("prod", CorrelationScenario.NODE, CorrelationScenario.INSTANCE);
    Map<String, String> attrs = new LinkedHashMap<>(b.getAttributes());
    attrs.remove(Attr.IMAGE_DIGEST);
    EnrichmentMerger.merge(k, keys, Map.of(NODE_KEY, List.of(new Hit(BindingKind.NODE_INSTANCE, b.getBindingId(),
        CorrelationScenario.INSTANCE, attrs))));
    assertThat(k.getInstanceUid()).isEqualTo(CorrelationScenario.INSTANCE);
    assertThat(k.getNodeName()).isEqualTo(CorrelationScenario.NODE);
    assertThat(k.getBindingIds()).contains(b.getBindingId());
    assertThat(k.getUnresolved()).doesNotContain(NODE_KEY);
  }
}
