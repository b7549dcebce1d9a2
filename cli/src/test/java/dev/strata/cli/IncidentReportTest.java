package dev.strata.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The report escapes hostile evidence in HTML, SVG and Markdown, and keeps rows in time order. */
class IncidentReportTest {
  static final ObjectMapper JSON = new ObjectMapper();
  static final String EVIL = "<script>alert(1)</script>\"'&|`*[x](javascript:alert(1))\n# heading";

  static JsonNode incident() throws Exception {
    String sha = "ab".repeat(32);
    return JSON.readTree("""
        {"incident_id":"inc-0123","tenant":"aws:1","title":"T <b>","severity":"High","status":"OPEN","revision":3,
         "first_seen":"2026-11-20T10:00:00Z","last_seen":"2026-11-20T10:05:00Z","signals":1,"event_count":2,
         "entities":[{"type":"pod","key":"shop/%1$s","role":"target","event_count":1},
                     {"type":"node","key":"n1","role":"target","event_count":2}],
         "indicators":[{"type":"ip","value":"%1$s"}],
         "attack_path":[{"stage":"EXECUTION","first_time":"2026-11-20T10:05:00Z","event_ids":["e2"]}],
         "timeline":[
           {"event_id":"e2","time":"2026-11-20T10:05:00Z","layer":"CLUSTER","class_name":"API Activity",
            "source_format":"k8s_audit","summary":"%1$s","signal":true,"attack_stage":"EXECUTION",
            "artifact_sha256":"%2$s","origin":"%1$s","byte_offset":10,"line_number":2,
            "detections":[{"engine":"sigma","rule_id":"a1b0ca4e-7835-413e-8471-3ff2b8a66be6",
              "title":"Potential Remote Command Execution In Pod Container %1$s","author":"Leo Tsaousis (@laripping)",
              "level":"medium","credit":"Sigma rule by Leo Tsaousis (@laripping), SigmaHQ, DRL-1.1"}]},
           {"event_id":"e1","time":"2026-11-20T10:00:00Z","layer":"CONTAINER","class_name":"Base Event",
            "source_format":"docker_json_log","summary":"ok","signal":false,"artifact_sha256":"../../etc/passwd",
            "origin":"x.log","byte_offset":0}]}
        """.formatted(JSON.writeValueAsString(EVIL).replaceAll("^\"|\"$", ""), sha));
  }

  @Test
  void htmlEscapesEverythingAndHasNoExternalResources() throws Exception {
    String html = new IncidentReport(incident(), List.of()).html();
    assertThat(html).doesNotContain("<script").doesNotContain("T <b>").contains("T &lt;b&gt;").doesNotContain("'&|")
        .contains("&lt;script&gt;alert(1)&lt;/script&gt;&quot;&#39;&amp;").contains("<svg").contains("href=\"#row-1\"")
        .doesNotContain("src=").contains("artifacts/sha256/" + "ab".repeat(32)).doesNotContain("artifacts/sha256/../");
    assertThat(html.indexOf("id=\"row-1\"")).isLessThan(html.indexOf("id=\"row-2\""));
    String row1 = html.substring(html.indexOf("id=\"row-1\""), html.indexOf("id=\"row-2\""));
    assertThat(row1).as("rows in time order: the 10:00 row first").contains(">ok<").contains("10:00:00");
  }

  /**
   * The entry step's rows come first, before the attack path, each with its evidence (artifact, origin, position, S3
   * key), escaped; an incident without an entry step has no such section.
   */
  @Test
  void theEntryRowsComeFirstWithTheirEvidence() throws Exception {
    com.fasterxml.jackson.databind.node.ObjectNode inc = (com.fasterxml.jackson.databind.node.ObjectNode) incident();
    assertThat(new IncidentReport(inc, List.of()).markdown()).doesNotContain("## Entry");
    assertThat(new IncidentReport(inc, List.of()).html()).doesNotContain("<h2>Entry</h2>");
    com.fasterxml.jackson.databind.node.ArrayNode path = (com.fasterxml.jackson.databind.node.ArrayNode) inc.get("attack_path");
    path.insert(0, JSON.readTree("{\"stage\":\"ENTRY\",\"first_time\":\"2026-11-20T10:05:00Z\",\"event_ids\":[\"e2\"]}"));
    IncidentReport report = new IncidentReport(inc, List.of());
    String md = report.markdown();
    String entry = md.substring(md.indexOf("## Entry"), md.indexOf("## Attack path"));
    assertThat(entry).contains("`e2`").contains("artifacts/sha256/" + "ab".repeat(32)).contains("line 2, byte 10")
        .doesNotContain("`e1`").doesNotContain("<script>");
    String html = report.html();
    assertThat(html.indexOf("<h2>Entry</h2>")).isPositive().isLessThan(html.indexOf("<h2>Attack path</h2>"));
    String section = html.substring(html.indexOf("<h2>Entry</h2>"), html.indexOf("<h2>Attack path</h2>"));
    assertThat(section).contains("e2").contains("&lt;script&gt;").doesNotContain("<script");
  }

  /** First seen is the first signal's time: a context row before it is lead-up, and both formats say so. */
  @Test
  void contextBeforeTheFirstSignalIsMarkedInBothFormats() throws Exception {
    com.fasterxml.jackson.databind.node.ObjectNode inc = (com.fasterxml.jackson.databind.node.ObjectNode) incident();
    assertThat(new IncidentReport(inc, List.of()).markdown()).doesNotContain("before the first signal");
    inc.put("first_seen", "2026-11-20T10:05:00Z");
    IncidentReport report = new IncidentReport(inc, List.of());
    String html = report.html();
    String row1 = html.substring(html.indexOf("id=\"row-1\""), html.indexOf("id=\"row-2\""));
    assertThat(row1).contains(">ok<").contains("before the first signal");
    assertThat(html.substring(html.indexOf("id=\"row-2\""))).doesNotContain("before the first signal");
    assertThat(report.markdown()).containsOnlyOnce("before the first signal");
  }

  @Test
  void sigmaMatchesNameTheRuleAndCreditItsAuthorInBothFormats() throws Exception {
    IncidentReport report = new IncidentReport(incident(), List.of());
    String html = report.html();
    assertThat(html).contains("<h2>Detection rules</h2>").contains("a1b0ca4e-7835-413e-8471-3ff2b8a66be6")
        .contains("Potential Remote Command Execution In Pod Container &lt;script&gt;")
        .contains("Leo Tsaousis (@laripping)").contains("Sigma rule by Leo Tsaousis (@laripping), SigmaHQ, DRL-1.1")
        .contains("Detection Rule License (DRL) 1.1").doesNotContain("<script>");
    String md = report.markdown();
    assertThat(md).contains("## Detection rules").contains("`a1b0ca4e-7835-413e-8471-3ff2b8a66be6`")
        .contains("Sigma rule by Leo Tsaousis \\(@laripping\\), SigmaHQ, DRL-1.1").contains("| medium |")
        .doesNotContain("<script>");
  }

  @Test
  void markdownEscapesEverything() throws Exception {
    String md = new IncidentReport(incident(), List.of()).markdown();
    assertThat(md).doesNotContain("<script>").doesNotContain("\n# heading").doesNotContain("](javascript")
        .contains("\\<script\\>").contains("\\|");
    for (String line : md.split("\n")) {
      if (line.startsWith("| 2")) {
        long separators = java.util.regex.Pattern.compile("(?<!\\\\)\\|").matcher(line).results().count();
        assertThat(separators).as("only the 8 cell separators are unescaped: %s", line).isEqualTo(8);
      }
    }
  }

  /** The images' known vulnerabilities (scans' findings) have a section of their own, escaped; none: no section. */
  @Test
  void theImagesFindingsAreListedWorstFirstAsGiven() throws Exception {
    JsonNode log4shell = JSON.readTree("""
        {"source_format":"trivy_scan","vulnerability":{"uid":"CVE-2021-44228","severity":"CRITICAL","score":10.0,
         "fixed_version":"2.15.0, 2.3.1, 2.12.2"},"package":{"name":"org.apache.logging.log4j:log4j-core","version":"2.14.1"},
         "container":{"image_name":"registry.example.com/orders/api:2.7.0","image_digest":"sha256:84d1"},
         "lineage":{"artifact_sha256":"cd"}}""");
    JsonNode hostile = JSON.readTree("{\"source_format\":\"grype_scan\",\"vulnerability\":{\"uid\":"
        + JSON.writeValueAsString(EVIL) + "},\"container\":{\"image_uid\":\"sha256:49\"}}");
    assertThat(new IncidentReport(incident(), List.of()).markdown()).doesNotContain("Known vulnerabilities");
    IncidentReport r = new IncidentReport(incident(), List.of()).withImageFindings(List.of(log4shell, hostile));
    String md = r.markdown();
    assertThat(md).contains("## Known vulnerabilities of the images").contains("| CVE-2021-44228 | CRITICAL | 10.0 | "
        + "org.apache.logging.log4j:log4j-core 2.14.1 | 2.15.0, 2.3.1, 2.12.2 | registry.example.com/orders/api:2.7.0 | "
        + "trivy\\_scan cd |").doesNotContain("<script>");
    assertThat(md.indexOf("Known vulnerabilities")).isLessThan(md.indexOf("## Attack path"));
    assertThat(r.html()).contains("<h2>Known vulnerabilities of the images</h2>").contains("<td>CVE-2021-44228</td>")
        .doesNotContain("<script>");
  }
}
