package dev.strata.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@code strata scope}: which clusters, accounts, nodes, instances, pods, containers, tasks, ENIs, images and principals an
 * indicator touches, across every cluster and account ingested. One OpenSearch search over {@code strata-events-*}:
 * the indicators match the event's own fields and the correlation job's {@code enrichment}; per entity dimension a
 * {@code terms} aggregation (own field and enrichment field, merged here) with first/last seen and {@code top_hits}
 * for the evidence (event id + lineage). Sizes are bounded ({@link #MAX_BUCKETS} entities per field,
 * {@link #EVIDENCE_PER_ENTITY} evidence rows per entity). A second search lists the incidents carrying an indicator.
 */
final class Scope {
  static final ObjectMapper JSON = new ObjectMapper();
  static final int MAX_BUCKETS = 100;
  static final int EVIDENCE_PER_ENTITY = 3;
  static final String EVENTS = "strata-events-*";
  static final String INCIDENTS = "strata-incidents-*";
  /** The per-account aggregation (the event's own {@code cloud.account_uid}) and its bucket for events without. */
  static final String BY_ACCOUNT = "by_account";
  static final String NO_ACCOUNT = "(no account)";

  /** Indicator type -> the event fields it is looked up in. */
  static final Map<String, List<String>> INDICATOR_FIELDS = new LinkedHashMap<>();
  /** Entity dimension -> the event fields (own first, then enrichment) its values come from. */
  static final Map<String, List<String>> DIMENSIONS = new LinkedHashMap<>();

  static {
    INDICATOR_FIELDS.put("ip", List.of("src_endpoint.ip", "dst_endpoint.ip", "device.ip", "network.pkt_src_ip",
        "network.pkt_dst_ip", "kubernetes.pod_ip", "kubernetes.host_ip"));
    INDICATOR_FIELDS.put("domain", List.of("src_endpoint.domain", "dst_endpoint.domain", "src_endpoint.hostname",
        "dst_endpoint.hostname"));
    // a pod's status in the audit log names its container's digest (unmapped k8s.pod.image_digest): on EKS Fargate
    // the only record of which pods ran an image (FargateFleetScenarioIT)
    INDICATOR_FIELDS.put("image_digest", List.of("container.image_digest", "container.image_uid", "enrichment.image_digest",
        "unmapped.k8s.pod.image_digest"));
    INDICATOR_FIELDS.put("sha256", List.of("file.sha256"));
    // a session's issue too (the AssumeRole* record whose response names it: its actor is the caller or the web
    // identity, not the session)
    INDICATOR_FIELDS.put("principal", List.of("actor.user_name", "actor.user_uid", "actor.session_issuer",
        "enrichment.iam_role", "unmapped.strata.issued.session_arn"));
    INDICATOR_FIELDS.put("access_key", List.of("actor.credential_uid"));
    INDICATOR_FIELDS.put("service_account", List.of("actor.service_account", "enrichment.service_account",
        "kubernetes.service_account"));
    INDICATOR_FIELDS.put("process", List.of("process.name", "process.executable"));
    // a Kubernetes cluster and an ECS cluster of the same name are two things (since schema 6 apart in the events)
    INDICATOR_FIELDS.put("cluster", List.of("kubernetes.cluster", "enrichment.cluster"));
    INDICATOR_FIELDS.put("ecs_cluster", List.of("ecs.cluster_name", "ecs.cluster_arn", "enrichment.ecs_cluster"));

    DIMENSIONS.put("clusters", List.of("kubernetes.cluster", "enrichment.cluster"));
    DIMENSIONS.put("accounts", List.of("cloud.account_uid", "enrichment.account_uid"));
    // a node is also a plain host (Docker, Podman): the host its evidence was found on, and that host's instance
    DIMENSIONS.put("nodes", List.of("kubernetes.node_name", "enrichment.node_name", "device.hostname"));
    DIMENSIONS.put("instances", List.of("cloud.instance_uid", "enrichment.instance_uid", "device.instance_uid"));
    DIMENSIONS.put("pods", List.of("kubernetes.pod_name", "enrichment.pod_name"));
    DIMENSIONS.put("containers", List.of("container.uid", "enrichment.container_uid"));
    DIMENSIONS.put("tasks", List.of("cloud.task_uid", "enrichment.task_uid"));
    DIMENSIONS.put("ecs_clusters", List.of("ecs.cluster_name", "enrichment.ecs_cluster"));
    DIMENSIONS.put("ecs_services", List.of("ecs.service", "enrichment.ecs_service"));
    DIMENSIONS.put("task_definitions", List.of("ecs.task_definition", "enrichment.ecs_task_definition"));
    DIMENSIONS.put("enis", List.of("cloud.eni_uid", "enrichment.eni_uid"));
    DIMENSIONS.put("images", List.of("container.image_name", "container.image_digest", "enrichment.image_digest"));
    DIMENSIONS.put("principals", List.of("actor.user_uid", "actor.user_name", "enrichment.iam_role",
        "enrichment.service_account"));
  }

  static final String SA_SUBJECT = "system:serviceaccount:";

  /** One indicator asked about. */
  record Indicator(String type, String value) {
    Indicator {
      value = value.trim();
      if (value.isEmpty()) throw new IllegalArgumentException("--" + type.replace('_', '-') + ": empty value");
      if (type.equals("ip") && !isIpLiteral(value)) {
        throw new IllegalArgumentException("--ip: not an IP address: " + value);
      }
      if ((type.equals("sha256")) && !value.matches("(?i)[0-9a-f]{64}")) {
        throw new IllegalArgumentException("--sha256: not 64 hex digits: " + value);
      }
      if (type.equals("sha256")) value = value.toLowerCase(Locale.ROOT);
      if (type.equals("service_account")) {
        // the Kubernetes subject form names the same account: one spelling, namespace/name
        if (value.startsWith(SA_SUBJECT)) value = value.substring(SA_SUBJECT.length()).replaceFirst(":", "/");
        if (!value.matches("[^/:\\s]+/[^/:\\s]+")) {
          throw new IllegalArgumentException("--service-account: namespace/name (or system:serviceaccount:ns:name): "
              + value);
        }
      }
    }
  }

  static boolean isIpLiteral(String s) {
    if (s.length() > 45 || !s.matches("[0-9a-fA-F:.]+") || !(s.contains(".") || s.contains(":"))) return false;
    if (!s.contains(":") && !s.matches("\\d{1,3}(\\.\\d{1,3}){3}")) return false;
    try {
      InetAddress.getByName(s);
      return true;
    } catch (Exception e) {
      return false;
    }
  }

  /** The search body. */
  static ObjectNode query(List<Indicator> indicators) {
    ObjectNode body = JSON.createObjectNode();
    body.put("size", 0);
    body.put("track_total_hits", true);
    ArrayNode should = body.putObject("query").putObject("bool").putArray("should");
    body.with("query").with("bool").put("minimum_should_match", 1);
    for (Indicator i : indicators) {
      for (String f : INDICATOR_FIELDS.get(i.type())) {
        if (f.equals("kubernetes.service_account")) continue; // the pod's account: name only, see below
        should.addObject().putObject("term").put(f, i.value());
      }
      if (i.type().equals("service_account")) {
        // what the account did (audit: the API server's user system:serviceaccount:ns:name), and the pods running
        // as it (kubernetes.service_account is the name within kubernetes.namespace)
        int slash = i.value().indexOf('/');
        String ns = i.value().substring(0, slash);
        String name = i.value().substring(slash + 1);
        should.addObject().putObject("term").put("actor.user_name", SA_SUBJECT + ns + ":" + name);
        ArrayNode both = should.addObject().putObject("bool").putArray("must");
        both.addObject().putObject("term").put("kubernetes.namespace", ns);
        both.addObject().putObject("term").put("kubernetes.service_account", name);
      }
    }
    ObjectNode aggs = body.putObject("aggs");
    aggs.putObject("first_seen").putObject("min").put("field", "time");
    aggs.putObject("last_seen").putObject("max").put("field", "time");
    dimensionAggregations(aggs, false);
    // the same dimensions per account: a private address is only unique within its account (and VPC), so two
    // accounts' holders of 10.0.1.57 must not read as one list
    ObjectNode byAccount = aggs.putObject(BY_ACCOUNT);
    byAccount.putObject("terms").put("field", "cloud.account_uid").put("size", MAX_BUCKETS)
        .put("missing", NO_ACCOUNT).putObject("order").put("first", "asc");
    ObjectNode accountAggs = byAccount.putObject("aggs");
    accountAggs.putObject("first").putObject("min").put("field", "time");
    accountAggs.putObject("last").putObject("max").put("field", "time");
    dimensionAggregations(accountAggs, true);
    return body;
  }

  /**
   * A terms aggregation per dimension field ({@code dimension|field}) with first/last seen; for the whole answer
   * also the evidence rows, for one account neither those nor the accounts dimension (see {@link #entities}).
   */
  private static void dimensionAggregations(ObjectNode aggs, boolean perAccount) {
    for (Map.Entry<String, List<String>> d : DIMENSIONS.entrySet()) {
      if (perAccount && d.getKey().equals("accounts")) continue;
      for (String f : d.getValue()) {
        ObjectNode a = aggs.putObject(d.getKey() + "|" + f);
        a.putObject("terms").put("field", f).put("size", MAX_BUCKETS).putObject("order").put("first", "asc");
        ObjectNode sub = a.putObject("aggs");
        sub.putObject("first").putObject("min").put("field", "time");
        sub.putObject("last").putObject("max").put("field", "time");
        if (perAccount) continue;
        ObjectNode th = sub.putObject("evidence").putObject("top_hits");
        th.put("size", EVIDENCE_PER_ENTITY);
        th.putArray("sort").addObject().putObject("time").put("order", "asc");
        ArrayNode src = th.putObject("_source").putArray("includes");
        for (String s : List.of("event_id", "time", "source_format", "lineage.artifact_sha256", "lineage.origin",
            "lineage.byte_offset", "lineage.line_number", "lineage.record_index")) {
          src.add(s);
        }
      }
    }
  }

  /** The incidents whose indicators or entities hold one of the values. */
  static ObjectNode incidentQuery(List<Indicator> indicators) {
    ObjectNode body = JSON.createObjectNode();
    body.put("size", 50);
    ObjectNode bool = body.putObject("query").putObject("bool");
    ArrayNode should = bool.putArray("should");
    for (Indicator i : indicators) {
      should.addObject().putObject("term").put("indicators.value", i.value());
      should.addObject().putObject("term").put("entities.key", i.value());
      String[] sa = i.value().split(":", 4);
      if ("principal".equals(i.type()) && sa.length == 4 && i.value().startsWith("system:serviceaccount:")) {
        // a Kubernetes service account's user name: incidents hold it as the service_account entity <ns>/<name>
        // (KubectlDebugScenarioIT: --principal of the leaked operator token listed its requests, not the incident
        // they are signals of)
        should.addObject().putObject("term").put("entities.key", sa[2] + "/" + sa[3]);
      }
    }
    bool.put("minimum_should_match", 1);
    bool.putArray("must_not").addObject().putObject("term").put("status", "MERGED");
    body.putArray("sort").addObject().putObject("first_seen").put("order", "asc");
    body.putObject("_source").putArray("includes").add("incident_id").add("title").add("severity").add("first_seen")
        .add("last_seen").add("entities").add("signals").add("timeline.detections");
    return body;
  }

  /** The answer, as the {@code --json} document: indicators, total, first/last seen, entities per dimension, incidents. */
  static ObjectNode result(List<Indicator> indicators, JsonNode response, JsonNode incidents) {
    ObjectNode out = JSON.createObjectNode();
    ArrayNode ind = out.putArray("indicators");
    for (Indicator i : indicators) ind.addObject().put("type", i.type()).put("value", i.value());
    long total = response.at("/hits/total/value").asLong(0);
    out.put("events", total);
    JsonNode aggs = response.path("aggregations");
    if (total > 0) {
      out.put("first_seen", aggs.at("/first_seen/value_as_string").asText(null));
      out.put("last_seen", aggs.at("/last_seen/value_as_string").asText(null));
    }
    out.set("entities", entities(aggs, false));
    ArrayNode accounts = out.putArray(BY_ACCOUNT);
    for (JsonNode b : aggs.path(BY_ACCOUNT).path("buckets")) {
      ObjectNode a = accounts.addObject();
      a.put("account", b.path("key").asText());
      a.put("events", b.path("doc_count").asLong());
      a.put("first_seen", b.at("/first/value_as_string").asText(null));
      a.put("last_seen", b.at("/last/value_as_string").asText(null));
      a.set("entities", entities(b, true));
    }
    ArrayNode incs = out.putArray("incidents");
    if (incidents != null) {
      for (JsonNode h : incidents.at("/hits/hits")) {
        JsonNode s = h.path("_source");
        if (!holds(s, indicators)) continue;
        ObjectNode i = incs.addObject();
        i.put("incident_id", s.path("incident_id").asText());
        i.put("title", s.path("title").asText());
        i.put("severity", s.path("severity").asText());
        i.put("first_seen", s.path("first_seen").asText());
        i.put("last_seen", s.path("last_seen").asText());
        ArrayNode rules = i.putArray("detections"); // the detection rules its rows matched, with their attribution
        java.util.Set<String> seen = new java.util.HashSet<>();
        for (JsonNode row : s.path("timeline")) {
          for (JsonNode d : row.path("detections")) {
            if (seen.add(d.path("rule_id").asText())) rules.add(d.deepCopy());
          }
        }
        ArrayNode e = i.putArray("entities");
        for (JsonNode en : s.path("entities")) {
          String t = en.path("type").asText();
          if (List.of("pod", "container", "node", "instance", "task", "principal", "session", "service_account",
              "access_key", "ip").contains(t)) {
            e.add(t + ":" + en.path("key").asText());
          }
        }
      }
    }
    return out;
  }

  /**
   * Whether an incident found by {@link #incidentQuery} (any indicator value, any entity key) holds an indicator as
   * what it is: a cluster indicator only through an entity of its kind (an ECS cluster and a Kubernetes cluster may
   * share a name; the incident's entities are not nested, so the query cannot pair type and key).
   */
  static boolean holds(JsonNode incident, List<Indicator> indicators) {
    for (Indicator i : indicators) {
      String entityType = switch (i.type()) {
        case "cluster" -> "cluster";
        case "ecs_cluster" -> "ecs_cluster";
        default -> null;
      };
      if (entityType == null) return true;
      for (JsonNode en : incident.path("entities")) {
        if (en.path("type").asText().equals(entityType) && en.path("key").asText().equals(i.value())) return true;
      }
    }
    return false;
  }

  /**
   * Entities per dimension from the terms aggregations under {@code aggs} (own field and enrichment field of a
   * dimension merged by value: events = the larger count, first/last seen over both); the whole answer's with
   * evidence rows, an account's without them and without the accounts dimension.
   */
  static ObjectNode entities(JsonNode aggs, boolean perAccount) {
    boolean withEvidence = !perAccount;
    ObjectNode ents = JSON.createObjectNode();
    for (Map.Entry<String, List<String>> d : DIMENSIONS.entrySet()) {
      if (perAccount && d.getKey().equals("accounts")) continue;
      Map<String, ObjectNode> byValue = new TreeMap<>();
      for (String f : d.getValue()) {
        for (JsonNode b : aggs.path(d.getKey() + "|" + f).path("buckets")) {
          String v = b.path("key").asText();
          ObjectNode e = byValue.computeIfAbsent(v, k -> {
            ObjectNode n = JSON.createObjectNode();
            n.put("value", k);
            n.put("events", 0L);
            n.putArray("fields");
            if (withEvidence) n.putArray("evidence");
            return n;
          });
          e.put("events", Math.max(e.path("events").asLong(), b.path("doc_count").asLong()));
          ((ArrayNode) e.get("fields")).add(f);
          String first = b.at("/first/value_as_string").asText(null);
          String last = b.at("/last/value_as_string").asText(null);
          if (first != null && (!e.has("first_seen") || first.compareTo(e.get("first_seen").asText()) < 0)) e.put("first_seen", first);
          if (last != null && (!e.has("last_seen") || last.compareTo(e.get("last_seen").asText()) > 0)) e.put("last_seen", last);
          if (withEvidence) addEvidence((ArrayNode) e.get("evidence"), b.at("/evidence/hits/hits"));
        }
      }
      if (d.getKey().equals("containers")) foldShortIds(byValue, withEvidence);
      ArrayNode arr = ents.putArray(d.getKey());
      byValue.values().forEach(arr::add);
    }
    return ents;
  }

  /**
   * One container, one row: a short id (Falco's 12 characters, Tetragon's cgroup prefix) of a longer id also seen
   * (the enrichment's full id) is folded into it, when every longer id it starts is one container's (no ambiguous
   * prefix).
   */
  static void foldShortIds(Map<String, ObjectNode> byValue, boolean withEvidence) {
    for (String k : new ArrayList<>(byValue.keySet())) {
      if (k.length() < 12) continue;
      String longest = null;
      for (String o : byValue.keySet()) {
        if (o.length() > k.length() && o.startsWith(k) && (longest == null || o.length() > longest.length())) longest = o;
      }
      if (longest == null) continue;
      boolean one = true;
      for (String o : byValue.keySet()) one &= !(o.length() > k.length() && o.startsWith(k)) || longest.startsWith(o);
      if (!one) continue;
      ObjectNode from = byValue.remove(k);
      ObjectNode into = byValue.get(longest);
      into.put("events", Math.max(into.path("events").asLong(), from.path("events").asLong()));
      for (JsonNode f : from.path("fields")) ((ArrayNode) into.get("fields")).add(f);
      String first = from.path("first_seen").asText(null);
      String last = from.path("last_seen").asText(null);
      if (first != null && (!into.has("first_seen") || first.compareTo(into.get("first_seen").asText()) < 0)) into.put("first_seen", first);
      if (last != null && (!into.has("last_seen") || last.compareTo(into.get("last_seen").asText()) > 0)) into.put("last_seen", last);
      if (withEvidence) {
        ArrayNode ev = (ArrayNode) into.get("evidence");
        for (JsonNode x : from.path("evidence")) {
          boolean seen = false;
          for (JsonNode y : ev) seen |= y.path("event_id").asText().equals(x.path("event_id").asText());
          if (!seen && ev.size() < EVIDENCE_PER_ENTITY) ev.add(x);
        }
      }
    }
  }

  private static void addEvidence(ArrayNode ev, JsonNode hits) {
    for (JsonNode h : hits) {
      JsonNode s = h.path("_source");
      String id = s.path("event_id").asText();
      boolean seen = false;
      for (JsonNode x : ev) seen |= x.path("event_id").asText().equals(id);
      if (seen || ev.size() >= EVIDENCE_PER_ENTITY) continue;
      ObjectNode row = ev.addObject();
      row.put("event_id", id);
      row.put("time", s.path("time").asText());
      row.put("source_format", s.path("source_format").asText());
      row.put("artifact_sha256", s.at("/lineage/artifact_sha256").asText());
      row.put("s3_key", "artifacts/sha256/" + s.at("/lineage/artifact_sha256").asText());
      row.put("origin", s.at("/lineage/origin").asText());
      row.put("byte_offset", s.at("/lineage/byte_offset").asLong());
      if (s.at("/lineage/line_number").isNumber()) row.put("line_number", s.at("/lineage/line_number").asLong());
      if (s.at("/lineage/record_index").isNumber()) row.put("record_index", s.at("/lineage/record_index").asLong());
    }
  }

  /** The table for people. */
  static String table(ObjectNode r) {
    StringBuilder b = new StringBuilder();
    b.append("indicators: ");
    for (JsonNode i : r.path("indicators")) b.append(i.path("type").asText()).append('=').append(i.path("value").asText()).append(' ');
    b.append('\n');
    if (r.path("events").asLong() == 0) {
      b.append("nothing matches: no event in ").append(EVENTS)
          .append(" names these indicators (check the values, and that the evidence was parsed and indexed)\n");
      return b.toString();
    }
    b.append(String.format("%d events, first seen %s, last seen %s%n%n", r.path("events").asLong(),
        r.path("first_seen").asText(), r.path("last_seen").asText()));
    b.append(String.format("%-11s %-66s %7s  %-27s %-27s %s%n", "ENTITY", "VALUE", "EVENTS", "FIRST SEEN", "LAST SEEN",
        "EVIDENCE (event id @ artifact sha256 origin:line/offset)"));
    r.path("entities").fields().forEachRemaining(d -> {
      for (JsonNode e : d.getValue()) {
        JsonNode ev = e.path("evidence");
        String first = ev.isEmpty() ? "" : evidence(ev.get(0));
        b.append(String.format("%-11s %-66s %7d  %-27s %-27s %s%n", d.getKey(), cut(e.path("value").asText(), 66),
            e.path("events").asLong(), e.path("first_seen").asText(""), e.path("last_seen").asText(""), first));
        for (int i = 1; i < ev.size(); i++) {
          b.append(String.format("%-11s %-66s %7s  %-27s %-27s %s%n", "", "", "", "", "", evidence(ev.get(i))));
        }
      }
    });
    if (r.path(BY_ACCOUNT).size() > 1) {
      b.append("\nper account (a private address names a different workload in each):\n");
      for (JsonNode a : r.path(BY_ACCOUNT)) {
        b.append(String.format("  account %s: %d events, %s .. %s%n", a.path("account").asText(),
            a.path("events").asLong(), a.path("first_seen").asText(""), a.path("last_seen").asText("")));
        a.path("entities").fields().forEachRemaining(d -> {
          if (d.getValue().isEmpty()) return;
          List<String> values = new ArrayList<>();
          d.getValue().forEach(e -> values.add(e.path("value").asText()));
          b.append(String.format("    %-11s %s%n", d.getKey(), cut(String.join(", ", values), 200)));
        });
      }
    }
    if (!r.path("incidents").isEmpty()) {
      b.append("\nincidents:\n");
      for (JsonNode i : r.path("incidents")) {
        b.append(String.format("  %s  %-8s %s  (%s .. %s)%n", i.path("incident_id").asText(), i.path("severity").asText(),
            i.path("title").asText(), i.path("first_seen").asText(), i.path("last_seen").asText()));
        for (JsonNode d : i.path("detections")) {
          b.append("      ").append(cut(IncidentReport.detectionLine(d), 300)).append('\n');
        }
      }
    }
    return b.toString();
  }

  private static String evidence(JsonNode e) {
    String pos = e.has("line_number") ? "line " + e.path("line_number").asLong() : "offset " + e.path("byte_offset").asLong();
    return cut(e.path("event_id").asText(), 16) + " @ " + cut(e.path("artifact_sha256").asText(), 16) + " "
        + e.path("origin").asText() + " " + pos;
  }

  private static String cut(String s, int n) {
    s = s.replaceAll("\\p{Cntrl}", " ");
    return s.length() <= n ? s : s.substring(0, n - 1) + "…";
  }
}
