package dev.strata.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One incident as a self-contained HTML page (no external JS or CSS: inline style and SVG) and as Markdown: header,
 * attack path, the timeline drawn on a time axis with one lane per layer (host, container, pod, cluster, cloud), the
 * entity graph (layered: actors, workloads, hosts, scope), the indicators, and every row with its evidence (artifact
 * SHA-256, origin, position, S3 key {@code artifacts/sha256/<hex>}). Every value comes from evidence and is escaped.
 */
final class IncidentReport {
  static final List<String> LAYERS = List.of("HOST", "CONTAINER", "POD", "CLUSTER", "CLOUD");
  static final List<List<String>> GRAPH_COLUMNS = List.of(
      List.of("principal", "session", "access_key", "service_account", "role", "ip"),
      List.of("pod", "container", "task", "image"),
      List.of("node", "instance", "eni"),
      List.of("namespace", "cluster", "ecs_service", "ecs_cluster", "account"));

  private final JsonNode incident;
  private final List<JsonNode> rows;
  private final EntityGraph graph;
  /** Vulnerability findings (scans' events) of the incident's images, worst first ({@link #withImageFindings}). */
  private List<JsonNode> imageFindings = List.of();

  /** {@code incident}: the incident document; {@code rows}: timeline rows (from the timeline index, else embedded). */
  IncidentReport(JsonNode incident, List<JsonNode> rows) {
    this(incident, rows, List.of(), java.util.Set.of());
  }

  /**
   * @param facts binding facts touching the incident (strata-bindings-*), drawn as the entity graph's edges
   * @param usedBindingIds the statement ids the incident's events were resolved through (enrichment.binding_ids)
   */
  IncidentReport(JsonNode incident, List<JsonNode> rows, List<JsonNode> facts, java.util.Set<String> usedBindingIds) {
    this.incident = incident;
    List<JsonNode> r = new ArrayList<>(rows == null || rows.isEmpty() ? list(incident.path("timeline")) : rows);
    r.sort((a, b) -> {
      int c = a.path("time").asText().compareTo(b.path("time").asText());
      return c != 0 ? c : a.path("event_id").asText().compareTo(b.path("event_id").asText());
    });
    this.rows = r;
    java.util.Set<String> ids = new java.util.HashSet<>();
    for (JsonNode row : r) ids.add(row.path("event_id").asText());
    this.graph = EntityGraph.of(incident, facts, ids, usedBindingIds);
  }

  EntityGraph graph() {
    return graph;
  }

  /**
   * With the vulnerability findings of the incident's images (strata-events-* Vulnerability Finding events whose
   * image id or digest is one of the incident's {@code image} entities): which known CVEs the workload's image
   * carried, next to how the attacker got in. A scan is no member of the incident (it describes the image, not an
   * act): without this the report named no CVE (PodmanHostScenarioIT).
   */
  IncidentReport withImageFindings(List<JsonNode> findings) {
    this.imageFindings = findings == null ? List.of() : List.copyOf(findings);
    return this;
  }

  static final String FINDINGS_NOTE = "Known vulnerabilities of the images the incident's workloads ran, as the scans "
      + "in the evidence list them (worst first); a scan says what the image carried when it was scanned, not what "
      + "was exploited.";
  static final int MAX_FINDINGS = 20;

  /** One finding as table cells: id, severity, score, package and version, fixed in, image, evidence. */
  static List<String> findingCells(JsonNode f) {
    JsonNode v = f.path("vulnerability");
    JsonNode pkg = f.path("package");
    String image = f.at("/container/image_name").asText(f.at("/container/image_digest").asText(f.at("/container/image_uid").asText()));
    return List.of(v.path("uid").asText(), v.path("severity").asText(""), v.path("score").isNumber() ? v.path("score").asText() : "",
        (pkg.path("name").asText("") + " " + pkg.path("version").asText("")).trim(), v.path("fixed_version").asText(""), image,
        f.path("source_format").asText() + " " + f.at("/lineage/artifact_sha256").asText());
  }

  static List<JsonNode> list(JsonNode arr) {
    List<JsonNode> out = new ArrayList<>();
    arr.forEach(out::add);
    return out;
  }

  // ------------------------------------------------------------------------------------------------------ HTML

  String html() {
    StringBuilder b = new StringBuilder(32_768);
    String id = incident.path("incident_id").asText();
    b.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n");
    b.append("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\">\n");
    b.append("<title>").append(h(id)).append(" — ").append(h(incident.path("title").asText())).append("</title>\n");
    b.append("<style>body{font-family:sans-serif;margin:2em;color:#222}table{border-collapse:collapse;font-size:13px}"
        + "td,th{border:1px solid #ccc;padding:3px 6px;vertical-align:top}th{background:#f0f0f0}.sig{background:#fde8e8}"
        + "code{font-size:12px}.muted{color:#777}svg text{font-family:sans-serif}</style></head><body>\n");
    b.append("<h1>").append(h(incident.path("title").asText())).append("</h1>\n");
    b.append("<p><b>Incident</b> <code>").append(h(id)).append("</code> · revision ").append(incident.path("revision").asInt())
        .append(" · severity <b>").append(h(incident.path("severity").asText())).append("</b> · status ")
        .append(h(incident.path("status").asText())).append(" · tenant ").append(h(incident.path("tenant").asText())).append("</p>\n");
    b.append("<p>First seen ").append(h(incident.path("first_seen").asText())).append(", last seen ")
        .append(h(incident.path("last_seen").asText())).append(" · ").append(incident.path("signals").asInt())
        .append(" signals, ").append(incident.path("event_count").asInt()).append(" events");
    if (incident.path("timeline_omitted").asInt() > 0) {
      b.append(" (").append(incident.path("timeline_omitted").asInt()).append(" rows left out of the incident record)");
    }
    b.append("</p>\n");

    List<JsonNode> entry = entryRows();
    if (!entry.isEmpty()) {
      b.append("<h2>Entry</h2>\n<p>").append(h(ENTRY_NOTE)).append("</p>\n<table><tr><th>time (UTC)</th><th>layer</th>"
          + "<th>summary</th><th>source</th><th>evidence</th></tr>\n");
      for (JsonNode r : entry) {
        b.append("<tr class=\"sig\"><td>").append(h(r.path("time").asText())).append("</td><td>")
            .append(h(r.path("layer").asText().toLowerCase(Locale.ROOT))).append("</td><td>").append(h(r.path("summary").asText()))
            .append("</td><td>").append(h(r.path("source_format").asText())).append("</td><td>").append(evidenceHtml(r))
            .append("</td></tr>\n");
      }
      b.append("</table>\n");
    }
    if (!imageFindings.isEmpty()) {
      b.append("<h2>Known vulnerabilities of the images</h2>\n<p>").append(h(FINDINGS_NOTE)).append("</p>\n<table><tr>"
          + "<th>vulnerability</th><th>severity</th><th>score</th><th>package</th><th>fixed in</th><th>image</th>"
          + "<th>evidence</th></tr>\n");
      for (JsonNode f : imageFindings.subList(0, Math.min(MAX_FINDINGS, imageFindings.size()))) {
        b.append("<tr>");
        for (String c : findingCells(f)) b.append("<td>").append(h(c)).append("</td>");
        b.append("</tr>\n");
      }
      b.append("</table>\n");
    }
    b.append("<h2>Attack path</h2>\n<ol>\n");
    for (JsonNode s : incident.path("attack_path")) {
      b.append("<li><b>").append(h(stage(s.path("stage").asText()))).append("</b> from ").append(h(s.path("first_time").asText()))
          .append(" — ").append(s.path("event_ids").size()).append(" event(s)</li>\n");
    }
    b.append("</ol>\n");
    List<JsonNode> rules = detectionRules(rows);
    if (!rules.isEmpty()) {
      b.append("<h2>Detection rules</h2>\n<table><tr><th>rule</th><th>id</th><th>author</th><th>level</th><th>rows</th>"
          + "<th>credit</th></tr>\n");
      for (JsonNode d : rules) {
        b.append("<tr><td>").append(h(d.path("title").asText())).append("</td><td><code>").append(h(d.path("rule_id").asText()))
            .append("</code></td><td>").append(h(d.path("author").asText(""))).append("</td><td>").append(h(d.path("level").asText()))
            .append("</td><td>").append(d.path("rows").asInt()).append("</td><td>").append(h(d.path("credit").asText()))
            .append("</td></tr>\n");
      }
      b.append("</table>\n<p class=\"muted\">").append(h(DETECTION_NOTE)).append("</p>\n");
    }

    b.append("<h2>Timeline</h2>\n").append(timelineSvg()).append('\n');
    b.append("<h2>Entities</h2>\n").append(graphSvg()).append('\n');
    if (!graph.edges.isEmpty()) {
      b.append("<h3>Relations (entity bindings)</h3>\n<table><tr><th>from</th><th>relation</th><th>to</th>"
          + "<th>valid from (UTC)</th><th>valid to (UTC)</th><th>evidence</th></tr>\n");
      for (EntityGraph.Edge e : graph.edges) {
        b.append("<tr><td><code>").append(h(e.from().label())).append("</code></td><td>").append(h(e.relation()))
            .append("</td><td><code>").append(h(e.to().label())).append("</code></td><td>").append(h(e.validFrom()))
            .append("</td><td>").append(h(until(e))).append("</td><td>");
        for (String ev : e.evidence()) b.append(h(ev)).append("<br>");
        if (e.evidenceCount() > e.evidence().size()) {
          b.append("<span class=\"muted\">and ").append(e.evidenceCount() - e.evidence().size()).append(" more</span>");
        }
        b.append("</td></tr>\n");
      }
      b.append("</table>\n");
    }
    b.append("<table><tr><th>type</th><th>key</th><th>scope</th><th>role</th><th>events</th></tr>\n");
    for (JsonNode e : incident.path("entities")) {
      b.append("<tr><td>").append(h(e.path("type").asText())).append("</td><td><code>").append(h(e.path("key").asText()))
          .append("</code></td><td>").append(h(e.path("scope").asText(""))).append("</td><td>").append(h(e.path("role").asText("")))
          .append("</td><td>").append(e.path("event_count").asInt()).append("</td></tr>\n");
    }
    b.append("</table>\n");

    b.append("<h2>Indicators</h2>\n<table><tr><th>type</th><th>value</th></tr>\n");
    for (JsonNode i : incident.path("indicators")) {
      b.append("<tr><td>").append(h(i.path("type").asText())).append("</td><td><code>").append(h(i.path("value").asText()))
          .append("</code></td></tr>\n");
    }
    b.append("</table>\n");

    b.append("<h2>Events and evidence</h2>\n<table><tr><th>#</th><th>time (UTC)</th><th>layer</th><th>stage</th>"
        + "<th>summary</th><th>source</th><th>evidence</th></tr>\n");
    for (int i = 0; i < rows.size(); i++) {
      JsonNode r = rows.get(i);
      boolean sig = r.path("signal").asBoolean();
      b.append("<tr id=\"row-").append(i + 1).append('"').append(sig ? " class=\"sig\"" : "").append("><td>").append(i + 1)
          .append("</td><td>").append(h(r.path("time").asText())).append("</td><td>").append(h(r.path("layer").asText().toLowerCase(Locale.ROOT)))
          .append("</td><td>").append(h(rowStage(r))).append("</td><td>").append(h(r.path("summary").asText()));
      for (JsonNode d : r.path("detections")) b.append("<br><span class=\"muted\">").append(h(detectionLine(d))).append("</span>");
      b.append("</td><td>").append(h(r.path("source_format").asText())).append("<br><span class=\"muted\">")
          .append(h(r.path("class_name").asText())).append("</span></td><td>").append(evidenceHtml(r)).append("</td></tr>\n");
    }
    b.append("</table>\n<p class=\"muted\">Evidence objects are in the evidence bucket under artifacts/sha256/&lt;hex&gt;; "
        + "verify them with <code>strata verify &lt;hex&gt;</code>. Event ids: <code>strata-events-*</code>.</p>\n");
    b.append("</body></html>\n");
    return b.toString();
  }

  static final String ENTRY_NOTE = "How the attacker got in: the entry stage's signals (an exploit request to a "
      + "workload, a malicious package, miner or "
      + "offensive tool in the image the workload ran, a secret baked into it, a dependency's install-time script), "
      + "each with the artifact and position it was read from; a scan's time is when the scan ran, not when the image "
      + "entered.";

  /** The rows of the attack path's entry step, in time order (the row of each of its events that is in the timeline). */
  List<JsonNode> entryRows() {
    java.util.Set<String> ids = new java.util.HashSet<>();
    for (JsonNode s : incident.path("attack_path")) {
      if ("ENTRY".equals(s.path("stage").asText())) s.path("event_ids").forEach(x -> ids.add(x.asText()));
    }
    List<JsonNode> out = new ArrayList<>();
    for (JsonNode r : rows) if (ids.contains(r.path("event_id").asText())) out.add(r);
    return out;
  }

  private static String evidenceHtml(JsonNode r) {
    String sha = r.path("artifact_sha256").asText();
    StringBuilder b = new StringBuilder();
    b.append("event <code>").append(h(r.path("event_id").asText())).append("</code><br>");
    b.append("artifact <code>").append(h(sha)).append("</code><br>");
    b.append("origin <code>").append(h(r.path("origin").asText(""))).append("</code> ").append(h(position(r))).append("<br>");
    if (sha.matches("[0-9a-f]{64}")) b.append("S3 <code>artifacts/sha256/").append(sha).append("</code>");
    return b.toString();
  }

  static String position(JsonNode r) {
    StringBuilder p = new StringBuilder();
    if (r.path("line_number").isNumber()) p.append("line ").append(r.path("line_number").asLong()).append(", ");
    if (r.path("record_index").isNumber()) p.append("record ").append(r.path("record_index").asLong()).append(", ");
    p.append("byte ").append(r.path("byte_offset").asLong());
    return p.toString();
  }

  /** Rows as dots on a time axis, one lane per layer; signals larger and red; each dot links to its table row. */
  String timelineSvg() {
    int w = 960, left = 90, right = 20, lane = 36, top = 20;
    int hgt = top + lane * LAYERS.size() + 40;
    long t0 = Long.MAX_VALUE, t1 = Long.MIN_VALUE;
    List<Long> times = new ArrayList<>();
    for (JsonNode r : rows) {
      long t = micros(r.path("time").asText());
      times.add(t);
      t0 = Math.min(t0, t);
      t1 = Math.max(t1, t);
    }
    if (rows.isEmpty()) {
      t0 = 0;
      t1 = 1;
    }
    if (t1 == t0) t1 = t0 + 1_000_000;
    double span = t1 - t0;
    StringBuilder b = new StringBuilder();
    b.append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"").append(w).append("\" height=\"").append(hgt)
        .append("\" role=\"img\" aria-label=\"timeline\">\n");
    for (int i = 0; i < LAYERS.size(); i++) {
      int y = top + lane * i + lane / 2;
      b.append("<line x1=\"").append(left).append("\" y1=\"").append(y).append("\" x2=\"").append(w - right).append("\" y2=\"")
          .append(y).append("\" stroke=\"#ddd\"/>");
      b.append("<text x=\"4\" y=\"").append(y + 4).append("\" font-size=\"12\">").append(LAYERS.get(i).toLowerCase(Locale.ROOT))
          .append("</text>\n");
    }
    int axisY = top + lane * LAYERS.size() + 4;
    b.append("<line x1=\"").append(left).append("\" y1=\"").append(axisY).append("\" x2=\"").append(w - right)
        .append("\" y2=\"").append(axisY).append("\" stroke=\"#888\"/>\n");
    for (int k = 0; k <= 4; k++) {
      double x = left + (w - left - right) * k / 4.0;
      long t = t0 + (long) (span * k / 4.0);
      b.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" font-size=\"11\" text-anchor=\"middle\">%s</text>%n",
          x, axisY + 16, h(iso(t).substring(11, 19))));
    }
    b.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" font-size=\"11\">%s UTC</text>%n", left, axisY + 32,
        h(iso(t0).substring(0, 10))));
    for (int i = 0; i < rows.size(); i++) {
      JsonNode r = rows.get(i);
      int laneIdx = Math.max(0, LAYERS.indexOf(r.path("layer").asText()));
      double x = left + (w - left - right) * ((times.get(i) - t0) / span);
      int y = top + lane * laneIdx + lane / 2;
      boolean sig = r.path("signal").asBoolean();
      b.append("<a href=\"#row-").append(i + 1).append("\"><circle cx=\"").append(String.format(Locale.ROOT, "%.1f", x))
          .append("\" cy=\"").append(y).append("\" r=\"").append(sig ? 6 : 3).append("\" fill=\"").append(sig ? "#c0392b" : "#2c7bb6")
          .append("\"><title>").append(h(r.path("time").asText() + " " + r.path("summary").asText())).append("</title></circle></a>\n");
    }
    b.append("</svg>");
    return b.toString();
  }

  /**
   * Entities in four columns (actors, workloads, hosts, scope); the edges are the relations the binding facts state
   * ({@link EntityGraph}), each with its interval and evidence as a tooltip.
   */
  String graphSvg() {
    List<List<EntityGraph.Node>> cols = new ArrayList<>();
    for (List<String> types : GRAPH_COLUMNS) {
      List<EntityGraph.Node> c = new ArrayList<>();
      for (EntityGraph.Node n : graph.nodes) if (types.contains(n.type()) && c.size() < 12) c.add(n);
      cols.add(c);
    }
    int colW = 240, rowH = 34, top = 20;
    int maxRows = 1;
    for (List<EntityGraph.Node> c : cols) maxRows = Math.max(maxRows, c.size());
    int w = colW * cols.size() + 20, hgt = top + rowH * maxRows + 20;
    Map<EntityGraph.Node, int[]> pos = new LinkedHashMap<>();
    StringBuilder nodes = new StringBuilder(), edges = new StringBuilder();
    for (int ci = 0; ci < cols.size(); ci++) {
      for (int ri = 0; ri < cols.get(ci).size(); ri++) {
        int x = 10 + ci * colW, y = top + ri * rowH;
        EntityGraph.Node n = cols.get(ci).get(ri);
        pos.put(n, new int[] {x, y});
        String label = n.label();
        nodes.append("<g><rect x=\"").append(x).append("\" y=\"").append(y).append("\" width=\"").append(colW - 40)
            .append("\" height=\"24\" rx=\"4\" fill=\"#eef4fb\" stroke=\"#2c7bb6\"/><text x=\"").append(x + 6).append("\" y=\"")
            .append(y + 16).append("\" font-size=\"11\">").append(h(cut(label, 34))).append("</text><title>").append(h(label))
            .append("</title></g>\n");
      }
    }
    for (EntityGraph.Edge e : graph.edges) {
      int[] p = pos.get(e.from()), q = pos.get(e.to());
      if (p == null || q == null) continue;
      // left to right between columns; within a column, both ends on the right side
      int x1 = q[0] < p[0] ? p[0] : p[0] + colW - 40;
      int x2 = q[0] > p[0] ? q[0] : q[0] + colW - 40;
      edges.append("<line x1=\"").append(x1).append("\" y1=\"").append(p[1] + 12).append("\" x2=\"").append(x2)
          .append("\" y2=\"").append(q[1] + 12).append("\" stroke=\"#777\"><title>")
          .append(h(e.from().label() + " " + e.relation() + " " + e.to().label() + ", " + e.validFrom() + " .. "
              + until(e) + "; " + String.join("; ", e.evidence())))
          .append("</title></line>\n");
    }
    return "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + w + "\" height=\"" + hgt
        + "\" role=\"img\" aria-label=\"entity graph\">\n" + edges + nodes + "</svg>";
  }

  private static String until(EntityGraph.Edge e) {
    return e.validTo().isEmpty() ? "open" : e.validTo() + (e.endObserved() ? " (end observed)" : "");
  }

  // -------------------------------------------------------------------------------------------------- Markdown

  String markdown() {
    StringBuilder b = new StringBuilder(16_384);
    b.append("# ").append(md(incident.path("title").asText())).append("\n\n");
    b.append("- incident: ").append(code(incident.path("incident_id").asText())).append(" (revision ")
        .append(incident.path("revision").asInt()).append(", status ").append(md(incident.path("status").asText())).append(")\n");
    b.append("- severity: ").append(md(incident.path("severity").asText())).append("\n");
    b.append("- tenant: ").append(md(incident.path("tenant").asText())).append("\n");
    b.append("- first seen: ").append(md(incident.path("first_seen").asText())).append(", last seen: ")
        .append(md(incident.path("last_seen").asText())).append("\n");
    b.append("- ").append(incident.path("signals").asInt()).append(" signals, ").append(incident.path("event_count").asInt())
        .append(" events\n\n");
    List<JsonNode> entry = entryRows();
    if (!entry.isEmpty()) {
      b.append("## Entry\n\n").append(md(ENTRY_NOTE)).append("\n\n| time (UTC) | layer | summary | source | evidence |\n"
          + "|---|---|---|---|---|\n");
      for (JsonNode r : entry) {
        String sha = r.path("artifact_sha256").asText();
        b.append("| ").append(md(r.path("time").asText())).append(" | ").append(md(r.path("layer").asText().toLowerCase(Locale.ROOT)))
            .append(" | ").append(md(r.path("summary").asText())).append(" | ").append(md(r.path("source_format").asText()))
            .append(" | event ").append(code(r.path("event_id").asText())).append("; artifact ").append(code(sha)).append("; ")
            .append(code(r.path("origin").asText(""))).append(" ").append(md(position(r)));
        if (sha.matches("[0-9a-f]{64}")) b.append("; S3 `artifacts/sha256/").append(sha).append('`');
        b.append(" |\n");
      }
      b.append("\n");
    }
    if (!imageFindings.isEmpty()) {
      b.append("## Known vulnerabilities of the images\n\n").append(md(FINDINGS_NOTE)).append("\n\n| vulnerability | severity "
          + "| score | package | fixed in | image | evidence |\n|---|---|---|---|---|---|---|\n");
      for (JsonNode f : imageFindings.subList(0, Math.min(MAX_FINDINGS, imageFindings.size()))) {
        b.append('|');
        for (String c : findingCells(f)) b.append(' ').append(md(c)).append(" |");
        b.append('\n');
      }
      b.append('\n');
    }
    b.append("## Attack path\n\n");
    int n = 1;
    for (JsonNode s : incident.path("attack_path")) {
      b.append(n++).append(". **").append(md(stage(s.path("stage").asText()))).append("** from ")
          .append(md(s.path("first_time").asText())).append(" (").append(s.path("event_ids").size()).append(" events)\n");
    }
    List<JsonNode> rules = detectionRules(rows);
    if (!rules.isEmpty()) {
      b.append("\n## Detection rules\n\n| rule | id | author | level | rows | credit |\n|---|---|---|---|---|---|\n");
      for (JsonNode d : rules) {
        b.append("| ").append(md(d.path("title").asText())).append(" | ").append(code(d.path("rule_id").asText())).append(" | ")
            .append(md(d.path("author").asText(""))).append(" | ").append(md(d.path("level").asText())).append(" | ")
            .append(d.path("rows").asInt()).append(" | ").append(md(d.path("credit").asText())).append(" |\n");
      }
      b.append("\n").append(md(DETECTION_NOTE)).append("\n");
    }
    b.append("\n## Timeline\n\n| # | time (UTC) | layer | stage | summary | source | evidence |\n|---|---|---|---|---|---|---|\n");
    for (int i = 0; i < rows.size(); i++) {
      JsonNode r = rows.get(i);
      String sha = r.path("artifact_sha256").asText();
      b.append("| ").append(i + 1).append(r.path("signal").asBoolean() ? " ⚑" : "").append(" | ").append(md(r.path("time").asText()))
          .append(" | ").append(md(r.path("layer").asText().toLowerCase(Locale.ROOT))).append(" | ")
          .append(md(rowStage(r))).append(" | ").append(md(r.path("summary").asText()));
      for (JsonNode d : r.path("detections")) b.append("<br>").append(md(detectionLine(d)));
      b.append(" | ")
          .append(md(r.path("source_format").asText())).append(" | event ").append(code(r.path("event_id").asText()))
          .append("; artifact ").append(code(sha)).append("; ").append(code(r.path("origin").asText(""))).append(" ")
          .append(md(position(r)));
      if (sha.matches("[0-9a-f]{64}")) b.append("; S3 `artifacts/sha256/").append(sha).append('`');
      b.append(" |\n");
    }
    b.append("\n## Entities\n\n| type | key | scope | role | events |\n|---|---|---|---|---|\n");
    for (JsonNode e : incident.path("entities")) {
      b.append("| ").append(md(e.path("type").asText())).append(" | ").append(code(e.path("key").asText())).append(" | ")
          .append(md(e.path("scope").asText(""))).append(" | ").append(md(e.path("role").asText(""))).append(" | ")
          .append(e.path("event_count").asInt()).append(" |\n");
    }
    if (!graph.edges.isEmpty()) {
      b.append("\n## Entity graph (relations from entity bindings)\n\n| from | relation | to | valid from (UTC) |"
          + " valid to (UTC) | evidence |\n|---|---|---|---|---|---|\n");
      for (EntityGraph.Edge e : graph.edges) {
        b.append("| ").append(code(e.from().label())).append(" | ").append(md(e.relation())).append(" | ")
            .append(code(e.to().label())).append(" | ").append(md(e.validFrom())).append(" | ").append(md(until(e)))
            .append(" | ").append(md(String.join("; ", e.evidence())));
        if (e.evidenceCount() > e.evidence().size()) b.append(" (and ").append(e.evidenceCount() - e.evidence().size()).append(" more)");
        b.append(" |\n");
      }
    }
    b.append("\n## Indicators\n\n| type | value |\n|---|---|\n");
    for (JsonNode i : incident.path("indicators")) {
      b.append("| ").append(md(i.path("type").asText())).append(" | ").append(code(i.path("value").asText())).append(" |\n");
    }
    return b.toString();
  }

  static final String DETECTION_NOTE = "Sigma rules are the work of their authors, published by SigmaHQ under the"
      + " Detection Rule License (DRL) 1.1; each match above keeps the rule's title, id and author.";

  /** "Sigma: TITLE (ID, level LEVEL). Sigma rule by AUTHOR, SigmaHQ, DRL-1.1" */
  static String detectionLine(JsonNode d) {
    return "Sigma: " + d.path("title").asText() + " (" + d.path("rule_id").asText() + ", level " + d.path("level").asText()
        + "). " + d.path("credit").asText();
  }

  /** The distinct rules the rows matched, in first-row order, each with "rows" = how many rows matched it. */
  static List<JsonNode> detectionRules(List<JsonNode> rows) {
    java.util.Map<String, com.fasterxml.jackson.databind.node.ObjectNode> byId = new java.util.LinkedHashMap<>();
    for (JsonNode r : rows) {
      for (JsonNode d : r.path("detections")) {
        var o = byId.computeIfAbsent(d.path("rule_id").asText(), k -> ((com.fasterxml.jackson.databind.node.ObjectNode) d.deepCopy()).put("rows", 0));
        o.put("rows", o.path("rows").asInt() + 1);
      }
    }
    return new java.util.ArrayList<>(byId.values());
  }

  // --------------------------------------------------------------------------------------------------- escaping

  /** HTML text and attribute escaping (also for SVG). */
  static String h(String s) {
    if (s == null) return "";
    StringBuilder b = new StringBuilder(s.length() + 16);
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '&' -> b.append("&amp;");
        case '<' -> b.append("&lt;");
        case '>' -> b.append("&gt;");
        case '"' -> b.append("&quot;");
        case '\'' -> b.append("&#39;");
        default -> b.append(Character.isISOControl(c) ? ' ' : c);
      }
    }
    return b.toString();
  }

  /** Markdown text in a table cell: no line breaks, Markdown and HTML punctuation backslash-escaped. */
  static String md(String s) {
    if (s == null) return "";
    StringBuilder b = new StringBuilder(s.length() + 16);
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (Character.isISOControl(c)) {
        b.append(' ');
      } else if ("\\`*_{}[]()<>#+!|~&".indexOf(c) >= 0) {
        b.append('\\').append(c);
      } else {
        b.append(c);
      }
    }
    return b.toString();
  }

  /**
   * A value for a code span. Backslash escapes do not work inside code spans, so only plain identifiers (ids, hashes,
   * names, ARNs, paths without markup characters) go in one; anything else is written as escaped text.
   */
  static String code(String s) {
    if (s == null) return "``";
    if (s.matches("[A-Za-z0-9._:/@=+,\\- ]*")) return "`" + s + "`";
    return md(s);
  }

  /**
   * A row's stage; a context row before the incident's first seen (its first signal's time) is lead-up: "before the
   * first signal" (the workload's own lines before the alert, node-level context within the window).
   */
  String rowStage(JsonNode r) {
    String stage = stage(r.path("attack_stage").asText(""));
    long t = micros(r.path("time").asText());
    long first = micros(incident.path("first_seen").asText(""));
    if (!r.path("signal").asBoolean() && t != 0 && first != 0 && t < first) {
      return stage.isEmpty() ? "before the first signal" : stage + " (before the first signal)";
    }
    return stage;
  }

  static String stage(String s) {
    return s == null ? "" : s.toLowerCase(Locale.ROOT).replace('_', ' ');
  }

  private static String cut(String s, int n) {
    return s.length() <= n ? s : s.substring(0, n - 1) + "…";
  }

  static long micros(String iso) {
    try {
      Instant t = Instant.parse(iso);
      return t.getEpochSecond() * 1_000_000L + t.getNano() / 1000;
    } catch (DateTimeParseException e) {
      return 0;
    }
  }

  static String iso(long micros) {
    return Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000L), Math.floorMod(micros, 1_000_000L) * 1000L).toString()
        + (micros % 1_000_000L == 0 ? "" : "");
  }
}
