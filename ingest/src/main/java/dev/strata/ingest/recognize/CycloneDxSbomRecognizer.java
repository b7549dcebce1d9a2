package dev.strata.ingest.recognize;

import com.fasterxml.jackson.databind.JsonNode;
import dev.strata.ingest.chunk.RecordArrays;
import dev.strata.schema.common.Framing;
import java.util.List;
import java.util.regex.Pattern;

/**
 * {@code cyclonedx_sbom}: CycloneDX JSON BOMs (syft {@code -o cyclonedx-json}, trivy, cdxgen). A BOM written by grype
 * (metadata.tools names grype) is a scan result: {@link GrypeScanRecognizer} takes it.
 *
 * <p>Path: {@code *.cdx.json}, {@code *.cyclonedx.json}, {@code bom.json}. Content: {@code bomFormat} "CycloneDX".
 * Framing JSON_RECORDS, record arrays {@code components}, {@code services}, {@code dependencies},
 * {@code vulnerabilities} (see {@link SpdxSbomRecognizer}); a chunk's header carries the components its
 * vulnerabilities affect ({@link #AFFECTED_COMPONENTS}).
 */
public final class CycloneDxSbomRecognizer extends RecordArraysDocumentRecognizer {
  /**
   * A vulnerability's {@code affects[].ref} names the bom-ref of a component (CycloneDX 1.4+ "vulnerabilities"): a
   * chunk of vulnerabilities carries the components they affect, wherever they are in the document, so its findings
   * name the same package as in the whole document.
   */
  public static final RecordArrays.Join AFFECTED_COMPONENTS = new RecordArrays.Join("components",
      List.of("components[]*.bom-ref"), "vulnerabilities", "affects[].ref", 1);

  static final RecordArrays RECORD_ARRAYS = RecordArrays.of("components", "services", "dependencies", "vulnerabilities")
      .withJoin(AFFECTED_COMPONENTS);

  public static final String SOURCE_TYPE = "cyclonedx_sbom";

  private static final Pattern PATH = Pattern.compile("(?:^|.*/)(?:[^/]*\\.cdx\\.json|[^/]*\\.cyclonedx\\.json|bom\\.json)");

  public CycloneDxSbomRecognizer() {
    super(SOURCE_TYPE, PATH, RECORD_ARRAYS);
  }

  @Override
  public ContentMatch probe(ContentSample sample) {
    JsonHead h = JsonHead.of(sample);
    if (!h.valid()) return ContentMatch.none("not a JSON object");
    if (!"CycloneDX".equals(h.get("bomFormat").asText(null))) return ContentMatch.none("no bomFormat CycloneDX");
    if (byGrype(h)) return ContentMatch.none("a CycloneDX BOM written by grype (grype_scan)");
    return ContentMatch.strong(Framing.JSON_RECORDS, "CycloneDX " + h.get("specVersion").asText("?") + " JSON BOM");
  }

  /** metadata.tools (1.4: array; 1.5+: {components: [...]}) names grype. */
  static boolean byGrype(JsonHead h) {
    JsonNode tools = h.get("metadata").path("tools");
    for (JsonNode t : tools.isArray() ? tools : tools.path("components")) {
      if ("grype".equals(t.path("name").asText())) return true;
    }
    return false;
  }
}
