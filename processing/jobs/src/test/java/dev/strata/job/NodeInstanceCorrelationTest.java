package dev.strata.job;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.correlate.CorrelationScenario;
import dev.strata.schema.event.Enrichment;
import dev.strata.schema.event.EvidenceEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Every event's node names its instance (docs/correlation.md, "A node's instance"): the correlation scenario's
 * payments/api-7d9f runs on ip-10-0-1-10.ec2.internal, whose Node object (the audit's first record, {@code
 * spec.providerID}) names i-0abc1234def567890. A Falco alert naming only its 12-character container id finds its pod,
 * node and the node's instance (hop 1, container -> pod, restated with the instance by join-node-instances); a v2 flow
 * to the node's own address (no instance id) finds the node and its instance through a pod's {@code status.hostIP}
 * ({@code ip_node}, restated the same way). Both in either arrival order (the Node record before and after the
 * events); and with no Node object at all, from the node's own files' context ({@code cloud_instance}).
 */
class NodeInstanceCorrelationTest {
  @RegisterExtension
  static final MiniClusterExtension FLINK =
      TestMiniCluster.extension(2);

  static final CorrelationScenario S = new CorrelationScenario();

  static EvidenceEvent kubeletFlow() {
    EvidenceEvent e = CorrelationScenario.flow("node-instance-kubelet", CorrelationScenario.ACCOUNT_PROD, "vpc-0aaa",
        null, null, "198.51.100.23", "10.0.1.10", "2026-11-20T10:05:00Z");
    e.getDstEndpoint().setPort(10250);
    return e;
  }

  @Test
  void anEventThatFindsItsNodeThroughItsPodOrTheNodesAddressNamesTheInstanceInEitherOrder() throws Exception {
    EvidenceEvent alert = S.falco.get(0);
    EvidenceEvent kubelet = kubeletFlow();
    List<EvidenceEvent> events = List.of(alert, kubelet);
    for (boolean eventsFirst : new boolean[] {false, true}) {
      List<EvidenceEvent> in = new ArrayList<>();
      if (eventsFirst) in.addAll(events);
      in.addAll(S.prodAudit);
      if (!eventsFirst) in.addAll(events);
      Map<String, EvidenceEvent> out =
          CorrelateJobTest.correlate(in, "node-instance-" + (eventsFirst ? "late" : "early")).latest();
      Enrichment a = out.get(alert.getEventId()).getEnrichment();
      assertThat(a.getPodName()).as("events first: " + eventsFirst).isEqualTo("api-7d9f");
      assertThat(a.getNodeName()).isEqualTo(CorrelationScenario.NODE);
      assertThat(a.getInstanceUid()).as("the alert's node's instance, events first: " + eventsFirst)
          .isEqualTo(CorrelationScenario.INSTANCE);
      assertThat(a.getUnresolved()).noneMatch(k -> k.startsWith("node|"));
      Enrichment f = out.get(kubelet.getEventId()).getEnrichment();
      assertThat(f.getNodeName()).isEqualTo(CorrelationScenario.NODE);
      assertThat(f.getPodName()).as("the node's address is no pod's").isNull();
      assertThat(f.getInstanceUid()).as("the flow's node's instance, events first: " + eventsFirst)
          .isEqualTo(CorrelationScenario.INSTANCE);
    }
  }

  @Test
  void withoutANodeObjectTheNodesOwnFilesContextNamesItsInstance() throws Exception {
    // a Metadata-level audit log (no Node object): the pods' records name the node and its address, the node's files
    // (a Tetragon or Falco log collected with the context's cloud_instance) its instance
    List<EvidenceEvent> pods = S.prodAudit.subList(1, S.prodAudit.size());
    List<EvidenceEvent> nodeFiles = CorrelationScenario.parseOnInstance("falco_alert", "falco.log", "prod",
        CorrelationScenario.ACCOUNT_PROD, CorrelationScenario.INSTANCE);
    EvidenceEvent kubelet = kubeletFlow();
    for (boolean flowFirst : new boolean[] {false, true}) {
      List<EvidenceEvent> in = new ArrayList<>();
      if (flowFirst) in.add(kubelet);
      in.addAll(pods);
      in.addAll(nodeFiles);
      if (!flowFirst) in.add(kubelet);
      Map<String, EvidenceEvent> out =
          CorrelateJobTest.correlate(in, "node-instance-context-" + (flowFirst ? "late" : "early")).latest();
      Enrichment f = out.get(kubelet.getEventId()).getEnrichment();
      assertThat(f.getNodeName()).isEqualTo(CorrelationScenario.NODE);
      assertThat(f.getInstanceUid()).as("flow first: " + flowFirst).isEqualTo(CorrelationScenario.INSTANCE);
    }
    // and nothing states it without either
    Map<String, EvidenceEvent> out = CorrelateJobTest.correlate(
        new ArrayList<>(List.of(pods.get(0), kubelet)), "node-instance-none").latest();
    Enrichment f = out.get(kubelet.getEventId()).getEnrichment();
    assertThat(f.getNodeName()).isEqualTo(CorrelationScenario.NODE);
    assertThat(f.getInstanceUid()).isNull();
    // the node was named by the address's statement, which would carry the instance: its key is not asked (session 16)
    assertThat(f.getUnresolved()).noneMatch(k -> k.startsWith("node|"));
  }

  /**
   * The node's instance stated after the pods (the Node object's record last: a node snapshot or an audit log
   * collected later): {@code join-node-instances} restates the pod's and the address's statements with it, and those
   * late statements re-resolve the events already emitted (a new revision), whether the events came before the pods,
   * between the pods and the Node, or after both; the bindings index is the same in every order, its pod facts with
   * the instance.
   */
  @Test
  void aNodesInstanceStatedAfterItsPodsReachesTheirEventsInEveryOrder() throws Exception {
    EvidenceEvent nodeRecord = S.prodAudit.get(0);
    List<EvidenceEvent> pods = S.prodAudit.subList(1, S.prodAudit.size());
    EvidenceEvent alert = S.falco.get(0);
    EvidenceEvent kubelet = kubeletFlow();
    EvidenceEvent flow = S.flowApi;
    List<EvidenceEvent> events = List.of(alert, kubelet, flow);
    Map<String, dev.strata.schema.correlate.EntityBinding> first = null;
    for (String order : new String[] {"node-pods-events", "pods-events-node", "events-pods-node"}) {
      List<EvidenceEvent> in = new ArrayList<>();
      switch (order) {
        case "node-pods-events" -> {
          in.add(nodeRecord);
          in.addAll(pods);
          in.addAll(events);
        }
        case "pods-events-node" -> {
          in.addAll(pods);
          in.addAll(events);
          in.add(nodeRecord);
        }
        default -> {
          in.addAll(events);
          in.addAll(pods);
          in.add(nodeRecord);
        }
      }
      CorrelateJobTest.Correlated c = CorrelateJobTest.correlate(in, "node-instance-" + order);
      Map<String, EvidenceEvent> out = c.latest();
      for (EvidenceEvent e : events) {
        Enrichment en = out.get(e.getEventId()).getEnrichment();
        assertThat(en.getNodeName()).as(order + " " + e.getEventId()).isEqualTo(CorrelationScenario.NODE);
        assertThat(en.getInstanceUid()).as(order + " " + e.getEventId()).isEqualTo(CorrelationScenario.INSTANCE);
        assertThat(en.getUnresolved()).as("no event asks the node's key").noneMatch(k -> k.startsWith("node|"));
        if (!order.startsWith("node")) {
          assertThat(en.getRevision()).as(order + ": re-resolved by the late restatement " + e.getEventId())
              .isPositive();
        }
      }
      Enrichment a = out.get(alert.getEventId()).getEnrichment();
      assertThat(a.getPodName()).isEqualTo("api-7d9f");
      Map<String, dev.strata.schema.correlate.EntityBinding> index = CorrelateJobTest.indexView(c.bindings());
      assertThat(index.values()).as(order + ": the pod's facts name the node's instance")
          .filteredOn(b -> b.getKind().equals("pod_node") && b.getSubject().getKey().equals("payments/api-7d9f"))
          .isNotEmpty()
          .allSatisfy(b -> assertThat(b.getAttributes()).containsEntry("instance_uid", CorrelationScenario.INSTANCE));
      if (first == null) {
        first = index;
      } else {
        assertThat(index.keySet()).as(order).isEqualTo(first.keySet());
        Map<String, dev.strata.schema.correlate.EntityBinding> f0 = first;
        index.forEach((id, b) -> assertThat(CorrelateJobTest.withoutRevision(b)).as(order + " " + id)
            .isEqualTo(CorrelateJobTest.withoutRevision(f0.get(id))));
      }
    }
  }

  /** An event that names its node itself and nothing else hop 1 could look up asks the node's key there, alone. */
  @Test
  void anEventNamingOnlyItsNodeAsksTheNodesKeyAtHop1InEitherOrder() throws Exception {
    EvidenceEvent onNode = EvidenceEvent.newBuilder(S.falco.get(0)).setEventId("on-the-node-only").build();
    onNode.setContainer(null);
    onNode.setKubernetes(dev.strata.schema.event.Kubernetes.newBuilder().setCluster("prod")
        .setNodeName(CorrelationScenario.NODE).build());
    for (boolean eventFirst : new boolean[] {false, true}) {
      List<EvidenceEvent> in = new ArrayList<>();
      if (eventFirst) in.add(onNode);
      in.addAll(S.prodAudit);
      if (!eventFirst) in.add(onNode);
      Enrichment e = CorrelateJobTest.correlate(in, "node-instance-own-" + eventFirst).latest()
          .get(onNode.getEventId()).getEnrichment();
      assertThat(e.getInstanceUid()).as("event first: " + eventFirst).isEqualTo(CorrelationScenario.INSTANCE);
      assertThat(e.getUnresolved()).noneMatch(k -> k.startsWith("node|"));
    }
  }
}
