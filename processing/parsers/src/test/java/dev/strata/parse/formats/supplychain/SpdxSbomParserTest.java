package dev.strata.parse.formats.supplychain;

import dev.strata.parse.EvidenceParser;
import dev.strata.parse.ParserContractTest;

/** Contract + fixtures (src/test/resources/fixtures/spdx_sbom) for {@link SpdxSbomParser}. */
class SpdxSbomParserTest extends ParserContractTest {

  @Override
  protected EvidenceParser parser() {
    return new SpdxSbomParser();
  }
}
