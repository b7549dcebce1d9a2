package dev.strata.job;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.correlate.BindingExtractor;
import dev.strata.correlate.BindingKind;
import dev.strata.correlate.CorrelationScenario;
import dev.strata.schema.correlate.EntityBinding;
import dev.strata.schema.event.Enrichment;
import dev.strata.schema.event.EvidenceEvent;
import dev.strata.schema.event.Kubernetes;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Hop 2 (pod -> node and service account) is skipped for a flow whose ip -> pod binding already stated everything a
 * pod -> node binding could fill, and asked for one whose binding did not; late pod -> node bindings in both arrival
 * orders. Fixtures: the correlation scenario's audit records (fixtures/correlate/README.md), prod-audit-unscheduled.log
 * (shop/late-3, no node yet), VPC Flow records and kube-scheduler "Scheduled" events (k8s_event, the message as
 * `kubectl get events` shows it) built here.
 */
class SkippedHopCorrelationTest {
  @RegisterExtension
  static final MiniClusterExtension FLINK =
      TestMiniCluster.extension(2);

  static final CorrelationScenario S = new CorrelationScenario();
  static final String OTHER_NODE = "ip-10-0-9-99.ec2.internal";
  static final String LATE_NODE = "ip-10-0-1-20.ec2.internal";

  /** payments/api-7d9f (10.0.1.57 from 10:00, node and service account stated): before its late Scheduled event. */
  static final EvidenceEvent API_BEFORE = flow("skip-api-before", "10.0.1.57", "2026-11-20T10:02:00Z");
  /** The same pod after that event came. */
  static final EvidenceEvent API_AFTER = flow("skip-api-after", "10.0.1.57", "2026-11-20T10:02:30Z");
  /** shop/late-3 (10.0.1.81 from 10:18, no node stated): before its Scheduled event (10:19). */
  static final EvidenceEvent UNSCHEDULED_BEFORE = flow("ask-late3-before", "10.0.1.81", "2026-11-20T10:20:00Z");
  /** The same pod after that event came. */
  static final EvidenceEvent UNSCHEDULED_AFTER = flow("ask-late3-after", "10.0.1.81", "2026-11-20T10:20:30Z");

  static final EvidenceEvent SCHEDULED_API =
      scheduled("sched-api", "payments", "api-7d9f", OTHER_NODE, "2026-11-20T10:01:00Z");
  static final EvidenceEvent SCHEDULED_LATE3 =
      scheduled("sched-late3", "shop", "late-3", LATE_NODE, "2026-11-20T10:19:00Z");
  static final List<EvidenceEvent> FLOWS = List.of(API_BEFORE, UNSCHEDULED_BEFORE, API_AFTER, UNSCHEDULED_AFTER);

  /** The latest enrichment of each event, with the pod -> node statements arriving late and early. */
  static Map<String, Enrichment> late;
  static Map<String, Enrichment> early;

  @BeforeAll
  static void run() throws Exception {
    List<EvidenceEvent> evidence = new ArrayList<>(S.prodAudit);
    evidence.addAll(CorrelationScenario.parse("k8s_audit", "prod-audit-unscheduled.log", "prod",
        CorrelationScenario.ACCOUNT_PROD));
    evidence.addAll(S.cloudTrail); // the service account -> role binding of payments/api-sa (hop 3)
    // pod -> node statements: one naming another node for api-7d9f at 10:01 (after the API server's 10:00 status, so
    // a lookup of its pod key at 10:02 would answer with it), one scheduling late-3 at 10:19
    List<EvidenceEvent> statements = List.of(SCHEDULED_API, SCHEDULED_LATE3);
    List<EvidenceEvent> lateOrder = new ArrayList<>(evidence);
    lateOrder.add(API_BEFORE);
    lateOrder.add(UNSCHEDULED_BEFORE);
    lateOrder.addAll(statements);
    lateOrder.add(API_AFTER);
    lateOrder.add(UNSCHEDULED_AFTER);
    late = latest(CorrelateJobTest.correlate(lateOrder, "skipped-hop-late-statements"));
    List<EvidenceEvent> earlyOrder = new ArrayList<>(evidence);
    earlyOrder.addAll(statements);
    earlyOrder.addAll(FLOWS);
    early = latest(CorrelateJobTest.correlate(earlyOrder, "skipped-hop-early-statements"));
  }

  static Map<String, Enrichment> latest(CorrelateJobTest.Correlated c) {
    Map<String, Enrichment> m = new LinkedHashMap<>();
    c.latest().forEach((id, e) -> m.put(id, e.getEnrichment()));
    return m;
  }

  /** The id of the binding a Scheduled event states (as the extractor derives it). */
  static String bindingOf(EvidenceEvent scheduled) {
    List<EntityBinding> b = new BindingExtractor().extract(scheduled);
    assertThat(b).extracting(EntityBinding::getKind).containsExactly(BindingKind.POD_NODE.id());
    return b.get(0).getBindingId();
  }

  @Test
  void aFlowWhosePodBindingStatedNodeAndServiceAccountSkipsHop2_soAPodNodeBindingChangesNothing() {
    String other = bindingOf(SCHEDULED_API);
    for (Map<String, Enrichment> run : List.of(late, early)) {
      for (EvidenceEvent flow : List.of(API_BEFORE, API_AFTER)) {
        Enrichment en = run.get(flow.getEventId());
        assertThat(en.getPodName()).as(flow.getEventId()).isEqualTo("api-7d9f");
        assertThat(en.getNodeName()).as("the API server's node, filled at hop 1").isEqualTo(CorrelationScenario.NODE);
        assertThat(en.getServiceAccount()).isEqualTo("payments/api-sa");
        assertThat(en.getIamRole()).as("hop 3 is still asked: the role was unknown").isEqualTo(CorrelationScenario.ROLE);
        // hop 2 was not asked: neither the pod key nor the statement that now answers it at 10:02 is listed
        assertThat(en.getUnresolved()).noneMatch(k -> k.startsWith("pod|"));
        assertThat(en.getBindingIds()).doesNotContain(other);
      }
    }
  }

  @Test
  void aFlowWhosePodBindingStatedNoNodeAsksHop2_andItsPodNodeBindingFillsTheNodeInEitherOrder() {
    String scheduledLate3 = bindingOf(SCHEDULED_LATE3);
    for (Map<String, Enrichment> run : List.of(late, early)) {
      for (EvidenceEvent flow : List.of(UNSCHEDULED_BEFORE, UNSCHEDULED_AFTER)) {
        Enrichment en = run.get(flow.getEventId());
        assertThat(en.getPodName()).as(flow.getEventId()).isEqualTo("late-3");
        assertThat(en.getNodeName()).as("filled at hop 2 by the Scheduled event").isEqualTo(LATE_NODE);
        assertThat(en.getBindingIds()).contains(scheduledLate3);
      }
    }
  }

  @Test
  void theArrivalOrderOfThePodNodeStatementsDoesNotChangeAnyResult() {
    for (EvidenceEvent flow : FLOWS) {
      Enrichment a = withoutRevision(late.get(flow.getEventId()));
      Enrichment b = withoutRevision(early.get(flow.getEventId()));
      assertThat(a).as(flow.getEventId()).isEqualTo(b);
    }
  }

  static Enrichment withoutRevision(Enrichment e) {
    return Enrichment.newBuilder(e).setRevision(0).build();
  }

  static EvidenceEvent flow(String id, String src, String time) {
    return CorrelationScenario.flow(id, CorrelationScenario.ACCOUNT_PROD, "vpc-0aaa", "eni-0aaa1", null, src,
        "203.0.113.9", time);
  }

  /** A kube-scheduler "Scheduled" event as the k8s_event source normalizes it. */
  static EvidenceEvent scheduled(String id, String namespace, String pod, String node, String time) {
    EvidenceEvent e = CorrelationScenario.flow(id, CorrelationScenario.ACCOUNT_PROD, null, null, null, null, null,
        time);
    e.setSourceFormat("k8s_event");
    e.setClassUid(6003);
    e.setActivityName("Scheduled");
    e.setMessage("Successfully assigned " + namespace + "/" + pod + " to " + node);
    e.setKubernetes(Kubernetes.newBuilder().setCluster("prod").setNamespace(namespace).setPodName(pod).build());
    e.setCloud(null);
    e.setSrcEndpoint(null);
    e.setDstEndpoint(null);
    e.setNetwork(null);
    e.setTime(Instant.parse(time));
    return e;
  }
}
