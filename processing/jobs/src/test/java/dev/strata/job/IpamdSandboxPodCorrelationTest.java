package dev.strata.job;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.correlate.CorrelationScenario;
import dev.strata.schema.event.Enrichment;
import dev.strata.schema.event.EvidenceEvent;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A deleted pod's address when the node's only CNI evidence is ipamd.log (fixtures/correlate/README.md:
 * shop/gone-1's sandbox holds 10.0.1.66 from 10:00:00.3 to 10:30:00.4): ipamd's assign names the sandbox, not the pod;
 * the pod comes from ipamd's own debug dump of the CNI request, or from one other source naming the sandbox's pod
 * (containerd's RunPodSandbox at INFO, the sandbox's OCI config.json, the kubelet's PLEG event of the sandbox; since session 17 also the audit's
 * containerStatuses of an app container with containerd's CreateContainer within sandbox for it: JoinContainerSandboxes), joined at the sandbox (SandboxPods), in both
 * arrival orders. A flow of the address at 10:10 is the pod's; at 10:40 (freed) nobody's; ipamd at INFO alone names
 * no pod.
 */
class IpamdSandboxPodCorrelationTest {
  @RegisterExtension
  static final MiniClusterExtension FLINK =
      TestMiniCluster.extension(2);

  static final String A = CorrelationScenario.ACCOUNT_PROD;

  static List<EvidenceEvent> parse(String format, String file) {
    return CorrelationScenario.parse(format, file, "prod", A);
  }

  static List<EvidenceEvent> concat(List<EvidenceEvent> a, List<EvidenceEvent> b) {
    List<EvidenceEvent> all = new ArrayList<>(a);
    all.addAll(b);
    return all;
  }

  @Test
  void ipamdLogAndOneSourceNamingTheSandboxsPodGiveTheDeletedPodsAddress() throws Exception {
    EvidenceEvent during = CorrelationScenario.flow("ipamd-during", A, "vpc-0aaa", "eni-0aaa1", null, "10.0.1.66",
        "198.51.100.9", "2026-11-20T10:10:00Z");
    EvidenceEvent after = CorrelationScenario.flow("ipamd-after", A, "vpc-0aaa", "eni-0aaa1", null, "10.0.1.66",
        "198.51.100.9", "2026-11-20T10:40:00Z");
    List<EvidenceEvent> info = parse("aws_vpc_cni", "node-vpc-cni-ipamd.log");
    record Case(String name, List<EvidenceEvent> cni, List<EvidenceEvent> other, boolean named) {}
    List<Case> cases = List.of(
        new Case("ipamd at DEBUG alone", parse("aws_vpc_cni", "node-vpc-cni-ipamd-debug.log"), List.of(), true),
        new Case("ipamd at INFO + containerd at INFO", info, parse("containerd_daemon_log", "node-containerd-info.log"),
            true),
        new Case("ipamd at INFO + the sandbox's config.json", info,
            parse("oci_runtime_config", "node-oci-sandbox-config.json"), true),
        new Case("ipamd at INFO + the kubelet's log", info, parse("kubelet_log", "node-kubelet-journal.json"), true),
        new Case("ipamd at INFO + the audit's containerStatuses + containerd's CreateContainer within sandbox", info,
            concat(CorrelationScenario.parse("k8s_audit", "prod-audit-status-patch.log", "prod", A),
                parse("containerd_daemon_log", "node-containerd-create-container.log")), true),
        new Case("ipamd at INFO + the audit's containerStatuses alone", info,
            CorrelationScenario.parse("k8s_audit", "prod-audit-status-patch.log", "prod", A), false),
        new Case("ipamd at INFO alone", info, List.of(), false));
    for (Case c : cases) {
      for (boolean cniFirst : new boolean[] {true, false}) {
        List<EvidenceEvent> all = new ArrayList<>();
        all.add(during);
        if (cniFirst) all.addAll(c.cni());
        all.addAll(c.other());
        if (!cniFirst) all.addAll(c.cni());
        all.add(after);
        var r = ContainerEndCorrelationTest.run(all);
        String as = c.name() + ", ipamd first: " + cniFirst;
        Enrichment d = r.latest().get(during.getEventId());
        if (c.named()) {
          assertThat(d.getNamespace() + "/" + d.getPodName()).as(as).isEqualTo("shop/gone-1");
          assertThat(d.getContainerUid()).as(as + ": the sandbox").startsWith("d1e2d1e2");
        } else {
          assertThat(d.getPodName()).as(as + ": ipamd's assign names the sandbox only").isNull();
        }
        assertThat(r.latest().get(after.getEventId()).getPodName()).as(as + ": freed at 10:30").isNull();
      }
    }
  }
}
