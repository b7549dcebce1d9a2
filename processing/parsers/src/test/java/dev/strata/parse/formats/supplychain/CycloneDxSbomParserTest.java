package dev.strata.parse.formats.supplychain;

import dev.strata.parse.EvidenceParser;
import dev.strata.parse.ParserContractTest;

/** Contract + fixtures (src/test/resources/fixtures/cyclonedx_sbom) for {@link CycloneDxSbomParser}. */
class CycloneDxSbomParserTest extends ParserContractTest {

  @Override
  protected EvidenceParser parser() {
    return new CycloneDxSbomParser();
  }
}
