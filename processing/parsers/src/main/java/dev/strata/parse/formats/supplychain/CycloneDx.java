package dev.strata.parse.formats.supplychain;

import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import dev.strata.parse.ChunkContext;
import dev.strata.parse.Events;
import dev.strata.parse.JsonRecordStream.RecordException;
import dev.strata.parse.RejectReason;
import dev.strata.parse.formats.supplychain.JsonDocuments.Cursor;
import dev.strata.parse.formats.supplychain.JsonDocuments.Mode;
import dev.strata.parse.formats.supplychain.SupplyChain.ImageRef;
import dev.strata.parse.formats.supplychain.SupplyChain.Pkg;
import dev.strata.schema.event.EvidenceEvent;
import dev.strata.schema.event.Vulnerability;
import java.io.IOException;
import java.util.ArrayList;
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
 * dependencies[] (ref, dependsOn[],     -> unmapped package.relationships of the components they name (joined on
 *   provides[] of 1.6)                     bom-ref, nested components included; in a split document from the
 *                                         dependencies the collector joined to the chunk's components, the same as
 *                                         whole): "DEPENDS_ON ref" / "PROVIDES ref" for the dependency's own ref,
 *                                         "DEPENDS_ON_OF ref" / "PROVIDES_OF ref" for the refs it names (the
 *                                         inverse, written as the SPDX parser writes inverse relationships), 64 at
 *                                         most, in document order; warned if the collector had to leave some out
 * vulnerabilities[] x affects[].ref      -> one finding per affected component (joined on bom-ref; in a split
 *                                         document on the components the collector carried with the chunk): uid = id;
 *                                         severity, score, cvss_vector from the CVSS rating (CVSSv31 > CVSSv3 >
 *                                         CVSSv4 > CVSSv2 > any rating with a severity); data_source = source.url,
 *                                         else source.name; related = references[].id; unmapped
 *                                         vulnerability.epss (rating by FIRST), vulnerability.known_exploited
 *                                         (rating by CISA KEV), description, cwes, analysis.*, recommendation
 * metadata.timestamp                     -> time
 * </pre>
 */
final class CycloneDx {

  /** The arrays the collector cuts a CycloneDX BOM at (ingest CycloneDxSbomRecognizer): counted as records. */
  static final Set<String> ARRAYS = Set.of("components", "services", "dependencies", "vulnerabilities");

  private CycloneDx() {}

  /** One CycloneDX BOM: components to inventory events (if {@code inventory}), vulnerabilities to findings. */
  static class Bom extends SupplyChain.Document {
    private final boolean inventory;
    /** every component read (joined ones included), for {@link #byRef} */
    private final List<Pkg> components = new ArrayList<>();
    /** bom-ref -> component, made when a vulnerability first asks (an SBOM without vulnerabilities never needs it) */
    private Map<String, Pkg> byRef;
    /** components in {@link #byRef} so far */
    private int indexed;
    /** false: the collector carried only part of the components a split chunk's vulnerabilities affect */
    private boolean joinedComplete = true;
    /** bom-ref -> its dependencies as package.relationships (from the whole document, or joined to a chunk) */
    private final Map<String, SupplyChain.Relationships> dependencies = new HashMap<>();
    /** false: the collector carried only part of the dependencies of a split chunk's components */
    private boolean dependenciesComplete = true;
    /** unmapped package.property.* keys */
    private final SupplyChain.Keys propertyKeys = new SupplyChain.Keys("package.property.");

    Bom(ChunkContext ctx, boolean inventory) {
      super(ctx);
      this.inventory = inventory;
    }

    boolean isCycloneDx() {
      return "CycloneDX".equals(get("bomFormat").asText(null));
    }

    @Override
    public void element(String array, Cursor c) throws IOException, RecordException {
      if (c.mode == Mode.CONTEXT || c.p.currentToken() != JsonToken.START_OBJECT) {
        c.skip();
        return;
      }
      if (array.equals("components")) {
        List<Pkg> pkgs = new ArrayList<>(1);
        List<OverlayMap> unmapped = new ArrayList<>(1);
        component(c, pkgs, unmapped);
        if (inventory && c.mode != Mode.JOINED) { // a joined component only names what a finding affects
          for (int i = 0; i < pkgs.size(); i++) inventory(c, i, pkgs.get(i), unmapped.get(i));
        }
      } else if (array.equals("vulnerabilities")) {
        vulnerabilityElement(c);
      } else if (array.equals("dependencies") && inventory && c.mode != Mode.CHUNK) {
        dependency(c); // a chunk's own dependencies come joined in its header, with those of the other chunks
      } else {
        c.skip();
      }
    }

    /** Streams a component (and its nested components, in preorder) into pkgs / unmapped. */
    private void component(Cursor c, List<Pkg> pkgs, List<OverlayMap> unmapped) throws IOException {
      Pkg pkg = new Pkg();
      OverlayMap u = SupplyChain.unmapped();
      int at = pkgs.size();
      pkgs.add(pkg);
      unmapped.add(u);
      String syftType = null;
      String componentType = null;
      int evidence = -1;
      JsonNode evidenceTree = null;
      for (String f; (f = c.nextField()) != null; ) {
        switch (f) {
          case "name" -> pkg.name = c.uniqueString();
          case "version" -> pkg.version = c.uniqueString();
          case "purl" -> pkg.purl = c.uniqueString();
          case "cpe" -> pkg.addCpe(c.uniqueString());
          case "bom-ref" -> pkg.uid = c.uniqueString();
          case "licenses" -> licenses(c, pkg);
          case "properties" -> {
            if (!c.array()) break;
            while (c.nextObject()) {
              String n = null;
              String v = null;
              for (String g; (g = c.nextField()) != null; ) {
                if (g.equals("name")) n = c.string();
                else if (g.equals("value")) v = c.string();
                else c.skip();
              }
              if (n == null || v == null) continue;
              if (n.equals("syft:package:type")) syftType = v;
              else if (n.equals("syft:location:0:path")) pkg.path = v;
              else if (n.startsWith("syft:cpe23")) pkg.addCpe(v);
              SupplyChain.put(u, propertyKeys.of(n), v);
            }
          }
          case "components" -> {
            if (!c.array()) break;
            while (c.nextObject()) component(c, pkgs, unmapped);
          }
          case "evidence" -> {
            evidence = c.mark();
            String v = c.text(SupplyChain.MAX_TEXT);
            if (v != null) u.put("package.evidence", v);
            if (v != null && c.p.currentToken() == JsonToken.END_OBJECT) evidenceTree = c.treeFrom(evidence);
          }
          default -> {
            if (f.equals("type")) componentType = SupplyChain.blankToNull(c.p.getValueAsString());
            rest(u, packageKeys, f, c);
          }
        }
      }
      if (pkg.path == null && evidenceTree != null) {
        JsonNode occ = evidenceTree.path("occurrences");
        if (occ.isArray() && !occ.isEmpty()) pkg.path = SupplyChain.text(occ.get(0), "location");
      }
      pkg.type = syftType != null ? syftType : SupplyChain.purlType(pkg.purl);
      if (pkg.type == null) pkg.type = componentType;
      components.add(pkg);
      pkgs.set(at, pkg);
    }

    /** The components by bom-ref (the last of a duplicate ref wins, as before). */
    private Map<String, Pkg> byRef() {
      if (byRef == null) byRef = new HashMap<>(Math.max(16, components.size() * 2));
      for (; indexed < components.size(); indexed++) {
        Pkg p = components.get(indexed);
        if (p.uid != null) byRef.put(p.uid, p);
      }
      return byRef;
    }

    private static void licenses(Cursor c, Pkg pkg) throws IOException {
      if (!c.array()) return;
      while (c.nextObject()) {
        String id = null;
        String name = null;
        String expression = null;
        for (String g; (g = c.nextField()) != null; ) {
          if (g.equals("license") && c.p.currentToken() == JsonToken.START_OBJECT) {
            for (String h; (h = c.nextField()) != null; ) {
              if (h.equals("id")) id = c.string();
              else if (h.equals("name")) name = c.string();
              else c.skip();
            }
          } else if (g.equals("expression")) {
            expression = c.string();
          } else {
            c.skip();
          }
        }
        pkg.addLicense(id != null ? id : name != null ? name : expression);
      }
    }

    private void vulnerabilityElement(Cursor c) throws IOException {
      JsonNode v = c.tree();
      String id = SupplyChain.text(v, "id");
      if (id == null) return;
      JsonNode affects = v.path("affects");
      int k = 0;
      Iterable<JsonNode> targets = affects.isArray() && !affects.isEmpty() ? affects : List.of(v.path("affects"));
      for (JsonNode a : targets) {
        String ref = a.path("ref").asText(null);
        Pkg pkg = ref == null ? null : byRef().get(ref);
        OverlayMap u = SupplyChain.unmapped();
        Vulnerability vul = vulnerability(v, id, u);
        if (ref != null && pkg == null) SupplyChain.put(u, "vulnerability.affects_ref", ref);
        SupplyChain.put(u, "vulnerability.affected_versions", a.path("versions").isMissingNode() ? null
            : a.path("versions").toString());
        finding(c, k++, pkg, vul, u);
      }
    }

    /**
     * A dependency {@code {"ref": R, "dependsOn": [D...], "provides": [P...]}}: R depends on / provides each D / P,
     * each D / P is depended on / provided by R.
     */
    private void dependency(Cursor c) throws IOException {
      String ref = null;
      List<String> dependsOn = List.of();
      List<String> provides = List.of();
      for (String f; (f = c.nextField()) != null; ) {
        switch (f) {
          case "ref" -> ref = c.string();
          case "dependsOn" -> dependsOn = refs(c);
          case "provides" -> provides = refs(c);
          default -> c.skip();
        }
      }
      if (ref == null) return;
      relate(ref, "DEPENDS_ON", dependsOn);
      relate(ref, "PROVIDES", provides);
    }

    private void relate(String ref, String type, List<String> others) {
      if (others.isEmpty()) return;
      SupplyChain.Relationships own = dependencies.computeIfAbsent(ref, k -> new SupplyChain.Relationships());
      for (String o : others) {
        own.add(type, "", o);
        dependencies.computeIfAbsent(o, k -> new SupplyChain.Relationships()).add(type, "_OF", ref);
      }
    }

    /** The strings of an array of refs (anything else in it is skipped). */
    private static List<String> refs(Cursor c) throws IOException {
      if (!c.isArray()) {
        c.skip();
        return List.of();
      }
      List<String> out = new ArrayList<>(4);
      for (JsonToken t; (t = c.nextElement()) != null; ) {
        String r = t == JsonToken.VALUE_STRING ? c.string() : null;
        if (r != null) out.add(r);
        else c.skip();
      }
      return out;
    }

    /**
     * A split chunk's header carries the components its vulnerabilities affect and the dependencies that name its
     * components (ingest CycloneDxSbomRecognizer).
     */
    @Override
    public boolean joined(String array, boolean complete) {
      if (array.equals("components")) {
        joinedComplete &= complete;
        return true;
      }
      if (array.equals("dependencies") && inventory) {
        dependenciesComplete &= complete;
        return true;
      }
      return false;
    }

    @Override
    public void end(List<EvidenceEvent> out) throws RecordException {
      if (!isCycloneDx()) {
        throw new RecordException(RejectReason.MISSING_FIELD, "not a CycloneDX JSON document: no bomFormat CycloneDX");
      }
      String spec = get("specVersion").asText(null);
      if (spec != null && !spec.startsWith("1.")) {
        throw new RecordException(RejectReason.UNSUPPORTED_VERSION, "unsupported CycloneDX specVersion " + spec);
      }
      JsonNode meta = get("metadata");
      String time = meta.path("timestamp").asText(null);
      JsonNode subject = meta.path("component");
      ImageRef image = ImageRef.NONE;
      Map<String, String> docFields = new HashMap<>();
      SupplyChain.put(docFields, "sbom.spec_version", spec);
      SupplyChain.put(docFields, "sbom.serial_number", get("serialNumber").asText(null));
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
      if (!dependencies.isEmpty()) {
        for (SupplyChain.Pending pd : pending) {
          String ref = pd.isFinding() ? null : pd.pkg.uid; // inventory events only
          SupplyChain.Relationships r = ref == null ? null : dependencies.get(ref);
          if (r != null) SupplyChain.put(pd.unmapped, "package.relationships", r.text());
        }
      }
      int first = out.size();
      finish(image, time, "metadata.timestamp", docFields, about, out);
      if (!dependenciesComplete) {
        for (int i = first; i < out.size(); i++) {
          if (out.get(i).getVulnerability() == null) {
            Events.warn(out.get(i), "the collector carried only part of the dependencies of this split document; "
                + "package.relationships may be incomplete");
          }
        }
      }
      if (!joinedComplete) {
        for (int i = first; i < out.size(); i++) {
          if (out.get(i).getVulnerability() != null && out.get(i).getUnmapped().containsKey("vulnerability.affects_ref")) {
            Events.warn(out.get(i), "the collector carried only part of the components this split document's "
                + "vulnerabilities affect; the affected package may be missing");
          }
        }
      }
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

}
