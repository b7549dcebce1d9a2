package dev.strata.job.incident;

import static dev.strata.job.incident.IncidentGrouperTest.base;
import static dev.strata.job.incident.IncidentGrouperTest.falco;
import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.schema.correlate.AttackStage;
import dev.strata.schema.correlate.AttackStep;
import dev.strata.schema.correlate.Incident;
import dev.strata.schema.correlate.TimelineRow;
import dev.strata.schema.event.Actor;
import dev.strata.schema.event.Api;
import dev.strata.schema.event.Cloud;
import dev.strata.schema.event.Endpoint;
import dev.strata.schema.event.Enrichment;
import dev.strata.schema.event.EvidenceEvent;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * A story that crosses accounts, with known answers (events written for this test from the CloudTrail record
 * fields of AssumeRoleWithWebIdentity / AssumeRole, whose responseElements name the issued session and key, and the
 * Falco alert fields): in account A (111111111111) a shell in pod payments/api-7d9f, whose IRSA session assumes a
 * role of account B (222222222222), whose session then creates an access key and opens a bucket policy. Account C
 * (333333333333) runs the same private range: its pod at the same address with its own alert and CloudTrail call
 * must never join.
 */
class CrossAccountIncidentTest {
  static final String A = "111111111111";
  static final String B = "222222222222";
  static final String C = "333333333333";
  static final Instant T = Instant.parse("2026-11-20T10:00:00Z");
  static final String SESSION_A = "arn:aws:sts::111111111111:assumed-role/payments-api/botocore-session-1";
  static final String KEY_A = "ASIAPAYMENTS00000001";
  static final String SESSION_B = "arn:aws:sts::222222222222:assumed-role/ops-admin/pivot";
  static final String KEY_B = "ASIAOPSADMIN00000001";

  static EvidenceEvent inAccount(EvidenceEvent e, String account) {
    e.setCloud(Cloud.newBuilder().setProvider("aws").setAccountUid(account).setRegion("us-east-1").build());
    return e;
  }

  /** A CloudTrail call by a role session (or web identity), logged in {@code account}'s trail. */
  static EvidenceEvent call(String id, int minute, String account, String op, String session, String key,
      String callerAccount, String response) {
    EvidenceEvent e = inAccount(base(id, T.plusSeconds(60L * minute), "aws_cloudtrail"), account);
    e.setClassUid(6003);
    e.setClassName("API Activity");
    Actor.Builder a = Actor.newBuilder().setAccountUid(callerAccount).setGroups(List.of());
    if (session != null) {
      a.setUserUid(session).setUserType("AssumedRole").setCredentialUid(key)
          .setSessionIssuer(BindingRole.of(session));
    } else {
      a.setUserName("system:serviceaccount:payments:api-sa").setUserType("WebIdentityUser");
    }
    e.setActor(a.build());
    e.setApi(Api.newBuilder().setService(op.startsWith("Assume") ? "sts.amazonaws.com" : "iam.amazonaws.com")
        .setOperation(op).build());
    e.setStatus("Success");
    e.setSrcEndpoint(Endpoint.newBuilder().setIp("10.0.1.57").build());
    if (response != null) e.getUnmapped().put("responseElements", response);
    return e;
  }

  static String issued(String session, String key) {
    return "{\"credentials\":{\"accessKeyId\":\"" + key + "\",\"expiration\":\"Nov 20, 2026, 11:00:00 AM\"},"
        + "\"assumedRoleUser\":{\"assumedRoleId\":\"AROAEXAMPLE:x\",\"arn\":\"" + session + "\"}}";
  }

  /** The role ARN of a session ARN (what CloudTrail's sessionIssuer names). */
  static final class BindingRole {
    static String of(String session) {
      String[] p = session.split(":", 6);
      String[] r = p[5].split("/");
      return "arn:aws:iam::" + p[4] + ":role/" + r[1];
    }
  }

  static List<EvidenceEvent> story(boolean withTheCallersCopy) {
    List<EvidenceEvent> ev = new ArrayList<>();
    // account A: the pod's shell (enriched by the correlation job with its service account), its IRSA session
    EvidenceEvent shell = inAccount(falco("a-shell", T.plusSeconds(120), "ip-10-0-1-10", "3f4e5d6c7b8a" + "0".repeat(52),
        "api-7d9f"), A);
    shell.getKubernetes().setNamespace("payments");
    shell.setEnrichment(Enrichment.newBuilder().setServiceAccount("payments/api-sa").setNamespace("payments")
        .setPodName("api-7d9f").setAccountUid(A).build());
    ev.add(shell);
    EvidenceEvent irsa = call("a-irsa", 1, A, "AssumeRoleWithWebIdentity", null, null, A, issued(SESSION_A, KEY_A));
    irsa.setEnrichment(Enrichment.newBuilder().setServiceAccount("payments/api-sa").setNamespace("payments")
        .setPodName("api-7d9f").setAccountUid(A).build());
    ev.add(irsa);
    // the pod's session assumes account B's role: CloudTrail logs it in both accounts
    if (withTheCallersCopy) ev.add(call("a-chain", 4, A, "AssumeRole", SESSION_A, KEY_A, A, issued(SESSION_B, KEY_B)));
    ev.add(call("b-chain", 4, B, "AssumeRole", SESSION_A, KEY_A, A, issued(SESSION_B, KEY_B)));
    // account B: persistence and exfiltration by the chained session
    ev.add(call("b-key", 6, B, "CreateAccessKey", SESSION_B, KEY_B, B, null));
    ev.add(call("b-policy", 7, B, "PutBucketPolicy", SESSION_B, KEY_B, B, null));
    // account C, same private range: a pod at 10.0.1.57 with its own alert, and a call from that address
    EvidenceEvent other = inAccount(falco("c-shell", T.plusSeconds(150), "ip-10-0-1-10", "9e9e9e9e9e9e" + "0".repeat(52),
        "job-x"), C);
    other.setSrcEndpoint(Endpoint.newBuilder().setIp("10.0.1.57").build());
    ev.add(other);
    EvidenceEvent cKey = call("c-key", 5, C, "CreateAccessKey", "arn:aws:sts::333333333333:assumed-role/batch/x",
        "ASIABATCH00000000001", C, null);
    ev.add(cKey);
    return ev;
  }

  static Incident linked(List<Incident> incs) {
    List<Incident> l = incs.stream().filter(i -> i.getTenant().contains(",")).toList();
    assertThat(l).as("one incident spans accounts").hasSize(1);
    return l.get(0);
  }

  @Test
  void aRoleChainIntoAnotherAccountStaysOneIncident() throws Exception {
    List<Incident> incs = IncidentEngine.incidentsOf(story(true), IncidentSettings.defaults());
    Incident x = linked(incs);
    assertThat(x.getTenant()).isEqualTo("aws:111111111111,aws:222222222222");
    assertThat(x.getSignals()).isEqualTo(3);
    assertThat(x.getTimeline()).extracting(TimelineRow::getEventId)
        .containsExactly("a-irsa", "a-shell", "a-chain", "b-chain", "b-key", "b-policy");
    assertThat(x.getEntities()).extracting(e -> e.getType() + ":" + e.getKey())
        .contains("pod:payments/api-7d9f", "session:" + SESSION_A, "session:" + SESSION_B, "access_key:" + KEY_B)
        .noneMatch(s -> s.contains("job-x") || s.contains("333333333333") || s.contains("9e9e9e9e9e9e"));
    assertThat(x.getAttackPath()).extracting(AttackStep::getStage)
        .contains(AttackStage.EXECUTION, AttackStage.PERSISTENCE, AttackStage.EXFILTRATION);
    // account C: its own incidents, nothing of A or B
    List<Incident> others = incs.stream().filter(i -> !i.getTenant().contains(",")).toList();
    assertThat(others).allSatisfy(i -> assertThat(i.getTenant()).isEqualTo("aws:" + C));
    assertThat(others).flatExtracting(Incident::getTimeline).extracting(TimelineRow::getEventId)
        .containsExactlyInAnyOrder("c-shell", "c-key");
  }

  @Test
  void theTargetAccountsCopyAloneLinksThroughTheCallersSession() throws Exception {
    Incident x = linked(IncidentEngine.incidentsOf(story(false), IncidentSettings.defaults()));
    assertThat(x.getTimeline()).extracting(TimelineRow::getEventId)
        .containsExactly("a-irsa", "a-shell", "b-chain", "b-key", "b-policy");
  }

  @Test
  void sameAnswerInAnyArrivalOrder() throws Exception {
    List<EvidenceEvent> ev = story(true);
    String expected = IncidentEngine.incidentsOf(ev, IncidentSettings.defaults()).toString();
    Random r = new Random(7);
    for (int i = 0; i < 20; i++) {
      Collections.shuffle(ev, r);
      assertThat(IncidentEngine.incidentsOf(ev, IncidentSettings.defaults()).toString()).isEqualTo(expected);
    }
  }

  @Test
  void incidentsFarApartInTimeDoNotLink() throws Exception {
    List<EvidenceEvent> ev = story(false);
    for (EvidenceEvent e : ev) {
      if (e.getEventId().startsWith("b-")) e.setTime(e.getTime().plusSeconds(6 * 3600)); // account B's part 6 h later
    }
    List<Incident> incs = IncidentEngine.incidentsOf(ev, IncidentSettings.defaults());
    assertThat(incs).noneMatch(i -> i.getTenant().contains(","));
  }
}
