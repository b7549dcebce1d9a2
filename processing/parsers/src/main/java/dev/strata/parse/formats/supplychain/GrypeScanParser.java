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
import java.util.ArrayList;
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
    ChunkContext ctx = ChunkContext.of(chunk).unhashedEventIds().sharedContext();
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
      Vuln v = null;
      List<String> related = new ArrayList<>(0);
      Cvss relatedCvss = null;
      OverlayMap u = SupplyChain.unmapped();
      Pkg pkg = new Pkg();
      for (String f; (f = c.nextField()) != null; ) {
        switch (f) {
          case "vulnerability" -> {
            if (c.p.currentToken() == JsonToken.START_OBJECT) v = vulnerability(c, u);
            else c.skip();
          }
          case "relatedVulnerabilities" -> {
            if (!c.array()) break;
            while (c.nextObject()) {
              for (String g; (g = c.nextField()) != null; ) {
                if (g.equals("id")) {
                  String rid = c.string();
                  if (rid != null) related.add(rid);
                } else if (g.equals("cvss")) {
                  Cvss best = Cvss.best(c);
                  if (relatedCvss == null) relatedCvss = best;
                } else {
                  c.skip();
                }
              }
            }
          }
          case "artifact" -> {
            if (c.p.currentToken() == JsonToken.START_OBJECT) SyftSbomParser.artifact(c, pkg, u);
            else c.skip();
          }
          case "matchDetails" -> matchDetails(c, u);
          default -> c.skip();
        }
      }
      if (v == null || v.id == null) {
        throw new RecordException(RejectReason.MISSING_FIELD, "grype match at byte " + c.start
            + " has no vulnerability.id");
      }
      Vulnerability vul = SupplyChain.vulnerability(v.id);
      vul.setSeverity(v.severity);
      for (String rid : related) {
        if (!rid.equals(v.id) && !vul.getRelated().contains(rid)) vul.getRelated().add(rid);
      }
      Cvss cvss = v.cvss != null ? v.cvss : relatedCvss;
      if (cvss != null) {
        vul.setScore(cvss.score);
        vul.setCvssVector(cvss.vector);
      }
      vul.setFixedVersion(v.fixed);
      vul.setFixState(v.fixState);
      vul.setDataSource(v.dataSource != null ? v.dataSource : v.firstUrl);
      finding(c, 0, pkg, vul, u);
    }

    /** What a match's vulnerability gives (its unmapped fields go straight to {@code u}). */
    private static final class Vuln {
      String id;
      String severity;
      Cvss cvss;
      String fixed;
      String fixState;
      String dataSource;
      String firstUrl;
    }

    /** Streams a grype vulnerability object (the cursor at its START_OBJECT). */
    private static Vuln vulnerability(Cursor c, Map<String, String> u) throws IOException {
      Vuln v = new Vuln();
      for (String f; (f = c.nextField()) != null; ) {
        switch (f) {
          case "id" -> v.id = c.string();
          case "severity" -> v.severity = c.string();
          case "cvss" -> v.cvss = Cvss.best(c);
          case "dataSource" -> v.dataSource = c.string();
          case "namespace" -> SupplyChain.put(u, "vulnerability.namespace", c.string());
          case "description" -> SupplyChain.put(u, "vulnerability.description", c.string());
          case "urls" -> {
            if (!c.isArray()) {
              c.skip();
              break;
            }
            int mark = c.mark();
            int n = 0;
            while (c.nextElement() != null) {
              String url = c.string();
              if (n++ == 0) v.firstUrl = url;
            }
            if (n > 1) u.put("vulnerability.urls", c.textFrom(mark, SupplyChain.MAX_TEXT));
          }
          case "fix" -> {
            if (c.p.currentToken() != JsonToken.START_OBJECT) {
              c.skip();
              break;
            }
            for (String g; (g = c.nextField()) != null; ) {
              if (g.equals("state")) {
                v.fixState = c.string();
              } else if (g.equals("versions") && c.isArray()) {
                StringBuilder fixed = new StringBuilder();
                for (JsonToken t; (t = c.nextElement()) != null; ) {
                  String x = t.isScalarValue() ? c.p.getText() : "";
                  if (!t.isScalarValue()) c.skip();
                  if (fixed.length() > 0) fixed.append(',');
                  fixed.append(x);
                }
                v.fixed = fixed.length() == 0 ? null : fixed.toString();
              } else {
                c.skip();
              }
            }
          }
          case "epss" -> {
            if (!c.array()) break;
            boolean first = true;
            while (c.nextObject()) {
              for (String g; (g = c.nextField()) != null; ) {
                if (first && g.equals("epss")) SupplyChain.put(u, "vulnerability.epss", c.string());
                else if (first && g.equals("percentile")) SupplyChain.put(u, "vulnerability.epss_percentile", c.string());
                else c.skip();
              }
              first = false;
            }
          }
          case "knownExploited" -> {
            if (c.isArray() && c.text(SupplyChain.MAX_TEXT) != null) u.put("vulnerability.known_exploited", "true");
            else if (!c.isArray()) c.skip();
          }
          case "risk" -> {
            if (c.p.currentToken().isNumeric()) SupplyChain.put(u, "vulnerability.risk", c.p.getText());
            else c.skip();
          }
          default -> c.skip();
        }
      }
      return v;
    }

    /** A CVSS entry: its version, vector and base score. */
    private record Cvss(double version, String vector, Double score) {
      /** The entry with the highest version (first on ties) of the cvss array at the cursor, or null. */
      static Cvss best(Cursor c) throws IOException {
        if (!c.array()) return null;
        Cvss best = null;
        while (c.nextObject()) {
          double version = 0;
          String vector = null;
          Double score = null;
          for (String f; (f = c.nextField()) != null; ) {
            switch (f) {
              case "version" -> {
                try {
                  String vs = c.string();
                  version = vs == null ? 0 : Double.parseDouble(vs);
                } catch (NumberFormatException e) {
                  version = 0;
                }
              }
              case "vector" -> vector = c.string();
              case "metrics" -> {
                if (c.p.currentToken() != JsonToken.START_OBJECT) {
                  c.skip();
                  break;
                }
                for (String g; (g = c.nextField()) != null; ) {
                  if (g.equals("baseScore") && c.p.currentToken().isNumeric()) score = c.p.getDoubleValue();
                  else c.skip();
                }
              }
              default -> c.skip();
            }
          }
          if (best == null || version > best.version) best = new Cvss(version, vector, score);
        }
        return best;
      }
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

}
