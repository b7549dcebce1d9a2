package dev.strata.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.strata.infra.StackEndpoints;
import dev.strata.infra.testing.SharedStack;
import dev.strata.ingest.CollectorOptions;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * An ECS fleet incident end to end on the embedded stack, as {@code strata demo --evidence} runs it (collect, parse,
 * correlate, incidents; then {@code strata scope} and {@code strata report}). The evidence is
 * {@code src/test/resources/scenarios/ecs} (provenance per file in its PROVENANCE.md), CloudTrail and VPC Flow files
 * delivered gzip-compressed under their S3 keys as AWS writes them:
 *
 * <ul>
 *   <li>account 444455556666, cluster shop-prod (EC2 launch type, awsvpc): task 5f1c..0718 (storefront, containers
 *       web + log-router) on ENI eni-..e0001 at 10.20.1.37 from 09:58:20 is exploited from 198.51.100.77 at 10:05:
 *       Falco on the container instance sees a shell, a dropped miner and its pool connection; the task role's
 *       credentials call sts GetCallerIdentity (NAT), s3 ListBuckets and GetObject of shop-prod-secrets (S3 gateway
 *       endpoint, source 10.20.1.37); responders stop the task at 10:20:05; at 10:31 the stolen credentials are used
 *       from 198.51.100.77 (GetCallerIdentity, iam CreateAccessKey denied, from the us-east-1 file);
 *   <li>task 9a8b..6a5b of the same service starts at 10:30:12 on another ENI with the same address and the same
 *       task role: its flows and its own GetObject must resolve to it, never to the compromised task;
 *   <li>account 777788889999 runs task 0c0f..0c0f (cluster batch, Fargate) on 10.20.1.37 in its own VPC at the same
 *       time: its flows resolve to its own task;
 *   <li>the ECS agent pulls task 5f1c's image and creates its log stream with the task's execution role (its session
 *       also named after the task id, from the NAT gateway's public address; describe-task-definition names the
 *       roles): attributed to the task as its infrastructure, no signal, not in the incident;
 *   <li>account 121212121212, no task metadata nor describe-tasks at all (CloudTrail + VPC Flow v7 only): Fargate task
 *       a1b2..f601 (cluster pay-prod, service pay-api) lists the buckets with its task role from outside before its
 *       first v7 record, exfiltrates to 192.0.2.200 and its credentials are used again at 10:40: the flows and the
 *       task role's calls reach the task through the v7 records; the execution role's image pull (its roles from
 *       CloudTrail's RegisterTaskDefinition) is infrastructure; an EKS cluster of that account is also named
 *       shop-prod: scope by the ECS cluster never finds it, nor the reverse;
 *   <li>the same account's task 7e1d..5c6b (ledger) has no evidence naming its roles at all: its execution role's
 *       sessions only pull the image, read the injected secret and create the log stream (through the NAT gateway,
 *       an SDK user agent without the agent's marks), so the role is taken as an execution role from its calls
 *       ({@code role_ecs_use}) and they are in no incident; its task role's credentials read the same secret from
 *       198.51.100.140 at 11:50: a workload's call, a signal;
 *   <li>task 3c4d..1a2b (service cart-worker) runs on the same container instance (ENI eni-..e0003, 10.20.1.52): its
 *       VPC Flow file (custom v3 format naming the instance) is correlated before its describe-tasks arrives
 *       ({@code scenarios/ecs-late}, collected and correlated afterwards: {@link ScenarioRun#runWithLateEvidence}), so
 *       its records first resolve to no task and bind their ENI to the container instance: they join the storefront
 *       incident through the instance Falco's host is; their newer revision names the cart-worker task, and they must
 *       leave that incident.
 * </ul>
 */
@ExtendWith(SharedStack.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class EcsIncidentPipelineIT {
  static final String ACCOUNT_A = "444455556666";
  static final String ACCOUNT_B = "777788889999";
  static final String ATTACKER_IP = "198.51.100.77";
  static final String TASK_IP = "10.20.1.37";
  static final String T1 = "5f1c2a3b4d5e4f60a1b2c3d4e5f60718";
  static final String T2 = "9a8b7c6d5e4f40312a1b0c9d8e7f6a5b";
  static final String TASK1 = "arn:aws:ecs:eu-west-1:" + ACCOUNT_A + ":task/shop-prod/" + T1;
  static final String TASK2 = "arn:aws:ecs:eu-west-1:" + ACCOUNT_A + ":task/shop-prod/" + T2;
  static final String TASK_B = "arn:aws:ecs:eu-west-1:" + ACCOUNT_B + ":task/batch/0c0ffee0c0ffee0c0ffee0c0ffee0c0f";
  static final String ENI1 = "eni-0e1c5a110000e0001";
  static final String ENI2 = "eni-0e1c5a110000e0002";
  static final String ENI_B = "eni-0b7e57ab1e000e001";
  static final String SESSION1 = "arn:aws:sts::" + ACCOUNT_A + ":assumed-role/storefront-task-role/" + T1;
  static final String SESSION2 = "arn:aws:sts::" + ACCOUNT_A + ":assumed-role/storefront-task-role/" + T2;
  static final String WEB1 = "62dfdab12104246c148c97c5e4cc0465ad968f850e5439ca6cfa49a381c707cd";
  static final String ROUTER1 = "43c93a28fa8ece22c537c8396632cdf7234f45bddd191cd26e4e8e824eb0b190";
  static final String WEB_DIGEST = "sha256:83d20350a81b979988da333b2faffd22fca38db43e6281959e0b746086c029b1";
  static final String EXEC_ROLE = "arn:aws:iam::" + ACCOUNT_A + ":role/ecsTaskExecutionRole";
  static final String EXEC_SESSION1 = "arn:aws:sts::" + ACCOUNT_A + ":assumed-role/ecsTaskExecutionRole/" + T1;
  static final String ACCOUNT_C = "121212121212";
  static final String T3 = "a1b2c3d4e5f6478990a1b2c3d4e5f601";
  static final String TASK3 = "arn:aws:ecs:eu-west-1:" + ACCOUNT_C + ":task/pay-prod/" + T3;
  static final String ENI3 = "eni-0f10000000000e001";
  static final String PAY_EXEC_ROLE = "arn:aws:iam::" + ACCOUNT_C + ":role/pay-execution-role";
  static final String LEDGER_T = "7e1d9c3b5a2f4e6d8c0b1a2f3e4d5c6b";
  static final String LEDGER_EXEC_ROLE = "arn:aws:iam::" + ACCOUNT_C + ":role/ledger-execution-role";
  static final String LEDGER_TASK_ROLE = "arn:aws:iam::" + ACCOUNT_C + ":role/ledger-task-role";
  static final String LEDGER_EXEC_SESSION =
      "arn:aws:sts::" + ACCOUNT_C + ":assumed-role/ledger-execution-role/" + LEDGER_T;
  static final String TASK_X = "arn:aws:ecs:eu-west-1:" + ACCOUNT_A + ":task/shop-prod/3c4d5e6f708192a3b4c5d6e7f8091a2b";
  static final String ENI_X = "eni-0e1c5a110000e0003";
  static final String HOST = "i-0e1c5a11c0ffee001";

  EvidencePipeline pipeline;
  StackEndpoints endpoints;
  JsonNode incidents;
  JsonNode incident;

  @BeforeAll
  void runPipeline(StackEndpoints endpoints) throws Exception {
    this.endpoints = endpoints;
    Path home = ScenarioRun.home();
    Path evidence = asDelivered(home.resolve("cli/src/test/resources/scenarios/ecs"));
    pipeline = new EvidencePipeline(EvidencePipeline.Services.of(endpoints));
    ScenarioRun.runWithLateEvidence(pipeline, endpoints, "ecs-it", evidence,
        asDelivered(home.resolve("cli/src/test/resources/scenarios/ecs-late")), CollectorOptions.defaults());
    incidents = ScenarioRun.incidentsWith(pipeline, TASK1, false);
    incident = incidents.size() == 0 ? null : incidents.get(0).path("_source");
    // what the run wrote, for a reader of a failure (target/ecs-it/)
    Path dump = home.resolve("cli/target/ecs-it");
    Files.createDirectories(dump);
    Files.writeString(dump.resolve("incidents.json"), incidents.toPrettyString());
    Files.writeString(dump.resolve("events.json"), search("cloud.account_uid:" + ACCOUNT_A + " OR cloud.account_uid:"
        + ACCOUNT_B + " OR cloud.account_uid:" + ACCOUNT_C + " OR container.uid:" + WEB1.substring(0, 12))
        .toPrettyString());
    Files.writeString(dump.resolve("bindings.json"), pipeline.send("POST", "/strata-bindings-*/_search",
        "{\"size\":200,\"query\":{\"query_string\":{\"query\":\"attributes.account_uid:" + ACCOUNT_A
            + " OR attributes.account_uid:" + ACCOUNT_B + " OR attributes.account_uid:" + ACCOUNT_C + "\"}}}")
        .at("/hits/hits").toPrettyString());
    Files.writeString(dump.resolve("all-incidents.json"), pipeline.send("POST", "/strata-incidents-*/_search",
        "{\"size\":50}").at("/hits/hits").toPrettyString());
    // every revision both correlation runs emitted for the late flow file's records, in topic order
    java.util.Set<String> lateFlows = new java.util.HashSet<>();
    search("source_format:aws_vpc_flow AND cloud.eni_uid:" + ENI_X).forEach(h -> lateFlows.add(h.path("_id").asText()));
    StringBuilder revisions = new StringBuilder();
    for (var e : ScenarioRun.enriched(endpoints, lateFlows)) {
      revisions.append(e.getEventId()).append(' ').append(e.getTime()).append(" revision ")
          .append(e.getEnrichment().getRevision()).append(" task ").append(e.getEnrichment().getTaskUid()).append('\n');
    }
    Files.writeString(dump.resolve("late-flow-revisions.txt"), revisions);
  }

  @Test
  void oneIncidentHoldsTheCompromisedTask() {
    assertThat(incidents).as("one incident on the compromised task").hasSize(1);
    assertThat(incident.path("title").asText()).as("the task a responder knows, not a container's Docker id")
        .startsWith("ECS task " + T1 + " (service storefront-web, cluster shop-prod): ");
  }

  @Test
  void theStoppedTasksEniAndAddressAreItsOnlyUntilItStopped() throws Exception {
    JsonNode facts = pipeline.send("POST", "/strata-bindings-*/_search", "{\"size\":50,\"query\":{\"bool\":{\"filter\":["
        + "{\"terms\":{\"kind\":[\"eni_task\",\"ip_task\"]}},{\"term\":{\"object.key\":\"" + TASK1 + "\"}}]}}}")
        .at("/hits/hits");
    Map<String, String> intervals = new java.util.TreeMap<>();
    for (JsonNode h : facts) {
      JsonNode b = h.path("_source");
      if (b.path("retracted").asBoolean()) continue;
      intervals.merge(b.path("kind").asText() + " " + b.at("/subject/key").asText(),
          b.path("valid_to").asText("open") + " " + b.path("end_observed").asBoolean(), (x, y) -> x + "; " + y);
    }
    // the task metadata (while it ran) and the v7 flow records state them open; describe-tasks' stoppedAt ends them
    assertThat(intervals).containsExactlyInAnyOrderEntriesOf(Map.of(
        "eni_task " + ENI1, "2026-11-21T10:20:05.517000Z true",
        "ip_task " + TASK_IP, "2026-11-21T10:20:05.517000Z true"));
  }

  /** The scenario as AWS delivers it: CloudTrail and VPC Flow files gzip-compressed ({@code .json.gz}, {@code .log.gz}). */
  static Path asDelivered(Path scenario) throws Exception {
    Path root = Files.createTempDirectory("strata-ecs-it-");
    try (Stream<Path> files = Files.walk(scenario)) {
      for (Path f : files.filter(Files::isRegularFile).toList()) {
        String rel = scenario.relativize(f).toString();
        if (rel.equals("PROVENANCE.md")) continue;
        boolean delivered = rel.startsWith("AWSLogs/");
        Path to = root.resolve(delivered ? rel + ".gz" : rel);
        Files.createDirectories(to.getParent());
        if (delivered) {
          try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(to))) {
            Files.copy(f, out);
          }
        } else {
          Files.copy(f, to);
        }
      }
    }
    return root;
  }

  @Test
  void everyFlowIsTheTaskOfItsOwnTimeAccountAndEni() throws Exception {
    JsonNode flows = search("source_format:aws_vpc_flow AND (cloud.account_uid:" + ACCOUNT_A + " OR cloud.account_uid:"
        + ACCOUNT_B + ") AND time:[\"2026-11-21T10:00:00Z\" TO \"2026-11-21T11:00:00Z\"] AND src_endpoint.ip:*");
    Map<String, String> taskOf = new java.util.TreeMap<>();
    for (JsonNode h : flows) {
      JsonNode s = h.path("_source");
      String key = s.at("/cloud/account_uid").asText() + " " + s.at("/cloud/eni_uid").asText() + " "
          + s.path("time").asText().substring(11, 19) + " " + s.at("/src_endpoint/ip").asText() + ">"
          + s.at("/dst_endpoint/ip").asText();
      taskOf.put(key, s.at("/enrichment/task_uid").asText("-") + " " + s.at("/enrichment/eni_uid").asText("-") + " "
          + s.at("/enrichment/ecs_cluster").asText("-") + s.at("/enrichment/cluster").asText(""));
    }
    String t1 = TASK1 + " " + ENI1 + " shop-prod";
    String t2 = TASK2 + " " + ENI2 + " shop-prod";
    assertThat(taskOf).as("each flow at its time: the task, its ENI and cluster").containsExactlyInAnyOrderEntriesOf(Map.ofEntries(
        Map.entry(ACCOUNT_A + " " + ENI1 + " 10:05:02 " + ATTACKER_IP + ">" + TASK_IP, t1),
        Map.entry(ACCOUNT_A + " " + ENI1 + " 10:05:02 " + TASK_IP + ">" + ATTACKER_IP, t1),
        Map.entry(ACCOUNT_A + " " + ENI1 + " 10:06:35 " + TASK_IP + ">" + ATTACKER_IP, t1),
        Map.entry(ACCOUNT_A + " " + ENI1 + " 10:06:35 " + ATTACKER_IP + ">" + TASK_IP, t1),
        Map.entry(ACCOUNT_A + " " + ENI1 + " 10:07:00 " + TASK_IP + ">" + ATTACKER_IP, t1),
        Map.entry(ACCOUNT_A + " " + ENI1 + " 10:08:00 " + TASK_IP + ">" + ATTACKER_IP, t1),
        Map.entry(ACCOUNT_A + " " + ENI1 + " 10:12:00 " + TASK_IP + ">" + ATTACKER_IP, t1),
        Map.entry(ACCOUNT_A + " " + ENI2 + " 10:35:10 " + TASK_IP + ">192.0.2.44", t2),
        Map.entry(ACCOUNT_A + " " + ENI2 + " 10:35:10 192.0.2.44>" + TASK_IP, t2),
        Map.entry(ACCOUNT_A + " " + ENI2 + " 10:36:00 " + TASK_IP + ">192.0.2.44", t2),
        // a v3 record names the VPC: the address in the VPC at 10:37 is the new task's, not the stopped one's
        Map.entry(ACCOUNT_A + " " + ENI2 + " 10:37:00 " + TASK_IP + ">192.0.2.44", t2),
        // the co-hosted cart-worker task's late flow file: resolved to it once its describe-tasks came
        Map.entry(ACCOUNT_A + " " + ENI_X + " 10:10:00 10.20.1.52>10.20.5.10", TASK_X + " " + ENI_X + " shop-prod"),
        Map.entry(ACCOUNT_A + " " + ENI_X + " 10:12:00 10.20.1.52>10.20.5.10", TASK_X + " " + ENI_X + " shop-prod"),
        Map.entry(ACCOUNT_B + " " + ENI_B + " 10:07:00 " + TASK_IP + ">192.0.2.80", TASK_B + " " + ENI_B + " batch"),
        Map.entry(ACCOUNT_B + " " + ENI_B + " 10:31:00 " + TASK_IP + ">192.0.2.80", TASK_B + " " + ENI_B + " batch")));
    // the v7 record of a two-container task names both containers' ids, not the one that made the flow
    JsonNode v7 = one("source_format:aws_vpc_flow AND cloud.task_uid:\"" + TASK1 + "\"");
    assertThat(v7.at("/unmapped/ecs-second-container-id").asText()).isEqualTo(ROUTER1);
    assertThat(v7.at("/enrichment/container_uid").asText("")).as("the task's, no one container's").isEmpty();
  }

  @Test
  void everyCallOfATaskRoleSessionIsItsTasks() throws Exception {
    JsonNode calls = search("source_format:aws_cloudtrail AND cloud.account_uid:" + ACCOUNT_A);
    Map<String, String> taskOf = new java.util.TreeMap<>();
    for (JsonNode h : calls) {
      JsonNode s = h.path("_source");
      if (!s.at("/actor/user_uid").asText().contains(":assumed-role/storefront-task-role/")) continue;
      JsonNode e = s.path("enrichment");
      taskOf.put(s.path("time").asText().substring(11, 19) + " " + s.at("/api/operation").asText(),
          e.path("task_uid").asText("-") + " " + e.path("eni_uid").asText("-") + " " + e.path("ecs_cluster").asText("-")
              + e.path("cluster").asText(""));
    }
    String t1 = TASK1 + " " + ENI1 + " shop-prod";
    assertThat(taskOf).containsExactlyInAnyOrderEntriesOf(Map.of(
        "10:06:00 GetCallerIdentity", t1,
        "10:06:20 ListBuckets", t1,
        "10:06:40 GetObject", t1,
        "10:31:05 GetCallerIdentity", t1, // after the task stopped: its stolen credentials, used from outside
        "10:31:40 CreateAccessKey", t1,
        "10:35:00 GetObject", TASK2 + " " + ENI2 + " shop-prod"));
    JsonNode outside = one("source_format:aws_cloudtrail AND api.operation:CreateAccessKey AND cloud.account_uid:" + ACCOUNT_A);
    assertThat(outside.at("/enrichment/binding_ids")).isNotEmpty();
  }

  @Test
  void theExecutionRolesCallsAreTheTasksInfrastructureNotTheWorkloads() throws Exception {
    // the ECS agent's calls: attributed to the task, with the roles its definition names, and in no incident
    Map<String, String> agent = new java.util.TreeMap<>();
    for (JsonNode h : search("source_format:aws_cloudtrail AND (actor.session_issuer:\"" + EXEC_ROLE
        + "\" OR actor.session_issuer:\"" + PAY_EXEC_ROLE + "\")")) {
      JsonNode s = h.path("_source");
      JsonNode e = s.path("enrichment");
      agent.put(s.path("time").asText().substring(11, 19) + " " + s.at("/api/operation").asText(),
          e.path("task_uid").asText("-") + " " + e.path("ecs_execution_role").asText("-") + " "
              + e.path("incident_ids").size());
      assertThat(timelineRowsOf(s.path("event_id").asText())).as("no incident holds the agent's " + s.at("/api/operation"))
          .isZero();
    }
    assertThat(agent).containsExactlyInAnyOrderEntriesOf(Map.of(
        "09:58:05 GetAuthorizationToken", TASK1 + " " + EXEC_ROLE + " 0",
        "09:58:06 BatchGetImage", TASK1 + " " + EXEC_ROLE + " 0",
        "09:58:15 CreateLogStream", TASK1 + " " + EXEC_ROLE + " 0",
        "10:02:10 GetAuthorizationToken", TASK3 + " " + PAY_EXEC_ROLE + " 0",
        "10:02:12 BatchGetImage", TASK3 + " " + PAY_EXEC_ROLE + " 0"));
    List<String> entities = new ArrayList<>();
    incident.path("entities").forEach(e -> entities.add(e.path("type").asText() + ":" + e.path("key").asText()));
    assertThat(entities).doesNotContain("session:" + EXEC_SESSION1, "access_key:ASIAWZQ5EXECROLE3X9B");
  }

  @Test
  void withoutTheTaskDefinitionTheExecutionRoleIsKnownByItsCallsAndTheStolenTaskRoleStaysASignal() throws Exception {
    // task 7e1d..5c6b (ledger) of account 121212121212: no definition, metadata, describe-tasks nor flow record names
    // its roles; the execution role's sessions only pull the image, read the injected secret and create the log
    // stream (through the NAT gateway, a plain SDK user agent): the ECS agent's
    Map<String, String> agent = new java.util.TreeMap<>();
    for (JsonNode h : search("source_format:aws_cloudtrail AND actor.session_issuer:\"" + LEDGER_EXEC_ROLE + "\"")) {
      JsonNode s = h.path("_source");
      agent.put(s.path("time").asText().substring(11, 19) + " " + s.at("/api/operation").asText(),
          s.at("/enrichment/ecs_execution_role").asText("-") + " " + timelineRowsOf(s.path("event_id").asText()));
    }
    String infrastructure = LEDGER_EXEC_ROLE + " 0";
    assertThat(agent).containsExactlyInAnyOrderEntriesOf(Map.of(
        "11:00:08 GetAuthorizationToken", infrastructure,
        "11:00:09 BatchGetImage", infrastructure,
        "11:00:10 GetDownloadUrlForLayer", infrastructure,
        "11:00:31 GetSecretValue", infrastructure,
        "11:00:40 CreateLogStream", infrastructure));
    JsonNode use = pipeline.send("POST", "/strata-bindings-*/_search", "{\"size\":20,\"query\":{\"bool\":{\"filter\":["
        + "{\"term\":{\"kind\":\"role_ecs_use\"}},{\"term\":{\"subject.key\":\"" + LEDGER_EXEC_ROLE + "\"}}]}}}")
        .at("/hits/hits");
    assertThat(use).as("the role's use, with its basis and confidence").isNotEmpty();
    for (JsonNode b : use) {
      assertThat(b.at("/_source/object/key").asText()).isEqualTo("execution_role");
      assertThat(b.at("/_source/confidence").floatValue()).isBetween(0.5f, 0.95f);
      assertThat(b.at("/_source/attributes/ecs_role_basis").asText()).isIn("execution_calls_only",
          "secret_read_at_task_start");
    }
    JsonNode everyIncident = pipeline.send("POST", "/strata-incidents-*/_search", "{\"size\":200,\"query\":{\"term\":"
        + "{\"entities.key\":\"" + LEDGER_EXEC_SESSION + "\"}}}").at("/hits/hits");
    for (JsonNode i : everyIncident) {
      assertThat(i.at("/_source/status").asText()).as("only a withdrawn id may name the agent's session").isEqualTo("MERGED");
    }
    // the task role's credentials, read from the task and used from 198.51.100.140 50 minutes later: the same
    // secret, a workload's call (the role is a task role), a signal of its own incident
    JsonNode stolen = one("source_format:aws_cloudtrail AND actor.session_issuer:\"" + LEDGER_TASK_ROLE + "\"");
    assertThat(stolen.at("/enrichment/ecs_task_role").asText()).isEqualTo(LEDGER_TASK_ROLE);
    assertThat(stolen.at("/enrichment/ecs_execution_role").asText("-")).isEqualTo("-");
    JsonNode rows = pipeline.send("POST", "/strata-timeline-*/_search", "{\"size\":5,\"query\":{\"term\":"
        + "{\"event_id\":\"" + stolen.path("event_id").asText() + "\"}}}").at("/hits/hits");
    assertThat(rows).hasSize(1);
    assertThat(rows.get(0).at("/_source/signal").asBoolean()).isTrue();
    JsonNode found = pipeline.send("POST", "/strata-incidents-*/_search", "{\"size\":1,\"query\":{\"term\":"
        + "{\"incident_id\":\"" + rows.get(0).at("/_source/incident_id").asText() + "\"}}}").at("/hits/hits");
    assertThat(found).hasSize(1);
    List<String> entities = new ArrayList<>();
    found.get(0).at("/_source/entities").forEach(e -> entities.add(e.path("type").asText() + ":" + e.path("key").asText()));
    assertThat(entities).contains("ip:198.51.100.140").doesNotContain("session:" + LEDGER_EXEC_SESSION);
  }

  @Test
  void withoutTaskMetadataTheV7FlowsAndTheTaskRolesCallsReachTheirTask() throws Exception {
    // account 121212121212 has no task metadata, no describe-tasks: CloudTrail and VPC Flow v7 alone
    Map<String, String> taskOf = new java.util.TreeMap<>();
    for (JsonNode h : search("cloud.account_uid:" + ACCOUNT_C + " AND (source_format:aws_vpc_flow OR "
        + "actor.session_issuer:\"arn:aws:iam::" + ACCOUNT_C + ":role/pay-task-role\")")) {
      JsonNode s = h.path("_source");
      JsonNode e = s.path("enrichment");
      String what = s.path("source_format").asText().equals("aws_vpc_flow")
          ? s.at("/src_endpoint/ip").asText() + ">" + s.at("/dst_endpoint/ip").asText() : s.at("/api/operation").asText();
      taskOf.put(s.path("time").asText().substring(11, 19) + " " + what, e.path("task_uid").asText("-") + " "
          + e.path("ecs_cluster").asText("-") + " " + e.path("ecs_service").asText("-") + " "
          + e.path("cluster").asText("no-k8s-cluster"));
    }
    String t3 = TASK3 + " pay-prod pay-api no-k8s-cluster";
    assertThat(taskOf).containsExactlyInAnyOrderEntriesOf(Map.of(
        "10:05:00 ListBuckets", t3, // before the task's first flow record
        "10:09:00 10.30.1.9>192.0.2.200", t3,
        "10:12:00 10.30.1.9>192.0.2.200", t3,
        "10:40:00 GetCallerIdentity", t3));
    JsonNode pay = pipeline.send("POST", "/strata-incidents-*/_search",
        "{\"size\":10,\"query\":{\"term\":{\"entities.key\":\"" + TASK3 + "\"}}}").at("/hits/hits");
    assertThat(pay).as("one incident on the Fargate task").hasSize(1);
    JsonNode inc = pay.get(0).path("_source");
    assertThat(inc.path("title").asText()).startsWith("ECS task " + T3 + " (service pay-api, cluster pay-prod): ");
    List<String> entities = new ArrayList<>();
    inc.path("entities").forEach(e -> entities.add(e.path("type").asText() + ":" + e.path("key").asText()));
    assertThat(entities).contains("task:" + TASK3, "eni:" + ENI3, "ecs_cluster:pay-prod", "ecs_service:pay-api",
        "ip:192.0.2.200", "ip:198.51.100.99").doesNotContain("task:" + TASK1, "cluster:shop-prod", "cluster:pay-prod");
  }

  @Test
  void falcoAlertsOnTheContainerInstanceAreTheWebContainersOfTheTask() throws Exception {
    JsonNode alerts = search("source_format:falco_alert AND container.uid:" + WEB1.substring(0, 12));
    assertThat(alerts).hasSize(3);
    for (JsonNode h : alerts) {
      JsonNode e = h.at("/_source/enrichment");
      assertThat(e.path("task_uid").asText()).isEqualTo(TASK1);
      assertThat(e.path("container_uid").asText()).isEqualTo(WEB1);
      assertThat(e.path("container_name").asText()).as("the alert's own (Docker) name is kept")
          .isEqualTo("ecs-storefront-7-web-e4a7c1f0b2d39a8c5f01");
      assertThat(e.path("image_digest").asText()).isEqualTo(WEB_DIGEST);
      assertThat(e.path("eni_uid").asText()).isEqualTo(ENI1);
    }
  }

  @Test
  void theIncidentHoldsTheTasksEventsInTimeOrderAndNothingOfTheOtherTasks() throws Exception {
    List<String> entities = new ArrayList<>();
    incident.path("entities").forEach(e -> entities.add(e.path("type").asText() + ":" + e.path("key").asText()));
    assertThat(entities).contains("task:" + TASK1, "session:" + SESSION1, "ip:" + ATTACKER_IP,
        "container:" + WEB1.substring(0, 12), "eni:" + ENI1, "account:" + ACCOUNT_A)
        .doesNotContain("task:" + TASK2, "session:" + SESSION2, "task:" + TASK_B, "eni:" + ENI2, "eni:" + ENI_B);
    String id = incident.path("incident_id").asText();
    JsonNode rows = pipeline.send("POST", "/strata-timeline-*/_search", "{\"size\":200,\"query\":{\"term\":{\"incident_id\":\""
        + id + "\"}},\"sort\":[{\"time\":\"asc\"},{\"event_id\":\"asc\"}]}").at("/hits/hits");
    assertThat(rows.size()).isEqualTo(incident.path("event_count").asInt());
    List<String> summaries = new ArrayList<>();
    Instant last = Instant.EPOCH;
    for (JsonNode r : rows) {
      JsonNode s = r.path("_source");
      Instant t = Instant.parse(s.path("time").asText());
      assertThat(t).isAfterOrEqualTo(last);
      last = t;
      assertThat(s.path("artifact_sha256").asText()).as("lineage").matches("[0-9a-f]{64}");
      assertThat(s.path("origin").asText()).as("lineage").isNotEmpty();
      summaries.add(s.path("summary").asText());
    }
    assertThat(String.join("\n", summaries)).contains("Terminal shell in container", "Drop and execute new binary",
        "miner pool", "GetCallerIdentity", "ListBuckets", "shop-prod-secrets", "CreateAccessKey")
        .doesNotContain("shop-prod-assets", "192.0.2.44", "192.0.2.80");
  }

  @Test
  void scopeReturnsExactlyTheInvolvedEntities() throws Exception {
    ObjectNode ip = ScopeCommand.run(endpoints.openSearchUrl(), List.of(new Scope.Indicator("ip", ATTACKER_IP)));
    assertThat(values(ip, "accounts")).containsExactly(ACCOUNT_A);
    assertThat(values(ip, "tasks")).containsExactly(TASK1);
    assertThat(values(ip, "principals")).contains(SESSION1).doesNotContain(SESSION2);
    assertThat(values(ip, "containers")).as("Falco's miner alert names the pool").isNotEmpty()
        .allMatch(c -> c.startsWith(WEB1.substring(0, 12)));
    assertThat(values(ip, "enis")).containsExactly(ENI1);
    assertThat(values(ip, "clusters")).as("no Kubernetes cluster").isEmpty();
    assertThat(values(ip, "pods")).isEmpty();
    assertThat(ip.path("incidents")).extracting(i -> i.path("incident_id").asText())
        .contains(incident.path("incident_id").asText());
    ObjectNode session = ScopeCommand.run(endpoints.openSearchUrl(), List.of(new Scope.Indicator("principal", SESSION1)));
    assertThat(values(session, "tasks")).containsExactly(TASK1);
    assertThat(values(session, "accounts")).containsExactly(ACCOUNT_A);
    ObjectNode image = ScopeCommand.run(endpoints.openSearchUrl(), List.of(new Scope.Indicator("image_digest", WEB_DIGEST)));
    assertThat(values(image, "tasks")).as("both tasks ran the image, the other account's did not")
        .containsExactlyInAnyOrder(TASK1, TASK2);
    assertThat(values(ip, "ecs_clusters")).containsExactly("shop-prod");
    assertThat(values(ip, "ecs_services")).containsExactly("storefront-web");
    // an ECS cluster and an EKS cluster of one name (another account) are two things
    ObjectNode ecs = ScopeCommand.run(endpoints.openSearchUrl(), List.of(new Scope.Indicator("ecs_cluster", "shop-prod")));
    assertThat(values(ecs, "tasks")).containsExactlyInAnyOrder(TASK1, TASK2, TASK_X);
    assertThat(values(ecs, "accounts")).containsExactly(ACCOUNT_A);
    assertThat(values(ecs, "clusters")).isEmpty();
    assertThat(ecs.path("incidents")).extracting(i -> i.path("incident_id").asText())
        .containsExactly(incident.path("incident_id").asText());
    ObjectNode eks = ScopeCommand.run(endpoints.openSearchUrl(), List.of(new Scope.Indicator("cluster", "shop-prod")));
    assertThat(values(eks, "clusters")).containsExactly("shop-prod");
    assertThat(values(eks, "accounts")).containsExactly(ACCOUNT_C);
    assertThat(values(eks, "tasks")).isEmpty();
    assertThat(values(eks, "ecs_clusters")).isEmpty();
    assertThat(eks.path("incidents")).as("the EKS cluster's own incident (alice lists its secrets), not the ECS one's")
        .extracting(i -> i.path("title").asText()).containsExactly("Principal alice@example.com: credential access (1 signal)");
    ObjectNode reused = ScopeCommand.run(endpoints.openSearchUrl(), List.of(new Scope.Indicator("ip", TASK_IP)));
    assertThat(values(reused, "tasks")).containsExactlyInAnyOrder(TASK1, TASK2, TASK_B);
    Map<String, List<String>> tasksByAccount = new HashMap<>();
    reused.path("by_account").forEach(a -> tasksByAccount.put(a.path("account").asText(), values(a.path("entities"), "tasks")));
    assertThat(tasksByAccount).containsOnlyKeys(ACCOUNT_A, ACCOUNT_B);
    assertThat(tasksByAccount.get(ACCOUNT_A)).containsExactlyInAnyOrder(TASK1, TASK2);
    assertThat(tasksByAccount.get(ACCOUNT_B)).containsExactly(TASK_B);
  }

  /**
   * The cart-worker task's flows, correlated before its describe-tasks came, first named no task: their ENI bound to
   * the container instance their records name, through which they joined the storefront incident (node-level
   * evidence of the instance Falco's alerts are on). Their newer revision names the cart-worker task: they leave the
   * incident (a replaced member: the incident is re-assembled without them, nothing else regrouped), their rows leave
   * its timeline, and nothing of the cart-worker task stays in it or in any other incident.
   */
  @Test
  void aLateFlowFileResolvedToItsCoHostedTaskLaterLeavesTheIncident() throws Exception {
    JsonNode flows = search("source_format:aws_vpc_flow AND cloud.eni_uid:" + ENI_X);
    assertThat(flows).hasSize(2);
    for (JsonNode h : flows) {
      JsonNode s = h.path("_source");
      assertThat(s.at("/cloud/instance_uid").asText()).as("the record names the container instance").isEqualTo(HOST);
      assertThat(s.at("/enrichment/task_uid").asText()).isEqualTo(TASK_X);
      assertThat(timelineRowsOf(s.path("event_id").asText())).as("no incident keeps the flow").isZero();
    }
    List<String> entities = ScenarioRun.entities(incident);
    assertThat(entities).as("the storefront task's incident holds its container instance (Falco's host) ...")
        .contains("instance:" + HOST, "task:" + TASK1)
        .as("... and nothing of the co-hosted task").doesNotContain("task:" + TASK_X, "eni:" + ENI_X, "ip:10.20.1.52");
    ScenarioRun.timeline(pipeline, incident);
    // no other incident of the account holds the cart-worker task or its ENI, open or merged
    assertThat(ScenarioRun.incidentsWith(pipeline, TASK_X, false)).isEmpty();
    assertThat(ScenarioRun.incidentsWith(pipeline, ENI_X, false)).isEmpty();
    assertThat(ScenarioRun.incidentsWith(pipeline, HOST, true)).extracting(h -> h.at("/_source/incident_id").asText())
        .as("the one open incident on the container instance").containsExactly(incident.path("incident_id").asText());
    // scope and report agree: the ENI's scope is the cart-worker task, in no incident; the report has no row of it
    ObjectNode eni = ScopeCommand.run(endpoints.openSearchUrl(), List.of(new Scope.Indicator("ip", "10.20.1.52")));
    assertThat(values(eni, "tasks")).containsExactly(TASK_X);
    assertThat(eni.path("incidents")).isEmpty();
  }

  @Test
  void reportRendersTheIncident(@TempDir Path out) throws Exception {
    ScenarioRun.Report rendered = ScenarioRun.report(endpoints, incident, out);
    String md = rendered.md();
    String html = rendered.html();
    assertThat(md).contains("## Entity graph").contains("task role session").contains(SESSION1)
        .contains("in task").contains(ATTACKER_IP).contains("CreateAccessKey")
        .contains("| ecs\\_cluster | `shop-prod` |").contains("| ecs\\_service | `storefront-web` |");
    assertThat(html).startsWith("<!DOCTYPE html>").contains("<svg").contains(TASK1);
    assertThat(html.indexOf("Terminal shell in container")).isLessThan(html.indexOf("CreateAccessKey"));
    assertThat(md + html).as("no row of the co-hosted task's flows (they left the incident)").doesNotContain(ENI_X)
        .doesNotContain("10.20.5.10");
  }

  long timelineRowsOf(String eventId) throws Exception {
    return pipeline.send("POST", "/strata-timeline-*/_search", "{\"size\":0,\"track_total_hits\":true,\"query\":"
        + "{\"term\":{\"event_id\":\"" + eventId + "\"}}}").at("/hits/total/value").asLong();
  }

  JsonNode search(String query) throws Exception {
    return pipeline.send("POST", "/" + dev.strata.sink.opensearch.IndexTemplates.EVENTS_INDEX + "/_search",
        "{\"size\":500,\"query\":{\"query_string\":{\"query\":\"" + query.replace("\\", "\\\\").replace("\"", "\\\"")
            + "\"}}}").at("/hits/hits");
  }

  JsonNode one(String query) throws Exception {
    JsonNode hits = search(query);
    assertThat(hits).as(query).hasSize(1);
    return hits.get(0).path("_source");
  }

  static List<String> values(JsonNode r, String dim) {
    return IncidentPipelineIT.values(r, dim);
  }
}
