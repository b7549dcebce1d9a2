package dev.strata.job;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.correlate.CorrelationScenario;
import dev.strata.correlate.KeyStatus;
import dev.strata.schema.correlate.EntityBinding;
import dev.strata.schema.event.Enrichment;
import dev.strata.schema.event.EvidenceEvent;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Created keys beyond a pod's session and their lifecycle (fixtures/correlate/README.md,
 * cloudtrail-created-key-status.json with cloudtrail-irsa-created-key.json), in both arrival orders: a key an ECS
 * task's role session created names the task (its session_task from a v7 flow record); a key an instance role's
 * session created names the instance; the IRSA-created key, made Inactive at 11:00, Active at 11:30 and deleted at
 * 12:00, still names its pod in every call, through the live fact before 11:00, a fact restated "inactive" (0.5) for
 * 11:15, "active" (the live fact's confidence) for 11:45 and "deleted" (0.5) for 12:30; the live fact ends at 11:00.
 */
class CreatedKeyStatusCorrelationTest {
  @RegisterExtension
  static final MiniClusterExtension FLINK =
      TestMiniCluster.extension(2);

  static final String A = CorrelationScenario.ACCOUNT_PROD;
  static final String TASK = "arn:aws:ecs:us-east-1:" + A + ":task/pay-prod/a1b2c3d4e5f6478990a1b2c3d4e5f601";

  @Test
  void createdKeysNameTheirTaskOrInstanceAndADeadKeysCallsSaySo() throws Exception {
    CorrelationScenario s = new CorrelationScenario();
    List<EvidenceEvent> replica = CorrelationScenario.parse("k8s_audit", "prod-audit-irsa-replica.log", "prod", A);
    List<EvidenceEvent> vpce = CorrelationScenario.parse("aws_cloudtrail", "cloudtrail-irsa-vpce.json", null, A);
    List<EvidenceEvent> created = CorrelationScenario.parse("aws_cloudtrail", "cloudtrail-irsa-created-key.json", null, A);
    List<EvidenceEvent> status = CorrelationScenario.parse("aws_cloudtrail", "cloudtrail-created-key-status.json", null, A);
    assertThat(status).hasSize(9);
    EvidenceEvent v7 = CorrelationScenario.flow("v7-task", A, "vpc-0aaa", "eni-0f10000000000e001", "i-0f10000000000c001",
        "10.0.1.90", "198.51.100.9", "2026-11-20T10:20:00Z");
    v7.getCloud().setTaskUid(TASK);
    v7.getCloud().setClusterUid("arn:aws:ecs:us-east-1:" + A + ":cluster/pay-prod");
    Map<String, EvidenceEvent> byTime = new java.util.HashMap<>();
    for (EvidenceEvent e : status) byTime.put(e.getTime().toString() + " " + e.getApi().getOperation(), e);
    EvidenceEvent taskCall = byTime.get("2026-11-20T10:40:00Z ListBuckets");
    EvidenceEvent instanceCall = byTime.get("2026-11-20T10:50:00Z ListBuckets");
    EvidenceEvent inactiveCall = byTime.get("2026-11-20T11:15:00Z ListBuckets");
    EvidenceEvent activeCall = byTime.get("2026-11-20T11:45:00Z ListBuckets");
    EvidenceEvent liveCall = created.get(1); // 10:30
    EvidenceEvent deletedCall = created.get(2); // 12:30
    for (boolean statusFirst : new boolean[] {true, false}) {
      List<EvidenceEvent> all = new ArrayList<>();
      if (statusFirst) all.addAll(status);
      all.add(v7);
      all.addAll(vpce);
      all.addAll(created);
      all.addAll(s.prodAudit);
      all.addAll(replica);
      if (!statusFirst) all.addAll(status);
      var r = ContainerEndCorrelationTest.run(all);
      String as = "status first: " + statusFirst;
      Enrichment t = r.latest().get(taskCall.getEventId());
      assertThat(t.getTaskUid()).as(as + ": the task's key").isEqualTo(TASK);
      assertThat(t.getEcsCluster()).as(as).isEqualTo("pay-prod");
      Enrichment i = r.latest().get(instanceCall.getEventId());
      assertThat(i.getInstanceUid()).as(as + ": the instance's key").isEqualTo("i-0abc1234def567890");
      for (var c : List.of(Map.entry(liveCall, ""), Map.entry(inactiveCall, KeyStatus.INACTIVE),
          Map.entry(activeCall, KeyStatus.ACTIVE), Map.entry(deletedCall, KeyStatus.DELETED))) {
        Enrichment k = r.latest().get(c.getKey().getEventId());
        String at = as + ", call at " + c.getKey().getTime();
        assertThat(k.getNamespace() + "/" + k.getPodName()).as(at).isEqualTo("payments/api-7d9f");
        // the fact whose evidence holds the statement the call resolved through
        EntityBinding pod = r.facts().values().stream().filter(f -> f.getKind().equals("accesskey_pod")
            && f.getEvidence().stream().anyMatch(ev -> k.getBindingIds().contains(ev.getBindingId()))).findFirst()
            .orElseThrow(() -> new AssertionError(at + ": no accesskey_pod fact among " + k.getBindingIds()));
        assertThat(pod.getAttributes().getOrDefault(KeyStatus.STATUS, "")).as(at).isEqualTo(c.getValue());
        float stated = pod.getEvidence().stream().filter(ev -> k.getBindingIds().contains(ev.getBindingId()))
            .findFirst().orElseThrow().getConfidence();
        boolean dead = c.getValue().equals(KeyStatus.INACTIVE) || c.getValue().equals(KeyStatus.DELETED);
        assertThat(stated).as(at + ": the statement the call resolved through").isEqualTo(dead ? 0.5f : 0.9f);
      }
      assertThat(r.facts().values()).as(as).filteredOn(f -> f.getKind().equals("accesskey_pod")
          && !f.getAttributes().containsKey(KeyStatus.STATUS)).singleElement()
          .satisfies(f -> assertThat(f.getValidTo()).isEqualTo(Instant.parse("2026-11-20T11:00:00Z")));
      assertThat(r.facts().values()).as(as).filteredOn(f -> f.getKind().equals("accesskey_status")).hasSize(3);
    }
  }
}
