package dev.strata.job.incident;

import static dev.strata.job.incident.CrossAccountIncidentTest.A;
import static dev.strata.job.incident.CrossAccountIncidentTest.KEY_A;
import static dev.strata.job.incident.CrossAccountIncidentTest.SESSION_A;
import static dev.strata.job.incident.CrossAccountIncidentTest.call;
import static dev.strata.job.incident.CrossAccountIncidentTest.inAccount;
import static dev.strata.job.incident.CrossAccountIncidentTest.issued;
import static dev.strata.job.incident.IncidentGrouperTest.falco;
import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.schema.correlate.AttackStage;
import dev.strata.schema.correlate.Incident;
import dev.strata.schema.correlate.TimelineRow;
import dev.strata.schema.event.Endpoint;
import dev.strata.schema.event.Enrichment;
import dev.strata.schema.event.EvidenceEvent;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * IRSA credentials are the pod's that asked for them: its AssumeRoleWithWebIdentity came from the pod's address (the
 * correlation job resolved the call's source to the pod at the call's time), so the session and key it handed out
 * expand to the pod, and a call made with them from the attacker's address joins the pod's incident through the pod
 * even when the pod's alert names no service account (an alert enriched with its pod only). Built with
 * CrossAccountIncidentTest's CloudTrail builders (fields of AssumeRoleWithWebIdentity and its responseElements).
 */
class IssuedCredentialsIncidentTest {
  static List<EvidenceEvent> story(boolean fromThePodsAddress) {
    List<EvidenceEvent> ev = new ArrayList<>();
    EvidenceEvent shell = inAccount(falco("shell", CrossAccountIncidentTest.T.plusSeconds(30), "ip-10-0-1-10",
        "3f4e5d6c7b8a" + "0".repeat(52), "api-7d9f"), A);
    shell.getKubernetes().setNamespace("payments");
    ev.add(shell);
    EvidenceEvent irsa = call("irsa", 1, A, "AssumeRoleWithWebIdentity", null, null, A, issued(SESSION_A, KEY_A));
    Enrichment.Builder en = Enrichment.newBuilder().setServiceAccount("payments/api-sa").setAccountUid(A);
    if (fromThePodsAddress) en.setNamespace("payments").setPodName("api-7d9f");
    irsa.setEnrichment(en.build());
    ev.add(irsa);
    EvidenceEvent stolen = call("stolen", 20, A, "ListBuckets", SESSION_A, KEY_A, A, null);
    stolen.setSrcEndpoint(Endpoint.newBuilder().setIp("203.0.113.66").build());
    ev.add(stolen);
    return ev;
  }

  @Test
  void aCallWithIrsaCredentialsFromOutsideJoinsThePodThatObtainedThem() throws Exception {
    List<Incident> incs = IncidentEngine.incidentsOf(story(true), IncidentSettings.defaults());
    assertThat(incs).hasSize(1);
    assertThat(incs.get(0).getTimeline()).extracting(TimelineRow::getEventId).containsExactly("shell", "irsa", "stolen");
    assertThat(EntityKeys.extract(story(true).get(1)).bindings())
        .contains(new Binding(Entity.id(Entity.SESSION, SESSION_A), Entity.id(Entity.POD, "payments/api-7d9f")));
    // the same call, its AssumeRoleWithWebIdentity not resolved to a pod (from the node's address, say): the stolen
    // session links to the service account only, which the alert does not name
    List<Incident> apart = IncidentEngine.incidentsOf(story(false), IncidentSettings.defaults());
    assertThat(apart).hasSize(1);
    assertThat(apart.get(0).getTimeline()).extracting(TimelineRow::getEventId).containsExactly("shell");
  }

  /**
   * IAM persistence: the stolen session creates a user's access key; the key, used later from another address, joins
   * the pod's incident through the session that created it (FirehoseVpcCniScenarioIT).
   */
  @Test
  void aKeyTheStolenSessionCreatedJoinsThePodsIncident() throws Exception {
    List<EvidenceEvent> ev = story(true);
    String newKey = "AKIABACKUPSYNC000042";
    EvidenceEvent create = call("create-key", 22, A, "CreateAccessKey", SESSION_A, KEY_A, A,
        "{\"accessKey\":{\"userName\":\"backup\",\"accessKeyId\":\"" + newKey + "\",\"status\":\"Active\"}}");
    create.setSrcEndpoint(Endpoint.newBuilder().setIp("203.0.113.66").build());
    ev.add(create);
    EvidenceEvent used = call("key-used", 40, A, "GetSecretValue", null, null, A, null);
    used.setActor(dev.strata.schema.event.Actor.newBuilder().setAccountUid(A).setGroups(List.of()).setUserType("IAMUser")
        .setUserName("backup").setUserUid("arn:aws:iam::111111111111:user/backup").setCredentialUid(newKey).build());
    used.setSrcEndpoint(Endpoint.newBuilder().setIp("192.0.2.147").build());
    // the correlation job's accesskey_session of the created key names the creating session's role
    used.setEnrichment(Enrichment.newBuilder().setAccountUid(A).setIamRole("arn:aws:iam::111111111111:role/payments-api")
        .build());
    ev.add(used);
    var signal = SignalRules.defaults().classify(used);
    assertThat(signal).isNotNull();
    assertThat(signal.reason()).isEqualTo("created_key_outside");
    assertThat(signal.stage()).isEqualTo(AttackStage.EXFILTRATION);
    // the same call without that binding (an IAM user's own key) is context
    EvidenceEvent plain = call("plain", 41, A, "GetSecretValue", null, null, A, null);
    plain.setActor(used.getActor());
    plain.setSrcEndpoint(used.getSrcEndpoint());
    assertThat(SignalRules.defaults().classify(plain)).isNull();
    assertThat(EntityKeys.extract(create).bindings())
        .contains(new Binding(Entity.id(Entity.ACCESS_KEY, newKey), Entity.id(Entity.SESSION, SESSION_A)));
    List<Incident> incs = IncidentEngine.incidentsOf(ev, IncidentSettings.defaults());
    assertThat(incs).hasSize(1);
    assertThat(incs.get(0).getTimeline()).extracting(TimelineRow::getEventId)
        .containsExactly("shell", "irsa", "stolen", "create-key", "key-used");
  }
}
