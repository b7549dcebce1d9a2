package dev.strata.parse.formats.supplychain;

import dev.strata.parse.ChunkContext;
import dev.strata.parse.JsonFormatParser;
import dev.strata.parse.ParseException;
import dev.strata.parse.ParseOutput;
import dev.strata.schema.raw.RawArtifactChunk;

/**
 * CycloneDX 1.4 to 1.7 JSON BOMs to one OCSF 5001 Device Inventory Info event per component (nested components
 * included), and, for a BOM that carries {@code vulnerabilities[]} (VEX, scanner output), one OCSF 2002
 * Vulnerability Finding per affected component. Mapping: {@link CycloneDx}.
 */
public final class CycloneDxSbomParser extends JsonFormatParser {

  public static final String FORMAT = "cyclonedx_sbom";

  public CycloneDxSbomParser() {
    super(FORMAT);
  }

  @Override
  public void parse(RawArtifactChunk chunk, ParseOutput out) throws ParseException {
    ChunkContext ctx = ChunkContext.of(chunk).unhashedEventIds().sharedContext();
    new JsonDocuments(ctx, CycloneDx.ARRAYS, () -> new CycloneDx.Bom(ctx, true), out).run();
  }
}
