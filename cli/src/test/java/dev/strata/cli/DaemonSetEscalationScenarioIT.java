package dev.strata.cli;

import static dev.strata.cli.ScenarioRun.check;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.strata.infra.StackEndpoints;
import dev.strata.ingest.CollectorOptions;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A stolen service-account token escalates through a privileged DaemonSet to every node and to the nodes' IAM role, with
 * a second cluster in a second account on the same private range, written as an outside assessor would
 * (scenarios/daemonset: README.md tells the story, the known answers and each file's provenance;
 * make_daemonset_scenario.py writes the bundle). {@code ci/deployer}'s legacy token is used from outside to create
 * {@code kube-system/node-problern-detector} (privileged, host PID, host {@code /}, a Docker Hub image by tag); its three
 * pods escape with {@code nsenter -t 1}, read the node role's credentials from IMDSv2, drop a cron file on each host;
 * the credentials are used from two outside addresses. Bystanders: the VPC CNI's own DaemonSet rolling on the same
 * nodes (host network: its pods hold the nodes' addresses), the nodes' own calls with the same sessions, the web pod, and
 * cluster B's ETL pods at the DaemonSet pods' addresses at the same minutes.
 *
 * <p>Assertions that main did not satisfy when this test was written are fixed or marked {@code GAP:} with what is
 * missing (docs/incidents.md, "Scenario: a stolen token's DaemonSet escalates to every node and the node role").
 */
class DaemonSetEscalationScenarioIT extends AbstractScenarioIT {
  static final String ACCT_A = "406028417733";
  static final String ACCT_B = "739201846501";
  static final String CLUSTER_A = "atlas-prod";
  static final String CLUSTER_B = "atlas-dr";
  static final String SA = "ci/deployer";
  static final String SA_USER = "system:serviceaccount:ci:deployer";
  static final String K8S_ATTACKER = "203.0.113.58";
  static final String X = "198.51.100.212";
  static final String Y = "192.0.2.187";
  static final String C2 = "203.0.113.99";
  static final String DS = "node-problern-detector";
  static final String EVIL_DIGEST = "sha256:" + "9d5e".repeat(16);
  static final String ROLE_A = "arn:aws:iam::" + ACCT_A + ":role/atlas-prod-node-role";
  static final String[] NODES = {"ip-10-60-11-21", "ip-10-60-12-34", "ip-10-60-13-47"};
  static final String[] INSTANCES = {"i-0a60112100a1b2c31", "i-0a60123400a1b2c32", "i-0a60134700a1b2c33"};
  static final String[] NODE_IPS = {"10.60.11.21", "10.60.12.34", "10.60.13.47"};
  static final String[] PODS = {DS + "-7xk2q", DS + "-m4v8z", DS + "-9tq5w"};
  static final String[] POD_IPS = {"10.60.11.140", "10.60.12.140", "10.60.13.140"};
  static final String[] CTRS = {"d5a1" + "3c".repeat(30), "d5a2" + "4e".repeat(30), "d5a3" + "6f".repeat(30)};
  static final String SUFFIX = ".ap-southeast-2.compute.internal";
  static String session(int i) {
    return "arn:aws:sts::" + ACCT_A + ":assumed-role/atlas-prod-node-role/" + INSTANCES[i];
  }
  // bystanders
  static final List<String> CNI_PODS = List.of("aws-node-q7r2k", "aws-node-t5v9b", "aws-node-z8f3m");
  static final List<String> ETL_PODS = List.of("etl-worker-6f8d9c7b5-k2p4s", "etl-worker-6f8d9c7b5-r9w2t");
  static final String WEB = "atlas-web-5c7d9f8b6-x4n2m";
  static final List<String> BYSTANDERS = List.of("aws-node-", "etl-worker", WEB, CLUSTER_B, ACCT_B, "ip-10-60-11-88",
      "ip-10-60-12-91", "atlas-dr-etl-irsa");
  static final String RUN_ID = "daemonset-it-" + Long.toHexString(System.nanoTime());

  @BeforeAll
  void runPipeline(StackEndpoints endpoints) throws Exception {
    this.endpoints = endpoints;
    runId = RUN_ID;
    Path bundle = ScenarioRun.home().resolve("cli/src/test/resources/scenarios/daemonset/bundle");
    pipeline = new EvidencePipeline(EvidencePipeline.Services.of(endpoints));
    ScenarioRun.runCollections(pipeline, endpoints, "daemonset-it",
        List.of(new ScenarioRun.Collection(bundle, CollectorOptions.builder().runId(RUN_ID).build())));
    incidents = ScenarioRun.incidentsWith(pipeline, "kube-system/" + PODS[0], true);
    incident = incidents.size() >= 1 ? incidents.get(0).path("_source") : null;
  }

  @Override
  public void dump(Path to) throws Exception {
    ScenarioRun.dump(pipeline, RUN_ID, incident, List.of(ACCT_A, ACCT_B), "", to);
  }

  // -------------------------------------------------------------------------------------------- every source read

  @Test
  void everyArtifactIsReadByItsFormatWithoutDeadLetters() throws Exception {
    for (String[] f : new String[][] {
        {"k8s_audit", "39"}, {"k8s_event", "30"}, {"k8s_pod", "9"}, {"falco_alert", "9"}, {"tetragon_event", "13"},
        {"aws_cloudtrail", "15"}, {"aws_vpc_flow", "9"}, {"aws_ec2_instances", "5"}}) {
      assertThat(search("source_format:" + f[0]).size()).as(f[0] + " events").isEqualTo(Integer.parseInt(f[1]));
    }
    assertThat(ScenarioRun.deadLetters(pipeline, RUN_ID)).as("dead letters").isEmpty();
  }

  /** Each audit record names its own cluster and account (the context manifest: nothing in the export names them). */
  @Test
  void eachAuditRecordNamesItsClusterAndAccount() throws Exception {
    List<String> wrong = new ArrayList<>();
    for (JsonNode h : search("source_format:k8s_audit")) {
      JsonNode s = h.path("_source");
      String what = s.path("message").asText();
      boolean inB = what.contains("etl-worker") || what.contains("atlas-dr") || what.contains("ip-10-60-11-88")
          || what.contains("ip-10-60-12-91");
      check(wrong, what, "cluster", s.at("/kubernetes/cluster").asText(), inB ? CLUSTER_B : CLUSTER_A);
      check(wrong, what, "account", s.at("/cloud/account_uid").asText(), inB ? ACCT_B : ACCT_A);
    }
    assertThat(wrong).isEmpty();
  }

  // ----------------------------------------------------------------------------------------- which pod did what

  /**
   * Every sensor event of the DaemonSet's pods (Falco on each node, Tetragon on a1) names its pod, container, node,
   * instance, cluster and image digest, though the container engine gave Falco no pod on a2 and a3 (k8s.pod.name
   * {@code <NA>}; the k8smeta plugin's {@code k8smeta.pod.name} names it).
   */
  @Test
  void theSensorsEventsAreTheDaemonSetPods() throws Exception {
    List<String> wrong = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      JsonNode hits = search("(source_format:falco_alert OR source_format:tetragon_event) AND container.uid:"
          + CTRS[i].substring(0, 12) + "*");
      assertThat(hits).as(PODS[i] + "'s sensor events").hasSize(i == 0 ? 16 : 3);
      for (JsonNode h : hits) {
        JsonNode s = h.path("_source");
        String what = PODS[i] + ": " + s.path("source_format").asText() + " " + s.path("time").asText() + " "
            + s.path("message").asText("");
        JsonNode e = s.path("enrichment");
        check(wrong, what, "pod", e.path("namespace").asText() + "/" + e.path("pod_name").asText(), "kube-system/" + PODS[i]);
        check(wrong, what, "event's own pod", s.at("/kubernetes/pod_name").asText(), PODS[i]);
        check(wrong, what, "node", e.path("node_name").asText(), NODES[i] + SUFFIX);
        check(wrong, what, "instance", e.path("instance_uid").asText(), INSTANCES[i]);
        check(wrong, what, "cluster", e.path("cluster").asText(), CLUSTER_A);
        check(wrong, what, "image digest", e.path("image_digest").asText(), EVIL_DIGEST);
      }
    }
    assertThat(wrong).as("sensor events attributed wrongly").isEmpty();
  }

  /**
   * The node role's calls: from outside, each session's calls are the pod that read its credentials from IMDS on that
   * session's instance; the nodes' own calls (from the nodes' addresses) name their node and no pod.
   */
  @Test
  void theNodeRolesCallsAreTheirNodesAndTheStolenOnesTheDaemonSetPods() throws Exception {
    List<String> wrong = new ArrayList<>();
    JsonNode calls = search("source_format:aws_cloudtrail AND cloud.account_uid:" + ACCT_A);
    assertThat(calls).hasSize(11);
    for (JsonNode h : calls) {
      JsonNode s = h.path("_source");
      String ip = s.at("/src_endpoint/ip").asText();
      String user = s.at("/actor/user_uid").asText();
      int i = -1;
      for (int k = 0; k < 3; k++) if (user.equals(session(k))) i = k;
      String what = s.at("/api/operation").asText() + " by " + user + " from " + ip;
      assertThat(i).as(what).isGreaterThanOrEqualTo(0);
      check(wrong, what, "instance", s.at("/enrichment/instance_uid").asText(), INSTANCES[i]);
      check(wrong, what, "node", s.at("/enrichment/node_name").asText(), NODES[i] + SUFFIX);
      check(wrong, what, "role", s.at("/enrichment/iam_role").asText(), ROLE_A);
      boolean outside = ip.equals(X) || ip.equals(Y);
      check(wrong, what, "pod", s.at("/enrichment/pod_name").asText(), outside ? PODS[i] : "");
    }
    assertThat(wrong).as("calls attributed wrongly").isEmpty();
  }

  /**
   * Flows: the DaemonSet pods' fetches from their own addresses are theirs in account A; the escaped shells' posts from
   * the nodes' addresses are the nodes', never aws-node's (its pods hold the nodes' addresses on the host network);
   * account B's flows at the same addresses and minutes are B's ETL pods.
   */
  @Test
  void flowsAreThePodsOfTheirOwnVpc() throws Exception {
    List<String> wrong = new ArrayList<>();
    Map<String, String> want = new java.util.HashMap<>();
    for (int i = 0; i < 3; i++) {
      want.put(ACCT_A + " " + POD_IPS[i], PODS[i]);
      want.put(ACCT_A + " " + NODE_IPS[i], "");
    }
    want.put(ACCT_A + " 10.60.11.205", WEB);
    want.put(ACCT_B + " 10.60.11.140", ETL_PODS.get(0));
    want.put(ACCT_B + " 10.60.12.140", ETL_PODS.get(1));
    JsonNode flows = search("source_format:aws_vpc_flow");
    assertThat(flows).hasSize(9);
    for (JsonNode h : flows) {
      JsonNode s = h.path("_source");
      String key = s.at("/cloud/account_uid").asText() + " " + s.at("/src_endpoint/ip").asText();
      String what = "flow " + key + " -> " + s.at("/dst_endpoint/ip").asText();
      check(wrong, what, "pod", s.at("/enrichment/pod_name").asText(), want.get(key));
      check(wrong, what, "cluster", s.at("/enrichment/cluster").asText(),
          key.startsWith(ACCT_B) ? CLUSTER_B : CLUSTER_A);
    }
    assertThat(wrong).as("flows attributed wrongly").isEmpty();
  }

  // ------------------------------------------------------------------------------------------------- incident

  /**
   * One open incident from the token's use from outside to the node role's use from outside: the three DaemonSet pods,
   * their nodes, the token's service account, the attacker's addresses, the three node sessions; no bystander, nothing
   * of cluster B.
   */
  @Test
  void oneIncidentFromTheTokenToTheNodeRoleAndNoBystander() throws Exception {
    assertThat(incidents).as("open incidents holding the first DaemonSet pod").hasSize(1);
    List<String> entities = ScenarioRun.entities(incident);
    // the pods join the token's requests through their DaemonSet (a pivot since this scenario: DaemonSetWorkloadTest;
    // before, three incidents: the token's, node 1's pod's, nodes 2 and 3's pods')
    List<String> want = new ArrayList<>(List.of("ip:" + K8S_ATTACKER, "ip:" + X, "ip:" + Y, "cluster:" + CLUSTER_A,
        "account:" + ACCT_A, "daemonset:DaemonSet/kube-system/" + DS));
    for (int i = 0; i < 3; i++) {
      want.add("pod:kube-system/" + PODS[i]);
      want.add("session:" + session(i));
    }
    assertThat(entities).as("entities").containsAll(want).anyMatch(e -> e.contains(SA_USER) || e.endsWith(":" + SA));
    assertThat(entities).as("no bystander").noneMatch(e -> BYSTANDERS.stream().anyMatch(e::contains));
    JsonNode rows = ScenarioRun.timeline(pipeline, incident);
    List<String> signals = new ArrayList<>();
    for (JsonNode r : rows) {
      JsonNode s = r.path("_source");
      for (String b : BYSTANDERS) assertThat(s.toString()).as("a bystander's row").doesNotContain(b);
      if (s.path("signal").asBoolean()) signals.add(s.path("source_format").asText() + " " + s.path("summary").asText());
    }
    assertThat(String.join("\n", signals)).as("signals").contains("create daemonsets").contains("/etc/cron.d/npd-health")
        .contains("security-credentials").contains("ListBuckets");
    // the nodes' own calls are no signal
    for (JsonNode r : rows) {
      JsonNode s = r.path("_source");
      for (String ip : NODE_IPS) {
        if (s.path("summary").asText().endsWith(" from " + ip)) {
          assertThat(s.path("signal").asBoolean()).as("the node's own call " + s.path("summary").asText()).isFalse();
        }
      }
    }
    Set<String> stages = new HashSet<>();
    incident.path("attack_path").forEach(s -> stages.add(s.path("stage").asText()));
    assertThat(stages).as("attack path").contains("ENTRY", "PRIVILEGE_ESCALATION", "CREDENTIAL_ACCESS", "PERSISTENCE");
    // the stolen token's first requests from outside (list daemonsets, list nodes) are the entry (before, staged
    // credential access like any use of a stolen token: the path started there; KubernetesAuditSignalTest)
    assertThat(incident.at("/attack_path/0/stage").asText()).as("the path's first step").isEqualTo("ENTRY");
    assertThat(incident.path("first_seen").asText()).as("first seen: the token from outside")
        .startsWith("2026-11-24T09:38:12");
  }

  /**
   * The DaemonSet's name is one slip from the real add-on's ({@code node-problern-detector}: rn for m) and its image is
   * from Docker Hub, not a registry the system components come from: its create's row says so, High
   * (SystemWorkloadLookalikes; was a GAP: the lookalike names were no signal). EKS's own aws-node rollout (the add-on
   * manager's patch, the DaemonSet controller's pod creates) is no signal.
   */
  @Test
  void theLookalikeSystemWorkloadIsSaidAndTheAddOnRolloutIsQuiet() throws Exception {
    JsonNode create = null;
    for (JsonNode r : ScenarioRun.timeline(pipeline, incident)) {
      if (r.at("/_source/summary").asText().contains("create daemonsets")) create = r.path("_source");
    }
    assertThat(create).as("the DaemonSet's create row").isNotNull();
    assertThat(create.path("signal").asBoolean()).isTrue();
    assertThat(create.path("severity_id").asInt()).isEqualTo(4);
    assertThat(create.path("summary").asText()).contains("(kube-system/" + DS + ": one slip from the system component"
        + " node-problem-detector; image docker.io/kubeagents/node-problem-detector:v0.8.19 from no registry the system"
        + " components use)");
    for (JsonNode incs : List.of(ScenarioRun.incidentsWith(pipeline, "kube-system/" + CNI_PODS.get(0), false))) {
      assertThat(incs).as("the aws-node rollout").isEmpty();
    }
  }

  /**
   * The escaped shells' posts of the stolen credentials leave from the nodes' own addresses (after {@code nsenter -t 1}
   * the shell is in the host's network namespace): those flows name the node and no pod, and join the incident,
   * because each node escaped (Falco's and Tetragon's {@code nsenter -t 1}: host_escape, a signal also where Falco
   * rated it Notice) and they go to 203.0.113.99, which the pods' own fetches in the incident name (HostEscapes; was a
   * documented grouping limit: in no incident).
   */
  @Test
  void theEscapedShellsPostsFromTheNodesAddressesJoinTheIncident() throws Exception {
    Set<String> rows = new HashSet<>();
    Set<String> signals = new HashSet<>();
    for (JsonNode r : ScenarioRun.timeline(pipeline, incident)) {
      rows.add(r.at("/_source/event_id").asText());
      if (r.at("/_source/signal").asBoolean()) signals.add(r.at("/_source/summary").asText());
    }
    for (int i = 0; i < 3; i++) {
      JsonNode posts = search("source_format:aws_vpc_flow AND src_endpoint.ip:\"" + NODE_IPS[i] + "\"");
      assertThat(posts).as(NODES[i] + "'s own flows").hasSize(1);
      JsonNode post = posts.get(0).path("_source");
      assertThat(post.at("/dst_endpoint/ip").asText()).isEqualTo(C2);
      assertThat(post.at("/enrichment/pod_name").asText()).as("names no pod").isEmpty();
      assertThat(rows).as(NODES[i] + "'s post to " + C2).contains(post.path("event_id").asText());
    }
    assertThat(signals.stream().filter(x -> x.contains("nsenter -t 1")).count()).as("the escapes' rows")
        .isGreaterThanOrEqualTo(3);
  }

  @Test
  void theBystandersOpenNoIncident() throws Exception {
    for (String p : CNI_PODS) {
      assertThat(ScenarioRun.incidentsWith(pipeline, "kube-system/" + p, false)).as("incidents holding " + p).isEmpty();
    }
    for (String p : ETL_PODS) {
      assertThat(ScenarioRun.incidentsWith(pipeline, "batch/" + p, false)).as("incidents holding " + p).isEmpty();
    }
    assertThat(ScenarioRun.incidentsWith(pipeline, "web/" + WEB, false)).as("incidents holding the web pod").isEmpty();
  }

  // ---------------------------------------------------------------------------------------------------- scope

  /** Each attacker address: only what it touched, all of it in account A. */
  @Test
  void scopeOfTheAttackerAddresses() throws Exception {
    ObjectNode k = ScopeCommand.run(endpoints.openSearchUrl(), List.of(new Scope.Indicator("ip", K8S_ATTACKER)));
    String as = Scope.table(k);
    assertThat(IncidentPipelineIT.values(k, "principals")).as(as).containsExactly(SA_USER);
    assertThat(IncidentPipelineIT.values(k, "clusters")).as(as).containsExactly(CLUSTER_A);
    assertThat(IncidentPipelineIT.values(k, "accounts")).as(as).containsExactly(ACCT_A);
    ObjectNode x = ScopeCommand.run(endpoints.openSearchUrl(), List.of(new Scope.Indicator("ip", X)));
    as = Scope.table(x);
    assertThat(IncidentPipelineIT.values(x, "principals")).as(as).contains(session(0)).noneMatch(p -> p.contains(INSTANCES[1])
        || p.contains(INSTANCES[2]));
    assertThat(IncidentPipelineIT.values(x, "pods")).as(as).containsExactly(PODS[0]);
    assertThat(IncidentPipelineIT.values(x, "nodes")).as(as).containsExactly(NODES[0] + SUFFIX);
    assertThat(IncidentPipelineIT.values(x, "accounts")).as(as).containsExactly(ACCT_A);
    ObjectNode y = ScopeCommand.run(endpoints.openSearchUrl(), List.of(new Scope.Indicator("ip", Y)));
    as = Scope.table(y);
    assertThat(IncidentPipelineIT.values(y, "principals")).as(as).contains(session(1), session(2))
        .noneMatch(p -> p.contains(INSTANCES[0]));
    assertThat(IncidentPipelineIT.values(y, "pods")).as(as).containsExactlyInAnyOrder(PODS[1], PODS[2]);
    assertThat(IncidentPipelineIT.values(y, "accounts")).as(as).containsExactly(ACCT_A);
  }

  /** The token's service account: its requests, the DaemonSet and its pods, cluster A only. */
  @Test
  void scopeOfTheServiceAccount() throws Exception {
    ObjectNode r = ScopeCommand.run(endpoints.openSearchUrl(), List.of(new Scope.Indicator("service_account", SA)));
    String as = Scope.table(r);
    assertThat(IncidentPipelineIT.values(r, "clusters")).as(as).containsExactly(CLUSTER_A);
    assertThat(IncidentPipelineIT.values(r, "accounts")).as(as).containsExactly(ACCT_A);
    assertThat(IncidentPipelineIT.values(r, "pods")).as(as).noneMatch(p -> p.startsWith("aws-node") || p.startsWith("etl"));
    if (incident != null) {
      assertThat(r.path("incidents")).as(as).extracting(i -> i.path("incident_id").asText())
          .contains(incident.path("incident_id").asText());
    }
  }

  /** The DaemonSet's image: its three pods on the three nodes, cluster A; not aws-node's, not B's. */
  @Test
  void scopeOfTheImageDigest() throws Exception {
    ObjectNode r = ScopeCommand.run(endpoints.openSearchUrl(), List.of(new Scope.Indicator("image_digest", EVIL_DIGEST)));
    String as = Scope.table(r);
    assertThat(IncidentPipelineIT.values(r, "pods")).as(as).containsExactlyInAnyOrder(PODS);
    assertThat(IncidentPipelineIT.values(r, "nodes")).as(as)
        .containsExactlyInAnyOrder(NODES[0] + SUFFIX, NODES[1] + SUFFIX, NODES[2] + SUFFIX);
    assertThat(IncidentPipelineIT.values(r, "clusters")).as(as).containsExactly(CLUSTER_A);
    assertThat(IncidentPipelineIT.values(r, "accounts")).as(as).containsExactly(ACCT_A);
  }

  /** A node role session: its node and instance, the pod that stole it, both its own calls' and the attacker's addresses. */
  @Test
  void scopeOfANodeRoleSession() throws Exception {
    ObjectNode r = ScopeCommand.run(endpoints.openSearchUrl(), List.of(new Scope.Indicator("principal", session(2))));
    String as = Scope.table(r);
    assertThat(IncidentPipelineIT.values(r, "pods")).as(as).containsExactly(PODS[2]);
    assertThat(IncidentPipelineIT.values(r, "nodes")).as(as).containsExactly(NODES[2] + SUFFIX);
    assertThat(IncidentPipelineIT.values(r, "instances")).as(as).containsExactly(INSTANCES[2]);
    assertThat(IncidentPipelineIT.values(r, "accounts")).as(as).containsExactly(ACCT_A);
  }

  // --------------------------------------------------------------------------------------------------- report

  @Test
  void theReportRendersTheIncident(@TempDir Path out) throws Exception {
    assertThat(incident).as("the incident").isNotNull();
    ScenarioRun.Report rendered = ScenarioRun.report(endpoints, incident, out);
    assertThat(rendered.html()).startsWith("<!DOCTYPE html>").contains("<svg").contains(PODS[0]).contains(K8S_ATTACKER);
    assertThat(rendered.md()).contains(PODS[1]).contains("create daemonsets").contains(session(2));
    for (String report : List.of(rendered.html(), rendered.md())) {
      for (String b : BYSTANDERS) assertThat(report).doesNotContain(b);
    }
  }
}
