package dev.strata.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code strata report}: one incident as a self-contained HTML page and/or Markdown; {@code --list} lists incidents. */
@Command(
    name = "report",
    mixinStandardHelpOptions = true,
    description = {
      "Write an incident report from OpenSearch (strata-incidents-*, rows from strata-timeline-*): a self-contained",
      "HTML page (timeline on a time axis by layer, entity graph, indicators, every row with its evidence: artifact",
      "SHA-256, origin, position, S3 key) and/or the same as Markdown. --list lists the incidents."
    })
final class ReportCommand implements Callable<Integer> {
  static final int MAX_ROWS = 10_000;

  @Mixin ServiceOptions services;

  @Parameters(index = "0", arity = "0..1", paramLabel = "INCIDENT_ID")
  String incidentId;

  @Option(names = "--list", description = "List the incidents (newest first) instead.")
  boolean list;

  @Option(names = "--out", paramLabel = "DIR", description = "Output directory (default: current directory).")
  Path out = Path.of(".");

  @Option(names = "--format", description = "html, md or both (default: both).")
  String format = "both";

  @Override
  public Integer call() throws Exception {
    String url = services.settings().openSearchUrl();
    if (url == null) throw new IllegalArgumentException("no OpenSearch configured (--opensearch or STRATA_OPENSEARCH_URL)");
    if (list) {
      System.out.print(list(url));
      return 0;
    }
    if (incidentId == null) throw new IllegalArgumentException("give an INCIDENT_ID (or --list)");
    if (!List.of("html", "md", "both").contains(format)) throw new IllegalArgumentException("--format: html, md or both");
    List<Path> written = write(url, incidentId, out, format);
    written.forEach(p -> System.err.println("wrote " + p));
    return 0;
  }

  /** Writes the report files; returns their paths. */
  static List<Path> write(String url, String incidentId, Path dir, String format) throws Exception {
    if (!incidentId.matches("[A-Za-z0-9._-]{1,200}")) throw new IllegalArgumentException("not an incident id: " + incidentId);
    try (EvidencePipeline p = new EvidencePipeline(new EvidencePipeline.Services(null, java.util.Map.of(), url, null))) {
      JsonNode inc = fetch(p, incidentId);
      for (int hops = 0; inc != null && "MERGED".equals(inc.path("status").asText()) && hops < 20; hops++) {
        if (!inc.path("merged_into").isTextual()) {
          throw new IllegalArgumentException(incidentId + " was withdrawn: " + inc.path("title").asText()
              + " (a newer revision of its evidence left it no signal of its own)");
        }
        String into = inc.path("merged_into").asText();
        System.err.println(incidentId + " was merged into " + into + ": reporting that one");
        inc = fetch(p, into);
      }
      if (inc == null) throw new IllegalArgumentException("no incident " + incidentId + " in strata-incidents-* (strata report --list)");
      String id = inc.path("incident_id").asText();
      ObjectNode q = Scope.JSON.createObjectNode();
      q.put("size", MAX_ROWS);
      q.putObject("query").putObject("term").put("incident_id", id);
      q.putArray("sort").add(Scope.JSON.createObjectNode().put("time", "asc")).add(Scope.JSON.createObjectNode().put("event_id", "asc"));
      List<JsonNode> rows = new ArrayList<>();
      for (JsonNode h : p.send("POST", "/strata-timeline-*/_search?ignore_unavailable=true&allow_no_indices=true", q.toString())
          .at("/hits/hits")) {
        rows.add(h.path("_source"));
      }
      Set<String> eventIds = new LinkedHashSet<>();
      for (JsonNode row : rows.isEmpty() ? IncidentReport.list(inc.path("timeline")) : rows) {
        eventIds.add(row.path("event_id").asText());
      }
      Set<String> used = usedBindings(p, eventIds);
      IncidentReport r = new IncidentReport(inc, rows, facts(p, inc, eventIds, used), used)
          .withImageFindings(imageFindings(p, inc));
      Files.createDirectories(dir);
      List<Path> written = new ArrayList<>();
      if (!format.equals("md")) {
        Path f = dir.resolve(id + ".html");
        Files.writeString(f, r.html(), StandardCharsets.UTF_8);
        written.add(f);
      }
      if (!format.equals("html")) {
        Path f = dir.resolve(id + ".md");
        Files.writeString(f, r.markdown(), StandardCharsets.UTF_8);
        written.add(f);
      }
      return written;
    }
  }

  /** The statement ids the incident's events were resolved through ({@code enrichment.binding_ids}). */
  static Set<String> usedBindings(EvidencePipeline p, Set<String> eventIds) throws Exception {
    Set<String> used = new LinkedHashSet<>();
    if (eventIds.isEmpty()) return used;
    ObjectNode q = Scope.JSON.createObjectNode();
    q.put("size", eventIds.size());
    ArrayNode ids = q.putObject("query").putObject("terms").putArray("event_id");
    eventIds.forEach(ids::add);
    q.putObject("_source").putArray("includes").add("enrichment.binding_ids");
    for (JsonNode h : p.send("POST", "/strata-events-*/_search?ignore_unavailable=true&allow_no_indices=true",
        q.toString()).at("/hits/hits")) {
      h.at("/_source/enrichment/binding_ids").forEach(b -> used.add(b.asText()));
    }
    return used;
  }

  /**
   * Binding facts that may be edges of the incident's graph: those naming one of its entities (containers and nodes
   * by prefix: the incident shortens them), and those stated by or used for its events ({@link EntityGraph} keeps
   * the ones that apply).
   */
  static List<JsonNode> facts(EvidencePipeline p, JsonNode inc, Set<String> eventIds, Set<String> used)
      throws Exception {
    ObjectNode q = Scope.JSON.createObjectNode();
    q.put("size", 1000);
    ArrayNode should = q.putObject("query").putObject("bool").putArray("should");
    for (JsonNode e : inc.path("entities")) {
      String type = e.path("type").asText();
      String key = e.path("key").asText();
      if (key.isEmpty()) continue;
      String op = type.equals("container") || type.equals("node") ? "prefix" : "term";
      for (String side : List.of("subject.key", "object.key")) should.addObject().putObject(op).put(side, key);
    }
    if (!used.isEmpty()) {
      ArrayNode ids = should.addObject().putObject("nested").put("path", "evidence").putObject("query")
          .putObject("terms").putArray("evidence.binding_id");
      used.forEach(ids::add);
    }
    if (!eventIds.isEmpty()) {
      ArrayNode ids = should.addObject().putObject("nested").put("path", "evidence").putObject("query")
          .putObject("terms").putArray("evidence.lineage.event_id");
      eventIds.forEach(ids::add);
    }
    List<JsonNode> out = new ArrayList<>();
    if (should.isEmpty()) return out;
    for (JsonNode h : p.send("POST", "/strata-bindings-*/_search?ignore_unavailable=true&allow_no_indices=true",
        q.toString()).at("/hits/hits")) {
      out.add(h.path("_source"));
    }
    return out;
  }

  /**
   * The vulnerability findings (class 2002, scans' events) of the incident's {@code image} entities, by image id or
   * digest, worst score first, the same finding of several scans once.
   */
  static List<JsonNode> imageFindings(EvidencePipeline p, JsonNode inc) throws Exception {
    List<String> images = new ArrayList<>();
    for (JsonNode e : inc.path("entities")) {
      if (e.path("type").asText().equals("image") && e.path("key").asText().startsWith("sha256:")) {
        images.add(e.path("key").asText());
      }
    }
    List<JsonNode> out = new ArrayList<>();
    if (images.isEmpty()) return out;
    ObjectNode q = Scope.JSON.createObjectNode();
    q.put("size", 200);
    var bool = q.putObject("query").putObject("bool");
    bool.putArray("filter").addObject().putObject("term").put("class_uid", 2002);
    ArrayNode should = bool.putArray("should");
    for (String field : List.of("container.image_digest", "container.image_uid")) {
      ArrayNode terms = should.addObject().putObject("terms").putArray(field);
      images.forEach(terms::add);
    }
    bool.put("minimum_should_match", 1);
    q.putArray("sort").add(Scope.JSON.createObjectNode().set("vulnerability.score",
        Scope.JSON.createObjectNode().put("order", "desc").put("missing", "_last").put("unmapped_type", "double")));
    Set<String> seen = new LinkedHashSet<>();
    for (JsonNode h : p.send("POST", "/strata-events-*/_search?ignore_unavailable=true&allow_no_indices=true",
        q.toString()).at("/hits/hits")) {
      JsonNode f = h.path("_source");
      if (seen.add(f.at("/vulnerability/uid").asText() + " " + f.at("/package/name").asText() + " "
          + f.at("/package/version").asText())) {
        out.add(f);
      }
    }
    return out;
  }

  static JsonNode fetch(EvidencePipeline p, String id) throws Exception {
    ObjectNode q = Scope.JSON.createObjectNode();
    q.put("size", 1);
    q.putObject("query").putObject("term").put("incident_id", id);
    JsonNode hits = p.send("POST", "/strata-incidents-*/_search?ignore_unavailable=true&allow_no_indices=true", q.toString())
        .at("/hits/hits");
    return hits.isEmpty() ? null : hits.get(0).path("_source");
  }

  static String list(String url) throws Exception {
    try (EvidencePipeline p = new EvidencePipeline(new EvidencePipeline.Services(null, java.util.Map.of(), url, null))) {
      ObjectNode q = Scope.JSON.createObjectNode();
      q.put("size", 200);
      q.putObject("query").putObject("bool").putArray("must_not").addObject().putObject("term").put("status", "MERGED");
      q.putArray("sort").addObject().putObject("last_seen").put("order", "desc");
      q.putObject("_source").putArray("includes").add("incident_id").add("title").add("severity").add("first_seen")
          .add("last_seen").add("signals").add("event_count").add("revision");
      JsonNode hits = p.send("POST", "/strata-incidents-*/_search?ignore_unavailable=true&allow_no_indices=true", q.toString())
          .at("/hits/hits");
      StringBuilder b = new StringBuilder();
      if (hits.isEmpty()) return "no incidents in strata-incidents-* (run strata incidents after strata job)\n";
      b.append(String.format("%-28s %-9s %-28s %-28s %7s %6s  %s%n", "INCIDENT", "SEVERITY", "FIRST SEEN", "LAST SEEN",
          "SIGNALS", "EVENTS", "TITLE"));
      for (JsonNode h : hits) {
        JsonNode s = h.path("_source");
        b.append(String.format("%-28s %-9s %-28s %-28s %7d %6d  %s%n", s.path("incident_id").asText(),
            s.path("severity").asText(), s.path("first_seen").asText(), s.path("last_seen").asText(),
            s.path("signals").asInt(), s.path("event_count").asInt(), s.path("title").asText().replaceAll("\\p{Cntrl}", " ")));
      }
      return b.toString();
    }
  }
}
