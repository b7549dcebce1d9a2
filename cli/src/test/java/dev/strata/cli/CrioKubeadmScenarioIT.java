package dev.strata.cli;

import static dev.strata.cli.ScenarioRun.check;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.strata.infra.StackEndpoints;
import dev.strata.infra.Topics;
import dev.strata.ingest.CollectorOptions;
import dev.strata.ingest.ProgressListener;
import dev.strata.ingest.checkpoint.CheckpointedPublisher;
import dev.strata.ingest.s3.S3Clients;
import dev.strata.ingest.s3.S3Puller;
import dev.strata.ingest.s3.S3Source;
import dev.strata.job.ParseJobConfig;
import dev.strata.sink.s3.S3EvidenceStore;
import dev.strata.sink.s3.S3EvidenceStoreConfig;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * A kubeadm cluster on EC2 with CRI-O and a thin audit policy, written as an outside assessor would (scenarios/crio:
 * README.md tells the story, the known answers and each file's provenance; make_crio_scenario.py writes the bundle).
 * An exposed JupyterLab (no token) behind a NodePort -> a reverse shell -> the notebook's service account token ->
 * a privileged pod in another namespace (the token may create pods there) -> nsenter into the node -> IMDSv2 -> the
 * instance role's credentials used from the attacker's host (S3, Secrets Manager). The evidence is thin and shaped
 * differently from the other scenarios: the audit log is at Metadata level (no request or response objects: no pod
 * -> node or pod -> address from the apiserver), Falco cannot reach CRI-O's socket (container.id only, k8s fields
 * {@code <NA>}), CRI-O's journal and /var/log/pods (with the kubelet's absolute /var/log/containers symlinks,
 * dangling off the node), snapshots of {@code kubectl get pods -A -o json} (after the attacker's pod was deleted)
 * and {@code kubectl get events -A -o json}, CloudTrail and VPC Flow Logs (default v2: no instance id) pulled from
 * the log bucket by {@code strata pull-s3}. Bystanders: the other tenant's web front on the same node, and its cart
 * service, which gets the attacker's deleted pod's address and talks to the same database.
 *
 * <p>Assertions that main did not satisfy when this test was written are fixed or marked {@code GAP:} with what is
 * missing (docs/incidents.md, "Scenario: a kubeadm cluster with CRI-O and a thin audit log").
 */
class CrioKubeadmScenarioIT extends AbstractScenarioIT {
  static final String ACCT = "314159265358";
  static final String CLUSTER = "ml-kubeadm";
  static final String ATTACKER = "203.0.113.88";
  static final String NODE = "ip-10-40-3-17";
  static final String NODE_IP = "10.40.3.17";
  static final String INSTANCE = "i-0a9b8c7d6e5f40312";
  static final String NODE_SESSION = "arn:aws:sts::314159265358:assumed-role/ml-kubeadm-node/i-0a9b8c7d6e5f40312";
  static final String NODE_ROLE = "arn:aws:iam::314159265358:role/ml-kubeadm-node";
  static final String JUP = "jupyter-0";
  static final String JUP_POD = "ml/" + JUP;
  static final String JUP_IP = "10.40.3.91";
  static final String JUP_CTR = "c0de" + "51".repeat(30);
  static final String JUP_DIGEST = "sha256:" + "9f3a".repeat(16);
  static final String JUP_SA = "ml/notebook";
  static final String SYNC = "sync-7x2q";
  static final String SYNC_POD = "ml-batch/" + SYNC;
  static final String SYNC_IP = "10.40.3.120";
  static final String SYNC_CTR = "5ca1" + "e2".repeat(30);
  // bystanders: the other tenant's pods on the same node
  static final String WEB = "web-6b7c8d9f5-p4q5r";
  static final String WEB_CTR = "b0b0" + "3c".repeat(30);
  static final String CART = "cart-5d8f7b9c4-x2x9k";
  static final String CART_CTR = "ca7e" + "4d".repeat(30);

  @BeforeAll
  void runPipeline(StackEndpoints endpoints) throws Exception {
    this.endpoints = endpoints;
    Path bundle = ScenarioRun.home().resolve("cli/src/test/resources/scenarios/crio/bundle");
    pipeline = new EvidencePipeline(EvidencePipeline.Services.of(endpoints));
    pipeline.prepare();
    String name = "crio-it";
    String parseGroup = pipeline.newGroupAtEndOfRawTopic(name);
    String correlateGroup = IncidentPipelineIT.groupAtEnd(endpoints.kafkaBootstrap(), Topics.NORMALIZED, name + "-correlate");
    String incidentGroup = IncidentPipelineIT.groupAtEnd(endpoints.kafkaBootstrap(), Topics.ENRICHED, name + "-incidents");
    // what the responder collected from the nodes and the cluster
    runId = pipeline.collect(collectedFiles(bundle), CollectorOptions.defaults(), ProgressListener.NONE).runId();
    // CloudTrail and the flow logs: pulled from the log bucket (the embedded S3 server) under the same run id
    pullFromLogBucket(bundle.resolve("s3"));
    pipeline.runJob(pipeline.jobConfig(true, parseGroup, ParseJobConfig.StartingOffsets.COMMITTED));
    var correlate = pipeline.correlateConfig(true, correlateGroup);
    pipeline.runCorrelate(correlate);
    pipeline.runIncidents(pipeline.incidentConfig(true, incidentGroup, correlate.enrichedTopic()));
    pipeline.send("POST", "/strata-*/_refresh", null);
    incidents = ScenarioRun.incidentsWith(pipeline, SYNC_POD, true);
    incident = incidents.size() >= 1 ? incidents.get(0).path("_source") : null;
    // what the run produced, for reading a failure (target/crio-dump.txt)
  }

  /** The bundle without the bucket's objects; symlinks copied as links (the kubelet's absolute ones dangle here). */
  static Path collectedFiles(Path bundle) throws Exception {
    Path root = Files.createTempDirectory("strata-crio-it-");
    try (var files = Files.walk(bundle)) {
      for (Path f : (Iterable<Path>) files::iterator) {
        Path rel = bundle.relativize(f);
        if (rel.toString().startsWith("s3")) continue;
        Path to = root.resolve(rel.toString());
        if (Files.isDirectory(f, LinkOption.NOFOLLOW_LINKS)) Files.createDirectories(to);
        else Files.copy(f, to, StandardCopyOption.COPY_ATTRIBUTES, LinkOption.NOFOLLOW_LINKS);
      }
    }
    return root;
  }

  /** Puts the objects into a log bucket of the embedded S3 server and runs {@code strata pull-s3 --once} over it. */
  void pullFromLogBucket(Path objects) throws Exception {
    String bucket = "org-logs-" + UUID.randomUUID().toString().substring(0, 8);
    S3EvidenceStoreConfig cfg = S3EvidenceStoreConfig.of(endpoints.s3Endpoint(), endpoints.s3Region(),
        endpoints.evidenceBucket(), endpoints.s3AccessKey(), endpoints.s3SecretKey());
    try (S3Client s3 = S3EvidenceStore.newClient(cfg); var files = Files.walk(objects)) {
      s3.createBucket(b -> b.bucket(bucket));
      for (Path f : (Iterable<Path>) files.filter(Files::isRegularFile)::iterator) {
        String key = objects.relativize(f).toString().replace('\\', '/');
        s3.putObject(b -> b.bucket(bucket).key(key), RequestBody.fromFile(f));
      }
    }
    S3Source source = new S3Source(bucket, List.of(ACCT), null, null, null, endpoints.s3Region(), null, null,
        endpoints.s3Endpoint(), endpoints.s3AccessKey(), new S3Source.Secret(endpoints.s3SecretKey()));
    Path spool = Files.createTempDirectory("strata-crio-spool-");
    S3Puller.Options options = S3Puller.Options.defaults(spool).withOnce(true)
        .withCollector(CollectorOptions.defaults().toBuilder().runId(runId).build());
    try (CheckpointedPublisher publisher = CheckpointedPublisher.open(endpoints.kafkaBootstrap(), java.util.Map.of(),
        "crio-it-" + bucket)) {
      S3Puller.Summary summary = new S3Puller(List.of(source), S3Clients::create, publisher,
          EvidencePipeline.preserver(pipeline.store()), options, null).run();
      assertThat(summary.collected()).as(summary.line()).isEqualTo(2);
    }
  }

  /** What the run produced, one line per event (with its enrichment), then the incidents: for reading a failure. */
  @Override
  public void dump(Path to) throws Exception {
    ScenarioRun.dump(pipeline, runId, incident, List.of(ACCT), "", to);
  }

  // -------------------------------------------------------------------------------------------- every source read

  @Test
  void everyArtifactIsReadByItsFormatWithoutDeadLetters() throws Exception {
    for (String[] f : new String[][] {
        {"k8s_audit", "10"}, {"k8s_event", "7"}, {"cri_log", "20"}, {"crio_daemon_log", "17"}, {"falco_alert", "2"},
        {"tetragon_event", "19"}, {"k8s_pod", "3"}, {"k8s_service", "3"}, {"aws_cloudtrail", "5"}, {"aws_vpc_flow", "6"}}) {
      assertThat(search("source_format:" + f[0]).size()).as(f[0] + " events").isGreaterThanOrEqualTo(Integer.parseInt(f[1]));
    }
    // each container log read once: the /var/log/containers links are the same files (and dangle off the node)
    assertThat(search("source_format:cri_log AND kubernetes.pod_name:\"" + JUP + "\"")).as("the notebook's log lines").hasSize(6);
    JsonNode dead = ScenarioRun.deadLetters(pipeline, runId);
    assertThat(dead).as("dead letters").isEmpty();
  }

  // ------------------------------------------------------------------------------------------------ attribution

  @Test
  void theNotebooksRuntimeEvidenceIsTheNotebooks() throws Exception {
    List<String> wrong = new ArrayList<>();
    for (String q : List.of(
        "source_format:tetragon_event AND kubernetes.pod_name:\"" + JUP + "\"",
        "source_format:falco_alert AND container.uid:" + JUP_CTR.substring(0, 12),
        "source_format:cri_log AND kubernetes.pod_name:\"" + JUP + "\"")) {
      JsonNode hits = search(q);
      assertThat(hits).as(q).isNotEmpty();
      for (JsonNode h : hits) {
        JsonNode s = h.path("_source");
        JsonNode e = s.path("enrichment");
        String what = what(s);
        check(wrong, what, "pod", e.path("namespace").asText() + "/" + e.path("pod_name").asText(), JUP_POD);
        // a CRI log line (its path names namespace, pod, pod uid and container name, not the container id) got no
        // container, no image: nothing bound the container's name to its id (CRI-O's journal has no line for a container
        // older than the journal); now the pods snapshot does (k8s_pod)
        check(wrong, what, "container", e.path("container_uid").asText(), JUP_CTR);
        check(wrong, what, "image", e.path("image_digest").asText(), JUP_DIGEST);
        check(wrong, what, "node", e.path("node_name").asText(), NODE);
        check(wrong, what, "instance", e.path("instance_uid").asText(), INSTANCE);
        check(wrong, what, "cluster", e.path("cluster").asText(), CLUSTER);
        // no runtime event named the service account ml/notebook (at Metadata level the audit log has no pod spec);
        // now the pods snapshot's spec.serviceAccountName does
        check(wrong, what, "service account", e.path("service_account").asText(), JUP_SA);
      }
    }
    assertThat(wrong).as("notebook events not attributed to it").isEmpty();
  }

  /** The attacker's pod is gone from the pods snapshot: its runtime evidence is its own from CRI-O's log and Tetragon. */
  @Test
  void thePrivilegedPodsEvidenceIsItsOwnThoughItIsDeleted() throws Exception {
    List<String> wrong = new ArrayList<>();
    for (String q : List.of(
        "source_format:tetragon_event AND kubernetes.pod_name:\"" + SYNC + "\"",
        "source_format:falco_alert AND container.uid:" + SYNC_CTR.substring(0, 12),
        "source_format:crio_daemon_log AND kubernetes.pod_name:\"" + SYNC + "\"")) {
      JsonNode hits = search(q);
      assertThat(hits).as(q).isNotEmpty();
      for (JsonNode h : hits) {
        JsonNode s = h.path("_source");
        JsonNode e = s.path("enrichment");
        String what = what(s);
        check(wrong, what, "pod", e.path("namespace").asText() + "/" + e.path("pod_name").asText(), SYNC_POD);
        check(wrong, what, "node", e.path("node_name").asText(), NODE);
        check(wrong, what, "instance", e.path("instance_uid").asText(), INSTANCE);
        check(wrong, what, "cluster", e.path("cluster").asText(), CLUSTER);
      }
    }
    assertThat(wrong).as("the privileged pod's events not attributed to it").isEmpty();
  }

  /** The notebook's token's requests (from the notebook's own address) are the notebook pod's; the pod create a signal. */
  @Test
  void theTokensRequestsAreTheNotebooksAndThePodCreateIsASignal() throws Exception {
    JsonNode reqs = search("source_format:k8s_audit AND actor.user_name:\"system:serviceaccount:ml:notebook\"");
    assertThat(reqs).hasSize(5);
    List<String> wrong = new ArrayList<>();
    for (JsonNode h : reqs) {
      JsonNode s = h.path("_source");
      // a request about a pod (create, exec, delete of ml-batch/sync-7x2q) is that pod's; the others the token's pod
      boolean aboutAPod = s.at("/resources/0/type").asText().equals("pods") && !s.at("/resources/0/name").asText().isEmpty();
      String pod = s.at("/enrichment/namespace").asText() + "/" + s.at("/enrichment/pod_name").asText();
      if (aboutAPod) {
        check(wrong, what(s), "pod", pod, SYNC_POD);
      } else {
        // the token listing pods in another namespace (ml-batch) named no pod: the token's pod was named only when the
        // object was not a pod (fixed: a list of pods names no pod, so it is the token's pod's request)
        check(wrong, what(s), "pod", pod, JUP_POD);
      }
      // the pod's create comes before the scheduler's binding (10:08:02.51): no node yet
      if (!s.at("/api/operation").asText().equals("create") || !aboutAPod || s.path("time").asText().compareTo("2026-11-24T10:08:03") > 0) {
        check(wrong, what(s), "node", s.at("/enrichment/node_name").asText(), NODE);
        // and the node's instance (the lookups' node key, session 15): no Node object at Metadata level, so from the node's
        // own files, whose context names the host's cluster and cloud_instance
        check(wrong, what(s), "instance", s.at("/enrichment/instance_uid").asText(), INSTANCE);
      }
    }
    assertThat(wrong).isEmpty();
    JsonNode create = search("source_format:k8s_audit AND api.operation:create AND resources.type:pods AND actor.user_name:\"system:serviceaccount:ml:notebook\"");
    assertThat(create).hasSize(2); // the pod, its exec
    // neither the pod create in another namespace nor the exec into it was a signal (a service account's requests from
    // a private address were judged only when the pod's spec shows host namespaces: at Metadata level there is none),
    // so nothing joined the notebook's incident and the privileged pod's: now the exec into another namespace's pod is
    // (service_account_exec_other_namespace), and since session 15 the create too: a service account outside
    // kube-system creating a pod in another namespace (service_account_workload_other_namespace, any audit level)
    Set<String> signals = ScenarioRun.timelineIds(pipeline, incident, true);
    String exec = search("source_format:k8s_audit AND resources.subresource:exec AND actor.user_name:\"system:serviceaccount:ml:notebook\"")
        .get(0).at("/_source/event_id").asText();
    assertThat(signals).as("the exec into ml-batch's pod").contains(exec);
    String podCreate = null;
    for (JsonNode h : create) {
      if (h.at("/_source/resources/0/subresource").asText().isEmpty()) podCreate = h.at("/_source/event_id").asText();
    }
    assertThat(podCreate).as("the pod create").isNotNull();
    assertThat(signals).as("the pod create in ml-batch").contains(podCreate);
    // the shell crun exec'd in the pod (Tetragon, 10:09:02.095) is that exec's (audit 10:09:02.014): its row names the
    // token's account (RuntimeExecAudit); it is no exec_without_api_record
    JsonNode shells = search("source_format:tetragon_event AND process.parent_name:crun AND activity_name:Launch AND kubernetes.pod_name:sync-7x2q");
    assertThat(shells).isNotEmpty();
    boolean found = false;
    for (JsonNode r : ScenarioRun.timeline(pipeline, incident)) {
      if (!r.at("/_source/event_id").asText().equals(shells.get(0).at("/_source/event_id").asText())) continue;
      assertThat(r.at("/_source/summary").asText()).as("the crun exec's row")
          .contains("(pods/exec by system:serviceaccount:ml:notebook at 2026-11-24T10:09:02Z)")
          .doesNotContain("not through the API server");
      found = true;
    }
    assertThat(found).as("the crun exec's row is in the incident").isTrue();
  }

  /** The instance role's session from the attacker's host: the node's (its instance), signals of the incident. */
  @Test
  void theInstanceRolesCallsFromOutsideAreTheNodesAndSignals() throws Exception {
    JsonNode calls = search("source_format:aws_cloudtrail AND src_endpoint.ip:\"" + ATTACKER + "\"");
    assertThat(calls).hasSize(4);
    List<String> wrong = new ArrayList<>();
    for (JsonNode h : calls) {
      JsonNode s = h.path("_source");
      check(wrong, what(s), "instance", s.at("/enrichment/instance_uid").asText(), INSTANCE);
      check(wrong, what(s), "role", s.at("/enrichment/iam_role").asText(), NODE_ROLE);
    }
    assertThat(wrong).isEmpty();
    Set<String> signals = ScenarioRun.timelineIds(pipeline, incident, true);
    for (JsonNode h : calls) {
      assertThat(signals).as("a signal: " + h.at("/_source/api/operation").asText()).contains(h.at("/_source/event_id").asText());
    }
  }

  /**
   * The reused address: 10.40.3.120 was the attacker's pod until 10:40, the cart service's from 10:52; the flows to the
   * database at 10:15 and 11:00 are each its own pod's. The NodePort flows are the node's.
   */
  @Test
  void flowsOfTheReusedAddressAreEachTheirPodsAndTheNodePortIsTheNodes() throws Exception {
    List<String> wrong = new ArrayList<>();
    JsonNode db = search("source_format:aws_vpc_flow AND src_endpoint.ip:\"" + SYNC_IP + "\"");
    assertThat(db).hasSize(2);
    for (JsonNode h : db) {
      JsonNode s = h.path("_source");
      boolean attacker = s.path("time").asText().compareTo("2026-11-24T10:30") < 0;
      // the cart service's flow: its pod from the pods snapshot (bound from its start: 10:52:04). GAP: the attacker's
      // pod's flow names no pod: nothing binds 10.40.3.120 to it (deleted before the snapshot, no status bodies in the
      // audit log, Tetragon's tcp_connect saddr is not a binding: after nsenter it is the node's); never the cart's
      String got = s.at("/enrichment/pod_name").asText();
      if (attacker) {
        if (!got.isEmpty()) check(wrong, what(s), "pod", got, SYNC);
      } else {
        check(wrong, what(s), "pod", got, CART);
      }
    }
    for (JsonNode h : search("source_format:aws_vpc_flow AND dst_endpoint.port:30888")) {
      JsonNode s = h.path("_source");
      // the node's own address: every pod's status.hostIP in the pods snapshot binds 10.40.3.17 to the node (ip_node,
      // session 14); its instance (session 15): a v2 flow has no instance id and the Node object (its providerID) is
      // not in a Metadata-level audit log, but the node's files were collected with cloud_instance (the lookups' node key)
      check(wrong, what(s), "pod", s.at("/enrichment/pod_name").asText(), "");
      check(wrong, what(s), "node", s.at("/enrichment/node_name").asText(), NODE);
      check(wrong, what(s), "instance", s.at("/enrichment/instance_uid").asText(), INSTANCE);
    }
    assertThat(wrong).as("flows attributed wrongly").isEmpty();
  }

  @Test
  void theBystandersEvidenceIsTheirOwnAndOpensNoIncident() throws Exception {
    List<String> wrong = new ArrayList<>();
    for (String[] b : new String[][] {{WEB, WEB_CTR}, {CART, CART_CTR}}) {
      for (JsonNode h : search("kubernetes.pod_name:\"" + b[0] + "\" OR container.uid:" + b[1].substring(0, 12))) {
        JsonNode s = h.path("_source");
        check(wrong, what(s), "pod", s.at("/enrichment/pod_name").asText(), b[0]);
      }
    }
    assertThat(wrong).isEmpty();
    assertThat(ScenarioRun.incidentsWith(pipeline, "shop/" + WEB, false)).as("incidents holding the web front").isEmpty();
    assertThat(ScenarioRun.incidentsWith(pipeline, "shop/" + CART, false)).as("incidents holding the cart service").isEmpty();
  }

  // ------------------------------------------------------------------------------------------------- incident

  @Test
  void oneIncidentHoldsTheAttackAndNoBystander() throws Exception {
    // were two incidents, "Pod ml/jupyter-0: credential access, execution" (the token read) and "Pod ml-batch/sync-7x2q:
    // execution, credential access, exfiltration" (the exec, IMDS, the role's calls): what joined them (the notebook's
    // token exec'ing into the pod it created) was context, and context never links two incidents; the reverse shell
    // was no signal (Falco's rule is Notice), nor nsenter -t 1
    assertThat(incidents).as("open incidents holding the attack's pods").hasSize(1);
    assertThat(incident.path("title").asText()).as("title")
        .startsWith("Pod ml/jupyter-0: entry, execution, credential access, privilege escalation, exfiltration");
    List<String> entities = new ArrayList<>();
    for (JsonNode h : incidents) entities.addAll(ScenarioRun.entities(h.path("_source")));
    assertThat(entities).contains("pod:" + JUP_POD, "pod:" + SYNC_POD, "ip:" + ATTACKER, "cluster:" + CLUSTER,
            "account:" + ACCT, "session:" + NODE_SESSION, "instance:" + INSTANCE)
        .noneMatch(e -> e.contains(WEB) || e.contains(CART) || e.contains(WEB_CTR.substring(0, 12))
            || e.contains(CART_CTR.substring(0, 12)));
    Set<String> formats = new TreeSet<>();
    for (JsonNode r : ScenarioRun.timeline(pipeline, incident)) {
      JsonNode s = r.path("_source");
      formats.add(s.path("source_format").asText());
      assertThat(s.toString()).as("a bystander's row").doesNotContain(WEB).doesNotContain(CART);
    }
    assertThat(formats).contains("tetragon_event", "falco_alert", "k8s_audit", "aws_cloudtrail", "aws_vpc_flow");
    Set<String> stages = new HashSet<>();
    incident.path("attack_path").forEach(s -> stages.add(s.path("stage").asText()));
    assertThat(stages).as("attack path").contains("EXECUTION", "CREDENTIAL_ACCESS", "PRIVILEGE_ESCALATION", "EXFILTRATION");
    // the path starts at the entry (since session 17; before, at the reverse shell): the NodePort flow from the
    // attacker nearest before the notebook's first execution signal (the reverse shell at 10:04:31); since session 18
    // the services snapshot names the Service behind 30888 (ml/jupyter, selector app=jupyter: the notebook's label in
    // the pods snapshot), so the row names it and is no longer said as weaker (was: "no evidence names the Service");
    // the nearest is 10:03:58; a flow's node comes from the correlation job's node join, and a revision that names it
    // after the entry was decided does not move the entry (as for a pod's flows): under load the earlier connection
    // (10:02:14, the same attacker's) can be the one decided
    assertThat(incident.at("/attack_path/0/stage").asText()).isEqualTo("ENTRY");
    assertThat(incident.at("/attack_path/0/first_time").asText()).matches("2026-11-24T10:0(3:58|2:14)\\..*");
    assertThat(incident.at("/attack_path/1/stage").asText()).isEqualTo("EXECUTION");
    List<String> entryRows = new ArrayList<>();
    for (JsonNode r : ScenarioRun.timeline(pipeline, incident)) {
      String summary = r.at("/_source/summary").asText();
      if (summary.contains("(entry")) entryRows.add(r.at("/_source/signal").asBoolean() + " " + summary);
    }
    assertThat(entryRows).singleElement().asString().startsWith("true " + ATTACKER + ":551").contains(" -> 10.40.3.17:30888")
        .contains("(entry: the nearest inbound connection from a public address to NodePort 30888 of node " + NODE
            + ", which Service ml/jupyter (selector app=jupyter) forwards to its pods, " + JUP_POD + " among them, before"
            + " the pod's first execution / credential access signal at 2026-11-24T10:04:31").doesNotContain("weaker");
    List<String> signalRows = new ArrayList<>();
    for (JsonNode r : ScenarioRun.timeline(pipeline, incident)) {
      if (r.at("/_source/signal").asBoolean()) signalRows.add(r.at("/_source/summary").asText());
    }
    assertThat(String.join("\n", signalRows)).contains("/dev/tcp/" + ATTACKER).contains("nsenter")
        .contains("security-credentials").contains("GetSecretValue");
  }

  // ---------------------------------------------------------------------------------------------------- scope

  @Test
  void scopeOfTheAddressTheImageAndTheStolenRole() throws Exception {
    for (Scope.Indicator i : List.of(new Scope.Indicator("ip", ATTACKER), new Scope.Indicator("image_digest", JUP_DIGEST),
        new Scope.Indicator("principal", NODE_SESSION))) {
      ObjectNode r = ScopeCommand.run(endpoints.openSearchUrl(), List.of(i));
      String as = i.type() + " " + i.value() + ": " + Scope.table(r);
      assertThat(IncidentPipelineIT.values(r, "clusters")).as(as).containsExactly(CLUSTER);
      assertThat(IncidentPipelineIT.values(r, "accounts")).as(as).containsExactly(ACCT);
      assertThat(IncidentPipelineIT.values(r, "pods")).as(as).noneMatch(p -> p.equals(WEB) || p.equals(CART));
      // the address: both pods (the NodePort, the reverse shell's connect, the node role's calls); the image: the
      // notebook; the session: the privileged pod whose IMDS fetch handed it out
      List<String> pods = switch (i.type()) {
        case "ip" -> List.of(JUP, SYNC);
        case "image_digest" -> List.of(JUP);
        default -> List.of(SYNC);
      };
      assertThat(IncidentPipelineIT.values(r, "pods")).as(as).containsExactlyInAnyOrderElementsOf(pods);
      assertThat(IncidentPipelineIT.values(r, "nodes")).as(as).containsExactly(NODE);
      assertThat(r.path("incidents")).as(as).extracting(x -> x.path("incident_id").asText())
          .contains(incident.path("incident_id").asText());
    }
  }

  // --------------------------------------------------------------------------------------------------- report

  @Test
  void theReportRendersTheIncident(@TempDir Path out) throws Exception {
    ScenarioRun.Report rendered = ScenarioRun.report(endpoints, incident, out);
    assertThat(rendered.html()).startsWith("<!DOCTYPE html>").contains("<svg").contains(JUP).contains(ATTACKER)
        .contains("artifacts/sha256/");
    assertThat(rendered.md()).contains(JUP).contains(SYNC).contains(NODE_SESSION);
    for (String report : List.of(rendered.html(), rendered.md())) {
      assertThat(report).doesNotContain(WEB).doesNotContain(CART);
    }
  }

  static String what(JsonNode s) {
    return s.path("source_format").asText() + " " + s.path("activity_name").asText() + " " + s.path("time").asText()
        + " " + s.path("message").asText("").replaceAll("\\s+", " ");
  }
}
