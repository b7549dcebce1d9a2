package dev.strata.cli;

import static dev.strata.cli.ScenarioRun.check;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.strata.infra.StackEndpoints;
import dev.strata.ingest.CollectorOptions;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A poisoned image tag rolled out across an EKS node group, written as an outside assessor would
 * (scenarios/supply-chain: README.md tells the story, the known answers and each file's provenance;
 * make_supply_chain_scenario.py writes the bundle). A leaked CI key pushes its own image over the release tag
 * {@code v2.3.1} from outside minutes after CI pushed it; Argo CD's rollout of that tag is under way: the first new pod
 * (node 3) pulled CI's digest, the next two (nodes 1 and 2) the attacker's. The poisoned entrypoint copies its payload
 * to {@code /var/tmp/.k/kube-proxy}, starts it (C2 connection, the pod's EKS Pod Identity credentials), and the pod's
 * session reads the customer exports from the pod and later from the C2 host. Node 1 is evidence as a disk image (its
 * root volume mounted read-only and collected as its own root: CRI logs with their {@code /var/log/containers} links,
 * {@code /var/log/messages} with containerd's and the kubelet's lines, the snapshotter's {@code metadata.db} and upper
 * dirs); the other nodes only through the control plane, AWS and Tetragon's export. Bystanders: the rollout's first pod
 * (same Deployment, same tag, CI's digest), cart-worker (same base image, same node), search-indexer (later given pod
 * A's address).
 *
 * <p>Assertions that main did not satisfy when this test was written are fixed or marked {@code GAP:} with what is
 * missing (docs/incidents.md, "Scenario: a poisoned image tag rolled out across an EKS node group").
 */
class SupplyChainRolloutScenarioIT extends AbstractScenarioIT {
  static final String ACCT = "173205080756";
  static final String REGION = "eu-central-1";
  static final String CLUSTER = "merch-eks";
  static final String NS = "merch";
  static final String REPO = ACCT + ".dkr.ecr." + REGION + ".amazonaws.com/merch/catalog-api";
  static final String D_GOOD = "sha256:" + "5e11".repeat(16);
  static final String D_BAD = "sha256:" + "e4c2".repeat(16);
  static final String CI_USER = "ci-publisher";
  static final String CI_USER_ARN = "arn:aws:iam::" + ACCT + ":user/ci-publisher";
  static final String CI_KEY = "AKIASFCIPUBLISH00001";
  static final String CI_RUNNER_IP = "192.0.2.233";
  static final String ATTACKER = "198.51.100.147";
  static final String C2 = "203.0.113.201";
  static final String ROLE = "arn:aws:iam::" + ACCT + ":role/catalog-api-podid";
  static final String SA = NS + "/catalog-api";
  static final String N1 = "ip-10-94-21-54.eu-central-1.compute.internal";
  static final String N2 = "ip-10-94-22-17.eu-central-1.compute.internal";
  static final String N3 = "ip-10-94-23-88.eu-central-1.compute.internal";
  static final String I1 = "i-0f3a9c21d54e7b610";
  static final String I2 = "i-07b2e4c6a8d0f1357";
  static final String I3 = "i-0c8e6a4f2d0b1395e";
  // the poisoned pods
  static final String A = "catalog-api-7d9c6b5f48-x2k9p";
  static final String A_UID = "a0a1b2c3-d4e5-4f60-8a71-b2c3d4e5f6a1";
  static final String A_IP = "10.94.21.140";
  static final String A_CTR = "c4a1" + "7e".repeat(30);
  static final String B = "catalog-api-7d9c6b5f48-m7v4t";
  static final String B_IP = "10.94.22.61";
  static final String B_CTR = "c4b2" + "5d".repeat(30);
  static final String A_SESSION = "arn:aws:sts::" + ACCT + ":assumed-role/catalog-api-podid/"
      + ("eks-" + CLUSTER + "-" + A + "-" + A_UID).substring(0, 64);
  // bystanders
  static final String C = "catalog-api-7d9c6b5f48-q8w3n";
  static final String C_CTR = "c4c3" + "19".repeat(30);
  static final String CART = "cart-worker-5b9d8c7f6-k3z8w";
  static final String CART_CTR = "ca47" + "2b".repeat(30);
  static final String SEARCH = "search-indexer-6c5d4b3a2-r9t2z";
  static final List<String> BYSTANDERS = List.of(C, C_CTR.substring(0, 12), CART, CART_CTR.substring(0, 12), SEARCH);
  static final String RUN_ID = "supply-chain-it-" + Long.toHexString(System.nanoTime());

  @BeforeAll
  void runPipeline(StackEndpoints endpoints) throws Exception {
    this.endpoints = endpoints;
    runId = RUN_ID;
    Path bundle = asCollected(ScenarioRun.home().resolve("cli/src/test/resources/scenarios/supply-chain/bundle"));
    pipeline = new EvidencePipeline(EvidencePipeline.Services.of(endpoints));
    // the exports with their context manifest; the node's mounted root volume as its own root, with what the
    // responder knows of it on the command line (strata collect /mnt/ip-10-94-21-54 --host ... --instance ...)
    CollectorOptions exports = CollectorOptions.builder().runId(RUN_ID).build();
    CollectorOptions node = CollectorOptions.builder().runId(RUN_ID).host(N1).cluster(CLUSTER).cloudProvider("aws")
        .cloudAccount(ACCT).cloudRegion(REGION).cloudInstance(I1).build();
    ScenarioRun.runCollections(pipeline, endpoints, "supply-chain-it", List.of(
        new ScenarioRun.Collection(bundle.resolve("evidence"), exports),
        new ScenarioRun.Collection(bundle.resolve("node-disk/ip-10-94-21-54"), node)));
    incidents = ScenarioRun.incidentsWith(pipeline, NS + "/" + A, true);
    incident = incidents.size() >= 1 ? incidents.get(0).path("_source") : null;
  }

  /**
   * The bundle as the disk had it: git keeps no modification times (the overlay listing reports a file's mtime as its
   * time: the entrypoint copied the payload at 10:04:20), and the node's /var/log/containers entries are symbolic links
   * (copied as links, never followed).
   */
  static Path asCollected(Path bundle) throws Exception {
    Path root = Files.createTempDirectory("strata-supply-chain-it-");
    try (var files = Files.walk(bundle)) {
      for (Path f : (Iterable<Path>) files::iterator) {
        Path to = root.resolve(bundle.relativize(f).toString());
        if (Files.isSymbolicLink(f)) Files.createSymbolicLink(to, Files.readSymbolicLink(f));
        else if (Files.isDirectory(f, LinkOption.NOFOLLOW_LINKS)) Files.createDirectories(to);
        else Files.copy(f, to, StandardCopyOption.COPY_ATTRIBUTES, LinkOption.NOFOLLOW_LINKS);
      }
    }
    Path snaps = root.resolve(
        "node-disk/ip-10-94-21-54/var/lib/containerd/io.containerd.snapshotter.v1.overlayfs/snapshots");
    for (Map.Entry<String, String> m : Map.of(
        "23/fs/var/tmp/.k/kube-proxy", "2026-11-25T10:04:20.25Z", "23/fs/var/tmp/.k", "2026-11-25T10:04:20.24Z",
        "23/fs/var/tmp", "2026-11-25T10:04:20.24Z", "23/fs/tmp/.kma.pid", "2026-11-25T10:04:20.30Z",
        "23/fs/tmp", "2026-11-25T10:04:20.30Z", "21/fs/tmp/cart-cache/session.db", "2026-11-25T09:40:00Z",
        "21/fs/tmp/cart-cache", "2026-11-25T08:05:12Z", "21/fs/tmp", "2026-11-25T08:05:12Z").entrySet()) {
      Files.setLastModifiedTime(snaps.resolve(m.getKey()), FileTime.from(Instant.parse(m.getValue())));
    }
    return root;
  }

  /** What the run produced (ScenarioRun.dump): for reading a failure. */
  @Override
  public void dump(Path to) throws Exception {
    ScenarioRun.dump(pipeline, RUN_ID, incident, List.of(ACCT), "", to);
  }

  // -------------------------------------------------------------------------------------------- every source read

  @Test
  void everyArtifactIsReadByItsFormatWithoutDeadLetters() throws Exception {
    for (String[] f : new String[][] {
        {"k8s_audit", "26"}, {"k8s_event", "23"}, {"tetragon_event", "18"}, {"aws_cloudtrail", "27"},
        {"aws_vpc_flow", "5"}, {"spdx_sbom", "7"}, {"grype_scan", "2"}, {"containerd_daemon_log", "20"},
        {"cri_log", "12"}, {"overlay_upper_changes", "3"}}) {
      assertThat(search("source_format:" + f[0]).size()).as(f[0] + " events").isEqualTo(Integer.parseInt(f[1]));
    }
    // the CRI logs are read once, as the files under /var/log/pods (the /var/log/containers links name the same files)
    Set<String> origins = new TreeSet<>();
    search("source_format:cri_log").forEach(h -> origins.add(h.at("/_source/lineage/origin").asText()));
    assertThat(origins).as("CRI log files read").hasSize(2).allMatch(o -> o.startsWith("var/log/pods/"));
    assertThat(ScenarioRun.deadLetters(pipeline, RUN_ID)).as("dead letters").isEmpty();
  }

  /**
   * The kubelet's lines of the node's /var/log/messages (Amazon Linux 2: rsyslog writes every unit's journal lines
   * there): its sync loop's ADD / DELETE and the PLEG's container starts.
   */
  @Test
  void theKubeletsLinesOfTheNodesSyslogAreRead() throws Exception {
    // the file is the containerd parser's (more containerd lines than kubelet lines); since session 18 the kubelet's
    // lines are split out into a derived kubelet_log artifact (SyslogSplit), as a binary journal's entries are
    JsonNode kubelet = search("source_format:kubelet_log");
    assertThat(kubelet.size()).as("kubelet lines of /var/log/messages").isEqualTo(5);
    for (JsonNode h : kubelet) {
      assertThat(h.at("/_source/lineage/origin").asText()).as("lineage").endsWith("var/log/messages#kubelet_log");
    }
  }

  // ------------------------------------------------------------------------------------ which pod ran which digest

  /**
   * Every runtime event of the rollout's three new pods names its pod, container, node, instance, service account,
   * role and the digest that pod really ran: the attacker's for A (node 1) and B (node 2), CI's for C (node 3), though
   * all three name the same tag.
   */
  @Test
  void eachPodsEvidenceNamesTheDigestItRan() throws Exception {
    List<String> wrong = new ArrayList<>();
    for (String[] p : new String[][] {{A, A_CTR, N1, I1, D_BAD}, {B, B_CTR, N2, I2, D_BAD}, {C, C_CTR, N3, I3, D_GOOD}}) {
      // containerd's lines that name the container (its create request names only the sandbox: no container yet)
      JsonNode hits = search("((source_format:tetragon_event OR source_format:cri_log) AND kubernetes.pod_name:\"" + p[0]
          + "\") OR ((source_format:overlay_upper_changes OR source_format:containerd_daemon_log) AND container.uid:" + p[1] + ")");
      assertThat(hits).as(p[0] + "'s runtime events").isNotEmpty();
      for (JsonNode h : hits) {
        JsonNode s = h.path("_source");
        String what = p[0] + ": " + s.path("source_format").asText() + " " + s.path("time").asText() + " "
            + s.path("message").asText("").replaceAll("\\s+", " ");
        JsonNode e = s.path("enrichment");
        check(wrong, what, "pod", e.path("namespace").asText() + "/" + e.path("pod_name").asText(), NS + "/" + p[0]);
        check(wrong, what, "container", e.path("container_uid").asText(), p[1]);
        check(wrong, what, "node", e.path("node_name").asText(), p[2]);
        check(wrong, what, "instance", e.path("instance_uid").asText(), p[3]);
        check(wrong, what, "image digest", e.path("image_digest").asText(), p[4]);
        check(wrong, what, "service account", e.path("service_account").asText(), SA);
        check(wrong, what, "cluster", e.path("cluster").asText(), CLUSTER);
      }
    }
    assertThat(wrong).as("pod evidence attributed wrongly").isEmpty();
  }

  /** The two PutImage calls of the tag name the digest each pushed (the responseElements' imageId). */
  @Test
  void thePushesNameTheDigestTheyPushed() throws Exception {
    JsonNode puts = search("source_format:aws_cloudtrail AND api.operation:PutImage");
    assertThat(puts).hasSize(2);
    Map<String, String> byIp = new HashMap<>();
    for (JsonNode h : puts) {
      byIp.put(h.at("/_source/src_endpoint/ip").asText(), h.at("/_source/container/image_digest").asText());
      assertThat(h.at("/_source/container/image_name").asText()).as("the pushed reference").isEqualTo(REPO + ":v2.3.1");
    }
    assertThat(byIp).containsEntry(CI_RUNNER_IP, D_GOOD).containsEntry(ATTACKER, D_BAD);
  }

  /**
   * Pod A's EKS Pod Identity session: its calls from the pod (through the S3 gateway endpoint) and later from the C2
   * host are pod A's, on node 1 (EKS's session tags name the pod).
   */
  @Test
  void thePodIdentitySessionsCallsArePodAs() throws Exception {
    List<String> wrong = new ArrayList<>();
    JsonNode calls = search("source_format:aws_cloudtrail AND actor.user_uid:\"" + A_SESSION + "\"");
    assertThat(calls).as("pod A's session's calls").hasSize(6);
    for (JsonNode h : calls) {
      JsonNode s = h.path("_source");
      String what = s.at("/api/operation").asText() + " from " + s.at("/src_endpoint/ip").asText();
      check(wrong, what, "pod", s.at("/enrichment/pod_name").asText(), A);
      check(wrong, what, "node", s.at("/enrichment/node_name").asText(), N1);
      check(wrong, what, "role", s.at("/enrichment/iam_role").asText(), ROLE);
    }
    assertThat(wrong).isEmpty();
  }

  /**
   * Flows: the poisoned pods' connections to the C2 are theirs; pod A's address, given to search-indexer after A was
   * deleted, is search-indexer's at 10:55.
   */
  @Test
  void flowsAreThePodsThatHeldTheAddressThen() throws Exception {
    List<String> wrong = new ArrayList<>();
    for (JsonNode h : search("source_format:aws_vpc_flow")) {
      JsonNode s = h.path("_source");
      String src = s.at("/src_endpoint/ip").asText();
      String what = "flow " + src + " -> " + s.at("/dst_endpoint/ip").asText() + " at " + s.path("time").asText();
      String want = src.equals(B_IP) ? B : src.equals(A_IP) ? (s.path("time").asText().compareTo("2026-11-25T10:50") < 0 ? A : SEARCH) : CART;
      check(wrong, what, "pod", s.at("/enrichment/pod_name").asText(), want);
    }
    assertThat(wrong).as("flows attributed wrongly").isEmpty();
  }

  // ------------------------------------------------------------------------------------------------- incident

  /**
   * One open incident from the payload's first exec to the impact (the exports read with pod A's session from the C2
   * host), holding both poisoned pods, their nodes, the C2 address and A's session; no bystander.
   */
  @Test
  void oneIncidentHoldsBothPoisonedPodsAndTheExfiltrationAndNoBystander() throws Exception {
    assertThat(incidents).as("open incidents holding pod A").hasSize(1);
    List<String> entities = ScenarioRun.entities(incident);
    // pod B joins through the C2 address: A's session's calls from there are signals (Pod Identity, fixed) and B's
    // payload connected to it
    assertThat(entities).as("entities").contains("pod:" + NS + "/" + A, "pod:" + NS + "/" + B, "ip:" + C2,
        "session:" + A_SESSION, "cluster:" + CLUSTER, "account:" + ACCT);
    assertThat(entities).as("no bystander").noneMatch(e -> BYSTANDERS.stream().anyMatch(e::contains));
    JsonNode rows = ScenarioRun.timeline(pipeline, incident);
    List<String> signals = new ArrayList<>();
    for (JsonNode r : rows) {
      JsonNode s = r.path("_source");
      for (String b : BYSTANDERS) assertThat(s.toString()).as("a bystander's row").doesNotContain(b);
      if (s.path("signal").asBoolean()) signals.add(s.path("source_format").asText() + " " + s.path("summary").asText());
    }
    assertThat(String.join("\n", signals)).as("signals").contains("/var/tmp/.k/kube-proxy").contains("GetObject");
    Set<String> stages = new HashSet<>();
    incident.path("attack_path").forEach(s -> stages.add(s.path("stage").asText()));
    assertThat(stages).as("attack path").contains("EXECUTION", "EXFILTRATION");
    // the imaged node's containerd lines of cart-worker's image pull at 08:05 (node-level lines that name no container)
    // link through their image, not the node (EntityKeys.nodeImageEvent; before, they joined pod A's incident and
    // brought cart-worker's image); the node's pull of the poisoned digest is in
    assertThat(entities).as("cart-worker's image (its pull on the node)").noneMatch(e -> e.contains("merch/cart-worker")
        || e.contains("7c2d7c2d"));
    assertThat(rows.toString()).as("no row of cart-worker's pull").doesNotContain("merch/cart-worker");
    assertThat(rows.toString()).as("the node's pull of the poisoned digest").contains("repo digest");
  }

  /**
   * The entry: the leaked key's PutImage of the tag from outside, a few minutes after CI's own push of the same tag
   * from CI's address: the attack path starts there, and CI's own push is no signal.
   */
  @Test
  void theEntryIsTheLeakedKeysPushOverTheTag() throws Exception {
    List<String> entities = ScenarioRun.entities(incident);
    JsonNode rows = ScenarioRun.timeline(pipeline, incident);
    for (JsonNode r : rows) {
      if (r.at("/_source/summary").asText().endsWith(" from " + CI_RUNNER_IP)) {
        assertThat(r.at("/_source/signal").asBoolean()).as("CI's own push").isFalse();
      }
    }
    // the leaked key's push over CI's (image_tag_overwritten, CredentialClients; before, context: an IAM user's key
    // from a public address is CI's everyday, and the push named no image): its image is its pivot, so it joins the
    // pods that ran the digest, and its principal and address come with it
    assertThat(entities).as("the entry's address and principal").contains("ip:" + ATTACKER)
        .anyMatch(e -> e.contains(CI_USER));
    JsonNode entry = null;
    for (JsonNode r : rows) {
      JsonNode s = r.path("_source");
      if (s.path("signal").asBoolean() && s.path("summary").asText().contains("PutImage")) entry = s;
    }
    assertThat(entry).as("the PutImage's row").isNotNull();
    assertThat(entry.path("attack_stage").asText()).isEqualTo("ENTRY");
    assertThat(entry.path("summary").asText()).as("what it overwrote")
        .contains("pointed to " + D_GOOD + ", pushed from " + CI_RUNNER_IP).contains("overwritten from " + ATTACKER);
    // the SBOMs of both digests (syft's SPDX 2.3, the responder's at 11:20): the attacker's image lists a package CI's
    // does not (ImagePackageDiff; was a GAP: no advisory names kube-metrics-agent), said in the same row (one story)
    assertThat(entry.path("summary").asText()).as("the package the poisoned image adds")
        .contains("(packages in " + D_BAD + " that " + D_GOOD + ", the tag's previous image, does not list:"
            + " kube-metrics-agent; SBOM events ");
    assertThat(entry.path("severity_id").asInt()).as("High: the overwrite from another address").isEqualTo(4);
    assertThat(incident.at("/attack_path/0/stage").asText()).as("the path's first step").isEqualTo("ENTRY");
    assertThat(incident.path("first_seen").asText()).as("first seen: the push").startsWith("2026-11-25T10:03:30");
  }

  @Test
  void theBystandersOpenNoIncident() throws Exception {
    for (String p : List.of(C, CART, SEARCH)) {
      assertThat(ScenarioRun.incidentsWith(pipeline, NS + "/" + p, false)).as("incidents holding " + p).isEmpty();
    }
  }

  // ---------------------------------------------------------------------------------------------------- scope

  /** The poisoned digest: the two pods that ran it, their nodes, and the key that pushed it; none of the bystanders. */
  @Test
  void scopeOfThePoisonedDigest() throws Exception {
    ObjectNode r = ScopeCommand.run(endpoints.openSearchUrl(), List.of(new Scope.Indicator("image_digest", D_BAD)));
    String as = Scope.table(r);
    assertThat(IncidentPipelineIT.values(r, "pods")).as(as).containsExactlyInAnyOrder(A, B);
    // N1 once: its syslog lines' short hostname no longer replaces the collection's --host (DaemonLogReader)
    assertThat(IncidentPipelineIT.values(r, "nodes")).as(as).containsExactlyInAnyOrder(N1, N2);
    assertThat(IncidentPipelineIT.values(r, "clusters")).as(as).containsExactly(CLUSTER);
    assertThat(IncidentPipelineIT.values(r, "accounts")).as(as).containsExactly(ACCT);
    // the push that wrote it (its digest from PutImage's response: fixed)
    assertThat(IncidentPipelineIT.values(r, "principals")).as(as).anyMatch(p -> p.contains(CI_USER));
    assertThat(IncidentPipelineIT.values(r, "containers")).as(as)
        .noneMatch(c -> c.startsWith(C_CTR.substring(0, 12)) || c.startsWith(CART_CTR.substring(0, 12)));
  }

  /** The leaked key: its user, both its pushes' digests and addresses; no pod (the key never ran in the cluster). */
  @Test
  void scopeOfTheCiKey() throws Exception {
    ObjectNode r = ScopeCommand.run(endpoints.openSearchUrl(), List.of(new Scope.Indicator("access_key", CI_KEY)));
    String as = Scope.table(r);
    assertThat(IncidentPipelineIT.values(r, "principals")).as(as).allMatch(p -> p.contains(CI_USER)).isNotEmpty();
    assertThat(IncidentPipelineIT.values(r, "images")).as(as).contains(D_BAD);
    assertThat(IncidentPipelineIT.values(r, "pods")).as(as).isEmpty();
    assertThat(IncidentPipelineIT.values(r, "accounts")).as(as).containsExactly(ACCT);
  }

  /** The C2 address: the two poisoned pods, their nodes, and pod A's session (used from there); no bystander. */
  @Test
  void scopeOfTheC2Address() throws Exception {
    ObjectNode r = ScopeCommand.run(endpoints.openSearchUrl(), List.of(new Scope.Indicator("ip", C2)));
    String as = Scope.table(r);
    assertThat(IncidentPipelineIT.values(r, "pods")).as(as).containsExactlyInAnyOrder(A, B);
    assertThat(IncidentPipelineIT.values(r, "nodes")).as(as).containsExactlyInAnyOrder(N1, N2);
    assertThat(IncidentPipelineIT.values(r, "principals")).as(as).contains(A_SESSION)
        .noneMatch(p -> p.contains(C) || p.contains(SEARCH));
    if (incident != null) {
      assertThat(r.path("incidents")).as(as).extracting(x -> x.path("incident_id").asText())
          .contains(incident.path("incident_id").asText());
    }
  }

  // --------------------------------------------------------------------------------------------------- report

  @Test
  void theReportRendersTheIncident(@TempDir Path out) throws Exception {
    ScenarioRun.Report rendered = ScenarioRun.report(endpoints, incident, out);
    assertThat(rendered.html()).startsWith("<!DOCTYPE html>").contains("<svg").contains(A).contains(B).contains(C2);
    assertThat(rendered.md()).contains(A).contains("PutImage").contains(A_SESSION);
    for (String report : List.of(rendered.html(), rendered.md())) {
      for (String b : List.of(C, CART, SEARCH)) assertThat(report).doesNotContain(b);
    }
  }
}
