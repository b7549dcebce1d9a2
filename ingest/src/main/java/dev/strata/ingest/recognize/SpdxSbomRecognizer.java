package dev.strata.ingest.recognize;

import dev.strata.ingest.context.ContextValues;
import dev.strata.schema.common.Framing;
import java.util.Optional;

/**
 * {@code spdx_sbom}: SPDX 2.x JSON documents (syft {@code -o spdx-json}, trivy, docker sbom, vendors).
 *
 * <p>Path: {@code *.spdx.json}. Content: a JSON object with {@code spdxVersion} "SPDX-..." or {@code SPDXID}
 * "SPDXRef-DOCUMENT". Framing WHOLE: the document is read whole (the packages' image is known only from the whole
 * document), up to the collector's max record size; larger documents are cut and dead-lettered as
 * record_too_large (the JSON_RECORDS framing only cuts "Records"/"items" arrays).
 */
public final class SpdxSbomRecognizer implements ArtifactRecognizer {
  public static final String SOURCE_TYPE = "spdx_sbom";

  @Override
  public String sourceType() {
    return SOURCE_TYPE;
  }

  @Override
  public Optional<ContextValues> matchPath(String relPath) {
    return relPath.endsWith(".spdx.json") ? Optional.of(ContextValues.EMPTY) : Optional.empty();
  }

  @Override
  public ContentMatch probe(ContentSample sample) {
    JsonHead h = JsonHead.of(sample);
    if (!h.valid()) return ContentMatch.none("not a JSON object");
    if (h.get("spdxVersion").asText("").startsWith("SPDX-")) {
      return ContentMatch.strong(Framing.WHOLE, "SPDX " + h.get("spdxVersion").asText() + " JSON document");
    }
    if ("SPDXRef-DOCUMENT".equals(h.get("SPDXID").asText(null))) {
      return ContentMatch.strong(Framing.WHOLE, "SPDX JSON document (SPDXRef-DOCUMENT)");
    }
    return ContentMatch.none("no spdxVersion / SPDXID");
  }
}
