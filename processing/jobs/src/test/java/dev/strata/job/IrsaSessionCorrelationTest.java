package dev.strata.job;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.correlate.CorrelationScenario;
import dev.strata.correlate.SessionPods;
import dev.strata.schema.event.Enrichment;
import dev.strata.schema.event.EvidenceEvent;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Calls made with an IRSA session from outside (stolen credentials) are the pod's that asked for it
 * (fixtures/correlate/README.md): payments/api-7d9f and a second replica of its service account run on ip-10-0-1-10;
 * at 10:02 api-7d9f assumes its role through the STS VPC endpoint from its address, and at 10:04 the session is used
 * from 198.51.100.7: the call resolves the pod (by the caller's address, 0.9), its node, service account and role.
 * The 10:01 session, asked for without a VPC endpoint while two replicas ran, names no pod (ambiguous). In both
 * arrival orders (the calls before the audit log, and after).
 */
class IrsaSessionCorrelationTest {
  @RegisterExtension
  static final MiniClusterExtension FLINK =
      new MiniClusterExtension(
          new MiniClusterResourceConfiguration.Builder().setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2)
              .build());

  @Test
  void anIrsaSessionsCallsFromOutsideResolveThePodThatAskedForItFromItsAddress() throws Exception {
    CorrelationScenario s = new CorrelationScenario();
    List<EvidenceEvent> replica = CorrelationScenario.parse("k8s_audit", "prod-audit-irsa-replica.log", "prod",
        CorrelationScenario.ACCOUNT_PROD);
    List<EvidenceEvent> vpce = CorrelationScenario.parse("aws_cloudtrail", "cloudtrail-irsa-vpce.json", null,
        CorrelationScenario.ACCOUNT_PROD);
    for (boolean callsFirst : new boolean[] {false, true}) {
      List<EvidenceEvent> all = new ArrayList<>();
      if (callsFirst) {
        all.addAll(vpce);
        all.addAll(s.cloudTrail);
      }
      all.addAll(s.prodAudit);
      all.addAll(replica);
      if (!callsFirst) {
        all.addAll(vpce);
        all.addAll(s.cloudTrail);
      }
      var r = ContainerEndCorrelationTest.run(all);
      Enrichment stolen = r.latest().get(vpce.get(1).getEventId());
      assertThat(stolen.getPodName()).as("10:04 from outside, calls first: %s", callsFirst).isEqualTo("api-7d9f");
      assertThat(stolen.getNamespace()).isEqualTo("payments");
      assertThat(stolen.getCluster()).isEqualTo("prod");
      assertThat(stolen.getPodUid()).isEqualTo("6f1c2b1e-0000-4000-8000-0000000000a1");
      assertThat(stolen.getNodeName()).isEqualTo(CorrelationScenario.NODE);
      assertThat(stolen.getServiceAccount()).isEqualTo("payments/api-sa");
      assertThat(stolen.getIamRole()).isEqualTo(CorrelationScenario.ROLE);
      Enrichment ambiguous = r.latest().get(s.cloudTrail.get(1).getEventId());
      assertThat(ambiguous.getServiceAccount()).isEqualTo("payments/api-sa");
      assertThat(ambiguous.getPodName()).as("two replicas, no endpoint: no pod").isNull();
      assertThat(r.facts().values()).filteredOn(b -> b.getKind().equals("session_pod"))
          .singleElement().satisfies(b -> {
            assertThat(b.getObject().getKey()).isEqualTo("payments/api-7d9f");
            assertThat(b.getConfidence()).isEqualTo(SessionPods.BY_ADDRESS);
          });
    }
  }
}
