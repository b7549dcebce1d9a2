package dev.strata.cli;

import static dev.strata.cli.ScenarioRun.check;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.strata.infra.StackEndpoints;
import dev.strata.ingest.CollectorOptions;
import dev.strata.ingest.s3.S3Puller;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A SOC scoping one attacker across a fleet, written as an outside assessor would (scenarios/fargate: README.md tells
 * the story, the known answers and each file's provenance; make_fargate_scenario.py writes the bundle). Two EKS
 * clusters in two accounts of one organization, the same VPC range in both: cluster A on EKS Fargate only (no node
 * access; each pod its own micro-VM and ENI, its node named after its address), cluster B on an EC2 node group. Every
 * piece of evidence is an object of one S3 bucket, pulled by {@code strata pull-s3}: the organization trail, both
 * accounts' v5 flow logs, CloudWatch Logs export tasks of both clusters' audit logs and of Fluent Bit's container logs
 * (the {@code kubernetes} block), an {@code aws ec2 describe-network-interfaces} of the Fargate ENIs and a Trivy scan.
 * Attack: SSRF (wkhtmltopdf's file:// read) in a Fargate pod -> its IRSA token -> AssumeRoleWithWebIdentity from the
 * attacker's host -> sts:AssumeRole into account B -> kubectl exec (aws-iam-authenticator identity) into a ledger pod
 * -> pg_dump to the attacker's server. Bystanders: a CronJob pod later given the Fargate pod's address (and so its
 * node's name), account B's pod holding the same address all day, the same image running in cluster B.
 *
 * <p>Assertions that main did not satisfy when this test was written are fixed or marked {@code GAP:} with what is
 * missing (docs/incidents.md, "Scenario: an attacker across an EKS Fargate cluster and an EC2 cluster").
 */
class FargateFleetScenarioIT extends AbstractScenarioIT {
  static final String ORG = "o-k7w3p9x2qd";
  static final String ACCT = "662607015034";
  static final String CLUSTER = "storefront-fargate";
  static final String ACCT_B = "602214076012";
  static final String CLUSTER_B = "ledger-ng";
  static final String ATTACKER = "198.51.100.61";
  static final String EXFIL = "203.0.113.77";
  static final String APP = "thumbnailer-6d9f7c5b8-r4t7x";
  static final String APP_POD = "media/" + APP;
  static final String APP_IP = "10.77.21.137";
  static final String APP_NODE = "fargate-ip-10-77-21-137.us-east-2.compute.internal";
  static final String SA = "media/thumbnailer";
  static final String DIGEST = "sha256:" + "4e1a9d7c".repeat(8);
  static final String IRSA_ROLE = "arn:aws:iam::662607015034:role/thumbnailer-irsa";
  static final String STOLEN_SESSION = "arn:aws:sts::662607015034:assumed-role/thumbnailer-irsa/thumb";
  static final String XROLE = "arn:aws:iam::602214076012:role/ledger-deploy-cross";
  static final String XSESSION = "arn:aws:sts::602214076012:assumed-role/ledger-deploy-cross/thumbnailer-sync";
  static final String XKEY = "ASIAZLEDGERXACCT0917";
  static final String LAPI = "ledger-api-5f8b9c7d6-m2n8q";
  static final String LAPI_POD = "ledger/" + LAPI;
  static final String LAPI_IP = "10.77.34.52";
  static final String NODE_B1 = "ip-10-77-34-10.us-east-2.compute.internal";
  static final String INSTANCE_B1 = "i-0c4e6a8b0d2f41357";
  // bystanders
  static final String WARM = "cache-warmer-29400600-p8k3d";
  static final String APP2 = "thumbnailer-7b4c9e2d1-k2m5n";
  static final String FRONT = "frontdoor-6c8d9e7f5-q1w2e";
  static final String RB = "report-builder-7b6c5d4e3-w9z1k";
  static final String NODE_B2 = "ip-10-77-21-20.us-east-2.compute.internal";
  static final String INSTANCE_B2 = "i-0d5f7b9c1e3a52468";
  static final String SREND = "statement-render-58c7d9b6f-h4j6l";

  /** 1 KiB chunks, 8 KiB records: every export object is cut into several chunks, as a large one would be. */
  static final CollectorOptions SMALL_CHUNKS = CollectorOptions.defaults().toBuilder().chunkSize(1024).maxRecordBytes(8192)
      .build();

  S3Puller.Summary pulled;

  @BeforeAll
  void runPipeline(StackEndpoints endpoints) throws Exception {
    this.endpoints = endpoints;
    Path bundle = ScenarioRun.home().resolve("cli/src/test/resources/scenarios/fargate/bundle");
    pipeline = new EvidencePipeline(EvidencePipeline.Services.of(endpoints));
    runId = "fargate-" + UUID.randomUUID();
    // the SOC's log bucket: strata pull-s3 --once with both accounts, the organization id and the responders'
    // prefixes (the export tasks', their own exports)
    ScenarioRun.runCollected(pipeline, endpoints, "fargate-it", p -> pulled = ScenarioRun.pullFromBucket(p, endpoints,
        bundle.resolve("s3"), "soc-fleet-logs-", List.of(ACCT, ACCT_B), ORG, List.of("cwl-exports/", "responder/"),
        SMALL_CHUNKS.toBuilder().runId(runId).build()));
    incidents = ScenarioRun.incidentsWith(pipeline, STOLEN_SESSION, true);
    incident = incidents.size() >= 1 ? incidents.get(0).path("_source") : null;
  }

  @Override
  public void dump(Path to) throws Exception {
    ScenarioRun.dump(pipeline, runId, incident, List.of(ACCT, ACCT_B), "PULLED " + pulled.line() + "\n", to);
  }

  // -------------------------------------------------------------------------------------------- every source read

  @Test
  void everyObjectIsPulledAndEveryRecordReadByItsFormatWithoutDeadLetters() throws Exception {
    // 3 CloudTrail files, 2 flow logs, 2 audit exports, 2 container log streams, the ENIs, the Trivy report; the
    // export tasks' aws-logs-write-test objects are nothing
    assertThat(pulled.collected()).as(pulled.line()).isEqualTo(11);
    for (String[] f : new String[][] {
        {"k8s_audit", "14"}, {"aws_cloudtrail", "8"}, {"aws_vpc_flow", "10"}, {"aws_ec2_network_interfaces", "2"}}) {
      assertThat(search("source_format:" + f[0]).size()).as(f[0] + " events").isEqualTo(Integer.parseInt(f[1]));
    }
    assertThat(search("kubernetes.pod_name:\"" + APP + "\" AND log.stream:stdout").size()).as("the thumbnailer's log lines")
        .isEqualTo(5);
    assertThat(search("source_format:trivy_scan AND vulnerability.uid:\"CVE-2022-35583\"")).as("the Trivy finding").hasSize(1);
    assertThat(ScenarioRun.deadLetters(pipeline, runId)).as("dead letters").isEmpty();
  }

  /** An export task's object names neither log group nor account: the cluster and account come from the key's prefix. */
  @Test
  void auditRecordsNameTheirClusterAndAccount() throws Exception {
    List<String> wrong = new ArrayList<>();
    for (JsonNode h : search("source_format:k8s_audit")) {
      JsonNode s = h.path("_source");
      boolean b = s.path("raw_data").asText().contains("6eb8f1d2-");
      check(wrong, what(s), "cluster", s.at("/kubernetes/cluster").asText(), b ? CLUSTER_B : CLUSTER);
      check(wrong, what(s), "account", s.at("/cloud/account_uid").asText(), b ? ACCT_B : ACCT);
    }
    assertThat(wrong).as("audit records without their cluster").isEmpty();
  }

  // ------------------------------------------------------------------------------------------------ attribution

  /**
   * 10.77.21.137 in account A: the thumbnailer's from 08:40:29 to its deletion at 09:40:31, then the cache warmer's
   * (09:52:08-09:58:39), each on "its" Fargate node of the same name; in account B the report builder's all day, on
   * its EC2 node.
   */
  @Test
  void flowsOfTheFargatePodsAddressAreEachTheirPodsInTheirAccount() throws Exception {
    List<String> wrong = new ArrayList<>();
    JsonNode flows = search("source_format:aws_vpc_flow AND (src_endpoint.ip:\"" + APP_IP + "\" OR dst_endpoint.ip:\"" + APP_IP + "\")");
    assertThat(flows).hasSize(5);
    for (JsonNode h : flows) {
      JsonNode s = h.path("_source");
      String pod = s.at("/enrichment/namespace").asText() + "/" + s.at("/enrichment/pod_name").asText();
      if (s.at("/cloud/account_uid").asText().equals(ACCT_B)) {
        check(wrong, what(s), "pod", pod, "reports/" + RB);
        check(wrong, what(s), "cluster", s.at("/enrichment/cluster").asText(), CLUSTER_B);
        check(wrong, what(s), "node", s.at("/enrichment/node_name").asText(), NODE_B2);
      } else {
        boolean thumb = s.path("time").asText().compareTo("2026-11-23T09:40:31") < 0;
        check(wrong, what(s), "pod", pod, "media/" + (thumb ? APP : WARM));
        check(wrong, what(s), "cluster", s.at("/enrichment/cluster").asText(), CLUSTER);
        check(wrong, what(s), "node", s.at("/enrichment/node_name").asText(), APP_NODE);
        check(wrong, what(s), "service account", s.at("/enrichment/service_account").asText(),
            thumb ? SA : "media/cache-warmer");
      }
    }
    assertThat(wrong).as("flows attributed wrongly").isEmpty();
  }

  /** Fluent Bit's records name their pod, node, container and image digest; the SSRF requests the attacker (XFF). */
  @Test
  void theContainerLogsNameThePodAndTheSsrfItsClient() throws Exception {
    List<String> wrong = new ArrayList<>();
    JsonNode ssrf = search("kubernetes.pod_name:\"" + APP + "\" AND http_request.url:*file*");
    assertThat(ssrf).hasSize(2);
    for (JsonNode h : ssrf) {
      JsonNode s = h.path("_source");
      check(wrong, what(s), "client", s.path("raw_data").asText().contains(ATTACKER) ? ATTACKER : "?", ATTACKER);
      check(wrong, what(s), "digest", s.at("/container/image_digest").asText(), DIGEST);
      check(wrong, what(s), "node", s.at("/kubernetes/node_name").asText(), APP_NODE);
      check(wrong, what(s), "cluster", s.at("/enrichment/cluster").asText(), CLUSTER);
      check(wrong, what(s), "account", s.at("/enrichment/account_uid").asText(), ACCT);
    }
    assertThat(wrong).isEmpty();
  }

  /**
   * The pod's own exchange (from its address) and the stolen one (from the attacker's host) are the thumbnailer's
   * service account's; the stolen session's calls name the role, the service account and the pod that held it.
   */
  @Test
  void theStolenSessionIsTheThumbnailersAndSoIsTheChainedSessionInAccountB() throws Exception {
    List<String> wrong = new ArrayList<>();
    for (JsonNode h : search("source_format:aws_cloudtrail AND api.operation:AssumeRoleWithWebIdentity")) {
      JsonNode s = h.path("_source");
      check(wrong, what(s), "service account", s.at("/actor/service_account").asText(), SA);
      check(wrong, what(s), "role", s.at("/enrichment/iam_role").asText(), IRSA_ROLE);
      check(wrong, what(s), "pod", s.at("/enrichment/namespace").asText() + "/" + s.at("/enrichment/pod_name").asText(), APP_POD);
    }
    for (JsonNode h : search("source_format:aws_cloudtrail AND actor.user_uid:\"" + STOLEN_SESSION + "\"")) {
      JsonNode s = h.path("_source");
      check(wrong, what(s), "role", s.at("/enrichment/iam_role").asText(), IRSA_ROLE);
      check(wrong, what(s), "pod", s.at("/enrichment/namespace").asText() + "/" + s.at("/enrichment/pod_name").asText(), APP_POD);
      check(wrong, what(s), "cluster", s.at("/enrichment/cluster").asText(), CLUSTER);
    }
    JsonNode chained = search("source_format:aws_cloudtrail AND cloud.account_uid:\"" + ACCT_B + "\" AND api.service:eks*");
    assertThat(chained).hasSize(2);
    for (JsonNode h : chained) {
      JsonNode s = h.path("_source");
      check(wrong, what(s), "role", s.at("/actor/session_issuer").asText(), XROLE);
      // session 18 (role chaining: session_role, session_chain, SessionChains): the chained session's calls name their
      // own role and the pod whose stolen credentials started the chain (the thumbnailer in cluster A), none of B's
      check(wrong, what(s), "enrichment role", s.at("/enrichment/iam_role").asText(), XROLE);
      check(wrong, what(s), "pod", s.at("/enrichment/namespace").asText() + "/" + s.at("/enrichment/pod_name").asText(), APP_POD);
      check(wrong, what(s), "cluster", s.at("/enrichment/cluster").asText(), CLUSTER);
      check(wrong, what(s), "node", s.at("/enrichment/node_name").asText(), APP_NODE);
      check(wrong, what(s), "service account", s.at("/enrichment/service_account").asText(), SA);
    }
    assertThat(wrong).isEmpty();
  }

  /** The exec names the IAM identity behind it (the chained session, its key) and its target pod in cluster B. */
  @Test
  void theExecIsTheChainedSessionsIntoTheLedgerPod() throws Exception {
    JsonNode exec = search("source_format:k8s_audit AND resources.subresource:exec");
    assertThat(exec).hasSize(1);
    JsonNode s = exec.get(0).path("_source");
    List<String> wrong = new ArrayList<>();
    check(wrong, what(s), "user", s.at("/actor/user_name").asText(), XSESSION);
    check(wrong, what(s), "key", s.at("/actor/credential_uid").asText(), XKEY);
    check(wrong, what(s), "source", s.at("/src_endpoint/ip").asText(), ATTACKER);
    check(wrong, what(s), "pod", s.at("/enrichment/namespace").asText() + "/" + s.at("/enrichment/pod_name").asText(), LAPI_POD);
    check(wrong, what(s), "node", s.at("/enrichment/node_name").asText(), NODE_B1);
    check(wrong, what(s), "cluster", s.at("/enrichment/cluster").asText(), CLUSTER_B);
    check(wrong, what(s), "role", s.at("/enrichment/iam_role").asText(), XROLE);
    assertThat(wrong).isEmpty();
  }

  /** The dump leaves the ledger pod to the attacker's server: on its node's ENI and, pkt-dstaddr, on the NAT gateway's. */
  @Test
  void theExfiltrationFlowsAreTheLedgerPods() throws Exception {
    JsonNode flows = search("source_format:aws_vpc_flow AND (dst_endpoint.ip:\"" + EXFIL + "\" OR network.pkt_dst_ip:\"" + EXFIL + "\")");
    assertThat(flows).hasSize(3);
    List<String> wrong = new ArrayList<>();
    for (JsonNode h : flows) {
      JsonNode s = h.path("_source");
      if (!s.at("/src_endpoint/ip").asText().equals(LAPI_IP)) continue; // the NAT gateway's own leg
      check(wrong, what(s), "pod", s.at("/enrichment/namespace").asText() + "/" + s.at("/enrichment/pod_name").asText(), LAPI_POD);
      check(wrong, what(s), "cluster", s.at("/enrichment/cluster").asText(), CLUSTER_B);
    }
    assertThat(wrong).isEmpty();
  }

  // ------------------------------------------------------------------------------------------------- incident

  @Test
  void oneIncidentAcrossBothAccountsHoldsTheAttackAndNoBystander() throws Exception {
    assertThat(incidents).as("open incidents holding the stolen session").hasSize(1);
    assertThat(incident.path("tenant").asText()).as("tenant").contains("aws:" + ACCT).contains("aws:" + ACCT_B);
    List<String> entities = ScenarioRun.entities(incident);
    assertThat(entities).contains("pod:" + APP_POD, "ip:" + ATTACKER, "session:" + STOLEN_SESSION, "session:" + XSESSION,
        "pod:" + LAPI_POD).noneMatch(e -> e.contains(WARM) || e.contains(RB) || e.contains(APP2) || e.contains(FRONT)
        || e.contains(SREND));
    Set<String> stages = new HashSet<>();
    incident.path("attack_path").forEach(st -> stages.add(st.path("stage").asText()));
    assertThat(stages).as("attack path").contains("CREDENTIAL_ACCESS", "LATERAL_MOVEMENT", "EXECUTION", "EXFILTRATION");
    for (JsonNode r : ScenarioRun.timeline(pipeline, incident)) {
      assertThat(r.path("_source").toString()).as("a bystander's row").doesNotContain(WARM).doesNotContain(RB)
          .doesNotContain(FRONT).doesNotContain(SREND);
    }
  }

  /**
   * The SSRF (was open): the renderer's {@code file://} reads of {@code /proc/self/environ} and of the IRSA token for
   * the attacker (X-Forwarded-For) are entry signals of the thumbnailer's pod (SsrfRequests), so the incident starts
   * at 09:05:12, not at the token's exchange.
   */
  @Test
  void theSsrfRequestsAreTheIncidentsEntry() throws Exception {
    JsonNode first = incident.path("attack_path").get(0);
    assertThat(first.path("stage").asText()).isEqualTo("ENTRY");
    assertThat(first.path("first_time").asText()).startsWith("2026-11-23T09:05:12");
    assertThat(incident.path("first_seen").asText()).startsWith("2026-11-23T09:05:12");
    List<String> ssrf = new ArrayList<>();
    for (JsonNode r : ScenarioRun.timeline(pipeline, incident)) {
      JsonNode s = r.path("_source");
      if (s.path("summary").asText().contains("src=file")) {
        ssrf.add(s.path("time").asText() + " " + s.path("signal").asBoolean() + " " + s.path("attack_stage").asText());
      }
    }
    assertThat(ssrf).as("the SSRF rows").hasSize(2).allMatch(r -> r.endsWith(" true ENTRY"));
  }

  /**
   * The dump's volume (was open): 187,342,112 bytes from the ledger API pod to 203.0.113.77 in one connection (its
   * node's ENI and the NAT gateway's record of it counted once) after the exec is an exfiltration signal whose row says
   * the bytes and the window (ExfilVolume).
   */
  @Test
  void theDumpsVolumeIsAnExfiltrationSignal() throws Exception {
    List<String> rows = new ArrayList<>();
    for (JsonNode r : ScenarioRun.timeline(pipeline, incident)) {
      JsonNode s = r.path("_source");
      if (s.path("summary").asText().contains("exfiltration by volume")) {
        assertThat(s.path("signal").asBoolean()).isTrue();
        assertThat(s.path("attack_stage").asText()).isEqualTo("EXFILTRATION");
        assertThat(s.path("source_format").asText()).isEqualTo("aws_vpc_flow");
        rows.add(s.path("summary").asText());
      }
    }
    assertThat(rows).as("exfiltration by volume").hasSize(1);
    assertThat(rows.get(0)).contains("187,342,112 bytes from " + LAPI_IP + " (" + LAPI_POD + ") to " + EXFIL
        + " in 1 connection whose flow records start 2026-11-23T09:14:00Z, within 10 min");
  }

  @Test
  void theBystandersOpenNoIncident() throws Exception {
    for (String key : List.of("media/" + WARM, "reports/" + RB, "media/" + APP2, "media/" + FRONT, "ledger/" + SREND)) {
      assertThat(ScenarioRun.incidentsWith(pipeline, key, false)).as("incidents holding " + key).isEmpty();
    }
  }

  // ---------------------------------------------------------------------------------------------------- scope

  @Test
  void scopeOfTheAttackersAddressAcrossBothClusters() throws Exception {
    ObjectNode r = ScopeCommand.run(endpoints.openSearchUrl(), List.of(new Scope.Indicator("ip", ATTACKER)));
    String as = Scope.table(r);
    assertThat(IncidentPipelineIT.values(r, "accounts")).as(as).containsExactlyInAnyOrder(ACCT, ACCT_B);
    assertThat(IncidentPipelineIT.values(r, "clusters")).as(as).containsExactlyInAnyOrder(CLUSTER, CLUSTER_B);
    assertThat(IncidentPipelineIT.values(r, "pods")).as(as).containsExactlyInAnyOrder(APP, LAPI);
  }

  @Test
  void scopeOfTheChainedSession() throws Exception {
    ObjectNode r = ScopeCommand.run(endpoints.openSearchUrl(), List.of(new Scope.Indicator("principal", XSESSION)));
    String as = Scope.table(r);
    assertThat(IncidentPipelineIT.values(r, "accounts")).as(as).contains(ACCT, ACCT_B);
    // its calls in B (the thumbnailer's chained credentials) and its exec into the ledger pod
    assertThat(IncidentPipelineIT.values(r, "clusters")).as(as).containsExactlyInAnyOrder(CLUSTER_B, CLUSTER);
    assertThat(IncidentPipelineIT.values(r, "pods")).as(as).containsExactlyInAnyOrder(LAPI, APP);
    // the exchange that issued it (sts:AssumeRole by the stolen session: unmapped strata.issued.session_arn)
    assertThat(IncidentPipelineIT.values(r, "principals")).as(as).contains(STOLEN_SESSION);
  }

  /** Where does the vulnerable image run? The thumbnailer in A, the statement renderer in B; not the patched rollout. */
  @Test
  void scopeOfTheImageDigestAcrossBothClusters() throws Exception {
    ObjectNode r = ScopeCommand.run(endpoints.openSearchUrl(), List.of(new Scope.Indicator("image_digest", DIGEST)));
    String as = Scope.table(r);
    assertThat(IncidentPipelineIT.values(r, "accounts")).as(as).containsExactlyInAnyOrder(ACCT, ACCT_B);
    assertThat(IncidentPipelineIT.values(r, "clusters")).as(as).containsExactlyInAnyOrder(CLUSTER, CLUSTER_B);
    assertThat(IncidentPipelineIT.values(r, "pods")).as(as).containsExactlyInAnyOrder(APP, SREND);
  }

  // --------------------------------------------------------------------------------------------------- report

  @Test
  void theReportRendersTheIncident(@TempDir Path out) throws Exception {
    ScenarioRun.Report rendered = ScenarioRun.report(endpoints, incident, out);
    assertThat(rendered.html()).startsWith("<!DOCTYPE html>").contains("<svg").contains(APP).contains(ATTACKER)
        .contains("artifacts/sha256/");
    assertThat(rendered.md()).contains(APP).contains(STOLEN_SESSION).contains(XSESSION);
    for (String report : List.of(rendered.html(), rendered.md())) {
      assertThat(report).doesNotContain(WARM).doesNotContain(RB);
    }
  }

  static String what(JsonNode s) {
    return s.path("source_format").asText() + " " + s.path("activity_name").asText() + " " + s.path("time").asText()
        + " " + s.path("message").asText("").replaceAll("\\s+", " ");
  }
}
