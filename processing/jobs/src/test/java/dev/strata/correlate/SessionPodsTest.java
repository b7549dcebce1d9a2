package dev.strata.correlate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.schema.correlate.EntityBinding;
import dev.strata.schema.event.EvidenceEvent;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The pod of an IRSA session from the real parsers' output (fixtures/correlate/README.md): payments/api-7d9f (service
 * account api-sa, 10.0.1.57) assumes its role at 10:01 (no VPC endpoint) and at 10:02 (through the STS VPC endpoint);
 * a second replica, payments/api-5c8e (10.0.1.58), runs from 10:00:28; the kubelet's TokenRequests give api-7d9f an
 * sts.amazonaws.com token and both an API server token. Each rule, the strongest present, in any statement order.
 */
class SessionPodsTest {
  static final CorrelationScenario S = new CorrelationScenario();
  static final List<EvidenceEvent> REPLICA =
      CorrelationScenario.parse("k8s_audit", "prod-audit-irsa-replica.log", "prod", CorrelationScenario.ACCOUNT_PROD);
  static final List<EvidenceEvent> TOKENS =
      CorrelationScenario.parse("k8s_audit", "prod-audit-irsa-tokens.log", "prod", CorrelationScenario.ACCOUNT_PROD);
  static final List<EvidenceEvent> VPCE =
      CorrelationScenario.parse("aws_cloudtrail", "cloudtrail-irsa-vpce.json", null, CorrelationScenario.ACCOUNT_PROD);
  final BindingExtractor x = new BindingExtractor();

  List<EntityBinding> members(List<List<EvidenceEvent>> sources) {
    List<EntityBinding> out = new ArrayList<>();
    for (List<EvidenceEvent> s : sources) {
      for (EvidenceEvent e : s) {
        for (EntityBinding b : x.extract(e)) {
          if (SessionPods.serviceAccount(b) != null && !SessionPods.isIssue(b)) out.add(b);
        }
      }
    }
    return out;
  }

  EntityBinding issue(EvidenceEvent assume) {
    return x.extract(assume).stream().filter(SessionPods::isIssue).findFirst().orElseThrow();
  }

  EntityBinding decide(EvidenceEvent assume, List<List<EvidenceEvent>> sources) {
    List<EntityBinding> m = members(sources);
    EntityBinding d = SessionPods.decide(x, issue(assume), m);
    Collections.reverse(m);
    EntityBinding reversed = SessionPods.decide(x, issue(assume), m);
    assertThat(reversed).as("statement order").isEqualTo(d);
    return d;
  }

  @Test
  void theIssueCarriesTheCallersAddressEndpointAndAudienceAndTheTokenRequestItsPodAudiencesAndId() {
    EntityBinding i = issue(VPCE.get(0));
    assertThat(i.getObject().getKey()).isEqualTo("payments/api-sa");
    assertThat(i.getAttributes()).containsEntry(SessionPods.SOURCE_IP, "10.0.1.57")
        .containsEntry(SessionPods.VPC_ENDPOINT, "vpce-0sts0000000000001")
        .containsEntry(SessionPods.VPC_ENDPOINT_ACCOUNT, "111111111111")
        .containsEntry(SessionPods.AUDIENCES, "sts.amazonaws.com");
    EntityBinding token = x.extract(TOKENS.get(0)).get(0);
    assertThat(token.getKind()).isEqualTo("token_pod");
    assertThat(token.getSubject().getKey()).isEqualTo("payments/api-sa");
    assertThat(token.getSubject().getScope()).isEqualTo("k8s:prod");
    assertThat(token.getObject().getKey()).isEqualTo("payments/api-7d9f");
    assertThat(token.getValidTo()).isEqualTo(java.time.Instant.parse("2026-11-21T09:59:57.100Z"));
    assertThat(token.getAttributes()).containsEntry(SessionPods.AUDIENCES, "sts.amazonaws.com")
        .containsEntry(SessionPods.CREDENTIAL_ID, "0a7d9f00-0000-4000-8000-000000000001")
        .containsEntry(Attr.POD_UID, "6f1c2b1e-0000-4000-8000-0000000000a1")
        .containsEntry(Attr.NODE_NAME, CorrelationScenario.NODE);
  }

  @Test
  void theOnlyPodOfTheServiceAccountAliveIsTheSessionsWithALowerConfidence() {
    EntityBinding d = decide(S.cloudTrail.get(0), List.of(S.prodAudit));
    assertThat(d.getKind()).isEqualTo("session_pod");
    assertThat(d.getSubject().getKey()).isEqualTo("arn:aws:sts::111111111111:assumed-role/payments-api/botocore-session-1");
    assertThat(d.getObject().getScope() + " " + d.getObject().getKey()).isEqualTo("k8s:prod payments/api-7d9f");
    assertThat(d.getConfidence()).isEqualTo(SessionPods.BY_ONLY_POD);
    assertThat(d.getAttributes()).containsEntry(SessionPods.RULE, "only_pod")
        .containsEntry(Attr.POD_UID, "6f1c2b1e-0000-4000-8000-0000000000a1")
        .containsEntry(Attr.IAM_ROLE, "arn:aws:iam::111111111111:role/payments-api");
    assertThat(d.getValidTo()).as("until the credentials expire").isEqualTo(java.time.Instant.parse("2026-11-20T11:01:00Z"));
    assertThat(d.getLineage().getEventId()).isEqualTo(S.cloudTrail.get(0).getEventId());
  }

  @Test
  void twoReplicasAliveAreNoPodUnlessOnlyOneHeldATokenForTheSessionsAudience() {
    assertThat(decide(S.cloudTrail.get(0), List.of(S.prodAudit, REPLICA))).as("ambiguous").isNull();
    EntityBinding d = decide(S.cloudTrail.get(0), List.of(S.prodAudit, REPLICA, TOKENS));
    assertThat(d.getObject().getKey()).isEqualTo("payments/api-7d9f");
    assertThat(d.getConfidence()).isEqualTo(SessionPods.BY_TOKEN);
    assertThat(d.getAttributes()).containsEntry(SessionPods.RULE, "token");
  }

  @Test
  void aPrivateCallerThroughAVpcEndpointIsThePodHoldingTheAddressAmongReplicas() {
    EntityBinding d = decide(VPCE.get(0), List.of(S.prodAudit, REPLICA));
    assertThat(d.getObject().getKey()).isEqualTo("payments/api-7d9f");
    assertThat(d.getConfidence()).isEqualTo(SessionPods.BY_ADDRESS);
    assertThat(d.getAttributes()).containsEntry(SessionPods.RULE, "address");
  }

  @Test
  void noPodWhenNoneOfTheServiceAccountWasAliveOrTheAddressWasAnothers() {
    // the pods' statements without any of api-sa: web-1 holds 10.0.1.57 later, but is another service account's
    assertThat(decide(S.cloudTrail.get(0), List.of(S.stageAudit))).isNull();
    assertThat(decide(VPCE.get(0), List.of())).isNull();
  }
}
