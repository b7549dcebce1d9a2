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
 * Calls made with an EKS Pod Identity session from outside the cluster (a public address: stolen credentials) are
 * the pod's that the session was issued to, as EKS's AssumeRole states it in its session tags
 * (fixtures/correlate/cloudtrail-pod-identity.json: payments/api-7d9f of cluster prod, prod-audit.log places it on
 * ip-10-0-1-10 from 10:00 until its delete at 10:10): the 10:05 call resolves the pod, its node, service account and
 * role; the 10:20 call, after the pod was deleted and its address reused by shop/web-1, still the pod (not web-1)
 * and its service account and role, and no node (the pod is gone). In both arrival orders.
 */
class PodIdentityCorrelationTest {
  @RegisterExtension
  static final MiniClusterExtension FLINK =
      TestMiniCluster.extension(2);

  @Test
  void aPodIdentitySessionsCallsFromOutsideResolveThePodItWasIssuedTo() throws Exception {
    CorrelationScenario s = new CorrelationScenario();
    List<EvidenceEvent> ct = CorrelationScenario.parse("aws_cloudtrail", "cloudtrail-pod-identity.json", null,
        CorrelationScenario.ACCOUNT_PROD);
    for (boolean callsFirst : new boolean[] {false, true}) {
      List<EvidenceEvent> all = new ArrayList<>();
      if (callsFirst) all.addAll(ct.subList(2, 4));
      all.addAll(s.prodAudit);
      all.addAll(ct.subList(0, 2));
      if (!callsFirst) all.addAll(ct.subList(2, 4));
      var r = ContainerEndCorrelationTest.run(all);
      Enrichment during = r.latest().get(ct.get(2).getEventId());
      assertThat(during.getPodName()).as("10:05, calls first: %s", callsFirst).isEqualTo("api-7d9f");
      assertThat(during.getNamespace()).isEqualTo("payments");
      assertThat(during.getCluster()).isEqualTo("prod");
      assertThat(during.getPodUid()).isEqualTo("6f1c2b1e-0000-4000-8000-0000000000a1");
      assertThat(during.getNodeName()).isEqualTo(CorrelationScenario.NODE);
      assertThat(during.getServiceAccount()).isEqualTo("payments/api-sa");
      assertThat(during.getIamRole()).isEqualTo("arn:aws:iam::111111111111:role/payments-podid");
      Enrichment after = r.latest().get(ct.get(3).getEventId());
      assertThat(after.getPodName()).as("10:20, after the pod's end").isEqualTo("api-7d9f");
      assertThat(after.getServiceAccount()).isEqualTo("payments/api-sa");
      assertThat(r.facts().values()).filteredOn(b -> b.getKind().equals("session_pod"))
          .extracting(b -> b.getObject().getKey()).containsExactly("payments/api-7d9f");
    }
  }
}
