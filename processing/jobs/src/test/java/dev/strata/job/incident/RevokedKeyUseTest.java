package dev.strata.job.incident;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.detect.sigma.SigmaFixtures;
import dev.strata.schema.correlate.AttackStage;
import dev.strata.schema.correlate.Incident;
import dev.strata.schema.correlate.TimelineRow;
import dev.strata.schema.event.EvidenceEvent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link RevokedKeyUse}: an IAM user's key used after its owner made it inactive or deleted it. CloudTrail records
 * (eventVersion 1.10; the owner's console calls, the holder's calls from outside, refused with {@code
 * InvalidClientTokenId} or, for a deleted key, still answered in one case) written here and read by the real collector
 * and parser. Inactive at 10:00, a refused call at 10:15, active again at 10:30, a call at 10:45 (fine), deleted at
 * 11:00, calls at 11:15 (refused) and 11:20 (answered).
 */
class RevokedKeyUseTest {
  @TempDir Path dir;

  static final String ACCT = "555566667777";
  static final String KEY = "AKIAREVOKEDKEY000042";
  static final String USER = "arn:aws:iam::" + ACCT + ":user/ci-deployer";
  static final String ADMIN = "arn:aws:iam::" + ACCT + ":user/sec-oncall";
  static final String HOLDER = "198.51.100.142";

  static String record(String id, String time, String op, String arn, String key, String source, String ua,
      String request, String error) {
    return "{\"eventVersion\":\"1.10\",\"userIdentity\":{\"type\":\"IAMUser\",\"principalId\":\"AIDA" + id.toUpperCase()
        + "\",\"arn\":\"" + arn + "\",\"accountId\":\"" + ACCT + "\",\"accessKeyId\":\"" + key + "\",\"userName\":\""
        + arn.substring(arn.lastIndexOf('/') + 1) + "\"},\"eventTime\":\"2026-11-21T" + time + "Z\",\"eventSource\":\""
        + (op.endsWith("AccessKey") ? "iam" : op.equals("GetCallerIdentity") ? "sts" : "s3") + ".amazonaws.com\","
        + "\"eventName\":\"" + op + "\",\"awsRegion\":\"us-east-1\",\"sourceIPAddress\":\"" + source + "\",\"userAgent\":\""
        + ua + "\"," + (error == null ? "" : "\"errorCode\":\"" + error + "\",\"errorMessage\":\"The security token"
            + " included in the request is invalid.\",") + "\"requestParameters\":" + request + ",\"responseElements\":null,"
        + "\"requestID\":\"req-" + id + "\",\"eventID\":\"0d0d0d0d-0000-4000-8000-" + String.format("%012d",
            Math.abs(id.hashCode())) + "\",\"readOnly\":false,\"eventType\":\"AwsApiCall\",\"managementEvent\":true,"
        + "\"recipientAccountId\":\"" + ACCT + "\"}";
  }

  static String status(String id, String time, String op, String st) {
    return record(id, time, op, ADMIN, "ASIASECONCALL0000001", "192.0.2.10", "AWS Internal",
        "{\"userName\":\"ci-deployer\",\"accessKeyId\":\"" + KEY + "\"" + (st == null ? "" : ",\"status\":\"" + st + "\"")
            + "}", null);
  }

  static String use(String id, String time, String op, String error) {
    return record(id, time, op, USER, KEY, HOLDER, "aws-cli/2.15.30 md/awscrt#0.19.19 ua/2.0 os/linux#6.5.0",
        op.equals("GetCallerIdentity") ? "null" : "{\"bucketName\":\"ci-artifacts\"}", error);
  }

  private List<EvidenceEvent> parse() throws Exception {
    Path trail = dir.resolve("AWSLogs/" + ACCT + "/CloudTrail/us-east-1/2026/11/21/" + ACCT
        + "_CloudTrail_us-east-1_20261121T1130Z_Rev0kedKeys00001.json");
    Files.createDirectories(trail.getParent());
    Files.writeString(trail, "{\"Records\":[" + String.join(",",
        status("inactive", "10:00:00", "UpdateAccessKey", "Inactive"),
        use("refused1", "10:15:00", "GetCallerIdentity", "InvalidClientTokenId"),
        status("active", "10:30:00", "UpdateAccessKey", "Active"),
        use("fine", "10:45:00", "ListBuckets", null),
        status("deleted", "11:00:00", "DeleteAccessKey", null),
        use("refused2", "11:15:00", "GetCallerIdentity", "InvalidClientTokenId"),
        use("answered", "11:20:00", "ListBuckets", null)) + "]}");
    List<EvidenceEvent> es = SigmaFixtures.parse(dir);
    assertThat(es).hasSize(7);
    return es;
  }

  static String id(List<EvidenceEvent> es, String time) {
    return es.stream().filter(e -> e.getTime().toString().contains("T" + time)).findFirst().orElseThrow().getEventId();
  }

  static TimelineRow row(Incident inc, String id) {
    return inc.getTimeline().stream().filter(r -> r.getEventId().equals(id)).findFirst().orElse(null);
  }

  @Test
  void callsAfterTheKeyWasMadeInactiveOrDeletedAreSignalsInAnyArrivalOrder() throws Exception {
    List<EvidenceEvent> es = parse();
    Random r = new Random(11);
    for (int i = 0; i < 10; i++) {
      List<EvidenceEvent> order = new ArrayList<>(es);
      Collections.shuffle(order, r);
      List<Incident> incs = IncidentEngine.incidentsOf(order, IncidentSettings.defaults());
      assertThat(incs).as("one incident: the holder's calls, linked by the key").hasSize(1);
      Incident inc = incs.get(0);
      for (String t : List.of("10:15:00", "11:15:00", "11:20:00")) {
        TimelineRow x = row(inc, id(es, t));
        assertThat(x).as(t).isNotNull();
        assertThat(x.getSignal()).as(t).isTrue();
        assertThat(x.getAttackStage()).isEqualTo(AttackStage.CREDENTIAL_ACCESS);
        assertThat(x.getSeverityId()).isEqualTo(4);
      }
      assertThat(row(inc, id(es, "10:15:00")).getSummary()).contains("(access key " + KEY + " used after its owner made"
          + " it inactive (UpdateAccessKey Inactive at 2026-11-21T10:00:00Z by " + ADMIN + ", event " + id(es, "10:00:00")
          + "): someone holds a key its owner revoked)").contains("InvalidClientTokenId");
      assertThat(row(inc, id(es, "11:20:00")).getSummary()).contains("used after its owner deleted it (DeleteAccessKey at"
          + " 2026-11-21T11:00:00Z");
      // reactivated in between: the 10:45 call is fine (context of the incident through the key)
      TimelineRow fine = row(inc, id(es, "10:45:00"));
      assertThat(fine == null || !fine.getSignal()).as("the call after the reactivation").isTrue();
      // the owner's own calls are not the key's
      assertThat(row(inc, id(es, "11:00:00"))).isNull();
    }
  }

  /** Streaming: the call is flushed before the deletion arrives (a later file); the deletion re-judges it. */
  @Test
  void aStatusChangeArrivingAfterTheCallWasJudgedMakesItASignal() throws Exception {
    List<EvidenceEvent> es = new ArrayList<>(parse());
    es.sort(Comparator.comparing(EvidenceEvent::getTime));
    EvidenceEvent deleted = es.stream().filter(e -> e.getEventId().equals(id(es, "11:00:00"))).findFirst().orElseThrow();
    EvidenceEvent call = es.stream().filter(e -> e.getEventId().equals(id(es, "11:15:00"))).findFirst().orElseThrow();
    for (boolean statusFirst : new boolean[] {true, false}) {
      IncidentEngine engine = new IncidentEngine(IncidentSettings.defaults());
      InMemoryTenantStore store = new InMemoryTenantStore();
      String tenant = EntityKeys.tenant(call);
      long after = (call.getTime().getEpochSecond() + 60) * 1_000_000L;
      engine.accept(store, statusFirst ? deleted : call);
      engine.flush(store, tenant, after);
      engine.accept(store, statusFirst ? call : deleted);
      List<Incident> out = engine.flush(store, tenant, after);
      assertThat(store.member(call.getEventId()).signal()).as("status first: " + statusFirst).isTrue();
      assertThat(store.member(call.getEventId()).reason()).isEqualTo(RevokedKeyUse.REASON);
      assertThat(out).as("the incident emitted").hasSize(1);
      // a copy of the call changes nothing
      engine.accept(store, call);
      engine.flush(store, tenant, after);
      assertThat(store.member(call.getEventId()).signal()).isTrue();
    }
  }
}
