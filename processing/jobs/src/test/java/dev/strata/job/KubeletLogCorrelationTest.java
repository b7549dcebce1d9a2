package dev.strata.job;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.correlate.CorrelationScenario;
import dev.strata.schema.correlate.EntityBinding;
import dev.strata.schema.event.Enrichment;
import dev.strata.schema.event.EvidenceEvent;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The kubelet's own log as the node's only runtime evidence (fixtures/correlate/README.md, node-kubelet-journal.json:
 * shop/gone-1 on ip-10-0-1-10.ec2.internal, sandbox d1e2... started 10:00:00.9, app container a7b8... started
 * 10:00:01.9, both died at 10:30:00.3 / .5, the pod removed at 10:30:00.6), in both arrival orders: a Falco alert that
 * names only the app container's id is the pod's, and through the kubelet's {@code SyncLoop ADD} on its node (the
 * log's host); ipamd.log at INFO (the sandbox's address, no pod) with the kubelet's PLEG event of the sandbox gives a
 * flow of the address the pod while the sandbox held it, nobody after.
 */
class KubeletLogCorrelationTest {
  @RegisterExtension
  static final MiniClusterExtension FLINK =
      TestMiniCluster.extension(2);

  static final String A = CorrelationScenario.ACCOUNT_PROD;
  static final String APP = "a7b8".repeat(16);

  @Test
  void theKubeletsLogNamesAContainersPodItsNodeAndTheSandboxsPod() throws Exception {
    List<EvidenceEvent> kubelet = CorrelationScenario.parse("kubelet_log", "node-kubelet-journal.json", "prod", A);
    List<EvidenceEvent> ipamd = CorrelationScenario.parse("aws_vpc_cni", "node-vpc-cni-ipamd.log", "prod", A);
    EvidenceEvent falco = new CorrelationScenario().falco.get(0);
    EvidenceEvent alert = ContainerEndCorrelationTest.late(falco, "kubelet-alert-1010", "2026-11-20T10:10:00Z", APP,
        false);
    EvidenceEvent before = ContainerEndCorrelationTest.late(falco, "kubelet-alert-0959", "2026-11-20T09:59:00Z", APP,
        false);
    EvidenceEvent during = CorrelationScenario.flow("kubelet-during", A, "vpc-0aaa", "eni-0aaa1", null, "10.0.1.66",
        "198.51.100.9", "2026-11-20T10:10:00Z");
    EvidenceEvent after = CorrelationScenario.flow("kubelet-after", A, "vpc-0aaa", "eni-0aaa1", null, "10.0.1.66",
        "198.51.100.9", "2026-11-20T10:40:00Z");
    for (boolean kubeletFirst : new boolean[] {true, false}) {
      List<EvidenceEvent> all = new ArrayList<>();
      if (kubeletFirst) all.addAll(kubelet);
      all.addAll(List.of(alert, before, during, after));
      all.addAll(ipamd);
      if (!kubeletFirst) all.addAll(kubelet);
      var r = ContainerEndCorrelationTest.run(all);
      String as = "kubelet first: " + kubeletFirst;
      Enrichment a = r.latest().get(alert.getEventId());
      assertThat(a.getNamespace() + "/" + a.getPodName()).as(as).isEqualTo("shop/gone-1");
      assertThat(a.getPodUid()).as(as).isEqualTo("7e1c2b1e-0000-4000-8000-0000000000d1");
      assertThat(a.getNodeName()).as(as + ": the log's host").isEqualTo(CorrelationScenario.NODE);
      assertThat(r.latest().get(before.getEventId()).getPodName()).as(as + ": before its start").isNull();
      Enrichment d = r.latest().get(during.getEventId());
      assertThat(d.getNamespace() + "/" + d.getPodName()).as(as + ": the sandbox's address").isEqualTo("shop/gone-1");
      assertThat(d.getContainerUid()).as(as).startsWith("d1e2d1e2");
      assertThat(r.latest().get(after.getEventId()).getPodName()).as(as + ": freed at 10:30").isNull();
      // the facts: pod -> node from the sync loop, closed by its REMOVE; container -> pod, closed by its death
      EntityBinding podNode = r.facts().values().stream()
          .filter(f -> f.getKind().equals("pod_node") && f.getSourceFormat().equals("kubelet_log")).findFirst()
          .orElseThrow();
      assertThat(podNode.getObject().getKey()).isEqualTo(CorrelationScenario.NODE);
      assertThat(podNode.getValidTo()).as(as).isEqualTo(java.time.Instant.parse("2026-11-20T10:30:00.600Z"));
      assertThat(r.facts().values()).as(as).anySatisfy(f -> {
        assertThat(f.getKind()).isEqualTo("container_pod");
        assertThat(f.getSubject().getKey()).isEqualTo(APP);
        assertThat(f.getValidTo()).isEqualTo(java.time.Instant.parse("2026-11-20T10:30:00.300Z"));
      });
    }
  }
}
