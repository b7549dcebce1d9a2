package dev.strata.parse.formats.supplychain;

import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import dev.strata.parse.ChunkContext;
import dev.strata.parse.JsonFormatParser;
import dev.strata.parse.JsonRecordStream.RecordException;
import dev.strata.parse.ParseException;
import dev.strata.parse.ParseOutput;
import dev.strata.parse.RejectReason;
import dev.strata.parse.formats.supplychain.JsonDocuments.Cursor;
import dev.strata.parse.formats.supplychain.JsonDocuments.Mode;
import dev.strata.parse.formats.supplychain.SupplyChain.ImageRef;
import dev.strata.parse.formats.supplychain.SupplyChain.Pkg;
import dev.strata.schema.event.EvidenceEvent;
import dev.strata.schema.event.Vulnerability;
import dev.strata.schema.raw.RawArtifactChunk;
import java.io.IOException;
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

  /** The arrays the collector cuts a grype document at (ingest GrypeScanRecognizer): counted as records. */
  static final Set<String> RECORD_ARRAYS =
      Set.of("matches", "ignoredMatches", "components", "services", "dependencies", "vulnerabilities");

  public GrypeScanParser() {
    super(FORMAT);
  }

  @Override
  public void parse(RawArtifactChunk chunk, ParseOutput out) throws ParseException {
    ChunkContext ctx = ChunkContext.of(chunk).unhashedEventIds();
    new JsonDocuments(ctx, RECORD_ARRAYS, () -> new Grype(ctx), out).run();
  }

  /** One grype document: grype JSON matches, or (a CycloneDX BOM) its vulnerabilities as {@link CycloneDx} maps them. */
  private static final class Grype extends CycloneDx.Bom implements JsonDocuments.ArrayCounts {
    long ignored;

    Grype(ChunkContext ctx) {
      super(ctx, false);
    }

    @Override
    public void elements(String array, long count) {
      if (array.equals("ignoredMatches")) ignored += count;
    }

    @Override
    public void element(String array, Cursor c) throws IOException, RecordException {
      if (array.equals("ignoredMatches")) {
        if (c.mode == Mode.WHOLE) ignored++;
        c.skip();
      } else if (array.equals("matches")) {
        if (c.mode == Mode.CONTEXT || c.p.currentToken() != JsonToken.START_OBJECT) c.skip();
        else match(c);
      } else {
        super.element(array, c);
      }
    }

    private void match(Cursor c) throws IOException, RecordException {
      JsonNode v = null;
      JsonNode related = null;
      Map<String, String> u = SupplyChain.unmapped();
      Pkg pkg = new Pkg();
      for (String f; (f = c.nextField()) != null; ) {
        switch (f) {
          case "vulnerability" -> v = c.tree();
          case "relatedVulnerabilities" -> related = c.tree();
          case "artifact" -> {
            if (c.p.currentToken() == JsonToken.START_OBJECT) SyftSbomParser.artifact(c, pkg, u);
            else c.skip();
          }
          case "matchDetails" -> matchDetails(c, u);
          default -> c.skip();
        }
      }
      String id = v == null ? null : SupplyChain.text(v, "id");
      if (id == null) {
        throw new RecordException(RejectReason.MISSING_FIELD, "grype match at byte " + c.start
            + " has no vulnerability.id");
      }
      Vulnerability vul = SupplyChain.vulnerability(id);
      vul.setSeverity(SupplyChain.text(v, "severity"));
      JsonNode cvss = bestCvss(v.path("cvss"));
      if (related != null) {
        for (JsonNode r : related) {
          String rid = SupplyChain.text(r, "id");
          if (rid != null && !rid.equals(id) && !vul.getRelated().contains(rid)) vul.getRelated().add(rid);
          if (cvss == null) cvss = bestCvss(r.path("cvss"));
        }
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
      finding(c, 0, pkg, vul, u);
    }

    /** matchDetails[0] -> match.type, match.matcher, match.searched_by, match.found (source JSON); more: match.count. */
    private static void matchDetails(Cursor c, Map<String, String> u) throws IOException {
      if (!c.isArray()) {
        c.skip();
        return;
      }
      int n = 0;
      for (JsonToken t; (t = c.nextElement()) != null; ) {
        if (n++ > 0 || t != JsonToken.START_OBJECT) {
          c.skip();
          continue;
        }
        for (String g; (g = c.nextField()) != null; ) {
          switch (g) {
            case "type" -> SupplyChain.put(u, "match.type", c.string());
            case "matcher" -> SupplyChain.put(u, "match.matcher", c.string());
            case "searchedBy" -> SupplyChain.put(u, "match.searched_by", c.text(SupplyChain.MAX_TEXT));
            case "found" -> SupplyChain.put(u, "match.found", c.text(SupplyChain.MAX_TEXT));
            default -> c.skip();
          }
        }
      }
      if (n > 1) u.put("match.count", Integer.toString(n));
    }

    @Override
    public void end(List<EvidenceEvent> out) throws RecordException {
      if (isCycloneDx()) {
        super.end(out);
        return;
      }
      if (!has("matches") || !(has("source") || has("descriptor"))) {
        throw new RecordException(RejectReason.MISSING_FIELD, "not a grype JSON document: no matches with source");
      }
      Map<String, String> docFields = new HashMap<>();
      ImageRef image = SyftSbomParser.image(get("source"), docFields);
      JsonNode d = get("descriptor");
      String tool = SupplyChain.text(d, "name");
      if (tool != null) SupplyChain.put(docFields, "scan.tool", tool + " " + d.path("version").asText(""));
      JsonNode distro = get("distro");
      if (SupplyChain.text(distro, "name") != null) {
        SupplyChain.put(docFields, "scan.distro",
            distro.path("name").asText() + " " + distro.path("version").asText(""));
      }
      if (ignored > 0) docFields.put("scan.ignored_matches", Long.toString(ignored));
      String time = SupplyChain.text(d, "timestamp");
      String about = image.name() != null ? image.name() : docFields.get("sbom.subject");
      finish(image, time, "descriptor.timestamp", docFields, about, out);
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
