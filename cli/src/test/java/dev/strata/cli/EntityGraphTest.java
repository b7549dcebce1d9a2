package dev.strata.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.strata.correlate.BindingExtractor;
import dev.strata.correlate.BindingFacts;
import dev.strata.ingest.CollectorOptions;
import dev.strata.ingest.EvidencePreserver;
import dev.strata.ingest.FileCollector;
import dev.strata.ingest.ProgressListener;
import dev.strata.ingest.publish.ChunkPublisher;
import dev.strata.job.incident.IncidentEngine;
import dev.strata.job.incident.IncidentSettings;
import dev.strata.parse.ChunkOutput;
import dev.strata.parse.ChunkParser;
import dev.strata.parse.ParserRegistry;
import dev.strata.schema.correlate.EntityBinding;
import dev.strata.schema.correlate.Incident;
import dev.strata.schema.deadletter.DeadLetter;
import dev.strata.schema.event.EvidenceEvent;
import dev.strata.sink.opensearch.BindingDocuments;
import dev.strata.sink.opensearch.IncidentDocuments;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The report's entity graph of the demo incident: its edges are the relations the demo evidence states, as the
 * correlation job writes them (BindingExtractor -> BindingFacts -> the bindings index document), each with its
 * interval and evidence -- not every pair of neighbouring columns.
 */
class EntityGraphTest {
  static final ObjectMapper JSON = new ObjectMapper();

  static List<EvidenceEvent> demoEvents() throws Exception {
    ChunkParser parser = new ChunkParser(ParserRegistry.defaults());
    List<EvidenceEvent> events = new ArrayList<>();
    ChunkOutput out = new ChunkOutput() {
      @Override
      public void event(EvidenceEvent event) {
        events.add(event);
      }

      @Override
      public void deadLetter(DeadLetter deadLetter) {}
    };
    Path bundle = Path.of(System.getProperty("strata.home", "..")).resolve("examples/demo-bundle").toAbsolutePath();
    FileCollector.collect(bundle, CollectorOptions.builder().build(), ChunkPublisher.forEach(c -> parser.parse(c, out),
        m -> {}), EvidencePreserver.NONE, ProgressListener.NONE);
    return events;
  }

  /** The bindings index after the correlation job: one document per fact. */
  static List<JsonNode> factDocuments(List<EvidenceEvent> events) throws Exception {
    BindingExtractor x = new BindingExtractor();
    Map<String, List<EntityBinding>> bySubject = new LinkedHashMap<>();
    for (EvidenceEvent e : events) {
      for (EntityBinding b : x.extract(e)) bySubject.computeIfAbsent(BindingFacts.subjectKey(b), k -> new ArrayList<>()).add(b);
    }
    List<JsonNode> docs = new ArrayList<>();
    BindingFacts facts = new BindingFacts();
    for (List<EntityBinding> s : bySubject.values()) {
      for (BindingFacts.Fact f : facts.facts(s)) docs.add(JSON.readTree(BindingDocuments.toJson(f.binding())));
    }
    return docs;
  }

  @Test
  void theDemoIncidentsEdgesAreTheRelationsItsEvidenceStates() throws Exception {
    List<EvidenceEvent> events = demoEvents();
    Incident inc = IncidentEngine.incidentsOf(events, IncidentSettings.defaults()).get(0);
    JsonNode incident = JSON.readTree(IncidentDocuments.toJson(inc));
    IncidentReport report = new IncidentReport(incident, List.of(), factDocuments(events), Set.of());
    List<String> edges = report.graph().edges.stream()
        .map(e -> e.from().label() + " -" + e.relation() + "-> " + e.to().label()).toList();
    // what the demo evidence states: the kubelet's node registration (node -> instance) and the node role's
    // CloudTrail session named after its instance; the containers share the node in the incident but no evidence
    // binds them to the pod, so no line joins them (the old report drew every pair of neighbouring columns)
    // since session 13 also the container's log line showing its app read the node role's credentials from IMDS
    // (imds_fetch_container, stated on its node: the extractor's fact, before the job finds the node's instance);
    // since session 18 the session's own role (session_role, from its calls' sessionIssuer)
    assertThat(edges).containsExactly(
        "instance: i-0a1b2c3d4e5f60718 -instance role session-> session: "
            + "arn:aws:sts::111122223333:assumed-role/eks-node-role/i-0a1b2c3d4e5f60718",
        "node: ip-10-0-1-23 -is instance-> instance: i-0a1b2c3d4e5f60718",
        "node: ip-10-0-1-23 -role credentials read by-> container: 304ef4d5cf41",
        "session: arn:aws:sts::111122223333:assumed-role/eks-node-role/i-0a1b2c3d4e5f60718 -session role-> role: "
            + "arn:aws:iam::111122223333:role/eks-node-role");
    assertThat(report.graph().nodes).extracting(EntityGraph.Node::label)
        .contains("container: 304ef4d5cf41", "pod: shop/web-7d9c8b6f5-x2x9q");
    for (EntityGraph.Edge e : report.graph().edges) {
      assertThat(e.validFrom()).as("interval").isNotEmpty();
      assertThat(e.evidence()).as("evidence").isNotEmpty().allMatch(s -> s.matches(".* event [0-9a-f]{64} \\(artifact [0-9a-f]{64}, .*"));
    }
    String html = report.html();
    String svg = report.graphSvg();
    assertThat(svg.split("<line ", -1)).as("one line per edge").hasSize(edges.size() + 1);
    String md = report.markdown();
    for (EntityGraph.Edge e : report.graph().edges) {
      assertThat(html).contains(IncidentReport.h(e.from().label() + " " + e.relation() + " " + e.to().label()));
      assertThat(md).contains(e.relation());
    }
  }

  static JsonNode fact(String kind, String sType, String sKey, String sScope, String oType, String oKey, String oScope,
      String attrs) throws Exception {
    return JSON.readTree(("{\"binding_id\":\"%s\",\"kind\":\"%s\",\"subject\":{\"type\":\"%s\",\"key\":\"%s\",\"scope\":\"%s\"},"
        + "\"object\":{\"type\":\"%s\",\"key\":\"%s\",\"scope\":\"%s\"},\"attributes\":{%s},"
        + "\"valid_from\":\"2026-11-20T10:00:00Z\",\"end_observed\":false,\"source_format\":\"k8s_audit\","
        + "\"lineage\":{\"event_id\":\"%s\",\"artifact_sha256\":\"%s\",\"byte_offset\":7},\"evidence_count\":1}")
        .formatted(kind + sKey, kind, sType, sKey, sScope, oType, oKey, oScope, attrs, "e".repeat(64), "a".repeat(64)));
  }

  @Test
  void theChainFromContainerToAccessKeyIsDrawnFromItsBindings() throws Exception {
    String c = "3f4e5d6c7b8a9b0c1d2e3f405162738495a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0";
    String session = "arn:aws:sts::111111111111:assumed-role/payments-api/s1";
    String role = "arn:aws:iam::111111111111:role/payments-api";
    JsonNode incident = JSON.readTree("""
        {"incident_id":"inc-1","entities":[{"type":"container","key":"3f4e5d6c7b8a"},
         {"type":"pod","key":"payments/api-7d9f"},{"type":"node","key":"ip-10-0-1-10"},
         {"type":"service_account","key":"payments/api-sa"},{"type":"session","key":"%s"},
         {"type":"access_key","key":"ASIAEXAMPLE1"},{"type":"role","key":"%s"},{"type":"cluster","key":"prod"}],
         "timeline":[]}
        """.formatted(session, role));
    List<JsonNode> facts = List.of(
        fact("container_pod", "container", c, "", "pod", "payments/api-7d9f", "k8s:prod", ""),
        fact("container_image", "container", c, "", "image", "sha256:" + "a1".repeat(32), "", ""),
        fact("pod_node", "pod", "payments/api-7d9f", "k8s:prod", "node", "ip-10-0-1-10.ec2.internal", "k8s:prod",
            "\"service_account\":\"payments/api-sa\""),
        fact("serviceaccount_role", "serviceaccount", "payments/api-sa", "aws:111111111111", "role", role, "", ""),
        fact("session_serviceaccount", "session", session, "", "serviceaccount", "payments/api-sa", "aws:111111111111",
            "\"iam_role\":\"" + role + "\""),
        fact("accesskey_session", "accesskey", "ASIAEXAMPLE1", "", "session", session, "", ""),
        // an unrelated pod's binding: neither end is the incident's, nobody used it
        fact("pod_node", "pod", "shop/web-1", "k8s:prod", "node", "ip-10-0-1-11", "k8s:prod", ""));
    EntityGraph g = EntityGraph.of(incident, facts, Set.of(), Set.of());
    assertThat(g.edges).extracting(e -> e.from().label() + " -" + e.relation() + "-> " + e.to().label())
        .containsExactlyInAnyOrder(
            "container: 3f4e5d6c7b8a -in pod-> pod: payments/api-7d9f",
            "pod: payments/api-7d9f -in cluster-> cluster: prod",
            "pod: payments/api-7d9f -on node-> node: ip-10-0-1-10",
            "pod: payments/api-7d9f -runs as-> service_account: payments/api-sa",
            "node: ip-10-0-1-10 -in cluster-> cluster: prod",
            "service_account: payments/api-sa -assumes role-> role: " + role,
            "role: " + role + " -session-> session: " + session,
            "session: " + session + " -access key-> access_key: ASIAEXAMPLE1");
    // the image is not an entity of this incident and no event of it stated or used the binding: not drawn
    assertThat(EntityGraph.of(incident, facts, Set.of("e".repeat(64)), Set.of()).edges)
        .extracting(e -> e.to().label()).contains("image: sha256:" + "a1".repeat(32), "node: ip-10-0-1-11");
  }

  @Test
  void anEcsTasksRoleSessionsAreDrawnToTheIncidentsSessionsOfThatName() throws Exception {
    String task = "arn:aws:ecs:eu-west-1:444455556666:task/shop-prod/5f1c2a3b4d5e4f60a1b2c3d4e5f60718";
    String session = "arn:aws:sts::444455556666:assumed-role/storefront-task-role/5f1c2a3b4d5e4f60a1b2c3d4e5f60718";
    JsonNode incident = JSON.readTree("""
        {"incident_id":"i2","entities":[{"type":"task","key":"%s"},{"type":"session","key":"%s"},
         {"type":"session","key":"arn:aws:sts::444455556666:assumed-role/other/5f1c2a3b4d5e4f60a1b2c3d4e5f60719"}],
         "timeline":[]}
        """.formatted(task, session));
    JsonNode fact = fact("session_task", "session", "5f1c2a3b4d5e4f60a1b2c3d4e5f60718", "aws:444455556666", "task", task,
        "", "");
    assertThat(EntityGraph.of(incident, List.of(fact), Set.of(), Set.of()).edges)
        .extracting(e -> e.from().label() + " -" + e.relation() + "-> " + e.to().label())
        .containsExactly("task: " + task + " -task role session-> session: " + session);
    // no session of that name in the incident: the fact still reads task -> the name its sessions carry
    assertThat(EntityGraph.relations(fact)).extracting(e -> e.relation() + "-> " + e.to().label())
        .containsExactly("role sessions named-> session_name: 5f1c2a3b4d5e4f60a1b2c3d4e5f60718");
  }

  /**
   * A pod's "runs as" its service account lasts the pod's life: a pod_node fact closed by the next statement of the
   * pod's node (the scheduler's event after the creation) draws it open; a fact closed by the pod's observed end
   * draws it closed.
   */
  @Test
  void aPodRunsAsItsServiceAccountUntilItsObservedEnd() throws Exception {
    ObjectNode created = (ObjectNode) fact("pod_node", "pod", "ci/job-1", "k8s:build", "node", "", "k8s:build",
        "\"service_account\":\"ci/runner-jobs\"");
    created.put("valid_to", "2026-11-20T10:00:01Z");
    ObjectNode ended = created.deepCopy();
    ended.put("end_observed", true);
    for (ObjectNode f : List.of(created, ended)) {
      List<EntityGraph.Edge> runsAs = EntityGraph.relations(f).stream().filter(e -> e.relation().equals("runs as")).toList();
      assertThat(runsAs).hasSize(1);
      assertThat(runsAs.get(0).validTo()).isEqualTo(f == created ? "" : "2026-11-20T10:00:01Z");
    }
  }
}
