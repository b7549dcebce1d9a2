package dev.strata.parse.formats.supplychain;

import dev.strata.parse.EvidenceParser;
import dev.strata.parse.ParserContractTest;

/** Contract + fixtures (src/test/resources/fixtures/grype_scan) for {@link GrypeScanParser}. */
class GrypeScanParserTest extends ParserContractTest {

  @Override
  protected EvidenceParser parser() {
    return new GrypeScanParser();
  }
}
