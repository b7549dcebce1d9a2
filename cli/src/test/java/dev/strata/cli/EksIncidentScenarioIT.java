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
import java.util.List;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An EKS incident on a containerd node with Tetragon and Falco, end to end on the embedded stack, as {@code strata demo
 * --evidence} runs it (collect -> parse -> correlate -> incidents -> scope -> report). The bundle is
 * {@code scenarios/eks/bundle} (written by {@code make_eks_scenario.py}; README.md there tells the story and each
 * file's provenance): two clusters in two accounts whose VPCs share 10.0.3.0/24; in prod-eks the pod
 * web/checkout-7c9d8f6b5-k2x7p on 10.0.3.25 is exploited at 10:09:55 (a SpEL injection in its CRI log), its shell
 * downloads and runs /tmp/.kworker from 203.0.113.66 (Tetragon exec / connect / file write, some without pod info;
 * Falco with only the container id; the dropped binary in the overlay upper dir), someone execs into it from that
 * address, its service account reads a secret, its IRSA role's session reads Secrets Manager, and the session's
 * credentials are used from 203.0.113.66; the pod is deleted at 10:30 and web/cart-... gets 10.0.3.25 at 10:35.
 * stage-eks runs batch/report-gen on 10.0.3.25 the whole time. Collected with 4 KiB chunks, so the node's containerd
 * log is many chunks and the pod's sandbox line is not in its container's chunk (the normal case for a node log).
 * One pipeline run, shared by the tests.
 *
 * Two neighbours run on the same node: web/inventory (noisy: probes, a cron process, CRI log lines, a flow to its
 * database) whose evidence must stay out of the incident, and web/recommender, which fetches a file from the attacker's
 * address (it comes in through that address) and whose EKS Pod Identity credentials are used from the attacker's
 * address (the call resolves its pod from EKS's session tags). A responder's process on the node itself (crictl,
 * outside any container) is node-level evidence and comes in.
 *
 * <p>The node's containerd snapshotter database ({@code metadata.db}, bbolt, written by bbolt as containerd does)
 * names the snapshot of each writable layer: the dropped binary is the checkout container's.
 */
class EksIncidentScenarioIT extends AbstractScenarioIT {
  static final String ATTACKER = "203.0.113.66";
  static final String POD = "checkout-7c9d8f6b5-k2x7p";
  static final String CART = "cart-5b6c7d8e9-q4w5e";
  static final String STAGE_POD = "report-gen-28472910-x8k2m";
  static final String NODE = "ip-10-0-3-41.ec2.internal";
  static final String CTR = "c1ec" + "4b".repeat(30);
  static final String CTR2 = "ca2e" + "7d".repeat(30);
  static final String SANDBOX = "5a1d" + "0e".repeat(30);
  static final String DIGEST = "sha256:" + "9c1e".repeat(16);
  static final String ROLE = "arn:aws:iam::111111111111:role/checkout-irsa";
  static final String SESSION = "arn:aws:sts::111111111111:assumed-role/checkout-irsa/botocore-session-1795424040";
  static final String POD_IP = "10.0.3.25";
  /** The noisy neighbour on the same node: its evidence stays out of the incident. */
  static final String INV = "inventory-6f7d8c9b4-n3p5r";
  static final String INV_CTR = "1b7e" + "3c".repeat(30);
  /** The neighbour that connects to the attacker's address (with EKS Pod Identity credentials): it comes in. */
  static final String REC = "recommender-5d4c3b2a1-w9x8y";
  static final String REC_CTR = "4ec0" + "5d".repeat(30);
  static final String REC_SESSION =
      "arn:aws:sts::111111111111:assumed-role/recommender-podid/eks-prod-eks-recommende-2f9e1c3a-5b7d-4e8f-9a0b-1c2d3e4f5a6b";

  @BeforeAll
  void runPipeline(StackEndpoints endpoints) throws Exception {
    this.endpoints = endpoints;
    Path home = ScenarioRun.home();
    Path bundle = nodeAsCollected(home.resolve("cli/src/test/resources/scenarios/eks/bundle"));
    pipeline = new EvidencePipeline(EvidencePipeline.Services.of(endpoints));
    runId = ScenarioRun.run(pipeline, endpoints, "eks-it", bundle,
        CollectorOptions.defaults().toBuilder().chunkSize(4096).build());
    incidents = ScenarioRun.incidentsWith(pipeline, "web/" + POD, true);
    incident = incidents.size() == 1 ? incidents.get(0).path("_source") : null;
  }

  /**
   * The bundle as the node had it: git keeps no modification times, and the overlay listing reports a file's mtime as
   * its time; the dropped binary was written at 10:09:56 (Tetragon's write). The app's lock file keeps the mtime of
   * the checkout, like a file touched on the collection day: an event two days after the rest of the evidence (it
   * used to seal every incident of the bundle behind its watermark: IncidentJob.watermarks).
   */
  static Path nodeAsCollected(Path bundle) throws Exception {
    Path root = Files.createTempDirectory("strata-eks-it-");
    try (var files = Files.walk(bundle)) {
      for (Path f : (Iterable<Path>) files::iterator) {
        Path to = root.resolve(bundle.relativize(f).toString());
        if (Files.isDirectory(f)) Files.createDirectories(to);
        else Files.copy(f, to, java.nio.file.StandardCopyOption.COPY_ATTRIBUTES);
      }
    }
    Path fs = root.resolve("prod/nodes/ip-10-0-3-41/var/lib/containerd/io.containerd.snapshotter.v1.overlayfs/snapshots/57/fs");
    Files.setLastModifiedTime(fs.resolve("tmp/.kworker"),
        java.nio.file.attribute.FileTime.from(java.time.Instant.parse("2026-11-22T10:09:56Z")));
    return root;
  }

  /** What the run produced (ScenarioRun.dump): for reading a failure. */
  @Override
  public void dump(Path to) throws Exception {
    ScenarioRun.dump(pipeline, runId, incident, List.of("111111111111"), "", to);
  }

  @Test
  void oneOpenIncidentOnTheExploitedPod() {
    assertThat(incidents).as("one open incident on the exploited pod").hasSize(1);
  }

  // ------------------------------------------------------------------------------------------------ attribution

  @Test
  void everyEventOfTheExploitedPodIsAttributedToItsPodContainerNodeClusterServiceAccountAndRole() throws Exception {
    List<String> wrong = new ArrayList<>();
    // the runtime's own evidence of the pod's container: containerd lines, Tetragon (with and without pod info),
    // Falco (container id only), the CRI log
    for (String q : List.of(
        // its lifecycle lines, StopContainer's and RemoveContainer's results after its TaskExit included (a container
        // id names nobody else after its end)
        "source_format:containerd_daemon_log AND container.uid:" + CTR,
        // the dropped binary in its writable layer (the snapshot's container from the snapshotter's metadata.db)
        "source_format:overlay_upper_changes AND file.path:\"/tmp/.kworker\"",
        "source_format:tetragon_event AND time:[\"2026-11-22T10:09:00Z\" TO \"2026-11-22T10:17:00Z\"] AND NOT kubernetes.pod_name:"
            + INV,
        "source_format:falco_alert",
        "source_format:cri_log AND kubernetes.pod_name:" + POD)) {
      JsonNode hits = search(q);
      assertThat(hits).as(q).isNotEmpty();
      for (JsonNode h : hits) expectCheckout(h.path("_source"), wrong);
    }
    assertThat(wrong).as("events of the checkout container not attributed to it").isEmpty();
  }

  /** The checkout pod's identity, as of its own time. */
  static void expectCheckout(JsonNode ev, List<String> wrong) {
    // a CRI log line names its container by name (its path): pod_container gives it the id, and the id its image
    new ScenarioRun.Workload("web/" + POD, NODE, null, "prod-eks", "web/checkout", ROLE).expect(ev, wrong, CTR, DIGEST);
  }


  @Test
  void theAddressIsTheCheckoutPodsUntilItEndsThenTheCartPodsAndTheStageClustersIsItsOwn() throws Exception {
    JsonNode prod = search("source_format:aws_vpc_flow AND cloud.account_uid:111111111111 AND NOT src_endpoint.ip:10.0.3.31");
    assertThat(prod).hasSize(4);
    for (JsonNode h : prod) {
      JsonNode s = h.path("_source");
      String t = s.path("time").asText();
      String pod = s.at("/enrichment/pod_name").asText();
      assertThat(pod).as("flow at " + t).isEqualTo(t.compareTo("2026-11-22T10:30") < 0 ? POD : CART);
      assertThat(s.at("/enrichment/cluster").asText()).as(t).isEqualTo("prod-eks");
      assertThat(s.at("/enrichment/instance_uid").asText()).as(t).isEqualTo("i-0a41b2c3d4e5f6a78");
      if (pod.equals(CART)) assertThat(s.at("/enrichment/iam_role").asText("")).as(t).isEmpty();
      else assertThat(s.at("/enrichment/iam_role").asText()).as(t).isEqualTo(ROLE);
    }
    JsonNode stage = search("source_format:aws_vpc_flow AND cloud.account_uid:222222222222");
    assertThat(stage).hasSize(2).allSatisfy(h -> {
      assertThat(h.at("/_source/enrichment/pod_name").asText()).isEqualTo(STAGE_POD);
      assertThat(h.at("/_source/enrichment/cluster").asText()).isEqualTo("stage-eks");
    });
    // the later pod's own runtime evidence is its own
    JsonNode cart = search("source_format:tetragon_event AND time:[\"2026-11-22T10:35:00Z\" TO \"2026-11-22T10:40:00Z\"]");
    assertThat(cart).hasSize(1);
    assertThat(cart.get(0).at("/_source/enrichment/pod_name").asText()).isEqualTo(CART);
    JsonNode created = search("source_format:containerd_daemon_log AND container.uid:" + CTR2
        + " AND activity_name:created");
    assertThat(created).hasSize(1);
    assertThat(created.get(0).at("/_source/enrichment/pod_name").asText()).isEqualTo(CART);
    // nothing after the checkout pod's end resolves to it, but what names its container (a container id names
    // nobody else, ever: the writable layer's files touched on the collection day)
    JsonNode after = search("enrichment.pod_name:" + POD + " AND time:[\"2026-11-22T10:30:30Z\" TO *] AND NOT container.uid:"
        + CTR);
    assertThat(after).as("events after the pod's end attributed to it").isEmpty();
  }

  /**
   * The IRSA session's calls, from the pod (GetSecretValue through a VPC endpoint) and from the attacker's address
   * (ListBuckets, GetObject: the stolen credentials), are the pod's: the session is bound to the pod that asked for it
   * (its AssumeRoleWithWebIdentity came through the STS VPC endpoint from the pod's address: SessionPods' strongest
   * rule, 0.9; the kubelet's TokenRequest, the weaker one, is in the audit log too), then its node at hop 2.
   */
  @Test
  void cloudTrailOfTheIrsaSessionIsThePodsFromInsideAndOutside() throws Exception {
    JsonNode calls = search("source_format:aws_cloudtrail AND actor.credential_uid:ASIAEKSCHECKOUT00001");
    assertThat(calls).hasSize(3);
    List<String> wrong = new ArrayList<>();
    for (JsonNode h : calls) {
      JsonNode e = h.at("/_source/enrichment");
      String what = h.at("/_source/api/operation").asText() + " from " + h.at("/_source/src_endpoint/ip").asText();
      check(wrong, what, "pod", e.path("namespace").asText() + "/" + e.path("pod_name").asText(), "web/" + POD);
      check(wrong, what, "node", e.path("node_name").asText(), NODE);
      check(wrong, what, "cluster", e.path("cluster").asText(), "prod-eks");
      check(wrong, what, "service account", e.path("service_account").asText(), "web/checkout");
      check(wrong, what, "role", e.path("iam_role").asText(), ROLE);
    }
    assertThat(wrong).isEmpty();
    JsonNode facts = pipeline.send("POST", "/strata-bindings-*/_search", "{\"size\":10,\"query\":{\"bool\":{\"filter\":["
        + "{\"term\":{\"kind\":\"session_pod\"}},{\"term\":{\"subject.key\":\"" + SESSION + "\"}}]}}}").at("/hits/hits");
    assertThat(facts).hasSize(1);
    assertThat(facts.get(0).at("/_source/object/key").asText()).isEqualTo("web/" + POD);
    assertThat(facts.get(0).at("/_source/confidence").asDouble()).isEqualTo(0.9, org.assertj.core.data.Offset.offset(1e-6));
  }

  /**
   * EKS Pod Identity: the recommender's session, issued by EKS's AssumeRole with the pod in its session tags, used from
   * the attacker's address: the call is the recommender pod's, with its node, cluster, service account and role.
   */
  @Test
  void aPodIdentitySessionUsedFromOutsideIsThePodItWasIssuedTo() throws Exception {
    JsonNode calls = search("source_format:aws_cloudtrail AND api.operation:ListBuckets AND actor.credential_uid:ASIAEKSRECOMMENDER01");
    assertThat(calls).hasSize(1);
    JsonNode e = calls.get(0).at("/_source/enrichment");
    assertThat(e.path("namespace").asText() + "/" + e.path("pod_name").asText()).isEqualTo("web/" + REC);
    assertThat(e.path("node_name").asText()).isEqualTo(NODE);
    assertThat(e.path("cluster").asText()).isEqualTo("prod-eks");
    assertThat(e.path("service_account").asText()).isEqualTo("web/recommender");
    assertThat(e.path("iam_role").asText()).isEqualTo("arn:aws:iam::111111111111:role/recommender-podid");
  }

  /** The neighbours' own evidence is theirs: the noisy one's process, flow, CRI lines and probes; the other's. */
  @Test
  void theNeighboursEvidenceIsTheirOwn() throws Exception {
    List<String> wrong = new ArrayList<>();
    for (String[] q : new String[][] {
        {"source_format:tetragon_event AND kubernetes.pod_name:" + INV, INV},
        {"source_format:aws_vpc_flow AND src_endpoint.ip:10.0.3.31", INV},
        {"source_format:cri_log AND kubernetes.pod_name:" + INV, INV},
        {"source_format:containerd_daemon_log AND container.uid:" + INV_CTR, INV},
        {"source_format:tetragon_event AND kubernetes.pod_name:" + REC, REC},
        {"source_format:cri_log AND kubernetes.pod_name:" + REC, REC}}) {
      JsonNode hits = search(q[0]);
      assertThat(hits).as(q[0]).isNotEmpty();
      for (JsonNode h : hits) {
        JsonNode e = h.at("/_source/enrichment");
        check(wrong, q[0] + " " + h.at("/_source/time").asText(), "pod", e.path("pod_name").asText(), q[1]);
        check(wrong, q[0] + " " + h.at("/_source/time").asText(), "node", e.path("node_name").asText(), NODE);
      }
    }
    assertThat(wrong).isEmpty();
  }

  // ------------------------------------------------------------------------------------------------- incident

  @Test
  void theIncidentHoldsTheExploitedPodsEvidenceInOrderAndNothingOfTheOthers() throws Exception {
    List<String> entities = new ArrayList<>();
    incident.path("entities").forEach(e -> entities.add(e.path("type").asText() + ":" + e.path("key").asText()));
    assertThat(entities).contains("pod:web/" + POD, "container:" + CTR.substring(0, 12), "ip:" + ATTACKER,
        "cluster:prod-eks", "account:111111111111", "session:" + SESSION, "principal:ci-deployer",
        "node:ip-10-0-3-41", "instance:i-0a41b2c3d4e5f6a78",
        // the neighbour that connected to the attacker's address, and its credentials used from there
        "pod:web/" + REC, "session:" + REC_SESSION)
        .noneMatch(e -> e.contains(STAGE_POD) || e.contains("stage-eks"))
        // EKS's AssumeRole names the cluster by its eks-cluster-name tag, not its ARN
        .noneMatch(e -> e.startsWith("cluster:arn:"))
        // neither the noisy neighbour nor the address's next holder (web/cart) on the same node
        .noneMatch(e -> e.contains(INV) || e.contains(INV_CTR.substring(0, 12)) || e.contains(CART)
            || e.contains(CTR2.substring(0, 12)));
    String id = incident.path("incident_id").asText();
    JsonNode rows = pipeline.send("POST", "/strata-timeline-*/_search", "{\"size\":1000,\"query\":{\"term\":{\"incident_id\":\""
        + id + "\"}},\"sort\":[{\"time\":\"asc\"},{\"event_id\":\"asc\"}]}").at("/hits/hits");
    assertThat(rows.size()).isEqualTo(incident.path("event_count").asInt());
    String previous = "";
    java.util.Set<String> rowIds = new java.util.HashSet<>();
    TreeSet<String> formats = new TreeSet<>();
    List<String> signals = new ArrayList<>();
    for (JsonNode r : rows) {
      JsonNode s = r.path("_source");
      assertThat(s.path("time").asText()).as("ordered").isGreaterThanOrEqualTo(previous);
      previous = s.path("time").asText();
      assertThat(s.path("artifact_sha256").asText()).as("lineage of " + s.path("summary").asText())
          .matches("[0-9a-f]{64}");
      formats.add(s.path("source_format").asText());
      rowIds.add(s.path("event_id").asText());
      assertThat(s.toString()).doesNotContain(STAGE_POD).doesNotContain(INV).doesNotContain(CART);
      if (s.path("signal").asBoolean()) signals.add(s.path("summary").asText());
    }
    // every signal is the exploited pod's (the next holder's and the neighbours' events are context at most: see
    // the class doc)
    assertThat(signals).hasSize(incident.path("signals").asInt()).noneMatch(x -> x.contains(CART));
    assertThat(String.join("\n", signals)).contains(".kworker").contains("pods/exec");
    // the shell came through kubectl exec (pods/exec in the audit log): no exec_without_api_record (RuntimeExecAudit;
    // this bundle's Tetragon execs are no runtime execs, parent runc, so none is judged either way)
    assertThat(signals).noneMatch(x -> x.contains("not through the API server"));
    assertThat(formats).contains("tetragon_event", "falco_alert", "k8s_audit", "aws_cloudtrail", "overlay_upper_changes");
    // in: the neighbour's connection to the attacker's address, its session's call from there, the responder's
    // process on the node (outside any container: the node's host evidence joins by the node); out: every event of
    // the noisy neighbour and of the next holder, and (since session 16) the node's instance-role call (the Pod
    // Identity agent's AssumeRoleForPodIdentity at 09:01, from the node's address with the node role): it shares only
    // the node and instance the checkout pod runs on, and the incident holds no node-level signal nor an IMDS fetch of
    // the node role by the pod (docs/incidents.md, "The incident link rule, session 16")
    for (String q : List.of(
        "source_format:tetragon_event AND kubernetes.pod_name:" + REC + " AND activity_name:tcp_connect",
        "source_format:aws_cloudtrail AND actor.credential_uid:ASIAEKSRECOMMENDER01",
        "source_format:tetragon_event AND process.name:crictl")) {
      JsonNode hits = search(q);
      assertThat(hits).as(q).isNotEmpty();
      for (JsonNode h : hits) assertThat(rowIds).as("in the incident: " + q).contains(h.at("/_source/event_id").asText());
    }
    // the SpEL injection's connection (203.0.113.66 -> the pod's 8080 at 10:09:50, the nearest public flow to the pod
    // before its first execution signal at 10:09:55) is the entry row (EntryFlows, session 16)
    JsonNode entry = incident.path("attack_path").get(0);
    assertThat(entry.path("stage").asText()).isEqualTo("ENTRY");
    assertThat(entry.path("first_time").asText()).startsWith("2026-11-22T10:09:50");
    assertThat(String.join("\n", signals)).contains(ATTACKER + ":51515 -> 10.0.3.25:8080")
        .contains("(entry: the nearest inbound connection from a public address");
    JsonNode nodeRole = search("source_format:aws_cloudtrail AND api.operation:AssumeRoleForPodIdentity");
    assertThat(nodeRole).isNotEmpty();
    for (JsonNode h : nodeRole) {
      assertThat(rowIds).as("the node role's call").doesNotContain(h.at("/_source/event_id").asText());
    }
    for (String q : List.of("enrichment.pod_name:" + INV, "enrichment.pod_name:" + CART)) {
      JsonNode hits = search(q);
      assertThat(hits).as(q).isNotEmpty();
      for (JsonNode h : hits) {
        assertThat(rowIds).as("not in the incident: " + q + " " + h.at("/_source/message").asText())
            .doesNotContain(h.at("/_source/event_id").asText());
      }
    }
  }

  /**
   * Tetragon's policy hits are signals only when a responder would call them one (TetragonSignals): the noisy
   * neighbour's cron job connecting to its database (a connect-egress policy hit) opens no incident; the dropped
   * binary's exec from /tmp is a signal of the checkout pod's incident, the policies' routine connects and writes
   * under /tmp are its context.
   */
  @Test
  void onlyTetragonHitsAResponderCallsASignalAreSignals() throws Exception {
    assertThat(ScenarioRun.incidentsWith(pipeline, "web/" + INV, false)).as("an incident of the noisy neighbour").isEmpty();
    String id = incident.path("incident_id").asText();
    JsonNode rows = pipeline.send("POST", "/strata-timeline-*/_search", "{\"size\":100,\"query\":{\"bool\":{\"filter\":["
        + "{\"term\":{\"incident_id\":\"" + id + "\"}},{\"term\":{\"source_format\":\"tetragon_event\"}}]}}}")
        .at("/hits/hits");
    List<String> signals = new ArrayList<>();
    List<String> context = new ArrayList<>();
    for (JsonNode r : rows) {
      (r.at("/_source/signal").asBoolean() ? signals : context).add(r.at("/_source/summary").asText());
    }
    assertThat(signals).as("Tetragon signals").hasSize(1).allMatch(x -> x.contains("/tmp/.kworker"));
    assertThat(context).as("Tetragon context").anyMatch(x -> x.contains("tcp_connect"))
        .anyMatch(x -> x.contains("security_file_permission"));
  }

  // ---------------------------------------------------------------------------------------------------- scope

  @Test
  void scopeOfEachIndicatorIsExactlyTheInvolvedEntities() throws Exception {
    for (Scope.Indicator i : List.of(new Scope.Indicator("ip", ATTACKER), new Scope.Indicator("image_digest", DIGEST),
        new Scope.Indicator("principal", SESSION), new Scope.Indicator("service_account", "system:serviceaccount:web:checkout"),
        new Scope.Indicator("process", ".kworker"))) {
      ObjectNode r = ScopeCommand.run(endpoints.openSearchUrl(), List.of(i));
      String as = i.type() + " " + i.value() + ": " + Scope.table(r);
      // the attacker's address: the exploited pod and the neighbour that fetched from it (with its credentials)
      boolean ip = i.type().equals("ip");
      if (ip) assertThat(IncidentPipelineIT.values(r, "pods")).as(as).containsExactlyInAnyOrder(POD, REC);
      else assertThat(IncidentPipelineIT.values(r, "pods")).as(as).containsExactly(POD);
      assertThat(IncidentPipelineIT.values(r, "clusters")).as(as).containsExactly("prod-eks");
      assertThat(IncidentPipelineIT.values(r, "accounts")).as(as).containsExactly("111111111111");
      assertThat(IncidentPipelineIT.values(r, "nodes")).as(as).allMatch(n -> n.startsWith("ip-10-0-3-41"));
      // the pod's container, one row whatever id length a source gave; its pod sandbox (pause) is the pod's too
      assertThat(IncidentPipelineIT.values(r, "containers")).as(as).isSubsetOf(CTR, SANDBOX, REC_CTR);
      if (!ip) assertThat(IncidentPipelineIT.values(r, "containers")).as(as).doesNotContain(REC_CTR);
      // the session's calls name the pod by its address, not one of its containers
      if (!i.type().equals("principal")) assertThat(IncidentPipelineIT.values(r, "containers")).as(as).contains(CTR);
      assertThat(r.path("incidents")).as(as).extracting(x -> x.path("incident_id").asText())
          .contains(incident.path("incident_id").asText());
    }
  }

  // --------------------------------------------------------------------------------------------------- report

  @Test
  void theReportRendersTheIncident(@TempDir Path out) throws Exception {
    ScenarioRun.Report rendered = ScenarioRun.report(endpoints, incident, out);
    String html = rendered.html();
    String md = rendered.md();
    assertThat(html).startsWith("<!DOCTYPE html>").contains("<svg").contains(POD).contains(ATTACKER)
        .contains("artifacts/sha256/").doesNotContain(STAGE_POD);
    assertThat(md).contains(POD).contains(".kworker").contains("pods/exec").doesNotContain(STAGE_POD);
    // the neighbour that reached the attacker is in the report; the noisy neighbour and the next holder are not
    for (String report : List.of(html, md)) {
      assertThat(report).contains(REC).doesNotContain(INV).doesNotContain(CART);
    }
  }

  /** This run's events matching a query_string query. */
  JsonNode search(String query) throws Exception {
    String q = "(" + query + ") AND lineage.collector_run_id:\"" + runId + "\"";
    return pipeline.send("POST", "/" + dev.strata.sink.opensearch.IndexTemplates.EVENTS_INDEX + "/_search",
        "{\"size\":200,\"query\":{\"query_string\":{\"query\":\"" + q.replace("\"", "\\\"") + "\"}}}")
        .at("/hits/hits");
  }
}
