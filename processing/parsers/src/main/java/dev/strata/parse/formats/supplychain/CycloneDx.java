package dev.strata.parse.formats.supplychain;

import com.fasterxml.jackson.databind.JsonNode;
import dev.strata.parse.ChunkContext;
import dev.strata.parse.JsonRecordStream.RecordException;
import dev.strata.parse.RejectReason;
import dev.strata.parse.formats.supplychain.JsonDocuments.Doc;
import dev.strata.parse.formats.supplychain.JsonDocuments.Element;
import dev.strata.parse.formats.supplychain.SupplyChain.ImageRef;
import dev.strata.parse.formats.supplychain.SupplyChain.Pkg;
import dev.strata.schema.event.EvidenceEvent;
import dev.strata.schema.event.Vulnerability;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * CycloneDX 1.4 to 1.7 JSON BOMs (syft, grype, trivy, cdxgen): components to inventory events, vulnerabilities to
 * findings. Shared by {@code cyclonedx_sbom} (both) and {@code grype_scan} (findings only).
 *
 * <pre>
 * metadata.component (type container)  -> container.image_name = name (purl pkg:oci repository_url[:tag] if any),
 *                                         image_digest = version "sha256:.." (else the purl's digest);
 *                                         unmapped sbom.subject_ref = bom-ref; a non-container subject:
 *                                         sbom.subject = name[@version]
 * components[] (and nested components)  -> package: name, version, purl, cpe -> cpes, licenses (license.id, else
 *                                         license.name, else expression), bom-ref -> uid, type = property
 *                                         syft:package:type, else the purl type, else the component type; path =
 *                                         property syft:location:0:path, else evidence.occurrences[0].location;
 *                                         unmapped package.* (group, component type, description, hashes,
 *                                         supplier, properties as package.property.NAME, ...)
 * vulnerabilities[] x affects[].ref      -> one finding per affected component (joined on bom-ref): uid = id;
 *                                         severity, score, cvss_vector from the CVSS rating (CVSSv31 > CVSSv3 >
 *                                         CVSSv4 > CVSSv2 > any rating with a severity); data_source = source.url,
 *                                         else source.name; related = references[].id; unmapped
 *                                         vulnerability.epss (rating by FIRST), vulnerability.known_exploited
 *                                         (rating by CISA KEV), description, cwes, analysis.*, recommendation
 * metadata.timestamp                     -> time
 * </pre>
 */
final class CycloneDx {

  static final Set<String> ARRAYS = Set.of("components", "vulnerabilities");

  private static final Set<String> COMPONENT_MAPPED =
      Set.of("name", "version", "purl", "cpe", "licenses", "bom-ref", "properties", "components");

  private CycloneDx() {}

  static boolean isCycloneDx(Doc doc) {
    return "CycloneDX".equals(doc.get("bomFormat").asText(null));
  }

  static void map(ChunkContext ctx, Doc doc, List<EvidenceEvent> out, boolean inventory, boolean findings)
      throws RecordException {
    if (!isCycloneDx(doc)) {
      throw new RecordException(RejectReason.MISSING_FIELD, "not a CycloneDX JSON document: no bomFormat CycloneDX");
    }
    String spec = doc.get("specVersion").asText(null);
    if (spec != null && !spec.startsWith("1.")) {
      throw new RecordException(RejectReason.UNSUPPORTED_VERSION, "unsupported CycloneDX specVersion " + spec);
    }
    JsonNode meta = doc.get("metadata");
    String time = meta.path("timestamp").asText(null);
    JsonNode subject = meta.path("component");
    ImageRef image = ImageRef.NONE;
    Map<String, String> docFields = new HashMap<>();
    SupplyChain.put(docFields, "sbom.spec_version", spec);
    SupplyChain.put(docFields, "sbom.serial_number", doc.get("serialNumber").asText(null));
    SupplyChain.put(docFields, "sbom.tool", tools(meta.path("tools")));
    String about = null;
    if (subject.isObject()) {
      String name = SupplyChain.text(subject, "name");
      String version = SupplyChain.text(subject, "version");
      ImageRef fromPurl = SupplyChain.imageFromPurl(SupplyChain.text(subject, "purl"));
      if ("container".equals(subject.path("type").asText()) || fromPurl != null) {
        image = new ImageRef(name, null, SupplyChain.digest(version));
        if (fromPurl != null) image = fromPurl.orElse(image);
        SupplyChain.put(docFields, "sbom.subject_ref", SupplyChain.text(subject, "bom-ref"));
        about = image.name();
      } else {
        about = name == null ? null : name + (version == null ? "" : "@" + version);
        SupplyChain.put(docFields, "sbom.subject", about);
      }
    }
    String timeField = "metadata.timestamp";

    Map<String, Pkg> byRef = new HashMap<>();
    List<Element> components = doc.elements("components");
    for (Element el : components) {
      int[] sub = {0};
      component(ctx, el, el.node(), doc.ordinalBase + el.index(), sub, image, time, timeField, docFields, about,
          byRef, inventory ? out : null);
    }
    if (!findings) return;
    long base = doc.ordinalBase + components.size();
    for (Element el : doc.elements("vulnerabilities")) {
      JsonNode v = el.node();
      String id = SupplyChain.text(v, "id");
      if (id == null) continue;
      JsonNode affects = v.path("affects");
      int k = 0;
      Iterable<JsonNode> targets = affects.isArray() && !affects.isEmpty() ? affects : List.of(v.path("affects"));
      for (JsonNode a : targets) {
        String ref = a.path("ref").asText(null);
        Pkg pkg = ref == null ? null : byRef.get(ref);
        Map<String, String> u = SupplyChain.unmapped();
        u.putAll(docFields);
        Vulnerability vul = vulnerability(v, id, u);
        if (ref != null && pkg == null) SupplyChain.put(u, "vulnerability.affects_ref", ref);
        SupplyChain.put(u, "vulnerability.affected_versions", a.path("versions").isMissingNode() ? null
            : a.path("versions").toString());
        out.add(SupplyChain.finding(ctx, el.start(), el.end(), base + el.index(), k++, pkg, vul, image, time,
            timeField, u, about));
      }
    }
  }

  private static void component(
      ChunkContext ctx, Element el, JsonNode c, long ordinal, int[] sub, ImageRef image, String time,
      String timeField, Map<String, String> docFields, String about, Map<String, Pkg> byRef,
      List<EvidenceEvent> out) {
    Pkg pkg = new Pkg();
    pkg.name = SupplyChain.text(c, "name");
    pkg.version = SupplyChain.text(c, "version");
    pkg.purl = SupplyChain.text(c, "purl");
    pkg.addCpe(SupplyChain.text(c, "cpe"));
    pkg.uid = SupplyChain.text(c, "bom-ref");
    for (JsonNode l : c.path("licenses")) {
      JsonNode lic = l.path("license");
      String s = SupplyChain.text(lic, "id");
      if (s == null) s = SupplyChain.text(lic, "name");
      if (s == null) s = SupplyChain.text(l, "expression");
      pkg.addLicense(s);
    }
    Map<String, String> u = SupplyChain.unmapped();
    u.putAll(docFields);
    String syftType = null;
    for (JsonNode p : c.path("properties")) {
      String n = p.path("name").asText(null);
      String v = p.path("value").asText(null);
      if (n == null || v == null) continue;
      if (n.equals("syft:package:type")) syftType = v;
      else if (n.equals("syft:location:0:path")) pkg.path = v;
      else if (n.startsWith("syft:cpe23")) pkg.addCpe(v);
      SupplyChain.put(u, "package.property." + n, v);
    }
    if (pkg.path == null) {
      JsonNode occ = c.path("evidence").path("occurrences");
      if (occ.isArray() && !occ.isEmpty()) pkg.path = SupplyChain.text(occ.get(0), "location");
    }
    pkg.type = syftType != null ? syftType : SupplyChain.purlType(pkg.purl);
    if (pkg.type == null) pkg.type = SupplyChain.text(c, "type");
    SupplyChain.rest(u, "package.", c, COMPONENT_MAPPED);
    if (pkg.uid != null) byRef.put(pkg.uid, pkg);
    if (out != null) {
      EvidenceEvent e = SupplyChain.inventory(ctx, el, ordinal, sub[0], pkg, image, time, timeField, u, about);
      out.add(e);
    }
    sub[0]++;
    for (JsonNode child : c.path("components")) {
      component(ctx, el, child, ordinal, sub, image, time, timeField, docFields, about, byRef, out);
    }
  }

  private static Vulnerability vulnerability(JsonNode v, String id, Map<String, String> u) {
    Vulnerability vul = SupplyChain.vulnerability(id);
    JsonNode best = null;
    int bestRank = -1;
    for (JsonNode r : v.path("ratings")) {
      String method = r.path("method").asText("");
      String src = r.path("source").path("name").asText("");
      if (src.equals("FIRST") || method.equals("other") && src.toLowerCase().contains("epss")) {
        SupplyChain.put(u, "vulnerability.epss", r.path("score").asText(null));
        continue;
      }
      if (src.contains("KEV")) {
        u.put("vulnerability.known_exploited", "true");
        continue;
      }
      int rank = switch (method) {
        case "CVSSv31" -> 5;
        case "CVSSv3" -> 4;
        case "CVSSv4" -> 3;
        case "CVSSv2" -> 2;
        default -> r.has("severity") ? 1 : 0;
      };
      if (rank > bestRank) {
        bestRank = rank;
        best = r;
      }
    }
    if (best != null) {
      vul.setSeverity(SupplyChain.text(best, "severity"));
      if (best.path("score").isNumber()) vul.setScore(best.path("score").asDouble());
      vul.setCvssVector(SupplyChain.text(best, "vector"));
    }
    JsonNode src = v.path("source");
    String ds = SupplyChain.text(src, "url");
    vul.setDataSource(ds != null ? ds : SupplyChain.text(src, "name"));
    for (JsonNode r : v.path("references")) {
      String rid = SupplyChain.text(r, "id");
      if (rid != null && !rid.equals(id) && !vul.getRelated().contains(rid)) vul.getRelated().add(rid);
    }
    SupplyChain.put(u, "vulnerability.description", SupplyChain.text(v, "description"));
    SupplyChain.put(u, "vulnerability.recommendation", SupplyChain.text(v, "recommendation"));
    if (v.path("cwes").isArray() && !v.path("cwes").isEmpty()) u.put("vulnerability.cwes", v.path("cwes").toString());
    SupplyChain.rest(u, "vulnerability.analysis.", v.path("analysis"), Set.of());
    SupplyChain.put(u, "vulnerability.bom_ref", SupplyChain.text(v, "bom-ref"));
    return vul;
  }

  /** "name version" of the tools (1.4: an array of tools; 1.5+: {components: [...], services: [...]}). */
  static String tools(JsonNode tools) {
    StringBuilder sb = new StringBuilder();
    Iterable<JsonNode> list = tools.isArray() ? tools : tools.path("components");
    for (JsonNode t : list) {
      if (sb.length() > 0) sb.append("; ");
      sb.append(t.path("name").asText("?"));
      String v = t.path("version").asText(null);
      if (v != null) sb.append(' ').append(v);
    }
    return sb.length() == 0 ? null : sb.toString();
  }

  /** True when the BOM was written by grype (metadata.tools names it). */
  static boolean fromGrype(Doc doc) {
    String t = tools(doc.get("metadata").path("tools"));
    return t != null && (t.startsWith("grype") || t.contains("; grype"));
  }
}
