package dev.strata.ingest.recognize;

import dev.strata.ingest.chunk.RecordArrays;
import dev.strata.schema.common.Framing;
import java.util.regex.Pattern;

/**
 * {@code syft_sbom}: syft's native JSON ({@code syft -o json}).
 *
 * <p>Path: {@code *.syft.json}. Content: a root object whose {@code artifacts} elements carry syft's {@code foundBy},
 * or with {@code artifacts} and a {@code descriptor} named syft. Framing JSON_RECORDS, record arrays
 * {@code artifacts}, {@code artifactRelationships}, {@code files} (see {@link SpdxSbomRecognizer}).
 */
public final class SyftSbomRecognizer extends RecordArraysDocumentRecognizer {
  static final RecordArrays RECORD_ARRAYS = RecordArrays.of("artifacts", "artifactRelationships", "files");

  public static final String SOURCE_TYPE = "syft_sbom";

  private static final Pattern PATH = Pattern.compile("(?:^|.*/)[^/]*\\.syft\\.json");

  public SyftSbomRecognizer() {
    super(SOURCE_TYPE, PATH, RECORD_ARRAYS);
  }

  @Override
  public ContentMatch probe(ContentSample sample) {
    JsonHead h = JsonHead.of(sample);
    if (!h.valid() || !h.has("artifacts")) return ContentMatch.none("no artifacts");
    if (h.first("artifacts").has("foundBy") || "syft".equals(h.get("descriptor").path("name").asText())) {
      return ContentMatch.strong(Framing.JSON_RECORDS, "syft JSON document");
    }
    if (h.get("artifacts").isEmpty() && !h.complete()) {
      return ContentMatch.weak(Framing.JSON_RECORDS, "artifacts document, first artifact longer than the sample");
    }
    return ContentMatch.none("artifacts are not syft packages");
  }
}
