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
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A fleet operator's leaked legacy service account token used from the internet to impersonate {@code system:admin}
 * ({@code system:masters}), read secrets across namespaces and {@code kubectl debug} the ledger API's pod with an
 * aws-cli ephemeral container targeting its process; from that shell the pod's IRSA token is read through
 * {@code /proc/1/root}, exchanged from the pod's own address, the ledger's exports read and copied into the attacker's
 * bucket in another account (the trail's file with the copy arrives late). Written as an outside assessor would
 * (scenarios/debug: README.md tells the story, the known answers and each file's provenance; make_debug_scenario.py
 * writes the bundle and the late file). Bystanders: the on-call SRE's own {@code kubectl debug} of the checkout pod on
 * the same node that morning (busybox, from the VPN), the fleet operator's own hourly impersonation of its tenant's
 * deployer from its pod, the ledger pod's own IRSA session and exports, and the staging cluster in another account
 * whose VPC reuses the range (its ledger pod has the production pod's address and writes to the organization's log
 * archive bucket, another account's, by design).
 *
 * <p>Assertions that main did not satisfy when this test was written are fixed or marked {@code GAP:} with what is
 * missing (docs/incidents.md, "Scenario: kubectl debug with an impersonating operator token").
 */
class KubectlDebugScenarioIT extends AbstractScenarioIT {
  static final String ACCT = "385726194013";
  static final String CLUSTER = "payments-eks";
  static final String NS = "payments";
  static final String ATTACKER = "203.0.113.77";
  static final String NODE = "ip-10-44-21-130.eu-west-1.compute.internal";
  static final String INSTANCE = "i-0a1b2c3d4e5f60789";
  static final String OP_USER = "system:serviceaccount:platform:fleet-operator";
  static final String OP_POD = "fleet-operator-6b7c8d9e0-h5j6k";
  static final String LEDGER = "ledger-api-7c9d8f6b5-q8w2z";
  static final String LEDGER_IP = "10.44.21.57";
  static final String MIG = "ledger-migrate-29381730-x7p2k";
  static final String LEDGER_CTR = "c41e" + "7a".repeat(30);
  static final String LEDGER_DIGEST = "sha256:" + "5e2a".repeat(16);
  static final String DBG = "debugger-x7k2p";
  static final String DBG_CTR = "d3b9" + "0c".repeat(30);
  static final String DBG_DIGEST = "sha256:" + "a7c1".repeat(16);
  static final String LEDGER_ROLE = "arn:aws:iam::385726194013:role/ledger-api-irsa";
  static final String SA = NS + "/ledger-api";
  static final String DEBUG_SESSION = "arn:aws:sts::385726194013:assumed-role/ledger-api-irsa/debug";
  static final String POD_SESSION = "arn:aws:sts::385726194013:assumed-role/ledger-api-irsa/botocore-session-1795420812";
  static final String DROP_BUCKET = "cdn-assets-backup-7731";
  // bystanders
  static final String CHK = "checkout-5f6a7b8c9-m3n4p";
  static final String SRE_DBG_CTR = "b7a4" + "e3".repeat(30);
  static final String BUSYBOX_DIGEST = "sha256:" + "9ae9".repeat(16);
  static final String SRE_IP = "192.0.2.10";
  static final String STG_ACCT = "604918273645";
  static final String STG_CLUSTER = "payments-eks-stg";
  static final String STG_POD = "ledger-api-5b6c7d8e9-t7y8u";
  static final String ARCHIVE_ACCT = "111122223333";

  @BeforeAll
  void runPipeline(StackEndpoints endpoints) throws Exception {
    this.endpoints = endpoints;
    Path scenario = ScenarioRun.home().resolve("cli/src/test/resources/scenarios/debug");
    pipeline = new EvidencePipeline(EvidencePipeline.Services.of(endpoints));
    // the organisation's accounts (production, staging, the log archive): a copy into any other account's bucket is
    // exfiltration (incident.known_accounts)
    runId = ScenarioRun.runWithLateEvidence(pipeline, endpoints, "debug-it", scenario.resolve("bundle"),
        scenario.resolve("late"), CollectorOptions.defaults(),
        dev.strata.job.incident.IncidentSettings.defaults().withKnownAccounts(List.of(ACCT, STG_ACCT, ARCHIVE_ACCT)));
    incidents = ScenarioRun.incidentsWith(pipeline, NS + "/" + LEDGER, true);
    incident = incidents.size() >= 1 ? incidents.get(0).path("_source") : null;
  }

  /** What the run produced (ScenarioRun.dump) and the incident's report beside it: for reading a failure. */
  @Override
  public void dump(Path to) throws Exception {
    ScenarioRun.dump(pipeline, runId, incident, List.of(ACCT, STG_ACCT), "", to);
    if (incident != null) ScenarioRun.report(endpoints, incident, Files.createDirectories(to.resolveSibling("debug-report")));
  }

  // -------------------------------------------------------------------------------------------- every source read

  @Test
  void everyArtifactIsReadByItsFormatWithoutDeadLetters() throws Exception {
    for (String[] f : new String[][] {
        {"k8s_audit", "32"}, {"k8s_pod", "3"}, {"cri_log", "31"}, {"tetragon_event", "13"}, {"aws_cloudtrail", "12"},
        {"aws_vpc_flow", "8"}}) {
      assertThat(search("source_format:" + f[0]).size()).as(f[0] + " events").isGreaterThanOrEqualTo(Integer.parseInt(f[1]));
    }
    assertThat(ScenarioRun.deadLetters(pipeline, runId)).as("dead letters").isEmpty();
  }

  // ------------------------------------------------------------------------------------------------ attribution

  /**
   * The attacker's ephemeral container: its shell's CRI log, Tetragon's execs, name the ledger pod and the debug
   * container, with the aws-cli image's digest (not the ledger's), the node, instance, cluster, service account, role.
   */
  @Test
  void theEphemeralContainersEvidenceIsItsOwnInTheLedgerPod() throws Exception {
    List<String> wrong = new ArrayList<>();
    for (String q : List.of("source_format:cri_log AND kubernetes.pod_name:\"" + LEDGER + "\" AND container.name:\"" + DBG + "\"",
        "source_format:tetragon_event AND container.uid:" + DBG_CTR)) {
      JsonNode hits = search(q);
      assertThat(hits).as(q).isNotEmpty();
      for (JsonNode h : hits) expectLedger(h.path("_source"), wrong, DBG_CTR, DBG_DIGEST);
    }
    for (JsonNode h : search("source_format:cri_log AND kubernetes.pod_name:\"" + LEDGER + "\" AND NOT container.name:\"" + DBG + "\"")) {
      expectLedger(h.path("_source"), wrong, LEDGER_CTR, LEDGER_DIGEST);
    }
    assertThat(wrong).as("ledger pod events attributed wrongly").isEmpty();
  }

  static final ScenarioRun.Workload LEDGER_POD =
      new ScenarioRun.Workload(NS + "/" + LEDGER, NODE, INSTANCE, CLUSTER, SA, LEDGER_ROLE);

  static void expectLedger(JsonNode ev, List<String> wrong, String container, String digest) {
    LEDGER_POD.expect(ev, wrong, container, digest);
  }


  /**
   * The stolen token's requests from outside: the operator's service account, impersonating system:admin; a legacy
   * token names no pod, so they are never the operator's pod's; the debug patch and attach are the ledger pod's.
   */
  @Test
  void theStolenTokensRequestsAreTheOperatorsAccountNotItsPod() throws Exception {
    JsonNode reqs = search("source_format:k8s_audit AND src_endpoint.ip:\"" + ATTACKER + "\"");
    assertThat(reqs).hasSize(6);
    List<String> wrong = new ArrayList<>();
    for (JsonNode h : reqs) {
      JsonNode s = h.path("_source");
      String what = "audit " + s.at("/api/operation").asText() + " " + s.at("/http_request/url").asText();
      check(wrong, what, "actor", s.at("/actor/user_name").asText(), OP_USER);
      if (!s.at("/http_request/url").asText().contains("selfsubjectrulesreviews")) {
        check(wrong, what, "impersonated", s.at("/actor/impersonated_user").asText(), "system:admin");
      }
      check(wrong, what, "not the operator's pod", String.valueOf(s.toString().contains(OP_POD)), "false");
      check(wrong, what, "cluster", s.at("/enrichment/cluster").asText(), CLUSTER);
      String url = s.at("/http_request/url").asText();
      if (url.contains("/pods/" + LEDGER)) expectLedger(s, wrong, null, null);
    }
    assertThat(wrong).as("the stolen token's requests").isEmpty();
    Set<String> signals = ScenarioRun.timelineIds(pipeline, incident, true);
    for (JsonNode h : reqs) {
      assertThat(signals).as("a signal of the incident: " + h.at("/_source/http_request/url").asText())
          .contains(h.at("/_source/event_id").asText());
    }
  }

  /** The debug session's calls (from the pod's own address) are the ledger pod's, with its role. */
  @Test
  void theDebugSessionsCallsAreTheLedgerPods() throws Exception {
    List<String> wrong = new ArrayList<>();
    JsonNode calls = search("source_format:aws_cloudtrail AND cloud.account_uid:" + ACCT);
    assertThat(calls).hasSize(10);
    for (JsonNode h : calls) expectLedger(h.path("_source"), wrong, null, null);
    // the late file's copies into the attacker's bucket (another collection run)
    JsonNode copies = searchAnyRun("source_format:aws_cloudtrail AND api.operation:PutObject AND cloud.account_uid:" + ACCT
        + " AND time:[\"2026-11-23T10:49:00Z\" TO \"2026-11-23T10:50:00Z\"]");
    assertThat(copies).hasSize(3);
    for (JsonNode h : copies) expectLedger(h.path("_source"), wrong, null, null);
    assertThat(wrong).isEmpty();
  }

  /** Flows of the pod's address in this account are the ledger pod's; the staging account's are its own pod's. */
  @Test
  void flowsAreTheLedgerPodsAndTheStagingPodsOwn() throws Exception {
    List<String> wrong = new ArrayList<>();
    int ledgers = 0;
    for (JsonNode h : search("source_format:aws_vpc_flow AND cloud.account_uid:" + ACCT + " AND src_endpoint.ip:\"" + LEDGER_IP + "\"")) {
      JsonNode s = h.path("_source");
      if (s.path("time").asText().compareTo("2026-11-23T07:02") < 0) {
        // the address before the ledger pod had it: the migration Job's pod (Running 06:40, deleted 06:58)
        String what = "flow at " + s.path("time").asText();
        check(wrong, what, "pod", s.at("/enrichment/pod_name").asText(), MIG);
        check(wrong, what, "service account", s.at("/enrichment/service_account").asText(), NS + "/ledger-migrate");
        check(wrong, what, "role", s.at("/enrichment/iam_role").asText(""), "");
        check(wrong, what, "node", s.at("/enrichment/node_name").asText(), NODE);
        assertThat(ScenarioRun.timelineIds(pipeline, incident, false)).as("the migration's flow in the attack's incident").doesNotContain(s.path("event_id").asText());
      } else {
        expectLedger(s, wrong, null, null);
        ledgers++;
      }
    }
    assertThat(ledgers).as("the ledger pod's flows").isEqualTo(3);
    JsonNode stg = search("cloud.account_uid:" + STG_ACCT + " AND (source_format:aws_vpc_flow OR source_format:aws_cloudtrail)");
    assertThat(stg).hasSize(4);
    for (JsonNode h : stg) {
      JsonNode s = h.path("_source");
      String what = "staging " + s.path("source_format").asText() + " " + s.path("time").asText();
      check(wrong, what, "cluster", s.at("/enrichment/cluster").asText(), STG_CLUSTER);
      check(wrong, what, "pod", s.at("/enrichment/pod_name").asText(), STG_POD);
    }
    assertThat(wrong).as("flows attributed wrongly").isEmpty();
  }

  // ------------------------------------------------------------------------------------------------- incident

  @Test
  void oneIncidentHoldsTheAttackAndNoBystander() throws Exception {
    assertThat(incidents).as("open incidents holding the ledger pod").hasSize(1);
    List<String> entities = ScenarioRun.entities(incident);
    assertThat(entities).contains("pod:" + NS + "/" + LEDGER, "container:" + DBG_CTR.substring(0, 12), "ip:" + ATTACKER,
            "cluster:" + CLUSTER, "account:" + ACCT, "session:" + DEBUG_SESSION)
        .noneMatch(e -> e.contains(CHK) || e.contains(SRE_DBG_CTR.substring(0, 12)) || e.contains(STG_CLUSTER)
            || e.contains(STG_ACCT) || e.contains(STG_POD) || e.contains(OP_POD) || e.contains(SRE_IP));
    JsonNode rows = ScenarioRun.timeline(pipeline, incident);
    Set<String> formats = new TreeSet<>();
    List<String> signals = new ArrayList<>();
    for (JsonNode r : rows) {
      JsonNode s = r.path("_source");
      formats.add(s.path("source_format").asText());
      assertThat(s.toString()).as("a bystander's row").doesNotContain(CHK).doesNotContain(STG_POD).doesNotContain(STG_ACCT)
          .doesNotContain(OP_POD).doesNotContain(MIG);
      if (s.path("signal").asBoolean()) signals.add(s.path("source_format").asText() + " " + s.path("summary").asText());
    }
    assertThat(formats).contains("tetragon_event", "k8s_audit", "aws_cloudtrail");
    assertThat(String.join("\n", signals)).contains("ephemeralcontainers").contains("secrets").contains(DROP_BUCKET);
    Set<String> stages = new HashSet<>();
    incident.path("attack_path").forEach(s -> stages.add(s.path("stage").asText()));
    assertThat(stages).as("attack path").contains("PRIVILEGE_ESCALATION", "CREDENTIAL_ACCESS", "EXECUTION", "EXFILTRATION");
  }

  /**
   * The timeline says as whom each stolen-token request was authorized (system:admin in system:masters), and what each
   * step was: the debug patch is execution (it was credential access), a read as system:masters the escalation (none
   * was), the late file's copies into the attacker's bucket exfiltration (no signal before incident.known_accounts).
   */
  @Test
  void theRowsSayAsWhomAndWhatEachStepWas() throws Exception {
    java.util.Map<String, JsonNode> rows = new java.util.HashMap<>();
    for (JsonNode r : ScenarioRun.timeline(pipeline, incident)) rows.put(r.at("/_source/summary").asText(), r.path("_source"));
    String as = OP_USER + " as system:admin (system:masters) ";
    JsonNode debug = rows.get(as + "patch pods/ephemeralcontainers " + NS + "/" + LEDGER + " -> 200");
    assertThat(debug).as("the debug patch's row in " + rows.keySet()).isNotNull();
    assertThat(debug.path("attack_stage").asText()).isEqualTo("EXECUTION");
    JsonNode read = rows.get(as + "get pods " + NS + "/" + LEDGER + " -> 200");
    assertThat(read).as("the read as system:masters").isNotNull();
    assertThat(read.path("attack_stage").asText()).isEqualTo("PRIVILEGE_ESCALATION");
    assertThat(rows.get(as + "list secrets -> 200").path("attack_stage").asText()).isEqualTo("CREDENTIAL_ACCESS");
    List<String> copies = new ArrayList<>();
    rows.forEach((summary, r) -> {
      if (summary.contains("s3:PutObject arn:aws:s3:::" + DROP_BUCKET)) {
        copies.add(r.path("attack_stage").asText() + " " + r.path("signal").asBoolean());
      }
    });
    assertThat(copies).as("the copies into the attacker's bucket").hasSize(3).allMatch(c -> c.equals("EXFILTRATION true"));
    assertThat(incident.path("title").asText()).as("title")
        .isEqualTo("Service account platform/fleet-operator: credential access, privilege escalation, execution,"
            + " exfiltration (12 signals)");
  }

  /** The SRE's debug of the checkout pod is its own matter: never in the attack's incident. */
  @Test
  void theSresDebugIsItsOwnAndTheOperatorsReconcileNoSignal() throws Exception {
    List<String> wrong = new ArrayList<>();
    for (JsonNode h : search("container.uid:" + SRE_DBG_CTR + " OR container.name:debugger-s2r4t")) {
      JsonNode s = h.path("_source");
      String what = s.path("source_format").asText() + " " + s.path("time").asText();
      check(wrong, what, "pod", s.at("/enrichment/pod_name").asText(), CHK);
      check(wrong, what, "container", s.at("/enrichment/container_uid").asText(), SRE_DBG_CTR);
      check(wrong, what, "image", s.at("/enrichment/image_digest").asText(), BUSYBOX_DIGEST);
    }
    assertThat(wrong).isEmpty();
    // the checkout pod's upload through the S3 front end the debug shell used (52.218.62.17, a public address): its
    // own, never a row of the attack's incident
    JsonNode upload = search("source_format:aws_vpc_flow AND src_endpoint.ip:\"10.44.21.88\" AND dst_endpoint.ip:\"52.218.62.17\"");
    assertThat(upload).hasSize(1);
    assertThat(upload.get(0).at("/_source/enrichment/pod_name").asText()).isEqualTo(CHK);
    assertThat(ScenarioRun.timelineIds(pipeline, incident, false)).as("the checkout's S3 upload in the attack's incident")
        .doesNotContain(upload.get(0).at("/_source/event_id").asText());
    // the fleet operator's hourly reconcile from its pod (impersonating the tenant's deployer): no incident
    for (JsonNode i : ScenarioRun.incidentsWith(pipeline, "platform/" + OP_POD, false)) {
      assertThat(i.path("_source").path("incident_id").asText()).as("an incident holding the operator's pod").isEmpty();
    }
  }

  // ---------------------------------------------------------------------------------------------------- scope

  @Test
  void scopeOfTheAddressTheDebugImageAndTheSession() throws Exception {
    for (Scope.Indicator i : List.of(new Scope.Indicator("ip", ATTACKER), new Scope.Indicator("image_digest", DBG_DIGEST),
        new Scope.Indicator("principal", DEBUG_SESSION))) {
      ObjectNode r = ScopeCommand.run(endpoints.openSearchUrl(), List.of(i));
      String as = i.type() + " " + i.value() + ": " + Scope.table(r);
      assertThat(IncidentPipelineIT.values(r, "pods")).as(as).containsExactly(LEDGER);
      assertThat(IncidentPipelineIT.values(r, "clusters")).as(as).containsExactly(CLUSTER);
      assertThat(IncidentPipelineIT.values(r, "accounts")).as(as).containsExactly(ACCT);
      assertThat(r.path("incidents")).as(as).extracting(x -> x.path("incident_id").asText())
          .contains(incident.path("incident_id").asText());
    }
    // the leaked credential: the operator's account names the pod it debugged, the attack's incident, its cluster
    ObjectNode op = ScopeCommand.run(endpoints.openSearchUrl(), List.of(new Scope.Indicator("principal", OP_USER)));
    assertThat(IncidentPipelineIT.values(op, "pods")).as(Scope.table(op)).contains(LEDGER).doesNotContain(CHK, STG_POD);
    assertThat(IncidentPipelineIT.values(op, "clusters")).as(Scope.table(op)).containsExactly(CLUSTER);
    assertThat(op.path("incidents")).as(Scope.table(op)).extracting(x -> x.path("incident_id").asText())
        .contains(incident.path("incident_id").asText());
    ObjectNode r = ScopeCommand.run(endpoints.openSearchUrl(), List.of(new Scope.Indicator("ip", LEDGER_IP)));
    assertThat(IncidentPipelineIT.values(r, "pods")).as(Scope.table(r)).containsExactlyInAnyOrder(LEDGER, STG_POD, MIG);
    assertThat(IncidentPipelineIT.values(r, "accounts")).as(Scope.table(r)).containsExactlyInAnyOrder(ACCT, STG_ACCT);
  }

  // --------------------------------------------------------------------------------------------------- report

  @Test
  void theReportRendersTheIncident(@TempDir Path out) throws Exception {
    ScenarioRun.Report rendered = ScenarioRun.report(endpoints, incident, out);
    assertThat(rendered.html()).startsWith("<!DOCTYPE html>").contains("<svg").contains(LEDGER).contains(ATTACKER)
        .contains("artifacts/sha256/");
    assertThat(rendered.md()).contains(LEDGER).contains(DBG_CTR.substring(0, 12)).contains(DEBUG_SESSION).contains("system:admin")
        .contains(DROP_BUCKET);
    for (String report : List.of(rendered.html(), rendered.md())) {
      assertThat(report).doesNotContain(CHK).doesNotContain(STG_POD).doesNotContain(STG_CLUSTER);
    }
  }

  /** Events of any collection run (the late file's are another run's) matching a query_string query. */
  JsonNode searchAnyRun(String query) throws Exception {
    return pipeline.send("POST", "/" + dev.strata.sink.opensearch.IndexTemplates.EVENTS_INDEX + "/_search",
        "{\"size\":100,\"query\":{\"query_string\":{\"query\":\"" + query.replace("\\", "\\\\").replace("\"", "\\\"")
            + "\"}}}").at("/hits/hits");
  }
}
