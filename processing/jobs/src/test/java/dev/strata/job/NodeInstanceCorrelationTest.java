package dev.strata.job;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.correlate.CorrelationScenario;
import dev.strata.schema.event.Enrichment;
import dev.strata.schema.event.EvidenceEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Every event's node names its instance (docs/correlation.md, "A node's instance"): the correlation scenario's
 * payments/api-7d9f runs on ip-10-0-1-10.ec2.internal, whose Node object (the audit's first record, {@code
 * spec.providerID}) names i-0abc1234def567890. A Falco alert naming only its 12-character container id finds its pod
 * and node (hop 1, container -> pod) and, at hop 2 (it asks nothing else), the node's instance; a v2 flow to the
 * node's own address (no instance id) finds the node through a pod's {@code status.hostIP} ({@code ip_node}, which
 * names no instance) and the instance the same way. Both in either arrival order (the Node record before and after the
 * events); and with no Node object at all, from the node's own files' context ({@code cloud_instance}).
 */
class NodeInstanceCorrelationTest {
  @RegisterExtension
  static final MiniClusterExtension FLINK =
      new MiniClusterExtension(
          new MiniClusterResourceConfiguration.Builder().setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2)
              .build());

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
    assertThat(f.getUnresolved()).contains("node|k8s:prod|ip-10-0-1-10");
  }
}
