package dev.strata.parse.formats.trivyscan;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import dev.strata.parse.ChunkContext;
import dev.strata.parse.Json;
import dev.strata.parse.JsonFormatParser;
import dev.strata.parse.OcsfClass;
import dev.strata.parse.OcsfSeverity;
import dev.strata.parse.ParseException;
import dev.strata.parse.ParseOutput;
import dev.strata.parse.RejectReason;
import dev.strata.schema.event.Container;
import dev.strata.schema.event.EvidenceEvent;
import dev.strata.schema.event.File;
import dev.strata.schema.event.Finding;
import dev.strata.schema.event.Kubernetes;
import dev.strata.schema.event.Package;
import dev.strata.schema.event.Vulnerability;
import dev.strata.schema.raw.RawArtifactChunk;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Trivy's JSON report ({@code trivy image|fs|rootfs|repo|sbom -f json}, schema version 2, Trivy 0.20+; the schema-1
 * form, a bare array of results, too; {@code trivy k8s -f json} with {@code Resources[].Results}) to OCSF findings,
 * as Trivy's {@code pkg/types} Report / Result define them:
 *
 * <pre>
 * Results[].Vulnerabilities[]   -> 2002 Vulnerability Finding, one per entry: vulnerability.uid = VulnerabilityID,
 *                                  severity = Severity (UNKNOWN/LOW/MEDIUM/HIGH/CRITICAL -> severity_id 0..5), score and
 *                                  cvss_vector from CVSS[SeveritySource] (else nvd, else the first source): V40, else
 *                                  V3, else V2; fixed_version = FixedVersion, fix_state = Status, data_source =
 *                                  DataSource.URL (else PrimaryURL), related = VendorIDs; package.name = PkgName,
 *                                  version = InstalledVersion, type = the result's Type, purl = PkgIdentifier.PURL,
 *                                  uid = PkgID (else PkgIdentifier.UID), path = PkgPath (else the result's Target for
 *                                  language packages); finding.rule = VulnerabilityID, title = "ID in name version",
 *                                  priority = Severity
 * Results[].Misconfigurations[] -> 2003 Compliance Finding for Status FAIL (PASS / EXCEPTION counted in unmapped
 *                                  scan.passed_checks): finding.rule = AVDID (else ID), title = Title, priority =
 *                                  Severity, message = Message, file.path = the result's Target, cause lines
 *                                  (passed checks: the results' MisconfSummary.Successes, else the PASS entries)
 * Results[].Secrets[]           -> 2004 Detection Finding: finding.rule = RuleID, title = Title, priority = Severity,
 *                                  file.path = Target, lines and the (Trivy-masked) match in unmapped
 * Results[].Packages[]          -> 5001 Device Inventory Info (with --list-all-pkgs), package.* as above
 * Metadata                      -> container.image_name = ArtifactName (container images), image_uid = ImageID,
 *                                  image_digest = the digest of RepoDigests[0]; unmapped image.repo_tags,
 *                                  image.repo_digests, scan.os
 * CreatedAt                     -> time (reports before Trivy 0.48 have none: observed time, warned)
 * Resources[] (trivy k8s)       -> kubernetes.cluster = ClusterName, namespace = Namespace, unmapped k8s.kind / name
 * </pre>
 *
 * Every finding's record is its own entry in the report (lineage offset and raw_data point at it); the report's
 * fields that are not mapped go to unmapped {@code scan.*} / {@code result.*}.
 */
public final class TrivyScanParser extends JsonFormatParser {

  public static final String FORMAT = "trivy_scan";
  private static final int MAX_TEXT = 4096;

  public TrivyScanParser() {
    super(FORMAT);
  }

  @Override
  public void parse(RawArtifactChunk chunk, ParseOutput out) throws ParseException {
    ChunkContext ctx = ChunkContext.of(chunk).unhashedEventIds();
    byte[] buf = ctx.payload();
    long ordinal = 0;
    try (JsonParser p = Json.utf8Parser(buf, 0, buf.length)) {
      if (p == null) throw new ParseException(RejectReason.MALFORMED_JSON, "not UTF-8 JSON");
      for (JsonToken t; (t = p.nextToken()) != null; ) {
        int start = (int) p.currentTokenLocation().getByteOffset();
        Report r = new Report(ctx, ordinal++, start);
        try {
          if (t == JsonToken.START_OBJECT) r.report(p);
          else if (t == JsonToken.START_ARRAY) r.resultsArray(p, null); // schema 1: the results only
          else throw new Report.Bad("not a Trivy report: a " + t + " at the top level");
          r.emit(out);
        } catch (Report.Bad ex) {
          p.skipChildren();
          int end = (int) p.currentLocation().getByteOffset();
          out.reject(ctx.rejection(RejectReason.MISSING_FIELD, ex.getMessage(), start, Math.max(end, start + 1),
              r.ordinal));
        }
      }
    } catch (JsonProcessingException ex) {
      out.reject(ctx.rejection(RejectReason.MALFORMED_JSON, "invalid JSON: " + ex.getOriginalMessage(), 0,
          buf.length, ordinal));
    } catch (IOException ex) {
      throw new ParseException(RejectReason.PARSER_ERROR, "I/O error on an in-memory buffer: " + ex, ex);
    }
  }

  /** One report: its context, then its entries as they were read (the context may come after them). */
  private static final class Report {
    static final class Bad extends Exception {
      private static final long serialVersionUID = 1L;

      Bad(String m) {
        super(m, null, false, false);
      }
    }

    /** An entry of a result, with its bytes. */
    private record Entry(String kind, int start, int end, JsonNode node, Map<String, String> result,
        Map<String, String> resource) {}

    private final ChunkContext ctx;
    private final long ordinal;
    private final int start;
    private final List<Entry> entries = new ArrayList<>();
    private final Map<String, String> docFields = new HashMap<>();
    private String createdAt;
    private String artifactName;
    private String artifactType;
    private String clusterName;
    private JsonNode metadata;
    private long passed;
    private boolean summaries;
    private boolean sawResults;

    Report(ChunkContext ctx, long ordinal, int start) {
      this.ctx = ctx;
      this.ordinal = ordinal;
      this.start = start;
    }

    /** The report object (the parser at its START_OBJECT). */
    void report(JsonParser p) throws IOException, Bad {
      boolean trivy = false;
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String f = p.currentName();
        JsonToken v = p.nextToken();
        switch (f) {
          case "SchemaVersion" -> {
            trivy = true;
            docFields.put("scan.schema_version", p.getText());
          }
          case "CreatedAt" -> createdAt = v == JsonToken.VALUE_STRING ? p.getText() : null;
          case "ArtifactName" -> {
            trivy = true;
            artifactName = v == JsonToken.VALUE_STRING ? p.getText() : null;
          }
          case "ArtifactType" -> artifactType = v == JsonToken.VALUE_STRING ? p.getText() : null;
          case "ClusterName" -> {
            trivy = true;
            clusterName = v == JsonToken.VALUE_STRING ? p.getText() : null;
          }
          case "Metadata" -> metadata = Json.MAPPER.readTree(p);
          case "Results" -> {
            sawResults = true;
            resultsArray(p, null);
          }
          case "Resources" -> {
            sawResults = true;
            resources(p);
          }
          default -> {
            if (v.isScalarValue()) docFields.put("scan." + f, p.getText());
            else p.skipChildren();
          }
        }
      }
      if (!trivy) throw new Bad("not a Trivy report: no SchemaVersion, ArtifactName or ClusterName");
    }

    /** {@code trivy k8s}: Resources[] {Namespace, Kind, Name, Results[]}. */
    private void resources(JsonParser p) throws IOException {
      if (p.currentToken() != JsonToken.START_ARRAY) {
        p.skipChildren();
        return;
      }
      while (p.nextToken() == JsonToken.START_OBJECT) {
        Map<String, String> resource = new HashMap<>();
        while (p.nextToken() == JsonToken.FIELD_NAME) {
          String f = p.currentName();
          JsonToken v = p.nextToken();
          if (f.equals("Results")) {
            resultsArray(p, resource);
          } else if (v.isScalarValue()) {
            resource.put(f, p.getText());
          } else {
            p.skipChildren();
          }
        }
      }
    }

    /** Results[] (the parser at its START_ARRAY). */
    void resultsArray(JsonParser p, Map<String, String> resource) throws IOException {
      if (p.currentToken() != JsonToken.START_ARRAY) {
        p.skipChildren();
        return;
      }
      sawResults = true;
      for (JsonToken t; (t = p.nextToken()) != JsonToken.END_ARRAY; ) {
        if (t != JsonToken.START_OBJECT) {
          p.skipChildren();
          continue;
        }
        Map<String, String> result = new HashMap<>();
        List<Entry> mine = new ArrayList<>();
        while (p.nextToken() == JsonToken.FIELD_NAME) {
          String f = p.currentName();
          JsonToken v = p.nextToken();
          switch (f) {
            case "Vulnerabilities", "Misconfigurations", "Secrets", "Packages" -> entries(p, f, mine, result, resource);
            case "MisconfSummary" -> {
              JsonNode s = Json.MAPPER.readTree(p);
              summaries = true;
              passed += s.path("Successes").asLong(0);
            }
            default -> {
              if (v.isScalarValue()) result.put(f, p.getText());
              else p.skipChildren();
            }
          }
        }
        entries.addAll(mine);
      }
    }

    private void entries(JsonParser p, String kind, List<Entry> into, Map<String, String> result,
        Map<String, String> resource) throws IOException {
      if (p.currentToken() != JsonToken.START_ARRAY) {
        p.skipChildren(); // null: nothing found
        return;
      }
      for (JsonToken t; (t = p.nextToken()) != JsonToken.END_ARRAY; ) {
        if (t != JsonToken.START_OBJECT) {
          p.skipChildren();
          continue;
        }
        int s = (int) p.currentTokenLocation().getByteOffset();
        JsonNode node = Json.MAPPER.readTree(p);
        int e = (int) p.currentLocation().getByteOffset();
        into.add(new Entry(kind, s, e, node, result, resource));
      }
    }

    /** The report's events, in the order of its entries. */
    void emit(ParseOutput out) throws Bad {
      if (!sawResults && metadata == null) throw new Bad("not a Trivy report: no Results");
      Container image = image();
      String about = image != null && image.getImageName() != null ? image.getImageName() : artifactName;
      if (!summaries) { // the passed checks listed (--include-non-failures) when no summary counts them
        for (Entry en : entries) {
          if (en.kind().equals("Misconfigurations") && !isFailure(en.node())) passed++;
        }
      }
      int sub = 0;
      for (Entry en : entries) {
        EvidenceEvent e = switch (en.kind()) {
          case "Vulnerabilities" -> vulnerability(en, sub, about);
          case "Misconfigurations" -> misconfiguration(en, sub);
          case "Secrets" -> secret(en, sub);
          default -> inventory(en, sub, about);
        };
        if (e == null) continue;
        sub++;
        context(e, en, image);
        out.emit(e);
      }
    }

    private EvidenceEvent newEvent(OcsfClass cls, Entry en, int sub) {
      EvidenceEvent e = ctx.newEvent(cls, 1, "Create", en.start(), en.end(), ctx.lineAt(en.start()), ordinal, sub);
      e.setRawData(ctx.rawText(en.start(), en.end()));
      return e;
    }

    private EvidenceEvent vulnerability(Entry en, int sub, String about) {
      JsonNode v = en.node();
      String id = text(v, "VulnerabilityID");
      if (id == null) return null;
      EvidenceEvent e = newEvent(OcsfClass.VULNERABILITY_FINDING, en, sub);
      Vulnerability vul = new Vulnerability();
      vul.setUid(id);
      String severity = text(v, "Severity");
      vul.setSeverity(severity);
      vul.setFixedVersion(text(v, "FixedVersion"));
      vul.setFixState(text(v, "Status"));
      String source = text(v.path("DataSource"), "URL");
      vul.setDataSource(source != null ? source : text(v, "PrimaryURL"));
      List<String> related = new ArrayList<>(0);
      for (JsonNode r : v.path("VendorIDs")) if (r.isTextual() && !r.asText().equals(id)) related.add(r.asText());
      vul.setRelated(related);
      cvss(v, vul);
      e.setVulnerability(vul);
      Package pkg = pkg(v, en.result(), "PkgName", "InstalledVersion");
      e.setPackage$(pkg);
      severity(e, severity);
      String label = pkg.getName() + (pkg.getVersion() == null ? "" : " " + pkg.getVersion());
      e.setFinding(new Finding(id, id + " in " + label, severity, new ArrayList<>(0)));
      e.setMessage(id + (severity == null ? "" : " (" + severity + ")") + " in package " + label
          + (pkg.getType() == null ? "" : " (" + pkg.getType() + ")") + (about == null ? "" : " in " + about));
      Map<String, String> u = e.getUnmapped();
      put(u, "vulnerability.title", text(v, "Title"));
      put(u, "vulnerability.description", cut(text(v, "Description")));
      put(u, "vulnerability.primary_url", text(v, "PrimaryURL"));
      put(u, "vulnerability.published", text(v, "PublishedDate"));
      put(u, "vulnerability.last_modified", text(v, "LastModifiedDate"));
      put(u, "vulnerability.severity_source", text(v, "SeveritySource"));
      if (v.path("CweIDs").isArray() && v.path("CweIDs").size() > 0) u.put("vulnerability.cwe_ids", join(v.path("CweIDs")));
      if (v.path("VendorSeverity").isObject()) u.put("vulnerability.vendor_severity", v.path("VendorSeverity").toString());
      layer(v, u);
      return e;
    }

    /** Score and vector of the CVSS entry Trivy took the severity from (else nvd, else the first one). */
    private static void cvss(JsonNode v, Vulnerability vul) {
      JsonNode all = v.path("CVSS");
      if (!all.isObject() || all.size() == 0) return;
      String src = text(v, "SeveritySource");
      JsonNode c = src != null && all.has(src) ? all.get(src) : all.has("nvd") ? all.get("nvd") : all.elements().next();
      for (String version : new String[] {"V40", "V3", "V2"}) {
        JsonNode score = c.path(version + "Score");
        String vector = text(c, version + "Vector");
        if (score.isNumber() || vector != null) {
          vul.setScore(score.isNumber() ? score.asDouble() : null);
          vul.setCvssVector(vector);
          return;
        }
      }
    }

    private EvidenceEvent misconfiguration(Entry en, int sub) {
      JsonNode m = en.node();
      String status = text(m, "Status");
      if (!isFailure(m)) return null;
      String rule = text(m, "AVDID") != null ? text(m, "AVDID") : text(m, "ID");
      if (rule == null) return null;
      EvidenceEvent e = newEvent(OcsfClass.COMPLIANCE_FINDING, en, sub);
      String severity = text(m, "Severity");
      severity(e, severity);
      String title = text(m, "Title");
      e.setFinding(new Finding(rule, title != null ? title : rule, severity, new ArrayList<>(0)));
      String message = text(m, "Message");
      e.setMessage((title != null ? title : rule) + (message == null ? "" : ": " + message));
      file(e, en.result());
      Map<String, String> u = e.getUnmapped();
      put(u, "misconfig.id", text(m, "ID"));
      put(u, "misconfig.type", text(m, "Type"));
      put(u, "misconfig.namespace", text(m, "Namespace"));
      put(u, "misconfig.resolution", cut(text(m, "Resolution")));
      put(u, "misconfig.primary_url", text(m, "PrimaryURL"));
      put(u, "misconfig.status", status);
      JsonNode cause = m.path("CauseMetadata");
      put(u, "misconfig.resource", text(cause, "Resource"));
      put(u, "misconfig.provider", text(cause, "Provider"));
      put(u, "misconfig.service", text(cause, "Service"));
      if (cause.path("StartLine").isNumber()) u.put("misconfig.start_line", cause.path("StartLine").asText());
      if (cause.path("EndLine").isNumber()) u.put("misconfig.end_line", cause.path("EndLine").asText());
      return e;
    }

    private EvidenceEvent secret(Entry en, int sub) {
      JsonNode s = en.node();
      String rule = text(s, "RuleID");
      if (rule == null) return null;
      EvidenceEvent e = newEvent(OcsfClass.DETECTION_FINDING, en, sub);
      String severity = text(s, "Severity");
      severity(e, severity);
      String title = text(s, "Title");
      e.setFinding(new Finding(rule, title != null ? title : rule, severity, new ArrayList<>(0)));
      e.setMessage("secret: " + (title != null ? title : rule) + " in " + en.result().getOrDefault("Target", "?"));
      file(e, en.result());
      Map<String, String> u = e.getUnmapped();
      put(u, "secret.category", text(s, "Category"));
      if (s.path("StartLine").isNumber()) u.put("secret.start_line", s.path("StartLine").asText());
      if (s.path("EndLine").isNumber()) u.put("secret.end_line", s.path("EndLine").asText());
      put(u, "secret.match", cut(text(s, "Match"))); // Trivy masks the secret itself
      layer(s, u);
      return e;
    }

    private EvidenceEvent inventory(Entry en, int sub, String about) {
      JsonNode n = en.node();
      if (text(n, "Name") == null) return null;
      EvidenceEvent e = newEvent(OcsfClass.DEVICE_INVENTORY_INFO, en, sub);
      e.setSeverityId(1);
      e.setSeverity(OcsfSeverity.name(1));
      Package pkg = pkg(n, en.result(), "Name", "Version");
      List<String> licenses = new ArrayList<>(0);
      for (JsonNode l : n.path("Licenses")) if (l.isTextual()) licenses.add(l.asText());
      pkg.setLicenses(licenses);
      e.setPackage$(pkg);
      e.setMessage("package " + pkg.getName() + (pkg.getVersion() == null ? "" : " " + pkg.getVersion())
          + (pkg.getType() == null ? "" : " (" + pkg.getType() + ")") + (about == null ? "" : " in " + about));
      Map<String, String> u = e.getUnmapped();
      put(u, "package.src_name", text(n, "SrcName"));
      put(u, "package.src_version", text(n, "SrcVersion"));
      put(u, "package.arch", text(n, "Arch"));
      layer(n, u);
      return e;
    }

    /** A misconfiguration that failed (no Status: listed, so failed, as before Trivy listed passes). */
    private static boolean isFailure(JsonNode m) {
      String status = text(m, "Status");
      return status == null || status.equalsIgnoreCase("FAIL");
    }

    /** A package of a vulnerability or of Packages[]. */
    private static Package pkg(JsonNode n, Map<String, String> result, String nameField, String versionField) {
      Package p = new Package();
      p.setName(text(n, nameField));
      String version = text(n, versionField);
      String release = text(n, "Release");
      if (version != null && release != null && versionField.equals("Version")) version = version + "-" + release;
      p.setVersion(version);
      p.setType(result.get("Type"));
      JsonNode ident = n.path("PkgIdentifier").isObject() ? n.path("PkgIdentifier") : n.path("Identifier");
      p.setPurl(text(ident, "PURL"));
      String uid = text(n, "PkgID") != null ? text(n, "PkgID") : text(n, "ID");
      p.setUid(uid != null ? uid : text(ident, "UID"));
      String path = text(n, "PkgPath") != null ? text(n, "PkgPath") : text(n, "FilePath");
      if (path == null && "lang-pkgs".equals(result.get("Class"))) path = result.get("Target");
      p.setPath(path);
      p.setCpes(new ArrayList<>(0));
      p.setLicenses(new ArrayList<>(0));
      return p;
    }

    private static void file(EvidenceEvent e, Map<String, String> result) {
      String target = result.get("Target");
      if (target == null) return;
      int slash = target.lastIndexOf('/');
      e.setFile(new File(target, slash < target.length() - 1 ? target.substring(slash + 1) : null, null, null, null,
          null, null));
    }

    private static void layer(JsonNode n, Map<String, String> u) {
      JsonNode l = n.path("Layer");
      put(u, "layer.digest", text(l, "Digest"));
      put(u, "layer.diff_id", text(l, "DiffID"));
      put(u, "layer.created_by", cut(text(l, "CreatedBy")));
    }

    private static void severity(EvidenceEvent e, String severity) {
      int sev = severityId(severity);
      e.setSeverityId(sev);
      e.setSeverity(OcsfSeverity.name(sev));
    }

    /** OCSF severity_id of a Trivy severity. */
    static int severityId(String s) {
      if (s == null) return 0;
      return switch (s.toUpperCase(Locale.ROOT)) {
        case "CRITICAL" -> 5;
        case "HIGH" -> 4;
        case "MEDIUM" -> 3;
        case "LOW" -> 2;
        default -> 0; // UNKNOWN
      };
    }

    /** The report's context on an event: time, image, cluster / resource, result and report fields. */
    private void context(EvidenceEvent e, Entry en, Container image) {
      ctx.applyTime(e, createdAt, "CreatedAt");
      if (image != null) e.setContainer(image);
      Map<String, String> u = e.getUnmapped();
      for (Map.Entry<String, String> r : en.result().entrySet()) u.put("result." + lower(r.getKey()), r.getValue());
      u.putAll(docFields);
      put(u, "scan.tool", "trivy");
      put(u, "scan.artifact_name", artifactName);
      put(u, "scan.artifact_type", artifactType);
      if (passed > 0) u.put("scan.passed_checks", Long.toString(passed));
      Map<String, String> res = en.resource();
      if (res != null || clusterName != null) {
        Kubernetes k = e.getKubernetes();
        if (k == null) {
          k = new Kubernetes();
          e.setKubernetes(k);
        }
        if (clusterName != null) k.setCluster(clusterName);
        if (res != null) {
          if (res.get("Namespace") != null) k.setNamespace(res.get("Namespace"));
          put(u, "k8s.kind", res.get("Kind"));
          put(u, "k8s.name", res.get("Name"));
        }
      }
    }

    /** The scanned image (container images only), from ArtifactName and Metadata. */
    private Container image() {
      boolean isImage = "container_image".equals(artifactType)
          || (metadata != null && text(metadata, "ImageID") != null);
      if (metadata != null) {
        JsonNode os = metadata.path("OS");
        if (text(os, "Family") != null) {
          docFields.put("scan.os", text(os, "Family") + (text(os, "Name") == null ? "" : " " + text(os, "Name")));
        }
        if (metadata.path("RepoTags").size() > 0) docFields.put("image.repo_tags", join(metadata.path("RepoTags")));
        if (metadata.path("RepoDigests").size() > 0) {
          docFields.put("image.repo_digests", join(metadata.path("RepoDigests")));
        }
      }
      if (!isImage) return null;
      String uid = metadata == null ? null : text(metadata, "ImageID");
      String digest = null;
      if (metadata != null) {
        for (JsonNode d : metadata.path("RepoDigests")) {
          String s = d.asText("");
          int at = s.indexOf("@sha256:");
          if (at > 0) {
            digest = s.substring(at + 1);
            break;
          }
        }
      }
      String name = artifactName;
      if (name == null && metadata != null && metadata.path("RepoTags").size() > 0) {
        name = metadata.path("RepoTags").get(0).asText();
      }
      return new Container(null, null, name, uid, null, digest);
    }

    private static String text(JsonNode n, String field) {
      JsonNode v = n == null ? null : n.get(field);
      if (v == null || v.isNull() || v.isContainerNode()) return null;
      String s = v.asText();
      return s.isEmpty() ? null : s;
    }

    private static String join(JsonNode array) {
      StringBuilder b = new StringBuilder();
      for (Iterator<JsonNode> it = array.elements(); it.hasNext(); ) {
        if (b.length() > 0) b.append(',');
        b.append(it.next().asText());
      }
      return b.toString();
    }

    private static String lower(String k) {
      return k.toLowerCase(Locale.ROOT);
    }

    private static String cut(String s) {
      return s == null || s.length() <= MAX_TEXT ? s : s.substring(0, MAX_TEXT);
    }

    private static void put(Map<String, String> u, String k, String v) {
      if (v != null) u.put(k, v);
    }
  }
}
