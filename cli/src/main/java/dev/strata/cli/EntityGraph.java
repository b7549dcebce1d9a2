package dev.strata.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The entity graph of an incident report, drawn from the binding facts of the correlation job ({@code
 * strata-bindings-*} documents: kind, subject, object, interval, evidence) instead of guessed from entity types: one
 * edge per relation the evidence states, named the way the incident names its entities (container: first 12 hex
 * digits, node: first DNS label, {@code service_account}, {@code access_key}), with the fact's interval and evidence.
 *
 * <p>Relations: container -> pod -> node -> cluster, pod -> service account -> IAM role -> session -> access key,
 * container -> image, container -> task, ENI -> task / instance, node -> instance, instance -> session (an instance
 * role's session), task -> session (an ECS task's role sessions), IP -> pod / task / container. A fact is drawn when both its ends are entities of the incident, or
 * when an event of the incident stated it or was resolved through it (its evidence names the event or one of the
 * events' {@code enrichment.binding_ids}); its ends then join the graph.
 */
final class EntityGraph {
  /** An entity in the graph: the incident's type and key. */
  record Node(String type, String key) {
    String label() {
      return type + ": " + key;
    }
  }

  /** One stated relation with its interval (ISO-8601, to empty while open) and evidence. */
  record Edge(Node from, String relation, Node to, String validFrom, String validTo, boolean endObserved,
      List<String> evidence, int evidenceCount) {}

  /** How each binding kind reads from subject to object. */
  static final Map<String, String> RELATION = Map.ofEntries(
      Map.entry("container_pod", "in pod"),
      Map.entry("container_image", "runs image"),
      Map.entry("container_task", "in task"),
      Map.entry("ip_pod", "address of"),
      Map.entry("ip_container", "address of"),
      Map.entry("ip_task", "address of"),
      Map.entry("eni_task", "attached to"),
      Map.entry("eni_instance", "attached to"),
      Map.entry("pod_node", "on node"),
      Map.entry("node_instance", "is instance"),
      Map.entry("container_host", "runs on host"),
      Map.entry("host_instance", "is instance"),
      Map.entry("serviceaccount_role", "assumes role"),
      Map.entry("session_pod", "issued to pod"),
      // an instance role's session used from outside with the credentials a pod / container read from IMDS
      Map.entry("session_imds_pod", "credentials fetched from IMDS by"),
      Map.entry("session_imds_container", "credentials fetched from IMDS by"),
      Map.entry("imds_fetch", "role credentials read by"),
      Map.entry("imds_fetch_container", "role credentials read by"));

  final List<Node> nodes;
  final List<Edge> edges;

  private EntityGraph(List<Node> nodes, List<Edge> edges) {
    this.nodes = nodes;
    this.edges = edges;
  }

  /**
   * @param incident the incident document
   * @param facts binding fact documents (candidates: the report command fetches those touching the incident)
   * @param incidentEvents the incident's event ids
   * @param usedBindingIds the statement ids its events' enrichment used
   */
  static EntityGraph of(JsonNode incident, List<JsonNode> facts, Set<String> incidentEvents, Set<String> usedBindingIds) {
    Set<Node> entities = new LinkedHashSet<>();
    for (JsonNode e : incident.path("entities")) entities.add(new Node(e.path("type").asText(), e.path("key").asText()));
    Map<String, Edge> edges = new LinkedHashMap<>();
    Set<Node> nodes = new LinkedHashSet<>(entities);
    for (JsonNode f : facts) {
      if (f.path("retracted").asBoolean(false)) continue;
      boolean stated = statedOrUsed(f, incidentEvents, usedBindingIds);
      for (Edge e : relations(f, entities)) {
        if (!stated && !(entities.contains(e.from()) && entities.contains(e.to()))) continue;
        nodes.add(e.from());
        nodes.add(e.to());
        edges.putIfAbsent(e.from() + "|" + e.relation() + "|" + e.to() + "|" + e.validFrom(), e);
      }
    }
    List<Edge> list = new ArrayList<>(edges.values());
    list.sort(Comparator.comparing((Edge e) -> e.from().label()).thenComparing(Edge::relation)
        .thenComparing(e -> e.to().label()).thenComparing(Edge::validFrom));
    return new EntityGraph(new ArrayList<>(nodes), list);
  }

  private static boolean statedOrUsed(JsonNode fact, Set<String> events, Set<String> used) {
    for (JsonNode ev : fact.path("evidence")) {
      if (used.contains(ev.path("binding_id").asText()) || events.contains(ev.path("lineage").path("event_id").asText())) {
        return true;
      }
    }
    return events.contains(fact.path("lineage").path("event_id").asText());
  }

  /** The edges one fact states (a pod -> node fact also says which cluster and, when it names one, service account). */
  static List<Edge> relations(JsonNode f) {
    return relations(f, Set.of());
  }

  /**
   * The edges of one fact, an ECS task's sessions drawn to the incident's sessions of that name ({@code session_task}
   * names the sessions by task id: {@code assumed-role/<role>/<task id>}, whatever the role).
   */
  static List<Edge> relations(JsonNode f, Set<Node> entities) {
    String kind = f.path("kind").asText();
    JsonNode s = f.path("subject");
    JsonNode o = f.path("object");
    JsonNode a = f.path("attributes");
    List<Edge> out = new ArrayList<>(2);
    Node subject = node(s.path("type").asText(), s.path("key").asText());
    Node object = node(o.path("type").asText(), o.path("key").asText());
    switch (kind) {
      case "session_serviceaccount" -> {
        // the chain reads service account -> role -> session: the session belongs to the role it was issued for
        String role = a.path("iam_role").asText("");
        out.add(role.isEmpty() ? edge(f, object, "issued", subject) : edge(f, node("role", role), "session", subject));
      }
      case "accesskey_session" -> out.add(edge(f, object, "access key", subject));
      case "session_instance" -> out.add(edge(f, object, "instance role session", subject));
      case "session_task" -> {
        String id = subject.key();
        for (Node n : entities) {
          if (n.type().equals("session") && n.key().endsWith("/" + id)) out.add(edge(f, object, "task role session", n));
        }
        if (out.isEmpty()) out.add(edge(f, object, "role sessions named", node("session_name", id)));
      }
      case "image_sbom" -> {
        return out; // an SBOM artifact is evidence, not an entity of the incident
      }
      // a fetch stated before its instance was known names the node instead (subject scope node:...)
      case "imds_fetch", "imds_fetch_container" -> out.add(edge(f,
          s.path("scope").asText("").startsWith("node:") ? node("node", s.path("key").asText()) : subject,
          RELATION.get(kind), object));
      default -> out.add(edge(f, subject, RELATION.getOrDefault(kind, kind.replace('_', ' ')), object));
    }
    if (kind.equals("pod_node") || kind.equals("container_pod")) {
      Node pod = kind.equals("pod_node") ? subject : object;
      String scope = kind.equals("pod_node") ? s.path("scope").asText("") : o.path("scope").asText("");
      if (scope.startsWith("k8s:") && scope.length() > 4) {
        out.add(edge(f, kind.equals("pod_node") ? object : pod, "in cluster", node("cluster", scope.substring(4))));
      }
      String sa = a.path("service_account").asText("");
      if (kind.equals("pod_node") && !sa.isEmpty()) {
        // a pod's service account cannot change in its life: the fact's stated end is the next statement of the pod's
        // node (the scheduler's event after the creation, CiRunnerEscapeScenarioIT), which does not end it; only an
        // observed end of the pod does
        Edge runsAs = edge(f, pod, "runs as", node("service_account", sa));
        out.add(runsAs.endObserved() ? runsAs : new Edge(runsAs.from(), runsAs.relation(), runsAs.to(),
            runsAs.validFrom(), "", false, runsAs.evidence(), runsAs.evidenceCount()));
      }
    }
    out.removeIf(e -> e.from().key().isEmpty() || e.to().key().isEmpty());
    return out;
  }

  /** An entity as the incident names it. */
  static Node node(String bindingType, String key) {
    String type = switch (bindingType) {
      case "serviceaccount" -> "service_account";
      case "accesskey" -> "access_key";
      default -> bindingType;
    };
    if (type.equals("container") && key.length() > 12) key = key.substring(0, 12).toLowerCase(Locale.ROOT);
    if (type.equals("node")) {
      int dot = key.indexOf('.');
      if (dot > 0) key = key.substring(0, dot);
    }
    return new Node(type, key);
  }

  private static Edge edge(JsonNode f, Node from, String relation, Node to) {
    List<String> ev = new ArrayList<>(3);
    for (JsonNode e : f.path("evidence")) {
      if (ev.size() == 3) break;
      JsonNode l = e.path("lineage");
      ev.add(e.path("source_format").asText() + " event " + l.path("event_id").asText() + " (artifact "
          + l.path("artifact_sha256").asText() + ", " + IncidentReport.position(l) + ")");
    }
    if (ev.isEmpty()) {
      JsonNode l = f.path("lineage");
      ev.add(f.path("source_format").asText() + " event " + l.path("event_id").asText() + " (artifact "
          + l.path("artifact_sha256").asText() + ", " + IncidentReport.position(l) + ")");
    }
    int count = Math.max(f.path("evidence_count").asInt(0), ev.size());
    return new Edge(from, relation, to, validFrom(f.path("valid_from").asText("")), f.path("valid_to").asText(""),
        f.path("end_observed").asBoolean(false), ev, count);
  }

  /**
   * A fact's start as shown: one stated from the start of time (the epoch: an ECS task id's sessions named in a VPC
   * Flow v7 record, a task definition's roles; see BindingExtractor.ALWAYS) reads "always", not 1970.
   */
  static String validFrom(String v) {
    return v.startsWith("1970-01-01T00:00:00") ? "always" : v;
  }
}
