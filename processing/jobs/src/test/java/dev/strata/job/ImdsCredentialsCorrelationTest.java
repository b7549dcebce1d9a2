package dev.strata.job;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.correlate.CorrelationScenario;
import dev.strata.correlate.ImdsCredentials;
import dev.strata.correlate.KnownCidrs;
import dev.strata.schema.event.Enrichment;
import dev.strata.schema.event.EvidenceEvent;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The instance role's calls from outside are the pod's that fetched its credentials from IMDS, through the job
 * (fixtures/correlate/README.md, imds-tetragon.jsonl / cloudtrail-imds.json with prod-audit.log): the Tetragon events
 * are collected without the context's instance (they name their node only), so the fetches reach the instance through
 * the audit's Node object (node_instance); ci/job-a's IMDSv1 read at 10:00 and ops/agent's at 10:00, job-b's IMDSv2
 * read at 12:00. The attacker's call at 10:05 has two candidates (job-a, ops/agent): no pod; the one at 12:05 three:
 * no pod; the calls from the node's NAT and private addresses and through the VPC endpoint: no pod. Without
 * ops/agent's fetch, the 10:05 call is job-a's. In both arrival orders.
 */
class ImdsCredentialsCorrelationTest {
  @RegisterExtension
  static final MiniClusterExtension FLINK =
      TestMiniCluster.extension(2);

  static final String SESSION =
      "arn:aws:sts::111111111111:assumed-role/prod-ng-NodeInstanceRole/i-0abc1234def567890";

  @Test
  void theCallsFromOutsideAreThePodsThatFetchedTheCredentialsFoundThroughTheNodesInstance() throws Exception {
    CorrelationScenario s = new CorrelationScenario();
    List<EvidenceEvent> fetches = CorrelationScenario.parse("tetragon_event", "imds-tetragon.jsonl", "prod",
        CorrelationScenario.ACCOUNT_PROD);
    assertThat(fetches.get(0).getDevice().getInstanceUid()).as("collected without the instance").isNull();
    List<EvidenceEvent> calls = CorrelationScenario.parse("aws_cloudtrail", "cloudtrail-imds.json", null,
        CorrelationScenario.ACCOUNT_PROD);
    List<EvidenceEvent> withoutAgent = new ArrayList<>();
    for (EvidenceEvent e : fetches) if (!"agent".equals(e.getKubernetes().getPodName())) withoutAgent.add(e);
    for (boolean callsFirst : new boolean[] {false, true}) {
      for (boolean agent : new boolean[] {false, true}) {
        List<EvidenceEvent> all = new ArrayList<>();
        if (callsFirst) all.addAll(calls);
        all.addAll(s.prodAudit);
        all.addAll(agent ? fetches : withoutAgent);
        if (!callsFirst) all.addAll(calls);
        var r = ContainerEndCorrelationTest.run(all);
        String as = "calls first " + callsFirst + ", agent " + agent;
        Enrichment at1005 = r.latest().get(call(calls, "2026-11-20T10:05:00Z").getEventId());
        if (agent) {
          assertThat(at1005.getPodName()).as(as).isNull();
        } else {
          assertThat(at1005.getNamespace() + "/" + at1005.getPodName()).as(as).isEqualTo("ci/job-a");
          assertThat(at1005.getContainerUid()).as(as).isEqualTo("a1".repeat(32));
        }
        assertThat(at1005.getInstanceUid()).as(as).isEqualTo("i-0abc1234def567890");
        assertThat(at1005.getNodeName()).as(as).isEqualTo(CorrelationScenario.NODE);
        for (String own : List.of("2026-11-20T08:00:00Z", "2026-11-20T10:10:00Z", "2026-11-20T10:11:00Z",
            "2026-11-20T12:06:00Z")) {
          assertThat(r.latest().get(call(calls, own).getEventId()).getPodName()).as(as + " " + own).isNull();
        }
        // 12:05: job-a's and job-b's credentials (and the agent's) in force: candidates, no pod
        assertThat(r.latest().get(call(calls, "2026-11-20T12:05:00Z").getEventId()).getPodName()).as(as).isNull();
        var facts = r.facts().values().stream().filter(b -> b.getKind().equals("session_imds_pod")).toList();
        assertThat(facts).as(as).filteredOn(b -> b.getSubject().getScope().startsWith("ambiguous:"))
            .extracting(b -> b.getObject().getKey())
            .contains("ci/job-a", "ci/job-b");
        assertThat(facts).as(as).filteredOn(b -> b.getSubject().getScope().equals("from:198.51.100.7"))
            .hasSize(agent ? 0 : 1).allSatisfy(b -> {
              assertThat(b.getObject().getKey()).isEqualTo("ci/job-a");
              assertThat(b.getSubject().getKey()).isEqualTo(SESSION);
              assertThat(b.getConfidence()).isEqualTo(ImdsCredentials.ONE_POD);
            });
        // the fetches stated on the node, then on its instance
        assertThat(r.facts().values()).as(as).filteredOn(b -> b.getKind().equals("imds_fetch")
            && b.getSubject().getKey().equals("i-0abc1234def567890")).hasSize(agent ? 3 : 2);
      }
    }
  }

  /**
   * An SDK's read (imds-connections.jsonl: ci/sdk-job's tcp_connect to 169.254.169.254 at 10:00, Tetragon naming its
   * node only; aws-node's in kube-system) ties the attacker's 10:05 call to sdk-job at the connection's lower
   * confidence; the calls from the node's addresses stay the node's; job-a's curl read outweighs the connection. Both
   * arrival orders.
   */
  @Test
  void anSdksConnectionToImdsTiesTheCallsFromOutsideToItsPodAtALowerConfidence() throws Exception {
    CorrelationScenario s = new CorrelationScenario();
    List<EvidenceEvent> connections = CorrelationScenario.parse("tetragon_event", "imds-connections.jsonl", "prod",
        CorrelationScenario.ACCOUNT_PROD);
    List<EvidenceEvent> reads = CorrelationScenario.parse("tetragon_event", "imds-tetragon.jsonl", "prod",
        CorrelationScenario.ACCOUNT_PROD);
    List<EvidenceEvent> jobA = new ArrayList<>();
    for (EvidenceEvent e : reads) if ("job-a".equals(e.getKubernetes().getPodName())) jobA.add(e);
    List<EvidenceEvent> calls = CorrelationScenario.parse("aws_cloudtrail", "cloudtrail-imds.json", null,
        CorrelationScenario.ACCOUNT_PROD);
    for (boolean callsFirst : new boolean[] {false, true}) {
      for (boolean withRead : new boolean[] {false, true}) {
        List<EvidenceEvent> all = new ArrayList<>();
        if (callsFirst) all.addAll(calls);
        all.addAll(s.prodAudit);
        all.addAll(connections);
        if (withRead) all.addAll(jobA);
        if (!callsFirst) all.addAll(calls);
        var r = ContainerEndCorrelationTest.run(all);
        String as = "calls first " + callsFirst + ", job-a's read " + withRead;
        Enrichment at1005 = r.latest().get(call(calls, "2026-11-20T10:05:00Z").getEventId());
        assertThat(at1005.getNamespace() + "/" + at1005.getPodName()).as(as)
            .isEqualTo(withRead ? "ci/job-a" : "ci/sdk-job");
        for (String own : List.of("2026-11-20T08:00:00Z", "2026-11-20T10:10:00Z", "2026-11-20T10:11:00Z")) {
          assertThat(r.latest().get(call(calls, own).getEventId()).getPodName()).as(as + " " + own).isNull();
        }
        var facts = r.facts().values().stream().filter(b -> b.getKind().equals("session_imds_pod")
            && b.getSubject().getScope().equals("from:198.51.100.7")).toList();
        assertThat(facts).as(as).isNotEmpty().allSatisfy(b -> assertThat(b.getConfidence())
            .isEqualTo(withRead ? ImdsCredentials.ONE_POD : ImdsCredentials.ONE_POD_CONNECTED));
        assertThat(r.facts().values()).as(as + ": the node agent's connection states nothing")
            .noneMatch(b -> b.getKind().startsWith("imds_fetch") && b.getObject().getKey().startsWith("kube-system/"));
        // the connections stated on the node, then on its instance, as a read's are
        assertThat(r.facts().values()).as(as).filteredOn(b -> b.getKind().equals("imds_fetch")
            && b.getSubject().getKey().equals("i-0abc1234def567890")
            && ImdsCredentials.BY_CONNECTION.equals(b.getAttributes().get(ImdsCredentials.FETCH_BASIS)))
            .extracting(b -> b.getObject().getKey()).contains("ci/sdk-job", "ci/ipv6-job");
      }
    }
  }

  /**
   * {@code incident.known_cidrs} in the correlation job: with 198.51.100.0/24 listed as the organisation's own (its VPN
   * egress), the 10:05 call from 198.51.100.7 is tied to no pod; with another range listed, it is still job-a's.
   */
  @Test
  void aCallFromTheOrganisationsOwnRangesIsTiedToNoPodInTheJob() throws Exception {
    CorrelationScenario s = new CorrelationScenario();
    List<EvidenceEvent> reads = CorrelationScenario.parse("tetragon_event", "imds-tetragon.jsonl", "prod",
        CorrelationScenario.ACCOUNT_PROD);
    List<EvidenceEvent> calls = CorrelationScenario.parse("aws_cloudtrail", "cloudtrail-imds.json", null,
        CorrelationScenario.ACCOUNT_PROD);
    List<EvidenceEvent> all = new ArrayList<>(s.prodAudit);
    for (EvidenceEvent e : reads) if ("job-a".equals(e.getKubernetes().getPodName())) all.add(e);
    all.addAll(calls);
    for (String known : List.of("198.51.100.0/24", "192.0.2.0/24")) {
      var settings = CorrelateJob.StateSettings.bounded().withKnownCidrs(KnownCidrs.parse(known));
      var r = ContainerEndCorrelationTest.run(all, settings);
      Enrichment at1005 = r.latest().get(call(calls, "2026-11-20T10:05:00Z").getEventId());
      if (known.startsWith("198.51.100.")) {
        assertThat(at1005.getPodName()).as(known).isNull();
        assertThat(at1005.getInstanceUid()).as(known + ": still the node's session").isEqualTo("i-0abc1234def567890");
        assertThat(r.facts().values()).as(known).noneMatch(b -> b.getKind().equals("session_imds_pod"));
      } else {
        assertThat(at1005.getNamespace() + "/" + at1005.getPodName()).as(known).isEqualTo("ci/job-a");
      }
    }
  }

  static EvidenceEvent call(List<EvidenceEvent> calls, String time) {
    return calls.stream().filter(e -> e.getTime().equals(Instant.parse(time))).findFirst().orElseThrow();
  }
}
