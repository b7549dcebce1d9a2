package dev.strata.job;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.correlate.CorrelationScenario;
import dev.strata.correlate.CreatedKeys;
import dev.strata.correlate.SessionChains;
import dev.strata.correlate.SessionPods;
import dev.strata.schema.event.Enrichment;
import dev.strata.schema.event.EvidenceEvent;
import java.util.ArrayList;
import java.util.List;
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
      TestMiniCluster.extension(2);

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

  /**
   * A key the IRSA session created (iam:CreateAccessKey at 10:05) is used from elsewhere at 10:30, after the pod's delete
   * (10:10), and at 12:30, after the session expired (11:02): both calls name the pod that held the session when it
   * created the key, its node, service account, cluster and role (accesskey_pod, CreatedKeys), in both arrival orders
   * (the key's calls before everything else, and last).
   */
  @Test
  void aKeyTheSessionCreatedNamesThePodThatHeldTheSessionAlsoAfterThePodAndTheSession() throws Exception {
    CorrelationScenario s = new CorrelationScenario();
    List<EvidenceEvent> replica = CorrelationScenario.parse("k8s_audit", "prod-audit-irsa-replica.log", "prod",
        CorrelationScenario.ACCOUNT_PROD);
    List<EvidenceEvent> vpce = CorrelationScenario.parse("aws_cloudtrail", "cloudtrail-irsa-vpce.json", null,
        CorrelationScenario.ACCOUNT_PROD);
    List<EvidenceEvent> created = CorrelationScenario.parse("aws_cloudtrail", "cloudtrail-irsa-created-key.json", null,
        CorrelationScenario.ACCOUNT_PROD);
    assertThat(created).hasSize(3);
    for (boolean keyFirst : new boolean[] {true, false}) {
      List<EvidenceEvent> all = new ArrayList<>();
      if (keyFirst) all.addAll(created.subList(1, 3));
      all.addAll(vpce);
      if (keyFirst) all.add(created.get(0));
      all.addAll(s.prodAudit);
      all.addAll(replica);
      if (!keyFirst) all.addAll(created);
      var r = ContainerEndCorrelationTest.run(all);
      for (EvidenceEvent call : created.subList(1, 3)) {
        Enrichment k = r.latest().get(call.getEventId());
        String as = call.getApi().getOperation() + " with the created key, key first: " + keyFirst;
        assertThat(k.getPodName()).as(as).isEqualTo("api-7d9f");
        assertThat(k.getNamespace()).as(as).isEqualTo("payments");
        assertThat(k.getCluster()).as(as).isEqualTo("prod");
        assertThat(k.getNodeName()).as(as).isEqualTo(CorrelationScenario.NODE);
        assertThat(k.getServiceAccount()).as(as).isEqualTo("payments/api-sa");
        assertThat(k.getIamRole()).as(as).isEqualTo(CorrelationScenario.ROLE);
        assertThat(k.getInstanceUid()).as(as + ": the node's instance").isEqualTo(CorrelationScenario.INSTANCE);
      }
      assertThat(r.facts().values()).filteredOn(b -> b.getKind().equals("accesskey_pod"))
          .singleElement().satisfies(b -> {
            assertThat(b.getSubject().getKey()).isEqualTo("AKIAEXAMPLECREATED01");
            assertThat(b.getObject().getKey()).isEqualTo("payments/api-7d9f");
            assertThat(b.getValidTo()).as("open: the key outlives the session").isNull();
            assertThat(b.getConfidence()).isEqualTo(0.9f);
            assertThat(b.getAttributes()).containsEntry(CreatedKeys.CREATED_BY_SESSION,
                "arn:aws:sts::111111111111:assumed-role/payments-api/botocore-session-2");
          });
    }
  }

  /**
   * Role chaining: at 10:06 the IRSA session (api-7d9f's) assumes account 2's role (session sync-job), which at 10:09
   * assumes account 3's (hop-2). Each chained session's calls in its account name the pod whose credentials started the
   * chain, its node, cluster and service account, with their own session's role (session_role, session_chain,
   * SessionChains), in both arrival orders (the chained calls before everything else, and last).
   */
  @Test
  void aChainedSessionsCallsInAnotherAccountNameThePodThatStartedTheChainAndTheirOwnRole() throws Exception {
    CorrelationScenario s = new CorrelationScenario();
    List<EvidenceEvent> replica = CorrelationScenario.parse("k8s_audit", "prod-audit-irsa-replica.log", "prod",
        CorrelationScenario.ACCOUNT_PROD);
    List<EvidenceEvent> vpce = CorrelationScenario.parse("aws_cloudtrail", "cloudtrail-irsa-vpce.json", null,
        CorrelationScenario.ACCOUNT_PROD);
    List<EvidenceEvent> chained = CorrelationScenario.parse("aws_cloudtrail", "cloudtrail-irsa-chained.json", null,
        null);
    assertThat(chained).hasSize(5);
    for (boolean chainFirst : new boolean[] {true, false}) {
      List<EvidenceEvent> all = new ArrayList<>();
      if (chainFirst) all.addAll(chained);
      all.addAll(vpce);
      all.addAll(s.prodAudit);
      all.addAll(replica);
      if (!chainFirst) all.addAll(chained);
      var r = ContainerEndCorrelationTest.run(all);
      String[][] calls = {
        {"66666666-6666-4666-8666-666666666603", "arn:aws:iam::222222222222:role/cross-deploy"},
        {"66666666-6666-4666-8666-666666666605", "arn:aws:iam::333333333333:role/audit-reader"}};
      for (String[] call : calls) {
        EvidenceEvent e = chained.stream().filter(c -> call[0].equals(c.getUnmapped().get("eventID"))).findFirst()
            .orElseThrow();
        Enrichment k = r.latest().get(e.getEventId());
        String as = e.getApi().getOperation() + " of the chained session, chain first: " + chainFirst;
        assertThat(k.getIamRole()).as(as + ": its own session's role").isEqualTo(call[1]);
        assertThat(k.getPodName()).as(as).isEqualTo("api-7d9f");
        assertThat(k.getNamespace()).as(as).isEqualTo("payments");
        assertThat(k.getCluster()).as(as).isEqualTo("prod");
        assertThat(k.getNodeName()).as(as).isEqualTo(CorrelationScenario.NODE);
        assertThat(k.getServiceAccount()).as(as).isEqualTo("payments/api-sa");
        assertThat(k.getAccountUid()).as(as + ": the call's account").isEqualTo(call[1].split(":")[4]);
      }
      assertThat(r.facts().values()).filteredOn(b -> b.getKind().equals("session_pod")
              && b.getSubject().getKey().contains(":assumed-role/audit-reader/"))
          .singleElement().satisfies(b -> {
            assertThat(b.getObject().getKey()).isEqualTo("payments/api-7d9f");
            assertThat(b.getAttributes()).containsEntry(SessionChains.DEPTH, "2")
                .containsEntry(CreatedKeys.CREATED_BY_SESSION,
                    "arn:aws:sts::222222222222:assumed-role/cross-deploy/sync-job");
            assertThat(b.getValidTo()).isEqualTo(java.time.Instant.parse("2026-11-20T11:09:00Z"));
          });
      assertThat(r.facts().values()).filteredOn(b -> b.getKind().equals("session_chain")).hasSize(2);
    }
  }
}
