package dev.strata.parse.formats.supplychain;

import dev.strata.parse.EvidenceParser;
import dev.strata.parse.ParserContractTest;

/** Contract + fixtures (src/test/resources/fixtures/syft_sbom) for {@link SyftSbomParser}. */
class SyftSbomParserTest extends ParserContractTest {

  @Override
  protected EvidenceParser parser() {
    return new SyftSbomParser();
  }
}
