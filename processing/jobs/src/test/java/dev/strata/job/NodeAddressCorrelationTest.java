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
 * A node's own address names the node (session 14, {@code ip_node}): the correlation scenario's payments/api-7d9f
 * runs on ip-10-0-1-10 (the audit record's {@code status.hostIP} 10.0.1.10). A VPC Flow record of a public address
 * reaching the node's kubelet port at 10.0.1.10, with no instance id (a v2 record), resolves to the node, in either
 * arrival order; a flow of the pod itself stays the pod's; an address nobody stated stays unresolved.
 */
class NodeAddressCorrelationTest {
  @RegisterExtension
  static final MiniClusterExtension FLINK =
      TestMiniCluster.extension(2);

  static final CorrelationScenario S = new CorrelationScenario();

  static EvidenceEvent flow(String id, String src, String dst, int port) {
    EvidenceEvent e = CorrelationScenario.flow(id, CorrelationScenario.ACCOUNT_PROD, "vpc-0aaa", "eni-0aaa1", null, src,
        dst, "2026-11-20T10:05:00Z");
    e.getDstEndpoint().setPort(port);
    return e;
  }

  @Test
  void aFlowToTheNodesOwnAddressNamesTheNodeInEitherOrder() throws Exception {
    EvidenceEvent kubelet = flow("node-addr-kubelet", "198.51.100.23", "10.0.1.10", 10250);
    EvidenceEvent podFlow = flow("node-addr-pod", "10.0.1.57", "10.0.1.10", 10250);
    EvidenceEvent unknown = flow("node-addr-unknown", "198.51.100.23", "10.0.1.11", 10250);
    List<EvidenceEvent> flows = List.of(kubelet, podFlow, unknown);
    for (boolean flowsFirst : new boolean[] {false, true}) {
      List<EvidenceEvent> in = new ArrayList<>();
      if (flowsFirst) in.addAll(flows);
      in.addAll(S.prodAudit);
      if (!flowsFirst) in.addAll(flows);
      Map<String, EvidenceEvent> out =
          CorrelateJobTest.correlate(in, "node-address-" + (flowsFirst ? "late" : "early")).latest();
      Enrichment k = out.get(kubelet.getEventId()).getEnrichment();
      assertThat(k.getNodeName()).as("flows first: " + flowsFirst).isEqualTo(CorrelationScenario.NODE);
      assertThat(k.getPodName()).as("the node's address is no pod's").isNull();
      assertThat(k.getCluster()).isEqualTo("prod");
      Enrichment p = out.get(podFlow.getEventId()).getEnrichment();
      assertThat(p.getPodName()).as("a pod's flow to its node is the pod's").isEqualTo("api-7d9f");
      assertThat(p.getNodeName()).isEqualTo(CorrelationScenario.NODE);
      Enrichment u = out.get(unknown.getEventId()).getEnrichment();
      assertThat(u.getNodeName()).as("an address no node stated").isNull();
    }
  }
}
