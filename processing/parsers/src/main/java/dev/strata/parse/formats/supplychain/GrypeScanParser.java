package dev.strata.parse.formats.supplychain;

import com.fasterxml.jackson.databind.JsonNode;
import dev.strata.parse.ChunkContext;
import dev.strata.parse.JsonFormatParser;
import dev.strata.parse.JsonRecordStream.RecordException;
import dev.strata.parse.ParseException;
import dev.strata.parse.ParseOutput;
import dev.strata.parse.RejectReason;
import dev.strata.parse.formats.supplychain.JsonDocuments.Doc;
import dev.strata.parse.formats.supplychain.JsonDocuments.Element;
import dev.strata.parse.formats.supplychain.SupplyChain.ImageRef;
import dev.strata.parse.formats.supplychain.SupplyChain.Pkg;
import dev.strata.schema.event.EvidenceEvent;
import dev.strata.schema.event.Vulnerability;
import dev.strata.schema.raw.RawArtifactChunk;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Grype scan results to one OCSF 2002 Vulnerability Finding per match (see {@link SupplyChain}): grype's JSON
 * ({@code grype -o json}) and grype's CycloneDX JSON ({@code -o cyclonedx-json}, mapped by {@link CycloneDx}: one
 * finding per vulnerability and affected component).
 *
 * <pre>
 * matches[].vulnerability  id -> vulnerability.uid; severity -> vulnerability.severity and severity_id
 *                          (Negligible 1, Low 2, Medium 3, High 4, Critical 5, Unknown 0); cvss[] with the highest
 *                          version (else the related vulnerabilities' cvss) -> score = metrics.baseScore,
 *                          cvss_vector = vector; fix.versions -> fixed_version (comma separated), fix.state ->
 *                          fix_state; dataSource (else urls[0]) -> data_source
 * relatedVulnerabilities[] ids -> vulnerability.related
 * artifact                 -> package (as syft's artifacts: name, version, type, purl, cpes, licenses,
 *                          locations[0].path, id)
 * matchDetails[0]          -> unmapped match.type, match.matcher, match.searched_by, match.found; more: match.count
 * source (image)           -> container (image_uid = imageID, image_digest = manifestDigest, image_name = first tag,
 *                          else repoDigests[0] repository, else userInput); directory/file/sbom sources ->
 *                          unmapped sbom.subject
 * unmapped                 vulnerability.namespace, .description, .urls, .epss, .epss_percentile, .known_exploited,
 *                          .risk, scan.distro, scan.tool
 * descriptor.timestamp     -> time (empty in grype's test snapshots: observed time, warned)
 * </pre>
 *
 * ignoredMatches are not findings (grype filtered them by policy): their count goes to unmapped scan.ignored_matches.
 */
public final class GrypeScanParser extends JsonFormatParser {

  public static final String FORMAT = "grype_scan";

  public GrypeScanParser() {
    super(FORMAT);
  }

  @Override
  public void parse(RawArtifactChunk chunk, ParseOutput out) throws ParseException {
    ChunkContext ctx = ChunkContext.of(chunk);
    new JsonDocuments(ctx, Set.of("matches", "components", "vulnerabilities"), (doc, events) -> map(ctx, doc, events),
        out).run();
  }

  static void map(ChunkContext ctx, Doc doc, List<EvidenceEvent> out) throws RecordException {
    if (CycloneDx.isCycloneDx(doc)) {
      CycloneDx.map(ctx, doc, out, false, true);
      return;
    }
    if (!doc.has("matches") || !(doc.has("source") || doc.has("descriptor"))) {
      throw new RecordException(RejectReason.MISSING_FIELD, "not a grype JSON document: no matches with source");
    }
    Map<String, String> docFields = new HashMap<>();
    ImageRef image = SyftSbomParser.image(doc.get("source"), docFields);
    JsonNode d = doc.get("descriptor");
    String tool = SupplyChain.text(d, "name");
    if (tool != null) SupplyChain.put(docFields, "scan.tool", tool + " " + d.path("version").asText(""));
    JsonNode distro = doc.get("distro");
    if (SupplyChain.text(distro, "name") != null) {
      SupplyChain.put(docFields, "scan.distro", distro.path("name").asText() + " " + distro.path("version").asText(""));
    }
    JsonNode ignored = doc.get("ignoredMatches");
    if (ignored.isArray() && !ignored.isEmpty()) docFields.put("scan.ignored_matches", Integer.toString(ignored.size()));
    String time = SupplyChain.text(d, "timestamp");
    String about = image.name() != null ? image.name() : docFields.get("sbom.subject");
    for (Element el : doc.elements("matches")) {
      JsonNode m = el.node();
      JsonNode v = m.path("vulnerability");
      String id = SupplyChain.text(v, "id");
      if (id == null) {
        throw new RecordException(RejectReason.MISSING_FIELD, "grype match " + el.index() + " has no vulnerability.id");
      }
      Map<String, String> u = SupplyChain.unmapped();
      u.putAll(docFields);
      Pkg pkg = new Pkg();
      SyftSbomParser.artifact(m.path("artifact"), pkg, u);
      Vulnerability vul = SupplyChain.vulnerability(id);
      vul.setSeverity(SupplyChain.text(v, "severity"));
      JsonNode cvss = bestCvss(v.path("cvss"));
      for (JsonNode r : m.path("relatedVulnerabilities")) {
        String rid = SupplyChain.text(r, "id");
        if (rid != null && !rid.equals(id) && !vul.getRelated().contains(rid)) vul.getRelated().add(rid);
        if (cvss == null) cvss = bestCvss(r.path("cvss"));
      }
      if (cvss != null) {
        JsonNode score = cvss.path("metrics").path("baseScore");
        if (score.isNumber()) vul.setScore(score.asDouble());
        vul.setCvssVector(SupplyChain.text(cvss, "vector"));
      }
      JsonNode fix = v.path("fix");
      StringBuilder fixed = new StringBuilder();
      for (JsonNode f : fix.path("versions")) {
        if (fixed.length() > 0) fixed.append(',');
        fixed.append(f.asText());
      }
      vul.setFixedVersion(fixed.length() == 0 ? null : fixed.toString());
      vul.setFixState(SupplyChain.text(fix, "state"));
      String ds = SupplyChain.text(v, "dataSource");
      if (ds == null && v.path("urls").isArray() && !v.path("urls").isEmpty()) ds = v.path("urls").get(0).asText();
      vul.setDataSource(ds);
      SupplyChain.put(u, "vulnerability.namespace", SupplyChain.text(v, "namespace"));
      SupplyChain.put(u, "vulnerability.description", SupplyChain.text(v, "description"));
      if (v.path("urls").isArray() && v.path("urls").size() > 1) u.put("vulnerability.urls", v.path("urls").toString());
      JsonNode epss = v.path("epss");
      if (epss.isArray() && !epss.isEmpty()) {
        SupplyChain.put(u, "vulnerability.epss", epss.get(0).path("epss").asText(null));
        SupplyChain.put(u, "vulnerability.epss_percentile", epss.get(0).path("percentile").asText(null));
      }
      JsonNode kev = v.path("knownExploited");
      if (kev.isArray() && !kev.isEmpty()) u.put("vulnerability.known_exploited", "true");
      SupplyChain.put(u, "vulnerability.risk", v.path("risk").isNumber() ? v.path("risk").asText() : null);
      JsonNode details = m.path("matchDetails");
      if (details.isArray() && !details.isEmpty()) {
        JsonNode md = details.get(0);
        SupplyChain.put(u, "match.type", SupplyChain.text(md, "type"));
        SupplyChain.put(u, "match.matcher", SupplyChain.text(md, "matcher"));
        if (md.path("searchedBy").isContainerNode()) SupplyChain.put(u, "match.searched_by", md.path("searchedBy").toString());
        if (md.path("found").isContainerNode()) SupplyChain.put(u, "match.found", md.path("found").toString());
        if (details.size() > 1) u.put("match.count", Integer.toString(details.size()));
      }
      EvidenceEvent e = SupplyChain.finding(ctx, el.start(), el.end(), doc.ordinalBase + el.index(), 0, pkg, vul,
          image, time, "descriptor.timestamp", u, about);
      if (u.containsKey("match.type")) e.getFinding().getTags().add(u.get("match.type"));
      out.add(e);
    }
  }

  /** The CVSS entry with the highest version (first on ties), or null. */
  private static JsonNode bestCvss(JsonNode list) {
    JsonNode best = null;
    double bestVersion = -1;
    for (JsonNode c : list) {
      double version;
      try {
        version = Double.parseDouble(c.path("version").asText("0"));
      } catch (NumberFormatException e) {
        version = 0;
      }
      if (version > bestVersion) {
        bestVersion = version;
        best = c;
      }
    }
    return best;
  }
}
