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
 * vulnerabilities affect ({@link #AFFECTED_COMPONENTS}) and the dependencies that name its components
 * ({@link #COMPONENT_DEPENDENCIES}).
 */
public final class CycloneDxSbomRecognizer extends RecordArraysDocumentRecognizer {
  /**
   * A vulnerability's {@code affects[].ref} names the bom-ref of a component (CycloneDX 1.4+ "vulnerabilities"): a
   * chunk of vulnerabilities carries the components they affect, wherever they are in the document, so its findings
   * name the same package as in the whole document.
   */
  public static final RecordArrays.Join AFFECTED_COMPONENTS = new RecordArrays.Join("components",
      List.of("components[]*.bom-ref"), "vulnerabilities", "affects[].ref", 1);

  /**
   * A dependency ({@code dependencies[]}: {@code ref} depends on {@code dependsOn[]} and, in 1.6, provides
   * {@code provides[]}, all bom-refs) names components anywhere in the document: a chunk of components carries the
   * dependencies that name one of them, so each package gets the relationships it gets in the whole BOM. The parser
   * keeps 64 per package; each time a dependency names a component gives it at least one, except the component's own
   * dependency when that names nothing (a ref is listed once, CycloneDX says): so 65 dependencies per component.
   */
  public static final RecordArrays.Join COMPONENT_DEPENDENCIES = new RecordArrays.Join("dependencies",
      List.of("ref", "dependsOn[]", "provides[]"), "components", "components[]*.bom-ref", 65);

  static final RecordArrays RECORD_ARRAYS = RecordArrays.of("components", "services", "dependencies", "vulnerabilities")
      .withJoin(AFFECTED_COMPONENTS)
      .withJoin(COMPONENT_DEPENDENCIES);

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
