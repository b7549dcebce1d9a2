package dev.strata.correlate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.schema.correlate.EntityBinding;
import dev.strata.schema.event.EvidenceEvent;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Connections to IMDS that show no credentials path (an SDK's read: Tetragon's {@code tcp_connect}, Falco's stock
 * rule "Contact EC2 Instance Metadata Service From Container"), from the real parsers' output
 * (fixtures/correlate/README.md, imds-connections.jsonl, imds-falco-connection.json), and the organisation's own
 * ranges ({@code incident.known_cidrs}) in the IMDS join.
 */
class ImdsConnectionsTest {
  static final String INSTANCE = ImdsCredentialsTest.INSTANCE;
  static final String SESSION = ImdsCredentialsTest.SESSION;
  static final String ATTACKER = ImdsCredentialsTest.ATTACKER;
  static final List<EvidenceEvent> CONNECTIONS = CorrelationScenario.parseOnInstance("tetragon_event",
      "imds-connections.jsonl", "prod", CorrelationScenario.ACCOUNT_PROD, INSTANCE);
  static final List<EvidenceEvent> FALCO = CorrelationScenario.parseOnInstance("falco_alert",
      "imds-falco-connection.json", "prod", CorrelationScenario.ACCOUNT_PROD, INSTANCE);

  final BindingExtractor x = new BindingExtractor();
  final ImdsCredentialsTest reads = new ImdsCredentialsTest();

  List<EntityBinding> fetches(List<EvidenceEvent> events) {
    List<EntityBinding> out = new ArrayList<>();
    for (EvidenceEvent e : events) {
      for (EntityBinding b : x.extract(e)) if (b.getKind().equals("imds_fetch")) out.add(b);
    }
    return out;
  }

  EntityBinding connectionOf(String pod) {
    List<EvidenceEvent> all = new ArrayList<>(CONNECTIONS);
    all.addAll(FALCO);
    return fetches(all).stream().filter(b -> b.getObject().getKey().equals(pod)).findFirst()
        .orElseThrow(() -> new AssertionError("no connection of " + pod));
  }

  List<EntityBinding> decide(EntityBinding call, List<EntityBinding> members, KnownCidrs known) {
    List<EntityBinding> d = ImdsCredentials.decide(x, call, members, known);
    List<EntityBinding> reversed = new ArrayList<>(members);
    Collections.reverse(reversed);
    assertThat(ImdsCredentials.decide(x, call, reversed, known)).as("member order").isEqualTo(d);
    return d;
  }

  @Test
  void aConnectionToImdsIsAFetchByConnectionBelowARead() {
    assertThat(CONNECTIONS).hasSize(4);
    assertThat(CONNECTIONS.get(0).getDstEndpoint().getIp()).as("the parser's tcp_connect").isEqualTo("169.254.169.254");
    List<EntityBinding> f = fetches(CONNECTIONS);
    // sdk-job's and ipv6-job's; not aws-node's (kube-system: a node agent's routine traffic), not a connection elsewhere
    assertThat(f).extracting(b -> b.getObject().getKey()).containsExactly("ci/sdk-job", "ci/ipv6-job");
    EntityBinding sdk = f.get(0);
    assertThat(LookupKeys.of(sdk.getSubject())).isEqualTo("instance|pod:k8s:prod/ci/sdk-job|" + INSTANCE);
    assertThat(sdk.getConfidence()).isEqualTo(ImdsCredentials.CONNECTION).isLessThan(BindingKind.IMDS_FETCH.confidence());
    assertThat(sdk.getValidFrom()).isEqualTo(Instant.parse("2026-11-20T10:00:00Z"));
    assertThat(sdk.getValidTo()).isEqualTo(Instant.parse("2026-11-20T16:00:00Z"));
    assertThat(sdk.getAttributes()).containsEntry(ImdsCredentials.FETCH_BASIS, ImdsCredentials.BY_CONNECTION)
        .doesNotContainKey(ImdsCredentials.ROLE_NAME).doesNotContainKey(ImdsCredentials.IMDS_VERSION)
        .containsEntry(Attr.CONTAINER_UID, "e5".repeat(32));
    // Falco's stock rule in json_output: the connection in fd.name only
    EntityBinding boto = connectionOf("ci/boto-job");
    assertThat(boto.getAttributes()).containsEntry(ImdsCredentials.FETCH_BASIS, ImdsCredentials.BY_CONNECTION);
    assertThat(boto.getConfidence()).isEqualTo(ImdsCredentials.CONNECTION);
    // the read seen on a command line stays a read (Falco's same rule printing curl's path: imds-falco-container.json)
    assertThat(reads.fetchOf("ci/job-a").getAttributes()).containsEntry(ImdsCredentials.FETCH_BASIS, "process");
  }

  @Test
  void theImdsAddressesInEverySpelling() {
    assertThat(ImdsCredentials.imdsAddress("169.254.169.254")).isTrue();
    assertThat(ImdsCredentials.imdsAddress("10.0.1.88:51234->169.254.169.254:80")).isTrue();
    assertThat(ImdsCredentials.imdsAddress("[2600:1f18::77]:40000->[fd00:ec2::254]:80")).isTrue();
    assertThat(ImdsCredentials.imdsAddress("fd00:ec2:0:0:0:0:0:254")).isTrue();
    assertThat(ImdsCredentials.imdsAddress("[fd00:ec2::254]")).isTrue();
    assertThat(ImdsCredentials.imdsAddress("169.254.170.2")).as("ECS task metadata, not IMDS").isFalse();
    assertThat(ImdsCredentials.imdsAddress("169.254.169.254:80->10.0.1.88:51234")).as("the server's end").isFalse();
    assertThat(ImdsCredentials.imdsAddress("10.0.1.20")).isFalse();
    assertThat(ImdsCredentials.imdsAddress(null)).isFalse();
  }

  @Test
  void anSdksConnectionTiesTheCallsFromOutsideToItsPodWithALowerConfidence() {
    EntityBinding call = reads.call("2026-11-20T10:05:00Z");
    List<EntityBinding> d = decide(call, reads.with(connectionOf("ci/sdk-job")), KnownCidrs.NONE);
    assertThat(d).hasSize(1);
    EntityBinding s = d.get(0);
    assertThat(LookupKeys.of(s.getSubject())).isEqualTo("session|from:" + ATTACKER + "|" + SESSION);
    assertThat(s.getObject().getKey()).isEqualTo("ci/sdk-job");
    assertThat(s.getConfidence()).isEqualTo(ImdsCredentials.ONE_POD_CONNECTED).isLessThan(ImdsCredentials.ONE_POD);
    assertThat(s.getAttributes()).containsEntry(ImdsCredentials.FETCH_BASIS, ImdsCredentials.BY_CONNECTION)
        .containsEntry(ImdsCredentials.BASIS, "one_pod_fetched");
    // the node's NAT address (used at 08:00 while nobody held credentials) and private address stay the node's
    for (String own : List.of("2026-11-20T10:10:00Z", "2026-11-20T10:11:00Z")) {
      assertThat(decide(reads.call(own), reads.with(connectionOf("ci/sdk-job")), KnownCidrs.NONE)).as(own).isEmpty();
    }
    // two pods' connections: both candidates at the lower confidence, neither wins
    List<EntityBinding> two = decide(call, reads.with(connectionOf("ci/sdk-job"), connectionOf("ci/boto-job")),
        KnownCidrs.NONE);
    assertThat(two).hasSize(2).allSatisfy(b -> {
      assertThat(b.getSubject().getScope()).startsWith("ambiguous:");
      assertThat(b.getConfidence()).isEqualTo(ImdsCredentials.SEVERAL_PODS_CONNECTED);
    });
  }

  @Test
  void aReadSeenOutweighsAnotherPodsConnection() {
    // job-a's curl names the credentials path at 10:00; sdk-job only connected: job-a is the one candidate
    List<EntityBinding> d = decide(reads.call("2026-11-20T10:05:00Z"),
        reads.with(connectionOf("ci/sdk-job"), reads.fetchOf("ci/job-a")), KnownCidrs.NONE);
    assertThat(d).hasSize(1);
    assertThat(d.get(0).getObject().getKey()).isEqualTo("ci/job-a");
    assertThat(d.get(0).getConfidence()).isEqualTo(ImdsCredentials.ONE_POD);
    assertThat(d.get(0).getAttributes()).containsEntry(ImdsCredentials.CANDIDATES, "ci/job-a")
        .containsEntry(ImdsCredentials.FETCH_BASIS, "process");
    // 12:05: job-b's read came in at 12:00: job-a and job-b, the connection still no candidate
    List<EntityBinding> at1205 = decide(reads.call("2026-11-20T12:05:00Z"),
        reads.with(connectionOf("ci/sdk-job"), reads.fetchOf("ci/job-a"), reads.fetchOf("ci/job-b")), KnownCidrs.NONE);
    assertThat(at1205).extracting(b -> b.getObject().getKey()).containsExactlyInAnyOrder("ci/job-a", "ci/job-b");
  }

  @Test
  void aCallFromTheOrganisationsOwnRangesIsTiedToNoPod() {
    EntityBinding call = reads.call("2026-11-20T10:05:00Z");
    List<EntityBinding> members = reads.with(reads.fetchOf("ci/job-a"));
    // the attacker's /24 listed as the organisation's (its VPN egress): inside, no pod
    assertThat(decide(call, members, KnownCidrs.parse("198.51.100.0/24, 203.0.113.10"))).isEmpty();
    assertThat(ImdsCredentials.fromOutside(call, KnownCidrs.parse("198.51.100.0/24"))).isFalse();
    // other ranges listed: still outside, still job-a's
    assertThat(decide(call, members, KnownCidrs.parse("192.0.2.0/24,2001:db8::/32")))
        .extracting(b -> b.getObject().getKey()).containsExactly("ci/job-a");
    assertThat(ImdsCredentials.fromOutside(call, KnownCidrs.NONE)).isTrue();
  }

  @Test
  void knownRangesParseAsTheIncidentJobsSetting() {
    KnownCidrs k = KnownCidrs.parse("203.0.113.0/24, 2001:db8::/32 ,198.51.100.7");
    assertThat(k.contains("203.0.113.250")).isTrue();
    assertThat(k.contains("203.0.114.1")).isFalse();
    assertThat(k.contains("2001:db8:0:1::5")).isTrue();
    assertThat(k.contains("198.51.100.7")).isTrue();
    assertThat(k.contains("198.51.100.8")).isFalse();
    assertThat(k.contains("ec2.amazonaws.com")).as("a service's name is no address").isFalse();
    assertThat(KnownCidrs.parse("").isEmpty()).isTrue();
    assertThat(KnownCidrs.parse((String) null)).isEqualTo(KnownCidrs.NONE);
    assertThatThrownBy(() -> KnownCidrs.parse("10.0.0.0/33")).hasMessage("incident.known_cidrs: not a CIDR block: 10.0.0.0/33");
    assertThatThrownBy(() -> KnownCidrs.parse("corp.example.com")).hasMessageContaining("incident.known_cidrs");
  }
}
