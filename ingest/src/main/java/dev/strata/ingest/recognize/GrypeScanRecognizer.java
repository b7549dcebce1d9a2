package dev.strata.ingest.recognize;

import dev.strata.ingest.chunk.RecordArrays;
import dev.strata.schema.common.Framing;
import java.util.regex.Pattern;

/**
 * {@code grype_scan}: grype results, JSON ({@code -o json}) or CycloneDX ({@code -o cyclonedx-json}).
 *
 * <p>Path: {@code *.grype.json}. Content: a root object whose {@code matches} elements have {@code vulnerability}
 * and {@code artifact}, or {@code matches} with a {@code descriptor} named grype (an empty result); or a CycloneDX BOM
 * whose metadata.tools names grype. Framing JSON_RECORDS, record arrays {@code matches}, {@code ignoredMatches} (and
 * the CycloneDX ones, see {@link CycloneDxSbomRecognizer}; see {@link SpdxSbomRecognizer}).
 */
public final class GrypeScanRecognizer extends RecordArraysDocumentRecognizer {
  static final RecordArrays RECORD_ARRAYS = RecordArrays.of(
      "matches", "ignoredMatches", "components", "services", "dependencies", "vulnerabilities")
      .withJoin(CycloneDxSbomRecognizer.AFFECTED_COMPONENTS);

  public static final String SOURCE_TYPE = "grype_scan";

  private static final Pattern PATH = Pattern.compile("(?:^|.*/)[^/]*\\.grype\\.json");

  public GrypeScanRecognizer() {
    super(SOURCE_TYPE, PATH, RECORD_ARRAYS);
  }

  @Override
  public ContentMatch probe(ContentSample sample) {
    JsonHead h = JsonHead.of(sample);
    if (!h.valid()) return ContentMatch.none("not a JSON object");
    if ("CycloneDX".equals(h.get("bomFormat").asText(null))) {
      return CycloneDxSbomRecognizer.byGrype(h)
          ? ContentMatch.strong(Framing.JSON_RECORDS, "grype CycloneDX results")
          : ContentMatch.none("a CycloneDX BOM not written by grype");
    }
    if (!h.has("matches")) return ContentMatch.none("no matches");
    if (h.first("matches").has("vulnerability") && h.first("matches").has("artifact")) {
      return ContentMatch.strong(Framing.JSON_RECORDS, "grype JSON results");
    }
    if ("grype".equals(h.get("descriptor").path("name").asText())) {
      return ContentMatch.strong(Framing.JSON_RECORDS, "grype JSON results (descriptor)");
    }
    if (h.get("matches").isEmpty() && !h.complete()) {
      return ContentMatch.weak(Framing.JSON_RECORDS, "matches document, first match longer than the sample");
    }
    return ContentMatch.none("matches are not grype matches");
  }
}
