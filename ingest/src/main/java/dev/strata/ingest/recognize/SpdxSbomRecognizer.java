package dev.strata.ingest.recognize;

import dev.strata.ingest.chunk.RecordArrays;
import dev.strata.schema.common.Framing;
import java.util.List;
import java.util.regex.Pattern;

/**
 * {@code spdx_sbom}: SPDX 2.x JSON documents (syft {@code -o spdx-json}, trivy, docker sbom, vendors).
 *
 * <p>Path: {@code *.spdx.json}. Content: a JSON object with {@code spdxVersion} "SPDX-..." or {@code SPDXID}
 * "SPDXRef-DOCUMENT", or an SPDX 3.0 JSON-LD document (its {@code @context} is SPDX 3's, its elements in
 * {@code @graph}: cut at its elements, the document, creation info, describes relationships and the image's package
 * in every chunk's context). Framing JSON_RECORDS with record arrays ({@link RecordArrays}): a document larger than one
 * chunk is cut at the first byte of an element of {@code packages}, {@code files}, {@code snippets} or
 * {@code relationships}; every chunk carries the document's context as its format header (the root object with those
 * arrays reduced to the container-image packages and the DESCRIBES relationships) and the relationships that name
 * one of the chunk's own packages (wherever they are in the document), so each chunk parses on its own and its
 * packages get the relationships they get in the whole document.
 * A document of one chunk is read whole.
 */
public final class SpdxSbomRecognizer extends RecordArraysDocumentRecognizer {
  /** The parser keeps 64 relationship entries per package (each relationship that is not context adds one). */
  static final int RELATIONSHIPS_PER_PACKAGE = 64;

  static final RecordArrays RECORD_ARRAYS = RecordArrays.of("packages", "files", "snippets", "relationships", "@graph")
      .withContext("packages", "\"CONTAINER\"", "pkg:oci", "pkg:docker")
      // SPDX 3.0 JSON-LD: every element is in @graph; the document, its creation info, the described relationships
      // and the image's package are the context of each chunk
      .withContext("@graph", "\"SpdxDocument\"", "\"CreationInfo\"", "\"describes\"", "\"container\"", "pkg:oci",
          "pkg:docker")
      .withContext("relationships", "\"DESCRIBES\"", "\"DESCRIBED_BY\"")
      .withJoin(new RecordArrays.Join("relationships", List.of("spdxElementId", "relatedSpdxElement"), "packages",
          "SPDXID", RELATIONSHIPS_PER_PACKAGE));

  public static final String SOURCE_TYPE = "spdx_sbom";

  private static final Pattern PATH = Pattern.compile("(?:^|.*/)[^/]*\\.spdx\\.json");

  public SpdxSbomRecognizer() {
    super(SOURCE_TYPE, PATH, RECORD_ARRAYS);
  }

  @Override
  public ContentMatch probe(ContentSample sample) {
    JsonHead h = JsonHead.of(sample);
    if (!h.valid()) return ContentMatch.none("not a JSON object");
    if (h.get("spdxVersion").asText("").startsWith("SPDX-")) {
      return ContentMatch.strong(Framing.JSON_RECORDS, "SPDX " + h.get("spdxVersion").asText() + " JSON document");
    }
    if (h.get("@context").toString().contains("spdx.org/rdf/3")) {
      return ContentMatch.strong(Framing.JSON_RECORDS, "SPDX 3 JSON-LD document");
    }
    if ("SPDXRef-DOCUMENT".equals(h.get("SPDXID").asText(null))) {
      return ContentMatch.strong(Framing.JSON_RECORDS, "SPDX JSON document (SPDXRef-DOCUMENT)");
    }
    return ContentMatch.none("no spdxVersion / SPDXID");
  }
}
