package dev.strata.cli;

import static dev.strata.cli.ScenarioRun.check;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.strata.infra.StackEndpoints;
import dev.strata.ingest.CollectorOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An EKS incident written the way an outside assessor would, from evidence shapes the other scenarios do not use
 * ({@code scenarios/ci-runner}: {@code make_ci_runner_scenario.py}, README.md tells the story and the known answers):
 * a GitLab CI job on build-eks pulls a look-alike build image whose npm postinstall reads the pod's service account
 * token, creates a privileged hostPID/hostNetwork pod with the host's / on the job's node through it, enters the
 * host (nsenter), reads the node role's credentials from IMDS and drops a cron file; the node role is then used from
 * 198.51.100.143 (S3, Secrets Manager), and the token, copied out, creates a CronJob from there whose pod mines
 * Monero with the same image. Evidence: Kubernetes audit as a CloudWatch Logs export ({@code 000000.gz}, kubelet
 * status patches at level Request, bound-token {@code user.extra}), {@code kubectl get events -A -o json},
 * CRI logs with kubelet-rotated {@code 0.log.<date>} and {@code .gz} files, Falco 0.39 JSON in its own container's
 * log, Tetragon export with a lumberjack-rotated file, CloudTrail {@code .json.gz}, VPC Flow Logs v5 {@code .log.gz},
 * a CycloneDX SBOM and a Trivy report of the image. Bystanders on the same node: a shop frontend, a legitimate CI job
 * of the same service account, the logging DaemonSet's privileged pod.
 *
 * <p>Gaps this scenario found and that are not fixed are marked {@code GAP:} where the assertion would be; the list is
 * in docs/incidents.md ("Scenario: a CI runner pod abused").
 */
class CiRunnerEscapeScenarioIT extends AbstractScenarioIT {
  static final String ATTACKER = "198.51.100.143";
  static final String POOL_IP = "203.0.113.211";
  static final String ACCT = "314159265358";
  static final String CLUSTER = "build-eks";
  static final String NS = "gitlab-runner";
  static final String JOB = "runner-xk3fz9q1-project-4711-concurrent-0-8yq2w7lb";
  static final String JOB_IP = "10.61.7.88";
  static final String BUILD_CTR = "b71d" + "a3".repeat(30);
  static final String SHELL = "node-shell-q7w2x";
  static final String SHELL_CTR = "e5c1" + "9b".repeat(30);
  static final String MINER = "cache-cleanup-29924050-7sk4d";
  static final String MINER_IP = "10.61.7.131";
  static final String MINER_CTR = "c0a1" + "e8".repeat(30);
  static final String NODE = "ip-10-61-7-19.eu-west-1.compute.internal";
  static final String NODE_IP = "10.61.7.19";
  static final String INSTANCE = "i-0f3e2d1c0b9a87654";
  static final String MAL_DIGEST = "sha256:" + "7f3a9e1c".repeat(8);
  static final String NODE_ROLE = "arn:aws:iam::314159265358:role/build-eks-ng-NodeInstanceRole-7QX2M4K9P1ZL";
  static final String NODE_SESSION =
      "arn:aws:sts::314159265358:assumed-role/build-eks-ng-NodeInstanceRole-7QX2M4K9P1ZL/" + INSTANCE;
  static final String SA = "gitlab-runner/runner-jobs";
  // bystanders
  static final String SHOP = "frontend-6b8d9f7c4-h5j6k";
  static final String OTHER = "runner-xk3fz9q1-project-1200-concurrent-1-p0o9i8u7";
  static final String OTHER_CTR = "0bd1" + "55".repeat(30);
  static final String FLUENT = "fluent-bit-k7x2m";

  @BeforeAll
  void runPipeline(StackEndpoints endpoints) throws Exception {
    this.endpoints = endpoints;
    // -Dcirunner.bundle=DIR runs the assertions over a variant of the bundle (what a missing source changes)
    Path bundle = System.getProperty("cirunner.bundle") != null ? Path.of(System.getProperty("cirunner.bundle"))
        : ScenarioRun.home().resolve("cli/src/test/resources/scenarios/ci-runner/bundle");
    pipeline = new EvidencePipeline(EvidencePipeline.Services.of(endpoints));
    runId = ScenarioRun.run(pipeline, endpoints, "ci-runner-it", bundle, CollectorOptions.defaults());
    incidents = ScenarioRun.incidentsWith(pipeline, NS + "/" + JOB, true);
    incident = incidents.size() >= 1 ? incidents.get(0).path("_source") : null;
  }

  /** What the run produced, one line per event (with its enrichment), then the incidents: for reading a failure. */
  @Override
  public void dump(Path to) throws Exception {
    ScenarioRun.dump(pipeline, runId, incident, List.of(ACCT), "", to);
    StringBuilder full = new StringBuilder();
    for (JsonNode h : search("*")) full.append(h.path("_source").toString()).append('\n');
    Files.writeString(Path.of(to.toString().replace(".txt", "-full.jsonl")), full.toString());
    if (incident != null) ScenarioRun.report(endpoints, incident, Files.createDirectories(to.resolveSibling("ci-runner-report")));
  }

  // -------------------------------------------------------------------------------------------- every source read

  @Test
  void everyArtifactIsReadByItsFormatWithoutDeadLetters() throws Exception {
    for (String[] f : new String[][] {
        {"k8s_audit", "14"}, {"k8s_event", "19"}, {"cri_log", "10"}, {"falco_alert", "2"}, {"tetragon_event", "20"},
        {"aws_cloudtrail", "7"}, {"aws_vpc_flow", "15"}, {"cyclonedx_sbom", "5"}, {"trivy_scan", "2"}}) {
      assertThat(search("source_format:" + f[0]).size()).as(f[0] + " events").isGreaterThanOrEqualTo(Integer.parseInt(f[1]));
    }
    // every rotated file of the miner's log is read: the .gz, the plain rotated one and the live one
    JsonNode miner = search("source_format:cri_log AND kubernetes.pod_name:\"" + MINER + "\"");
    Set<String> origins = new HashSet<>();
    miner.forEach(h -> origins.add(h.at("/_source/lineage/origin").asText()));
    assertThat(origins).as("miner log files read").hasSize(3);
    // the image's SBOM and scan name it by its repo digest (syft: the manifest digest as the component's version)
    for (String f : List.of("cyclonedx_sbom", "trivy_scan")) {
      assertThat(search("source_format:" + f + " AND enrichment.image_digest:\"" + MAL_DIGEST + "\"")).as(f).isNotEmpty();
    }
    JsonNode dead = ScenarioRun.deadLetters(pipeline, runId);
    assertThat(dead).as("dead letters").isEmpty();
  }

  // ------------------------------------------------------------------------------------------------ attribution

  @Test
  void theJobPodsRuntimeEvidenceIsTheJobPods() throws Exception {
    List<String> wrong = new ArrayList<>();
    for (String q : List.of(
        "source_format:tetragon_event AND kubernetes.pod_name:\"" + JOB + "\"",
        "source_format:cri_log AND kubernetes.pod_name:\"" + JOB + "\"")) {
      JsonNode hits = search(q);
      assertThat(hits).as(q).isNotEmpty();
      for (JsonNode h : hits) {
        JsonNode s = h.path("_source");
        JsonNode e = s.path("enrichment");
        String what = describe(s);
        check(wrong, what, "pod", e.path("namespace").asText() + "/" + e.path("pod_name").asText(), NS + "/" + JOB);
        check(wrong, what, "container", e.path("container_uid").asText(), BUILD_CTR);
        check(wrong, what, "image", e.path("image_digest").asText(), MAL_DIGEST);
        check(wrong, what, "node", e.path("node_name").asText(), NODE);
        check(wrong, what, "cluster", e.path("cluster").asText(), CLUSTER);
        check(wrong, what, "service account", e.path("service_account").asText(), SA);
      }
    }
    assertThat(wrong).as("job pod evidence not attributed to it").isEmpty();
  }

  /**
   * The bound token names its pod in {@code user.extra}: the requests made with it, from the pod and from the
   * attacker's address, are the job pod's, at their time (with its node); the pod it created is the object of its
   * creation (that event's pod), the token's pod kept as {@code k8s.token.pod}.
   */
  @Test
  void theServiceAccountTokensRequestsAreTheJobPodsFromInsideAndOutside() throws Exception {
    JsonNode calls = search("source_format:k8s_audit AND actor.user_name:\"system:serviceaccount:gitlab-runner:runner-jobs\"");
    assertThat(calls).hasSize(5);
    List<String> wrong = new ArrayList<>();
    for (JsonNode h : calls) {
      JsonNode s = h.path("_source");
      JsonNode e = s.path("enrichment");
      String what = describe(s) + " from " + s.at("/src_endpoint/ip").asText();
      boolean createsPod = "pods".equals(s.at("/resources/0/type").asText());
      check(wrong, what, "pod", e.path("namespace").asText() + "/" + e.path("pod_name").asText(),
          NS + "/" + (createsPod ? SHELL : JOB));
      check(wrong, what, "token's pod", s.at("/unmapped/k8s.token.pod").asText(), NS + "/" + JOB);
      check(wrong, what, "node", e.path("node_name").asText(), NODE);
      check(wrong, what, "cluster", e.path("cluster").asText(), CLUSTER);
    }
    assertThat(wrong).as("token requests not attributed to the job pod").isEmpty();
    // the token listing kube-system's secrets from outside: the job pod's request (in its namespace), the object kept
    // in its own namespace
    JsonNode other = search("source_format:k8s_audit AND resources.namespace:kube-system AND resources.type:secrets");
    assertThat(other).hasSize(1);
    JsonNode o = other.get(0).path("_source");
    assertThat(o.at("/kubernetes/namespace").asText() + "/" + o.at("/kubernetes/pod_name").asText()).isEqualTo(NS + "/" + JOB);
    assertThat(o.at("/resources/0/namespace").asText()).isEqualTo("kube-system");
    assertThat(o.at("/unmapped/k8s.object.namespace").asText()).isEqualTo("kube-system");
    assertThat(o.at("/enrichment/node_name").asText()).isEqualTo(NODE);
    List<String> entities = ScenarioRun.entities(incident);
    assertThat(entities).contains("namespace:kube-system");
  }

  /**
   * What a responder calls a signal in the control plane's record: the job's token creating a pod with the host's PID
   * namespace and / (privileged_pod), and the token used from the attacker's address (service_account_token_outside:
   * the CronJob is persistence).
   */
  @Test
  void theTokensHostEscapingPodAndItsUseFromOutsideAreSignals() throws Exception {
    java.util.Map<String, String> stageOf = new java.util.HashMap<>();
    incident.path("attack_path").forEach(st -> st.path("event_ids").forEach(id -> stageOf.put(id.asText(), st.path("stage").asText())));
    String sa = "source_format:k8s_audit AND actor.user_name:\"system:serviceaccount:gitlab-runner:runner-jobs\" AND ";
    for (String[] q : new String[][] {
        {sa + "resources.type:pods", "PRIVILEGE_ESCALATION"},
        {sa + "resources.type:cronjobs", "PERSISTENCE"},
        {sa + "resources.type:selfsubjectrulesreviews", "CREDENTIAL_ACCESS"}}) {
      JsonNode hits = search(q[0]);
      assertThat(hits).as(q[0]).hasSize(1);
      assertThat(stageOf.get(hits.get(0).at("/_source/event_id").asText())).as("stage of " + q[0]).isEqualTo(q[1]);
    }
    // the shell's fetch of the node role's credentials from IMDS (Tetragon's exec of sh and curl) is credential access
    int imds = 0;
    for (JsonNode h : search("source_format:tetragon_event AND kubernetes.pod_name:\"" + SHELL + "\" AND activity_name:Launch")) {
      if (!h.at("/_source/process/cmd_line").asText().contains("/latest/meta-data/iam/security-credentials/")) continue;
      imds++;
      assertThat(stageOf.get(h.at("/_source/event_id").asText())).as(describe(h.path("_source"))).isEqualTo("CREDENTIAL_ACCESS");
    }
    assertThat(imds).as("IMDS credential fetches").isEqualTo(2);
    // the pod's own secret list from inside the cluster is context
    JsonNode list = search(sa + "resources.type:secrets AND resources.namespace:" + NS);
    assertThat(list).hasSize(1);
    assertThat(stageOf).doesNotContainKey(list.get(0).at("/_source/event_id").asText());
  }

  @Test
  void theShellPodAndTheMinerPodAreTheirOwn() throws Exception {
    List<String> wrong = new ArrayList<>();
    for (String[] q : new String[][] {
        {"source_format:tetragon_event AND kubernetes.pod_name:\"" + SHELL + "\"", SHELL, SHELL_CTR},
        {"source_format:falco_alert AND finding.rule:\"Launch Privileged Container\"", SHELL, SHELL_CTR},
        {"source_format:tetragon_event AND kubernetes.pod_name:\"" + MINER + "\"", MINER, MINER_CTR},
        {"source_format:falco_alert AND NOT finding.rule:\"Launch Privileged Container\"", MINER, MINER_CTR},
        {"source_format:cri_log AND kubernetes.pod_name:\"" + MINER + "\"", MINER, MINER_CTR}}) {
      JsonNode hits = search(q[0]);
      assertThat(hits).as(q[0]).isNotEmpty();
      for (JsonNode h : hits) {
        JsonNode s = h.path("_source");
        JsonNode e = s.path("enrichment");
        check(wrong, describe(s), "pod", e.path("namespace").asText() + "/" + e.path("pod_name").asText(), NS + "/" + q[1]);
        check(wrong, describe(s), "container", e.path("container_uid").asText(), q[2]);
        check(wrong, describe(s), "node", e.path("node_name").asText(), NODE);
      }
    }
    assertThat(wrong).isEmpty();
  }

  @Test
  void theMinersPoolConnectionsAreReadFromEveryRotatedFile() throws Exception {
    JsonNode pool = search("source_format:cri_log AND dst_endpoint.ip:\"" + POOL_IP + "\"");
    assertThat(pool).as("xmrig 'use pool' lines: one per rotated file").hasSize(3);
    for (JsonNode h : pool) {
      assertThat(h.at("/_source/enrichment/pod_name").asText()).isEqualTo(MINER);
      assertThat(h.at("/_source/dst_endpoint/port").asInt()).isEqualTo(3333);
    }
  }

  @Test
  void theNodeRolesCallsFromOutsideAreTheNodesAndItsRoles() throws Exception {
    JsonNode calls = search("source_format:aws_cloudtrail AND src_endpoint.ip:\"" + ATTACKER + "\"");
    assertThat(calls).hasSize(6);
    List<String> wrong = new ArrayList<>();
    for (JsonNode h : calls) {
      JsonNode s = h.path("_source");
      JsonNode e = s.path("enrichment");
      String what = s.at("/api/operation").asText();
      check(wrong, what, "node", e.path("node_name").asText(), NODE);
      check(wrong, what, "instance", e.path("instance_uid").asText(), INSTANCE);
      check(wrong, what, "role", e.path("iam_role").asText(), NODE_ROLE);
      check(wrong, what, "cluster", e.path("cluster").asText(), CLUSTER);
      // the shell pod fetched the node role's credentials from IMDS at 14:01:02; no other pod did (session_imds_pod)
      check(wrong, what, "pod (credentials fetched by)", e.path("namespace").asText() + "/" + e.path("pod_name").asText(),
          NS + "/" + SHELL);
      check(wrong, what, "container", e.path("container_uid").asText(), SHELL_CTR);
    }
    assertThat(wrong).isEmpty();
    // the node's own routine call (the kubelet's ECR login from its address, before the fetch) stays the node's
    JsonNode own = search("source_format:aws_cloudtrail AND api.operation:GetAuthorizationToken");
    assertThat(own).hasSize(1);
    assertThat(own.get(0).at("/_source/enrichment/node_name").asText()).isEqualTo(NODE);
    assertThat(own.get(0).at("/_source/enrichment/pod_name").asText("")).isEmpty();
  }

  /** The tie as a fact: the node role's session from the attacker's address -> the shell pod, from the fetch. */
  @Test
  void theCredentialsFetchFromImdsIsAFactWithItsBasis() throws Exception {
    JsonNode facts = pipeline.send("POST", "/strata-bindings-*/_search",
        "{\"size\":20,\"query\":{\"bool\":{\"must\":[{\"term\":{\"kind\":\"session_imds_pod\"}},"
        + "{\"term\":{\"subject.key\":\"" + NODE_SESSION + "\"}}]}}}").at("/hits/hits");
    assertThat(facts).as("session_imds_pod facts").hasSize(1);
    JsonNode f = facts.get(0).path("_source");
    assertThat(f.at("/subject/key").asText()).isEqualTo(NODE_SESSION);
    assertThat(f.at("/subject/scope").asText()).isEqualTo("from:" + ATTACKER);
    assertThat(f.at("/object/key").asText()).isEqualTo(NS + "/" + SHELL);
    assertThat(f.path("valid_from").asText()).startsWith("2026-11-23T14:01:02");
    assertThat(f.path("confidence").asDouble()).isLessThan(0.8);
    assertThat(f.at("/attributes/imds_basis").asText()).isEqualTo("one_pod_fetched");
    assertThat(f.at("/attributes/imds_version").asText()).isEqualTo("v2");
    JsonNode fetches = pipeline.send("POST", "/strata-bindings-*/_search",
        "{\"size\":20,\"query\":{\"bool\":{\"must\":[{\"term\":{\"kind\":\"imds_fetch\"}},"
        + "{\"term\":{\"subject.key\":\"" + INSTANCE + "\"}}]}}}").at("/hits/hits");
    assertThat(fetches).as("imds_fetch facts").isNotEmpty()
        .allSatisfy(h -> assertThat(h.at("/_source/object/key").asText()).isEqualTo(NS + "/" + SHELL));
  }

  @Test
  void flowsAreTheirPodsAtTheirTime() throws Exception {
    List<String> wrong = new ArrayList<>();
    for (String[] q : new String[][] {{JOB_IP, JOB}, {MINER_IP, MINER}, {"10.61.7.102", OTHER}, {"10.61.7.54", SHOP}}) {
      JsonNode hits = search("source_format:aws_vpc_flow AND (src_endpoint.ip:\"" + q[0] + "\" OR dst_endpoint.ip:\"" + q[0] + "\")");
      assertThat(hits).as(q[0]).isNotEmpty();
      for (JsonNode h : hits) {
        check(wrong, describe(h.path("_source")), "pod", h.at("/_source/enrichment/pod_name").asText(), q[1]);
        check(wrong, describe(h.path("_source")), "instance", h.at("/_source/enrichment/instance_uid").asText(), INSTANCE);
      }
    }
    assertThat(wrong).isEmpty();
  }

  @Test
  void theClustersEventsNameTheirPods() throws Exception {
    JsonNode pulled = search("source_format:k8s_event AND kubernetes.pod_name:\"" + JOB + "\"");
    assertThat(pulled).as("kubectl get events of the job pod").hasSizeGreaterThanOrEqualTo(6);
    JsonNode scheduled = search("source_format:k8s_event AND message:\"Successfully assigned\"");
    // the scheduler writes events.k8s.io events: eventTime only (no first/lastTimestamp)
    assertThat(scheduled).hasSize(2).allSatisfy(h -> assertThat(h.at("/_source/time").asText()).startsWith("2026-11-23T14:"));
  }

  // ------------------------------------------------------------------------------------------------- incident

  @Test
  void oneIncidentHoldsTheWholeAttackAndNoBystander() throws Exception {
    assertThat(incidents).as("open incidents holding the job pod").hasSize(1);
    List<String> entities = ScenarioRun.entities(incident);
    assertThat(entities).contains("pod:" + NS + "/" + JOB, "pod:" + NS + "/" + SHELL, "ip:" + ATTACKER,
        "node:ip-10-61-7-19", "instance:" + INSTANCE, "session:" + NODE_SESSION, "cluster:" + CLUSTER)
        .noneMatch(e -> e.contains(SHOP) || e.contains(OTHER) || e.contains(FLUENT) || e.contains(OTHER_CTR.substring(0, 12)));
    assertThat(incident.path("title").asText()).as("title").contains(JOB);
    JsonNode rows = ScenarioRun.timeline(pipeline, incident);
    Set<String> formats = new java.util.TreeSet<>();
    for (JsonNode r : rows) {
      formats.add(r.at("/_source/source_format").asText());
      assertThat(r.path("_source").toString()).doesNotContain(SHOP).doesNotContain(OTHER).doesNotContain(FLUENT);
    }
    assertThat(formats).contains("k8s_audit", "tetragon_event", "falco_alert", "aws_cloudtrail");
    // the node role's calls from the attacker's address are the shell pod's: it fetched the credentials from IMDS
    List<String> fetchedBy = new ArrayList<>();
    for (JsonNode r : rows) {
      String summary = r.at("/_source/summary").asText();
      if (summary.contains("from " + ATTACKER) && r.at("/_source/source_format").asText().equals("aws_cloudtrail")) {
        fetchedBy.add(summary);
      }
    }
    assertThat(fetchedBy).as("the node role's calls from outside").hasSize(6)
        .allMatch(s -> s.endsWith("-- credentials fetched from IMDS by pod " + NS + "/" + SHELL));
    Set<String> stages = new HashSet<>();
    incident.path("attack_path").forEach(s -> stages.add(s.path("stage").asText()));
    assertThat(stages).as("attack path").contains("EXECUTION", "CREDENTIAL_ACCESS", "PRIVILEGE_ESCALATION",
        "PERSISTENCE", "EXFILTRATION");
  }

  @Test
  void theMinerIsPartOfTheSameIncident() throws Exception {
    // the CronJob was created with the job pod's token from the attacker's address; its pod mines with the same image
    // through the CronJob (the controllers' ownerReferences: pod -> Job -> CronJob), not only through the node
    assertThat(ScenarioRun.entities(incident)).contains("pod:" + NS + "/" + MINER,
        "batch_workload:CronJob/" + NS + "/cache-cleanup", "batch_workload:Job/" + NS + "/cache-cleanup-29924050");
  }

  @Test
  void bystandersOpenNoIncident() throws Exception {
    for (String pod : List.of("shop/" + SHOP, NS + "/" + OTHER, "amazon-cloudwatch/" + FLUENT)) {
      assertThat(ScenarioRun.incidentsWith(pipeline, pod, false)).as("incidents holding " + pod).isEmpty();
    }
  }

  /**
   * First seen is the attack's first signal (since session 13 its entry, the postinstall's command at 14:00:17; before,
   * the job pod reading its service account token at 14:00:18), not the node's routine ECR login at 13:58:41 (the
   * kubelet's credential provider, the node role's session from the node's
   * own address): node-level context within the window joins the incident through the node and its role's session,
   * and its first row was the incident's first seen. The context before the first signal stays in the timeline as
   * lead-up (the job pod's creation, npm ci, the postinstall's banner), and the report marks it.
   */
  @Test
  void firstSeenIsTheFirstSignalNotTheNodesRoutineCredentialCall(@TempDir Path out) throws Exception {
    assertThat(incident.path("first_seen").asText()).startsWith("2026-11-23T14:00:17.0337");
    JsonNode rows = ScenarioRun.timeline(pipeline, incident);
    String firstSignal = null;
    List<String> before = new ArrayList<>();
    for (JsonNode h : rows) {
      JsonNode r = h.path("_source");
      if (r.path("signal").asBoolean() && firstSignal == null) firstSignal = r.path("time").asText();
      if (firstSignal == null) before.add(r.path("source_format").asText() + " " + r.path("summary").asText());
    }
    assertThat(firstSignal).as("the first signal's row").isEqualTo(incident.path("first_seen").asText());
    assertThat(before).as("lead-up rows").anyMatch(r -> r.contains("ecr:GetAuthorizationToken"))
        .anyMatch(r -> r.contains("postinstall"));
    Path dir = Files.createDirectories(out.resolve("report"));
    String id = incident.path("incident_id").asText();
    ReportCommand.write(endpoints.openSearchUrl(), id, dir, "md");
    String md = Files.readString(dir.resolve(id + ".md"));
    String ecr = md.lines().filter(l -> l.contains("ecr:GetAuthorizationToken")).findFirst().orElseThrow();
    assertThat(ecr).contains("before the first signal");
  }

  /**
   * The attack's entry (SupplyChainSignals): the poisoned dependency's postinstall command in the job's CRI log
   * ({@code curl ... | sh} with the service account token's path: install_script_remote_code) is the incident's first
   * signal and the attack path's first step; the look-alike image's SBOM naming {@code xmrig} (miner_component) joins
   * the incident through the image digest the job's and the miner's containers run, with its lineage; the Trivy
   * report's CVEs stay context; the report shows the entry rows first, with their evidence.
   */
  @Test
  void theAttackPathStartsAtTheEntry(@TempDir Path out) throws Exception {
    JsonNode first = incident.at("/attack_path/0");
    assertThat(first.path("stage").asText()).as("the path's first step").isEqualTo("ENTRY");
    Set<String> entryIds = new HashSet<>();
    first.path("event_ids").forEach(id -> entryIds.add(id.asText()));
    List<JsonNode> script = new ArrayList<>(); // unmapped is kept, not indexed: filtered here
    for (JsonNode h : search("source_format:cri_log AND kubernetes.pod_name:\"" + JOB + "\"")) {
      if (h.at("/_source/unmapped/pkg_script.command").isTextual()) script.add(h);
    }
    assertThat(script).as("the postinstall's command line").hasSize(1);
    JsonNode s = script.get(0).path("_source");
    assertThat(s.at("/unmapped/pkg_script.package").asText()).isEqualTo("node-builder-utils");
    assertThat(s.at("/unmapped/pkg_script.script").asText()).isEqualTo("postinstall");
    assertThat(entryIds).contains(s.path("event_id").asText());
    JsonNode miner = search("source_format:cyclonedx_sbom AND package.name:xmrig");
    assertThat(miner).hasSize(1);
    assertThat(entryIds).contains(miner.get(0).at("/_source/event_id").asText());
    for (JsonNode h : search("source_format:trivy_scan")) {
      assertThat(entryIds).as("a CVE is no entry").doesNotContain(h.at("/_source/event_id").asText());
    }
    // the first signal row of the timeline is the script's command, with its lineage (the job's CRI log, its line)
    JsonNode rows = ScenarioRun.timeline(pipeline, incident);
    JsonNode firstSignal = null;
    for (JsonNode r : rows) {
      if (r.at("/_source/signal").asBoolean()) {
        firstSignal = r.path("_source");
        break;
      }
    }
    assertThat(firstSignal.path("event_id").asText()).isEqualTo(s.path("event_id").asText());
    assertThat(firstSignal.path("attack_stage").asText()).isEqualTo("ENTRY");
    assertThat(firstSignal.path("origin").asText()).endsWith(JOB + "_0c4e8a2f-5b1d-4e7a-9c3f-6a2b8d1e4f70/build/0.log");
    assertThat(firstSignal.path("line_number").asLong()).isEqualTo(5);
    JsonNode sbomRow = null;
    for (JsonNode r : rows) {
      if (r.at("/_source/event_id").asText().equals(miner.get(0).at("/_source/event_id").asText())) sbomRow = r.path("_source");
    }
    assertThat(sbomRow.path("origin").asText()).isEqualTo("images/node-builder-18.cdx.json");
    assertThat(sbomRow.path("attack_stage").asText()).isEqualTo("ENTRY");
    // the report: the entry section before the attack path, each row with its artifact and position
    ScenarioRun.Report rendered = ScenarioRun.report(endpoints, incident, out);
    String md = rendered.md();
    assertThat(md.indexOf("## Entry")).isPositive().isLessThan(md.indexOf("## Attack path"));
    String entry = md.substring(md.indexOf("## Entry"), md.indexOf("## Attack path"));
    assertThat(entry).contains("node-builder-utils").contains("xmrig").contains("images/node-builder-18.cdx.json")
        .contains("build/0.log").contains("artifacts/sha256/");
    assertThat(rendered.html()).contains("<h2>Entry</h2>");
  }

  // ---------------------------------------------------------------------------------------------------- scope

  @Test
  void scopeOfTheAttackersAddress() throws Exception {
    ObjectNode r = ScopeCommand.run(endpoints.openSearchUrl(), List.of(new Scope.Indicator("ip", ATTACKER)));
    String as = Scope.table(r);
    // the job pod (its token's requests, its connections); the shell pod: the node role's calls from there were made
    // with the credentials it fetched from IMDS (session_imds_pod)
    assertThat(IncidentPipelineIT.values(r, "pods")).as(as).containsExactlyInAnyOrder(JOB, SHELL);
    assertThat(IncidentPipelineIT.values(r, "clusters")).as(as).containsExactly(CLUSTER);
    assertThat(IncidentPipelineIT.values(r, "accounts")).as(as).containsExactly(ACCT);
    assertThat(IncidentPipelineIT.values(r, "nodes")).as(as).allMatch(n -> n.startsWith("ip-10-61-7-19"));
    assertThat(r.path("incidents")).as(as).extracting(x -> x.path("incident_id").asText())
        .contains(incident.path("incident_id").asText());
  }

  @Test
  void scopeOfThePoolsDomainAndTheMinersProcess() throws Exception {
    for (Scope.Indicator i : List.of(new Scope.Indicator("domain", "xmr.pool-eu.example"),
        new Scope.Indicator("process", "node-gc"))) {
      ObjectNode r = ScopeCommand.run(endpoints.openSearchUrl(), List.of(i));
      String as = i.type() + " " + Scope.table(r);
      assertThat(IncidentPipelineIT.values(r, "pods")).as(as).containsExactly(MINER);
      assertThat(IncidentPipelineIT.values(r, "containers")).as(as).containsExactly(MINER_CTR);
      assertThat(r.path("incidents")).as(as).extracting(x -> x.path("incident_id").asText())
          .contains(incident.path("incident_id").asText());
    }
  }

  @Test
  void scopeOfTheImageDigest() throws Exception {
    ObjectNode r = ScopeCommand.run(endpoints.openSearchUrl(), List.of(new Scope.Indicator("image_digest", MAL_DIGEST)));
    String as = Scope.table(r);
    assertThat(IncidentPipelineIT.values(r, "pods")).as(as).containsExactlyInAnyOrder(JOB, MINER);
    assertThat(IncidentPipelineIT.values(r, "containers")).as(as).containsExactlyInAnyOrder(BUILD_CTR, MINER_CTR);
    assertThat(IncidentPipelineIT.values(r, "clusters")).as(as).containsExactly(CLUSTER);
  }

  @Test
  void scopeOfTheStolenRole() throws Exception {
    ObjectNode r = ScopeCommand.run(endpoints.openSearchUrl(), List.of(new Scope.Indicator("principal", NODE_SESSION)));
    String as = Scope.table(r);
    assertThat(IncidentPipelineIT.values(r, "nodes")).as(as).allMatch(n -> n.startsWith("ip-10-61-7-19")).isNotEmpty();
    assertThat(IncidentPipelineIT.values(r, "accounts")).as(as).containsExactly(ACCT);
    // the pod that fetched the role's credentials from IMDS before they were used from outside
    assertThat(IncidentPipelineIT.values(r, "pods")).as(as).containsExactly(SHELL);
    assertThat(r.path("incidents")).as(as).extracting(x -> x.path("incident_id").asText())
        .contains(incident.path("incident_id").asText());
  }

  // --------------------------------------------------------------------------------------------------- report

  @Test
  void theReportRendersTheIncident(@TempDir Path out) throws Exception {
    ScenarioRun.Report rendered = ScenarioRun.report(endpoints, incident, out);
    for (String report : List.of(rendered.html(), rendered.md())) {
      assertThat(report).contains(JOB).contains(SHELL).contains(ATTACKER).doesNotContain(SHOP).doesNotContain(OTHER);
    }
    assertThat(rendered.html()).startsWith("<!DOCTYPE html>").contains("<svg").contains("artifacts/sha256/");
    // the entity graph: the job pod runs as its service account for its whole life (the fact of its creation was
    // closed by the scheduler's event a second later, which stated its node only)
    // the stolen node role's session drawn to the pod that read its credentials from IMDS
    assertThat(rendered.md()).containsPattern("\\| `session: " + java.util.regex.Pattern.quote(NODE_SESSION)
        + "` \\| credentials fetched from IMDS by \\| `pod: " + NS + "/" + SHELL + "` \\|");
    assertThat(rendered.md()).containsPattern("\\| `pod: " + NS + "/" + JOB + "` \\| runs as \\| `service_account: " + SA
        + "` \\| [0-9T:.\\-]+Z \\| open \\|");
  }

  // ------------------------------------------------------------------------------------------------- helpers

  static String describe(JsonNode s) {
    return s.path("source_format").asText() + " " + s.path("activity_name").asText() + " " + s.path("time").asText() + " "
        + s.path("message").asText("").replaceAll("\\s+", " ");
  }
}
