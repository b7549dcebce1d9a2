package dev.strata.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.strata.infra.StackEndpoints;
import dev.strata.infra.Topics;
import dev.strata.infra.testing.SharedStack;
import dev.strata.ingest.CollectorOptions;
import dev.strata.ingest.ProgressListener;
import dev.strata.job.ParseJobConfig;
import dev.strata.job.incident.IncidentJobConfig;
import dev.strata.schema.correlate.Incident;
import dev.strata.sink.s3.IncidentArchive;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Parse -> correlate -> incidents end to end on the embedded stack (Kafka, Flink MiniCluster, OpenSearch, S3), as
 * {@code strata demo} runs them: the demo bundle plus the correlation scenario's evidence as files (the audit log,
 * CloudTrail and Falco fixtures of processing/jobs fixtures/correlate, and a VPC Flow Logs file written here with
 * two records from 10.0.1.57: 10:02, while payments/api-7d9f held it, and 10:15, after shop/web-1 got it). The
 * incident job reads the enriched topic. The demo is ONE incident (audit exec into the web pod by dev-alice, then
 * the node role's credentials used from 203.0.113.50) with its ordered timeline in OpenSearch and its S3 copy;
 * enriched events carry the pod / node / service account / role of their own time; the bindings index holds the
 * facts; {@code strata report} draws the entity graph from them; {@code strata scope --ip} answers the involved
 * entities.
 *
 * <p>A second account (222222222222, cluster stage, the same 10.0.1.0/24 range) runs batch/job-x on 10.0.1.57 at the
 * same time: its own flows from that address resolve to job-x, never to account 111111111111's pods, and
 * {@code strata scope --ip 10.0.1.57} lists each account's entities apart. Then a VPC Flow file arrives late (after
 * the correlation ran and after the address was reused): collected twice, parsed, and the correlation re-run over
 * the evidence (bounded runs keep no state between runs; the streaming job re-resolves from its state, see
 * CorrelateJobTest), its records resolve to the pod of their own time, once each in the index, at the newest
 * revision the enriched topic holds for them.
 */
@ExtendWith(SharedStack.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class IncidentPipelineIT {
  static final String ATTACKER_IP = "203.0.113.50";
  static final String POD = "web-7d9c8b6f5-x2x9q";
  static final String INSTANCE = "i-0a1b2c3d4e5f60718";
  static final String SESSION = "arn:aws:sts::111122223333:assumed-role/eks-node-role/" + INSTANCE;

  static final String SCENARIO_NODE = "ip-10-0-1-10.ec2.internal";
  static final String API_POD = "api-7d9f";
  static final String REUSED_IP = "10.0.1.57";
  static final String ACCOUNT_A = "111111111111";
  static final String ACCOUNT_B = "222222222222";
  /** Delivered after the first correlation run: 10:04 (payments/api-7d9f's time) and 10:13 (shop/web-1's). */
  static final String LATE_FLOWS = "AWSLogs/111111111111/vpcflowlogs/us-east-1/2026/11/20/"
      + "111111111111_vpcflowlogs_us-east-1_fl-0aaa1_20261120T1100Z_1a7e0f10.log";

  EvidencePipeline pipeline;
  StackEndpoints endpoints;
  JsonNode incident;

  @BeforeAll
  void runPipeline(StackEndpoints endpoints) throws Exception {
    this.endpoints = endpoints;
    Path home = Path.of(System.getProperty("strata.home", "..")).toAbsolutePath().normalize();
    Path bundle = home.resolve("examples/demo-bundle");
    Path scenario = scenarioEvidence(home.resolve("processing/jobs/src/test/resources/fixtures/correlate"));
    pipeline = new EvidencePipeline(EvidencePipeline.Services.of(endpoints));
    pipeline.prepare();
    // the stack is shared: every job reads only what this run adds
    String parseGroup = pipeline.newGroupAtEndOfRawTopic("incident-it");
    String correlateGroup = groupAtEnd(Topics.NORMALIZED, "incident-it-correlate");
    String correlateAgainGroup = groupAtEnd(Topics.NORMALIZED, "incident-it-correlate-again");
    String incidentGroup = groupAtEnd(Topics.ENRICHED, "incident-it-incidents");
    pipeline.collect(bundle, CollectorOptions.defaults(), ProgressListener.NONE);
    pipeline.collect(scenario, CollectorOptions.defaults(), ProgressListener.NONE);
    pipeline.runJob(pipeline.jobConfig(true, parseGroup, ParseJobConfig.StartingOffsets.COMMITTED));
    var correlate = pipeline.correlateConfig(true, correlateGroup);
    pipeline.runCorrelate(correlate);
    // with the shared SigmaHQ corpus when present (read in place): its matches name their rules on the rows
    var settings = dev.strata.job.incident.IncidentSettings.defaults();
    if (Files.isDirectory(SIGMA_CORPUS)) {
      settings = settings.withSigmaRules(dev.strata.detect.sigma.SigmaRuleLoader.load(List.of(SIGMA_CORPUS)), null);
    }
    IncidentJobConfig cfg = pipeline.incidentConfig(true, incidentGroup, correlate.enrichedTopic(), settings);
    pipeline.runIncidents(cfg);
    pipeline.send("POST", "/strata-*/_refresh", null);
    JsonNode hits = pipeline.send("POST", "/strata-incidents-*/_search",
        "{\"size\":10,\"query\":{\"bool\":{\"must\":[{\"term\":{\"entities.key\":\"shop/" + POD + "\"}},"
            + "{\"term\":{\"status\":\"OPEN\"}}]}}}").at("/hits/hits");
    assertThat(hits).as("one open incident on the web pod").hasSize(1);
    incident = hits.get(0).path("_source");

    // the late VPC Flow file: collected (twice: a re-delivery), parsed, the correlation run again over the evidence
    Path late = lateFlowEvidence();
    String lateParseGroup = pipeline.newGroupAtEndOfRawTopic("incident-it-late");
    pipeline.collect(late, CollectorOptions.defaults(), ProgressListener.NONE);
    pipeline.collect(late, CollectorOptions.defaults(), ProgressListener.NONE);
    pipeline.runJob(pipeline.jobConfig(true, lateParseGroup, ParseJobConfig.StartingOffsets.COMMITTED));
    pipeline.runCorrelate(pipeline.correlateConfig(true, correlateAgainGroup));
    pipeline.send("POST", "/strata-*/_refresh", null);
  }

  /**
   * An evidence root holding the correlation scenario as collected files (standard paths, context manifest: cluster
   * prod, account 111111111111) plus a VPC Flow Logs file (custom format v3 header) with the two flows of 10.0.1.57.
   */
  static Path scenarioEvidence(Path fixtures) throws Exception {
    Path root = Files.createTempDirectory("strata-incident-it-");
    Files.writeString(root.resolve("strata-context.yaml"), String.join("\n",
        "- path: control-plane", "  cluster: prod", "  cloud_provider: aws", "  cloud_account: \"111111111111\"",
        "  cloud_region: us-east-1",
        "- path: nodes/ip-10-0-1-10", "  host: " + SCENARIO_NODE, "  cluster: prod", "  cloud_provider: aws",
        "  cloud_account: \"111111111111\"", "  cloud_region: us-east-1",
        "- path: AWSLogs", "  cloud_provider: aws", "  cloud_account: \"111111111111\"", "  cloud_region: us-east-1",
        "- path: stage-control-plane", "  cluster: stage", "  cloud_provider: aws", "  cloud_account: \"" + ACCOUNT_B
            + "\"", "  cloud_region: us-east-1",
        "- path: AWSLogs/" + ACCOUNT_B, "  cloud_provider: aws", "  cloud_account: \"" + ACCOUNT_B + "\"",
        "  cloud_region: us-east-1", ""));
    copy(fixtures.resolve("prod-audit.log"), root.resolve("control-plane/var/log/kubernetes/audit/audit.log"));
    copy(fixtures.resolve("stage-audit.log"), root.resolve("stage-control-plane/var/log/kubernetes/audit/audit.log"));
    copy(fixtures.resolve("falco.log"), root.resolve("nodes/ip-10-0-1-10/var/log/falco/falco.log"));
    copy(fixtures.resolve("cloudtrail.json"), root.resolve("AWSLogs/111111111111/CloudTrail/us-east-1/2026/11/20/"
        + "111111111111_CloudTrail_us-east-1_20261120T1005Z_Scen4rio0Flow001.json"));
    Path flows = root.resolve("AWSLogs/111111111111/vpcflowlogs/us-east-1/2026/11/20/"
        + "111111111111_vpcflowlogs_us-east-1_fl-0aaa1_20261120T1030Z_5ce0a41b.log");
    Files.createDirectories(flows.getParent());
    writeFlows(flows, flow("2026-11-20T10:02:00Z") + flow("2026-11-20T10:15:00Z"));
    // the other account, the same address at the same times: batch/job-x's (since 10:01), in vpc-0bbb
    Path other = root.resolve("AWSLogs/" + ACCOUNT_B + "/vpcflowlogs/us-east-1/2026/11/20/" + ACCOUNT_B
        + "_vpcflowlogs_us-east-1_fl-0bbb1_20261120T1030Z_7b2c91d0.log");
    writeFlows(other, flow(ACCOUNT_B, "eni-0bbb1", "vpc-0bbb", "-", "2026-11-20T10:02:00Z")
        + flow(ACCOUNT_B, "eni-0bbb1", "vpc-0bbb", "-", "2026-11-20T10:05:00Z")
        + flow(ACCOUNT_B, "eni-0bbb1", "vpc-0bbb", "-", "2026-11-20T10:15:00Z"));
    return root;
  }

  /** The late VPC Flow file ({@link #LATE_FLOWS}) in an evidence root of its own. */
  static Path lateFlowEvidence() throws Exception {
    Path root = Files.createTempDirectory("strata-incident-it-late-");
    Files.writeString(root.resolve("strata-context.yaml"), String.join("\n",
        "- path: AWSLogs", "  cloud_provider: aws", "  cloud_account: \"111111111111\"", "  cloud_region: us-east-1", ""));
    writeFlows(root.resolve(LATE_FLOWS), flow("2026-11-20T10:04:00Z") + flow("2026-11-20T10:13:00Z"));
    return root;
  }

  /** A VPC Flow Logs file in the custom format v3 with its header line. */
  static void writeFlows(Path file, String records) throws Exception {
    Files.createDirectories(file.getParent());
    Files.writeString(file, "version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes"
        + " start end action log-status vpc-id instance-id\n" + records);
  }

  static String flow(String start) {
    return flow(ACCOUNT_A, "eni-0aaa1", "vpc-0aaa", "i-0abc1234def567890", start);
  }

  static String flow(String account, String eni, String vpc, String instance, String start) {
    long t = java.time.Instant.parse(start).getEpochSecond();
    return "3 " + account + " " + eni + " " + REUSED_IP + " 203.0.113.9 43512 443 6 12 5120 " + t + " " + (t + 60)
        + " ACCEPT OK " + vpc + " " + instance + "\n";
  }

  static void copy(Path from, Path to) throws Exception {
    Files.createDirectories(to.getParent());
    Files.copy(from, to);
  }

  String groupAtEnd(String topic, String prefix) throws Exception {
    return groupAtEnd(endpoints.kafkaBootstrap(), topic, prefix);
  }

  /** A new consumer group (named {@code prefix-<uuid>}) whose committed offsets are the end of {@code topic}. */
  static String groupAtEnd(String bootstrap, String topic, String prefix) throws Exception {
    String group = prefix + "-" + UUID.randomUUID();
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    Map<TopicPartition, OffsetAndMetadata> commit = new HashMap<>();
    try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p)) {
      List<TopicPartition> tps = new ArrayList<>();
      c.partitionsFor(topic).forEach(i -> tps.add(new TopicPartition(topic, i.partition())));
      c.endOffsets(tps).forEach((tp, o) -> commit.put(tp, new OffsetAndMetadata(o)));
    }
    Map<String, Object> a = new HashMap<>();
    a.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    try (Admin admin = Admin.create(a)) {
      admin.alterConsumerGroupOffsets(group, commit).all().get();
    }
    return group;
  }

  @Test
  void theDemoIsOneIncidentWithItsOrderedTimeline() throws Exception {
    assertThat(incident.path("severity").asText()).isEqualTo("High");
    assertThat(incident.path("signals").asInt()).isEqualTo(6);
    List<String> entities = new ArrayList<>();
    incident.path("entities").forEach(e -> entities.add(e.path("type").asText() + ":" + e.path("key").asText()));
    assertThat(entities).contains("pod:shop/" + POD, "node:ip-10-0-1-23", "instance:" + INSTANCE, "principal:dev-alice",
        "session:" + SESSION, "ip:" + ATTACKER_IP, "cluster:prod-eks", "account:111122223333");
    List<String> stages = new ArrayList<>();
    incident.path("attack_path").forEach(s -> stages.add(s.path("stage").asText()));
    assertThat(stages).containsExactly("EXECUTION", "CREDENTIAL_ACCESS", "EXFILTRATION", "PERSISTENCE");

    String id = incident.path("incident_id").asText();
    JsonNode rows = pipeline.send("POST", "/strata-timeline-*/_search", "{\"size\":100,\"query\":{\"term\":{\"incident_id\":\""
        + id + "\"}},\"sort\":[{\"time\":\"asc\"},{\"event_id\":\"asc\"}]}").at("/hits/hits");
    List<String> signals = new ArrayList<>();
    for (JsonNode r : rows) if (r.at("/_source/signal").asBoolean()) signals.add(r.at("/_source/summary").asText());
    assertThat(signals).hasSize(6);
    assertThat(signals.get(0)).contains("dev-alice create pods/exec shop/" + POD);
    // dev-alice's exec is in the audit log: no exec_without_api_record (RuntimeExecAudit)
    assertThat(signals).noneMatch(x -> x.contains("not through the API server"));
    assertThat(signals.get(1)).contains("secrets");
    assertThat(signals.subList(2, 6)).satisfiesExactly(
        s -> assertThat(s).contains("GetCallerIdentity").contains(ATTACKER_IP),
        s -> assertThat(s).contains("ListBuckets"),
        s -> assertThat(s).contains("GetObject").contains("acme-customer-exports"),
        s -> assertThat(s).contains("CreateAccessKey").contains("AccessDenied"));
    assertThat(rows.size()).isEqualTo(incident.path("event_count").asInt());

    // the S3 copy of the newest revision
    IncidentArchive archive = new IncidentArchive(pipeline.store());
    Incident stored = archive.get(id, incident.path("revision").asInt());
    assertThat(stored.getSignals()).isEqualTo(6);
    assertThat(stored.getTimeline()).hasSize(incident.path("event_count").asInt());
  }

  static final Path SIGMA_CORPUS = Path.of("/work/shared/corpus/sigma");

  @Test
  void sigmaMatchesNameTheirRuleOnTheRowsTheReportAndTheScope(@TempDir Path out) throws Exception {
    org.junit.jupiter.api.Assumptions.assumeTrue(Files.isDirectory(SIGMA_CORPUS), "the shared Sigma corpus is absent");
    // the pods/exec row carries SigmaHQ's kubernetes_audit_exec_into_container, indexed in the timeline index
    JsonNode rows = pipeline.send("POST", "/strata-timeline-*/_search", "{\"size\":5,\"query\":{\"term\":"
        + "{\"detections.rule_id\":\"a1b0ca4e-7835-413e-8471-3ff2b8a66be6\"}}}");
    assertThat(rows.at("/hits/hits")).isNotEmpty();
    JsonNode d = rows.at("/hits/hits/0/_source/detections/0");
    assertThat(d.path("title").asText()).isEqualTo("Potential Remote Command Execution In Pod Container");
    assertThat(d.path("author").asText()).isEqualTo("Leo Tsaousis (@laripping)");
    assertThat(d.path("credit").asText()).isEqualTo("Sigma rule by Leo Tsaousis (@laripping), SigmaHQ, DRL-1.1");
    String id = incident.path("incident_id").asText();
    ReportCommand.write(endpoints.openSearchUrl(), id, out, "both");
    assertThat(Files.readString(out.resolve(id + ".html"), StandardCharsets.UTF_8)).contains("Detection rules")
        .contains("a1b0ca4e-7835-413e-8471-3ff2b8a66be6").contains("Sigma rule by Leo Tsaousis (@laripping), SigmaHQ, DRL-1.1");
    assertThat(Files.readString(out.resolve(id + ".md"), StandardCharsets.UTF_8)).contains("## Detection rules")
        .contains("AWS IAM Backdoor Users Keys");
    ObjectNode r = ScopeCommand.run(endpoints.openSearchUrl(), List.of(new Scope.Indicator("ip", ATTACKER_IP)));
    assertThat(Scope.table(r)).contains("Sigma: AWS IAM Backdoor Users Keys (0a5177f4-6ca9-44c2-aacf-d3f3d8b6e4d2, level"
        + " medium). Sigma rule by faloker, SigmaHQ, DRL-1.1");
  }

  @Test
  void reportRendersTheIncident(@TempDir Path out) throws Exception {
    String id = incident.path("incident_id").asText();
    List<Path> files = ReportCommand.write(endpoints.openSearchUrl(), id, out, "both");
    assertThat(files).hasSize(2);
    String html = Files.readString(out.resolve(id + ".html"), StandardCharsets.UTF_8);
    String md = Files.readString(out.resolve(id + ".md"), StandardCharsets.UTF_8);
    assertThat(html).startsWith("<!DOCTYPE html>").contains("<svg").doesNotContain("<script", "<link", " src=", "@import", "<iframe")
        .contains("dev-alice create pods/exec shop/" + POD).contains(ATTACKER_IP).contains("CreateAccessKey")
        .contains("artifacts/sha256/").contains("credential access").contains("node: ip-10-0-1-23");
    assertThat(html.indexOf("pods/exec")).isLessThan(html.indexOf("GetCallerIdentity"));
    assertThat(md).startsWith("# ").contains("| # | time (UTC) |").contains("GetCallerIdentity").contains("artifacts/sha256/")
        .contains("exfiltration");
    // the entity graph's edges come from the bindings index: node -> instance, with its interval and evidence
    assertThat(md).contains("## Entity graph").contains("is instance").contains("instance: " + INSTANCE);
    assertThat(html).contains("Relations (entity bindings)").contains("is instance");
    String list = ReportCommand.list(endpoints.openSearchUrl());
    assertThat(list).contains(id);
  }

  @Test
  void scopeOfTheAttackerIpIsExactlyTheInvolvedEntities() throws Exception {
    ObjectNode r = ScopeCommand.run(endpoints.openSearchUrl(), List.of(new Scope.Indicator("ip", ATTACKER_IP)));
    assertThat(r.path("events").asLong()).isEqualTo(4);
    assertThat(r.path("first_seen").asText()).startsWith("2026-11-20T10:05:03");
    assertThat(r.path("last_seen").asText()).startsWith("2026-11-20T10:06:02");
    assertThat(values(r, "accounts")).containsExactly("111122223333");
    assertThat(values(r, "instances")).containsExactly(INSTANCE);
    assertThat(values(r, "principals")).contains(SESSION)
        .allMatch(p -> p.contains("eks-node-role"), "the node role's session, nothing else");
    // with enrichment (strata correlate) the node's names may appear too; never anything else
    assertThat(values(r, "clusters")).isSubsetOf("prod-eks");
    assertThat(values(r, "nodes")).allMatch(n -> n.startsWith("ip-10-0-1-23"));
    assertThat(values(r, "pods")).isSubsetOf(POD);
    JsonNode ev = r.at("/entities/instances/0/evidence/0");
    assertThat(ev.path("artifact_sha256").asText()).matches("[0-9a-f]{64}");
    assertThat(ev.path("s3_key").asText()).isEqualTo("artifacts/sha256/" + ev.path("artifact_sha256").asText());
    assertThat(ev.path("origin").asText()).contains("CloudTrail");
    assertThat(r.path("incidents")).extracting(i -> i.path("incident_id").asText()).contains(incident.path("incident_id").asText());
    assertThat(Scope.table(r)).contains(INSTANCE).contains("incidents:");
    // the reused private address: both holders of account A, each at its time, and account B's own holder, apart
    ObjectNode reused = ScopeCommand.run(endpoints.openSearchUrl(), List.of(new Scope.Indicator("ip", REUSED_IP)));
    assertThat(values(reused, "pods")).contains(API_POD, "web-1", "job-x").doesNotContain(POD);
    assertThat(values(reused, "accounts")).containsExactly(ACCOUNT_A, ACCOUNT_B);
    assertThat(reused.path("by_account")).extracting(a -> a.path("account").asText())
        .containsExactly(ACCOUNT_A, ACCOUNT_B);
    JsonNode inA = reused.path("by_account").get(0).path("entities");
    JsonNode inB = reused.path("by_account").get(1).path("entities");
    assertThat(values(inA, "pods")).contains(API_POD, "web-1").doesNotContain("job-x", POD);
    assertThat(values(inA, "clusters")).containsExactly("prod");
    assertThat(values(inB, "pods")).containsExactly("job-x");
    assertThat(values(inB, "clusters")).containsExactly("stage");
    assertThat(Scope.table(reused)).contains("account " + ACCOUNT_B).contains("job-x");
    // a service account: the pod that ran as it, its calls, the events enriched with it; not the IP's later holder
    ObjectNode sa = ScopeCommand.run(endpoints.openSearchUrl(),
        List.of(new Scope.Indicator("service_account", "system:serviceaccount:payments:api-sa")));
    assertThat(values(sa, "pods")).contains(API_POD).doesNotContain("web-1", POD);
    assertThat(values(sa, "principals")).anyMatch(p -> p.contains("payments-api"));
    ObjectNode none = ScopeCommand.run(endpoints.openSearchUrl(), List.of(new Scope.Indicator("ip", "192.0.2.99")));
    assertThat(none.path("events").asLong()).isZero();
    assertThat(Scope.table(none)).contains("nothing matches");
  }

  @Test
  void enrichedEventsCarryTheWorkloadOfTheirOwnTime() throws Exception {
    // a Falco alert that names only a container id gains its pod, node, service account and IAM role
    JsonNode falco = one("source_format:falco_alert AND container.uid:3f4e5d6c7b8a*");
    JsonNode e = falco.path("enrichment");
    assertThat(e.path("namespace").asText() + "/" + e.path("pod_name").asText()).isEqualTo("payments/" + API_POD);
    assertThat(e.path("node_name").asText()).isEqualTo(SCENARIO_NODE);
    assertThat(e.path("service_account").asText()).isEqualTo("payments/api-sa");
    assertThat(e.path("iam_role").asText()).isEqualTo("arn:aws:iam::111111111111:role/payments-api");
    assertThat(e.path("binding_ids")).isNotEmpty();
    // the same address, two holders: each flow is its own time's
    JsonNode at1002 = one("source_format:aws_vpc_flow AND cloud.account_uid:" + ACCOUNT_A + " AND src_endpoint.ip:\"" + REUSED_IP + "\" AND time:[\"2026-11-20T10:01:00Z\" TO \"2026-11-20T10:03:00Z\"]");
    assertThat(at1002.at("/enrichment/pod_name").asText()).isEqualTo(API_POD);
    assertThat(at1002.at("/enrichment/instance_uid").asText()).isEqualTo("i-0abc1234def567890");
    JsonNode at1015 = one("source_format:aws_vpc_flow AND cloud.account_uid:" + ACCOUNT_A + " AND src_endpoint.ip:\"" + REUSED_IP + "\" AND time:[\"2026-11-20T10:14:00Z\" TO \"2026-11-20T10:16:00Z\"]");
    assertThat(at1015.at("/enrichment/namespace").asText() + "/" + at1015.at("/enrichment/pod_name").asText())
        .isEqualTo("shop/web-1");
    assertThat(at1015.at("/enrichment/iam_role").isMissingNode() || at1015.at("/enrichment/iam_role").isNull()).isTrue();
    // the demo's node-role call from outside resolves through session -> instance -> node
    JsonNode gci = one("source_format:aws_cloudtrail AND api.operation:GetCallerIdentity AND cloud.account_uid:111122223333");
    assertThat(gci.at("/enrichment/instance_uid").asText()).isEqualTo(INSTANCE);
    assertThat(gci.at("/enrichment/node_name").asText()).startsWith("ip-10-0-1-23");
  }

  @Test
  void theBindingsIndexHoldsTheFacts() throws Exception {
    JsonNode hits = pipeline.send("POST", "/" + dev.strata.sink.opensearch.IndexTemplates.BINDINGS_INDEX + "/_search",
        "{\"size\":20,\"query\":{\"bool\":{\"must\":[{\"term\":{\"kind\":\"ip_pod\"}},{\"term\":{\"subject.key\":\""
            + REUSED_IP + "\"}},{\"term\":{\"subject.scope\":\"aws:111111111111\"}}]}},\"sort\":[{\"valid_from\":\"asc\"}]}")
        .at("/hits/hits");
    assertThat(hits).as("10.0.1.57 in account 111111111111: api-7d9f until its delete, then web-1").hasSize(2);
    JsonNode api = hits.get(0).path("_source");
    assertThat(api.at("/object/key").asText()).isEqualTo("payments/" + API_POD);
    assertThat(api.path("valid_to").asText()).as("closed by the delete").isNotEmpty();
    assertThat(api.path("end_observed").asBoolean()).isTrue();
    assertThat(api.path("evidence").get(0).at("/lineage/artifact_sha256").asText()).matches("[0-9a-f]{64}");
    JsonNode web = hits.get(1).path("_source");
    assertThat(web.at("/object/key").asText()).isEqualTo("shop/web-1");
    assertThat(web.path("valid_to").isMissingNode() || web.path("valid_to").isNull()).as("still open").isTrue();
    JsonNode node = pipeline.send("POST", "/" + dev.strata.sink.opensearch.IndexTemplates.BINDINGS_INDEX + "/_search",
        "{\"size\":5,\"query\":{\"bool\":{\"must\":[{\"term\":{\"kind\":\"node_instance\"}},{\"term\":{\"object.key\":\""
            + INSTANCE + "\"}}]}}}").at("/hits/hits");
    assertThat(node).as("the demo node's registration: node -> instance").hasSize(1);
    assertThat(node.get(0).at("/_source/subject/key").asText()).startsWith("ip-10-0-1-23");
  }

  @Test
  void theEvidenceBucketKeepsTheFactsToo() throws Exception {
    dev.strata.sink.s3.BindingArchive archive = new dev.strata.sink.s3.BindingArchive(pipeline.store());
    java.util.Map<String, dev.strata.schema.correlate.EntityBinding> latest = new java.util.HashMap<>();
    List<String> keys = archive.keys();
    assertThat(keys).isNotEmpty().allMatch(k -> k.matches(".*bindings/\\d{4}/\\d{2}/\\d{2}/[0-9a-f]{64}\\.jsonl"));
    for (String k : keys) {
      for (var b : archive.read(k)) { // read() checks the batch against the SHA-256 its key names
        latest.merge(b.getBindingId(), b, (x, y) -> x.getRevision() >= y.getRevision() ? x : y);
      }
    }
    List<String> holders = latest.values().stream()
        .filter(b -> b.getKind().equals("ip_pod") && b.getSubject().getKey().equals(REUSED_IP)
            && b.getSubject().getScope().equals("aws:111111111111") && !Boolean.TRUE.equals(b.getRetracted()))
        .sorted(java.util.Comparator.comparing(dev.strata.schema.correlate.EntityBinding::getValidFrom))
        .map(b -> b.getObject().getKey()).toList();
    assertThat(holders).as("the same two facts as the bindings index").containsExactly("payments/" + API_POD,
        "shop/web-1");
  }

  @Test
  void theOtherAccountsFlowsFromTheSameAddressAreItsOwnPodsNeverTheFirstAccounts() throws Exception {
    JsonNode inB = search("source_format:aws_vpc_flow AND cloud.account_uid:" + ACCOUNT_B + " AND src_endpoint.ip:\""
        + REUSED_IP + "\"");
    assertThat(inB).as("account B's three flows from 10.0.1.57").hasSize(3);
    for (JsonNode h : inB) {
      JsonNode e = h.at("/_source/enrichment");
      assertThat(e.path("namespace").asText() + "/" + e.path("pod_name").asText()).as(h.at("/_source/time").asText())
          .isEqualTo("batch/job-x");
      assertThat(e.path("cluster").asText()).isEqualTo("stage");
      assertThat(e.path("service_account").asText()).doesNotContain("payments");
      assertThat(e.path("iam_role").asText("")).isEmpty();
    }
    JsonNode inA = search("source_format:aws_vpc_flow AND cloud.account_uid:" + ACCOUNT_A + " AND src_endpoint.ip:\""
        + REUSED_IP + "\"");
    assertThat(inA).as("account A's flows: two on time, two late").hasSize(4);
    for (JsonNode h : inA) {
      JsonNode e = h.at("/_source/enrichment");
      assertThat(e.path("pod_name").asText()).as(h.at("/_source/time").asText()).isIn(API_POD, "web-1");
      assertThat(e.path("cluster").asText()).isEqualTo("prod");
    }
  }

  @Test
  void aLateVpcFlowFileResolvesToThePodsOfItsTimeOnceEachAtTheNewestRevision() throws Exception {
    String sha = dev.strata.parse.EventIds.sha256Hex(Files.readAllBytes(lateFlowEvidence().resolve(LATE_FLOWS)));
    JsonNode late = search("source_format:aws_vpc_flow AND lineage.artifact_sha256:" + sha);
    assertThat(late).as("two records, collected twice: two documents").hasSize(2);
    Map<String, String> podAt = new java.util.TreeMap<>();
    Map<String, Long> versions = new HashMap<>();
    for (JsonNode h : late) {
      JsonNode e = h.at("/_source/enrichment");
      podAt.put(h.at("/_source/time").asText(), e.path("namespace").asText() + "/" + e.path("pod_name").asText());
      versions.put(h.path("_id").asText(), h.path("_version").asLong());
      assertThat(h.path("_id").asText()).isEqualTo(h.at("/_source/event_id").asText());
    }
    assertThat(podAt.values()).as("10:04 before the reuse, 10:13 after: " + podAt)
        .containsExactly("payments/" + API_POD, "shop/web-1");
    // the index holds the newest revision the correlation wrote (external version = the run's generation and
    // revision + 1), not the parse job's un-enriched document (version 0) nor an older revision
    Map<String, Integer> newest = newestRevisions(versions.keySet());
    assertThat(newest.keySet()).isEqualTo(versions.keySet());
    newest.forEach((id, rev) -> {
      assertThat(dev.strata.sink.opensearch.Generations.revision(versions.get(id))).as(id).isEqualTo(rev + 1L);
      assertThat(dev.strata.sink.opensearch.Generations.generation(versions.get(id))).as(id).isPositive();
    });
  }

  /** Hits (with their versions) of a query_string query on the events index. */
  JsonNode search(String query) throws Exception {
    return pipeline.send("POST", "/" + dev.strata.sink.opensearch.IndexTemplates.EVENTS_INDEX + "/_search",
        "{\"size\":50,\"version\":true,\"query\":{\"query_string\":{\"query\":\"" + query.replace("\"", "\\\"")
            + "\"}}}").at("/hits/hits");
  }

  /** The highest {@code enrichment.revision} per event id of {@code ids} on the enriched topic (committed records). */
  Map<String, Integer> newestRevisions(java.util.Set<String> ids) {
    Map<String, Integer> newest = new HashMap<>();
    for (var e : ScenarioRun.enriched(endpoints, ids)) {
      newest.merge(e.getEventId(), e.getEnrichment().getRevision(), Math::max);
    }
    return newest;
  }

  JsonNode one(String query) throws Exception {
    JsonNode hits = pipeline.send("POST", "/" + dev.strata.sink.opensearch.IndexTemplates.EVENTS_INDEX + "/_search",
        "{\"size\":5,\"query\":{\"query_string\":{\"query\":\"" + query.replace("\"", "\\\"") + "\"}}}")
        .at("/hits/hits");
    assertThat(hits).as(query).hasSize(1);
    return hits.get(0).path("_source");
  }

  /** The values of a dimension in a scope answer, or in one account's {@code entities} of it. */
  static List<String> values(JsonNode r, String dim) {
    JsonNode entities = r.has("entities") ? r.path("entities") : r;
    List<String> out = new ArrayList<>();
    entities.path(dim).forEach(e -> out.add(e.path("value").asText()));
    return out;
  }
}
