package dev.strata.cli;

import static dev.strata.cli.ScenarioRun.check;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.strata.infra.StackEndpoints;
import dev.strata.ingest.CollectorOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An EKS node's kubelet API (10250, anonymous auth, AlwaysAllow) reached from the internet, written as an outside
 * assessor would (scenarios/kubelet: README.md tells the story, the known answers and each file's provenance;
 * make_kubelet_scenario.py writes the bundle). The attacker never goes through the API server for the commands: the
 * kubelet's /run and /exec reach the container through containerd and runc, so there is no pods/exec in the audit log;
 * the traces are the node's sensors (Tetragon: execs whose parent is runc on the host; Falco through journald), the
 * container's writable layer, its CRI log (only the slowdown), flows to the node's 10250. The pod's service account
 * token is then used from the attacker's address against the API server (a CronJob for persistence, secrets read) and
 * its IRSA token exchanged from there for the data lake's role (CloudTrail). Bystanders: the reporting API on the same
 * node and namespace (with an exec liveness probe: the kubelet's exec too), and the disaster-recovery cluster in
 * another account whose VPC reuses the range: its node has the same address and name, its pod the exploited pod's
 * address.
 *
 * <p>Assertions that main did not satisfy when this test was written are fixed or marked {@code GAP:} with what is
 * missing (docs/incidents.md, "Scenario: a kubelet API reached from the internet").
 */
class KubeletApiScenarioIT extends AbstractScenarioIT {
  static final String ACCT = "271828182845";
  static final String CLUSTER = "data-eks";
  static final String NS = "analytics";
  static final String ATTACKER = "198.51.100.23";
  static final String NODE = "ip-10-72-14-203.us-west-2.compute.internal";
  static final String INSTANCE = "i-0d4c3b2a1f0e9d8c7";
  static final String ETL = "etl-worker-6d9f8b7c5-p2m4x";
  static final String ETL_IP = "10.72.14.118";
  static final String ETL_CTR = "e7c0" + "3f".repeat(30);
  static final String ETL_DIGEST = "sha256:" + "b3e9".repeat(16);
  static final String ETL_ROLE = "arn:aws:iam::271828182845:role/etl-worker-irsa";
  static final String STOLEN_SESSION = "arn:aws:sts::271828182845:assumed-role/etl-worker-irsa/etl";
  static final String POD_SESSION = "arn:aws:sts::271828182845:assumed-role/etl-worker-irsa/botocore-session-1795251040";
  static final String SA = NS + "/etl-worker";
  // bystanders
  static final String API = "report-api-5c7b9d8f6-t4r8w";
  static final String API_CTR = "a9d1" + "62".repeat(30);
  static final String DR_ACCT = "161803398874";
  static final String DR_CLUSTER = "data-eks-dr";
  static final String DR_POD = "ingest-7f8e9d0c1-k5l6m";
  static final String DR_INSTANCE = "i-0e5f6a7b8c9d0e1f2";

  @BeforeAll
  void runPipeline(StackEndpoints endpoints) throws Exception {
    this.endpoints = endpoints;
    Path bundle = nodeAsCollected(ScenarioRun.home().resolve("cli/src/test/resources/scenarios/kubelet/bundle"));
    pipeline = new EvidencePipeline(EvidencePipeline.Services.of(endpoints));
    runId = ScenarioRun.run(pipeline, endpoints, "kubelet-it", bundle, CollectorOptions.defaults());
    incidents = ScenarioRun.incidentsWith(pipeline, NS + "/" + ETL, true);
    incident = incidents.size() >= 1 ? incidents.get(0).path("_source") : null;
  }

  /**
   * The bundle as the node had it: git keeps no modification times, and the overlay listing reports a file's mtime as
   * its time (curl wrote the miner at 10:05:20; the worker's scratch file is from its 10:40 batch; the bystander's
   * probe file from its start).
   */
  static Path nodeAsCollected(Path bundle) throws Exception {
    Path root = Files.createTempDirectory("strata-kubelet-it-");
    try (var files = Files.walk(bundle)) {
      for (Path f : (Iterable<Path>) files::iterator) {
        Path to = root.resolve(bundle.relativize(f).toString());
        if (Files.isDirectory(f)) Files.createDirectories(to);
        else Files.copy(f, to, java.nio.file.StandardCopyOption.COPY_ATTRIBUTES);
      }
    }
    Path snaps = root.resolve("prod/nodes/ip-10-72-14-203/var/lib/containerd/io.containerd.snapshotter.v1.overlayfs/snapshots");
    for (Map.Entry<String, String> m : Map.of(
        "34/fs/tmp/.cache/kswapd0", "2026-11-21T10:05:20.61Z", "34/fs/tmp/.cache", "2026-11-21T10:05:20.02Z",
        "34/fs/tmp/etl/part-0042.parquet", "2026-11-21T10:40:03Z", "34/fs/tmp/etl", "2026-11-21T08:15:00Z",
        "34/fs/tmp", "2026-11-21T10:05:20.02Z", "36/fs/tmp/healthy", "2026-11-21T08:12:40Z",
        "36/fs/tmp", "2026-11-21T08:12:40Z").entrySet()) {
      Files.setLastModifiedTime(snaps.resolve(m.getKey()), FileTime.from(Instant.parse(m.getValue())));
    }
    return root;
  }

  /** What the run produced, one line per event (with its enrichment), then the incidents: for reading a failure. */
  @Override
  public void dump(Path to) throws Exception {
    ScenarioRun.dump(pipeline, runId, incident, List.of(ACCT, DR_ACCT), "", to);
    if (incident != null) ScenarioRun.report(endpoints, incident, Files.createDirectories(to.resolveSibling("kubelet-report")));
  }

  // -------------------------------------------------------------------------------------------- every source read

  @Test
  void everyArtifactIsReadByItsFormatWithoutDeadLetters() throws Exception {
    for (String[] f : new String[][] {
        // the EKS audit log as `aws logs filter-log-events` prints it (was not recognized: nothing of the control plane)
        {"k8s_audit", "13"}, {"k8s_event", "2"}, {"cri_log", "56"}, {"falco_alert", "1"}, {"tetragon_event", "15"},
        {"aws_cloudtrail", "8"}, {"aws_vpc_flow", "12"}, {"overlay_upper_changes", "6"}}) {
      assertThat(search("source_format:" + f[0]).size()).as(f[0] + " events").isGreaterThanOrEqualTo(Integer.parseInt(f[1]));
    }
    // both files of the worker's log: the rotated .gz and the live one
    Set<String> origins = new HashSet<>();
    search("source_format:cri_log AND kubernetes.pod_name:\"" + ETL + "\"")
        .forEach(h -> origins.add(h.at("/_source/lineage/origin").asText()));
    assertThat(origins).as("the worker's log files read").hasSize(2);
    JsonNode dead = ScenarioRun.deadLetters(pipeline, runId);
    assertThat(dead).as("dead letters").isEmpty();
  }

  // ------------------------------------------------------------------------------------------------ attribution

  /** The exploited container's evidence, from every sensor, names its pod, container, image, node, SA and role. */
  @Test
  void theWorkersRuntimeEvidenceIsTheWorkers() throws Exception {
    List<String> wrong = new ArrayList<>();
    for (String q : List.of(
        // the kubelet's execs (parent runc, on the host) and their children, the token reads, the miner's connect
        "source_format:tetragon_event AND kubernetes.pod_name:\"" + ETL + "\"",
        "source_format:falco_alert AND container.uid:" + ETL_CTR.substring(0, 12),
        "source_format:cri_log AND kubernetes.pod_name:\"" + ETL + "\"",
        "source_format:overlay_upper_changes AND container.uid:" + ETL_CTR,
        "source_format:k8s_event AND kubernetes.pod_name:\"" + ETL + "\"")) {
      JsonNode hits = search(q);
      assertThat(hits).as(q).isNotEmpty();
      for (JsonNode h : hits) expectWorker(h.path("_source"), wrong, true);
    }
    assertThat(wrong).as("worker events not attributed to it").isEmpty();
  }

  /**
   * The worker's pod, node, its instance, cluster, service account and role (and its container and image when {@code
   * container}: what the node's sensors name). The instance: the node's own evidence names it (the collector's
   * context); an event that finds its node through its pod (audit, CloudTrail, kubectl events, flows) from the node's
   * {@code node_instance} (the Node object's providerID) at hop 3 (session 15; before, it got none).
   */
  static final ScenarioRun.Workload WORKER = new ScenarioRun.Workload(NS + "/" + ETL, NODE, INSTANCE, CLUSTER, SA, ETL_ROLE);

  static void expectWorker(JsonNode ev, List<String> wrong, boolean container) {
    WORKER.expect(ev, wrong, container ? ETL_CTR : null, ETL_DIGEST);
  }


  /**
   * Flows: the attacker's connections to 10250 are the node's (its own address: no pod), the pod's address is the
   * worker's in this account; in the DR account the same addresses are its own node and pod.
   */
  @Test
  void flowsAreTheNodesThePodsAndTheOtherClustersOwn() throws Exception {
    List<String> wrong = new ArrayList<>();
    JsonNode kubelet = search("source_format:aws_vpc_flow AND cloud.account_uid:" + ACCT + " AND dst_endpoint.port:10250");
    assertThat(kubelet).hasSize(4);
    for (JsonNode h : kubelet) {
      JsonNode s = h.path("_source");
      String what = "flow to 10250 from " + s.at("/src_endpoint/ip").asText() + " at " + s.path("time").asText();
      check(wrong, what, "node", s.at("/enrichment/node_name").asText(), NODE);
      check(wrong, what, "instance", s.at("/enrichment/instance_uid").asText(), INSTANCE);
      check(wrong, what, "cluster", s.at("/enrichment/cluster").asText(), CLUSTER);
      check(wrong, what, "pod", s.at("/enrichment/pod_name").asText(), "");
    }
    for (JsonNode h : search("source_format:aws_vpc_flow AND cloud.account_uid:" + ACCT + " AND (src_endpoint.ip:\""
        + ETL_IP + "\" OR dst_endpoint.ip:\"" + ETL_IP + "\")")) {
      expectWorker(h.path("_source"), wrong, false);
    }
    JsonNode dr = search("source_format:aws_vpc_flow AND cloud.account_uid:" + DR_ACCT);
    assertThat(dr).hasSize(2);
    for (JsonNode h : dr) {
      JsonNode s = h.path("_source");
      String what = "DR flow " + s.at("/src_endpoint/ip").asText() + " -> " + s.at("/dst_endpoint/ip").asText();
      check(wrong, what, "cluster", s.at("/enrichment/cluster").asText(), DR_CLUSTER);
      check(wrong, what, "instance", s.at("/enrichment/instance_uid").asText(), DR_INSTANCE);
      if (s.at("/dst_endpoint/port").asInt() == 9092) check(wrong, what, "pod", s.at("/enrichment/pod_name").asText(), DR_POD);
    }
    assertThat(wrong).as("flows attributed wrongly").isEmpty();
  }

  /**
   * The worker's service account token from the attacker's address: the requests are the worker pod's (the token's
   * pod in user.extra), on its node; they are signals (service_account_token_outside).
   */
  @Test
  void theTokensRequestsFromOutsideAreTheWorkersAndSignals() throws Exception {
    JsonNode reqs = search("source_format:k8s_audit AND src_endpoint.ip:\"" + ATTACKER + "\"");
    assertThat(reqs).hasSize(4);
    List<String> wrong = new ArrayList<>();
    for (JsonNode h : reqs) expectWorker(h.path("_source"), wrong, false);
    assertThat(wrong).isEmpty();
    Set<String> rowIds = ScenarioRun.timelineIds(pipeline, incident, true);
    for (JsonNode h : reqs) {
      assertThat(rowIds).as("a signal of the incident: " + h.at("/_source/api/operation").asText())
          .contains(h.at("/_source/event_id").asText());
    }
  }

  /**
   * The IRSA role: the pod's own session (from its address through the VPC endpoint) and the one the attacker got by
   * exchanging the stolen token from outside are both the worker pod's (subjectFromWebIdentityToken = its SA; the pod
   * is the SA's only pod), with the role; the stolen session's calls from outside are signals.
   */
  @Test
  void theIrsaSessionsAreTheWorkersAndTheStolenOnesCallsAreSignals() throws Exception {
    List<String> wrong = new ArrayList<>();
    JsonNode calls = search("source_format:aws_cloudtrail AND cloud.account_uid:" + ACCT + " AND NOT api.operation:GetAuthorizationToken");
    assertThat(calls).hasSize(7);
    // the exchange from outside included: it asks the session it issued (the session's pod: the service account's only
    // pod; it named no pod, node or cluster before)
    for (JsonNode h : calls) expectWorker(h.path("_source"), wrong, false);
    assertThat(wrong).isEmpty();
    Set<String> signals = ScenarioRun.timelineIds(pipeline, incident, true);
    for (JsonNode h : search("source_format:aws_cloudtrail AND src_endpoint.ip:\"" + ATTACKER + "\"")) {
      assertThat(signals).as("a signal: " + h.at("/_source/api/operation").asText()).contains(h.at("/_source/event_id").asText());
    }
  }

  /** The bystanders' evidence is their own: the reporting API (with its exec probe) and the DR cluster's pod. */
  @Test
  void theBystandersEvidenceIsTheirOwnAndOpensNoIncident() throws Exception {
    List<String> wrong = new ArrayList<>();
    for (String q : List.of("kubernetes.pod_name:\"" + API + "\"", "container.uid:" + API_CTR)) {
      JsonNode hits = search(q);
      assertThat(hits).as(q).isNotEmpty();
      for (JsonNode h : hits) {
        JsonNode e = h.at("/_source/enrichment");
        String what = q + " " + h.at("/_source/source_format").asText() + " " + h.at("/_source/time").asText();
        check(wrong, what, "pod", e.path("pod_name").asText(), API);
        // on its node from the scheduler's binding on (08:12:30.402991: the ReplicaSet controller's create names none)
        if (h.at("/_source/time").asText().compareTo("2026-11-21T08:12:30.4") > 0) {
          check(wrong, what, "node", e.path("node_name").asText(), NODE);
        }
        check(wrong, what, "role", e.path("iam_role").asText(""), "");
      }
    }
    assertThat(wrong).isEmpty();
    assertThat(ScenarioRun.incidentsWith(pipeline, NS + "/" + API, false)).as("incidents holding the reporting API").isEmpty();
    assertThat(ScenarioRun.incidentsWith(pipeline, NS + "/" + DR_POD, false)).as("incidents holding the DR pod").isEmpty();
  }

  // ------------------------------------------------------------------------------------------------- incident

  @Test
  void oneIncidentHoldsTheAttackAndNoBystander() throws Exception {
    assertThat(incidents).as("open incidents holding the worker pod").hasSize(1);
    // the title names the first signal's subject: the node whose kubelet was the way in (before the kubelet rule the
    // first signal was the token read, and the title named the pod); the pod is the incident's first pod entity
    assertThat(incident.path("title").asText()).as("title")
        .startsWith("Node ip-10-72-14-203: entry, execution, credential access, persistence, exfiltration");
    List<String> entities = ScenarioRun.entities(incident);
    assertThat(entities).contains("pod:" + NS + "/" + ETL, "container:" + ETL_CTR.substring(0, 12), "ip:" + ATTACKER,
            "cluster:" + CLUSTER, "account:" + ACCT, "session:" + STOLEN_SESSION, "instance:" + INSTANCE)
        .noneMatch(e -> e.contains(API) || e.contains(API_CTR.substring(0, 12)) || e.contains(DR_CLUSTER)
            || e.contains(DR_ACCT) || e.contains(DR_POD) || e.contains(DR_INSTANCE));
    JsonNode rows = ScenarioRun.timeline(pipeline, incident);
    Set<String> formats = new TreeSet<>();
    List<String> signals = new ArrayList<>();
    for (JsonNode r : rows) {
      JsonNode s = r.path("_source");
      formats.add(s.path("source_format").asText());
      assertThat(s.toString()).as("a bystander's row").doesNotContain(API).doesNotContain(DR_POD).doesNotContain(DR_ACCT);
      if (s.path("signal").asBoolean()) signals.add(s.path("source_format").asText() + " " + s.path("summary").asText());
    }
    assertThat(formats).contains("tetragon_event", "falco_alert", "k8s_audit", "aws_cloudtrail", "overlay_upper_changes",
        "aws_vpc_flow");
    // the miner's exec (Falco's drop-and-execute, Tetragon's exec from /tmp), its file in the writable layer, the token
    // reads (Tetragon's sensitive file), the token from outside (the CronJob), the stolen role's calls from outside
    assertThat(String.join("\n", signals)).contains("kswapd0").contains("serviceaccount/token")
        .contains("cronjobs").contains("GetObject");
    Set<String> stages = new HashSet<>();
    incident.path("attack_path").forEach(s -> stages.add(s.path("stage").asText()));
    assertThat(stages).as("attack path").contains("EXECUTION", "CREDENTIAL_ACCESS", "PERSISTENCE", "EXFILTRATION");
  }

  /**
   * The kubelet's /run and /exec: processes the runtime started in the worker's container (parent runc on the host)
   * are signals (exec_without_api_record: the audit log covers them and holds no pods/exec), the reporting API's exec
   * liveness probe (the same shape, maybe_exec_probe) is not; the attacker's flows to 10250 are the entry's signals and
   * say what they are.
   */
  @Test
  void theKubeletsExecsAreSignalsButTheProbeIsNot() throws Exception {
    Set<String> signals = ScenarioRun.timelineIds(pipeline, incident, true);
    java.util.Map<String, JsonNode> rows = new java.util.HashMap<>();
    for (JsonNode r : ScenarioRun.timeline(pipeline, incident)) rows.put(r.at("/_source/event_id").asText(), r.path("_source"));
    JsonNode execs = search("source_format:tetragon_event AND process.parent_name:runc AND activity_name:Launch");
    assertThat(execs.size()).as("runc-parented execs").isEqualTo(6);
    for (JsonNode h : execs) {
      JsonNode s = h.path("_source");
      boolean probe = s.at("/kubernetes/pod_name").asText().equals(API);
      if (probe) {
        assertThat(signals).as("the probe " + s.at("/process/cmd_line").asText()).doesNotContain(s.path("event_id").asText());
      } else {
        assertThat(signals).as("the kubelet's exec " + s.at("/process/cmd_line").asText()).contains(s.path("event_id").asText());
        // no pods/exec of the worker in the audit log, which covers the execs (records at 08:10 and from 10:09:30):
        // exec_without_api_record, High (session 15; before, the same Medium signal as a kubectl exec)
        JsonNode row = rows.get(s.path("event_id").asText());
        assertThat(row.path("summary").asText()).as("the kubelet's exec's row")
            .contains("(no pods/exec of analytics/" + ETL + " in cluster " + CLUSTER + "'s audit log: not through the API server)");
        assertThat(row.path("severity_id").asInt()).as("its severity").isEqualTo(4);
      }
    }
    List<String> entry = new ArrayList<>();
    for (JsonNode r : ScenarioRun.timeline(pipeline, incident)) {
      if ("ENTRY".equals(r.at("/_source/attack_stage").asText()) && r.at("/_source/signal").asBoolean()) {
        entry.add(r.at("/_source/summary").asText());
      }
    }
    assertThat(entry).hasSize(3).allMatch(x -> x.startsWith(ATTACKER + ":") && x.contains(" -> 10.72.14.203:10250 tcp Inbound Allowed"));
  }

  /**
   * The entry: the attacker's connections to the node's kubelet port from the internet, then execs whose parent is
   * runc with no pods/exec in the audit log (a command that did not come through the API server).
   */
  @Test
  void theEntryIsTheKubeletPortFromTheInternet() throws Exception {
    Set<String> rowIds = ScenarioRun.timelineIds(pipeline, incident, false);
    for (JsonNode h : search("source_format:aws_vpc_flow AND src_endpoint.ip:\"" + ATTACKER + "\" AND dst_endpoint.port:10250")) {
      assertThat(rowIds).as("the attacker's flows to the kubelet in the incident").contains(h.at("/_source/event_id").asText());
    }
    JsonNode first = incident.at("/attack_path/0");
    assertThat(first.path("stage").asText()).as("the path's first step").isEqualTo("ENTRY");
  }

  // ---------------------------------------------------------------------------------------------------- scope

  @Test
  void scopeOfTheAddressTheImageAndTheStolenRole() throws Exception {
    for (Scope.Indicator i : List.of(new Scope.Indicator("ip", ATTACKER), new Scope.Indicator("image_digest", ETL_DIGEST),
        new Scope.Indicator("principal", STOLEN_SESSION))) {
      ObjectNode r = ScopeCommand.run(endpoints.openSearchUrl(), List.of(i));
      String as = i.type() + " " + i.value() + ": " + Scope.table(r);
      assertThat(IncidentPipelineIT.values(r, "pods")).as(as).containsExactly(ETL);
      assertThat(IncidentPipelineIT.values(r, "clusters")).as(as).containsExactly(CLUSTER);
      assertThat(IncidentPipelineIT.values(r, "accounts")).as(as).containsExactly(ACCT);
      assertThat(IncidentPipelineIT.values(r, "nodes")).as(as).allMatch(n -> n.startsWith("ip-10-72-14-203"))
          .isNotEmpty();
      assertThat(IncidentPipelineIT.values(r, "containers")).as(as).noneMatch(c -> c.startsWith(API_CTR.substring(0, 12)));
      assertThat(r.path("incidents")).as(as).extracting(x -> x.path("incident_id").asText())
          .contains(incident.path("incident_id").asText());
    }
  }

  /**
   * The pod's address is reused by the DR cluster's pod in the other account: scope of the address names both, each
   * with its own cluster and account (never the worker in the DR account), and the attack's incident.
   */
  @Test
  void scopeOfTheReusedPrivateAddressNamesBothClustersPods() throws Exception {
    ObjectNode r = ScopeCommand.run(endpoints.openSearchUrl(), List.of(new Scope.Indicator("ip", ETL_IP)));
    String as = Scope.table(r);
    assertThat(IncidentPipelineIT.values(r, "pods")).as(as).containsExactlyInAnyOrder(ETL, DR_POD);
    assertThat(IncidentPipelineIT.values(r, "clusters")).as(as).containsExactlyInAnyOrder(CLUSTER, DR_CLUSTER);
    assertThat(IncidentPipelineIT.values(r, "accounts")).as(as).containsExactlyInAnyOrder(ACCT, DR_ACCT);
    JsonNode dr = search("cloud.account_uid:" + DR_ACCT);
    assertThat(dr).isNotEmpty();
    for (JsonNode h : dr) {
      assertThat(h.at("/_source/enrichment/pod_name").asText("")).as("DR account event").isNotEqualTo(ETL);
      assertThat(h.at("/_source/enrichment/cluster").asText("")).as("DR account event").isNotEqualTo(CLUSTER);
    }
  }

  // --------------------------------------------------------------------------------------------------- report

  @Test
  void theReportRendersTheIncident(@TempDir Path out) throws Exception {
    ScenarioRun.Report rendered = ScenarioRun.report(endpoints, incident, out);
    assertThat(rendered.html()).startsWith("<!DOCTYPE html>").contains("<svg").contains(ETL).contains(ATTACKER)
        .contains("artifacts/sha256/");
    assertThat(rendered.md()).contains(ETL).contains("kswapd0").contains(STOLEN_SESSION)
        // the entry's rows say what connection they are
        .contains(ATTACKER + ":51240 -\\> 10.72.14.203:10250 tcp Inbound Allowed"); // Markdown escapes ">"
    for (String report : List.of(rendered.html(), rendered.md())) {
      assertThat(report).doesNotContain(API).doesNotContain(DR_POD).doesNotContain(DR_CLUSTER);
    }
  }
}
