package dev.strata.correlate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.schema.correlate.EntityBinding;
import dev.strata.schema.event.EvidenceEvent;
import dev.strata.schema.event.Enrichment;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/**
 * Who used the instance role's credentials from outside, from the real parsers' output (fixtures/correlate/README.md,
 * imds-tetragon.jsonl / cloudtrail-imds.json): pods' fetches from IMDS (v1, v2, IPv6, none) and the instance session's
 * calls from the node's NAT gateway, its private address, an attacker's address and through a VPC endpoint.
 */
class ImdsCredentialsTest {
  static final String INSTANCE = "i-0abc1234def567890";
  static final String SESSION =
      "arn:aws:sts::111111111111:assumed-role/prod-ng-NodeInstanceRole/" + INSTANCE;
  static final String ATTACKER = "198.51.100.7";
  static final List<EvidenceEvent> FETCHES = CorrelationScenario.parseOnInstance("tetragon_event",
      "imds-tetragon.jsonl", "prod", CorrelationScenario.ACCOUNT_PROD, INSTANCE);
  static final List<EvidenceEvent> CALLS =
      CorrelationScenario.parse("aws_cloudtrail", "cloudtrail-imds.json", null, CorrelationScenario.ACCOUNT_PROD);
  final BindingExtractor x = new BindingExtractor();

  EntityBinding fetchOf(String pod) {
    for (EvidenceEvent e : FETCHES) {
      if (!pod.equals(e.getKubernetes().getNamespace() + "/" + e.getKubernetes().getPodName())) continue;
      for (EntityBinding b : x.extract(e)) if (b.getKind().equals("imds_fetch")) return b;
    }
    throw new AssertionError("no fetch of " + pod);
  }

  /** The {@code session_instance} statement of the call at {@code time}. */
  EntityBinding call(String time) {
    for (EvidenceEvent e : CALLS) {
      if (!e.getTime().equals(Instant.parse(time))) continue;
      return x.extract(e).stream().filter(b -> b.getKind().equals("session_instance")).findFirst().orElseThrow();
    }
    throw new AssertionError("no call at " + time);
  }

  List<EntityBinding> nodeCalls(Predicate<EntityBinding> which) {
    List<EntityBinding> out = new ArrayList<>();
    for (EvidenceEvent e : CALLS) {
      for (EntityBinding b : x.extract(e)) if (b.getKind().equals("session_instance") && which.test(b)) out.add(b);
    }
    return out;
  }

  /** The decision in both member orders (it must not depend on arrival order). */
  List<EntityBinding> decide(EntityBinding call, List<EntityBinding> members) {
    List<EntityBinding> d = ImdsCredentials.decide(x, call, members);
    List<EntityBinding> reversed = new ArrayList<>(members);
    Collections.reverse(reversed);
    assertThat(ImdsCredentials.decide(x, call, reversed)).as("member order").isEqualTo(d);
    return d;
  }

  List<EntityBinding> with(EntityBinding... fetches) {
    List<EntityBinding> m = new ArrayList<>(List.of(fetches));
    m.addAll(nodeCalls(b -> true));
    return m;
  }

  @Test
  void aFetchNamesThePodTheInstanceTheRoleAndTheImdsVersionUntilTheCredentialsCanExpire() {
    EntityBinding a = fetchOf("ci/job-a");
    assertThat(LookupKeys.of(a.getSubject())).isEqualTo("instance|pod:k8s:prod/ci/job-a|" + INSTANCE);
    assertThat(a.getKind()).isEqualTo("imds_fetch");
    assertThat(a.getObject().getScope() + " " + a.getObject().getKey()).isEqualTo("k8s:prod ci/job-a");
    assertThat(a.getValidFrom()).isEqualTo(Instant.parse("2026-11-20T10:00:00Z"));
    assertThat(a.getValidTo()).isEqualTo(Instant.parse("2026-11-20T16:00:00Z"));
    assertThat(a.getConfidence()).isEqualTo(0.9f);
    assertThat(a.getAttributes()).containsEntry(ImdsCredentials.ROLE_NAME, "prod-ng-NodeInstanceRole")
        .containsEntry(ImdsCredentials.IMDS_VERSION, "v1").containsEntry(ImdsCredentials.FETCH_BASIS, "process")
        .containsEntry(Attr.CONTAINER_UID, "a1".repeat(32)).containsEntry(Attr.NODE_NAME, "ip-10-0-1-10.ec2.internal");
    assertThat(fetchOf("ci/job-b").getAttributes()).containsEntry(ImdsCredentials.IMDS_VERSION, "v2");
    // the role listed, then read through a shell variable from the IPv6 endpoint: a fetch with no role named
    assertThat(fetchOf("ops/agent").getAttributes()).doesNotContainKey(ImdsCredentials.ROLE_NAME);
    // an exec reading the instance id fetches nothing
    long fetches = FETCHES.stream().flatMap(e -> x.extract(e).stream()).filter(b -> b.getKind().equals("imds_fetch")).count();
    assertThat(fetches).isEqualTo(3);
  }

  @Test
  void theCallsSayWhereTheyCameFromAndOnlyThoseFromAPublicAddressAskForTheFetchingPod() {
    assertThat(call("2026-11-20T10:05:00Z").getAttributes()).containsEntry(ImdsCredentials.SOURCE_IP, ATTACKER);
    assertThat(call("2026-11-20T12:06:00Z").getAttributes()).containsEntry(ImdsCredentials.VPC_ENDPOINT,
        "vpce-0s3000000000001");
    for (EvidenceEvent e : CALLS) {
      List<String> keys = LookupKeys.probes(1, e, Enrichment.newBuilder().build());
      String ip = e.getSrcEndpoint().getIp();
      boolean outside = !LookupKeys.isPrivateIp(ip) && e.getSrcEndpoint().getInterfaceUid() == null;
      assertThat(keys.contains("session|from:" + ip + "|" + SESSION)).as(e.getApi().getOperation() + " from " + ip)
          .isEqualTo(outside);
    }
  }

  @Test
  void anImdsV1FetchTiesTheCallsFromOutsideToThePodUntilTheCredentialsCanExpire() {
    List<EntityBinding> d = decide(call("2026-11-20T10:05:00Z"), with(fetchOf("ci/job-a")));
    assertThat(d).hasSize(1);
    EntityBinding s = d.get(0);
    assertThat(s.getKind()).isEqualTo("session_imds_pod");
    assertThat(LookupKeys.of(s.getSubject())).isEqualTo("session|from:" + ATTACKER + "|" + SESSION);
    assertThat(s.getObject().getScope() + " " + s.getObject().getKey()).isEqualTo("k8s:prod ci/job-a");
    assertThat(s.getValidFrom()).isEqualTo(Instant.parse("2026-11-20T10:00:00Z"));
    assertThat(s.getValidTo()).isEqualTo(Instant.parse("2026-11-20T16:00:00Z"));
    assertThat(s.getEndObserved()).isFalse();
    assertThat(s.getConfidence()).isEqualTo(ImdsCredentials.ONE_POD).isLessThan(BindingKind.SESSION_INSTANCE.confidence());
    assertThat(s.getAttributes()).containsEntry(Attr.POD_NAME, "job-a").containsEntry(Attr.NAMESPACE, "ci")
        .containsEntry(Attr.CLUSTER, "prod").containsEntry(Attr.CONTAINER_UID, "a1".repeat(32))
        .containsEntry(ImdsCredentials.BASIS, "one_pod_fetched").containsEntry(ImdsCredentials.CANDIDATES, "ci/job-a")
        .containsEntry(ImdsCredentials.IMDS_VERSION, "v1").containsEntry(ImdsCredentials.SOURCE_IP, ATTACKER)
        .containsEntry(ImdsCredentials.FETCH_EVENT, fetchOf("ci/job-a").getLineage().getEventId());
    // the fetch's lineage: the statement points at the process that fetched
    assertThat(s.getLineage()).isEqualTo(fetchOf("ci/job-a").getLineage());
    // two calls from the same address in the same interval state the same statement (one fact)
    assertThat(decide(call("2026-11-20T12:05:00Z"), with(fetchOf("ci/job-a"))).get(0).getBindingId())
        .isEqualTo(s.getBindingId());
  }

  @Test
  void anImdsV2FetchTiesTheCallsFromOutsideToThePod() {
    // without job-a's fetch the attacker's call at 10:05 would be unexplained, and an address used while no pod held
    // fetched credentials is the node's own: leave it out here
    List<EntityBinding> members = new ArrayList<>(List.of(fetchOf("ci/job-b")));
    members.addAll(nodeCalls(b -> !b.getValidFrom().equals(Instant.parse("2026-11-20T10:05:00Z"))));
    List<EntityBinding> d = decide(call("2026-11-20T12:05:00Z"), members);
    assertThat(d).singleElement().satisfies(s -> {
      assertThat(s.getObject().getKey()).isEqualTo("ci/job-b");
      assertThat(s.getAttributes()).containsEntry(ImdsCredentials.IMDS_VERSION, "v2");
      assertThat(s.getValidFrom()).isEqualTo(Instant.parse("2026-11-20T12:00:00Z"));
    });
    // before its fetch the pod held nothing: the call at 10:05 is nobody's
    assertThat(decide(call("2026-11-20T10:05:00Z"), members)).isEmpty();
    // and with that call among them, the address counts as the node's (see the class doc of ImdsCredentials)
    assertThat(decide(call("2026-11-20T12:05:00Z"), with(fetchOf("ci/job-b")))).isEmpty();
  }

  @Test
  void aPodUsingItsNodesCredentialsFromTheNodesOwnAddressesIsTiedToNothing() {
    List<EntityBinding> members = with(fetchOf("ops/agent"));
    // through the node's NAT gateway, which the node's own ECR login used before any fetch
    assertThat(decide(call("2026-11-20T10:10:00Z"), members)).isEmpty();
    // from the node's private address, and through a VPC endpoint
    assertThat(decide(call("2026-11-20T10:11:00Z"), members)).isEmpty();
    assertThat(decide(call("2026-11-20T12:06:00Z"), members)).isEmpty();
    // the attacker's address is still outside: the agent's fetch is the only one in force (it named no role)
    assertThat(decide(call("2026-11-20T10:05:00Z"), members)).singleElement()
        .satisfies(s -> assertThat(s.getObject().getKey()).isEqualTo("ops/agent"));
  }

  @Test
  void twoPodsHoldingFetchedCredentialsAreBothCandidatesAndNeitherWins() {
    List<EntityBinding> members = with(fetchOf("ci/job-a"), fetchOf("ci/job-b"));
    List<EntityBinding> d = decide(call("2026-11-20T12:05:00Z"), members);
    assertThat(d).hasSize(2);
    assertThat(d).extracting(s -> s.getObject().getKey()).containsExactlyInAnyOrder("ci/job-a", "ci/job-b");
    for (EntityBinding s : d) {
      // under a key no call asks: the enrichment names no pod
      assertThat(s.getSubject().getScope()).isEqualTo("ambiguous:" + ATTACKER + ":" + s.getObject().getKey());
      assertThat(s.getConfidence()).isEqualTo(ImdsCredentials.SEVERAL_PODS);
      assertThat(s.getAttributes()).containsEntry(ImdsCredentials.BASIS, "several_pods_fetched")
          .containsEntry(ImdsCredentials.CANDIDATES, "ci/job-a ci/job-b");
      // the interval in which both held them: from job-b's fetch to job-a's credentials' end
      assertThat(s.getValidFrom()).isEqualTo(Instant.parse("2026-11-20T12:00:00Z"));
      assertThat(s.getValidTo()).isEqualTo(Instant.parse("2026-11-20T16:00:00Z"));
    }
    // before job-b's fetch, job-a alone: its statement ends where job-b's fetch begins
    assertThat(decide(call("2026-11-20T10:05:00Z"), members)).singleElement().satisfies(s -> {
      assertThat(s.getObject().getKey()).isEqualTo("ci/job-a");
      assertThat(s.getSubject().getScope()).isEqualTo("from:" + ATTACKER);
      assertThat(s.getValidTo()).isEqualTo(Instant.parse("2026-11-20T12:00:00Z"));
    });
  }

  @Test
  void aFetchOfAnotherRolesCredentialsIsNoCandidate() {
    EntityBinding a = fetchOf("ci/job-a");
    EntityBinding other = EntityBinding.newBuilder(a).setAttributes(new java.util.HashMap<>(a.getAttributes())).build();
    other.getAttributes().put(ImdsCredentials.ROLE_NAME, "some-other-role");
    assertThat(decide(call("2026-11-20T10:05:00Z"), with(other))).isEmpty();
  }

  @Test
  void aFetchThatNamesItsNodeOnlyIsRestatedOnTheNodesInstance() {
    List<EvidenceEvent> noInstance = CorrelationScenario.parse("tetragon_event", "imds-tetragon.jsonl", "prod",
        CorrelationScenario.ACCOUNT_PROD);
    EntityBinding onNode = x.extract(noInstance.get(0)).stream().filter(b -> b.getKind().equals("imds_fetch"))
        .findFirst().orElseThrow();
    assertThat(onNode.getSubject().getScope() + "|" + onNode.getSubject().getKey())
        .isEqualTo("node:pod:k8s:prod/ci/job-a|ip-10-0-1-10.ec2.internal");
    assertThat(ImdsCredentials.instance(onNode)).isNull();
    List<EntityBinding> nodes = new ArrayList<>();
    for (EvidenceEvent e : new CorrelationScenario().prodAudit) {
      for (EntityBinding b : x.extract(e)) {
        if (b.getKind().equals("node_instance")) nodes.add(b);
      }
    }
    assertThat(nodes).isNotEmpty().allSatisfy(n -> assertThat(ImdsCredentials.node(n)).isEqualTo(ImdsCredentials.node(onNode)));
    EntityBinding on = ImdsCredentials.onInstance(x, onNode, nodes);
    assertThat(on.getSubject().getScope() + "|" + on.getSubject().getKey()).isEqualTo("pod:k8s:prod/ci/job-a|" + INSTANCE);
    assertThat(on.getObject()).isEqualTo(onNode.getObject());
    assertThat(on.getValidFrom()).isEqualTo(onNode.getValidFrom());
    assertThat(on.getValidTo()).isEqualTo(onNode.getValidTo());
    assertThat(on.getLineage()).isEqualTo(onNode.getLineage());
    assertThat(on.getAttributes()).containsEntry(Attr.INSTANCE_UID, INSTANCE);
    assertThat(ImdsCredentials.instance(on)).isEqualTo(INSTANCE);
    // stated on the instance directly (context cloud_instance), the same fetch joins the same calls
    assertThat(ImdsCredentials.decide(x, call("2026-11-20T10:05:00Z"), with(on))).singleElement()
        .satisfies(d -> assertThat(d.getObject().getKey()).isEqualTo("ci/job-a"));
    assertThat(ImdsCredentials.onInstance(x, onNode, List.of())).isNull();
  }

  @Test
  void aPlainContainersFetchTiesTheCallsFromOutsideToTheContainer() {
    List<EvidenceEvent> falco = CorrelationScenario.parseOnInstance("falco_alert", "imds-falco-container.json", null,
        CorrelationScenario.ACCOUNT_PROD, INSTANCE);
    EntityBinding f = x.extract(falco.get(0)).stream().filter(b -> b.getKind().equals("imds_fetch_container"))
        .findFirst().orElseThrow();
    assertThat(LookupKeys.of(f.getObject())).isEqualTo("container||d4e5f6a7b8c9");
    assertThat(f.getAttributes()).containsEntry(ImdsCredentials.ROLE_NAME, "prod-ng-NodeInstanceRole")
        .containsEntry(Attr.CONTAINER_NAME, "shop-web-1");
    EntityBinding s = decide(call("2026-11-20T10:05:00Z"), with(f)).get(0);
    assertThat(s.getKind()).isEqualTo("session_imds_container");
    assertThat(LookupKeys.of(s.getSubject())).isEqualTo("session|from:" + ATTACKER + "|" + SESSION);
    assertThat(s.getAttributes()).containsEntry(Attr.CONTAINER_UID, "d4e5f6a7b8c9");
    // with a pod's fetch in force too: two candidates of two kinds, neither wins
    assertThat(decide(call("2026-11-20T10:05:00Z"), with(f, fetchOf("ci/job-a")))).hasSize(2)
        .allSatisfy(d -> assertThat(d.getSubject().getScope()).startsWith("ambiguous:"))
        .allSatisfy(d -> assertThat(d.getAttributes().get(ImdsCredentials.CANDIDATES)).isEqualTo("ci/job-a d4e5f6a7b8c9"));
  }

  @Test
  void theFetchIsReadFromCommandLinesAndLogLines() {
    assertThat(ImdsCredentials.fetch("curl http://169.254.169.254/latest/meta-data/iam/security-credentials/r-1"))
        .isEqualTo(new ImdsCredentials.Fetch("r-1", "v1"));
    assertThat(ImdsCredentials.fetch("+ curl -s http://169.254.169.254/latest/meta-data/iam/security-credentials/"))
        .isEqualTo(new ImdsCredentials.Fetch(null, "v1"));
    assertThat(ImdsCredentials.fetch("TOKEN=$(curl -X PUT http://169.254.169.254/latest/api/token -H 'X-aws-ec2-"
        + "metadata-token-ttl-seconds: 21600'); curl -H \"X-aws-ec2-metadata-token: $TOKEN\" "
        + "http://169.254.169.254/latest/meta-data/iam/security-credentials/Node.Role@x"))
        .isEqualTo(new ImdsCredentials.Fetch("Node.Role@x", "v2"));
    assertThat(ImdsCredentials.fetch("wget -qO- http://169.254.169.254/latest/meta-data/iam/info")).isNull();
    assertThat(ImdsCredentials.fetch("curl http://169.254.169.254/latest/meta-data/instance-id")).isNull();
    assertThat(ImdsCredentials.fetch(null)).isNull();
  }
}
